"""The generic extractor on blog layouts: short posts beside sidebar blurbs, post
wrappers whose classes list the post's taxonomy, comment threads after the post."""

from __future__ import annotations

from feeds.extract import extract_generic
from feeds.extract.headline import page_headline
from feeds.htmltools import parse_document

URL = "https://blog.example.com/2012/10/28/pre-election-edition.html"
TITLE = "Pre-election edition of the review"
POST = [
    "Are you voting for the incumbent, the challenger, or a third party? Regardless, this "
    "edition of the review collects the week's best writing on health policy.",
    "The hosts picked posts on hospital payment, insurance exchanges, and the cost of care, "
    "with a short note on each one.",
]


def page(body: str) -> str:
    return f"<html><head><title>{TITLE}</title></head><body>{body}</body></html>"


def test_post_wrapper_named_by_its_tags_is_not_a_share_box() -> None:
    """WordPress lists the post's tags and categories among its wrapper's classes
    ("tag-social", "category-sharing", "author-admin"): they say what the post is about,
    so the wrapper is not dropped as a share box, a byline or a tag list."""
    paras = "".join(f"<p>{p}</p>" for p in POST)
    post = (
        "<div class='post-7168 post type-post status-publish hentry category-sharing "
        f"tag-social author-admin'><h2>{TITLE}</h2><div class='entry'>{paras}</div></div>"
    )
    reply = (
        "<div class='respond'><h3>Leave a Reply</h3><form><p>Your email address will not be "
        "published. Required fields are marked with a star, and comments are moderated, "
        "so please be patient while we read them.</p>"
        + "".join(f"<p><label>Field {i}</label><input type='text'></p>" for i in range(6))
        + "<p>You may use these HTML tags and attributes: a, abbr, acronym, b, blockquote, "
        "cite, code, del, em, i, q, s, strike, strong.</p></form></div>"
    )
    html = page(f"<div class='content'>{post}{reply}</div>")
    article = extract_generic(html, URL)
    assert article.paragraphs == tuple(POST)


def test_tag_list_beside_the_post_still_goes() -> None:
    """The taxonomy words are ignored only on a post's own wrapper: a block that is a
    tag list keeps its meaning."""
    paras = "".join(f"<p>{p}</p>" for p in POST)
    tags = "<div class='tags'>Tags: policy, elections, insurance, hospitals, care</div>"
    post = f"<div class='post-12 hentry tag-policy'><div class='entry'>{paras}{tags}</div></div>"
    article = extract_generic(page(f"<div class='content'>{post}</div>"), URL)
    assert article.paragraphs == tuple(POST)


def test_short_post_above_a_long_comment_thread_is_the_story() -> None:
    """119 comments hold nearly all of the page's prose: the thread, named as such, is
    still not the story, and the two-line post above it is (though its links keep it out
    of the paragraph collection)."""
    post = (
        "<div class='entry-content'><p>I am totally inspired by <a href='/c'>this autumn "
        "collection</a>, my all time favorite. The shirt and tie are vintage, <a href='/j'>the "
        "jeans and the bag</a> are new.</p></div>"
    )
    comments = "".join(
        f"<li class='comment c{i}'><p>Love this look, number {i}! The colours, the shoes, "
        "and the tie are amazing, what a great outfit for the city.</p></li>"
        for i in range(40)
    )
    html = page(
        f"<div class='content'><div class='post hentry'><h2>{TITLE}</h2>{post}</div>"
        f"<div class='comments'><ol class='commentlist'>{comments}</ol></div></div>"
    )
    article = extract_generic(html, URL)
    assert article.body.startswith("I am totally inspired")
    assert "Love this look" not in article.body


def test_short_post_under_the_headline_beats_a_longer_sidebar_blurb() -> None:
    """A two-line post and the author's profile in the sidebar, which has more commas:
    the post is the block under the heading that repeats the page's title."""
    profile = (
        "<div class='about'><div class='profile-block'><p>I live, I learn, I teach, and "
        "140 characters on the web is limiting, so here I share my creativity, and that "
        "of others, every day.</p></div></div>"
    )
    post = (
        f"<div class='postunit'><h2>{TITLE}</h2><div class='meta'>July 11th</div>"
        "<div class='post-content'><p>Repurposing food as art is creative, a fine idea "
        "for the holidays.</p></div></div>"
    )
    html = page(f"<h1><a href='/'>My blog</a></h1><div id='content'>{profile}{post}</div>")
    article = extract_generic(html, URL)
    assert article.paragraphs == (
        "Repurposing food as art is creative, a fine idea for the holidays.",
    )


