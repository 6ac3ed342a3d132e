"""From the story's container to its paragraphs: page chrome out, block edges as breaks."""

from __future__ import annotations

import re

import lxml.etree
from lxml.html import HtmlElement

from feeds.extract.density import SITE_TEXT
from feeds.extract.nodes import (
    clean,
    drop,
    is_hidden,
    is_junk,
    is_thread,
    key,
    link_density,
    text_of,
)
from feeds.extract.site_rules import SiteRule
from feeds.htmltools import BLOCK_TAGS, CHROME_TAGS, image_url

_RELATED_PROMPT = re.compile(
    r"^\s*(?:>>+|đọc thêm|xem thêm|tin liên quan|bài liên quan|tin cùng chuyên mục|"
    r"có thể bạn quan tâm|đọc tiếp|tin khác|read more|see more|see also|also read|"
    r"related(?: articles?| stories| coverage| content| links?)?|don'?t miss|"
    r"recommended(?: for you)?|more from [\w .]{1,30}|you may also like)\s*[:\-–>»]*\s*",
    re.I,
)
# "Published Monday, Nov. 18, 2019", "Updated at 1:23 p.m.": the page's stamp, not prose.
_STAMP = re.compile(
    r"^(?:published|updated|posted|last updated|first published)\b[^.!?]{0,60}\d[^.!?]{0,20}"
    r"(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4})?$",
    re.I,
)
_BOILERPLATE = re.compile(
    r"^\W*(?:chia sẻ|share|tweet|in bài|gửi email|bình luận|thích|trả lời|lưu|quay lại|"
    r"theo dõi .{0,40}trên google news|sao chép liên kết|tặng sao|cỡ chữ.{0,20}|"
    r"advert(?:isement)?|sponsored|share this(?: on| via| article| story)?.{0,20}|"
    r"tags?|comments?|\d+ comments?|join the conversation|tell us what you think|"
    r"(?:story )?continues? (?:below|after advertisement)|scroll to continue.{0,20}|"
    r"print(?:er[- ]friendly(?: version)?| page| this(?: article| story| page)?)?|"
    r"e-?mail(?: this)?(?: article| story| page| to a friend)?|print e-?mail this(?: comment)?|"
    r"top of (?:the )?page|back to (?:the )?(?:top|index)|sponsored links?|"
    r"(?:more )?related (?:stories|articles|links)|read comments? \(\d+\))\W*$",
    re.I,
)
# A blog archive's calendar row: the year, then the months' initials ("2004 J F M A M J").
_CALENDAR = re.compile(r"^\d{4}(?: \w){6,12}$")
_CAPTION_TEXT = re.compile(r"^(?:ảnh|ảnh minh họa|nguồn ảnh|photo|clip|đồ họa)\s*[:.]", re.I)
_SENTENCE_END = re.compile(r"[.!?…:;\"”»'’]\s*$")


def first_image(container: HtmlElement, base: str) -> str | None:
    for img in container.iterdescendants("img"):
        found = image_url(img, base)
        if found:
            return found
    return None


def clean_container(container: HtmlElement, rule: SiteRule | None) -> None:
    """Remove from the body what a reader does not read as the story."""
    if rule is not None and rule.drop is not None:
        drop(rule.drop(container))
    # A block with a text box in it is a comment form and its thread.
    doomed: list[HtmlElement] = [
        box
        for box in (ta.getparent() for ta in container.iterdescendants("textarea"))
        if box is not None and box is not container
    ]
    total = len(container.text_content())
    quoted = _quoted_posts(container)
    for el in container.iterdescendants():
        tag = el.tag if isinstance(el.tag, str) else ""
        if (
            tag in CHROME_TAGS
            or is_thread(el)
            or (
                is_junk(el)
                and el not in quoted
                and (is_hidden(el) or len(el.text_content()) < total / 2)
            )
        ):
            doomed.append(el)
    drop(doomed)
    doomed = [el for el in container.iterdescendants("div", "span") if _photo_box(el)]
    for el in container.iterdescendants("table", "ul", "ol", "div", "section", "p", "dl"):
        text = text_of(el)
        if not text:
            continue
        if (
            el.tag == "table"
            and len(text) < 300
            and next(el.iterdescendants("img"), None) is not None
        ):
            doomed.append(el)
            continue
        links = sum(1 for _ in el.iterdescendants("a"))
        if not links:
            continue
        density = link_density(el, len(text))
        if (
            (el.tag in ("p", "ul", "ol") and density >= 0.9 and len(text) < 300)
            or (el.tag != "p" and links >= 2 and density > 0.5)
            or (len(text) < 600 and _is_related_prompt(text))
        ):
            doomed.append(el)
    for el in container.iterdescendants("p", "h2", "h3", "h4", "div", "strong"):
        # A bare "Don't miss" / "Related" label: it and the list of links it heads go.
        match = _RELATED_PROMPT.match(text_of(el)) if len(text_of(el)) < 40 else None
        if match is None or match.end() < len(text_of(el)):
            continue
        doomed.append(el)
        after = el.getnext()
        if after is not None and after.tag in ("ul", "ol", "p", "div"):
            shown = text_of(after)
            if shown and link_density(after, len(shown)) > 0.5:
                doomed.append(after)
    drop(doomed)


