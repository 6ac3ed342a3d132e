"""The dashboard over real HTTP on loopback: sign-in by one-time link, 401 without a
session, CSRF on every form, the review desk's actions pushing to the fake Bot API."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import aiohttp

from bot.dashboard.auth import token_hash
from tests.admin.telegram import ADMIN, STRANGER, wait_for
from tests.admin.test_telegram_app import ask, visible
from tests.dashboard.helpers import (
    READERS,
    dashboard_config,
    hold_a_story,
    live_dashboard,
    server_of,
    sign_in_link,
)
from tests.fakes.news_site import FakeNewsSite
from tests.fakes.telegram_api import FakeTelegram

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1


async def sign_in(http: aiohttp.ClientSession, link: str) -> str:
    """Open the link, press "Đăng nhập"; the overview's HTML."""
    async with http.get(link) as page:
        assert page.status == 200
        form = await page.text()
    nonce = CSRF.search(form)
    assert nonce and 'id="signin"' in form
    token = link.split("t=", 1)[1]
    base = link.split("/login", 1)[0]
    async with http.post(base + "/login", data={"t": token, "csrf": nonce.group(1)}) as done:
        assert done.status == 200 and str(done.url) == base + "/"
        return await done.text()


async def test_sign_in_review_and_refusals_over_http(tmp_path: Path, tg: FakeTelegram) -> None:
    with FakeNewsSite() as site:
        async with live_dashboard(dashboard_config(tmp_path, tg, site)) as app:
            story = await hold_a_story(app, tg, site)
            base = f"http://127.0.0.1:{server_of(app).port}"
            # A reader asking for the dashboard is refused; in a group no link is given.
            assert "không phải quản trị viên" in await ask(tg, "/dashboard", STRANGER)
            link = await sign_in_link(tg)
            assert link.startswith(base + "/login?t=")
            # No link preview: Telegram's preview robot is not sent to the sign-in page.
            sent = next(c for c in tg.delivered(ADMIN) if "login?t=" in c.text)
            options = sent.params.get("link_preview_options")
            options = json.loads(options) if isinstance(options, str) else options
            assert options and options["is_disabled"] is True
            token = link.split("t=", 1)[1]
            with app.store.db.reading() as conn:  # only the hash is stored
                stored = [r[0] for r in conn.execute("SELECT token_hash FROM dashboard_links")]
            assert stored == [token_hash(token)] and token not in stored

            async with aiohttp.ClientSession(cookie_jar=jar()) as stranger:
                for path in ("/", "/stories", "/feeds", "/audit", "/anything"):
                    async with stranger.get(base + path) as answer:
                        assert answer.status == 401
                        assert "/dashboard" in await answer.text()
                async with stranger.post(base + f"/stories/{story}/publish") as answer:
                    assert answer.status == 401
                async with stranger.get(base + "/login?t=forged") as answer:
                    assert answer.status == 410 and "không hợp lệ" in await answer.text()
                # The sign-in form without its nonce cookie is refused, the link kept.
                async with stranger.post(base + "/login", data={"t": token, "csrf": "x"}) as a:
                    assert a.status == 403
            assert app.store.sync.signin.peek_link(token_hash(token), time.time()).outcome == "ok"

            async with aiohttp.ClientSession(cookie_jar=jar()) as editor:
                overview = await sign_in(editor, link)
                assert overview.count("<svg") == 4 and "Tổng quan" in overview
                cookie = next(c for c in editor.cookie_jar if c.key == "bantin_session")
                assert cookie["httponly"] and cookie["samesite"] == "Strict"
                assert cookie["path"] == "/"
                async with editor.get(base + "/") as again:
                    headers = again.headers
                    assert "default-src 'none'" in headers["Content-Security-Policy"]
                    assert headers["Referrer-Policy"] == "no-referrer"

                # The link is spent: a second browser is told so.
                async with aiohttp.ClientSession(cookie_jar=jar()) as late, late.get(link) as used:
                    assert used.status == 410 and "đã được dùng" in await used.text()

                async with editor.get(base + "/stories") as page:
                    html = await page.text()
                assert f'id="waiting-{story}"' in html and "✅ Đăng" in html
                csrf = CSRF.search(html)
                assert csrf
                # A form without its CSRF token changes nothing.
                async with editor.post(base + f"/stories/{story}/publish", data={}) as bad:
                    assert bad.status == 403
                assert app.store.sync.review.get(story).waiting  # type: ignore[union-attr]

                summary = "Đèo Prenn thông xe một làn từ 17 giờ <b>hôm nay</b>."
                data = {"csrf": csrf.group(1), "summary": summary}
                async with editor.post(base + f"/stories/{story}/edit", data=data) as edited:
                    html = await edited.text()
                assert "Đã sửa tóm tắt" in html
                assert "&lt;b&gt;hôm nay&lt;/b&gt;" in html and "<b>hôm nay</b>" not in html
                assert all(tg.delivered(reader) == [] for reader in READERS)
                data = {"csrf": csrf.group(1)}
                async with editor.post(base + f"/stories/{story}/publish", data=data) as done:
                    html = await done.text()
                assert f"Đã đăng tin #{story}" in html
                await wait_for(lambda: all(tg.delivered(reader) for reader in READERS))
                for reader in READERS:
                    (card,) = tg.delivered(reader)
                    assert "Đèo Prenn thông xe một làn" in visible(card.text)
                audit = [(a.actor, a.action, a.result) for a in app.store.sync.audit.recent()]
                assert (f"telegram:{ADMIN} (Lan)", "review.publish", "ok") in audit
                assert (f"telegram:{ADMIN} (Lan)", "review.edit", "ok") in audit
                assert (f"telegram:{ADMIN} (Lan)", "dashboard.signin", "ok") in audit
                async with editor.get(base + "/audit") as page:
                    assert "review.publish" in await page.text()
                async with editor.get(base + "/stories") as page:
                    html = await page.text()
                assert f'<tr id="story-{story}">' in html and "đã duyệt" in html

                # Feeds: pause and resume through the admin room.
                (feed,) = app.store.sync.feeds.all()
                async with editor.post(base + f"/feeds/{feed.id}/pause", data=data) as paused:
                    assert "Đã tạm dừng" in await paused.text()
                assert app.store.sync.feeds.get(feed.id).paused  # type: ignore[union-attr]
                async with editor.post(base + f"/feeds/{feed.id}/resume", data=data) as resumed:
                    assert "Đã chạy lại" in await resumed.text()

                # English by choice, kept in a cookie.
                async with editor.get(base + "/lang/en?next=/feeds") as english:
                    html = await english.text()
                assert str(english.url) == base + "/feeds" and "Feeds" in html
                assert 'lang="en"' in html
                async with editor.get(base + "/lang/en?next=https://evil.example") as away:
                    assert str(away.url) == base + "/"

                # Sign out: the session is gone.
                async with editor.post(base + "/logout", data=data) as out:
                    assert out.status == 200
                async with editor.get(base + "/") as after:
                    assert after.status == 401


