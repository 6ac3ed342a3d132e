"""Text and element helpers every part of the extractor reads pages with."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from bot.core.text import collapse_spaces, normalize
from feeds.htmltools import BLOCK_TAGS
from feeds.sanitize import drop_invalid_text

# Class/id words of what is not the story, and of what is.
JUNK = re.compile(
    r"comment|binh-?luan|relate|lien-?quan|readmore|read-more|doc-?them|xem-?them|share|"
    r"social|sharing|like-?box|\btags?\b|keyword|tu-?khoa|banner|advert|\bads?\b|\bqc\b|"
    r"quang-?cao|sponsor|sidebar|widget|breadcrumb|\bmenu\b|\bnav\b|navigation|footer|"
    r"toolbar|\btools?\b|\bprint|rating|\bvote|newsletter|subscribe|popup|modal|caption|"
    r"(?:image|img|photo|pic)[-_]?(?:desc|note|title)|author|byline|other-?news|"
    r"tin-?khac|box-?category|most-?read|xem-?nhieu|doc-?nhieu|recommend|suggest|"
    r"list-?news|complementary|gallery|slidecount|slideshow|\brail\b|trending|"
    r"rollover|tooltip|popover|hover-?card",
    re.I,
)
GOOD = re.compile(
    r"article|content|detail|body|entry|\bmain\b|post|story|\btext|fck|noi-?dung|"
    r"chi-?tiet|bai-?viet|news-?detail",
    re.I,
)


_MARKED_LATIN = re.compile(r"[\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff]")


def clean(text: str | None) -> str:
    if not text:
        return ""
    if text.isascii() or (
        # No accented Latin letter or combining mark (where the tone-mark convention
        # applies) and already NFC: nothing to normalise, as in most foreign pages.
        not _MARKED_LATIN.search(text) and unicodedata.is_normalized("NFC", text)
    ):
        return " ".join(text.split())
    return collapse_spaces(normalize(text))


def text_len(el: HtmlElement) -> int:
    """The length `text_of(el)` would have, near enough for weighing, without normalising."""
    return len(" ".join(el.text_content().split()))


def plain(text: str | None) -> str:
    """Text the page has already decoded (an element's text, a meta value): kept as the
    reader sees it. A "<b>" shown on the page is text here, never read as markup twice."""
    return clean(drop_invalid_text(text or ""))


def text_of(el: HtmlElement) -> str:
    return clean(el.text_content())


_NON_WORD = re.compile(r"\W+")


def key(text: str) -> str:
    """What two spellings of the same line have in common: letters and digits, casefolded."""
    return _NON_WORD.sub("", text.casefold())


def same(a: str, b: str) -> bool:
    return bool(a) and key(a) == key(b)


def own_text(el: HtmlElement) -> str:
    """The element's text without that of its block children."""
    parts = [el.text or ""]
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in BLOCK_TAGS:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return clean("".join(parts))


_SIGNATURE_ATTRS = ("class", "id", "data-campaign", "type", "role")


def signature(el: HtmlElement) -> str:
    attrib = el.attrib
    if not attrib:  # most elements: no attributes at all
        return ""
    return _without_taxonomy(" ".join(v for v in map(attrib.get, _SIGNATURE_ATTRS) if v))


# A blog engine's post wrapper lists the post's own taxonomy among its classes
# ("post-7168 hentry category-reviews tag-social author-admin"): those name what the post
# is about, not what the block is, so "tag-social" must not make the post a share box.
_POST_CLASS = re.compile(r"(?:^|\s)(?:hentry|type-[\w-]+|post-\d+)(?=\s|$)")
_TAXONOMY = re.compile(r"(?:^|\s)(?:tag|category|author|format|status)-[\w-]+(?=\s|$)")


@lru_cache(maxsize=16384)
def _without_taxonomy(sig: str) -> str:
    if "-" not in sig or not _POST_CLASS.search(sig):
        return sig
    return _TAXONOMY.sub("", sig).strip()


def wordy(text: str) -> bool:
    """Mostly letters: not a list of dates and counts ("10/28/12 - 11/04/12 (11)") that
    a blog's archive box runs into one block of text."""
    letters = sum(1 for ch in text if ch.isalpha() or ch.isspace())
    return letters >= 0.75 * len(text)


def is_hidden(el: HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or el.get("hidden") is not None


# The comment thread's own box, named as such: it goes however long the thread is.
_COMMENT_BOX = re.compile(
    r"(?:^|\s)(?:comments?|comment-?list|commentlist|comments-area|comment-?section|"
    r"disqus_thread|binh-?luan|box-?comments?)(?:\s|$)",
    re.I,
)


def is_thread(el: HtmlElement) -> bool:
    """A block named as the comment thread: never the story, however long the thread."""
    return bool(
        _COMMENT_BOX.search(el.get("id") or "") or _COMMENT_BOX.search(el.get("class") or "")
    )


def is_junk(el: HtmlElement) -> bool:
    if is_hidden(el):
        return True
    sig = signature(el)
    return bool(sig) and matches(JUNK, sig)


@lru_cache(maxsize=16384)
def matches(pattern: re.Pattern[str], sig: str) -> bool:
    """`pattern` found in a class/id signature: pages repeat theirs, each is read once."""
    return pattern.search(sig) is not None


def link_density(el: HtmlElement, text_len: int) -> float:
    if text_len == 0:
        return 0.0
    linked = sum(len(" ".join(a.text_content().split())) for a in el.iterdescendants("a"))
    return min(1.0, linked / text_len)


def inside(el: HtmlElement, ancestor: HtmlElement) -> bool:
    return any(a is ancestor for a in el.iterancestors())


def drop(elements: Iterable[HtmlElement]) -> None:
    for el in list(elements):
        if el.getparent() is not None:
            el.drop_tree()


def find_by_class(
    root: HtmlElement, pattern: re.Pattern[str], tags: tuple[str, ...]
) -> Iterator[HtmlElement]:
    for el in root.iter(*tags):
        sig = signature(el)
        if sig and matches(pattern, sig):
            yield el


def first(selector: CSSSelector | None, root: HtmlElement) -> HtmlElement | None:
    """The first element a site rule's selector finds that has any text."""
    if selector is None:
        return None
    for el in selector(root):
        if text_of(el):
            return el
    return None
