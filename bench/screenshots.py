"""The README's screenshots, made by a real headless Chromium, never by hand.

    .venv/bin/python bench/screenshots.py          # writes docs/dashboard-overview.png, docs/push-card.png

A throwaway store is filled with 30 days of readers, a day of pushes and a failing feed;
`bantin run`'s App serves the dashboard on loopback; the browser signs in with a one-time
link, as an editor would, and photographs the overview. The push card is the card the
delivery worker sends (handlers.cards + Telegram's HTML renderer), laid out as a chat
bubble with its buttons; its photo is a drawn placeholder (no network).
"""

from __future__ import annotations

import asyncio
import html
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.app import App  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.core.records import Caller, StoryRecord  # noqa: E402
from bot.core.settings import FeedConfig  # noqa: E402
from bot.platforms.telegram.render import render_html  # noqa: E402
from handlers.cards import article_card  # noqa: E402

DOCS = REPO / "docs"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TITLES = [
    "Sạt lở đèo Prenn, xe qua lại một làn",
    "Đà Lạt đón 1,2 triệu lượt khách dịp cuối năm",
    "Lâm Đồng khởi công tuyến cao tốc Tân Phú – Bảo Lộc",
    "Giá sầu riêng Bảo Lộc tăng mạnh đầu vụ",
    "Hồ Tuyền Lâm được nạo vét, kè bờ",
]


def browser(width: int, height: int) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='bantin-shots-')}")
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(
        service=Service(executable_path="/usr/bin/chromedriver"), options=options
    )


def seed(app: App, now: float) -> None:
    """Readers arriving over 30 days, stories with pushes over the last day, a failing feed."""
    rng = random.Random(7)
    sync = app.store.sync
    feeds = [sync.feeds.add(FeedConfig(name="Lâm Đồng TV", url="https://lamdongtv.vn/tin-tuc"))]
    sync.feeds.add(FeedConfig(name="Báo Lâm Đồng – Kinh tế", url="https://example.vn/rss/kt"))
    broken = sync.feeds.find("Báo Lâm Đồng – Kinh tế")
    assert broken is not None
    for _ in range(4):
        sync.feeds.record_failure(
            broken.id, "HTTP 503", retry_after=None, interval=300, max_backoff=3600, alert_after=9
        )
    chats = []
    for i in range(260):
        platform = "zalo" if i % 3 == 0 else "telegram"
        chat = sync.chats.upsert(platform, f"{9000 + i}")
        sync.chats.subscribe(chat.id)
        chats.append(chat)
    with app.store.db.transaction() as conn:
        for i, chat in enumerate(chats):
            created = now - 30 * 86400 * (1 - (i / len(chats)) ** 0.7) + rng.random() * 3600
            conn.execute(
                "UPDATE chats SET created_at = ?, changed_at = ? WHERE id = ?",
                (created, created, chat.id),
            )
    for n in range(24):
        published = now - n * 3600 - rng.random() * 1800
        story = StoryRecord(
            f"shot-{n}",
            f"https://lamdongtv.vn/tin-{n}.html",
            TITLES[n % len(TITLES)],
            "",
            "",
            "Tóm tắt.",
            None,
            None,
            published,
        )
        outcome = sync.articles.record_poll(
            feeds[0].id, [(story, True)], [], etag=None, last_modified=None, next_check_at=0
        )
        article = outcome.article_ids[0]
        with app.store.db.transaction() as conn:
            for row in conn.execute(
                "SELECT id FROM deliveries WHERE article_id = ?", (article,)
            ).fetchall():
                sent = min(now, published + 30 + rng.expovariate(1 / 240))
                status = "failed" if rng.random() < 0.02 else "sent"
                conn.execute(
                    "UPDATE deliveries SET status = ?, sent_at = ?, claimed_at = ? WHERE id = ?",
                    (status, sent if status == "sent" else None, sent, row[0]),
                )


