"""A fake Vietnamese news site: a real HTTP server on 127.0.0.1 for pipeline tests.

Article pages are the first user's real page (`seed/lamdongtv-dan-van.html`) with the
story's title, date line, lead, paragraphs and image put in, so the real extractor meets
real chrome. Besides the feed, the listing pages and the stories, the site has the
hostile routes the fetcher must survive (slow, 500, redirect chains, redirects to
private addresses, a 20 MB body, a gzip bomb, a 429, a malformed feed, a windows-1252
feed). Tests can add routes and inject failures; every request is recorded.

    with FakeNewsSite() as site:          # or: async with FakeNewsSite() as site:
        url = site.add_story("lu-quet", "Lũ quét ở Lâm Đồng", "Sáng nay ...", ["..."],
                             published=datetime(2024, 5, 1, 8, 0, tzinfo=VN_TZ))
        ... fetch site.feed_url ...
        assert site.requests_for("/rss/tin-tuc")[-1].headers["if-none-match"]
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qs, quote, urlsplit
from xml.sax.saxutils import escape, quoteattr

import lxml.html

from tests.conftest import SHARED
from tests.fakes.loopback import LoopbackFake

VN_TZ = timezone(timedelta(hours=7), "ICT")
SEED_PAGE = "seed/lamdongtv-dan-van.html"
PRIVATE_REDIRECT_TARGET = "http://10.0.0.1/"
METADATA_REDIRECT_TARGET = "http://169.254.169.254/latest/meta-data/"
BIG_BODY_BYTES = 20 * 1024 * 1024
GZIP_BOMB_BYTES = 64 * 1024 * 1024
_WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
_SECTION_NAMES = {"tin-tuc": "Tin tức", "thoi-su": "Thời sự", "kinh-te": "Kinh tế"}
_CHUNK = 64 * 1024


class SeenRequest(NamedTuple):
    """One request the site answered: unpacks as (method, path, headers)."""

    method: str
    path: str  # path with its query string, as sent
    headers: dict[str, str]  # lower-case names


@dataclass(frozen=True)
class FakeResponse:
    """What a test-defined route answers."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


Route = FakeResponse | Callable[[SeenRequest], FakeResponse]


@dataclass
class Story:
    slug: str
    title: str
    lead: str
    paragraphs: tuple[str, ...]
    published: datetime
    image: str | None
    section: str
    path: str
    url: str
    page: bytes = b""


@functools.cache
def _template(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@functools.cache
def gzip_bomb(size: int = GZIP_BOMB_BYTES) -> bytes:
    """`size` zero bytes, gzipped: about a thousandth of that on the wire. Built once."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    parts = []
    left = size
    while left > 0:
        parts.append(comp.compress(zeros[: min(left, len(zeros))]))
        left -= len(zeros)
    parts.append(comp.flush())
    return b"".join(parts)


def vn_date_line(when: datetime) -> str:
    """The CMS's date line: "Thứ bảy, 25/02/2023 - 08:54" in Vietnam time."""
    local = _aware(when).astimezone(VN_TZ)
    return f"{_WEEKDAYS[local.weekday()]}, {local:%d/%m/%Y - %H:%M}"


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=VN_TZ)


