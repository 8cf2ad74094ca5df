"""Files the site serves that do not live in docs/: Pyodide and KaTeX from node_modules, and what the browser
worker loads into Pyodide (the package and the standard-library modules it needs, compiled by Pyodide itself).

Everything is copied at build time, so the built site makes no request outside its own origin. Files that change
with our code carry a content hash in their names (``assets/py/``); Pyodide's files a version in their folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
WHEEL_CACHE = ROOT / ".cache" / "wheel"
BUNDLE_CACHE = ROOT / ".cache" / "pyodide"
COMPILER = Path(__file__).with_name("pyodide_compile.mjs")
FALLBACK = Path(__file__).with_name("_stdlib_fallback.py")

# Pyodide's core as the worker uses it: the loader, the runtime, and the full standard library, which is fetched
# only if a module outside the compiled ones is imported (see _stdlib_fallback.py). pyodide-lock.json is not
# needed: the worker passes the lock file's `info` inline and no packages.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
# The Pyodide files a reader downloads before Python can start (with the bundle's two zips: see `download_bytes`).
PYODIDE_DOWNLOAD_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")


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


def pyodide_version() -> str:
    _require_node_modules()
    return json.loads((NODE_MODULES / "pyodide" / "package.json").read_text())["version"]


def pyodide_site_dir() -> str:
    """Where Pyodide's files are published: a folder per version, so a new Pyodide never meets a cached old one."""
    return f"assets/vendor/pyodide-{pyodide_version()}/"


def vendor_assets() -> list[Asset]:
    """Pyodide's core files and KaTeX (script, auto-render, stylesheet, fonts)."""
    _require_node_modules()
    folder = pyodide_site_dir()
    assets = [Asset(f"{folder}{name}", NODE_MODULES / "pyodide" / name) for name in PYODIDE_FILES]
    katex = NODE_MODULES / "katex" / "dist"
    for rel in ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js"):
        assets.append(Asset(f"assets/vendor/katex/{rel}", katex / rel))
    for font in sorted((katex / "fonts").glob("*.woff2")):
        assets.append(Asset(f"assets/vendor/katex/fonts/{font.name}", font))
    return assets


def pyodide_lock_info() -> dict:
    """The `info` of Pyodide's lock file, which the worker passes to loadPyodide instead of fetching the file."""
    return json.loads((NODE_MODULES / "pyodide" / "pyodide-lock.json").read_text())["info"]


@dataclass(frozen=True)
class Bundle:
    """What the browser worker loads into Pyodide, compiled by Pyodide under Node.js (see pyodide_compile.mjs)."""

    package: Path  # calculators-<hash>.zip: the package as bytecode, and its data
    stdlib: Path  # python_stdlib-<hash>.zip: the standard-library modules it and Pyodide's start-up import
    stdlib_modules: tuple[str, ...]

    def assets(self) -> list[Asset]:
        return [Asset(f"assets/py/{self.package.name}", self.package), Asset(f"assets/py/{self.stdlib.name}", self.stdlib)]

    def download_bytes(self) -> int:
        """Bytes fetched before Python can start (uncompressed): Pyodide's loader and runtime, and the two zips."""
        pyodide = sum((NODE_MODULES / "pyodide" / name).stat().st_size for name in PYODIDE_DOWNLOAD_FILES)
        return pyodide + self.package.stat().st_size + self.stdlib.stat().st_size


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def build_bundle(wheel: Path) -> Bundle:
    """Compile the wheel and the standard-library modules it needs inside Pyodide under Node.js; reuse the result
    while the wheel, the compiler and Pyodide are unchanged. Each zip is named by a hash of its content."""
    _require_node_modules()
    key = _digest(wheel.read_bytes(), COMPILER.read_bytes(), FALLBACK.read_bytes(),
                  (NODE_MODULES / "pyodide" / "package.json").read_bytes())[:16]
    folder = BUNDLE_CACHE / key
    summary = folder / "summary.json"
    if not summary.is_file():
        if shutil.which("node") is None:
            raise BuildError("node not found: the build compiles the package inside Pyodide under Node.js 20+.")
        BUNDLE_CACHE.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="tmp-", dir=BUNDLE_CACHE))
        try:
            proc = subprocess.run(["node", str(COMPILER), str(NODE_MODULES / "pyodide"), str(wheel), str(work)],
                                  capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                raise BuildError(f"compiling the package in Pyodide failed: {proc.stderr.strip()[-2000:]}")
            names = {}
            for stem in ("calculators", "python_stdlib"):
                data = (work / f"{stem}.zip").read_bytes()
                names[stem] = f"{stem}-{hashlib.sha256(data).hexdigest()[:16]}.zip"
                (work / f"{stem}.zip").rename(work / names[stem])
            (work / "summary.json").write_text(json.dumps({**json.loads(proc.stdout), "files": names}, indent=1))
            for old in BUNDLE_CACHE.iterdir():  # earlier bundles (not another build's work in progress)
                if old.is_dir() and not old.name.startswith("tmp-"):
                    shutil.rmtree(old, ignore_errors=True)
            if not folder.exists():  # else another build finished the same bundle first
                work.rename(folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    info = json.loads(summary.read_text())
    return Bundle(package=folder / info["files"]["calculators"], stdlib=folder / info["files"]["python_stdlib"],
                  stdlib_modules=tuple(info["stdlib_modules"]))


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
