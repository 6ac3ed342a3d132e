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
from bot.core.settings import CardConfig
from bot.core.text import fold, normalize, split_sentences
from handlers.i18n import t

FALLBACK_TIMEZONE = "Asia/Ho_Chi_Minh"
DIGEST_MAX_LINES = 40
# C0/C1 controls except tab and newline, and the bidi overrides that can disguise a link.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BLANK_LINES = re.compile(r"\n{3,}")
# A newsroom's dateline before the first sentence: "(Lamdongtv.vn) - ", "TTO - ", "(LĐ) –".
_DATELINE = re.compile(
    r"^\s*(?:\([^()\n]{1,40}\)|[A-ZĐ][A-ZĐ0-9.]{1,14})\s*(?:[-–—]+|:)\s*", re.UNICODE
)
CARD = CardConfig()
ALBUM_MAX = 10
DIRECT_VIDEO = (".mp4", ".m4v", ".mov")


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


def strip_dateline(text: str) -> str:
    """ "(Lamdongtv.vn) - Sáng nay…" → "Sáng nay…": the reader knows the source already."""
    stripped = _DATELINE.sub("", text, count=1)
    return stripped if len(stripped) >= 3 else text


def card_summary(article: Article, limit: int) -> str:
    """Two or three whole sentences within about `limit` characters, none repeating the
    title or an earlier sentence; a first sentence over the limit is cut at a word."""
    text = strip_dateline(clean(article.summary) or clean(article.lead))
    seen = {fold(clean(article.title)).strip(" .")}
    chosen: list[str] = []
    size = 0
    for sentence in split_sentences(text):
        key = fold(sentence).strip(" .")
        if not key or key in seen:
            continue
        seen.add(key)
        if chosen and (size + 1 + len(sentence) > limit or len(chosen) == 3):
            break
        chosen.append(sentence)
        size += len(sentence) + (1 if size else 0)
    out = " ".join(chosen)
    if len(out) > limit:
        cut = out[:limit].rsplit(" ", 1)[0].rstrip(",;:-–— ")
        out = cut + "…"
    return out


def when(timestamp: float, timezone: str, language: str, now: float | None = None) -> str:
    """ "22:15 hôm nay", "hôm qua 08:30", "26/11 08:30", "26/11/2025 08:30"."""
    tz = zone(timezone)
    try:
        moment = datetime.fromtimestamp(timestamp, tz)
        today = datetime.fromtimestamp(now if now is not None else _now(), tz).date()
    except (OverflowError, OSError, ValueError):
        return ""
    clock = moment.strftime("%H:%M")
    days = (today - moment.date()).days
    if days == 0:
        return t(language, "time.today", clock=clock)
    if days == 1:
        return t(language, "time.yesterday", clock=clock)
    if moment.year == today.year:
        return moment.strftime("%d/%m ") + clock
    return moment.strftime("%d/%m/%Y ") + clock


def is_direct_video(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(DIRECT_VIDEO)


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
    card: CardConfig = CARD,
    *,
    now: float | None = None,
    alert: str | None = None,
    breaking: bool = False,
) -> Reply:
    """The story card: bold title, a short summary, source and time, photo or video, buttons.

    `card` is `[card]`: what a push shows, the same on every platform. `bot_username` is
    accepted so every caller passes what a deep link needs; the share button carries
    `a_<id>`, which both the inline query and `/start a_<id>` understand. A pushed card
    names the reader's alert it answers (`alert`), or says it is breaking.
    """
    del bot_username  # the share payload is platform-neutral; adapters build links from it
    body: list[Span] = []
    if breaking:
        body += [Span(t(language, "card.breaking"), bold=True), Span("\n")]
    if alert:
        body.append(Span(t(language, "card.alert", words=clean(alert)) + "\n"))
    body.append(Span(_title(article), bold=True))
    summary = card_summary(article, card.summary_chars)
    if summary:
        body.append(Span("\n\n" + summary))
    footer = " · ".join(
        part
        for part in (
            source_name(article) if card.source else "",
            when(article.time, timezone, language, now) if card.time else "",
        )
        if part
    )
    if footer:
        body.append(Span("\n\n" + footer))
    url = safe_url(article.url)
    video = safe_url(article.video)
    direct = video if video and is_direct_video(video) else None
    embed = video if video and not direct else None
    rows: list[tuple[Button, ...]] = []
    if video:
        # For a direct file too: where the file cannot be sent, the button still plays it.
        rows.append((Button(t(language, "card.watch"), url=video),))
    row: list[Button] = []
    if url:
        row.append(Button(t(language, "card.read_more"), url=url))
    row.append(Button(t(language, "card.share"), share=f"a_{article.id}"))
    rows.append(tuple(row))
    photo = safe_url(article.image) if card.image else None
    photos: tuple[str, ...] = ()
    if card.image and card.album:
        listed = [u for u in (photo, *article.images) if u]
        unique = [u for u in dict.fromkeys(safe_url(u) for u in listed) if u]
        if len(unique) > 1:
            photos = tuple(unique[:ALBUM_MAX])
    return Reply(
        body=tuple(body),
        buttons=tuple(rows),
        photo=photo,
        preview_url=embed or (None if photos else url),
        video=direct,
        photos=photos,
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
