"""MkDocs hooks (listed in mkdocs.yml): widgets and build-time numbers in pages, the wheel, vendored assets.

MkDocs loads this file by path; the small modules beside it do the work and are importable by the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # scripts/, for `sitebuild`
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout, for `calculators`

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402

from sitebuild import assets, render  # noqa: E402

_widgets: dict[str, list[render.WidgetSpec]] = {}
_build: dict[str, object] = {}


def on_pre_build(config) -> None:
    try:
        _build["wheel"] = assets.build_wheel()
        _build["vendor"] = assets.vendor_assets()
        _build["download_bytes"] = assets.pyodide_download_bytes()
    except assets.BuildError as exc:
        raise PluginError(str(exc)) from exc


def on_files(files: Files, config) -> Files:
    wheel: Path = _build["wheel"]  # type: ignore[assignment]
    generated = [*_build["vendor"], assets.Asset(f"assets/py/{wheel.name}", wheel)]  # type: ignore[misc]
    for asset in generated:
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


def on_page_content(html: str, page, config, files) -> str:
    where = page.file.src_uri
    wheel: Path = _build["wheel"]  # type: ignore[assignment]
    for spec in _widgets.pop(where, []):
        slot = render.slot_html(spec)
        if slot not in html:
            raise PluginError(f"{where}: widget {spec.name!r} ({spec.calculator_id}) vanished in Markdown rendering")
        try:
            widget = render.render_widget(
                spec,
                widget_id=f"calc-{spec.name}",
                site_root=_site_root(page),
                wheel_name=wheel.name,
                download_bytes=_build["download_bytes"],  # type: ignore[arg-type]
                where=where,
            )
        except render.WidgetError as exc:
            raise PluginError(str(exc)) from exc
        html = html.replace(slot, widget, 1)
    return html