def test_blog_name_heading_is_not_the_posts_headline() -> None:
    """The `<title>` is "Blog name: post title": the blog's name in the page header is not
    the heading the post sits under, so its description does not become the story."""
    header = (
        "<div id='header'><h1 class='title'><a href='https://blog.example.com/'>Life as a "
        "hospital CIO</a></h1><div class='descriptionwrapper'><p>Every day I experience "
        "life in the world of healthcare IT, supporting 3000 doctors, 20000 staff, and "
        "millions of patients.</p></div></div>"
    )
    paras = "".join(f"<p>{p}</p>" for p in POST)
    post = f"<div class='post hentry'><h3>{TITLE}</h3><div class='post-body'>{paras}</div></div>"
    html = (
        f"<html><head><title>Life as a hospital CIO: {TITLE}</title></head>"
        f"<body>{header}<div class='main'>{post}</div></body></html>"
    )
    article = extract_generic(html, URL)
    assert article.paragraphs == tuple(POST)


def test_archive_box_of_dates_is_not_collected_as_the_story() -> None:
    """A blog's archive runs into one block of dates and counts, longer than the post:
    it is not prose, so the paragraph collection does not take it for the story."""
    weeks = "".join(
        f"<br>{i % 12 + 1:02d}/{i % 27 + 1:02d} - {i % 12 + 1:02d}/{i % 27 + 2:02d} "
        f"(<a href='/w{i}'>{70 + i}</a>)"
        for i in range(120)
    )
    archive = f"<div class='ArchiveList'>Blog Archive{weeks}</div>"
    post = (
        "<div class='post-body'>There's a weird genre of people chastising local businesses "
        "for staying open during the storm. I don't think there's any right or wrong here.</div>"
    )
    html = page(f"<div class='main'>{post}</div><div class='side'>{archive}</div>")
    article = extract_generic(html, URL)
    assert article.body.startswith("There's a weird genre")
    assert "Archive" not in article.body


def test_a_sidebar_heading_inside_the_title_is_not_the_headline() -> None:
    """ "The Weekly Report" (a sidebar's series box) is inside the `<title>` "Blog: The
    Weekly Report - an interview with the database team", but only a small part of it:
    the headline is the post's heading that is most of the title."""
    title = "Example Blog: The Weekly Report - an interview with the database team"
    html = (
        f"<html><head><title>{title}</title></head><body>"
        "<div class='side'><h2>The Weekly Report</h2><p>Episodes</p></div>"
        "<div class='post'><h3>The Weekly Report - an interview with the database team</h3>"
        "<p>Text.</p></div></body></html>"
    )
    root = parse_document(html)
    head = page_headline(root, root.find("body"))
    assert head is not None and head.text == (
        "The Weekly Report - an interview with the database team"
    )


def test_site_notices_under_the_post_are_not_story_paragraphs() -> None:
    """The blog engine's notes under every post ("You can follow any responses to this
    entry through the RSS 2.0 feed", "Powered by ...") are the site talking, not the post."""
    paras = "".join(f"<p>{p}</p>" for p in POST)
    notes = (
        "<p>You can follow any responses to this entry through the RSS 2.0 feed. You can "
        "leave a response, or trackback from your own site.</p>"
        "<p>Powered by a blog engine, theme by a designer.</p>"
    )
    html = page(f"<div class='post'><h2>{TITLE}</h2><div class='entry'>{paras}{notes}</div></div>")
    article = extract_generic(html, URL)
    assert article.paragraphs == tuple(POST)


def test_archive_calendar_rows_are_not_story_paragraphs() -> None:
    """A blog's archive calendar inside the post column: one row per year, the months'
    initials as links; the post's own paragraphs stay."""
    paras = "".join(f"<p>{p}</p>" for p in POST)
    rows = "".join(
        f"<div>{year} "
        + " ".join(f"<a href='/{year}/{m}'>{c}</a>" for m, c in enumerate("JFMAMJJASOND"))
        + "</div>"
        for year in (2004, 2005, 2006)
    )
    html = page(f"<div class='post'><div class='entry'>{paras}{rows}</div></div>")
    article = extract_generic(html, URL)
    assert article.paragraphs == tuple(POST)
