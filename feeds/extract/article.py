"""One page's parts put together into the story: the order in which they are taken."""

from __future__ import annotations

import re
from dataclasses import replace

import lxml.html
from lxml.html import HtmlElement

from feeds.extract import metadata
from feeds.extract.clean import blocks, clean_container, first_image, story_paragraphs
from feeds.extract.collect import prose_paragraphs, raw_prose, raw_title
from feeds.extract.density import generic_container, match_rule
from feeds.extract.lead import bold_first_paragraph, lead_element
from feeds.extract.nodes import drop, first, inside, key, plain
from feeds.htmltools import PARSE_ERRORS, absolute_url, decode_html, parse_document
from feeds.models import ExtractedArticle


class ExtractionError(Exception):
    """The page has no story we can use; the message says what was missing."""


class _NoBody(ExtractionError):
    """The generic path found no body: the page's raw text is read as a last resort."""


class _RuleFoundNothing(ExtractionError):
    """A rule's container held no story text: the generic extractor gets a chance."""


def extract_article(
    html: bytes | str, url: str, *, encoding: str | None = None
) -> ExtractedArticle:
    """Extract one story; `encoding` is the charset from the HTTP headers, if any."""
    return _extract(html, url, encoding=encoding, use_rules=True)


def extract_generic(
    html: bytes | str, url: str, *, encoding: str | None = None
) -> ExtractedArticle:
    """The same extraction with site rules switched off: what a brand-new layout gets."""
    return _extract(html, url, encoding=encoding, use_rules=False)


def _parse(text: str) -> HtmlElement:
    if not text.strip():
        raise ExtractionError("empty document: no title found, no body found")
    try:
        root = parse_document(text)
        if root.find("body") is None:
            repaired = _close_runaway_title(text)
            if repaired is not None:
                root = parse_document(repaired)
        return root
    except PARSE_ERRORS as exc:
        raise ExtractionError(f"not parseable as HTML ({exc}): no title found") from exc


_TITLE_OPEN = re.compile(r"<title[^>]*>", re.I)
_TITLE_CLOSE = re.compile(r"</title\s*>", re.I)


def _close_runaway_title(text: str) -> str | None:
    """A `<title>` whose end tag is mangled (`</titlevalue=...`) or missing swallows the
    whole page as its text, so the page has no body: close it where its first line or the
    first tag inside it ends."""
    opened = _TITLE_OPEN.search(text)
    if opened is None:
        return None
    start = opened.end()
    closed = _TITLE_CLOSE.search(text, start)
    inner = text[start : closed.start()] if closed else text[start:]
    cut = min((i for i in (inner.find("<"), inner.find("\n", 1)) if i >= 0), default=-1)
    if cut < 0 or (closed is not None and cut == len(inner)):
        return None
    return text[: start + cut] + "</title>" + text[start + cut :]


def _extract(
    html: bytes | str, url: str, *, encoding: str | None, use_rules: bool
) -> ExtractedArticle:
    if not isinstance(html, bytes | str):
        raise ExtractionError(f"expected bytes or str, got {type(html).__name__}: no body found")
    text = decode_html(html, encoding)
    try:
        if not use_rules:
            return _extract_tree(_parse(text), url, use_rules=False)
        try:
            return _extract_tree(_parse(text), url, use_rules=True)
        except _RuleFoundNothing as exc:
            article = _extract_tree(_parse(text), url, use_rules=False)
            return replace(article, warnings=(str(exc), *article.warnings))
    except _NoBody as exc:
        paragraphs = raw_prose(text)
        if not paragraphs:
            raise
        title = raw_title(text) or metadata.fallback_title(
            lxml.html.fromstring("<p></p>"), paragraphs
        )
        return ExtractedArticle(
            title=title,
            lead="",
            paragraphs=tuple(paragraphs),
            warnings=(str(exc), "the page's raw text read for its prose lines"),
        )


