"""The post under the page's own headline: where a short story sits on a blog page.

On a page of little text a sidebar blurb (the author's profile, a widget, a credits
note) can outscore a two-line post. The post is the block under the heading that repeats
the page's title, as a reader finds it: the scorer prefers it there over a blurb
elsewhere, as long as it scores near the blurb.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from feeds.extract.nodes import inside, key, signature, text_of

_LEVELS = 3
_LEAST = 8


def page_headline(root: HtmlElement, scope: HtmlElement) -> HtmlElement | None:
    """The first `<h1>`, else `<h2>`, else `<h3>` of `scope` whose text is the page's
    `<title>` or og:title (or the start of it, before the site's name)."""
    titles = [key(t.text_content()) for t in root.iter("title")]
    titles += [
        key(m.get("content") or "") for m in root.iter("meta") if m.get("property") == "og:title"
    ]
    titles = [t for t in titles if t]
    if not titles:
        return None
    for tag in ("h1", "h2", "h3"):
        for head in scope.iter(tag):
            wanted = key(text_of(head))
            if len(wanted) < _LEAST or not any(_heads(wanted, t) for t in titles):
                continue
            if not _site_name(head):
                return head
    return None


_SHARE = 0.35


def _heads(heading: str, title: str) -> bool:
    """The heading is the title, or most of it beside the site's name: a sidebar's
    "The AWS Report" is not the headline of "Blog: The AWS Report - John Smiley on ..."."""
    return heading in title and len(heading) >= _SHARE * len(title)


_MASTHEAD = re.compile(
    r"(?:^|\s)(?:header|site-?header|page-?header|masthead|branding|logo|site-?(?:title|name)|"
    r"banner)(?:\s|$)",
    re.I,
)
_POST_TAGS = frozenset({"article", "main"})


def _site_name(head: HtmlElement) -> bool:
    """The site's name over every page ("Blog name: post title" is the `<title>`): in
    the page's header, or a link to the home page."""
    lineage = list(head.iterancestors())
    if not any(anc.tag in _POST_TAGS for anc in lineage) and any(
        anc.tag == "header" or _MASTHEAD.search(signature(anc)) for anc in lineage
    ):
        return True
    links = list(head.iter("a"))
    return len(links) == 1 and urlsplit(links[0].get("href") or "").path in ("", "/")


def post_region(
    head: HtmlElement, scores: dict[HtmlElement, float], scope: HtmlElement
) -> HtmlElement | None:
    """The nearest ancestor of the headline (a few levels up) that holds a scored block:
    the post the headline heads."""
    for level, anc in enumerate(head.iterancestors()):
        if anc is scope or level >= _LEVELS:
            return None
        if any(cand is not anc and inside(cand, anc) for cand in scores):
            return anc
    return None


def best_under(region: HtmlElement, scores: dict[HtmlElement, float]) -> HtmlElement | None:
    held = [cand for cand in scores if cand is region or inside(cand, region)]
    return max(held, key=lambda cand: scores[cand], default=None)
