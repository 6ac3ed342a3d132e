"""The second method: collect the page's prose paragraphs wherever they sit.

Container scoring can pick a block that holds a fraction of the story (a teaser, a
comment, one column of several) or nothing usable at all. Collecting every paragraph of
prose with few links, then keeping the region that holds most of them, does not depend on
which wrapper won: it is what the generic path falls back on when it finds much less text
than the page holds.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from feeds.extract.density import unlikely_map
from feeds.extract.nodes import is_hidden, link_density, text_of
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
