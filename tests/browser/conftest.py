"""A real browser against the live server: Debian's Chromium driven by
Playwright, one browser per module, a fresh context (no cookies) per test.

`playwright install` cannot download browsers on the court's machines, so the
system Chromium is used; `.ci/run` installs it with fonts-noto-cjk so that
screenshots show Chinese rather than boxes.

Playwright's sync API keeps an asyncio loop registered as running in the main
thread while the browser is open, and Django refuses ORM calls from such a
thread (SynchronousOnlyOperation). The tests never touch the ORM from inside
the loop itself, so DJANGO_ALLOW_ASYNC_UNSAFE is set for as long as the
browser lives, and put back afterwards.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = shutil.which("chromium") is not None
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
VIEWPORT = {"width": 1366, "height": 768}  # the usual screen on a court desktop
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

needs_chromium = pytest.mark.skipif(
    not HAVE_CHROMIUM,
    reason="Chromium is not installed (apt-get install chromium fonts-noto-cjk; .ci/run does it)",
)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


class Problems:
    """What the browser complained about: console errors (a CSP violation is
    one), uncaught script errors, and failed sub-resources. The console's
    "Failed to load resource" lines are left to the response listener, which
    knows a refused form's 422 page is no failure and never sees the browser's
    own /favicon.ico request (the site has no icon yet)."""

    def __init__(self, page):
        self.lines: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.lines.append(f"script: {e}"))
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and r.request.resource_type != "document"  # a 422 form page is expected
                and self.lines.append(f"{r.status} {r.url}")
            ),
        )

    def _console(self, message) -> None:
        if message.type != "error" or message.text.startswith("Failed to load resource"):
            return
        self.lines.append(f"console: {message.text} ({message.location.get('url')})")


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh context; `page.problems` collects what went wrong."""
    context = browser.new_context(
        viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = Problems(page)
    yield page
    context.close()


@pytest.fixture
def login(page, court):
    """Sign in as an officer of the demo court (password "pw") through the
    real login form; returns the page."""
    from playwright.sync_api import expect

    def sign_in(username: str, password: str = "pw"):
        page.goto("/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        expect(page.locator("header .who")).to_be_visible()
        return page

    return sign_in


def screenshot(page, name: str) -> Path:
    """One full-page screenshot per flow, kept in test-results/ for a person to look at."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
