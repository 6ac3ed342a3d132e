"""The admin CLI verbs end to end, as cron would call them: bot.cli.main([...])."""

from __future__ import annotations

import getpass
import json
import time
from pathlib import Path

import pytest

from bot.store import Store
from handlers.base import Context
from handlers.stats import format_stats
from tests.admin.conftest import FakeAccess, channel_id, say
from tests.admin.shell import arun, poll, publish, run, write_config
from tests.fakes.news_site import FakeNewsSite


def test_feeds_verbs_end_to_end(
    tmp_path: Path, site: FakeNewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(site, "xh-1", "Tin xã hội đầu tiên", section="xa-hoi")
    config = str(write_config(tmp_path, site))
    second = site.section_feed_url("xa-hoi")

    code, out, _ = run(
        capsys,
        "feeds",
        "add",
        second,
        "--name",
        "Xã hội",
        "--section",
        "xa-hoi",
        "--config",
        config,
    )
    assert code == 0 and out.startswith("Đã thêm nguồn tin")
    assert "• Tin xã hội đầu tiên" in out
    code, _, err = run(capsys, "feeds", "add", site.error_url, "--config", config)
    assert code == 1 and "không tải được" in err and err.count("\n") == 1

    code, out, _ = run(capsys, "feeds", "list", "--json", "--config", config)
    feeds = json.loads(out)["feeds"]
    assert [(f["name"], f["origin"]) for f in feeds] == [("Tin tức", "config"), ("Xã hội", "admin")]
    assert run(capsys, "feeds", "pause", "Xã hội", "--config", config)[0] == 0
    code, out, _ = run(capsys, "feeds", "list", "--config", config)
    assert "tạm dừng «Xã hội»" in out
    assert run(capsys, "feeds", "resume", "Xã hội", "--config", config)[0] == 0
    code, _, err = run(capsys, "feeds", "remove", "Tin tức", "--config", config)
    assert code == 1 and "config.toml" in err
    assert run(capsys, "feeds", "remove", "Xã hội", "--config", config)[0] == 0

    code, out, _ = run(capsys, "audit", "--config", config)
    user = getpass.getuser()
    lines = out.strip().splitlines()
    assert [line.split()[2] for line in lines] == [
        "feeds.add",
        "feeds.add",
        "feeds.pause",
        "feeds.resume",
        "feeds.remove",
        "feeds.remove",
    ]
    assert all(line.split()[1] == f"cli:{user}" for line in lines)
    assert "→ refused:" in lines[1] and lines[2].endswith("→ ok")


def test_channels_verbs_and_broadcast(
    tmp_path: Path, site: FakeNewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path, site))
    code, _, err = run(capsys, "channels", "add", "@kenh", "--config", config)
    assert code == 1 and "không kiểm tra được quyền" in err  # no platform to ask: not added
    code, out, _ = run(capsys, "channels", "add", "-100777", "--no-check", "--config", config)
    assert code == 0 and "Đã thêm kênh" in out
    assert run(capsys, "channels", "route", "-100777", "Tin tức", "--config", config)[0] == 0
    code, out, _ = run(capsys, "channels", "list", "--json", "--config", config)
    assert json.loads(out)["channels"] == [
        {
            "platform": "telegram",
            "chat_id": "-100777",
            "title": None,
            "active": True,
            "feeds": ["Tin tức"],
        }
    ]
    code, _, err = run(
        capsys, "channels", "add", "-1", "--platform", "zalo", "--no-check", "--config", config
    )
    assert code == 1 and "Zalo" in err

    store = Store(tmp_path / "bantin.sqlite3")
    try:
        reader = store.sync.chats.upsert("zalo", "z-9")
        store.sync.chats.subscribe(reader.id)
    finally:
        store.close()
    code, out, _ = run(capsys, "broadcast", "Bảo", "trì", "tối", "nay", "--config", config)
    assert code == 0 and "Sẽ gửi tới 2 chat" in out and "--yes" in out
    code, out, _ = run(capsys, "broadcast", "Bảo trì tối nay", "--yes", "--config", config)
    assert code == 0 and "cho 2 chat" in out
    store = Store(tmp_path / "bantin.sqlite3")
    try:
        with store.db.reading() as conn:
            rows = conn.execute("SELECT COUNT(*) FROM deliveries WHERE broadcast_id IS NOT NULL")
            assert rows.fetchone()[0] == 2
    finally:
        store.close()

    assert run(capsys, "channels", "remove", "-100777", "--config", config)[0] == 0
    code, out, _ = run(capsys, "audit", "--json", "--config", config)
    actions = [(e["action"], e["result"][:7]) for e in json.loads(out)]
    assert actions == [
        ("channels.add", "refused"),
        ("channels.add", "ok"),
        ("channels.route", "ok"),
        ("channels.add", "refused"),
        ("broadcast.preview", "ok"),
        ("broadcast.send", "ok"),
        ("channels.remove", "ok"),
    ]


