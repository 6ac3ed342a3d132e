"""`bantin backup`, `export-opml` and `import-opml` end to end, as cron would call them."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.store import Store
from tests.admin.shell import publish, run, write_config
from tests.fakes.news_site import FakeNewsSite


def test_opml_round_trip(
    tmp_path: Path, site: FakeNewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(site, "xh-1", "Tin xã hội", section="xa-hoi")
    config = str(write_config(tmp_path, site))
    assert (
        run(
            capsys,
            "feeds",
            "add",
            site.section_feed_url("xa-hoi"),
            "--name",
            "Xã hội & đời sống",
            "--section",
            "xa-hoi",
            "--config",
            config,
        )[0]
        == 0
    )
    assert (
        run(
            capsys,
            "feeds",
            "add",
            site.listing_url,
            "--kind",
            "html",
            "--name",
            "Danh sách",
            "--item",
            site.listing_selectors["item"],
            "--link",
            site.listing_selectors["link"],
            "--no-check",
            "--config",
            config,
        )[0]
        == 0
    )
    assert run(capsys, "feeds", "pause", "Danh sách", "--config", config)[0] == 0
    opml = tmp_path / "feeds.opml"
    assert run(capsys, "export-opml", "-o", str(opml), "--config", config)[0] == 0
    text = opml.read_text(encoding="utf-8")
    assert "Xã hội &amp; đời sống" in text and "<opml" in text

    other = str(write_config(tmp_path, site, db="other.sqlite3"))
    code, out, _ = run(capsys, "import-opml", str(opml), "--config", other)
    assert code == 0 and "Đã nhập 2 nguồn tin, bỏ qua 1" in out  # "Tin tức" is in its config
    code, out, _ = run(capsys, "import-opml", str(opml), "--config", other)
    assert "Đã nhập 0 nguồn tin, bỏ qua 3" in out

    def shape(path: str) -> list[tuple[object, ...]]:
        store = Store(tmp_path / path)
        try:
            return [
                (f.name, f.url, f.kind, f.section, f.selectors, f.paused)
                for f in store.sync.feeds.all()
            ]
        finally:
            store.close()

    assert shape("bantin.sqlite3") == shape("other.sqlite3")
    bad = tmp_path / "bad.opml"
    bad.write_text("<html><body/></html>", encoding="utf-8")
    code, _, err = run(capsys, "import-opml", str(bad), "--config", other)
    assert code == 1 and "<opml>" in err
    bomb = tmp_path / "bomb.opml"
    bomb.write_text('<!DOCTYPE x [<!ENTITY a "aaaa">]><opml/>', encoding="utf-8")
    assert run(capsys, "import-opml", str(bomb), "--config", other)[0] == 1


def test_backup_while_a_writer_is_writing_is_consistent(
    tmp_path: Path, site: FakeNewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second process-like writer commits pairs of audit rows; a copy never has half a pair."""
    config = str(write_config(tmp_path, site))
    Store(tmp_path / "bantin.sqlite3").close()  # create the file (`feeds list` only reads)
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        conn = sqlite3.connect(tmp_path / "bantin.sqlite3", timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=30000")
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            for half in ("a", "b"):
                conn.execute(
                    "INSERT INTO audit_log (at, actor, action, detail, result) "
                    "VALUES (?, 'writer', 'pair', ?, 'ok')",
                    (time.time(), "x" * 2000 + half),
                )
            conn.execute("COMMIT")
            written[0] += 1
            time.sleep(0.002)
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 50:
            time.sleep(0.01)
        copies = []
        for number in range(3):
            target = tmp_path / f"copy-{number}.sqlite3"
            code, out, _ = run(capsys, "backup", str(target), "--config", config)
            assert code == 0 and "Đã sao lưu" in out
            copies.append(target)
    finally:
        stop.set()
        thread.join()
    for target in copies:
        copy = sqlite3.connect(target)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            pairs = copy.execute(
                "SELECT COUNT(*) FROM audit_log WHERE actor = 'writer'"
            ).fetchone()[0]
            assert pairs > 0 and pairs % 2 == 0
            assert copy.execute("SELECT COUNT(*) FROM feeds").fetchone()[0] == 1
        finally:
            copy.close()
    assert not list(tmp_path.glob(".bantin-backup-*"))
    code, _, err = run(capsys, "backup", str(tmp_path / "bantin.sqlite3"), "--config", config)
    assert code == 1 and "đè" in err
