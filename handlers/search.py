"""`/search`: past stories, five a page, matched words in bold, pages that edit in place.

    /search sạt lở đèo prenn       words, with or without diacritics
    /search 7d sạt lở              only the last 7 days (24h, 2w, 3m, "30 ngày")
    /search sạt lở feed:lamdong    one feed
    /search sạt lở trang 2         a page (how Zalo, which has no buttons, turns pages)

Callback data (Telegram allows 64 bytes): "search:<page>:<query>", or
"search:<page>:#<n>" with the query kept by the store when it is too long, and
"search:a:<article id>" to open a story as its full card. Telegram inline mode asks
`inline_results`: one card per story, the same `Reply` a push or /latest shows.

Replies speak the reader's language (handlers/i18n.py): the chat's stored language, else
the user's own, else the newsroom's default.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.matching import snippet
from bot.core.query import ParsedQuery, parse_query
from bot.core.records import SearchTimedOut
from bot.core.replies import Button, Reply, Request, Span
from handlers.base import Context
from handlers.cards import strip_dateline
from handlers.cards import when as relative_time
from handlers.i18n import LANGUAGES, resolve_language, t

if TYPE_CHECKING:
    from bot.core.records import Article, SearchPage

PAGE_SIZE = 5
# A reader's query is capped before it reaches the store: a pasted page of text would
# cost seconds of database time for an answer nobody wants. (Telegram caps inline
# queries at 256 characters too.)
MAX_QUERY_CHARS = 256
MAX_QUERY_WORDS = 20
INLINE_LIMIT = 10
CALLBACK_LIMIT = 64
PREFIX = "search"
# Numbers in callback data and "a_<id>": ASCII digits only. str.isdigit() is true for "²"
# or "①", which int() refuses; the length keeps ids and pages inside SQLite's integers.
_NUMBER = re.compile(r"[0-9]{1,12}")


def _number(text: str) -> int | None:
    """ "12" → 12; anything else ("", "²", "-1", "1e3", 13 digits) → None."""
    return int(text) if _NUMBER.fullmatch(text) else None


async def _reader_language(request: Request, ctx: Context) -> str:
    """The chat's stored language, else the user's (one we speak), else the default.

    Read only: searching, or typing "@bot …" in another chat, does not make a chat known.
    """
    chat = await ctx.store.chats.get(request.platform, request.chat_id)
    if chat is not None and chat.language:
        return resolve_language(chat.language)
    code = (request.user_language or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in LANGUAGES else resolve_language(ctx.default_language)


def too_long(text: str) -> bool:
    return len(text) > MAX_QUERY_CHARS or len(text.split()) > MAX_QUERY_WORDS


def _too_long_reply(language: str) -> Reply:
    said = t(language, "search.too_long", words=MAX_QUERY_WORDS, chars=MAX_QUERY_CHARS)
    return Reply((Span(said),))


def _how_to(language: str, *, edit: bool = False) -> Reply:
    return Reply((Span(t(language, "search.how_to")),), edit=edit)


async def search_command(request: Request, ctx: Context) -> list[Reply]:
    """`/search QUERY`, a page button ("search:<page>:…"), or a story ("search:a:<id>")."""
    language = await _reader_language(request, ctx)
    if request.callback and request.callback.startswith(PREFIX + ":"):
        return await _callback(request, ctx, request.callback[len(PREFIX) + 1 :], language)
    text = " ".join(request.args).strip() if request.args else _after_command(request.text)
    if not text:
        return [_how_to(language)]
    if too_long(text):
        return [_too_long_reply(language)]
    parsed = parse_query(text)
    page = parsed.page or 1
    query = _without_page(text)
    return [await _page_reply(request, ctx, query, parsed, page, language, edit=False)]


async def handle_callback(request: Request, ctx: Context) -> list[Reply] | None:
    """The router's hook for button presses: ours start with "search:", others are None."""
    if request.callback and request.callback.startswith(PREFIX + ":"):
        return await search_command(request, ctx)
    return None


