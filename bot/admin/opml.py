"""OPML, the format every feed reader speaks: the newsroom's feeds out and in."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from bot.core.records import Feed
from bot.core.settings import FeedConfig

# Our own attributes ride along on each outline; other readers ignore them.
NS = "https://bantin.vn/opml"


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    feed: FeedConfig
    paused: bool = False


def export_opml(feeds: list[Feed], title: str = "Bantin") -> str:
    ET.register_namespace("bantin", NS)
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    body = ET.SubElement(root, "body")
    for feed in feeds:
        outline = ET.SubElement(
            body,
            "outline",
            type="rss",
            text=feed.name,
            title=feed.name,
            xmlUrl=feed.url,
        )
        if feed.section:
            outline.set("category", feed.section)
        if feed.kind != "rss":
            outline.set(f"{{{NS}}}kind", feed.kind)
            for key in ("item", "link", "title"):
                value = feed.selectors.get(key)
                if value:
                    outline.set(f"{{{NS}}}{key}", value)
        if feed.paused:
            outline.set(f"{{{NS}}}paused", "true")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


class OpmlError(ValueError):
    """The file is not OPML we can read; the message says where."""


def parse_opml(text: str) -> list[OpmlFeed]:
    """Every outline with an xmlUrl, at any depth (readers nest them in folders)."""
    if "<!DOCTYPE" in text[:2000] or "<!ENTITY" in text:
        raise OpmlError("tệp OPML có DOCTYPE/ENTITY: không đọc")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise OpmlError(f"không phải XML hợp lệ: {exc}") from None
    if root.tag != "opml":
        raise OpmlError(f"thẻ gốc là <{root.tag}>, không phải <opml>")
    feeds: list[OpmlFeed] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if not url:
            continue
        name = (outline.get("title") or outline.get("text") or url).strip()
        kind = outline.get(f"{{{NS}}}kind", "rss")
        feeds.append(
            OpmlFeed(
                FeedConfig(
                    name=name,
                    url=url,
                    kind=kind if kind in ("rss", "html") else "rss",
                    section=outline.get("category") or None,
                    item=outline.get(f"{{{NS}}}item"),
                    link=outline.get(f"{{{NS}}}link") or "a",
                    title=outline.get(f"{{{NS}}}title"),
                ),
                paused=outline.get(f"{{{NS}}}paused") == "true",
            )
        )
    return feeds
