"""Finding the story's container: a known CMS's selector, or the densest prose region."""

from __future__ import annotations

from lxml.html import HtmlElement

from feeds.extract.nodes import GOOD, JUNK, link_density, own_text, signature, text_of
from feeds.extract.site_rules import RULES, SiteRule


def match_rule(root: HtmlElement) -> tuple[SiteRule, HtmlElement] | None:
    """The first known layout whose body selector finds something, and its largest match."""
    for rule in RULES:
        found = [el for el in rule.body(root) if isinstance(el, HtmlElement)]
        if found:
            return rule, max(found, key=lambda el: len(el.text_content()))
    return None


def generic_container(root: HtmlElement) -> HtmlElement | None:
    """Score text-bearing blocks and credit their parents: the densest prose region wins."""
    body = root.find("body")
    scope = body if body is not None else root
    scores: dict[HtmlElement, float] = {}
    for el in scope.iter("p", "div", "td", "section", "article", "pre", "blockquote", "span"):
        text = text_of(el) if el.tag in ("p", "pre", "blockquote") else own_text(el)
        if len(text) < 25:
            continue
        density = link_density(el, len(text)) if el.tag == "p" else 0.0
        score = (1 + text.count(",") + min(len(text) // 100, 3)) * (1 - density)
        if score <= 0:
            continue
        target = el if el.tag in ("div", "td", "section", "article") else el.getparent()
        if target is None:
            continue
        scores[target] = scores.get(target, 0.0) + score
        grand = target.getparent()
        if grand is not None and el.tag in ("p", "pre", "blockquote", "span"):
            scores[grand] = scores.get(grand, 0.0) + score / 2
    best: HtmlElement | None = None
    best_score = 0.0
    for el, score in scores.items():
        sig = signature(el)
        if sig and JUNK.search(sig):
            score *= 0.3
        if sig and GOOD.search(sig):
            score *= 1.5
        if el.tag in ("header", "footer", "nav", "aside"):
            score *= 0.2
        text_len = len(text_of(el))
        score *= 1 - link_density(el, text_len)
        if score > best_score:
            best, best_score = el, score
    return best