async def more_command(request: Request, ctx: Context) -> list[Reply]:
    """Zalo's «xem thêm»: the next page of this chat's last search."""
    store = ctx.store
    language = await _reader_language(request, ctx)
    last = await store.search.last_search(request.platform, request.chat_id)
    if last is None:
        return [_how_to(language)]
    query, page = last
    return [
        await _page_reply(request, ctx, query, parse_query(query), page + 1, language, edit=False)
    ]


async def inline_results(request: Request, ctx: Context) -> list[Reply]:
    """Telegram inline mode: stories for `@bot query`, each as the card it will post.

    Empty query: the latest stories. "a_<id>": that story (the "Chia sẻ" button and
    `?start=a_<id>` links preselect it). The adapter makes each card an inline result:
    the card's bold title is the result's title, the rest its description.
    """
    store = ctx.store
    language = await _reader_language(request, ctx)
    query = request.text.strip()
    articles: list[Article]
    if too_long(query):
        return []
    if not query:
        articles = await store.articles.latest(INLINE_LIMIT)
    elif (article_id := _article_ref(query)) is not None:
        found = await store.articles.get(article_id)
        articles = [found] if found else []
    else:
        try:
            page = await store.search.search_page(query, limit=INLINE_LIMIT)
        except SearchTimedOut:
            return []
        articles = [hit.article for hit in page.hits]
    return [_card(article, ctx, language, request.bot_username) for article in articles]


# --- callbacks --------------------------------------------------------------------------


async def _callback(request: Request, ctx: Context, data: str, language: str) -> list[Reply]:
    head, _, rest = data.partition(":")
    store = ctx.store
    if head == "a":
        article_id = _number(rest)
        article = await store.articles.get(article_id) if article_id is not None else None
        if article is None:
            gone = t(language, "search.story_gone")
            return [Reply((Span(gone),), notice=gone)]
        return [_card(article, ctx, language, request.bot_username)]
    page = _number(head)
    if page is None:
        return [_how_to(language, edit=True)]
    query: str | None = rest
    kept = _number(rest[1:]) if rest.startswith("#") else None
    if kept is not None:
        query = await store.search.recall_query(kept)
    if not query:
        return [Reply((Span(t(language, "search.expired")),), edit=True)]
    parsed = parse_query(query)
    return [await _page_reply(request, ctx, query, parsed, max(1, page), language, edit=True)]


# --- one page ---------------------------------------------------------------------------


