"""The editors' dashboard in a browser: `[dashboard] listen` turns it on in `bantin run`.

`server.py` serves it (aiohttp), `auth.py` signs editors in with one-time links from the
bot, `pages.py`, `stories.py` and `overview.py` write the HTML, `charts.py` draws SVG,
`texts.py` holds the words (Vietnamese first, English by choice).
"""
