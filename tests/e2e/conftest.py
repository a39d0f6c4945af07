"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Without the playwright package or /usr/bin/chromium the whole folder is skipped, and the
skip says so ("skipped: no chromium"), so a machine without a browser never passes silently.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("skipped: no chromium (the playwright package is not installed)")
    if not Path(CHROMIUM).exists():
        pytest.skip("skipped: no chromium (/usr/bin/chromium is not installed)")
    # Playwright's sync API keeps an event loop in this thread while the browser lives; the
    # ORM calls these tests make (data set-up, the database flush) are synchronous and safe.
    # Only for this module's lifetime: the deploy check rightly refuses the variable.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


def logged_in(browser: Any, live_server: Any, phone: str, password: str, *, width: int) -> Any:
    """A new browser context of `width` pixels, logged in with `phone` and `password`."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", phone)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page
