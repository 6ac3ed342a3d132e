"""Sent marks in groups: a fast push commits many sends per transaction, and every row
still ends 'sent' with its own message id."""

from __future__ import annotations

from pathlib import Path

from bot.store import open_store
from tests.delivery.helpers import add_chat, add_story, telegram_config
from tests.fakes.telegram_api import FakeTelegram
from tests.platforms.telegram.helpers import running


async def test_a_fast_push_commits_its_marks_in_groups(tmp_path: Path) -> None:
    async with FakeTelegram() as tg:
        config = telegram_config(tmp_path, tg, per_second=500.0, private_per_second=50.0)
        store = open_store(config)
        try:
            for number in range(150):
                add_chat(store, 70_000 + number)
            add_story(store, "Đà Lạt: lễ hội hoa mở màn", image=None)
            async with running(config, store) as outlet:
                await outlet.worker.drain(timeout=30)
                worker = outlet.worker
                commits = worker.marks.commits
            assert worker.sent == 150
            assert commits < worker.sent  # more than one send per commit
            with store.db.reading() as conn:
                rows = conn.execute(
                    "SELECT d.status, d.message_id, c.chat_id FROM deliveries d "
                    "JOIN chats c ON c.id = d.chat_ref"
                ).fetchall()
            delivered = {c.chat_id: str(c.message_id) for c in tg.delivered()}
            assert len(rows) == 150
            for status, message_id, chat_id in rows:
                assert status == "sent" and message_id == delivered[chat_id]
        finally:
            store.close()
