"""Platform adapters: the only code that knows Telegram's or Zalo's API and its errors.

Each is a package (`telegram/`, `zalo/`) on one shared base (`base.py`); the composition
root (`bot.app`) builds them, their delivery workers and limiters, and reads their
capabilities (buttons, chat access, message editor) rather than their names.
"""
