"""Finding the story's container: a known CMS's selector, or the densest prose region.

The generic path scores paragraphs the way readability does (commas and length, credited
to parent and grandparents, discounted by link density), then joins the winner's siblings
that carry article text too: many sites split one story across sibling blocks (a column
per few paragraphs, a block per paragraph) and the densest one alone is a fraction of it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from lxml.html import HtmlElement

from feeds.extract.headline import best_under, page_headline, post_region
from feeds.extract.nodes import (
    GOOD,
    JUNK,
    inside,
    is_thread,
    link_density,
    own_text,
    signature,
    text_len,
    text_of,
    wordy,
)
from feeds.extract.site_rules import RULES, SiteRule, rule_applies
from feeds.htmltools import BLOCK_TAGS

# Blocks no story lives in, whatever else their class says; readability's "unlikely".
UNLIKELY = re.compile(
    r"comment|disqus|consent|cookie|gdpr|popup|modal|newsletter|subscri|sidebar|footer|"
    r"related|recommend|promo|sponsor|advert|\bads?\b|social|share|breadcrumb|\bnav\b|"
    r"navigation|\bmenu\b|pagination|\bpager\b|masthead|\brss\b|tweet|agegate|most-?(?:read|popular)|"
    r"trending|outbrain|taboola|binh-?luan|lien-?quan|tin-?khac|xem-?nhieu|quang-?cao|"
    r"complementary|banner|signup|paywall",
    re.I,
)
# A block that says it is the story is not unlikely, unless it says it is comments.
MAYBE = re.compile(r"article|\bbody|column|\bmain|content|entry|story|post|text|detail", re.I)
_STRONG = re.compile(r"comment|disqus|consent|cookie|gdpr|binh-?luan|outbrain|taboola", re.I)
_SKIP_TAGS = frozenset({"nav", "footer", "aside", "header", "menu"})
_PARA_TAGS = ("p", "pre", "blockquote", "td", "div", "section", "article")
# What a site says about itself in every page's footer or comment box, not a story.
SITE_TEXT = re.compile(
    r"©|\(c\) ?\d{4}|copyright \d{4}|all rights reserved|powered by|is not responsible for "
    r"the content|best viewed|follow any responses|leave a (?:reply|comment)|you must be logged "
    r"in|terms of (?:use|service)|privacy policy|cookie policy|javascript (?:is )?disabled",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?…\"”]\s*$")


@dataclass(slots=True)
class Choice:
    """The story's container and, when siblings were joined, the children of it to drop;
    `top` is the best-scoring block itself, where the sapo search stops."""

    container: HtmlElement
    top: HtmlElement
    unwanted: list[HtmlElement] = field(default_factory=list)
    headed: bool = False  # the winner is the post under the page's headline
    rescued: bool = False  # ... and it beat a blurb elsewhere that outscored it


def match_rule(root: HtmlElement, url: str) -> tuple[SiteRule, HtmlElement] | None:
    """The first layout written for this site (by domain or CMS signature) whose body
    selector finds something, and its largest match."""
    for rule in RULES:
        if not rule_applies(rule, root, url):
            continue
        found = [el for el in rule.body(root) if isinstance(el, HtmlElement)]
        if found:
            return rule, max(found, key=lambda el: len(el.text_content()))
    return None


def is_unlikely(el: HtmlElement) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP_TAGS:
        return True
    sig = signature(el)
    return bool(sig) and _unlikely_signature(sig)


@lru_cache(maxsize=8192)
def _unlikely_signature(sig: str) -> bool:
    """Pages repeat their class names by the hundred: each is read once."""
    if not UNLIKELY.search(sig):
        return False
    return bool(_STRONG.search(sig)) or not MAYBE.search(sig)


_MEMO = threading.local()


def unlikely_map(scope: HtmlElement, *, strict: bool = True) -> dict[HtmlElement, bool]:
    """`_unlikely_map`, remembered for the page this thread is reading: container scoring
    and the paragraph collection both ask for it, strict and lax. A copy: callers add to
    it. Only the last page's maps are kept."""
    memo: list[tuple[HtmlElement, bool, dict[HtmlElement, bool]]] = getattr(_MEMO, "maps", [])
    for seen, was_strict, found in memo:
        if seen is scope and was_strict == strict:
            return dict(found)
    found = _unlikely_map(scope, strict=strict)
    if memo and memo[0][0] is not scope:
        memo = []
    memo.append((scope, strict, found))
    _MEMO.maps = memo
    return dict(found)


