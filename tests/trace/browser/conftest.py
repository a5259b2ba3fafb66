"""A static server and a headless Chromium for the browser verifier's tests.

The server is Python's http.server on 127.0.0.1, serving ``/static/`` from the package (with the
app's Content-Security-Policy, so a script the real site would block fails here too), plus
evidence documents and batch pages the tests register. 127.0.0.1 is a secure context, so
Chromium offers WebCrypto there. Chromium is found, skipped or failed exactly as in
``tests/web/test_browser.py``.
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import cityhub.web
from cityhub.web.app import CONTENT_SECURITY_POLICY
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium

WEB = Path(cityhub.web.__file__).parent


@dataclass
class Site:
    """What the server answers besides /static/: registered documents and pages."""

    base: str = ""
    routes: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def add_evidence(self, name: str, doc: dict[str, Any]) -> str:
        path = f"/evidence/{name}.json"
        self.routes[path] = ("application/json", json.dumps(doc, ensure_ascii=False).encode())
        return path

    def add_batch_page(self, name: str, doc: dict[str, Any], lang: str) -> str:
        """A stand-in for the batch page template: the elements batch.js fills in."""
        evidence = self.add_evidence(name, doc)
        items = "".join(
            f'<li data-log-index="{_index(event)}">{html.escape(name)} #{i + 1}</li>'
            for i, event in enumerate(doc["events"])
        )
        page = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<link rel="stylesheet" href="/static/trace/trace.css"></head>'
            f'<body data-evidence-url="{evidence}"><p id="trace-verdict"></p>'
            f'<ol id="trace-timeline">{items}</ol><div id="trace-checkpoint"></div>'
            '<ul id="trace-checks"></ul>'
            '<script type="module" src="/static/trace/batch.js"></script></body></html>'
        )
        path = f"/batch/{name}.html"
        self.routes[path] = ("text/html; charset=utf-8", page.encode())
        return path


def _index(event: dict[str, Any]) -> int:
    return int(event["bundle"].split("\n")[1].removeprefix("index "))


def _handler(site: Site) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        extensions_map = {  # noqa: RUF012 - the class attribute http.server reads
            ".js": "text/javascript",
            ".css": "text/css",
            ".json": "application/json",
            ".html": "text/html; charset=utf-8",
            ".md": "text/markdown; charset=utf-8",
            "": "application/octet-stream",
        }

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(WEB), **kwargs)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path in site.routes:
                kind, body = site.routes[path]
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif path == "/favicon.ico":
                self.send_response(204)  # browsers ask; an error here would be console noise
                self.end_headers()
            elif path.startswith("/static/") and ".." not in path:
                super().do_GET()
            else:
                self.send_error(404)

        def end_headers(self) -> None:
            self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    served = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield served
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def new_tab(browser: Any, site: Site, locale: str = "zh-CN") -> Any:
    """A fresh context and page; console errors collect in ``tab.console_errors``."""
    context = browser.new_context(locale=locale)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.console_errors = errors
    return tab


@pytest.fixture(scope="module")
def tab(browser: Any, site: Site) -> Iterator[Any]:
    """One page on an empty document of the site, for calling the verifier's modules."""
    site.routes["/blank.html"] = ("text/html; charset=utf-8", b"<!doctype html><title>t</title>")
    page = new_tab(browser, site)
    page.goto(f"{site.base}/blank.html")
    yield page
    page.context.close()
    assert page.console_errors == [], page.console_errors


VERIFY = "/static/trace/verify.js"


def verify(tab: Any, doc: dict[str, Any], **options: Any) -> dict[str, Any]:
    """Runs verifyEvidence(doc, options) in the browser and returns the report."""
    report: dict[str, Any] = tab.evaluate(
        """async ([url, doc, options]) => {
            const { verifyEvidence } = await import(url);
            return await verifyEvidence(doc, options);
        }""",
        [VERIFY, doc, options],
    )
    return report