class FakeNewsSite(LoopbackFake):
    """A news site on 127.0.0.1:<free port>, started by `with`/`async with` or `start()`.

    Routes (each also has a URL property or helper below):
      /rss/<section>, /atom/<section>   feeds, newest first; ETag + Last-Modified, 304
      /<section>[?page=N]               HTML listing (see `listing_selectors`)
      /<section>/<slug>.html            story pages built on the seed page's chrome
      /rss/bozo, /rss/cp1252            malformed-but-usable feed; windows-1252 feed
      /hostile/slow?seconds=S           sleeps, then answers
      /hostile/dribble?seconds=S        headers at once, then a byte every 0.05 s
      /hostile/500, /hostile/429        (Retry-After: `retry_after`, or ?retry_after=)
      /hostile/status/<code>            any status, optional ?retry_after=
      /hostile/redirect/<n>             n hops, then /hostile/landed
      /hostile/redirect-to?url=&status= one redirect anywhere (private, file:, ...)
      /hostile/redirect-private         → http://10.0.0.1/
      /hostile/redirect-metadata        → http://169.254.169.254/latest/meta-data/
      /hostile/big, /hostile/big-unsized  20 MB, with and without Content-Length
      /hostile/gzip-bomb                64 MB of zeros, gzipped to ~64 KB
    Hooks: `set_route` (any path, any answer, N times), `fail` (N failures),
    `requests` / `requests_for` / `clear_requests`.
    """

    def __init__(
        self,
        *,
        template: Path | None = None,
        listing_page_size: int = 10,
        slow_seconds: float = 1.0,
        retry_after: str = "120",
    ) -> None:
        self.template_path = template or SHARED / SEED_PAGE
        self.listing_page_size = listing_page_size
        self.feed_window: int | None = None  # feeds list only the newest N stories when set
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self.requests: list[SeenRequest] = []
        self.listing_selectors: dict[str, str] = {
            "item": "div.list-news div.news-item",
            "link": "h3.news-title a",
        }
        self._stories: list[Story] = []
        self._routes: dict[str, list[Any]] = {}  # path -> [route, remaining or None]
        self._failures: dict[str, list[int]] = {}  # path -> [remaining, status]
        self._changed_at: dict[str, datetime] = {}
        self._started_at = datetime.now(UTC).replace(microsecond=0)
        self._stopping = threading.Event()
        self.base_url = ""
        # A WebSub hub the feeds advertise (`tests/fakes/websub_hub.py` attaches one), and
        # what to tell when a story is published (its section).
        self.hub_url: str | None = None
        self.on_publish: Callable[[str], None] | None = None
        super().__init__()

    # -- lifecycle -----------------------------------------------------------------

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _make_handler(self)

    def start(self) -> Self:
        _template(self.template_path)  # fail early if the shared seed page is missing
        self._stopping.clear()
        super().start()
        self.base_url = f"http://127.0.0.1:{self.port}"  # `url(path)` is this site's own
        return self

    def stop(self) -> None:
        self._stopping.set()
        super().stop()

    # -- addresses -----------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    @property
    def feed_url(self) -> str:
        return self.section_feed_url("tin-tuc")

    def section_feed_url(self, section: str) -> str:
        return self.url(f"/rss/{section}")

    @property
    def atom_url(self) -> str:
        return self.url("/atom/tin-tuc")

    @property
    def listing_url(self) -> str:
        return self.listing_page_url(1)

    def listing_page_url(self, page: int = 1, section: str = "tin-tuc") -> str:
        return self.url(f"/{section}" if page == 1 else f"/{section}?page={page}")

    @property
    def slow_url(self) -> str:
        return self.url("/hostile/slow")

    def slow_url_for(self, seconds: float) -> str:
        return self.url(f"/hostile/slow?seconds={seconds:g}")

    def dribble_url_for(self, seconds: float) -> str:
        """Headers at once, then one byte every 0.05 s for `seconds`."""
        return self.url(f"/hostile/dribble?seconds={seconds:g}")

    @property
    def error_url(self) -> str:
        return self.url("/hostile/500")

    def status_url(self, status: int, *, retry_after: str | None = None) -> str:
        query = f"?retry_after={quote(retry_after)}" if retry_after is not None else ""
        return self.url(f"/hostile/status/{status}{query}")

    @property
    def too_many_requests_url(self) -> str:
        return self.url("/hostile/429")

    def redirect_chain_url(self, hops: int) -> str:
        """`hops` redirects (alternating absolute and relative Location), then a 200."""
        return self.url(f"/hostile/redirect/{hops}")

    @property
    def redirect_landing_url(self) -> str:
        return self.url("/hostile/landed")

    def redirect_to_url(self, target: str, status: int = 302) -> str:
        return self.url(f"/hostile/redirect-to?status={status}&url={quote(target, safe='')}")

    @property
    def private_redirect_url(self) -> str:
        return self.url("/hostile/redirect-private")

    @property
    def metadata_redirect_url(self) -> str:
        return self.url("/hostile/redirect-metadata")

    @property
    def big_url(self) -> str:
        """20 MB with a Content-Length."""
        return self.url("/hostile/big")

    @property
    def big_unsized_url(self) -> str:
        """20 MB with no Content-Length: the cap must be counted while reading."""
        return self.url("/hostile/big-unsized")

    @property
    def gzip_bomb_url(self) -> str:
        return self.url("/hostile/gzip-bomb")

    @property
    def bozo_feed_url(self) -> str:
        return self.url("/rss/bozo")

    @property
    def cp1252_feed_url(self) -> str:
        return self.url("/rss/cp1252")

    # -- content -------------------------------------------------------------------

    @property
    def stories(self) -> list[Story]:
        with self._lock:
            return list(self._stories)

    def add_story(
        self,
        slug: str,
        title: str,
        lead: str,
        paragraphs: Sequence[str],
        *,
        published: datetime,
        image: str | None = None,
        section: str = "tin-tuc",
        byline: str | None = "Mạnh Thành",
        caption: str | None = None,
    ) -> str:
        """Publish a story (page, feed item, listing item); returns its URL.

        `image` may be a path on the site ("/Upload/x.jpg") or an absolute URL.
        """
        if not self.base_url:
            raise RuntimeError("start the site before adding stories")
        name = slug if slug.endswith(".html") else f"{slug}.html"
        path = f"/{section}/{name}"
        story = Story(
            slug=slug,
            title=title,
            lead=lead,
            paragraphs=tuple(paragraphs),
            published=_aware(published),
            image=image,
            section=section,
            path=path,
            url=self.url(path),
        )
        story.page = self._render_story(story, byline=byline, caption=caption)
        with self._lock:
            self._stories = [s for s in self._stories if s.path != path]
            self._stories.append(story)
            self._touch(section)
        if self.on_publish is not None:
            self.on_publish(section)
        return story.url

    def remove_story(self, url_or_path: str) -> None:
        path = self._path_of(url_or_path)
        with self._lock:
            for story in self._stories:
                if story.path == path:
                    self._stories.remove(story)
                    self._touch(story.section)
                    break

    def _touch(self, section: str) -> None:
        # Strictly later each time, so If-Modified-Since (1 s resolution) sees a change.
        before = self._changed_at.get(section, self._started_at)
        now = datetime.now(UTC).replace(microsecond=0)
        self._changed_at[section] = max(now, before + timedelta(seconds=1))

    # -- hooks for tests -----------------------------------------------------------

    def set_route(self, path: str, route: Route, *, times: int | None = None) -> None:
        """Answer `path` (with or without its query) with `route`, for `times` requests
        or for good; test routes win over the built-in ones."""
        with self._lock:
            self._routes[self._path_of(path)] = [route, times]

    def clear_route(self, path: str) -> None:
        with self._lock:
            self._routes.pop(self._path_of(path), None)

    def fail(self, url_or_path: str, *, times: int = 1, status: int = 500) -> None:
        """The next `times` requests to this path answer `status` (a story page, a feed)."""
        with self._lock:
            self._failures[self._path_of(url_or_path)] = [times, status]

    def requests_for(self, url_or_path: str) -> list[SeenRequest]:
        """Requests whose path (query ignored, unless given) matches."""
        path = self._path_of(url_or_path)
        with self._lock:
            seen = list(self.requests)
        if "?" in path:
            return [r for r in seen if r.path == path]
        return [r for r in seen if r.path.split("?", 1)[0] == path]

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def _path_of(self, url_or_path: str) -> str:
        if url_or_path.startswith(("http://", "https://")):
            parts = urlsplit(url_or_path)
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return url_or_path if url_or_path.startswith("/") else "/" + url_or_path

    # -- rendering -----------------------------------------------------------------

    def _abs(self, link: str) -> str:
        return link if link.startswith(("http://", "https://")) else self.url(link)

    def _render_story(self, story: Story, *, byline: str | None, caption: str | None) -> bytes:
        doc = lxml.html.document_fromstring(_template(self.template_path))
        head = doc.find("head")
        assert head is not None
        _first(doc, "title").text = f"{story.title} - Lâm Đồng TV"
        for meta in doc.iter("meta"):
            key = meta.get("property") or meta.get("name")
            if key in ("description", "og:description"):
                meta.set("content", story.lead)
            elif key == "og:title":
                meta.set("content", story.title)
            elif key == "og:url":
                meta.set("content", story.url)
            elif key == "article:published_time":
                meta.set("content", story.published.astimezone(VN_TZ).isoformat())
            elif key == "og:image":
                if story.image:
                    meta.set("content", self._abs(story.image))
                else:
                    meta.getparent().remove(meta)
        for link in doc.iter("link"):
            if link.get("rel") == "canonical":
                link.set("href", story.url)
        crumb = _first(doc, "div.breadcrumb a")
        crumb.set("href", f"/{story.section}")
        crumb.text = _SECTION_NAMES.get(story.section, story.section)
        _first(doc, "h1.title").text = story.title
        _first(doc, "div.date").text = vn_date_line(story.published)
        _first(doc, "div.sapo strong").text = story.lead

        content = _first(doc, "div.content")
        image_table = copy.deepcopy(_first(content, "table.image"))
        model = copy.deepcopy(content.find("p"))  # a justified paragraph
        children = list(content)
        byline_p = children[-1]
        for child in children[:-1]:
            content.remove(child)
        if byline:
            _first(byline_p, "strong").text = byline
        else:
            content.remove(byline_p)
        blocks: list[Any] = []
        for i, text in enumerate(story.paragraphs):
            para = copy.deepcopy(model)
            para.text = text
            para.tail = "\n"
            blocks.append(para)
            if i == 0 and story.image:
                table = copy.deepcopy(image_table)
                img = _first(table, "img")
                img.set("src", story.image)
                img.set("alt", story.title)
                _first(table, "td.image_desc").text = caption or f"Ảnh: {story.title}"
                table.tail = "\n"
                blocks.append(table)
        if not story.paragraphs and story.image:
            blocks.append(copy.deepcopy(image_table))
        for index, block in enumerate(blocks):
            content.insert(index, block)
        content.text = "\n"
        return bytes(lxml.html.tostring(doc, doctype="<!DOCTYPE html>", encoding="utf-8"))

    def _section_stories(self, section: str) -> list[Story]:
        with self._lock:
            chosen = [s for s in self._stories if section in ("all", s.section)]
        return sorted(chosen, key=lambda s: s.published, reverse=True)

    def _feed_validators(self, section: str, body: bytes) -> tuple[str, str]:
        with self._lock:
            changed = self._changed_at.get(section, self._started_at)
            if section == "all" and self._changed_at:
                changed = max(self._changed_at.values())
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        return etag, format_datetime(changed, usegmt=True)

    def render_rss(self, section: str = "tin-tuc") -> bytes:
        items = []
        for s in self._section_stories(section)[: self.feed_window]:
            img = f'<a href="{s.url}"><img src="{self._abs(s.image)}" /></a>' if s.image else ""
            enclosure = (
                f'<enclosure url={quoteattr(self._abs(s.image))} type="image/jpeg" length="0" />'
                if s.image
                else ""
            )
            items.append(
                "<item>"
                f"<title>{escape(s.title)}</title>"
                f"<link>{escape(s.url)}</link>"
                f'<guid isPermaLink="true">{escape(s.url)}</guid>'
                f"<description>{escape(img + escape(s.lead))}</description>"
                f"<pubDate>{format_datetime(s.published.astimezone(VN_TZ))}</pubDate>"
                f"{enclosure}"
                "</item>"
            )
        name = _SECTION_NAMES.get(section, section)
        hub = (
            f'<atom:link rel="hub" href={quoteattr(self.hub_url)} />'
            f'<atom:link rel="self" href={quoteattr(self.section_feed_url(section))} />'
            if self.hub_url
            else ""
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            + (
                '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
                if hub
                else '<rss version="2.0">'
            )
            + "<channel>"
            f"<title>{escape(name)} - Lâm Đồng TV</title>{hub}"
            f"<link>{escape(self.url('/' + section))}</link>"
            "<description>Tin tức Lâm Đồng</description><language>vi</language>"
            + "\n".join(items)
            + "</channel></rss>\n"
        ).encode("utf-8")

    def render_atom(self, section: str = "tin-tuc") -> bytes:
        entries = []
        for s in self._section_stories(section)[: self.feed_window]:
            entries.append(
                "<entry>"
                f"<title>{escape(s.title)}</title>"
                f'<link rel="alternate" href={quoteattr(s.url)} />'
                f"<id>tag:fake-news,2024:{escape(s.path)}</id>"
                f"<published>{s.published.isoformat()}</published>"
                f"<updated>{s.published.isoformat()}</updated>"
                f'<summary type="text">{escape(s.lead)}</summary>'
                "</entry>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(_SECTION_NAMES.get(section, section))}</title>"
            + (
                f'<link rel="hub" href={quoteattr(self.hub_url)} />'
                f'<link rel="self" href={quoteattr(self.url("/atom/" + section))} />'
                if self.hub_url
                else ""
            )
            + f"<id>tag:fake-news,2024:{escape(section)}</id>"
            f"<updated>{self._started_at.isoformat()}</updated>" + "".join(entries) + "</feed>\n"
        ).encode("utf-8")

    def render_bozo_feed(self) -> bytes:
        """Good items in a broken feed: an undefined entity, a bare "&", no end tags."""
        stories = self._section_stories("tin-tuc")
        pairs = [(s.title, s.url, s.lead) for s in stories] or [
            ("Tin mẫu một", self.url("/tin-tuc/tin-mau-1.html"), "Tin mẫu thứ nhất."),
            ("Tin mẫu hai", self.url("/tin-tuc/tin-mau-2.html"), "Tin mẫu thứ hai."),
        ]
        items = []
        for i, (title, url, lead) in enumerate(pairs):
            broken = "&nbsp;" if i == 0 else ""
            items.append(
                f"<item><title>{escape(title)}{broken}</title><link>{escape(url)}</link>"
                f"<guid>{escape(url)}</guid><description>{escape(lead)} & more</description>"
                "</item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            "<title>Broken & bozo</title>" + "\n".join(items) + "\n<item><title>cut off"
        ).encode("utf-8")

    def render_cp1252_feed(self) -> bytes:
        """Accented Western text in windows-1252, curly quotes and dashes included."""
        items = [
            ("Crème brûlée — naïve café society", "creme-brulee", "Señor Müller’s façade."),
            ("“Déjà vu” at the Zoë Ångström exhibit", "deja-vu", "Œuvres complètes, 5 €."),
        ]
        body = "".join(
            f"<item><title>{escape(t)}</title>"
            f"<link>{escape(self.url('/tin-tuc/' + slug + '.html'))}</link>"
            f"<description>{escape(d)}</description>"
            "<pubDate>Sat, 25 Feb 2023 08:54:00 +0700</pubDate></item>"
            for t, slug, d in items
        )
        return (
            '<?xml version="1.0" encoding="windows-1252"?>\n<rss version="2.0"><channel>'
            "<title>Café Société</title>" + body + "</channel></rss>\n"
        ).encode("cp1252")

    def render_listing(self, section: str = "tin-tuc", page: int = 1) -> bytes:
        stories = self._section_stories(section)
        size = self.listing_page_size
        shown = stories[(page - 1) * size : page * size]
        doc = lxml.html.document_fromstring(_template(self.template_path))
        name = _SECTION_NAMES.get(section, section)
        _first(doc, "title").text = f"{name} - Lâm Đồng TV"
        for meta in list(doc.iter("meta")):
            if (meta.get("property") or "").startswith(("og:", "article:")):
                meta.getparent().remove(meta)
        for link in list(doc.iter("link")):
            if link.get("rel") == "canonical":
                link.getparent().remove(link)
        left = _first(doc, "div.col-left")
        for child in list(left):
            left.remove(child)
        parts = [f'<div class="breadcrumb"><a href="/{section}">{escape(name)}</a></div>']
        parts.append('<div class="list-news">')
        for s in shown:
            thumb = (
                f'<a class="thumb" href="{s.path}"><img src={quoteattr(s.image)} '
                f"alt={quoteattr(s.title)}></a>"
                if s.image
                else ""
            )
            parts.append(
                '<div class="news-item">'
                f"{thumb}"
                f'<h3 class="news-title"><a href="{s.path}">{escape(s.title)}</a></h3>'
                f'<div class="news-date">{escape(vn_date_line(s.published))}</div>'
                f'<p class="news-sapo">{escape(s.lead)}</p>'
                "</div>"
            )
        parts.append("</div>")
        pages = max(1, -(-len(stories) // size))
        links = " ".join(
            f'<a href="/{section}?page={n}">{n}</a>' if n != page else f"<span>{n}</span>"
            for n in range(1, pages + 1)
        )
        parts.append(f'<div class="paging">{links}</div>')
        for fragment in lxml.html.fragments_fromstring("".join(parts)):
            left.append(fragment)
        return bytes(lxml.html.tostring(doc, doctype="<!DOCTYPE html>", encoding="utf-8"))


def _first(root: Any, selector: str) -> Any:
    found = root.cssselect(selector) if " " in selector or "." in selector else None
    if found is None:
        found = list(root.iter(selector))
    if not found:
        raise LookupError(f"seed template has no {selector!r}")
    return found[0]


def _make_handler(site: FakeNewsSite) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.site = site
    return Handler


class _Handler(BaseHTTPRequestHandler):
    site: FakeNewsSite
    server_version = "FakeNews/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def do_GET(self) -> None:
        self._handle(head=False)

    def _handle(self, *, head: bool) -> None:
        site = self.site
        seen = SeenRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        with site._lock:
            site.requests.append(seen)
        # The client giving up (a cap, a timeout) is the point of several routes.
        with contextlib.suppress(
            BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError
        ):
            self._dispatch(seen, head)

    def _dispatch(self, seen: SeenRequest, head: bool) -> None:
        site = self.site
        parts = urlsplit(seen.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}

        route = None
        with site._lock:
            for key in (seen.path, path):
                entry = site._routes.get(key)
                if entry is not None:
                    route = entry[0]
                    if entry[1] is not None:
                        entry[1] -= 1
                        if entry[1] <= 0:
                            del site._routes[key]
                    break
            failure = None
            if route is None:
                for key in (seen.path, path):
                    fail = site._failures.get(key)
                    if fail is not None:
                        failure = fail[1]
                        fail[0] -= 1
                        if fail[0] <= 0:
                            del site._failures[key]
                        break
        if route is not None:
            response = route(seen) if callable(route) else route
            if response.delay:
                site._stopping.wait(response.delay)
            self._send(response.status, response.body, response.headers, head=head)
            return
        if failure is not None:
            self._send(failure, b"injected failure\n", {"Content-Type": "text/plain"}, head=head)
            return

        if path.startswith("/hostile/"):
            self._hostile(path.removeprefix("/hostile/"), query, head)
        elif path == "/rss/bozo":
            rss = {"Content-Type": "application/rss+xml"}
            self._send(200, site.render_bozo_feed(), rss, head=head)
        elif path == "/rss/cp1252":
            self._send(
                200,
                site.render_cp1252_feed(),
                {"Content-Type": "application/rss+xml; charset=windows-1252"},
                head=head,
            )
        elif path.startswith("/rss/"):
            self._feed(path.removeprefix("/rss/"), "rss", head)
        elif path.startswith("/atom/"):
            self._feed(path.removeprefix("/atom/"), "atom", head)
        else:
            self._content(path, query, head)

    def _feed(self, section: str, kind: str, head: bool) -> None:
        site = self.site
        if kind == "rss":
            body, ctype = site.render_rss(section), "application/rss+xml; charset=utf-8"
        else:
            body, ctype = site.render_atom(section), "application/atom+xml; charset=utf-8"
        etag, last_modified = site._feed_validators(section, body)
        validators = {"ETag": etag, "Last-Modified": last_modified}
        if _not_modified(
            self.headers.get("If-None-Match"),
            self.headers.get("If-Modified-Since"),
            etag,
            last_modified,
        ):
            self._send(304, b"", validators, head=True)
            return
        self._send(200, body, {"Content-Type": ctype, **validators}, head=head)

    def _content(self, path: str, query: dict[str, str], head: bool) -> None:
        site = self.site
        for story in site.stories:
            if story.path == path:
                self._send(200, story.page, {"Content-Type": "text/html; charset=utf-8"}, head=head)
                return
        section = path.strip("/")
        known = section in _SECTION_NAMES or any(s.section == section for s in site.stories)
        if section and "/" not in section and known:
            try:
                page = max(1, int(query.get("page", "1")))
            except ValueError:
                page = 1
            body = site.render_listing(section, page)
            self._send(200, body, {"Content-Type": "text/html; charset=utf-8"}, head=head)
            return
        if path == "/":
            self._send(
                200,
                b"<html><body>Trang chu</body></html>",
                {"Content-Type": "text/html"},
                head=head,
            )
            return
        self._send(404, b"not found\n", {"Content-Type": "text/plain"}, head=head)

    def _hostile(self, name: str, query: dict[str, str], head: bool) -> None:
        site = self.site
        text = {"Content-Type": "text/plain; charset=utf-8"}
        if name == "slow":
            seconds = float(query.get("seconds", site.slow_seconds))
            site._stopping.wait(seconds)
            self._send(200, b"finally\n", text, head=head)
        elif name == "dribble":
            self._dribble(float(query.get("seconds", site.slow_seconds)), head=head)
        elif name == "500":
            self._send(500, b"internal error\n", text, head=head)
        elif name == "429":
            retry = query.get("retry_after", site.retry_after)
            self._send(429, b"slow down\n", {**text, "Retry-After": retry}, head=head)
        elif name.startswith("status/"):
            headers = dict(text)
            if "retry_after" in query:
                headers["Retry-After"] = query["retry_after"]
            self._send(int(name.removeprefix("status/")), b"status\n", headers, head=head)
        elif name.startswith("redirect/"):
            hops = int(name.removeprefix("redirect/"))
            if hops <= 0:
                target = "/hostile/landed"
            else:
                # Alternate absolute and relative Locations; both must be followed.
                nxt = f"/hostile/redirect/{hops - 1}"
                target = site.url(nxt) if hops % 2 else f"../redirect/{hops - 1}"
            self._send(302, b"", {"Location": target}, head=head)
        elif name == "landed":
            self._send(200, b"landed\n", text, head=head)
        elif name == "redirect-to":
            status = int(query.get("status", "302"))
            self._send(status, b"", {"Location": query.get("url", "/")}, head=head)
        elif name == "redirect-private":
            self._send(302, b"", {"Location": PRIVATE_REDIRECT_TARGET}, head=head)
        elif name == "redirect-metadata":
            self._send(302, b"", {"Location": METADATA_REDIRECT_TARGET}, head=head)
        elif name in ("big", "big-unsized"):
            self._big(sized=name == "big", head=head)
        elif name == "gzip-bomb":
            bomb = gzip_bomb()
            headers = {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
            self._send(200, bomb, headers, head=head)
        else:
            self._send(404, b"no such hostile route\n", text, head=head)

    def _dribble(self, seconds: float, *, head: bool) -> None:
        count = max(1, int(seconds / 0.05))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(count))
        self.end_headers()
        if head:
            return
        for _ in range(count):
            if self.site._stopping.wait(0.05):
                return
            self.wfile.write(b".")
            self.wfile.flush()

    def _big(self, *, sized: bool, head: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        if sized:
            self.send_header("Content-Length", str(BIG_BODY_BYTES))
        self.end_headers()
        if head:
            return
        chunk = b"<!-- padding -->" * (_CHUNK // 16)
        sent = 0
        while sent < BIG_BODY_BYTES and not self.site._stopping.is_set():
            self.wfile.write(chunk)
            sent += len(chunk)

    def _send(self, status: int, body: bytes, headers: Mapping[str, str], *, head: bool) -> None:
        self.send_response(status)
        names = {k.lower() for k in headers}
        for name, value in headers.items():
            self.send_header(name, value)
        if "content-length" not in names and status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body and status not in (204, 304):
            self.wfile.write(body)


def _not_modified(
    if_none_match: str | None, if_modified_since: str | None, etag: str, last_modified: str
) -> bool:
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
            modified = parsedate_to_datetime(last_modified)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return modified <= since
    return False