def card_page(app: App) -> str:
    article = app.store.sync.articles.latest(1)[0]
    article = type(article)(
        **{
            **{f: getattr(article, f) for f in article.__slots__},
            "summary": (  # type: ignore[attr-defined]
                "Sáng nay, một đoạn taluy dương trên đèo Prenn sạt lở sau mưa lớn. "
                "Lực lượng chức năng đã dọn một làn, xe qua lại luân phiên từ 9 giờ. "
                "Người dân nên đi đường cao tốc Liên Khương – Prenn."
            ),
            "title": TITLES[0],
            "published_at": time.time() - 600,
        }
    )
    reply = article_card(article, "vi", "LamDongTVBot", app.config.timezone, app.config.card)
    caption = render_html(reply.body, 1024).replace("\n", "<br>")
    buttons = "".join(
        f'<span class="b">{html.escape(b.text)}</span>' for row in reply.buttons for b in row
    )
    photo = (
        "data:image/svg+xml;utf8,"
        "<svg xmlns='http://www.w3.org/2000/svg' width='400' height='220'>"
        "<defs><linearGradient id='g' x2='1' y2='1'><stop offset='0' stop-color='%234a7c59'/>"
        "<stop offset='1' stop-color='%23a3c4a8'/></linearGradient></defs>"
        "<rect width='400' height='220' fill='url(%23g)'/>"
        "<text x='200' y='118' font-size='18' text-anchor='middle' fill='white' "
        "font-family='sans-serif'>ảnh của bài</text></svg>"
    )
    return f"""<!doctype html><meta charset="utf-8"><style>
body{{margin:0;background:#9bb7d4;font:15px/1.4 system-ui,sans-serif;padding:18px}}
.m{{max-width:400px;background:#fff;border-radius:12px;overflow:hidden}}
.m img{{display:block;width:100%}} .c{{padding:8px 12px}} a{{color:#2a73c9}}
.k{{max-width:400px;display:flex;gap:4px;margin-top:4px}}
.b{{flex:1;text-align:center;background:rgba(0,0,0,.25);color:#fff;border-radius:8px;padding:8px}}
</style><div class="m"><img src="{photo}"><div class="c">{caption}</div></div>
<div class="k">{buttons}</div>"""


async def main() -> None:
    from selenium.webdriver.common.by import By

    folder = Path(tempfile.mkdtemp(prefix="bantin-shots-"))
    config = parse_config(
        f"""
[bot]
name = "Lâm Đồng TV"
[storage]
path = "{folder / "bantin.sqlite3"}"
[dashboard]
listen = "127.0.0.1:0"
[telegram]
admins = [111]
""",
        str(folder / "config.toml"),
        env={},
    )
    started = time.perf_counter()
    async with App(config) as app:
        assert app.dashboard is not None and app.context.dashboard is not None
        seed(app, time.time())
        await app.dashboard.start()
        link = await app.context.dashboard.issue(Caller.chat("telegram", "111", "Lan"))
        assert link is not None
        driver = browser(1100, 800)
        try:
            await asyncio.to_thread(driver.get, link)
            await asyncio.to_thread(lambda: driver.find_element(By.ID, "signin").click())
            await asyncio.sleep(1.0)
            await asyncio.to_thread(driver.save_screenshot, str(DOCS / "dashboard-overview.png"))
            card = folder / "card.html"
            card.write_text(card_page(app), encoding="utf-8")
            await asyncio.to_thread(driver.set_window_size, 460, 720)
            await asyncio.to_thread(driver.get, card.as_uri())
            await asyncio.to_thread(driver.save_screenshot, str(DOCS / "push-card.png"))
        finally:
            driver.quit()
            await app.dashboard.stop()
    shutil.rmtree(folder, ignore_errors=True)
    print(
        f"wrote docs/dashboard-overview.png and docs/push-card.png in {time.perf_counter() - started:.1f} s"
    )
    print("reproduce: .venv/bin/python bench/screenshots.py")


if __name__ == "__main__":
    asyncio.run(main())
