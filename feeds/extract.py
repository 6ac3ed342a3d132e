"""Article extraction: an article page's HTML → title, lead, body paragraphs, image, time.

Known CMS layouts (`feeds.site_rules`) are tried first because their containers, sapo
elements and author lines are exact; any other page goes through a density-based
extractor of our own so that a newsroom's new site still yields its story. Pure: no I/O.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from bot.core.text import collapse_spaces, normalize
from feeds.models import ExtractedArticle
from feeds.site_rules import RULES, SiteRule

__all__ = ["ExtractionError", "extract_article", "extract_generic"]

# Viet Nam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact
# for news dates and does not depend on the tz database being installed.
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")


class ExtractionError(Exception):
    """The page has no story we can use; the message says what was missing."""


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


# --------------------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None


def _decode(data: bytes | str, encoding: str | None) -> str:
    if isinstance(data, str):
        text = data
    else:
        text = ""
        for bom, name in _BOMS:
            if data.startswith(bom):
                text = data.decode(name, errors="replace")
                break
        else:
            sniffed = _META_CHARSET.search(data[:8192])
            chosen = _codec(encoding) or _codec(
                sniffed.group(1).decode("ascii") if sniffed else None
            )
            text = data.decode(chosen or "utf-8", errors="replace")
    return _BAD_CHARS.sub("", _XML_DECL.sub("", text, count=1))


def _parse(text: str) -> HtmlElement:
    if not text.strip():
        raise ExtractionError("empty document: no title found, no body found")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"not parseable as HTML ({exc}): no title found") from exc
    if not isinstance(root, HtmlElement):
        raise ExtractionError("not an HTML document: no title found")
    return root


# --------------------------------------------------------------------------- text helpers

_MARKUP_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_MARKUP_TAG = re.compile(r"</?[A-Za-z][^<>]{0,300}>")


def _clean(text: str | None) -> str:
    return collapse_spaces(normalize(text or ""))


def _plain(text: str | None) -> str:
    """Text that should never hold markup (titles, leads from meta): literal tags go."""
    return _clean(_MARKUP_TAG.sub(" ", _MARKUP_SCRIPT.sub(" ", text or "")))


def _text(el: HtmlElement) -> str:
    return _clean(el.text_content())


def _same(a: str, b: str) -> bool:
    return bool(a) and _key(a) == _key(b)


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


# --------------------------------------------------------------------------- metadata


@dataclass(slots=True)
class _Meta:
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


def _read_meta(root: HtmlElement) -> _Meta:
    meta = _Meta()
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if key and content and key not in meta.tags:
            meta.tags[key] = content
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


def _ld_str(value: Any, keys: tuple[str, ...] = ("url", "contentUrl", "name", "@id")) -> str | None:
    """JSON-LD values may be a string, an object with a name/url, or a list of either."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return _ld_str(value[0], keys)
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


# --------------------------------------------------------------------------- dates

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_HM = re.compile(r"(?<![\d/.])(\d{1,2})\s*[:hg]\s*(\d{2})(?!\d)")
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)


def _aware(dt: datetime) -> datetime | None:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=VIETNAM_TZ)
    return dt if 1990 <= dt.year <= 2100 else None


