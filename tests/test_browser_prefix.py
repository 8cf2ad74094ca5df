"""Layer 4: the site served under a path prefix, as GitHub Pages serves a project site (https://owner.github.io/repo/):
built with SITE_URL set to that address, widgets go live, instant navigation works and the 404 page renders."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from test_browser import LOAD_TIMEOUT_MS, browser, watched_page  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

PREFIX = "/llm-cost/"


@pytest.fixture(scope="module")
def prefixed_url(root: Path, tmp_path_factory: pytest.TempPathFactory):
    """The site built for http://127.0.0.1:PORT/llm-cost/ and served there (a port of its own)."""
    from static_server import serve

    site = tmp_path_factory.mktemp("prefixed-site")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}{PREFIX}"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": url}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          cwd=root, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with serve(site, port=port, prefix=PREFIX) as base:
        assert base == url
        yield base


@pytest.fixture
def page(browser, prefixed_url):  # noqa: F811 - test_browser's fixture, on this site
    yield from watched_page(browser, prefixed_url)


def test_widgets_go_live_and_instant_navigation_works_under_a_prefix(page) -> None:
    page.goto(page.base + "explainers/mla-kv-cache/#calc-kv-cache")
    page.wait_for_selector('#calc-kv-cache[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)
    page.fill("#calc-kv-cache-context_length", "65536")
    page.wait_for_function("() => document.querySelector('#calc-kv-cache').dataset.calcPending === 'false'")
    assert page.get_attribute("#calc-kv-cache", "data-calc-state") == "live"
    page.evaluate("window.__sameDocument = true")
    page.click("nav.md-nav--primary a[href$='explainers/moe/']")
    page.wait_for_url(f"**{PREFIX}explainers/moe/")
    assert page.evaluate("window.__sameDocument === true"), "navigation reloaded the page: not instant"
    page.wait_for_selector('#calc-model-params[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)
    page.select_option("#calc-model-params-preset", "llama-3.1-8b")
    page.wait_for_function("() => document.querySelector('#calc-model-params').dataset.calcPending === 'false'")
    assert page.get_attribute("#calc-model-params", "data-calc-state") == "live"
    assert page.locator(".katex").count() > 5  # formulas rendered after the page change


def test_the_404_page_renders_under_a_prefix(page) -> None:
    response = page.goto(page.base + "no/such/page/")
    assert response is not None and response.status == 404
    page.problems.clear()  # the browser logs the 404 of the page itself as a console error
    assert "404" in page.text_content("article")
    # The theme's stylesheet and script loaded from the prefix: the header is styled and the search works.
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
    assert page.evaluate("typeof window.document$") == "object"
    page.click("nav.md-nav--primary a[href$='notation/']")
    page.wait_for_url(f"**{PREFIX}notation/")
    assert page.locator("h1").first.text_content().strip()
