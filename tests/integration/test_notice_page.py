"""The public notice page in a real browser (headless Debian Chromium driven by Playwright):
served by uvicorn, fed through the service's own consumer, it shows masked data only, takes an
objection through its form, and prints without the form.

Without Chromium the test skips, except under CI=true, where it fails: CI must not pass green
on a page test that did not run.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from playwright.async_api import Browser, async_playwright

from infra.bus.local_broker import free_port
from services.publicity.domain.events import ObjectionFiled
from tests.conftest import server_missing
from tests.unit.notice_harness import AYGUL, TOWNSHIP, WANG, ZHANG, china, notice_world, roster

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PEOPLE = (ZHANG, WANG, AYGUL)


@asynccontextmanager
async def serving(app: object) -> AsyncIterator[str]:
    """``app`` on uvicorn at a free port of 127.0.0.1, in this event loop."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        server_missing("Chromium", f"{CHROMIUM} is not installed (make browser)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def test_the_notice_page_in_a_browser_shows_masked_data_only(tmp_path: Path) -> None:
    async with (
        notice_world(tmp_path, now=china(2025, 6, 9)) as world,
        chromium() as browser,
        serving(world.parts.http) as base,
    ):
        await world.submit(roster(rows=3), PEOPLE, at=world.clock.now())
        page = await browser.new_page()
        answer = await page.goto(f"{base}/notices/townships/{TOWNSHIP}")
        assert answer is not None
        assert answer.status == 200

        assert await page.title() == "红星乡惠民惠农财政补贴资金发放公示"
        names = await page.locator("td.name").all_inner_texts()
        ids = await page.locator("td.citizen-id").all_inner_texts()
        assert names == ["张*丰", "王*", "阿**丽·买*提"]
        assert ids == ["*" * 14 + person.citizen_id[-4:] for person in PEOPLE]
        text = await page.locator("body").inner_text()
        html = await page.content()
        for person in PEOPLE:
            for secret in (person.citizen_id, person.account_no, person.phone, person.name):
                assert secret not in text
                assert secret not in html
        assert "举报电话：12345" in text

        await page.fill("input[name=row_no]", "2")
        await page.fill("textarea[name=reason]", "此人户籍已迁出本村")
        await page.fill("input[name=contact_phone]", "13800138000")
        await page.click("button[type=submit]")
        await page.wait_for_load_state()
        acknowledged = await page.locator("body").inner_text()
        assert "异议已收到" in acknowledged
        assert "王*" in acknowledged
        assert "*******8000" in acknowledged
        assert "13800138000" not in await page.content()
        codec = world.parts.http.state.publicity.codec
        stored = [codec.decode(r).event for r in await world.store.read_stream("notice-r-1")]
        assert len(stored) == 2
        assert isinstance(stored[-1], ObjectionFiled)
        assert stored[-1].row_no == 2

        await page.goto(f"{base}/notices/townships/{TOWNSHIP}")
        await page.emulate_media(media="print")
        assert not await page.locator("form.objection").is_visible()
        assert await page.locator("table").is_visible()
