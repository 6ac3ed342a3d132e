"""`/search` in chat and Telegram inline mode, through the platform-neutral contract."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.replies import Reply, Request
from bot.store import Store
from handlers.base import Context
from handlers.search import CALLBACK_LIMIT, PAGE_SIZE, inline_results, search_command
from tests.search.conftest import add_story


def request(text: str = "", *, callback: str | None = None, platform: str = "telegram") -> Request:
    args = tuple(text.split()) if text else ()
    return Request(
        platform=platform,
        chat_id="1",
        text=f"/search {text}".strip(),
        command="search",
        args=args,
        callback=callback,
        buttons=platform != "zalo",  # as each adapter sets it
    )


def callbacks(reply: Reply) -> list[str]:
    return [b.callback for row in reply.buttons for b in row if b.callback]


def nav(reply: Reply) -> dict[str, str]:
    return {
        b.text: b.callback for row in reply.buttons for b in row if b.callback and "Trang" in b.text
    }


def seed(store: Store) -> dict[str, int]:
    made = {
        "dalat": add_story(
            store,
            "dl",
            "Mưa lớn ở Đà Lạt, đèo Prenn sạt lở",
            "Chiều qua, mưa lớn ở Đà Lạt khiến đèo Prenn sạt lở.",
            hours=10,
        ),
        "dalat2": add_story(
            store, "dl2", "Festival hoa Đà Lạt 2023", "Lễ hội hoa mở màn ở Đà Lạt.", hours=5
        ),
        "other": add_story(store, "x", "Giá cà phê tăng", "Không liên quan.", hours=20),
    }
    for i in range(11):
        made[f"bao{i}"] = add_story(store, f"b{i}", f"Bão số {i} đổ bộ", "Gió mạnh.", hours=i)
    return made


async def test_search_da_lat_lists_the_dalat_stories_first(store: Store) -> None:
    made = seed(store)
    ctx = Context(store=store)
    [reply] = await search_command(request("da lat"), ctx)
    linked = [s for s in reply.body if s.url]
    assert [s.text for s in linked[:2]] == [
        "Mưa lớn ở Đà Lạt, đèo Prenn sạt lở",
        "Festival hoa Đà Lạt 2023",
    ]
    assert all(s.bold and s.url and s.url.startswith("https://") for s in linked)
    bold_words = [s.text for s in reply.body if s.bold and not s.url]
    assert "Đà Lạt" in bold_words
    assert "Lâm Đồng" in reply.plain  # the source
    assert "/2023" in reply.plain  # a date
    assert f"search:a:{made['dalat']}" in callbacks(reply)
    shares = [b.share for row in reply.buttons for b in row if b.share]
    assert f"a_{made['dalat']}" in shares
    assert not reply.edit


async def test_page_buttons_edit_the_same_message(store: Store) -> None:
    seed(store)
    ctx = Context(store=store)
    [first] = await search_command(request("bão"), ctx)
    assert first.plain.count("Bão số") == PAGE_SIZE
    buttons = nav(first)
    assert list(buttons) == ["Trang sau »"]
    [second] = await search_command(request(callback=buttons["Trang sau »"]), ctx)
    assert second.edit
    assert set(nav(second)) == {"« Trang trước", "Trang sau »"}
    assert "Bão số 5" in second.plain and "Bão số 10" not in second.plain
    [third] = await search_command(request(callback=nav(second)["Trang sau »"]), ctx)
    assert list(nav(third)) == ["« Trang trước"]
    [back] = await search_command(request(callback=nav(third)["« Trang trước"]), ctx)
    assert back.plain == second.plain


async def test_long_queries_stay_under_64_bytes(store: Store) -> None:
    seed(store)
    ctx = Context(store=store)
    long_query = "bão số đổ bộ gió mạnh bão số đổ bộ gió mạnh bão"
    [reply] = await search_command(request(long_query), ctx)
    data = nav(reply)["Trang sau »"]
    assert len(data.encode()) <= CALLBACK_LIMIT and "#" in data
    [second] = await search_command(request(callback=data), ctx)
    assert second.edit and "trang 2" in second.plain


async def test_a_result_opens_as_its_card(store: Store) -> None:
    made = seed(store)
    ctx = Context(store=store)
    [card] = await search_command(request(callback=f"search:a:{made['dalat']}"), ctx)
    assert "Đà Lạt" in card.plain
    assert not card.edit
    [gone] = await search_command(request(callback="search:a:999999"), ctx)
    assert "Không còn" in gone.plain


async def test_no_query_is_a_how_to_and_no_result_says_so(store: Store) -> None:
    seed(store)
    ctx = Context(store=store)
    [how] = await search_command(request(""), ctx)
    assert "/search" in how.plain and "7d" in how.plain
    [none] = await search_command(request("núi lửa phun"), ctx)
    assert "Không tìm thấy" in none.plain
    assert "nui lua phun" in none.plain and "bớt từ" in none.plain


async def test_zalo_gets_page_commands_instead_of_buttons(store: Store) -> None:
    seed(store)
    ctx = Context(store=store)
    [reply] = await search_command(request("bão", platform="zalo"), ctx)
    assert reply.buttons == ()
    assert "/search bão trang 2" in reply.plain
    assert "https://bao.example.vn/" in reply.plain
    [second] = await search_command(request("bão trang 2", platform="zalo"), ctx)
    assert "/search bão trang 1" in second.plain and "/search bão trang 3" in second.plain
    assert "6." in second.plain


def inline(text: str, *, language: str | None = None) -> Request:
    return Request("telegram", "1", user_language=language, text=text, inline=True)


def story_id(card: Reply) -> int:
    """The story a card shows, from its share button ("a_<id>")."""
    share = next(b.share for row in card.buttons for b in row if b.share)
    return int(share.removeprefix("a_"))


async def test_inline_results(store: Store) -> None:
    made = seed(store)
    ctx = Context(store=store)
    latest = await inline_results(inline(""), ctx)
    assert story_id(latest[0]) == made["other"]  # the newest story
    found = await inline_results(inline("da lat"), ctx)
    assert [story_id(card) for card in found[:2]] == [made["dalat"], made["dalat2"]]
    assert all(isinstance(reply, Reply) and reply.plain for reply in found)
    [card] = await inline_results(inline(f"a_{made['dalat2']}"), ctx)
    assert story_id(card) == made["dalat2"]
    assert await inline_results(inline("a_999999"), ctx) == []


@pytest.mark.parametrize("number", ["²", "①", "٣", "1" * 20, "-1", " 1", ""])
async def test_numbers_in_callbacks_and_shares_are_ascii_digits_only(
    store: Store, number: str
) -> None:
    # "²".isdigit() is True and int("²") raises: such data must get an answer, not a crash.
    seed(store)
    ctx = Context(store=store)
    [gone] = await search_command(request(callback=f"search:a:{number}"), ctx)
    assert "Không còn" in gone.plain and gone.notice
    [how] = await search_command(request(callback=f"search:{number}:bão"), ctx)
    assert how.edit and "/search" in how.plain
    [page] = await search_command(request(callback=f"search:1:#{number}"), ctx)
    assert page.edit  # not a kept query's number: the text itself is searched
    shared = await inline_results(inline(f"a_{number}"), ctx)  # searched as words, if at all
    assert all(isinstance(card, Reply) for card in shared)


def test_handlers_stay_platform_neutral() -> None:
    source = Path(__file__).resolve().parents[2] / "handlers" / "search.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert not imported & {"sqlite3", "telegram", "httpx"}


async def test_zalo_more_goes_on_from_the_last_search(store: Store) -> None:
    from handlers.search import handle_callback, more_command

    seed(store)
    ctx = Context(store=store)
    [how] = await more_command(request("", platform="zalo"), ctx)
    assert "/search" in how.plain
    await search_command(request("bão", platform="zalo"), ctx)
    [more] = await more_command(request("", platform="zalo"), ctx)
    assert "trang 2" in more.plain and "6." in more.plain
    assert await handle_callback(request(callback="adm:x"), ctx) is None
    assert await handle_callback(request(callback="search:2:bão"), ctx)


async def test_inline_results_for_the_router(store: Store) -> None:
    seed(store)
    ctx = Context(store=store)
    replies = await inline_results(inline("da lat"), ctx)
    assert replies and all(isinstance(r, Reply) for r in replies)
    assert "Đà Lạt" in replies[0].plain


async def test_replies_speak_the_readers_language(store: Store) -> None:
    seed(store)
    ctx = Context(store=store)
    english = replace(request(), user_language="en")
    [how] = await search_command(english, ctx)
    assert how.plain.startswith("Search past stories: /search") and "7d" in how.plain
    [none] = await search_command(replace(request("núi lửa phun"), user_language="en-US"), ctx)
    assert none.plain == (
        "No stories found for “núi lửa phun”. "
        "Try without diacritics (“nui lua phun”) or fewer words."
    )
    [first] = await search_command(replace(request("bão"), user_language="en"), ctx)
    assert "page 1" in first.plain
    assert {b.text for row in first.buttons for b in row if b.share} == {"Share"}
    pages = {
        b.text: b.callback
        for row in first.buttons
        for b in row
        if b.callback and not b.callback.startswith("search:a:")
    }
    assert list(pages) == ["Next page »"]
    [second] = await search_command(
        replace(request(callback=pages["Next page »"]), user_language="en"), ctx
    )
    assert second.edit and "page 2" in second.plain
    assert {
        b.text
        for row in second.buttons
        for b in row
        if b.callback and not b.callback.startswith("search:a:")
    } == {"« Previous page", "Next page »"}
    card = (await inline_results(inline("da lat", language="en"), ctx))[0]
    assert [b.text for row in card.buttons for b in row] == ["Read more", "Share"]


async def test_the_chats_stored_language_comes_first(store: Store) -> None:
    seed(store)
    ctx = Context(store=store, default_language="en")
    store.sync.chats.upsert("telegram", "1", language="vi")
    [first] = await search_command(replace(request("bão"), user_language="en"), ctx)
    assert "Trang sau »" in nav(first)
    store.sync.chats.upsert("zalo", "1", language="en")
    [zalo] = await search_command(request("bão", platform="zalo"), ctx)
    assert "/search bão page 2" in zalo.plain and "Other pages" in zalo.plain
    [unknown] = await search_command(replace(request(), chat_id="2", user_language="fr"), ctx)
    assert unknown.plain.startswith("Search past stories")  # not spoken: the default
