"""MkDocs hooks (listed in mkdocs.yml): widgets and build-time numbers in pages, the compiled package, vendored
assets, and cache-busting versions on our scripts and stylesheets.

MkDocs loads this file by path, once per process; the small modules beside it do the work and are importable by
the tests. `mkdocs serve` keeps this module between rebuilds, so every build imports `sitebuild` and the
`calculators` package afresh (see `_import_fresh`): a page never shows the numbers of an older package.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

# scripts/, for `sitebuild`, and the checkout, for `calculators` (MkDocs restores sys.path after loading this file)
_PATHS = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2])]

_widgets: dict[str, list] = {}
_build: dict[str, object] = {}
assets = render = None  # the sitebuild modules of the current build


def _import_fresh() -> None:
    """Forget every imported module of the package and of sitebuild, and import sitebuild again (which imports
    the package), so this build sees the sources as they are now."""
    global assets, render
    for path in reversed(_PATHS):
        if path not in sys.path:
            sys.path.insert(0, path)
    for name in list(sys.modules):
        if name in ("calculators", "sitebuild") or name.startswith(("calculators.", "sitebuild.")):
            del sys.modules[name]
    importlib.invalidate_caches()
    from sitebuild import assets, render  # noqa: F811 - rebinding the module globals is the point


def _version(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def on_config(config):
    """Give each extra script and stylesheet a ``?v=<hash of its content>``: Material hashes its own assets' names,
    not these, so a returning reader would otherwise pair new pages with a cached old widgets.js. widgets.js starts
    worker.js with its own query, so assets/calc/'s version covers every file in that folder."""
    _import_fresh()
    docs = Path(config.docs_dir)
    calc_version = _version(sorted((docs / "assets" / "calc").iterdir()))
    _build["widgets_js"] = f"assets/calc/widgets.js?v={calc_version}"
    _build["worker_js"] = f"assets/calc/worker.js?v={calc_version}"  # the URL widgets.js derives from its own
    vendored = {asset.site_path: asset.source for asset in assets.vendor_assets()}
    for entries in (config.extra_javascript, config.extra_css):
        for i, entry in enumerate(entries):
            path = str(entry).split("?")[0]
            if path.startswith("assets/calc/"):
                files = sorted((docs / "assets" / "calc").iterdir())
            elif (docs / path).is_file():
                files = [docs / path]
            elif path in vendored:
                files = [vendored[path]]
            else:
                continue
            versioned = f"{path}?v={_version(files)}"
            if isinstance(entry, str):
                entries[i] = versioned
            else:
                entry.path = versioned
    return config


def on_pre_build(config) -> None:
    try:
        wheel = assets.build_wheel()
        bundle = assets.build_bundle(wheel)
        _build["bundle"] = bundle
        _build["vendor"] = assets.vendor_assets()
        _build["runtime"] = {
            "pyodide": assets.pyodide_site_dir(),
            "stdlib": f"assets/py/{bundle.stdlib.name}",
            "stdlibFull": f"{assets.pyodide_site_dir()}python_stdlib.zip",
            "package": f"assets/py/{bundle.package.name}",
            "lock": assets.pyodide_lock_info(),
            "bytes": bundle.download_bytes(),
        }
    except assets.BuildError as exc:
        raise PluginError(str(exc)) from exc


def on_files(files: Files, config) -> Files:
    for asset in [*_build["vendor"], *_build["bundle"].assets()]:  # type: ignore[union-attr]
        files.append(File.generated(config, asset.site_path, abs_src_path=str(asset.source)))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    where = page.file.src_uri
    try:
        markdown = render.render_page_macros(markdown, where)
        markdown, specs = render.extract_widgets(markdown, where)
    except render.WidgetError as exc:
        raise PluginError(str(exc)) from exc
    _widgets[where] = specs
    return markdown


def _site_root(page) -> str:
    """Relative path from the page's URL to the site root ("", "../", ...)."""
    depth = page.url.count("/") if page.url else 0
    return "../" * depth if depth else "./"


def _runtime_json(site_root: str) -> str:
    """What the worker needs to start Python, with URLs relative to the page (see render.render_widget)."""
    runtime = dict(_build["runtime"])  # type: ignore[arg-type]
    for key in ("pyodide", "stdlib", "stdlibFull", "package"):
        runtime[key] = site_root + runtime[key]
    return json.dumps(runtime, sort_keys=True, separators=(",", ":"))


EARLY_START = Path(__file__).parent / "templates" / "early_start.js"


def _scripts(page, specs) -> str:
    """What follows a page's first widget: the early start of Python, inlined so that it runs while the page is being
    parsed (it needs the worker's URL and the page's calculators), and widgets.js, which makes the widgets live.
    Pages without widgets load neither."""
    root = _site_root(page)
    ids = list(dict.fromkeys(spec.calculator_id for spec in specs))
    code = "\n".join(line for line in EARLY_START.read_text().splitlines() if not line.lstrip().startswith("//"))
    early = code.replace("WORKER_URL", json.dumps(root + _build["worker_js"])).replace("CALCULATOR_IDS", json.dumps(ids))
    return (f"\n<script>\n{early}\n</script>"
            f'\n<script type="module" async src="{root}{_build["widgets_js"]}"></script>')


def on_page_content(html: str, page, config, files) -> str:
    """Each widget in place of its block, and after the first the scripts that make them live (see `_scripts`)."""
    where = page.file.src_uri
    specs = _widgets.pop(where, [])
    for n, spec in enumerate(specs):
        slot = render.slot_html(spec)
        if slot not in html:
            raise PluginError(f"{where}: widget {spec.name!r} ({spec.calculator_id}) vanished in Markdown rendering")
        try:
            widget = render.render_widget(
                spec,
                widget_id=f"calc-{spec.name}",
                runtime_json=_runtime_json(_site_root(page)),
                where=where,
            )
        except render.WidgetError as exc:
            raise PluginError(str(exc)) from exc
        if n == 0:
            widget += _scripts(page, specs)
        html = html.replace(slot, widget, 1)
    return html
