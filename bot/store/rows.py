"""Rows of the store (either backend) mapped to the core records."""

from __future__ import annotations

import json
from typing import Any

from bot.core.records import Article, Chat, Feed
from bot.store.db import Row


def feed_from_row(row: Row) -> Feed:
    return Feed(
        id=row["id"],
        name=row["name"],
        url=row["url"],
        kind=row["kind"],
        section=row["section"],
        selectors=json.loads(row["selectors"] or "{}"),
        origin=row["origin"],
        paused=bool(row["paused"]),
        primed=bool(row["primed"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        failures=row["failures"],
        last_error=row["last_error"],
        failing_since=row["failing_since"],
        alerted=bool(row["alerted"]),
        last_success_at=row["last_success_at"],
        next_check_at=row["next_check_at"],
        priority=row["priority"],
    )


def article_from_row(row: Row) -> Article:
    return Article(
        id=row["id"],
        key=row["key"],
        feed_id=row["feed_id"],
        feed_name=row["feed_name"],
        url=row["url"],
        title=row["title"],
        lead=row["lead"],
        body=row["body"],
        summary=row["summary"],
        image=row["image"],
        section=row["section"],
        published_at=row["published_at"],
        fetched_at=row["fetched_at"],
        **media_of(row),
    )


def media_of(row: Row) -> dict[str, Any]:
    """The story's video and photos, from the `media` column (JSON; NULL for none)."""
    try:
        raw = row["media"]
    except (IndexError, KeyError):
        return {}
    if not raw:
        return {}
    try:
        media = json.loads(raw)
    except ValueError:
        return {}
    video = media.get("video") if isinstance(media, dict) else None
    images = media.get("images") if isinstance(media, dict) else None
    return {
        "video": video if isinstance(video, str) else None,
        "images": tuple(i for i in images if isinstance(i, str))
        if isinstance(images, list)
        else (),
    }


def media_json(video: str | None, images: tuple[str, ...]) -> str | None:
    if not video and not images:
        return None
    return json.dumps({"video": video, "images": list(images)}, ensure_ascii=False)


def chat_from_row(row: Row) -> Chat:
    return Chat(
        id=row["id"],
        platform=row["platform"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        title=row["title"],
        language=row["language"],
        active=bool(row["active"]),
        is_channel=bool(row["is_channel"]),
        mode=row["mode"],
        digest_hour=row["digest_hour"],
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        inactive_reason=row["inactive_reason"],
        receive=row["receive"],
        quiet_style=row["quiet_style"],
    )
