"""Security headers as a browser applies them (Debian's Chromium through Playwright): our pages refuse to load in
a foreign frame, our own pages and the API docs run under the CSP without a violation, and nothing comes from a CDN.
"""

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.embedded import free_port
from tests.ui.test_ui import CHROMIUM_FLAGS, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium: Browser) -> Iterator[tuple[Page, list[str], list[str]]]:
    """A page, the console messages it logged and every request it made outside the loopback address."""
    context = chromium.new_context(locale="da-DK")
    page, console, external = context.new_page(), [], []

    def on_console(message: ConsoleMessage) -> None:
        console.append(message.text)

    page.on("console", on_console)
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith("http://127.0.0.1") else None)
    yield page, console, external
    context.close()


def test_a_page_is_refused_inside_a_foreign_frame(tab, embedded: str) -> None:
    page, _, _ = tab
    foreign = f"http://127.0.0.1:{free_port()}"  # another origin (another port), answered by the test itself
    frames = f'<iframe src="{embedded}/login"></iframe><iframe src="{foreign}/friend.html"></iframe>'
    page.route(f"{foreign}/evil.html", lambda route: route.fulfill(content_type="text/html", body=f"<h1>Evil</h1>{frames}"))
    page.route(f"{foreign}/friend.html", lambda route: route.fulfill(content_type="text/html", body="<p>Friend</p>"))
    page.goto(f"{foreign}/evil.html", wait_until="load")
    children = {frame.url: frame for frame in page.frames[1:]}
    assert "Friend" in children[f"{foreign}/friend.html"].content()  # framing as such works in this browser
    assert f"{embedded}/login" not in children and "chrome-error://chromewebdata/" in children  # ours is refused


def test_logged_in_pages_send_the_headers_and_run_without_csp_violations(tab, embedded: str) -> None:
    page, console, external = tab
    log_in(page, embedded, "camilla.juhl")
    expect(page.get_by_role("heading", name="Mine opgaver")).to_be_visible()
    response = page.goto(f"{embedded}/sager?vis=alle")
    assert response is not None
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin" and headers["cache-control"] == "no-store"
    page.locator("tbody a").first.click()  # a case page, with its forms and diagram
    expect(page.locator(".state")).to_be_visible()
    assert not [line for line in console if "Content Security Policy" in line], console
    assert external == []


def test_the_api_docs_load_swagger_ui_from_the_package(tab, embedded: str) -> None:
    page, console, external = tab
    page.goto(f"{embedded}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(re.compile("boligsocial"))
    expect(page.get_by_text("/api/v1/cases/{case_id}/actions/{action}").first).to_be_visible()
    assert external == [], external  # nothing from a CDN
    assert not [line for line in console if "Content Security Policy" in line], console
