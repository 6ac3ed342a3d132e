"""The stories page: the review queue with the desk's three actions, then the latest stories
with how their pushes went (sent / pending / failed)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.dashboard import StoryCounts
from bot.core.records import Article
from bot.core.replies import safe_url
from bot.core.review import ReviewItem
from bot.dashboard.pages import View, e, layout


def _link(title: str, url: str) -> str:
    safe = safe_url(url)
    if safe is None:
        return e(title)
    return f'<a href="{e(safe)}" rel="noreferrer">{e(title)}</a>'


def _waiting_card(view: View, item: ReviewItem, article: Article | None) -> str:
    number = item.article_id
    summary = item.summary if item.summary is not None else (article.summary if article else "")
    edited = f" · {e(view.t('stories.edited'))}" if item.summary is not None else ""
    title = _link(item.title, article.url) if article else e(item.title)
    feed = f"{e(article.feed_name)} · " if article and article.feed_name else ""
    edit_form = (
        f"<details><summary>{e(view.t('action.edit'))}</summary>"
        f'<form method="post" action="{view.url(f"/stories/{number}/edit")}">'
        f'<input type="hidden" name="csrf" value="{e(view.csrf)}">'
        f'<textarea name="summary" maxlength="1000">{e(summary)}</textarea>'
        f'<button id="save-{number}">{e(view.t("action.edit"))}</button></form></details>'
    )
    actions = (
        view.form(f"/stories/{number}/publish", view.t("action.publish"), css="go")
        + view.form(f"/stories/{number}/drop", view.t("action.drop"))
        + edit_form
    )
    return (
        f'<div class="card waiting" id="waiting-{number}"><b>#{number} {title}</b>'
        f'<div class="muted">{feed}{e(view.t("stories.since", time=view.clock(item.created_at)))}'
        f"{edited}</div>"
        f'<p class="summary">{e(summary)}</p><div class="actions">{actions}</div></div>'
    )


def stories_page(
    view: View,
    waiting: Sequence[tuple[ReviewItem, Article | None]],
    latest: Sequence[StoryCounts],
    *,
    review_on: bool,
) -> str:
    parts = [f"<h2>{e(view.t('stories.waiting'))} ({len(waiting)})</h2>"]
    if not review_on:
        parts.append(f'<p class="muted">{e(view.t("stories.review_off"))}</p>')
    if waiting:
        parts.extend(_waiting_card(view, item, article) for item, article in waiting)
    else:
        parts.append(f'<p id="none-waiting">{e(view.t("stories.none_waiting"))}</p>')
    head = "".join(
        f"<th{' class=n' if k in ('col.sent', 'col.pending', 'col.failed') else ''}>"
        f"{e(view.t(k))}</th>"
        for k in ("col.story", "col.feed", "col.time", "col.sent", "col.pending", "col.failed")
    )
    rows = []
    for story in latest:
        review = ""
        if story.review:
            review = f' <span class="muted">({e(view.t("review." + story.review))})</span>'
        rows.append(
            f'<tr id="story-{story.article_id}"><td>#{story.article_id} '
            f"{_link(story.title, story.url)}{review}</td>"
            f"<td>{e(story.feed_name or '—')}</td><td>{e(view.clock(story.time))}</td>"
            f'<td class="n sent">{story.sent}</td><td class="n pending">{story.pending}</td>'
            f'<td class="n failed{" bad" if story.failed else ""}">{story.failed}</td></tr>'
        )
    parts.append(f"<h2>{e(view.t('stories.latest'))}</h2>")
    parts.append(f'<div class="scroll"><table><tr>{head}</tr>{"".join(rows)}</table></div>')
    return layout(view, view.t("nav.stories"), "".join(parts))
