"""The generic extractor on layouts of foreign news sites: sibling blocks, fallback, site
rules kept to their own sites, and a lead the page does not show."""

from __future__ import annotations

from feeds.extract import extract_article, extract_generic

URL = "https://news.example.com/2024/05/03/story.html"
TITLE = "Council approves the new riverside park after a long debate"
PARAS = [
    f"Paragraph {i} of the story, with a comma, another clause, and enough words to read "
    f"as prose that a reporter wrote about the council vote number {i}."
    for i in range(1, 9)
]


def page(head: str = "", body: str = "") -> str:
    return f"<html><head><title>{TITLE}</title>{head}</head><body>{body}</body></html>"


def teaser_list(n: int = 6) -> str:
    items = "".join(
        f"<li><a href='/t{i}'>Another headline number {i} here</a></li>" for i in range(n)
    )
    return f"<ul class='more'>{items}</ul>"


def test_story_split_across_sibling_columns_is_joined() -> None:
    """One column per few paragraphs, as some national dailies lay a story out."""
    columns = "".join(
        f"<div class='col'><p>{PARAS[i]}</p><p>{PARAS[i + 1]}</p></div>" for i in range(0, 8, 2)
    )
    html = page(
        body=f"<h1>{TITLE}</h1><section class='story'>{columns}"
        f"<div class='promo'>{teaser_list()}</div></section>"
    )
    article = extract_generic(html, URL)
    assert article.paragraphs == tuple(PARAS)
    assert "Another headline" not in article.body


def test_paragraph_blocks_as_siblings_are_joined() -> None:
    """A div per paragraph, one inside a wrapper with an ad, the rest loose beside it."""
    first = f"<div class='wrap'><div class='para'>{PARAS[0]}</div><div class='para'>{PARAS[1]}</div></div>"
    loose = "".join(f"<div class='para'>{p}</div>" for p in PARAS[2:])
    html = page(body=f"<h1>{TITLE}</h1><div class='body'>{first}{loose}</div>")
    article = extract_generic(html, URL)
    assert article.paragraphs == tuple(PARAS)


def test_densest_block_being_a_teaser_falls_back_to_collected_paragraphs() -> None:
    """The story's paragraphs have no common scored wrapper: a blurb box wins the
    scoring, and the paragraph collection recovers the story instead of a fragment."""
    blurb = "<div class='box'><p>" + ", ".join(["Blurb, with commas"] * 10) + "</p></div>"
    story = "".join(f"<div><div><div><p>{p}</p></div></div></div>" for p in PARAS * 2)
    html = page(
        body=f"<h1>{TITLE}</h1><div class='x'>{blurb}<div>{teaser_list()}</div></div>"
        f"<div class='y'>{story}</div>"
    )
    article = extract_generic(html, URL)
    for para in PARAS:
        assert para in article.paragraphs
    assert any("paragraphs collected" in w for w in article.warnings)


def test_page_whose_only_text_is_in_a_comment_like_wrapper_still_extracts() -> None:
    """Every block carries a chrome-sounding class: no page of prose comes back empty."""
    inner = "".join(f"<p>{p}</p>" for p in PARAS[:3])
    html = page(
        body=f"<h1>{TITLE}</h1><div class='layout has-sidebar'><div class='read-more-wrap'>{inner}</div></div>"
    )
    article = extract_article(html, URL)
    assert article.paragraphs == tuple(PARAS[:3])


def test_vietnamese_site_rules_do_not_match_foreign_pages() -> None:
    """`div.detail-content` and `#maincontent` are everyday class names abroad."""
    html = page(
        body=f"<h1>{TITLE}</h1><div class='detail-content'><p>Share this story, with friends, "
        "family, colleagues, everyone you know today.</p></div>"
        f"<main><article>{''.join(f'<p>{p}</p>' for p in PARAS)}</article></main>"
        "<div id='maincontent'><p><a href='/subscribe'>Subscribe now, for one dollar, cancel at "
        "any time you like</a>, no questions.</p></div>"
    )
    article = extract_article(html, URL)
    assert not any("site rule" in w and "found no" in w for w in article.warnings)
    assert "no site rule matched: generic extraction" in article.warnings
    assert article.paragraphs == tuple(PARAS)


def test_site_rule_applies_on_its_own_domain() -> None:
    sapo = "Sapo của bài viết, đủ dài để được nhận ra là phần mở đầu của bài báo này."
    html = page(
        body=f"<h1 class='detail-title'>{TITLE}</h1><h2 class='detail-sapo'>{sapo}</h2>"
        f"<div class='detail-content'>{''.join(f'<p>{p}</p>' for p in PARAS[:2])}</div>"
    )
    article = extract_article(html, "https://tuoitre.vn/bai-viet.htm")
    assert "no site rule matched: generic extraction" not in article.warnings
    assert article.lead == sapo and article.paragraphs == tuple(PARAS[:2])


def test_meta_description_lead_not_on_the_page_is_kept_apart() -> None:
    described = "A summary only the newsroom's metadata carries, never shown to a reader."
    html = page(
        f'<meta name="description" content="{described}">',
        f"<h1>{TITLE}</h1><article>{''.join(f'<p>{p}</p>' for p in PARAS[:3])}</article>",
    )
    article = extract_article(html, URL)
    assert article.lead == described and article.lead_from_meta
    assert described not in article.body
    assert article.paragraphs == tuple(PARAS[:3])


def test_meta_description_that_opens_the_body_is_page_text() -> None:
    described = "A standfirst the page shows under its headline and declares as description."
    html = page(
        f'<meta name="description" content="{described}">',
        f"<h1>{TITLE}</h1><article><p>{described}</p>{''.join(f'<p>{p}</p>' for p in PARAS[:3])}</article>",
    )
    article = extract_article(html, URL)
    assert article.lead == described and not article.lead_from_meta
    assert article.paragraphs == tuple(PARAS[:3])


def test_story_in_two_deeply_wrapped_halves_is_read_whole() -> None:
    """Each paragraph three wrappers deep, the story in two halves: where the halves meet
    has no score of its own, and the extraction still reads both."""
    half = "".join(f"<div><div><p>{p}</p></div></div>" for p in PARAS)
    html = page(
        body=f"<h1>{TITLE}</h1><div class='w1'><div class='w2'>"
        f"<div class='x'>{half}</div><div class='y'>{half}</div></div></div>"
    )
    article = extract_generic(html, URL)
    assert article.paragraphs == tuple(PARAS * 2)