async def test_a_link_expires_and_an_editor_struck_off_the_list_is_refused(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    with FakeNewsSite() as site:
        async with live_dashboard(dashboard_config(tmp_path, tg, site)) as app:
            base = f"http://127.0.0.1:{server_of(app).port}"
            link = await sign_in_link(tg)
            with app.store.db.transaction() as conn:
                conn.execute("UPDATE dashboard_links SET expires_at = expires_at - 601")
            async with aiohttp.ClientSession(cookie_jar=jar()) as http, http.get(link) as expired:
                assert expired.status == 410 and "hết hạn" in await expired.text()
            link = await sign_in_link(tg)
            async with aiohttp.ClientSession(cookie_jar=jar()) as http:
                await sign_in(http, link)
                server_of(app).sessions.admins = {"telegram": frozenset()}
                async with http.get(base + "/") as answer:
                    assert answer.status == 403


async def test_dashboard_is_asked_for_in_a_group(tmp_path: Path, tg: FakeTelegram) -> None:
    with FakeNewsSite() as site:
        async with live_dashboard(dashboard_config(tmp_path, tg, site)) as app:
            before = len(tg.replies(-100500))
            tg.push_update(tg.message_update(-100500, "/dashboard", user_id=ADMIN, kind="group"))
            await wait_for(lambda: len(tg.replies(-100500)) > before)
            answer = visible(tg.replies(-100500)[before])
            assert "chat riêng" in answer and "login" not in answer
            with app.store.db.reading() as conn:
                assert conn.execute("SELECT COUNT(*) FROM dashboard_links").fetchone()[0] == 0