def _parse_iso(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        return _aware(
            datetime.fromisoformat(value.replace(" ", "T", 1) if " " in value[:11] else value)
        )
    except ValueError:
        return _parse_vn_date(value)


def _parse_vn_date(text: str) -> datetime | None:
    """Vietnamese page dates: "Thứ bảy, 25/02/2023 - 08:54", "10:00, 22/1/2024 (GMT+7)"."""
    date = _DMY.search(text)
    if date:
        day, month, year = int(date.group(1)), int(date.group(2)), int(date.group(3))
    else:
        date = _YMD.search(text)
        if not date:
            return None
        year, month, day = int(date.group(1)), int(date.group(2)), int(date.group(3))
    rest = text[: date.start()] + " " + text[date.end() :]
    hour = minute = 0
    for match in _HM.finditer(rest):
        h, m = int(match.group(1)), int(match.group(2))
        if h < 24 and m < 60:
            hour, minute = h, m
            break
    tz = VIETNAM_TZ
    offset = _GMT.search(text)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        hours, minutes = int(offset.group(2)), int(offset.group(3) or 0)
        if hours <= 14 and minutes < 60:
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return _aware(datetime(year, month, day, hour, minute, tzinfo=tz))
    except ValueError:
        return None


def _date_from_element(el: HtmlElement) -> datetime | None:
    for node in [el, *el.iterdescendants("time")]:
        stamp = node.get("datetime") or node.get("content")
        if stamp:
            parsed = _parse_iso(stamp)
            if parsed:
                return parsed
    return _parse_vn_date(_text(el))


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


def _published(meta: _Meta, root: HtmlElement, date_el: HtmlElement | None) -> datetime | None:
    for key in _DATE_META_KEYS:
        if key in meta.tags:
            parsed = _parse_iso(meta.tags[key])
            if parsed:
                return parsed
    for el in root.iterdescendants("time"):
        if (el.get("itemprop") or "").lower() == "datepublished" and el.get("datetime"):
            parsed = _parse_iso(el.get("datetime") or "")
            if parsed:
                return parsed
    ld_date = meta.ld.get("datePublished")
    if isinstance(ld_date, str):
        parsed = _parse_iso(ld_date)
        if parsed:
            return parsed
    return _date_from_element(date_el) if date_el is not None else None


# --------------------------------------------------------------------------- urls


def _absolute(href: str | None, base: str) -> str | None:
    if not href:
        return None
    href = href.strip()
    try:
        resolved = urljoin(base, href)
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https") or any(c in resolved for c in "\n\r\t <>\"'"):
        return None
    return resolved


# --------------------------------------------------------------------------- cleaning

_DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "object", "embed", "video",
        "audio", "source", "svg", "canvas", "map", "input", "textarea", "select", "option",
        "button", "label", "form", "figure", "figcaption", "aside", "nav",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "table", "tbody", "thead", "tfoot", "td", "th", "tr", "ul", "br",
    }
)  # fmt: skip
_JUNK = re.compile(
    r"comment|binh-?luan|relate|lien-?quan|readmore|read-more|doc-?them|xem-?them|share|"
    r"social|sharing|like-?box|\btags?\b|keyword|tu-?khoa|banner|advert|\bads?\b|\bqc\b|"
    r"quang-?cao|sponsor|sidebar|widget|breadcrumb|\bmenu\b|\bnav\b|navigation|footer|"
    r"toolbar|\btools?\b|\bprint|rating|\bvote|newsletter|subscribe|popup|modal|caption|"
    r"(?:image|img|photo|pic)[-_]?(?:desc|note|title)|author|byline|other-?news|"
    r"tin-?khac|box-?category|most-?read|xem-?nhieu|doc-?nhieu|recommend|suggest|"
    r"list-?news|complementary",
    re.I,
)
_GOOD = re.compile(
    r"article|content|detail|body|entry|\bmain\b|post|story|\btext|fck|noi-?dung|"
    r"chi-?tiet|bai-?viet|news-?detail",
    re.I,
)
_LEAD_CLASS = re.compile(
    r"sapo|chapeau|summary|description|\blead\b|\bintro|excerpt|abstract|tom-?tat|teaser-lead",
    re.I,
)
_AUTHOR_CLASS = re.compile(r"author|byline|tac-?gia|writer", re.I)
_DATE_CLASS = re.compile(r"date|time|publish|ngay-?dang|\bngay\b", re.I)
_SECTION_CLASS = re.compile(r"breadcrumb|\bcate|category|chuyen-?muc", re.I)
_RELATED_PROMPT = re.compile(
    r"^\s*(?:>>+|đọc thêm|xem thêm|tin liên quan|bài liên quan|tin cùng chuyên mục|"
    r"có thể bạn quan tâm|đọc tiếp|tin khác)\s*[:\-–>»]*\s*",
    re.I,
)
_BOILERPLATE = re.compile(
    r"^(?:chia sẻ|share|tweet|in bài|gửi email|bình luận|thích|trả lời|lưu|quay lại|"
    r"theo dõi .{0,40}trên google news|sao chép liên kết|tặng sao|cỡ chữ.{0,20})\W*$",
    re.I,
)
_CAPTION_TEXT = re.compile(r"^(?:ảnh|ảnh minh họa|nguồn ảnh|photo|clip|đồ họa)\s*[:.]", re.I)
_SENTENCE_END = re.compile(r"[.!?…:;\"”»'’]\s*$")


