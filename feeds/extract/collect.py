"""The second method: collect the page's prose paragraphs wherever they sit.

Container scoring can pick a block that holds a fraction of the story (a teaser, a
comment, one column of several) or nothing usable at all. Collecting every paragraph of
prose with few links, then keeping the region that holds most of them, does not depend on
which wrapper won: it is what the generic path falls back on when it finds much less text
than the page holds.
"""

from __future__ import annotations

import html
import re

from lxml.html import HtmlElement

from feeds.extract.density import mark_listings, unlikely_map
from feeds.extract.nodes import clean, is_hidden, link_density, text_of, wordy
from feeds.htmltools import BLOCK_TAGS

_SHARE = 0.7


def _leaf_block(el: HtmlElement) -> bool:
    return not any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS and c.tag != "br" for c in el)


def prose_paragraphs(root: HtmlElement) -> list[str]:
    """The texts of the prose paragraphs in the region that holds most of the page's prose
    (read again without the unlikely-class filter when that leaves none)."""
    return _collect(root, strict=True) or _collect(root, strict=False)


def _collect(root: HtmlElement, *, strict: bool) -> list[str]:
    body = root.find("body")
    scope = body if body is not None else root
    bad = unlikely_map(scope, strict=strict)
    if strict:
        mark_listings(scope, bad)
    found: list[tuple[HtmlElement, str]] = []
    for el in scope.iter("p", "pre", "div", "blockquote", "h2", "h3", "li"):
        if bad.get(el, False) or is_hidden(el):
            continue
        if el.tag in ("div", "blockquote", "li") and not _leaf_block(el):
            continue
        text = text_of(el)
        least = 20 if el.tag in ("p", "h2", "h3") else 60
        if len(text) < least or link_density(el, len(text)) >= 0.3:
            continue
        if el.tag in ("div", "li") and not wordy(text):
            continue
        if el.tag in ("h2", "h3", "li") and not found:
            continue
        found.append((el, text))
    prose = [(el, text) for el, text in found if el.tag in ("p", "pre", "div", "blockquote")]
    total = sum(len(text) for _, text in prose)
    if not total:
        return []
    held: dict[HtmlElement, int] = {}
    for el, text in prose:
        for anc in el.iterancestors():
            held[anc] = held.get(anc, 0) + len(text)
    deepest = max(
        (anc for anc, size in held.items() if size >= _SHARE * total),
        key=lambda anc: sum(1 for _ in anc.iterancestors()),
        default=scope,
    )
    inside = set(deepest.iterdescendants())
    return [text for el, text in found if el in inside]


_RAW_DROP = re.compile(
    r"<(script|style|noscript|template|textarea|select)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S
)
_RAW_BREAK = re.compile(r"</?(?:p|div|br|li|tr|td|h[1-6]|table|section|article)\b[^>]*>", re.I)
_RAW_TAG = re.compile(r"<[^>]*>")
_RAW_TITLES = (
    re.compile(r"<h1\b[^>]*>\s*([^<]{3,300})", re.I),
    re.compile(r"<title\b[^>]*>\s*([^<]{3,300})", re.I),
)


def _prose_line(line: str) -> bool:
    """Running text, not a menu or noise: long, spaced like words, mostly letters."""
    if len(line) < 60:
        return False
    spaces = line.count(" ")
    letters = sum(1 for ch in line if ch.isalpha() or ch.isspace())
    return spaces >= len(line) / 15 and letters >= 0.8 * len(line)


def raw_prose(text: str) -> list[str]:
    """The last resort for a page the parser cannot make a body of (markup so broken
    that the tree holds no text): its prose lines, tags stripped from the raw HTML."""
    bare = _RAW_TAG.sub(" ", _RAW_BREAK.sub("\n", _RAW_DROP.sub(" ", text)))
    lines = (clean(html.unescape(line)) for line in bare.split("\n"))
    return [line for line in lines if _prose_line(line)]


def raw_title(text: str) -> str:
    """The headline of a page read raw: its first `<h1>`, else its `<title>`."""
    for pattern in _RAW_TITLES:
        found = pattern.search(text)
        if found and clean(html.unescape(found.group(1))):
            return clean(html.unescape(found.group(1)))
    return ""
