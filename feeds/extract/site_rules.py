"""Known Vietnamese news CMS layouts, as CSS selectors.

A rule applies only where it was written for: on its newsrooms' domains, or on a
Vietnamese page (a .vn host or lang="vi") that carries the CMS's signature markup, since
provincial broadcasters and dailies share a handful of CMS products. Class names such as
`detail-content` or `#maincontent` are common the world over: matched on a foreign page
they take the wrong block, so anything else goes to the generic extractor.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement


@dataclass(frozen=True, slots=True)
class SiteRule:
    """Where one CMS puts each part of a story; `body` is what identifies the CMS."""

    name: str
    body: CSSSelector
    title: CSSSelector | None = None
    lead: CSSSelector | None = None
    date: CSSSelector | None = None
    author: CSSSelector | None = None
    section: CSSSelector | None = None
    drop: CSSSelector | None = None
    domains: tuple[str, ...] = ()
    cms: CSSSelector | None = None


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def rule_applies(rule: SiteRule, root: HtmlElement, url: str) -> bool:
    """On the rule's own domains, or on a Vietnamese page bearing its CMS's signature."""
    host = _host(url)
    if any(host == d or host.endswith("." + d) for d in rule.domains):
        return True
    if rule.cms is None:
        return False
    vietnamese = host.endswith(".vn") or (root.get("lang") or "").lower().startswith("vi")
    return vietnamese and bool(rule.cms(root))


def _css(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


def _rule(
    name: str,
    body: str,
    *,
    title: str | None = None,
    lead: str | None = None,
    date: str | None = None,
    author: str | None = None,
    section: str | None = None,
    drop: str | None = None,
    domains: tuple[str, ...] = (),
    cms: str | None = None,
) -> SiteRule:
    return SiteRule(
        name=name,
        body=_css(body),
        title=_css(title) if title else None,
        lead=_css(lead) if lead else None,
        date=_css(date) if date else None,
        author=_css(author) if author else None,
        section=_css(section) if section else None,
        drop=_css(drop) if drop else None,
        domains=domains,
        cms=_css(cms) if cms else None,
    )


RULES: tuple[SiteRule, ...] = (
    # VnExpress and the many sites that copied its markup.
    _rule(
        "vnexpress",
        "article.fck_detail",
        title="h1.title-detail",
        lead="p.description",
        date="span.date, .header-content .date",
        author="p.author_mail, p.author",
        section="ul.breadcrumb li a",
        drop="ul.list-news, figure, .box-tinlienquanv2, .box_brief_info",
        domains=("vnexpress.net",),
        cms="article.fck_detail",
    ),
    # The CMS behind Tuổi Trẻ, Thanh Niên and other dailies (detail-* classes).
    _rule(
        "tuoitre",
        "div.detail-content, div.detail__content",
        title="h1.detail-title, h1.article-title, h1.detail__title",
        lead="h2.detail-sapo, .detail__summary, .detail-sapo",
        date=".detail-time, .detail__meta time, [data-role='publishdate']",
        author=".detail-author, .author-info .name, .detail__author",
        section=".detail-cate a, a.detail-cate, .detail-cate",
        drop=(
            "[type='RelatedNewsBox'], .VCSortableInPreviewMode[type], .relatedbox, "
            "figure, .kbwscwl-relatedbox"
        ),
        domains=("tuoitre.vn", "thanhnien.vn", "nld.com.vn", "cafef.vn", "soha.vn", "kenh14.vn"),
        cms=".detail__cmain, .detail-cmain, [data-role='publishdate']",
    ),
    # Dân Trí.
    _rule(
        "dantri",
        "div.singular-content",
        title="h1.title-page, h1.e-magazine__title",
        lead="h2.singular-sapo",
        date="time.author-time",
        author=".author-name",
        drop="figure, article.article-related",
        domains=("dantri.com.vn",),
        cms="div.singular-container, article.singular-container",
    ),
    # Znews.
    _rule(
        "znews",
        "div.the-article-body",
        title="h1.the-article-title",
        lead="p.the-article-summary",
        date="li.the-article-publish",
        author=".the-article-author",
        section=".the-article-category a",
        drop="figure, table.picture, .inner-article",
        domains=("znews.vn", "zingnews.vn"),
        cms="div.the-article-body",
    ),
    # VietNamNet.
    _rule(
        "vietnamnet",
        "div.maincontent, div#maincontent",
        title="h1.content-detail-title",
        lead="h2.content-detail-sapo",
        date=".bread-crumb-detail__time",
        author=".article-detail-author__info .name",
        drop="figure, .article-relate",
        domains=("vietnamnet.vn",),
        cms="h1.content-detail-title",
    ),
    # The ASP.NET CMS of provincial radio-TV stations (Lâm Đồng TV and others):
    # div.news-detail holding h1.title, div.date, div.sapo, div.content.
    _rule(
        "broadcaster",
        ".news-detail .content, .news-detail .detail-content, .news-detail .news-content",
        title=".news-detail h1, .news-detail .title",
        lead=".news-detail .sapo, .news-detail .summary",
        date=".news-detail .date, .news-detail .time",
        author=".news-detail .author",
        section=".breadcrumb a",
        drop="table.image, .image_desc, .video",
        domains=("lamdongtv.vn",),
        cms="form#aspnetForm .news-detail, .news-detail > .sapo",
    ),
)
