"""The Telegram adapter: the only package that knows python-telegram-bot and Telegram's errors.

render (Reply → HTML and keyboards), errors (PTB errors → outcomes), send (the Messenger),
access (rights, lookups and edits for the admin room), intake (updates → handlers),
adapter (the Application, started and stopped by the composition root).
"""

from bot.platforms.telegram.access import make_chat_access
from bot.platforms.telegram.adapter import TelegramAdapter

__all__ = ["TelegramAdapter", "make_chat_access"]
