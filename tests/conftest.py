"""Shared fixtures: the repository root, a built site, the built wheel, a local server for the browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# No time limits on property tests: speed is measured by the benchmark scripts, not asserted, and a loaded machine
# (CI shares its cores) would fail a deadline with nothing wrong.
settings.register_profile("project", deadline=None)
settings.load_profile("project")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def site_port() -> int:
    """A free local port; the site is built for it (site_url), since instant navigation depends on that."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def site_url(site_port: int) -> str:
    return f"http://127.0.0.1:{site_port}/"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, site_url: str) -> Path:
    """`mkdocs build --strict` into a temporary folder; fails the session's site tests if it warns."""
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": site_url}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("WARNING")]
    assert not warnings, warnings
    return site


@pytest.fixture(scope="session")
def wheel_path() -> Path:
    """The package's wheel, built by the code the docs build uses."""
    from sitebuild.assets import build_wheel

    return build_wheel()


@pytest.fixture(scope="session")
def bundle(wheel_path: Path):
    """What the site's browser worker loads: the package and the standard-library modules it needs, compiled by
    Pyodide under Node.js (the same build step and cache as the docs build)."""
    from sitebuild.assets import build_bundle

    return build_bundle(wheel_path)