def search_header(parsed: ParsedQuery, query: str, page: int, language: str) -> str:
    """ "🔎 “sạt lở” · 7 ngày qua · trang 1": the words, then the time filter, apart."""
    words = parsed.text or query
    filters = [
        f"{name}:{value}"
        for name, value in (("feed", parsed.feed), ("section", parsed.section))
        if value
    ]
    if filters:
        words = " ".join([words, *filters])
    window = parsed.window_seconds
    if window is None:
        return t(language, "search.header", query=words, page=page)
    if window % 86_400 == 0:
        shown = t(language, "search.window_days", count=int(window // 86_400))
    else:
        shown = t(language, "search.window_hours", count=max(1, round(window / 3600)))
    return t(language, "search.header_window", query=words, window=shown, page=page)


async def _page_reply(
    request: Request,
    ctx: Context,
    query: str,
    parsed: ParsedQuery,
    page: int,
    language: str,
    *,
    edit: bool,
) -> Reply:
    store = ctx.store
    try:
        result: SearchPage = await store.search.search_page(
            parsed, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    except SearchTimedOut:
        return Reply((Span(t(language, "search.too_slow")),), edit=edit)
    if not request.buttons and result.hits:
        await store.search.remember_last(request.platform, request.chat_id, query, page)
    if not result.hits:
        return Reply(_nothing(parsed, page, language), edit=edit)
    zone = ZoneInfo(ctx.timezone)
    written_out = not request.buttons
    spans: list[Span] = [Span(search_header(parsed, query, page, language) + "\n")]
    rows: list[tuple[Button, ...]] = []
    first = (page - 1) * PAGE_SIZE + 1
    for n, hit in enumerate(result.hits, start=first):
        article = hit.article
        spans.append(Span(f"\n{n}. "))
        spans.append(Span(article.title, bold=True, url=_http(article.url)))
        if written_out and _http(article.url):
            spans.append(Span(f"\n{article.url}"))
        when = relative_time(article.time, ctx.timezone, language) or datetime.fromtimestamp(
            article.time, zone
        ).strftime("%d/%m/%Y %H:%M")
        source = f" · {article.feed_name}" if article.feed_name else ""
        spans.append(Span(f"\n{when}{source}\n"))
        texts = [strip_dateline(article.lead), article.body]
        for text, bold in snippet(texts, result.query.found_as or parsed.terms):
            spans.append(Span(text, bold=bold))
        spans.append(Span("\n"))
        rows.append(
            (
                Button(f"{n}. {_short(article.title)}", callback=f"{PREFIX}:a:{article.id}"),
                Button(t(language, "card.share"), share=f"a_{article.id}"),
            )
        )
    if written_out:
        hints = []
        if page > 1:
            hints.append(t(language, "search.page_command", query=query, page=page - 1))
        if result.has_more:
            hints.append(t(language, "search.page_command", query=query, page=page + 1))
        if hints:
            spans.append(Span("\n" + t(language, "search.other_pages", pages=" · ".join(hints))))
            if result.has_more:
                spans.append(Span(t(language, "search.or_more")))
        return Reply(tuple(_merge(spans)), edit=False)
    nav: list[Button] = []
    if page > 1:
        previous = await _page_data(ctx, page - 1, query)
        nav.append(Button(t(language, "search.previous"), callback=previous))
    if result.has_more:
        following = await _page_data(ctx, page + 1, query)
        nav.append(Button(t(language, "search.next"), callback=following))
    if nav:
        rows.append(tuple(nav))
    return Reply(tuple(_merge(spans)), buttons=tuple(rows), edit=edit)


async def _page_data(ctx: Context, page: int, query: str) -> str:
    data = f"{PREFIX}:{page}:{query}"
    if len(data.encode("utf-8")) <= CALLBACK_LIMIT:
        return data
    query_id = await ctx.store.search.remember_query(query)
    return f"{PREFIX}:{page}:#{query_id}"


def _nothing(parsed: ParsedQuery, page: int, language: str) -> tuple[Span, ...]:
    if page > 1:
        return (Span(t(language, "search.no_more")),)
    words = parsed.text or parsed.raw
    tips = []
    if parsed.marked:
        tips.append(t(language, "search.tip_folded", folded=parsed.folded_text))
    if len(parsed.terms) > 1:
        tips.append(t(language, "search.tip_fewer"))
    if parsed.window_seconds is not None:
        tips.append(t(language, "search.tip_no_window"))
    if tips:
        tip = t(language, "search.try", tips=f" {t(language, 'search.tip_or')} ".join(tips))
    else:
        tip = t(language, "search.try_other")
    return (Span(f"{t(language, 'search.none', query=words)} {tip}"),)


# --- helpers ----------------------------------------------------------------------------


def _card(article: Article, ctx: Context, language: str, bot_username: str | None) -> Reply:
    """The story's full card (handlers.cards, imported late: another room)."""
    from handlers.cards import article_card

    return article_card(article, language, bot_username, ctx.timezone, ctx.card)


def _article_ref(query: str) -> int | None:
    return _number(query[2:]) if query.startswith("a_") else None


def _http(url: str) -> str | None:
    return url if url.startswith(("http://", "https://")) else None


def _short(title: str, width: int = 28) -> str:
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


def _after_command(text: str) -> str:
    """ "/search@bot words" → "words"."""
    text = text.strip()
    if text.startswith("/"):
        _, _, text = text.partition(" ")
    return text.strip()


def _without_page(text: str) -> str:
    words = text.split()
    if len(words) >= 2 and words[-2].lower() in ("trang", "page") and words[-1].isdigit():
        words = words[:-2]
    return " ".join(words)


def _merge(spans: list[Span]) -> list[Span]:
    """Neighbouring plain spans become one."""
    out: list[Span] = []
    for span in spans:
        if out and not span.bold and not span.url and not out[-1].bold and not out[-1].url:
            out[-1] = Span(out[-1].text + span.text)
        elif span.text:
            out.append(span)
    return out
