"""The generic extractor on pages that used to raise or lose the story: no headline, a
mangled <title>, a teaser listing beside the story, tables, quoted tweets, page chrome
labels, and markup the parser cannot make a body of."""

from __future__ import annotations

from feeds.extract import extract_generic

URL = "https://news.example.com/2024/05/03/story.html"
TITLE = "Council approves the new riverside park after a long debate"
PARAS = [
    f"Paragraph {i} of the story, with a comma, another clause, and enough words to read "
    f"as prose that a reporter wrote about the council vote number {i}."
    for i in range(1, 7)
]
STORY = "".join(f"<p>{p}</p>" for p in PARAS)


def test_page_without_any_headline_is_read_under_its_opening_words() -> None:
    html = f"<html><body><div class='story'>{STORY}</div></body></html>"
    article = extract_generic(html, URL)
    assert article.paragraphs == tuple(PARAS)
    assert PARAS[0].startswith(article.title.rstrip("…"))
    assert any("no title" in w for w in article.warnings)


def test_runaway_title_does_not_swallow_the_page() -> None:
    """`</titlevalue="true" -->` is no end tag: the page was all title, no body."""
    html = (
        f'<html><head><title>{TITLE}</titlevalue="true" -->\n</head>'
        f"<body><h1>{TITLE}</h1><div class='story'>{STORY}</div></body></html>"
    )
    article = extract_generic(html, URL)
    assert article.title == TITLE
    assert article.paragraphs == tuple(PARAS)


def test_teaser_listing_of_articles_is_not_the_story() -> None:
    """A short story and six related posts, each an <article> with a long excerpt."""
    teaser = (
        "Another post that the blog links under the story, with commas, clauses, words, "
        "and an excerpt long enough to outweigh, on its own, a short story like ours …"
    )
    related = "".join(f"<article class='post'><p>{teaser} {i}</p></article>" for i in range(6))
    html = (
        f"<html><head><title>{TITLE}</title></head><body><div id='primary'>"
        f"<article class='post main'><h1>{TITLE}</h1><p>{PARAS[0]}</p><p>{PARAS[1]}</p>"
        f"</article><div class='box'><h3>You may like</h3>{related}</div></div></body></html>"
    )
    article = extract_generic(html, URL)
    assert "Another post" not in article.body
    assert PARAS[1] in article.body


def test_stats_table_in_a_chart_wrapper_keeps_the_story_around_it() -> None:
    rows = "".join(
        f"<tr><td>DL</td><td>Player {i}</td><td>{i}, tackles, sacks, hits</td></tr>"
        for i in range(30)
    )
    html = (
        f"<html><head><title>{TITLE}</title></head><body><h1>{TITLE}</h1>"
        f"<div class='entry'><p>{PARAS[0]}</p><div class='chart'><h3>Line</h3>"
        f"<table>{rows}</table></div><p>{PARAS[1]}</p><p>{PARAS[2]}</p></div></body></html>"
    )
    article = extract_generic(html, URL)
    assert PARAS[0] in article.body and PARAS[2] in article.body
    assert "Player 7" in article.body


def test_quoted_tweet_stays_and_chrome_labels_go() -> None:
    tweet = "Yes this is real and the state spent half a million dollars on it, sadly."
    html = (
        f"<html><head><title>{TITLE}</title></head><body><h1>{TITLE}</h1>"
        f"<div class='entry'><p>{PARAS[0]}</p><p>Advertisement</p><p>{PARAS[1]}</p>"
        f"<div class='social-media-embed'><blockquote class='twitter-tweet'><p>{tweet}</p>"
        f"</blockquote></div><p>{PARAS[2]}</p><p>Share this on WhatsApp</p><p>Tags</p>"
        "</div></body></html>"
    )
    article = extract_generic(html, URL)
    assert tweet in article.body
    for label in ("Advertisement", "WhatsApp", "Tags"):
        assert label not in article.paragraphs


def test_markup_too_broken_for_a_tree_is_read_for_its_prose_lines() -> None:
    """Nesting past the parser's depth limit leaves no body in the tree."""
    html = f"<html><body><h1>{TITLE}</h1>" + "<div>" * 3000 + STORY + "</body></html>"
    article = extract_generic(html, URL)
    assert article.title == TITLE
    assert article.paragraphs == tuple(PARAS)


def test_blog_post_written_in_br_lines_beats_a_comma_heavy_blurb() -> None:
    blurb = (
        "Every day I write about hospitals, doctors, nurses, patients, budgets, servers, "
        "networks, policies, and governance, in this blog of mine, here, for years."
    )
    lines = "<br><br>".join(PARAS[:4])
    html = (
        f"<html><head><title>{TITLE}</title></head><body>"
        f"<div class='header'><div class='descriptionwrapper'><p>{blurb}</p></div></div>"
        f"<div class='post'><h3>{TITLE}</h3><div class='post-body'>"
        f"<div class='separator'><img src='/a.jpg'></div>{lines}</div></div></body></html>"
    )
    article = extract_generic(html, URL)
    assert PARAS[3] in article.body
    assert "hospitals" not in article.body


def test_comment_thread_after_the_story_is_cut_at_its_heading() -> None:
    comments = "".join(
        f"<p>Reader {i} says this about the park, and more, and more.</p>" for i in range(4)
    )
    html = (
        f"<html><head><title>{TITLE}</title></head><body><h1>{TITLE}</h1>"
        f"<div class='story'>{STORY}<h3>Have your say</h3>{comments}</div></body></html>"
    )
    article = extract_generic(html, URL)
    assert article.paragraphs == tuple(PARAS)


def test_photo_caption_and_dated_stamp_are_not_story_text() -> None:
    caption = "In this file photo, the mayor walks along the river where the park will be."
    html = (
        f"<html><head><title>{TITLE}</title></head><body><h1>{TITLE}</h1>"
        f"<div class='story'><div class='image top'><img src='/p.jpg'><p>{caption}</p></div>"
        f"<p>Published Monday, November 18, 2019 8:22AM EST</p>{STORY}</div></body></html>"
    )
    article = extract_generic(html, URL)
    assert article.paragraphs == tuple(PARAS)
