"""End to end in a real headless Chromium: the one-time link from /dashboard signs in, the
overview shows its charts, approving a waiting story from the browser pushes it to the
fake Telegram, a used link and a request without a session are refused."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.admin.telegram import wait_for
from tests.admin.test_telegram_app import visible
from tests.dashboard.browser import chromium, need_chromium
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


async def page(driver: Any, url: str) -> str:
    await asyncio.to_thread(driver.get, url)
    return str(await asyncio.to_thread(lambda: driver.page_source))


async def click(driver: Any, selector: str) -> str:
    from selenium.webdriver.common.by import By

    def press() -> str:
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        button = driver.find_element(By.CSS_SELECTOR, selector)
        button.click()
        wait = WebDriverWait(driver, 10)
        wait.until(expected_conditions.staleness_of(button))  # the next page has come
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "main h1"))
        return str(driver.page_source)

    return await asyncio.to_thread(press)


async def count(driver: Any, selector: str) -> int:
    from selenium.webdriver.common.by import By

    return len(await asyncio.to_thread(driver.find_elements, By.CSS_SELECTOR, selector))


async def test_an_editor_signs_in_and_publishes_from_the_browser(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    need_chromium()
    with FakeNewsSite() as site:
        async with live_dashboard(dashboard_config(tmp_path, tg, site)) as app:
            story = await hold_a_story(app, tg, site)
            base = f"http://127.0.0.1:{server_of(app).port}"
            link = await sign_in_link(tg)
            with chromium() as driver:
                refused = await page(driver, base + "/stories")
                assert "/dashboard" in refused and "✅ Đăng" not in refused

                await page(driver, link)
                overview = await click(driver, "#signin")
                assert "Tổng quan" in overview
                assert await count(driver, "svg.chart") == 4
                assert await count(driver, "svg.chart title") >= 4
                assert await count(driver, "svg.chart text") > 8  # axes, labels

                await page(driver, base + "/stories")
                assert all(tg.delivered(reader) == [] for reader in READERS)
                done = await click(driver, f"#waiting-{story} button.go")
                assert f"Đã đăng tin #{story}" in done
                await wait_for(lambda: all(tg.delivered(reader) for reader in READERS))
                (card,) = tg.delivered(READERS[0])
                assert "Sạt lở đèo Prenn" in visible(card.text)

            with chromium() as other:  # another browser, the same link: spent
                used = await page(other, link)
                assert "đã được dùng" in used and "Tổng quan" not in used
                assert "/dashboard" in await page(other, base + "/")
