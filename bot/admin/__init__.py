"""Running the newsroom: operations shared by the admin chat commands and the CLI."""

from __future__ import annotations

from bot.admin.access import CachedChatAccess, Caller, ChatDirectory, ChatInfo
from bot.admin.ops import AdminOps, Outcome
from bot.core.ports import ChatAccess, MessageEditor

__all__ = [
    "AdminOps",
    "CachedChatAccess",
    "Caller",
    "ChatAccess",
    "ChatDirectory",
    "ChatInfo",
    "MessageEditor",
    "Outcome",
]
