"""`python -m index`: the retrieval core's command line."""

import sys

from index.cli import main

sys.exit(main())
