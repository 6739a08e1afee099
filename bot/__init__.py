"""Verbatim's Discord layer: slash commands, buttons and a console over the `index` core.

python -m bot              # the bot (needs DISCORD_TOKEN)
python -m bot --console    # the same answers in a terminal, without Discord
python -m bot sync         # register the slash commands with Discord
python -m bot stats        # what was asked, found and voted (from the database)
python -m bot feedback --export FILE   # the votes as JSON lines
"""
