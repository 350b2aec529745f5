"""Fixtures for the browser tests: one Chromium for the package, a fresh browser profile
(empty localStorage) per test, and the demo page of the real stack (``stack`` fixture)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict

import pytest

from tests.browser.chromium import CHROMIUM, MISSING, launched
from tests.browser.widget import Widget

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="package")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(MISSING)
    with launched() as browser:
        yield browser


@pytest.fixture
def web_url(stack) -> str:
    return f"http://127.0.0.1:{stack.web_port}"


@pytest.fixture
def rasa_url(stack) -> str:
    return f"http://127.0.0.1:{stack.rasa_port}"


@pytest.fixture
def context(chromium):
    """A fresh profile: no stored conversation, desktop size."""
    context = chromium.new_context(viewport=DESKTOP)
    context.set_default_timeout(15000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def page_errors(page):
    """Every uncaught script error on the page; tests assert it stays empty."""
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    return errors


@pytest.fixture
def widget(page, web_url) -> Widget:
    """The demo page at / with its widget loaded (closed)."""
    page.goto(web_url + "/")
    widget = Widget(page)
    widget.wait_until_loaded()
    return widget


@dataclass
class OtherSite:
    """A second web site on its own port, so another origin than the product's."""

    url: str
    pages: Dict[str, str] = field(default_factory=dict)  # path → HTML


@pytest.fixture
def other_site():
    """A municipality's own web site, serving the pages a test puts into ``pages``.

    It is a real server on 127.0.0.1: Chromium refuses requests from a page it cannot place
    on the network (a faked route) to loopback addresses (Local Network Access), which a real
    municipality site and a public assistant server never run into."""
    pages: Dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path)
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    from tests.conftest import OTHER_SITE_PORT  # listed in the test stack's RASA_CORS_ORIGINS

    server = ThreadingHTTPServer(("127.0.0.1", OTHER_SITE_PORT), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield OtherSite(f"http://127.0.0.1:{server.server_port}", pages)
    server.shutdown()
    server.server_close()