def _unlikely_map(scope: HtmlElement, *, strict: bool = True) -> dict[HtmlElement, bool]:
    """Each element of `scope`: is it inside (or itself) a block no story lives in?

    A block holding most of the page's text is a wrapper, whatever its class says
    ("page has-sidebar"), so it is never unlikely; comments are, unless nearly all, and so
    is a block with a text box in it (a comment form and its thread). Not `strict`: only
    the comment forms, for the retry when the strict reading left no story."""
    bad: dict[HtmlElement, bool] = {scope: False}
    total = len(scope.text_content())
    comment_boxes = {ta.getparent() for ta in scope.iter("textarea")}
    for el in scope.iterdescendants():
        parent = el.getparent()
        bad[el] = bad.get(parent, False) if parent is not None else False
        if (el in comment_boxes and el is not scope) or is_thread(el):
            bad[el] = True
        elif strict and not bad[el] and isinstance(el.tag, str) and is_unlikely(el):
            share = len(el.text_content()) / total if total else 0.0
            bad[el] = share < (0.9 if _STRONG.search(signature(el)) else 0.5)
    return bad


def _has_block_child(el: HtmlElement) -> bool:
    return any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS and c.tag != "br" for c in el)


def _paragraph_text(el: HtmlElement) -> str | None:
    """The text `el` contributes as a paragraph, or None when it is only a wrapper."""
    if el.tag in ("p", "pre", "blockquote", "td"):
        return text_of(el)
    return own_text(el) if _has_block_child(el) else text_of(el)


_BR_TAGS = frozenset({"div", "td", "section", "article"})


def _br_lines(el: HtmlElement) -> list[str]:
    """A block written as lines between `<br>`s (blogs, old table layouts) scored as the
    paragraphs a reader sees, as readability does, not as one long paragraph."""
    if sum(1 for c in el if c.tag == "br") < 2:
        return [text_of(el) if el.tag == "td" else (_paragraph_text(el) or "")]
    lines = [el.text or ""]
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br" or tag in BLOCK_TAGS:
            lines.append("")
        else:
            lines[-1] += child.text_content()
        lines[-1] += child.tail or ""
    return [line for line in (" ".join(raw.split()) for raw in lines) if len(line) >= 25]


