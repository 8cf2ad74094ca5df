"""Layer 3: `mkdocs serve` rebuilds with the package as it is now. Editing a fact in data/ changes the numbers the
page was prerendered with and the compiled package the widget loads, without restarting the server."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.site

PAGE = "explainers/mla-kv-cache/"


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def widget_numbers(html: str) -> tuple[str, float, str]:
    """The kv-cache widget's layer count field, its bytes-per-token output, and its package's file name."""
    layers = re.search(r'id="calc-kv-cache-layers"[^>]*value="([^"]*)"', html)
    per_token = re.search(r'data-output="bytes_per_token"[^>]*>\s*<th[^>]*>[^<]*</th>\s*'
                          r'<td class="calc-value" data-value="([^"]*)"', html)
    package = re.search(r"calculators-[0-9a-f]{16}\.zip", html)
    assert layers and per_token and package, "the page has no kv-cache widget as expected"
    return layers.group(1), float(per_token.group(1)), package.group(0)


def test_serve_rerenders_when_data_changes(root: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    # what a build reads: the validation page also reads the published config.json files in tests/fixtures
    for name in ("calculators", "data", "docs", "scripts", "tests/fixtures"):
        shutil.copytree(root / name, checkout / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("mkdocs.yml", "pyproject.toml", "README.md"):
        shutil.copy2(root / name, checkout / name)
    (checkout / "node_modules").symlink_to(root / "node_modules")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": base}
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=checkout,
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server.log = tmp_path / "serve.log"  # type: ignore[attr-defined]
    try:
        html = wait_for(lambda: fetch(base + PAGE), server, "the first build")
        layers, per_token, package = widget_numbers(html)
        assert layers == "61"
        toml = checkout / "data" / "models" / "deepseek-v3.toml"
        toml.write_text(toml.read_text().replace("num_hidden_layers = 61", "num_hidden_layers = 62", 1))

        def rebuilt() -> str | None:
            page = fetch(base + PAGE)
            return page if widget_numbers(page)[0] == "62" else None

        html = wait_for(rebuilt, server, "the rebuild after editing data/", timeout_s=120)
        _, new_per_token, new_package = widget_numbers(html)
        assert new_per_token == per_token * 62 / 61  # the cache grows with the layers
        assert new_package != package  # a new package, under a new name, which the server has
        with urllib.request.urlopen(base + "assets/py/" + new_package, timeout=10) as response:
            assert response.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def wait_for(probe, server: subprocess.Popen, what: str, timeout_s: float = 240):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"mkdocs serve stopped during {what}: {server.log.read_text()[-2000:]}")
        try:
            result = probe()
        except (urllib.error.URLError, ConnectionError, AssertionError, TimeoutError):
            result = None
        if result:
            return result
        time.sleep(1)
    pytest.fail(f"mkdocs serve did not finish {what} within {timeout_s} s: {server.log.read_text()[-2000:]}")
