"""Widgets and build-time numbers in Markdown pages.

A widget is authored as a fenced block naming a calculator, an optional preset and overrides::

    ```calculator
    id: kv-cache
    preset: deepseek-v3
    context_length: 131072
    ```

The build renders its form from the registry schema (Jinja2 templates) and prerenders the outputs by running the
calculator in CPython, so the numbers are on the page before, and without, JavaScript.

Numbers in prose come from the package too: ``{{ calc("kv-cache", preset="deepseek-v3").bytes_per_token }}``
writes the formatted output; ``.value("name")`` gives the raw number for arithmetic and the filters below.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

import calculators
from calculators import data as calculators_data
from calculators import notation as calculators_notation
from calculators.charts import chart_svg
from calculators.formatting import (
    format_bytes,
    format_flops,
    format_hours,
    format_number,
    format_params,
    format_price,
    format_usd,
)

from . import claims as site_claims
from . import nav as site_nav
from . import validation as site_validation

TEMPLATES = Path(__file__).parent / "templates"
_FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\s`]*)")

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class WidgetError(ValueError):
    """A widget block names an unknown calculator or input, or its inputs are invalid: the build stops."""


_WIDGET_NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


@dataclass
class WidgetSpec:
    """A widget block: its calculator, the inputs it starts from, and its name on the page (stable: the HTML id
    and the URL parameters of the widget derive from it, so it never depends on the widget's position)."""

    calculator_id: str
    inputs: dict[str, Any] = field(default_factory=dict)
    name: str = ""


def parse_block(body: str, where: str) -> WidgetSpec:
    """Read ``key: value`` lines of a ```calculator block: ``id`` (the calculator), optional ``name`` (defaults to
    the id; needed when a page has two widgets of one calculator), and inputs."""
    values: dict[str, Any] = {}
    for n, line in enumerate(body.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise WidgetError(f"{where}: calculator block line {n}: expected 'name: value', got {line!r}")
        values[key.strip()] = value.strip()
    calc_id = values.pop("id", None)
    if not calc_id:
        raise WidgetError(f"{where}: calculator block without 'id:'")
    name = values.pop("name", calc_id)
    if not _WIDGET_NAME.match(name):
        raise WidgetError(f"{where}: widget name {name!r} must be lower-case letters, digits and hyphens")
    return WidgetSpec(calc_id, values, name)


def extract_widgets(markdown: str, where: str) -> tuple[str, list[WidgetSpec]]:
    """Replace each top-level ```calculator block by a placeholder; fences nested in other fences are left alone."""
    out: list[str] = []
    specs: list[WidgetSpec] = []
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        fence = m.group("fence")
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        if m.group("info") == "calculator":
            spec = parse_block("\n".join(lines[i + 1 : j]), where)
            if any(other.name == spec.name for other in specs):
                raise WidgetError(f"{where}: two widgets named {spec.name!r}: give the second a 'name:' line")
            specs.append(spec)
            out.append(slot_html(spec))
        else:
            out.extend(lines[i : j + 1])
        i = j + 1
    return "\n".join(out), specs


def slot_html(spec: WidgetSpec) -> str:
    """The placeholder a widget block becomes in Markdown, replaced by the widget after rendering."""
    return f'<div data-calc-slot="{spec.name}"></div>'


def _field_view(schema_field: dict[str, Any], value: Any) -> dict[str, Any]:
    view = dict(schema_field)
    view["value"] = int(value) if isinstance(value, float) and value.is_integer() else value
    view["relevant_json"] = json.dumps(schema_field["relevant_when"]) if schema_field["relevant_when"] else ""
    return view


def render_widget(spec: WidgetSpec, *, widget_id: str, runtime_json: str, where: str) -> str:
    """The widget's HTML: the form filled with the inputs used and the outputs computed now, in CPython.
    `runtime_json` says where the worker finds Pyodide and the compiled package (see hooks._runtime_json)."""
    calc = calculators.get_calculator(spec.calculator_id)
    if calc is None:
        raise WidgetError(f"{where}: no calculator {spec.calculator_id!r}; known: {calculators.calculator_ids()}")
    inputs = dict(spec.inputs)
    if calc.default_preset and "preset" not in inputs:
        inputs["preset"] = calc.default_preset
    result = calculators.run(calc.id, inputs)
    if result["errors"]:
        raise WidgetError(f"{where}: widget {calc.id} has invalid inputs: {result['errors']}")
    schema = calc.schema()
    used = result["inputs"]
    fields = [_field_view(f, used[f["name"]]) for f in schema["inputs"]]
    preset = used.get("preset") or "custom"
    preset_labels = {p["name"]: p["label"] for p in schema["presets"]}
    template = _env.get_template("widget.html.j2")
    return template.render(
        widget_id=widget_id,
        name=spec.name,
        calc=schema,
        groups=_groups(schema["groups"], fields),
        preset=preset,
        config_label=_config_label(used.get("config"), preset_labels.get(preset)),
        outputs=result["outputs"],
        notes=result["notes"],
        verdicts=result["verdicts"],
        formulas=result["formulas"],
        charts=result["charts"],  # SVG drawn by calculators.charts from numbers and escaped labels
        tables=result["tables"],
        config_fills=calc.from_config is not None,
        request_json=json.dumps({"id": calc.id, "inputs": inputs}, sort_keys=True),
        runtime_json=runtime_json,
    )


def _groups(order: list[str], fields: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The form's fields by group, in the calculator's order: ``key`` (the first group, the results follow it on
    a phone), ``rest`` and ``advanced`` (folded away), each a list of ``{title, fields}``."""
    out: dict[str, list[dict[str, Any]]] = {"key": [], "rest": [], "advanced": []}
    for n, group in enumerate(order):
        for part, advanced in (("key" if n == 0 else "rest", False), ("advanced", True)):
            members = [f for f in fields if f["group"] == group and f["advanced"] == advanced]
            if members:
                out[part].append({"title": group, "fields": members})
    return out


def _config_label(config: Any, preset_label: str | None) -> str:
    """What the folded config field says: whose config is loaded, or that one can be imported."""
    if not isinstance(config, str) or not config.strip():
        return "Import a config.json"
    return f"{preset_label} config loaded" if preset_label else "A config.json is loaded"


class _Calc:
    """What ``calc(...)`` returns in a page: outputs by attribute (formatted text) and `.value(name)`."""

    def __init__(self, calculator_id: str, inputs: dict[str, Any], where: str):
        self._result = calculators.run(calculator_id, inputs)
        if self._result["errors"]:
            raise WidgetError(f"{where}: calc({calculator_id!r}, {inputs}) failed: {self._result['errors']}")

    def __getattr__(self, name: str) -> str:
        """The output's text (the page's `finalize` escapes its dollar signs)."""
        try:
            return self._result["outputs"][name]["text"]
        except KeyError:
            raise AttributeError(name) from None

    def value(self, name: str) -> float:
        return self._result["outputs"][name]["value"]

    def input(self, name: str) -> Any:
        return self._result["inputs"][name]


def _chart_figure(spec: dict[str, Any]) -> markupsafe.Markup:
    """``{{ chart_svg(spec) }}`` in a page: a figure with the chart drawn for a wide and for a narrow box (the site's
    CSS shows the one that fits), like a widget's chart. Put it on a line of its own. Marked safe: SVG, whose dollar
    signs (tick labels) are text, not TeX."""
    return markupsafe.Markup(f'<figure class="calc-chart">{chart_svg(spec)}{chart_svg(spec, narrow=True)}</figure>')


def _fixed(value: float, decimals: int = 0) -> str:
    """A number with a fixed count of decimals and thousands separators: ``{{ 70272 / 1000 | fixed(3) }}``."""
    return f"{value:,.{decimals}f}"


def _percent(fraction: float, decimals: int = 1) -> str:
    return f"{fraction * 100:.{decimals}f}%"


DOCS = Path(__file__).resolve().parents[2] / "docs"


def calculator_pages(where: str) -> dict[str, str]:
    """Calculator id -> a Markdown link, relative to page `where`, to the first page that has its widget."""
    depth = where.count("/")
    out: dict[str, str] = {}
    for path in sorted(DOCS.rglob("*.md")):
        rel = path.relative_to(DOCS).as_posix()
        text = path.read_text()
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), rel)
        for spec in extract_widgets(text, rel)[1]:
            out.setdefault(spec.calculator_id, f"[{title}]({'../' * depth}{rel})")
    return out


class _Headlines:
    """What ``headlines`` gives a page: the claims of `data/claims.toml` settled by the package (`sitebuild.claims`),
    their links made relative to the page."""

    def __init__(self, where: str):
        self._where = where

    def by_topic(self) -> list[Any]:
        return site_claims.by_topic(self._where)

    def home(self) -> list[Any]:
        return site_claims.home(self._where)

    def counts(self) -> list[tuple[str, str, int]]:
        return site_claims.counts()

    def total(self) -> int:
        return len(calculators_data.claims())

    def anchor(self, topic: Any) -> str:
        return site_claims.topic_anchor(topic)

    def calculation(self, run: Any) -> str:
        return site_claims.calculation_text(run)


def escape_dollars(value: Any) -> Any:
    """What a ``{{ ... }}`` writes into a page, its dollar signs escaped: Markdown's math would take the text between
    two of them ("$5.576M ... $294K") for TeX. HTML marked safe (`markupsafe.Markup`, e.g. an SVG) passes as is.

    >>> escape_dollars("$5.576M"), escape_dollars(2.5)
    ('\\\\$5.576M', 2.5)
    """
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return value.replace("$", "\\$")
    return value


def render_page_macros(markdown: str, where: str) -> str:
    """Evaluate ``{{ ... }}`` in a page with `calc`, `models` and number filters; other pages pass unchanged.

    Every value a ``{{ ... }}`` writes has its dollar signs escaped (`escape_dollars`), whatever it comes from: an
    output, a filter, a note from `data/`.
    """
    if "{{" not in markdown and "{%" not in markdown:
        return markdown
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, finalize=escape_dollars)
    env.filters.update(fixed=_fixed, percent=_percent, sig=format_number, params=format_params, bytes=format_bytes,
                       flops=format_flops, usd=format_usd, hours=format_hours, price=format_price)
    env.globals.update(
        calc=lambda calculator_id, **inputs: _Calc(calculator_id, inputs, where),
        models=calculators_data.models(),
        runs=calculators_data.training_runs(),
        prices=calculators_data.prices(),
        api_prices=calculators_data.api_prices(),
        price_trends=calculators_data.price_trends(),
        price_crosschecks=calculators_data.price_crosschecks(),
        serving=calculators_data.serving(),
        accelerators=calculators_data.accelerators(),
        calculators=calculators.list_calculators(),
        calculator_pages=calculator_pages(where) if "calculator_pages" in markdown else {},
        chart_svg=_chart_figure,
        headlines=_Headlines(where),
        validation=site_validation,
        nav_section=lambda name: site_nav.section(name, where),
        notation=calculators_notation.symbols(),
        notation_groups=calculators_notation.GROUPS,
    )
    try:
        return env.from_string(markdown).render()
    except (jinja2.TemplateError, TypeError, ValueError, KeyError, ZeroDivisionError) as exc:
        raise WidgetError(f"{where}: in a {{{{ }}}} expression: {type(exc).__name__}: {exc}") from exc