def _extract_tree(root: HtmlElement, url: str, *, use_rules: bool) -> ExtractedArticle:
    meta = metadata.read_meta(root)
    drop(el for el in root.iter("script", "style", "noscript", "template"))
    base = absolute_url(meta.base, url) or url
    warnings: list[str] = []

    matched = match_rule(root, url) if use_rules else None
    rule = matched[0] if matched else None
    unwanted: list[HtmlElement] = []
    collected: list[str] = []
    rescued = False
    if matched:
        container: HtmlElement | None = matched[1]
        top = container
    else:
        warnings.append("no site rule matched: generic extraction")
        collected = prose_paragraphs(root)
        choice = generic_container(root)
        container = choice.container if choice else None
        top = choice.top if choice else None
        unwanted = choice.unwanted if choice else []
        rescued = choice.rescued if choice else False
    page_text = root.text_content()  # before any block is dropped; keyed only if needed

    title, title_el = metadata.title(rule, root, meta)
    if container is None:
        if not collected:
            raise _NoBody(
                "no body found: the page has no block of running text"
                + ("" if title else "; no title found")
            )
        container = top = lxml.html.fromstring("<div></div>")
    assert top is not None

    region = container.getparent() if container.getparent() is not None else container
    lead_el = lead_element(rule, root, top, title_el)
    date_el = first(rule.date, root) if rule else None
    if date_el is None:
        date_el = metadata.generic_date_element(root)
    byline_el = metadata.byline_element(rule, region, container)
    byline = plain(byline_el.text_content()) if byline_el is not None else None
    if not byline:
        byline = plain(metadata.ld_str(meta.ld.get("author"), ("name",))) or None

    image = (
        absolute_url(meta.tags.get("og:image"), base)
        or absolute_url(meta.tags.get("twitter:image"), base)
        or absolute_url(metadata.ld_str(meta.ld.get("image")), base)
        or first_image(container, base)
        or absolute_url(meta.tags.get("image_src"), base)
    )
    published = metadata.published(meta, root, date_el)
    if published is None:
        warnings.append("no published time found")

    if lead_el is None:
        lead_el = bold_first_paragraph(top)
    lead = plain(lead_el.text_content()) if lead_el is not None else ""
    body_size = len(container.text_content())
    for el in (title_el, lead_el, date_el, byline_el):
        if el is not None and inside(el, container) and len(el.text_content()) < body_size / 2:
            el.drop_tree()
    drop(unwanted)
    raw = [] if rule is not None else [p for p in blocks(container) if len(p) >= 40]
    clean_container(container, rule)
    paragraphs = blocks(container)
    # A short post under the page's headline is the story, however little of the page's
    # prose it is: the rest is the blurbs it beat.
    if rule is None and not rescued and _much_less(paragraphs, collected):
        warnings.append("container held much less text than the page: paragraphs collected")
        paragraphs = collected

    lead_from_meta = False
    if not lead:
        lead, lead_from_meta = _lead_from_meta(meta, paragraphs, page_text, warnings)

    kept, signed = story_paragraphs(paragraphs, title, lead, byline)
    for last_resort, why in ((collected, "paragraphs collected"), (raw, "container uncleaned")):
        if not kept and last_resort and rule is None:
            warnings.append(f"no story text left after cleaning: {why}")
            kept, signed = story_paragraphs(last_resort, title, lead, byline)
    if kept and lead and not lead_from_meta:
        kept = _without_lead(kept, lead)
    if not kept and lead and not lead_from_meta and rule is None:
        warnings.append("the only text block was taken for the lead: it is the body")
        kept, lead = [lead], ""
    byline = byline or signed
    if not kept:
        if rule is not None:
            raise _RuleFoundNothing(f"site rule {rule.name!r} found no body text")
        raise _NoBody(
            "no body found: no paragraphs of text after removing page chrome"
            + ("" if title else "; no title found")
        )
    if not title:
        title = metadata.fallback_title(root, kept)
        warnings.append("no title on the page (no h1, og:title, JSON-LD headline or <title>)")

    return ExtractedArticle(
        title=title,
        lead=lead,
        paragraphs=tuple(kept),
        image=image,
        published=published,
        canonical_url=(
            absolute_url(meta.canonical, base) or absolute_url(meta.tags.get("og:url"), base)
        ),
        byline=byline or None,
        section=metadata.section(rule, root, meta),
        warnings=tuple(warnings),
        lead_from_meta=lead_from_meta,
    )


def _without_lead(paragraphs: list[str], lead: str) -> list[str]:
    """The body's first paragraph opening with the whole lead (the lead block was also
    read as part of it): the lead is said once, the rest of that paragraph stays."""
    want = key(lead)
    first_key = key(paragraphs[0])
    if not want or not first_key.startswith(want):
        return paragraphs
    seen = 0
    for i, ch in enumerate(paragraphs[0]):
        if seen == len(want):
            rest = paragraphs[0][i:].strip()
            return [rest, *paragraphs[1:]] if key(rest) else paragraphs[1:]
        if key(ch):
            seen += len(key(ch))
    return paragraphs[1:]


def _much_less(paragraphs: list[str], collected: list[str]) -> bool:
    """The chosen container holds a small part of the prose the page's paragraphs hold:
    under a tenth, or under a third and mostly among the collected paragraphs too (so the
    collection continues the container's story rather than telling another)."""
    found = sum(len(p) for p in paragraphs)
    total = sum(len(p) for p in collected)
    if found >= 0.3 * total:
        return False
    if found < 0.1 * total:
        return True
    pool = {key(p) for p in collected}
    shared = sum(len(p) for p in paragraphs if key(p) in pool)
    return shared >= 0.6 * found


def _lead_from_meta(
    meta: metadata.Meta, paragraphs: list[str], page_text: str, warnings: list[str]
) -> tuple[str, bool]:
    """No sapo element: the body's opening paragraph (after at most two labels such as a
    kicker) when the description says it is the sapo (popped from `paragraphs`), else the
    description itself, marked as metadata: it is not a block of the page, and where the
    page shows it, it is already in the body."""
    description = next(
        (
            plain(d)
            for d in (
                meta.tags.get("description"),
                meta.tags.get("og:description"),
                metadata.ld_str(meta.ld.get("description")),
            )
            if d and plain(d)
        ),
        "",
    )
    opening = key(description)[:80]
    for i, text in enumerate(paragraphs[:3]):
        if opening and key(text).startswith(opening):
            return paragraphs.pop(i), False
    if description:
        shown = key(description)[:200] in key(page_text)
        warnings.append(
            "lead taken from the meta description"
            + (" (also shown in the page)" if shown else " (not in the page's text)")
        )
        return description, True
    warnings.append("no lead found")
    return "", False
