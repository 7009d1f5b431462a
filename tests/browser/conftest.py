"""Browser tests: the shipped site, built in a temporary copy, served on 127.0.0.1 and driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
DARK_TOGGLE = 'label[title="Switch to dark mode"]'


def pytest_configure(config):
    """Register the `browser` marker (select with `-m browser`, leave out with `-m "not browser"`)."""
    config.addinivalue_line("markers", "browser: drives Debian's Chromium over the built site (tests/browser/)")


def find_chromium() -> str | None:
    """The system Chromium's path, or None when it is not installed."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine without the browser; on CI (CI set) fail instead, so the tests cannot vanish."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the browser tests must run (`.ci/run` installs chromium with apt-get)",
                    pytrace=False)
    pytest.skip(f"{reason} (install it with `apt-get install chromium`; on CI this fails instead)")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium launched headless through Playwright; never a downloaded browser."""
    path = find_chromium()
    if path is None:
        _unavailable("Chromium is not installed (no /usr/bin/chromium and no `chromium` on PATH)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (it is in the `test` extra: `make install`)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def built_site(built_shipped_site: Path, browser) -> Path:
    """The shipped project built once in a temporary folder (tests/conftest.py); returns its site/."""
    return built_shipped_site / "site"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def base_url(built_site: Path):
    """The built site served by a threaded http.server on 127.0.0.1 at a free port, e.g. http://127.0.0.1:41234/."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(built_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def site_pages(built_site: Path) -> list[str]:
    """Every page's path relative to the site root ("" for home, "data/public-2015/", ...), 404 left out."""
    pages = sorted(p.parent.relative_to(built_site).as_posix() for p in built_site.rglob("index.html"))
    return ["" if p == "." else f"{p}/" for p in pages if p != "404"]


@pytest.fixture(scope="session")
def survey_pages(built_site: Path, site_pages: list[str]) -> list[str]:
    """The survey pages: data/<survey-id>/ (not the data index, nor the Revisions page)."""
    pages = [p for p in site_pages if p.startswith("data/") and p.count("/") == 2 and p != "data/revisions/"]
    assert pages, f"no survey page under {built_site / 'data'}"
    return pages


class PageLog:
    """What one page did while it loaded: console errors, failed loads and requests to any host but localhost."""

    def __init__(self, page, path: str):
        self.path, self.errors, self.foreign = path or "/", [], []
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console error: {msg.text}"))
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught exception: {exc}"))
        page.on("requestfailed", lambda req: self.errors.append(f"request failed: {req.url} ({req.failure})"))
        page.on("response", lambda res: res.status >= 400 and self.errors.append(f"HTTP {res.status}: {res.url}"))
        page.on("request", self._request)

    def _request(self, request) -> None:
        """Note a request to any host but localhost (data: and blob: URLs have none)."""
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob", "about") and parts.hostname not in LOCAL_HOSTS:
            self.foreign.append(request.url)


@pytest.fixture
def new_context(browser):
    """A factory for browser contexts (Playwright's new_context arguments), all closed after the test."""
    contexts = []

    def _new_context(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1]

    yield _new_context
    for context in contexts:
        context.close()


@pytest.fixture
def visit(base_url: str):
    """Open a site path ("" is home) in a new tab of a context, waiting for the network to go quiet: (page, log)."""

    def _visit(context, path: str):
        page = context.new_page()
        log = PageLog(page, path)
        response = page.goto(base_url + path, wait_until="networkidle")
        assert response is not None and response.ok, f"{log.path}: HTTP {response and response.status}"
        return page, log

    return _visit


@pytest.fixture
def visit_all(base_url: str):
    """Open several site paths as `visit` opens one, each in its own tab of a context, all loading at once: every
    page is loaded and its network quiet on return, but the half-second quiet spells overlap instead of adding up.
    Returns [(path, page, log)] in the order given."""

    def _visit_all(context, paths: list[str]):
        opened = []
        for path in paths:
            page = context.new_page()
            log = PageLog(page, path)
            response = page.goto(base_url + path, wait_until="commit")
            assert response is not None and response.ok, f"{log.path}: HTTP {response and response.status}"
            opened.append((path, page, log))
        for _, page, _ in opened:
            page.wait_for_load_state("load")
            page.wait_for_load_state("networkidle")
        return opened

    return _visit_all


def _use_dark_mode(page) -> None:
    """Click Material's palette toggle (as a reader would) and wait until the page is in the slate scheme."""
    if page.evaluate("document.body.getAttribute('data-md-color-scheme')") != "slate":
        page.locator(DARK_TOGGLE).click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    page.evaluate("""Promise.all(document.getAnimations()  // let the colour transitions finish
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity).map(a => a.finished))""")


@pytest.fixture
def dark_mode():
    """A function that switches a page to dark mode with the real palette toggle."""
    return _use_dark_mode


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's own script, installed by npm from the root package.json."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make test` (or `npm ci` in {REPO}) to install axe-core", pytrace=False)
    return AXE