def _signature(el: HtmlElement) -> str:
    parts = (el.get(attr) for attr in ("class", "id", "data-campaign", "type", "role"))
    return " ".join(p for p in parts if p)


def _is_junk(el: HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or el.get("hidden") is not None:
        return True
    sig = _signature(el)
    return bool(sig) and bool(_JUNK.search(sig))


def _link_density(el: HtmlElement, text_len: int) -> float:
    if text_len == 0:
        return 0.0
    linked = sum(len(_clean(a.text_content())) for a in el.iterdescendants("a"))
    return min(1.0, linked / text_len)


def _inside(el: HtmlElement, ancestor: HtmlElement) -> bool:
    return any(a is ancestor for a in el.iterancestors())


def _drop(elements: Iterable[HtmlElement]) -> None:
    for el in list(elements):
        if el.getparent() is not None:
            el.drop_tree()


def _first_image(container: HtmlElement, base: str) -> str | None:
    for img in container.iterdescendants("img"):
        for attr in ("data-src", "data-original", "data-lazy-src", "src"):
            src = img.get(attr)
            if src and not src.strip().lower().startswith("data:"):
                resolved = _absolute(src, base)
                if resolved:
                    return resolved
    return None


def _clean_container(container: HtmlElement, rule: SiteRule | None) -> None:
    """Remove from the body what a reader does not read as the story."""
    if rule is not None and rule.drop is not None:
        _drop(rule.drop(container))
    doomed: list[HtmlElement] = []
    for el in container.iterdescendants():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP_TAGS or _is_junk(el):
            doomed.append(el)
    _drop(doomed)
    doomed = []
    for el in container.iterdescendants("table", "ul", "ol", "div", "section", "p", "dl"):
        text = _text(el)
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
        density = _link_density(el, len(text))
        if (
            (el.tag == "p" and density >= 0.9 and len(text) < 300)
            or (el.tag != "p" and links >= 2 and density > 0.5)
            or (len(text) < 600 and _is_related_prompt(text))
        ):
            doomed.append(el)
    _drop(doomed)


def _is_related_prompt(text: str) -> bool:
    """ "Xem thêm: <title>" or "ĐỌC THÊM<titles>", but not prose like "Xem thêm về ..."."""
    match = _RELATED_PROMPT.match(text)
    if not match:
        return False
    rest = text[match.end() :]
    return not rest or not rest[0].islower() or match.group().rstrip()[-1:] in ":>»-–"


def _blocks(container: HtmlElement) -> list[str]:
    """The container's text as the reader sees paragraphs: a break at every block edge."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = _clean("".join(buf))
        buf.clear()
        if text:
            out.append(text)

    for event, el in lxml.etree.iterwalk(container, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                flush()
            if el.text and tag:
                buf.append(el.text)
        else:
            if tag in _BLOCK_TAGS:
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


# --------------------------------------------------------------------------- generic layout


def _own_text(el: HtmlElement) -> str:
    parts = [el.text or ""]
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in _BLOCK_TAGS:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return _clean("".join(parts))


def _generic_container(root: HtmlElement) -> HtmlElement | None:
    """Score text-bearing blocks and credit their parents: the densest prose region wins."""
    body = root.find("body")
    scope = body if body is not None else root
    scores: dict[HtmlElement, float] = {}
    for el in scope.iter("p", "div", "td", "section", "article", "pre", "blockquote", "span"):
        text = _text(el) if el.tag in ("p", "pre", "blockquote") else _own_text(el)
        if len(text) < 25:
            continue
        density = _link_density(el, len(text)) if el.tag == "p" else 0.0
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
        sig = _signature(el)
        if sig and _JUNK.search(sig):
            score *= 0.3
        if sig and _GOOD.search(sig):
            score *= 1.5
        if el.tag in ("header", "footer", "nav", "aside"):
            score *= 0.2
        text_len = len(_text(el))
        score *= 1 - _link_density(el, text_len)
        if score > best_score:
            best, best_score = el, score
    return best


def _find_generic(
    root: HtmlElement, pattern: re.Pattern[str], tags: tuple[str, ...]
) -> Iterator[HtmlElement]:
    for el in root.iter(*tags):
        sig = _signature(el)
        if sig and pattern.search(sig):
            yield el


def _generic_date_element(root: HtmlElement) -> HtmlElement | None:
    """A short element whose class says date/time and whose text parses as one."""
    for el in root.iter("time"):
        if el.get("datetime") and _parse_iso(el.get("datetime") or ""):
            return el
    for el in _find_generic(root, _DATE_CLASS, ("div", "span", "p", "time", "li")):
        text = _text(el)
        if len(text) <= 120 and _parse_vn_date(text):
            return el
    return None


# --------------------------------------------------------------------------- assembly


def _first(selector: CSSSelector | None, root: HtmlElement) -> HtmlElement | None:
    if selector is None:
        return None
    for el in selector(root):
        if _text(el):
            return el
    return None


def _match_rule(root: HtmlElement) -> tuple[SiteRule, HtmlElement] | None:
    for rule in RULES:
        found = [el for el in rule.body(root) if isinstance(el, HtmlElement)]
        if found:
            return rule, max(found, key=lambda el: len(el.text_content()))
    return None


def _title_from_tag(title: str, site_name: str | None) -> str:
    text = _plain(title)
    if site_name and text.endswith(site_name):
        text = text[: -len(site_name)].rstrip(" -|–—:")
    parts = re.split(r"\s+[-|–—]\s+", text)
    if len(parts) > 1 and len(parts[-1]) <= 40 and len(" - ".join(parts[:-1])) >= 5:
        text = " - ".join(parts[:-1])
    return text


def _title(rule: SiteRule | None, root: HtmlElement, meta: _Meta) -> tuple[str, HtmlElement | None]:
    """The visible headline when we can tell which it is, else the page's declared one."""
    el = _first(rule.title, root) if rule else None
    if el is not None:
        return _plain(el.text_content()), el
    headings = [(h, _plain(h.text_content())) for h in root.iter("h1")]
    site_name = _plain(meta.tags.get("og:site_name"))
    for candidate in (
        meta.tags.get("og:title"),
        _ld_str(meta.ld.get("headline"), ("name",)),
        meta.tags.get("twitter:title"),
    ):
        text = _plain(candidate)
        if not text:
            continue
        for h1, h1_text in headings:
            if len(h1_text) >= 10 and _key(text).startswith(_key(h1_text)):
                return h1_text, h1
        if site_name and text.endswith(site_name) and len(text) > len(site_name) + 5:
            text = text[: -len(site_name)].rstrip(" -|–—:")
        return text, None
    for h1, h1_text in headings:
        if len(h1_text) >= 10:
            return h1_text, h1
    return _title_from_tag(meta.title_tag, site_name), None


def _lead_element(
    rule: SiteRule | None,
    root: HtmlElement,
    container: HtmlElement,
    title_el: HtmlElement | None,
) -> HtmlElement | None:
    """The sapo element: the rule's, else a sapo-like class after the headline, else the
    first sizeable block between headline and body."""
    el = _first(rule.lead, root) if rule else None
    if el is not None:
        return el
    order = {node: i for i, node in enumerate(root.iter())} if title_el is not None else {}
    for cand in _find_generic(
        root, _LEAD_CLASS, ("p", "h2", "h3", "div", "span", "strong", "section")
    ):
        if cand is container or _inside(container, cand):
            continue
        if order and order.get(cand, 0) < order.get(title_el, 0):
            continue
        if any(
            (a.tag == "li" or _is_junk(a)) and not _inside(container, a)
            for a in cand.iterancestors()
        ):
            continue
        if len(_text(cand)) >= 30:
            return cand
    return _lead_after_title(root, title_el, container)


def _lead_after_title(
    root: HtmlElement, title_el: HtmlElement | None, container: HtmlElement
) -> HtmlElement | None:
    """Between the headline and the body, the sapo is the first sizeable heading, bold or
    plain paragraph: where every Vietnamese CMS puts it, whatever its classes are called."""
    if title_el is None or _inside(title_el, container):
        return None
    seen = 0
    started = False
    for el in root.iter():
        if el is title_el:
            started = True
            continue
        if not started or _inside(el, title_el):
            continue
        if el is container:
            return None
        seen += 1
        if seen > 60:
            return None
        if el.tag not in ("p", "div", "h2", "h3", "strong", "b", "section") or _inside(
            container, el
        ):
            continue
        text = _text(el)
        if not 60 <= len(text) <= 1200 or _link_density(el, len(text)) > 0.3:
            continue
        if any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in el):
            continue
        bold = "".join(b.text_content() for b in el.iter("strong", "b"))
        if el.tag in ("h2", "h3", "p") or len(_clean(bold)) >= 0.9 * len(text):
            return el
    return None


