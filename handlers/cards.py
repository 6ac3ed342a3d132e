"""How a story looks in a chat: the push card, the digest, an admin's broadcast.

The same card serves a push, /latest, a deep link and an inline result, so a reader sees a
story one way wherever it comes from. Fields are cleaned here (control characters out,
links http(s) only); escaping for a parse mode is the adapter's job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.core.records import Article
from bot.core.replies import Button, Reply, Span, safe_url
from bot.core.text import normalize
from handlers.i18n import t

FALLBACK_TIMEZONE = "Asia/Ho_Chi_Minh"
DIGEST_MAX_LINES = 40
# C0/C1 controls except tab and newline, and the bidi overrides that can disguise a link.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean(text: str | None) -> str:
    """Text as it may reach a chat: NFC, no control characters, no runs of blank lines."""
    if not text:
        return ""
    text = _CONTROL.sub("", normalize(text).replace("\r\n", "\n").replace("\r", "\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def zone(timezone: str) -> ZoneInfo:
    """The newsroom's zone; a misconfigured name falls back to Vietnam rather than UTC."""
    try:
        return ZoneInfo(timezone)
    except (ValueError, OSError, KeyError):
        return ZoneInfo(FALLBACK_TIMEZONE)


def local_time(timestamp: float, timezone: str, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A Unix time as the reader's wall clock shows it, e.g. "26/11/2026 21:22"."""
    try:
        return datetime.fromtimestamp(timestamp, zone(timezone)).strftime(fmt)
    except (OverflowError, OSError, ValueError):
        return ""


def source_name(article: Article) -> str:
    """The feed's name, else the site's host: a reader wants to know who wrote it."""
    if article.feed_name:
        return clean(article.feed_name)
    try:
        return urlsplit(article.url).hostname or ""
    except ValueError:
        return ""


def _title(article: Article) -> str:
    return clean(article.title) or source_name(article) or "…"


def article_card(
    article: Article,
    language: str,
    bot_username: str | None,
    timezone: str,
    *,
    alert: str | None = None,
    breaking: bool = False,
) -> Reply:
    """The story card: bold title, summary, source and local time, photo, two buttons.

    `bot_username` is accepted so every caller passes what a deep link needs; the share
    button carries `a_<id>`, which both the inline query and `/start a_<id>` understand.
    A pushed card names the reader's alert it answers (`alert`), or says it is breaking.
    """
    del bot_username  # the share payload is platform-neutral; adapters build links from it
    body: list[Span] = []
    if breaking:
        body += [Span(t(language, "card.breaking"), bold=True), Span("\n")]
    if alert:
        body.append(Span(t(language, "card.alert", words=clean(alert)) + "\n"))
    body.append(Span(_title(article), bold=True))
    summary = clean(article.summary) or clean(article.lead)
    if summary:
        body.append(Span("\n\n" + summary))
    footer = " · ".join(
        part for part in (source_name(article), local_time(article.time, timezone)) if part
    )
    if footer:
        body.append(Span("\n\n" + footer))
    url = safe_url(article.url)
    row: list[Button] = []
    if url:
        row.append(Button(t(language, "card.read_more"), url=url))
    row.append(Button(t(language, "card.share"), share=f"a_{article.id}"))
    return Reply(
        body=tuple(body),
        buttons=(tuple(row),),
        photo=safe_url(article.image),
        preview_url=url,
    )


def digest_reply(articles: Sequence[Article], language: str, timezone: str) -> Reply:
    """A daily digest: one line per story (bold linked title, time), newest first."""
    date = local_time(articles[0].time if articles else _now(), timezone, "%d/%m/%Y")
    body: list[Span] = [Span(t(language, "digest.title", date=date), bold=True)]
    if not articles:
        body.append(Span("\n" + t(language, "digest.empty")))
        return Reply(body=tuple(body))
    for article in articles[:DIGEST_MAX_LINES]:
        body.append(Span("\n• "))
        body.append(Span(_title(article), bold=True, url=safe_url(article.url)))
        when = local_time(article.time, timezone, "%H:%M %d/%m")
        if when:
            body.append(Span(f" — {when}"))
    hidden = len(articles) - DIGEST_MAX_LINES
    if hidden > 0:
        body.append(Span("\n" + t(language, "digest.more", count=hidden)))
    return Reply(body=tuple(body))


def broadcast_reply(text: str) -> Reply:
    """An admin's announcement, as plain text (no markup is taken from it)."""
    return Reply(body=(Span(clean(text)),))


def _now() -> float:
    return datetime.now().timestamp()
