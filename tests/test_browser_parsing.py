"""Layer 4: widgets.js runs as soon as it arrives (async), which on a slow connection is while the rest of the page is
still being parsed. A widget further down then exists with only part of its form and results. This test makes that
happen every time: the server sends the cost page up to the middle of its last widget, waits, then sends the rest.
The half-parsed widget must not be mounted until it is whole, and then must work like the others.

(Mounting it half-parsed gave "Cannot read properties of null (reading 'replaceChildren')" on its first answer, seen
intermittently in the browser tests under load.)
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from pathlib import Path

import pytest

from calculators import run
from test_browser import LOAD_TIMEOUT_MS, browser, watched_page  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

PAGE = "explainers/cost/"
FIRST = "#calc-headline-costs"
LAST = "#calc-full-cost"
PAUSE_S = 4.0


@pytest.fixture(scope="module")
def paused_url(built_site: Path):
    """The built site, served with the cost page's body paused for PAUSE_S in the middle of its last widget's form
    (before its results), and widgets.js held back until a quarter of the pause has passed; yields the base URL and
    a log of (time, path) of each request."""
    from static_server import _Handler

    log: list[tuple[float, str]] = []
    html = (built_site / PAGE / "index.html").read_bytes()
    cut = html.index(b'<table class="calc-outputs"', html.index(f'id="{LAST[1:]}"'.encode()))
    paused = threading.Event()

    class Paused(_Handler):
        def do_GET(self) -> None:  # noqa: N802 - the base class's name
            log.append((time.monotonic(), self.path))
            if self.path.startswith("/assets/calc/widgets.js"):
                # the script arrives once the parser has surely reached the pause, not before
                paused.wait(PAUSE_S)
                time.sleep(PAUSE_S / 4)
            if self.path.split("?")[0] != "/" + PAGE:
                super().do_GET()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html[:cut])
            self.wfile.flush()
            log.append((time.monotonic(), "<paused>"))
            paused.set()
            time.sleep(PAUSE_S)
            log.append((time.monotonic(), "<resumed>"))
            self.wfile.write(html[cut:])

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Paused, directory=str(built_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(browser, paused_url):  # noqa: F811 - test_browser's fixture, on this server
    yield from watched_page(browser, paused_url[0])


def test_a_widget_still_being_parsed_is_mounted_once_whole_and_works(page, paused_url) -> None:
    _, log = paused_url
    page.goto(page.base + PAGE, wait_until="commit")
    # During the pause: the script has run (the first widget is mounted) while the page is still loading, and the
    # half-parsed last widget is left alone.
    page.wait_for_selector(f"{FIRST}[data-calc-engine]", state="attached", timeout=PAUSE_S * 1000 * 3 / 4)
    during = page.evaluate(f"""() => ({{
        readyState: document.readyState,
        lastExists: !!document.querySelector('{LAST}'),
        lastMounted: 'calcEngine' in document.querySelector('{LAST}').dataset,
        lastHasNotes: !!document.querySelector('{LAST} > .calc-notes'),
    }})""")
    assert during == {"readyState": "loading", "lastExists": True, "lastMounted": False, "lastHasNotes": False}
    assert "<resumed>" not in [path for _, path in log]
    # Once the page is whole, the last widget is mounted and recomputes like the others.
    page.wait_for_selector(f'{LAST}[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)
    page.select_option(f"{LAST}-preset", "semianalysis-fleet")
    page.wait_for_function("sel => document.querySelector(sel).dataset.calcPending === 'false'", arg=LAST,
                           timeout=30_000)
    assert page.get_attribute(LAST, "data-calc-state") == "live"
    expected = run("full-cost", {"preset": "semianalysis-fleet"})
    assert not expected["errors"] and expected["notes"] != run("full-cost", {})["notes"]  # the notes change
    shown = page.eval_on_selector_all(f"{LAST} > .calc-notes li", "els => els.map(e => e.textContent)")
    assert shown == expected["notes"]
    assert page.eval_on_selector_all(f"{LAST} .calc-sensitivity-notes li", "els => els.length") == 0