async def test_stats_and_slash_stats_agree(
    tmp_path: Path,
    site: FakeNewsSite,
    ctx: Context,
    store: Store,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`ctx`/`store` are on tmp_path/bantin.sqlite3, the same file the config names."""
    config = str(write_config(tmp_path, site))
    publish(site, "a", "Tin A", minutes_ago=30)
    await poll(config)
    for chat_id, kind in (("1", "private"), ("2", "private"), ("-3", "group")):
        chat = store.sync.chats.upsert("telegram", chat_id, kind=kind)
        store.sync.chats.subscribe(chat.id)
    zalo = store.sync.chats.upsert("zalo", "z1")
    store.sync.chats.subscribe(zalo.id)
    store.sync.chats.deactivate(store.sync.chats.upsert("zalo", "z2").id, "blocked")
    publish(site, "b", "Tin B", minutes_ago=10)
    await poll(config)
    claimed = store.sync.deliveries.claim("telegram", 10)
    for delivery in claimed[:2]:
        store.sync.deliveries.mark_sent(delivery.id, "1")
    store.sync.deliveries.mark_failed(claimed[2].id, "Forbidden")
    with store.db.transaction() as conn:
        conn.execute(
            "UPDATE feeds SET failures = 3, failing_since = ?, last_error = 'HTTP 500'",
            (time.time() - 3600,),
        )

    code, out, _ = await arun(capsys, "stats", "--json", "--config", config)
    data = json.loads(out)
    assert data["subscribers"] == {"telegram": {"group": 1, "private": 2}, "zalo": {"private": 1}}
    assert data["active_chats"] == 4
    assert data["new_this_week"] == 4 and data["lost_this_week"] == 1
    assert data["stories_today"] == {"Tin tức": 2}
    assert data["deliveries_24h"] == {"sent": 2, "pending": 1, "failed": 1}
    assert [f["name"] for f in data["failing_feeds"]] == ["Tin tức"]
    assert data["latency_samples"] == 2
    assert 590 <= data["latency_p50"] <= 700 and data["latency_p95"] >= data["latency_p50"]

    code, text, _ = await arun(capsys, "stats", "--config", config)
    assert code == 0
    answer = (await say(ctx, "/stats")).plain
    # Same lines but the first (the time it was computed).
    assert answer.splitlines()[1:] == text.strip().splitlines()[1:]
    shared = format_stats(await store.stats.collect(), "Asia/Ho_Chi_Minh")
    assert shared.splitlines()[1:] == answer.splitlines()[1:]
    assert "p50 10" in answer and "Nguồn đang lỗi: 1" in answer


async def test_done_means_an_admin_adds_a_feed_routes_it_and_only_that_channel_gets_it(
    tmp_path: Path,
    site: FakeNewsSite,
    ctx: Context,
    store: Store,
    access: FakeAccess,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = str(write_config(tmp_path, site))
    publish(site, "tt-1", "Tin tức cũ", minutes_ago=60)
    publish(site, "xh-1", "Xã hội cũ", section="xa-hoi", minutes_ago=60)
    await poll(config)
    reader = store.sync.chats.upsert("telegram", "501")
    store.sync.chats.subscribe(reader.id)
    kenh = channel_id("@kenh")
    other = channel_id("@khac")
    for name in (kenh, other):
        access.chat_admins.add((name, "111"))
        access.postable.add(name)

    added = await say(ctx, f"/addfeed {site.section_feed_url('xa-hoi')} Xã hội")
    assert "• Xã hội cũ" in added.plain
    assert (await say(ctx, "/addchannel @kenh")).plain.startswith("Đã thêm kênh")
    assert (await say(ctx, "/addchannel @khac")).plain.startswith("Đã thêm kênh")
    assert (await say(ctx, "/route @kenh Xã hội")).plain.startswith("Kênh «@kenh» chỉ nhận")
    assert (await say(ctx, "/route @khac Tin tức")).plain.startswith("Kênh «@khac» chỉ nhận")

    await poll(config)  # the new feed's first poll: stored only
    assert store.sync.deliveries.pending_count() == 0
    publish(site, "xh-2", "Xã hội mới", section="xa-hoi")
    with store.db.transaction() as conn:
        conn.execute("UPDATE feeds SET next_check_at = 0")
    await poll(config)
    with store.db.reading() as conn:
        rows = conn.execute(
            "SELECT a.title, c.chat_id FROM deliveries d JOIN articles a ON a.id = d.article_id "
            "JOIN chats c ON c.id = d.chat_ref ORDER BY c.id"
        ).fetchall()
    assert [tuple(r) for r in rows] == [("Xã hội mới", "501"), ("Xã hội mới", kenh)]
