"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

No `playwright install`: the browser is the system's /usr/bin/chromium. Without it the tests
skip, unless KEHU_E2E_REQUIRED=1 (CI), where a missing browser is a failure.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in this thread; Django's ORM calls from test code
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("KEHU_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000


def _require_chromium():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("KEHU_E2E_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def browser_page(live_server):
    """A fresh Chromium page whose relative URLs go to the live server.

    Playwright starts per test, after the test database is set up, and stops before it is
    torn down: while Playwright's event loop is current, Django keeps database connections
    per async context rather than per thread, so a browser kept for the whole session would
    make every later test set up its database on a fresh connection (losing, among others,
    the serialized copy that `serialized_rollback` restores from).
    """
    _require_chromium()
    from django.db import connections
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = None
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        yield context.new_page()
    finally:
        # The connections the test body opened under Playwright's loop.
        connections.close_all()
        if browser is not None:
            browser.close()
        playwright.stop()
