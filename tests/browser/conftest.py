"""A real browser (Debian's Chromium driven by Playwright) against the app served on localhost.

Skipped when Chromium is not installed, unless REQUIRE_BROWSER=1 (CI installs it and sets it)."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (apt-get install -y chromium)")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def live(app):
    """The test app served on a free localhost port for the length of one test."""
    app.config["WTF_CSRF_ENABLED"] = True  # the real thing: htmx must send the token
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def page_for(browser, live):
    """A signed-in page for a user, in a fresh browser context (its own cookies)."""
    contexts = []

    def open_as(username: str, lang: str = "vi", size: tuple[int, int] = (1366, 900)):
        from tests.support.world import PASSWORD

        context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        # Each role lands where its work is (web.LANDING), never on the sign-in page again.
        page.wait_for_url(lambda url: url.startswith(live) and "/login" not in url)
        page.wait_for_load_state()
        if lang == "en":
            if size[0] < 700:
                page.click(".menu-toggle")
            page.click("button[lang=en]")
            page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()


def pytest_collection_modifyitems(items):
    """The test server may be shut down while a browser that is going away still downloads a
    static file (the favicon): werkzeug then never closes that file, and its ResourceWarning at
    the next garbage collection would fail whichever test runs then. Only such static files are
    let through; any other unclosed file still fails the suite."""
    for item in items:
        if "/tests/browser/" in str(item.path):
            item.add_marker(
                pytest.mark.filterwarnings(r"ignore:unclosed file <_io.BufferedReader name='[^']*/static/")
            )
            item.add_marker(
                pytest.mark.filterwarnings(
                    r"ignore:Exception ignored in. <_io.FileIO name='[^']*/static/"
                    ":pytest.PytestUnraisableExceptionWarning"
                )
            )
