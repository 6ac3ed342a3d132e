"""The Zalo adapter: our own client of the Zalo Bot API and the bot on top of it.

client (the HTTP API, typed), errors (answers → outcomes), render (Reply → plain text),
send (the Messenger), intake (long polling and the handlers), webhook (Zalo's POSTs on
aiohttp), adapter (started and stopped by the composition root).

The token is part of every request URL: nothing here logs a URL, httpx's own logger is
raised to WARNING, and a filter scrubs the token from any log line that carries it.
"""

from bot.platforms.zalo.adapter import ZaloAdapter

__all__ = ["ZaloAdapter"]