def _bold_first_paragraph(container: HtmlElement) -> HtmlElement | None:
    """Broadcasters often open the body with the sapo in bold instead of a sapo element."""
    for el in container.iterdescendants("p", "div"):
        text = _text(el)
        if not text:
            continue
        bold = "".join(b.text_content() for b in el.iterdescendants("strong", "b"))
        if len(text) >= 60 and len(_clean(bold)) >= 0.9 * len(text):
            return el
        return None
    return None


def _byline_element(
    rule: SiteRule | None, region: HtmlElement, container: HtmlElement
) -> HtmlElement | None:
    el = _first(rule.author, region) if rule else None
    if el is not None and len(_text(el)) <= 80:
        return el
    for cand in _find_generic(
        region, _AUTHOR_CLASS, ("p", "div", "span", "a", "strong", "address")
    ):
        if "comment" in _signature(cand).lower() or any(
            _JUNK.search(_signature(a)) and "author" not in _signature(a)
            for a in cand.iterancestors()
            if a is not region and not _inside(region, a)
        ):
            continue
        text = _text(cand)
        if 0 < len(text) <= 80:
            return cand
    return None


def _section(rule: SiteRule | None, root: HtmlElement, meta: _Meta) -> str | None:
    if rule is not None and rule.section is not None:
        found = [el for el in rule.section(root) if _text(el)]
        if found:
            return _text(found[-1])
    for candidate in (
        meta.tags.get("article:section"),
        _ld_str(meta.ld.get("articleSection"), ("name",)),
    ):
        if candidate and _clean(candidate):
            return _clean(candidate)
    for crumb in _find_generic(root, _SECTION_CLASS, ("div", "ul", "ol", "nav", "a", "p")):
        links = [_text(a) for a in crumb.iter("a") if _text(a)]
        if links and len(links[-1]) <= 40:
            return links[-1]
    return None


