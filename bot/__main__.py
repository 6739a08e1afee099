"""`python -m bot`: run the bot, the console, or register the slash commands."""

import sys

from bot.cli import main

sys.exit(main())
