"""What the application needs of a chat platform; each adapter in this folder provides it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from handlers.base import Context


class Platform(Protocol):
    """A running connection to Telegram or Zalo: chat updates in, the delivery worker out."""

    name: str
    context: Context  # what its handlers see: store, admins, the admin room's operations

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def notify_admins(self, text: str) -> None: ...
