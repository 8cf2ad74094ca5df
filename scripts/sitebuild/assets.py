"""Files the site serves that do not live in docs/: the package wheel, Pyodide and KaTeX from node_modules.

Everything is copied at build time, so the built site makes no request outside its own origin.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
WHEEL_CACHE = ROOT / ".cache" / "wheel"

# Pyodide's core: what loadPyodide fetches when no packages are requested.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# The bytes a reader downloads before Python can start (reported as progress).
PYODIDE_DOWNLOAD_FILES = ("pyodide.asm.wasm", "python_stdlib.zip")


class BuildError(RuntimeError):
    """A prerequisite of the docs build is missing; the message says what to run."""


@dataclass(frozen=True)
class Asset:
    """A file to publish: its path inside the site and where it comes from."""

    site_path: str
    source: Path


def _require_node_modules() -> None:
    if not (NODE_MODULES / "pyodide" / "pyodide.mjs").is_file() or not (NODE_MODULES / "katex").is_dir():
        raise BuildError("node_modules/ lacks pyodide or katex: run `npm ci` in the repository root (see README.md).")


def vendor_assets() -> list[Asset]:
    """Pyodide's core files and KaTeX (script, auto-render, stylesheet, fonts)."""
    _require_node_modules()
    assets = [Asset(f"assets/vendor/pyodide/{name}", NODE_MODULES / "pyodide" / name) for name in PYODIDE_FILES]
    katex = NODE_MODULES / "katex" / "dist"
    for rel in ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js"):
        assets.append(Asset(f"assets/vendor/katex/{rel}", katex / rel))
    for font in sorted((katex / "fonts").glob("*.woff2")):
        assets.append(Asset(f"assets/vendor/katex/fonts/{font.name}", font))
    return assets


def pyodide_download_bytes() -> int:
    """Bytes of the Pyodide files fetched before Python starts (uncompressed sizes)."""
    return sum((NODE_MODULES / "pyodide" / name).stat().st_size for name in PYODIDE_DOWNLOAD_FILES)


def _package_sources() -> list[Path]:
    return sorted([*ROOT.joinpath("calculators").rglob("*.py"), *ROOT.joinpath("data").rglob("*.toml"), ROOT / "pyproject.toml"])


def build_wheel() -> Path:
    """Build the `calculators` wheel (py3-none-any) with the pinned hatchling, reusing it while sources are unchanged."""
    newest_source = max(p.stat().st_mtime for p in _package_sources())
    existing = sorted(WHEEL_CACHE.glob("calculators-*-py3-none-any.whl"))
    if len(existing) == 1 and existing[0].stat().st_mtime >= newest_source:
        return existing[0]
    WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
             "-w", tmp, str(ROOT)],
            capture_output=True,
            text=True,
        )
        built = list(Path(tmp).glob("calculators-*-py3-none-any.whl"))
        if proc.returncode != 0 or len(built) != 1:
            raise BuildError(f"building the calculators wheel failed (is hatchling installed?): {proc.stderr.strip()[-500:]}")
        for old in existing:
            old.unlink()
        target = WHEEL_CACHE / built[0].name
        target.write_bytes(built[0].read_bytes())
    return target
