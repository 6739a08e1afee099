"""`python -m index`: the retrieval core's command line."""

import sys

from index.tools.cli import main

sys.exit(main())