_PHOTO_CLASS = re.compile(r"\b(?:image|img|photo|picture|figure|media)\b", re.I)


def _photo_box(el: HtmlElement) -> bool:
    """A picture with its caption and credit, under a class naming it a photo: the
    caption describes the picture, it is not a paragraph of the story."""
    if not _PHOTO_CLASS.search(el.get("class") or ""):
        return False
    if next(el.iterdescendants("img", "picture"), None) is None:
        return False
    return len(text_of(el)) < 400


_QUOTED_POST = re.compile(r"twitter-tweet|instagram-media|tiktok-embed|fb-post", re.I)


def _quoted_posts(container: HtmlElement) -> set[HtmlElement]:
    """A post the story quotes (a tweet's blockquote) and the embed boxes around it: the
    quote is the story's text even where its wrapper is called "social" or "widget"."""
    kept: set[HtmlElement] = set()
    for bq in container.iterdescendants("blockquote"):
        if _QUOTED_POST.search(bq.get("class") or ""):
            kept.add(bq)
            kept.update(bq.iterdescendants())
            for anc in bq.iterancestors():
                if anc is container or len(anc.text_content()) > 3 * len(bq.text_content()) + 200:
                    break
                kept.add(anc)
    return kept


def _is_related_prompt(text: str) -> bool:
    """ "Xem thêm: <title>" or "ĐỌC THÊM<titles>", but not prose like "Xem thêm về ..."."""
    match = _RELATED_PROMPT.match(text)
    if not match:
        return False
    rest = text[match.end() :]
    return not rest or not rest[0].islower() or match.group().rstrip()[-1:] in ":>»-–"


def blocks(container: HtmlElement) -> list[str]:
    """The container's text as the reader sees paragraphs: a break at every block edge."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = clean("".join(buf))
        buf.clear()
        if text:
            out.append(text)

    for event, el in lxml.etree.iterwalk(container, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS:
                flush()
            if el.text and tag:
                buf.append(el.text)
        else:
            if tag in BLOCK_TAGS:
                flush()
            if el.tail and el is not container:
                buf.append(el.tail)
    flush()
    return out


def _is_byline(text: str) -> bool:
    """A short, capitalised, unpunctuated line: "Mạnh Thành", "Hải Vân (tổng hợp)"."""
    if len(text) > 60 or _SENTENCE_END.search(text):
        return False
    bare = re.sub(r"\([^)]*\)", " ", text)
    words = [w for w in re.findall(r"[^\W\d_][\w.]*", bare)]
    if not 1 <= len(words) <= 6:
        return False
    return all(w[0].isupper() for w in words)


_COMMENTS_HEAD = re.compile(
    r"^(?:\d+ )?(?:reader |user )?comments?(?: \(\d+\))?:?$|^(?:add|post|leave|write) (?:your|a) "
    r"(?:comment|reply)|^have your say|^what you think|^join the (?:discussion|conversation)|"
    r"^report this comment|^(?:ý kiến bạn đọc|bình luận \(\d+\)|gửi bình luận)",
    re.I,
)


def _before_comments(paragraphs: list[str]) -> list[str]:
    """A comment thread that follows the story in the same block starts at its heading
    ("Comments (3)", "Have your say", "Add your comment"): the story ends there."""
    total = sum(len(p) for p in paragraphs)
    seen = 0
    for i, text in enumerate(paragraphs):
        if i and len(text) < 60 and _COMMENTS_HEAD.match(text) and seen >= 0.3 * total:
            return paragraphs[:i]
        seen += len(text)
    return paragraphs


def story_paragraphs(
    paragraphs: list[str], title: str, lead: str, byline: str | None
) -> tuple[list[str], str | None]:
    """The paragraphs that are the story, and a byline signed under it (if any).

    Repeats of the headline, sapo or byline, share/print labels and photo credits go; up
    to two short name lines at the end are the authors, not the story.
    """
    kept: list[str] = []
    repeats = {key(t) for t in (title, lead, byline) if t} - {""}
    for text in paragraphs:
        if key(text) in repeats:
            continue
        if _BOILERPLATE.match(text):
            continue
        if _CAPTION_TEXT.match(text) and len(text) < 200:
            continue
        if len(text) < 90 and _STAMP.match(text):
            continue
        if len(text) < 200 and SITE_TEXT.search(text):  # "© 2012 ...", "follow any responses"
            continue
        if _CALENDAR.match(text):
            continue
        kept.append(text)
    kept = _before_comments(kept)
    trailing: list[str] = []
    while kept and len(trailing) < 2 and _is_byline(kept[-1]):
        trailing.append(kept.pop())
    return kept, trailing[0] if trailing else None
