"""What a page says about its story besides the text: meta tags, JSON-LD, headline,
published time, byline and section."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml.html import HtmlElement

from feeds.extract.nodes import (
    JUNK,
    clean,
    find_by_class,
    first,
    inside,
    key,
    plain,
    signature,
    text_of,
)
from feeds.extract.site_rules import SiteRule
from feeds.htmltools import parse_timestamp, parse_vn_date

_AUTHOR_CLASS = re.compile(r"author|byline|tac-?gia|writer", re.I)
_DATE_CLASS = re.compile(r"date|time|publish|ngay-?dang|\bngay\b", re.I)
_SECTION_CLASS = re.compile(r"breadcrumb|\bcate|category|chuyen-?muc", re.I)


@dataclass(slots=True)
class Meta:
    """The page's declarations: meta tags by name, its article JSON-LD, links."""

    tags: dict[str, str] = field(default_factory=dict)
    ld: dict[str, Any] = field(default_factory=dict)
    canonical: str | None = None
    base: str | None = None
    title_tag: str = ""


_LD_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "blogposting",
    "analysisnewsarticle",
    "webpage",
}


def _ld_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _ld_objects(graph, depth + 1)


def _ld_type(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def read_meta(root: HtmlElement) -> Meta:
    meta = Meta()
    for el in root.iter("meta"):
        name = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if name and content and name not in meta.tags:
            meta.tags[name] = content
    for el in root.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        if "canonical" in rel and el.get("href") and meta.canonical is None:
            meta.canonical = el.get("href")
        if "image_src" in rel and el.get("href"):
            meta.tags.setdefault("image_src", el.get("href") or "")
    for el in root.iter("base"):
        meta.base = el.get("href")
        break
    for el in root.iter("title"):
        meta.title_tag = el.text_content()
        break
    for el in root.iter("script"):
        if (el.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = el.text or ""
        if len(raw) > 500_000:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        for obj in _ld_objects(data):
            if _ld_type(obj) & _LD_TYPES and not meta.ld:
                meta.ld = obj
    return meta


def ld_str(value: Any, keys: tuple[str, ...] = ("url", "contentUrl", "name", "@id")) -> str | None:
    """JSON-LD values may be a string, an object with a name/url, or a list of either."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return ld_str(value[0], keys)
    if isinstance(value, dict):
        for name in keys:
            if isinstance(value.get(name), str):
                return str(value[name])
    return None


# --------------------------------------------------------------------------- dates


def _date_from_element(el: HtmlElement) -> datetime | None:
    for node in [el, *el.iterdescendants("time")]:
        stamp = node.get("datetime") or node.get("content")
        if stamp:
            parsed = parse_timestamp(stamp)
            if parsed:
                return parsed
    return parse_vn_date(text_of(el))


_DATE_META_KEYS = (
    "article:published_time",
    "datepublished",
    "og:article:published_time",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "date",
)


def published(meta: Meta, root: HtmlElement, date_el: HtmlElement | None) -> datetime | None:
    """Declared publication times first (meta, microdata, JSON-LD), then the visible one."""
    for name in _DATE_META_KEYS:
        if name in meta.tags:
            parsed = parse_timestamp(meta.tags[name])
            if parsed:
                return parsed
    for el in root.iterdescendants("time"):
        if (el.get("itemprop") or "").lower() == "datepublished" and el.get("datetime"):
            parsed = parse_timestamp(el.get("datetime") or "")
            if parsed:
                return parsed
    ld_date = meta.ld.get("datePublished")
    if isinstance(ld_date, str):
        parsed = parse_timestamp(ld_date)
        if parsed:
            return parsed
    return _date_from_element(date_el) if date_el is not None else None


def generic_date_element(root: HtmlElement) -> HtmlElement | None:
    """A short element whose class says date/time and whose text parses as one."""
    for el in root.iter("time"):
        if el.get("datetime") and parse_timestamp(el.get("datetime") or ""):
            return el
    for el in find_by_class(root, _DATE_CLASS, ("div", "span", "p", "time", "li")):
        text = text_of(el)
        if len(text) <= 120 and parse_vn_date(text):
            return el
    return None


# --------------------------------------------------------------------------- headline


def _title_from_tag(title: str, site_name: str | None) -> str:
    text = plain(title)
    if site_name and text.endswith(site_name):
        text = text[: -len(site_name)].rstrip(" -|–—:")
    parts = re.split(r"\s+[-|–—]\s+", text)
    if len(parts) > 1 and len(parts[-1]) <= 40 and len(" - ".join(parts[:-1])) >= 5:
        text = " - ".join(parts[:-1])
    return text


def title(rule: SiteRule | None, root: HtmlElement, meta: Meta) -> tuple[str, HtmlElement | None]:
    """The visible headline when we can tell which it is, else the page's declared one."""
    el = first(rule.title, root) if rule else None
    if el is not None:
        return plain(el.text_content()), el
    headings = [(h, plain(h.text_content())) for h in root.iter("h1")]
    site_name = plain(meta.tags.get("og:site_name"))
    for candidate in (
        meta.tags.get("og:title"),
        ld_str(meta.ld.get("headline"), ("name",)),
        meta.tags.get("twitter:title"),
    ):
        text = plain(candidate)
        if not text:
            continue
        for h1, h1_text in headings:
            if len(h1_text) >= 10 and key(text).startswith(key(h1_text)):
                return h1_text, h1
        if site_name and text.endswith(site_name) and len(text) > len(site_name) + 5:
            text = text[: -len(site_name)].rstrip(" -|–—:")
        return text, None
    for h1, h1_text in headings:
        if len(h1_text) >= 10:
            return h1_text, h1
    return _title_from_tag(meta.title_tag, site_name), None


def fallback_title(root: HtmlElement, paragraphs: list[str]) -> str:
    """A page that names no headline: its first lower heading, else the body's opening
    words, so that a story is still shown under something it says."""
    for h in root.iter("h2", "h3", "h4"):
        text = plain(h.text_content())
        if 10 <= len(text) <= 200:
            return text
    opening = paragraphs[0] if paragraphs else ""
    if len(opening) <= 120:
        return opening
    cut = opening.rfind(" ", 0, 120)
    return opening[: cut if cut > 40 else 120].rstrip(" ,;:") + "…"


# --------------------------------------------------------------------------- byline, section


def byline_element(
    rule: SiteRule | None, region: HtmlElement, container: HtmlElement
) -> HtmlElement | None:
    el = first(rule.author, region) if rule else None
    if el is not None and len(text_of(el)) <= 80:
        return el
    for cand in find_by_class(
        region, _AUTHOR_CLASS, ("p", "div", "span", "a", "strong", "address")
    ):
        if "comment" in signature(cand).lower() or any(
            JUNK.search(signature(a)) and "author" not in signature(a)
            for a in cand.iterancestors()
            if a is not region and not inside(region, a)
        ):
            continue
        text = text_of(cand)
        if 0 < len(text) <= 80:
            return cand
    return None


def section(rule: SiteRule | None, root: HtmlElement, meta: Meta) -> str | None:
    if rule is not None and rule.section is not None:
        found = [el for el in rule.section(root) if text_of(el)]
        if found:
            return text_of(found[-1])
    for candidate in (
        meta.tags.get("article:section"),
        ld_str(meta.ld.get("articleSection"), ("name",)),
    ):
        if candidate and clean(candidate):
            return clean(candidate)
    for crumb in find_by_class(root, _SECTION_CLASS, ("div", "ul", "ol", "nav", "a", "p")):
        links = [text_of(a) for a in crumb.iter("a") if text_of(a)]
        if links and len(links[-1]) <= 40:
            return links[-1]
    return None
