"""Finding the sapo: the lead paragraph Vietnamese news sets between headline and body."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from feeds.extract.nodes import clean, find_by_class, first, inside, is_junk, link_density, text_of
from feeds.extract.site_rules import SiteRule
from feeds.htmltools import BLOCK_TAGS

_NOT_LEAD = frozenset({"li", "figure", "figcaption", "nav", "footer", "aside", "a"})
_LEAD_CLASS = re.compile(
    r"sapo|chapeau|summary|description|\blead\b|\bintro|excerpt|abstract|tom-?tat|teaser-lead",
    re.I,
)


def lead_element(
    rule: SiteRule | None,
    root: HtmlElement,
    container: HtmlElement,
    title_el: HtmlElement | None,
) -> HtmlElement | None:
    """The sapo element: the rule's, else a sapo-like class after the headline (and not
    past the body: a footer's "description" or a teaser's summary is no sapo), else the
    first sizeable block between headline and body."""
    el = first(rule.lead, root) if rule else None
    if el is not None:
        return el
    order = {node: i for i, node in enumerate(root.iter())}
    start = order.get(title_el, 0) if title_el is not None else 0
    end = order.get(container, len(order)) + sum(1 for _ in container.iter())
    for cand in find_by_class(
        root, _LEAD_CLASS, ("p", "h2", "h3", "div", "span", "strong", "section")
    ):
        if cand is container or inside(container, cand):
            continue
        if not start <= order.get(cand, 0) < end:
            continue
        if any(
            (a.tag in _NOT_LEAD or is_junk(a)) and not inside(container, a)
            for a in cand.iterancestors()
        ):
            continue
        text = text_of(cand)
        if 30 <= len(text) <= 1500 and link_density(cand, len(text)) < 0.3:
            return cand
    return _lead_after_title(root, title_el, container)


def _lead_after_title(
    root: HtmlElement, title_el: HtmlElement | None, container: HtmlElement
) -> HtmlElement | None:
    """Between the headline and the body, the sapo is the first sizeable heading, bold or
    plain paragraph: where every Vietnamese CMS puts it, whatever its classes are called."""
    if title_el is None or inside(title_el, container):
        return None
    seen = 0
    started = False
    for el in root.iter():
        if el is title_el:
            started = True
            continue
        if not started or inside(el, title_el):
            continue
        if el is container:
            return None
        seen += 1
        if seen > 60:
            return None
        if el.tag not in ("p", "div", "h2", "h3", "strong", "b", "section") or inside(
            container, el
        ):
            continue
        text = text_of(el)
        if not 60 <= len(text) <= 1200 or link_density(el, len(text)) > 0.3:
            continue
        if any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el):
            continue
        bold = "".join(b.text_content() for b in el.iter("strong", "b"))
        if el.tag in ("h2", "h3", "p") or len(clean(bold)) >= 0.9 * len(text):
            return el
    return None


def bold_first_paragraph(container: HtmlElement) -> HtmlElement | None:
    """Broadcasters often open the body with the sapo in bold instead of a sapo element."""
    for el in container.iterdescendants("p", "div"):
        text = text_of(el)
        if not text:
            continue
        bold = "".join(b.text_content() for b in el.iterdescendants("strong", "b"))
        if len(text) >= 60 and len(clean(bold)) >= 0.9 * len(text):
            return el
        return None
    return None
