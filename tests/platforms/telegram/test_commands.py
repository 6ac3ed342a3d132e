"""Commands end to end: fake Bot API update → PTB → our adapter → the real router → reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.core.settings import Config
from bot.outlets import Outlet
from bot.store import Store
from tests.delivery.helpers import add_story, telegram_config
from tests.fakes.telegram_api import FakeTelegram
from tests.platforms.telegram.helpers import running as start_telegram


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(updates_wait=0.1) as fake:
        yield fake


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bantin.sqlite3")
    yield s
    s.close()


@asynccontextmanager
async def running(config: Config, store: Store) -> AsyncIterator[Outlet]:
    store.sync.chats.sync_channels("telegram", config.telegram.channels)
    async with start_telegram(config, store) as platform:
        yield platform


async def until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_newcomer_start_story_stop(tmp_path: Path, tg: FakeTelegram, store: Store) -> None:
    """Done means: /start gets a Vietnamese welcome, the next story arrives once, /stop stops."""
    config = telegram_config(tmp_path, tg)
    async with running(config, store) as platform:
        commands = tg.calls_to("setMyCommands")
        assert [c.params.get("language_code") for c in commands] == [None, "en"]
        names = [c["command"] for c in commands[0].params["commands"]]
        assert {"start", "stop", "help", "latest", "settings", "lang"} <= set(names)

        tg.push_update(tg.message_update(42, "/start"))
        await until(lambda: tg.replies(42))
        assert tg.replies(42)[0].startswith("Chào mừng")
        chat = store.sync.chats.get("telegram", "42")
        assert chat is not None and chat.active

        article = add_story(store, "Đà Lạt mở lễ hội hoa", image="https://baolamdong.vn/hoa.jpg")
        await platform.worker.drain(5)
        card = tg.delivered(42)[-1]
        assert card.method == "sendPhoto" and "<b>Đà Lạt mở lễ hội hoa</b>" in card.text
        (row,) = card.params["reply_markup"]["inline_keyboard"]
        assert row[0]["text"] == "Đọc tiếp" and row[0]["url"].startswith("https://")
        assert row[1]["text"] == "Chia sẻ" and row[1]["switch_inline_query"] == f"a_{article}"

        tg.push_update(tg.message_update(42, "/stop"))
        await until(lambda: len(tg.replies(42)) == 3)
        chat = store.sync.chats.get("telegram", "42")
        assert chat is not None and not chat.active
        add_story(store, "Tin sau khi ngừng")
        await platform.worker.drain(5)
        assert len(tg.delivered(42)) == 3


async def test_help_latest_and_unknown_text_get_answers(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    add_story(store, "Tin cũ đã lưu", image=None, deliver=False)
    async with running(config, store):
        tg.push_update(tg.message_update(43, "/help"))
        await until(lambda: len(tg.replies(43)) == 1)
        assert "/start" in tg.replies(43)[0]
        tg.push_update(tg.message_update(43, "/latest 1"))
        await until(lambda: len(tg.replies(43)) == 2)
        assert "Tin cũ đã lưu" in tg.replies(43)[1]
        tg.push_update(tg.message_update(43, "/khonghieu"))
        await until(lambda: len(tg.replies(43)) == 3)
        tg.push_update(tg.message_update(43, "xin chào bot"))
        await until(lambda: len(tg.replies(43)) == 4)
        assert all(reply.strip() for reply in tg.replies(43))


async def test_in_groups_only_admins_subscribe_and_plain_text_is_ignored(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    group = -100777
    tg.set_member(group, 8, "administrator")
    async with running(config, store):
        tg.push_update(tg.message_update(group, "chào cả nhóm", user_id=7, kind="supergroup"))
        tg.push_update(tg.message_update(group, "/start", user_id=7, kind="supergroup"))
        await until(lambda: len(tg.replies(group)) == 1)
        chat = store.sync.chats.get("telegram", str(group))
        assert chat is None or not chat.active
        tg.push_update(
            tg.message_update(group, "/start@bantin_test_bot", user_id=8, kind="supergroup")
        )
        await until(lambda: len(tg.replies(group)) == 2)
        chat = store.sync.chats.get("telegram", str(group))
        assert chat is not None and chat.active
        tg.push_update(tg.message_update(group, "/start@other_bot", user_id=8, kind="supergroup"))
        await asyncio.sleep(0.3)
    assert len(tg.replies(group)) == 2  # text and another bot's command: no answer
    assert len(tg.calls_to("getChatMember", group)) == 2


async def test_bot_removed_from_group_deactivates_it_and_readded_channel_comes_back(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg, channels=("-100555",))
    group = store.sync.chats.upsert("telegram", "-100666", kind="supergroup")
    store.sync.chats.subscribe(group.id)
    async with running(config, store):
        tg.push_update(
            tg.my_chat_member_update(-100666, old="member", new="kicked", kind="supergroup")
        )
        tg.push_update(
            tg.my_chat_member_update(-100555, old="administrator", new="left", kind="channel")
        )
        await until(
            lambda: (
                not any(
                    c is not None and c.active
                    for c in (
                        store.sync.chats.get("telegram", "-100666"),
                        store.sync.chats.get("telegram", "-100555"),
                    )
                )
            )
        )
        add_story(store, "Không ai nhận")
        tg.push_update(
            tg.my_chat_member_update(-100555, old="left", new="administrator", kind="channel")
        )
        await until(
            lambda: (c := store.sync.chats.get("telegram", "-100555")) is not None and c.active
        )
        add_story(store, "Kênh nhận lại")
        await asyncio.sleep(0.3)
    assert [c.text.split("\n")[0] for c in tg.delivered()] == ["<b>Kênh nhận lại</b>"]


async def test_inline_query_answers_with_the_shared_story(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    article = add_story(store, "Hồ Xuân Hương trong xanh", image=None, deliver=False)
    async with running(config, store):
        tg.push_update(tg.inline_update(44, f"a_{article}"))
        await until(lambda: tg.calls_to("answerInlineQuery"))
    (answer,) = tg.calls_to("answerInlineQuery")
    (result,) = answer.params["results"]
    assert result["type"] == "article" and result["title"] == "Hồ Xuân Hương trong xanh"
    content = result["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"].startswith("<b>Hồ Xuân Hương trong xanh</b>")


async def test_language_button_edits_the_message(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    async with running(config, store):
        tg.push_update(tg.message_update(45, "/lang"))
        await until(lambda: tg.delivered(45))
        markup = tg.delivered(45)[0].params["reply_markup"]["inline_keyboard"]
        english = next(b for row in markup for b in row if "English" in b["text"])
        tg.push_update(tg.callback_update(45, english["callback_data"]))
        await until(lambda: tg.calls_to("answerCallbackQuery"))
        await until(
            lambda: (c := store.sync.chats.get("telegram", "45")) is not None and c.language == "en"
        )
    assert tg.calls_to("editMessageText", 45) or len(tg.delivered(45)) == 2


async def test_group_admin_is_asked_of_telegram_once_a_minute(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    group = -100778
    tg.set_member(group, 8, "administrator")
    async with running(config, store):
        tg.push_update(tg.message_update(group, "/start", user_id=8, kind="supergroup"))
        await until(lambda: len(tg.replies(group)) == 1)
        chat = store.sync.chats.get("telegram", str(group))
        assert chat is not None and chat.active
        tg.push_update(tg.message_update(group, "/stop", user_id=8, kind="supergroup"))
        await until(lambda: len(tg.replies(group)) == 2)
        chat = store.sync.chats.get("telegram", str(group))
        assert chat is not None and not chat.active
    assert len(tg.calls_to("getChatMember", group)) <= 1


async def test_group_commands_that_change_nothing_do_not_ask_who_is_admin(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    group = -100779
    add_story(store, "Tin cũ đã lưu", image=None, deliver=False)
    async with running(config, store):
        tg.push_update(tg.message_update(group, "/help", user_id=7, kind="supergroup"))
        await until(lambda: len(tg.replies(group)) == 1)
        assert "/start" in tg.replies(group)[0]
        tg.push_update(tg.message_update(group, "/latest 1", user_id=7, kind="supergroup"))
        await until(lambda: len(tg.replies(group)) == 2)
        assert "Tin cũ đã lưu" in tg.replies(group)[1]
    assert tg.calls_to("getChatMember") == []


async def test_group_language_button_is_for_admins_only(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    group = -100780
    tg.set_member(group, 8, "administrator")
    async with running(config, store):
        tg.push_update(tg.callback_update(group, "lang:en", user_id=7, kind="supergroup"))
        await until(lambda: len(tg.calls_to("answerCallbackQuery")) == 1)
        chat = store.sync.chats.get("telegram", str(group))
        assert chat is None or chat.language != "en"
        tg.push_update(tg.callback_update(group, "lang:en", user_id=8, kind="supergroup"))
        await until(
            lambda: (
                (c := store.sync.chats.get("telegram", str(group))) is not None
                and c.language == "en"
            )
        )
    assert len(tg.calls_to("getChatMember", group)) == 2


async def test_anonymous_group_admin_can_start_the_group(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    group = -100781
    async with running(config, store):
        tg.push_update(tg.message_update(group, "/start", kind="supergroup", anonymous=True))
        await until(lambda: len(tg.replies(group)) == 1)
        chat = store.sync.chats.get("telegram", str(group))
        assert chat is not None and chat.active


async def test_a_command_for_another_bot_gets_no_answer(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    group = -100782
    tg.set_member(group, 8, "administrator")
    async with running(config, store):
        tg.push_update(
            tg.message_update(group, "/start@SomeOtherBot", user_id=8, kind="supergroup")
        )
        tg.push_update(tg.message_update(46, "/start@SomeOtherBot"))
        tg.push_update(
            tg.message_update(46, "/help")
        )  # concurrent updates: the sleep below covers the rest
        await until(lambda: tg.replies(46))
        await asyncio.sleep(0.3)
    assert tg.replies(group) == []
    assert len(tg.replies(46)) == 1 and "/start" in tg.replies(46)[0]
    chat = store.sync.chats.get("telegram", str(group))
    assert chat is None or not chat.active
    assert tg.calls_to("getChatMember") == []
