"""The core stands alone: no Discord, no NLTK data, no network."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_index_never_imports_discord():
    code = "import index, index.tools.cli; import sys; print('discord' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "False"


def test_works_without_any_nltk_data(tmp_path, docs):
    """NLTK_DATA points at an empty folder: splitting and stemming still work (nothing downloads)."""
    code = (
        "from index import open_index; import sys; "
        f"idx = open_index({str(docs)!r}, {str(tmp_path / 'i')!r}); "
        "print(idx.ask('how many troops will Mexico train?').passages[0].answer)"
    )
    env = {"NLTK_DATA": str(tmp_path / "empty"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    assert out.stdout.strip() == "700"