def _extract(
    html: bytes | str, url: str, *, encoding: str | None, use_rules: bool
) -> ExtractedArticle:
    if not isinstance(html, bytes | str):
        raise ExtractionError(f"expected bytes or str, got {type(html).__name__}: no body found")
    text = _decode(html, encoding)
    if not use_rules:
        return _extract_tree(_parse(text), url, use_rules=False)
    try:
        return _extract_tree(_parse(text), url, use_rules=True)
    except _RuleFoundNothing as exc:
        article = _extract_tree(_parse(text), url, use_rules=False)
        return replace(article, warnings=(str(exc), *article.warnings))


class _RuleFoundNothing(ExtractionError):
    """A rule's container held no story text: the generic extractor gets a chance."""


def _extract_tree(root: HtmlElement, url: str, *, use_rules: bool) -> ExtractedArticle:
    meta = _read_meta(root)
    _drop(el for el in root.iter("script", "style", "noscript", "template"))
    base = _absolute(meta.base, url) or url
    warnings: list[str] = []

    matched = _match_rule(root) if use_rules else None
    rule = matched[0] if matched else None
    container = matched[1] if matched else _generic_container(root)
    if rule is None:
        warnings.append("no site rule matched: generic extraction")

    title, title_el = _title(rule, root, meta)
    if not title:
        raise ExtractionError("no title found (no h1, og:title, JSON-LD headline or <title>)")
    if container is None:
        raise ExtractionError("no body found: the page has no block of running text")

    region = container.getparent() if container.getparent() is not None else container
    lead_el = _lead_element(rule, root, container, title_el)
    date_el = _first(rule.date, root) if rule else None
    if date_el is None:
        date_el = _generic_date_element(root)
    byline_el = _byline_element(rule, region, container)
    byline = _plain(byline_el.text_content()) if byline_el is not None else None
    if not byline:
        byline = _plain(_ld_str(meta.ld.get("author"), ("name",))) or None

    image = (
        _absolute(meta.tags.get("og:image"), base)
        or _absolute(meta.tags.get("twitter:image"), base)
        or _absolute(_ld_str(meta.ld.get("image")), base)
        or _first_image(container, base)
        or _absolute(meta.tags.get("image_src"), base)
    )
    published = _published(meta, root, date_el)
    if published is None:
        warnings.append("no published time found")

    if lead_el is None:
        lead_el = _bold_first_paragraph(container)
    lead = _plain(lead_el.text_content()) if lead_el is not None else ""
    body_size = len(container.text_content())
    for el in (title_el, lead_el, date_el, byline_el):
        if el is not None and _inside(el, container) and len(el.text_content()) < body_size / 2:
            el.drop_tree()
    _clean_container(container, rule)
    paragraphs = _blocks(container)

    if not lead:
        description = next(
            (
                _plain(d)
                for d in (
                    meta.tags.get("description"),
                    meta.tags.get("og:description"),
                    _ld_str(meta.ld.get("description")),
                )
                if d and _plain(d)
            ),
            "",
        )
        if description and paragraphs and _key(paragraphs[0]).startswith(_key(description)[:80]):
            lead = paragraphs.pop(0)
        elif description:
            lead = description
            warnings.append("lead taken from the meta description")
        else:
            warnings.append("no lead found")

    kept: list[str] = []
    for text in paragraphs:
        if _same(text, title) or _same(text, lead) or (byline and _same(text, byline)):
            continue
        if _BOILERPLATE.match(text):
            continue
        if _CAPTION_TEXT.match(text) and len(text) < 200:
            continue
        kept.append(text)
    trailing: list[str] = []
    while kept and len(trailing) < 2 and _is_byline(kept[-1]):
        trailing.append(kept.pop())
    if not byline and trailing:
        byline = trailing[0]
    if not kept:
        if rule is not None:
            raise _RuleFoundNothing(f"site rule {rule.name!r} found no body text")
        raise ExtractionError("no body found: no paragraphs of text after removing page chrome")

    return ExtractedArticle(
        title=title,
        lead=lead,
        paragraphs=tuple(kept),
        image=image,
        published=published,
        canonical_url=_absolute(meta.canonical, base) or _absolute(meta.tags.get("og:url"), base),
        byline=byline or None,
        section=_section(rule, root, meta),
        warnings=tuple(warnings),
    )