def _score_paragraphs(scope: HtmlElement, bad: dict[HtmlElement, bool]) -> dict[HtmlElement, float]:
    scores: dict[HtmlElement, float] = {}
    for el in scope.iter(*_PARA_TAGS):
        if bad.get(el, False):
            continue
        text = _paragraph_text(el)
        if text is None or len(text) < 25 or (len(text) < 400 and SITE_TEXT.search(text)):
            continue
        lines = _br_lines(el) if el.tag in _BR_TAGS else [text]
        worth = sum(1 + line.count(",") + min(len(line) // 100, 3) for line in lines)
        score = worth * (1 - link_density(el, len(text)))
        if score <= 0:
            continue
        wrapper = el.tag in ("div", "section", "article") and _has_block_child(el)
        target = el if wrapper else el.getparent()
        for share in (1.0, 0.5, 1 / 6):
            if target is None or target is scope.getparent():
                break
            scores[target] = scores.get(target, 0.0) + score * share
            target = target.getparent()
    return scores


def listings(scope: HtmlElement) -> set[HtmlElement]:
    """Blocks with three or more `<article>` children: a list of posts (related stories,
    an archive), not one story, however much prose the teasers add up to."""
    held: dict[HtmlElement, int] = {}
    for art in scope.iterdescendants("article"):
        parent = art.getparent()
        if parent is not None:
            held[parent] = held.get(parent, 0) + 1
    return {el for el, n in held.items() if n >= 3}


def mark_listings(scope: HtmlElement, bad: dict[HtmlElement, bool]) -> None:
    for listing in listings(scope):
        bad[listing] = True
        for el in listing.iterdescendants():
            bad[el] = True


def _weigh(el: HtmlElement, score: float) -> float:
    sig = signature(el)
    if sig and JUNK.search(sig):
        score *= 0.3
    if sig and GOOD.search(sig):
        score *= 1.5
    return score * (1 - link_density(el, text_len(el)))


_TYPED = frozenset({"text", "email", "search", "password", "tel", ""})


def _has_form(el: HtmlElement) -> bool:
    """A box one types into (a comment or sign-up form), not a story block with a
    play or share button in it."""
    if next(el.iter("textarea", "form"), None) is not None:
        return True
    return any((i.get("type") or "").lower() in _TYPED for i in el.iter("input"))


def _paragraph_like(el: HtmlElement) -> bool:
    """A sibling that reads as a paragraph of the story: readability's test."""
    if el.tag not in ("p", "div", "blockquote", "pre", "h2", "h3", "h4", "ul", "ol", "table"):
        return False
    text = text_of(el)
    density = link_density(el, len(text))
    if len(text) > 80:
        return density < 0.25 and wordy(text)
    return el.tag == "p" and density == 0 and bool(_SENTENCE_END.search(text))


def _element_children(el: HtmlElement) -> list[HtmlElement]:
    return [c for c in el if isinstance(c.tag, str) and c.tag not in ("br", "hr")]


def _lift(top: HtmlElement, scope: HtmlElement) -> HtmlElement:
    """Out of a table's rows to the table, and up through wrappers whose only child the
    winner is, so that its siblings are the story's other blocks, not nothing."""
    while top.tag in ("tbody", "thead", "tfoot", "tr", "td", "th") and top.getparent() is not None:
        top = top.getparent()
    parent = top.getparent()
    while parent is not None and parent is not scope and _wraps(parent, top):
        top, parent = parent, parent.getparent()
    return top


def _wraps(parent: HtmlElement, child: HtmlElement) -> bool:
    """`parent` is only a wrapper of `child`: its one element, or a table or chart with its
    heading (nearly all of the text is the child's)."""
    children = _element_children(parent)
    if len(children) == 1:
        return True
    if child.tag != "table" or parent.tag not in ("div", "section", "figure"):
        return False
    return len(child.text_content()) >= 0.9 * len(parent.text_content())


_CHUNK_SHARE = 0.5
_CHUNK_LEVELS = 2


def _promote(
    best: HtmlElement,
    scores: dict[HtmlElement, float],
    scope: HtmlElement,
    beaten: HtmlElement | None = None,
) -> HtmlElement:
    """Up to the nearest ancestor (a few levels up) that also holds another block scoring
    near the winner: a story cut into chunks, each its own column or grid cell, is read
    whole from where the chunks meet."""
    path: list[HtmlElement] = []
    for anc in best.iterancestors():
        if anc is scope or len(path) >= _CHUNK_LEVELS:
            break
        path.append(anc)
    floor = scores[best] * _CHUNK_SHARE
    lineage = set(path)
    others = [
        cand
        for cand, score in scores.items()
        if score >= floor
        and cand is not best
        and cand not in lineage
        and not inside(cand, best)
        and not (beaten is not None and _kin(cand, beaten))
    ]
    for anc in path:
        if any(inside(cand, anc) for cand in others):
            return anc
    return best


def _kin(a: HtmlElement, b: HtmlElement) -> bool:
    return a is b or inside(a, b) or inside(b, a)


def generic_container(root: HtmlElement) -> Choice | None:
    """The densest prose region, with the sibling blocks that continue its story; read
    again without the unlikely-class filter when that leaves next to no text (a story
    inside a "stickySidebar" wrapper), keeping whichever holds more."""
    strict = _choose(root, strict=True)
    size = _size(strict)
    if size >= _SHORT or (strict is not None and strict.headed):
        return strict
    lax = _choose(root, strict=False)
    return lax if _size(lax) > size else strict


_SHORT = 500


def _size(choice: Choice | None) -> int:
    if choice is None:
        return 0
    unwanted = sum(len(el.text_content()) for el in choice.unwanted)
    return len(choice.container.text_content()) - unwanted


def _choose(root: HtmlElement, *, strict: bool) -> Choice | None:
    body = root.find("body")
    scope = body if body is not None else root
    bad = unlikely_map(scope, strict=strict)
    mark_listings(scope, bad)
    scores = {el: _weigh(el, s) for el, s in _score_paragraphs(scope, bad).items()}
    if not scores:
        return None
    winner = max(scores, key=lambda el: scores[el])
    best, headed = _headed_winner(root, scope, scores, winner)
    # The post chosen over a blurb is not joined up with the blurb it beat.
    beaten = winner if best is not winner else None
    winner = best
    top = _lift(_promote(winner, scores, scope, beaten), scope)
    top_score = max(scores[winner], scores.get(top, 0.0))
    parent = top.getparent()
    if parent is None or top is scope:
        return Choice(top, top, headed=headed, rescued=beaten is not None)
    threshold = max(10.0, top_score * 0.2)
    top_class = top.get("class")
    kept: list[HtmlElement] = []
    unwanted: list[HtmlElement] = []
    for sib in parent:
        if not isinstance(sib.tag, str):
            continue
        if sib is top:
            kept.append(sib)
            continue
        bonus = top_score * 0.2 if top_class and sib.get("class") == top_class else 0.0
        if (
            not bad.get(sib, False)
            and not (top.tag == "article" and sib.tag == "article")  # another post
            and not _has_form(sib)
            and not (beaten is not None and _kin(sib, beaten))
            and (scores.get(sib, 0.0) + bonus >= threshold or _paragraph_like(sib))
        ):
            kept.append(sib)
        else:
            unwanted.append(sib)
    if len(kept) == 1:
        return Choice(top, top, headed=headed, rescued=beaten is not None)
    return Choice(parent, top, unwanted, headed=headed, rescued=beaten is not None)


_SMALL = 50.0
_NEAR = 0.3


def _headed_winner(
    root: HtmlElement, scope: HtmlElement, scores: dict[HtmlElement, float], winner: HtmlElement
) -> tuple[HtmlElement, bool]:
    """On a page of little text, the post under the page's headline rather than a blurb
    elsewhere that outscores it (see feeds/extract/headline.py); and whether the winner
    is that post."""
    head = page_headline(root, scope)
    region = post_region(head, scores, scope) if head is not None else None
    if region is None:
        return winner, False
    if winner is region or inside(winner, region):
        return winner, True
    if inside(region, winner) or scores[winner] >= _SMALL:
        return winner, False
    post = best_under(region, scores)
    if post is None or scores[post] < _NEAR * scores[winner]:
        return winner, False
    return post, True
