"""A story page's video and photos, for a card that shows them.

A broadcaster's story often is a video: `og:video`, a `<video>` (or its `<source>`), a
JSON-LD VideoObject, or an embedded YouTube or Facebook player. A direct file (MP4) can
be sent as the message itself; a player is linked as its watch page. Photos are the
story's own (inside the article, figures, big enough), in page order, for an album.
Pure: the page is read as it came, before the extractor drops scripts and players.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from lxml.html import HtmlElement

from feeds.htmltools import absolute_url, decode_html, image_url, parse_document

MAX_IMAGES = 10
DIRECT_SUFFIXES = (".mp4", ".m4v", ".mov")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_SKIP_IMAGE = re.compile(
    r"logo|icon|avatar|banner|sprite|(?<![a-z])qc[-_]|quang-?cao|(?<![a-z])ads?[-_/]", re.I
)
_VIDEO_TAGS = ("og:video:secure_url", "og:video:url", "og:video", "twitter:player:stream")
_PLAYER_TAGS = ("twitter:player",)


@dataclass(frozen=True, slots=True)
class PageMedia:
    video: str | None = None
    images: tuple[str, ...] = ()


def is_direct(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(DIRECT_SUFFIXES)


def watch_url(url: str) -> str | None:
    """An embedded player's own page: YouTube's watch page, the Facebook video itself."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parts.path
    if host in ("youtube.com", "youtube-nocookie.com") and path.startswith(("/embed/", "/v/")):
        video_id = path.split("/")[2] if len(path.split("/")) > 2 else ""
        return (
            f"https://www.youtube.com/watch?v={video_id}" if _YOUTUBE_ID.match(video_id) else None
        )
    if host == "youtube.com" and path == "/watch":
        return url
    if host == "youtu.be":
        video_id = path.strip("/")
        return (
            f"https://www.youtube.com/watch?v={video_id}" if _YOUTUBE_ID.match(video_id) else None
        )
    if host == "facebook.com" and path.startswith("/plugins/video.php"):
        href = parse_qs(parts.query).get("href", [""])[0]
        return href if href.startswith("https://") and "facebook.com" in href else None
    if host == "facebook.com" and ("/videos/" in path or path.startswith("/watch")):
        return url
    return None


def _ld_videos(root: HtmlElement) -> list[str]:
    found: list[str] = []
    for el in root.iter("script"):
        if (el.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(el.text or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(found) < 4:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if str(item.get("@type", "")).lower() == "videoobject":
                    for key in ("contentUrl", "embedUrl"):
                        if isinstance(item.get(key), str):
                            found.append(item[key])
                stack.extend(v for v in item.values() if isinstance(v, dict | list))
    return found


def _candidates(root: HtmlElement, base: str) -> list[str]:
    """Every video the page declares, in the order a reader would meet them."""
    tags: dict[str, str] = {}
    for el in root.iter("meta"):
        name = (el.get("property") or el.get("name") or "").strip().lower()
        if name in _VIDEO_TAGS + _PLAYER_TAGS and el.get("content"):
            tags.setdefault(name, el.get("content") or "")
    out = [tags[name] for name in _VIDEO_TAGS + _PLAYER_TAGS if name in tags]
    for video in root.iter("video"):
        out.extend(v for v in (video.get("src"), video.get("data-src")) if v)
        for source in video.iter("source"):
            if source.get("src"):
                out.append(source.get("src") or "")
    out.extend(_ld_videos(root))
    out.extend(frame.get("src") or frame.get("data-src") or "" for frame in root.iter("iframe"))
    resolved = (absolute_url(url, base) for url in out)
    return [url for url in resolved if url]


def find_video(root: HtmlElement, base: str) -> str | None:
    """A direct video file first (it can be sent as the message), else a player's page."""
    candidates = _candidates(root, base)
    for url in candidates:
        if is_direct(url):
            return url
    for url in candidates:
        watch = watch_url(url)
        if watch:
            return watch
    return None


def _too_small(img: HtmlElement) -> bool:
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < 200:
            return True
    return False


def find_images(root: HtmlElement, base: str) -> tuple[str, ...]:
    """The story's own photos: inside <article> or a <figure>, not logos or small icons."""
    scopes = list(root.iter("article")) or [root]
    found: list[str] = []
    for scope in scopes:
        for img in scope.iter("img"):
            in_figure = any(p.tag == "figure" for p in img.iterancestors())
            if scope is root and not in_figure:
                continue
            url = image_url(img, base)
            if not url or _too_small(img) or _SKIP_IMAGE.search(url):
                continue
            if url.lower().split("?")[0].endswith((".gif", ".svg")):
                continue
            if url not in found:
                found.append(url)
            if len(found) >= MAX_IMAGES:
                return tuple(found)
    return tuple(found)


def page_media(html: bytes | str, url: str, *, encoding: str | None = None) -> PageMedia:
    """The page's video and photos; an unreadable page simply has none."""
    try:
        root = parse_document(decode_html(html, encoding))
    except Exception:  # a page the extractor could read but this cannot: no media, no loss
        return PageMedia()
    base = url
    for el in root.iter("base"):
        base = absolute_url(el.get("href"), url) or url
        break
    return PageMedia(video=find_video(root, base), images=find_images(root, base))
