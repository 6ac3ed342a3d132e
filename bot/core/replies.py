"""The platform-neutral language between chat platforms and what the bot says.

A platform adapter turns an update into a `Request`, calls the handlers, and renders each
`Reply` for its platform: Telegram as HTML (escaped there, and only there), Zalo as plain
text with links written out. Handlers never see a platform library.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

GROUP_KINDS = frozenset({"group", "supergroup", "channel"})
_URL_FORBIDDEN = frozenset(' \t\r\n"<>\\`')


def safe_url(url: str | None) -> str | None:
    """The URL if a reader may be sent to it (absolute http or https), else None.

    Every link in a Reply goes through here: a story's `javascript:` or `file:` link, or
    one with spaces or control characters, is dropped rather than rendered.
    """
    if not url or len(url) > 2048:
        return None
    url = url.strip()
    if any(ch in _URL_FORBIDDEN or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return url


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text; `bold` and `url` are the only markup a reply may carry."""

    text: str
    bold: bool = False
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Button:
    """Exactly one of url, callback (data sent back to us), share (opens inline sharing)."""

    text: str
    url: str | None = None
    callback: str | None = None
    share: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    body: tuple[Span, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo: str | None = None
    preview_url: str | None = None
    edit: bool = False
    notice: str | None = None
    # A direct video file sent as the message (the body its caption), or an album's photos.
    video: str | None = None
    photos: tuple[str, ...] = ()
    silent: bool = False  # arrives without a sound (Telegram's disable_notification)
    # The feeds of the stories it carries: a forum chat's routes pick its topic by them.
    feed_ids: tuple[int, ...] = ()
    paid: bool = False  # Telegram's allow_paid_broadcast (bot/delivery/paid.py); Zalo: none

    @property
    def plain(self) -> str:
        return "".join(span.text for span in self.body)


@dataclass(frozen=True, slots=True)
class Request:
    """Who wrote what, where. `command` is lower-case, without "/" or "@botname"."""

    platform: str
    chat_id: str
    chat_kind: str = "private"
    chat_title: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    user_language: str | None = None
    text: str = ""
    command: str | None = None
    args: tuple[str, ...] = ()
    callback: str | None = None
    is_chat_admin: bool = False
    bot_username: str | None = None
    # True when `text` is an inline query (Telegram's "@bot words"), answered with cards.
    inline: bool = False
    # The platform shows a reply's buttons (Telegram); without them (Zalo) links are written
    # out, hints name typed words and a search remembers its page for «xem thêm».
    buttons: bool = True
    # The forum topic (Telegram's message_thread_id) the message was written in; None for
    # a chat without topics or its General topic. Replies go back there.
    thread_id: int | None = None

    @property
    def is_group(self) -> bool:
        """Groups and channels are shared: commands only, and admins decide for everyone."""
        return self.chat_kind in GROUP_KINDS
