"""Verbatim's Discord layer: slash commands, buttons and a console over the `index` core.

python -m bot              # the bot (needs DISCORD_TOKEN)
python -m bot --console    # the same answers in a terminal, without Discord
python -m bot sync         # register the slash commands with Discord
python -m bot stats        # what was asked, found and voted (from the database)
python -m bot feedback --export FILE   # the votes as JSON lines

cli.py          the command line (`python -m bot`): settings, then the bot, the console or sync
settings.py     the settings, read once from the environment and `.env`
client.py       the Discord client: the connection, the collections, the database, error replies
commands.py     the slash commands, `!ask` and mentions: parse, check, call the answer flow
answering.py    the answer flow for every way of asking: search off the loop, log, render, send
views.py        the buttons (More, 👍, 👎, page turning) and private replies
gate.py         who may ask where, how much and how often
collections.py  the document collections and which one answers where
console.py      the same commands and answers in a terminal
render/         cards within Discord's limits (answers, sources, help, stats)
locale/         the bot's own words in the member's language (gettext catalogues, Babel)
db/             the bot's state in SQLite (the only SQL)
"""
