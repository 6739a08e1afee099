"""The shape of the code: no import circles in `bot/` and `index/`, and `bot/` stays in modules a
reader can take in (at most MAX_LINES lines each, at most MAX_MODULES modules a folder).

Imports are read from the source with `ast`, so every import counts: at the top of a module, in a
function, and under `if TYPE_CHECKING:` (a circle hidden there is still two modules that each
need the other to be understood).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "index")
LAYOUT_CHECKED = PACKAGES
MAX_LINES = 450
MAX_MODULES = 12


def modules(root: Path, packages: Iterable[str]) -> dict[str, Path | None]:
    """{dotted name: source file} of every module of the packages (a package is its __init__.py);
    a C extension's source (`_kernel.c`) is a module without Python imports (None)."""
    found: dict[str, Path | None] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
        for path in sorted((root / package).rglob("*.c")):
            found.setdefault(".".join(path.relative_to(root).with_suffix("").parts), None)
    return found


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, set[str]]:
    """{module: the modules of `packages` it imports}.

    `from P import n` imports the module P.n when there is one, else P itself. Importing P.n runs
    P's __init__ first, but that is not counted as importing P: a package's __init__ naming what
    its modules define is what a package is for. A module that imports its own package by name
    (`from index import Answer` inside index/) does count, and closes a circle.
    """
    known = modules(root, packages)
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        graph[name] = set()
        if path is None:
            continue
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                targets = [
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                while target and target not in known:  # `import a.b.c` of a module a.b
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as the path `a, b, …, a`, or None if the graph has none."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in on_path:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in done:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            found = visit(start)
            if found:
                return found
    return None


def test_no_import_circles_in_bot_and_index():
    graph = import_graph(ROOT, PACKAGES)
    assert {"bot.client", "index"} <= set(graph)  # it read the real packages
    assert "index" in graph["bot.client"]  # and their imports
    found = circle(graph)
    assert found is None, "import circle: " + " -> ".join(found or ())


def test_a_circle_is_found_wherever_its_imports_hide(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from pkg.a import A\n")
    (package / "a.py").write_text("from pkg.sub import b\nA = 1\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "b.py").write_text("def f():\n    from ..c import C\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\nC = 1\n"
    )
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["pkg.a"] == {"pkg.sub.b"} and graph["pkg.sub.b"] == {"pkg.c"}
    assert circle(graph) == ["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]
    (package / "c.py").write_text("from pkg import A\n")  # the package itself: still a circle
    assert circle(import_graph(tmp_path, ["pkg"])) == ["pkg", "pkg.a", "pkg.sub.b", "pkg.c", "pkg"]
    (package / "c.py").write_text("import pkg.sub\n")  # a package's __init__ is not a circle
    assert circle(import_graph(tmp_path, ["pkg"])) is None


@pytest.mark.parametrize("package", LAYOUT_CHECKED)
def test_modules_stay_short_and_folders_small(package):
    found = modules(ROOT, [package])
    paths = [p for p in found.values() if p is not None]
    assert len(paths) > 5
    lines = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in paths}
    assert {p: n for p, n in lines.items() if n > MAX_LINES} == {}
    folders: dict[Path, int] = {}
    for path in paths:
        folders[path.parent] = folders.get(path.parent, 0) + 1
    crowded = {str(f.relative_to(ROOT)): n for f, n in folders.items() if n > MAX_MODULES}
    assert crowded == {}
