"""The editors' side of review before push: the preview card and the summary an editor types.

The preview is the reader's card, unchanged, with one more row of buttons ("✅ Đăng",
"✏️ Sửa tóm tắt", "🗑 Bỏ"); the buttons carry "adm:rv:…" so the admin room (and its
admins-only check) handles them like every admin button.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.records import Article, Caller
from bot.core.replies import Button, Reply, Request
from bot.core.review import ReviewItem
from bot.core.settings import CardConfig
from handlers.base import Context
from handlers.cards import CARD, article_card
from handlers.i18n import t

CALLBACK = "adm:rv:"


def review_buttons(article_id: int, language: str) -> tuple[Button, ...]:
    return (
        Button(t(language, "review.publish"), callback=f"{CALLBACK}ok:{article_id}"),
        Button(t(language, "review.edit"), callback=f"{CALLBACK}edit:{article_id}"),
        Button(t(language, "review.drop"), callback=f"{CALLBACK}drop:{article_id}"),
    )


def preview_card(
    article: Article,
    item: ReviewItem | None,
    language: str,
    timezone: str,
    card: CardConfig = CARD,
) -> Reply:
    """The card as readers would get it (with the editor's summary, if any), plus the desk."""
    if item is not None and item.summary is not None:
        article = replace(article, summary=item.summary)
    reader = article_card(article, language, None, timezone, card)
    return replace(reader, buttons=(*reader.buttons, review_buttons(article.id, language)))


async def preview_of(article_id: int, ctx: Context, language: str) -> Reply | None:
    article = await ctx.store.articles.get(article_id)
    if article is None:
        return None
    item = await ctx.store.review.get(article_id)
    return preview_card(article, item, language, ctx.timezone, ctx.card)


async def take_edit(request: Request, ctx: Context) -> list[Reply] | None:
    """An admin's message that is the summary they were asked for; None when it is not."""
    if ctx.admin is None or request.user_id is None or not ctx.is_admin(request):
        return None
    article_id = await ctx.store.review.take_edit(
        request.platform, request.chat_id, request.user_id
    )
    if article_id is None:
        return None
    from handlers.admin import admin_reply  # admin imports this module for its buttons

    caller = Caller.chat(request.platform, request.user_id, request.user_name)
    answer = await ctx.admin.review.edit(caller, str(article_id), request.text)
    replies = [admin_reply(answer)]
    if answer.ok:
        preview = await preview_of(article_id, ctx, ctx.default_language)
        if preview is not None:
            replies.append(preview)
    return replies
