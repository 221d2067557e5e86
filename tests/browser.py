"""Debian's chromium driven by Playwright: one way for every UI test to launch and sign in."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

#: Headless, and nothing that would try to reach the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_or_skip() -> str:
    """The chromium binary, or a skip that names the package to install."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.skip("Debian's chromium package is not installed (scripts/setup-system.sh)")
    return path


@asynccontextmanager
async def browser_page(executable: str, *, enforce_csp: bool = False) -> AsyncIterator[Any]:
    """A fresh page in a fresh browser, closed afterwards whatever the test did.

    Playwright evaluates string predicates (`wait_for_function`) with eval, which the
    services' Content-Security-Policy forbids; pages bypass it unless `enforce_csp`
    (tests/shared/test_ui_csp.py checks the UI under the real policy)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield await browser.new_page(bypass_csp=not enforce_csp)
        finally:
            await browser.close()


async def sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    """Submit the sign-in form (the page must already show it or be sent to it)."""
    if "/login" not in page.url:
        await page.goto(f"{base_url}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
