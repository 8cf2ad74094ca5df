"""Charts as data, and one renderer from that data to SVG.

A calculator returns chart *specs*: plain JSON-able dicts, testable in CPython. `line_chart_svg` draws a spec as
a self-contained SVG string; the docs build calls it to put the chart on the page before JavaScript, and the
browser worker calls the same function in Pyodide, so the live chart and the prerendered one cannot drift.
Every text in the SVG is escaped here.

A line-chart spec::

    {"kind": "line", "title": str,
     "x": {"label": str, "format": "count"}, "y": {"label": str, "format": "bytes"},
     "series": [{"name": str, "points": [[x, y], ...]}],
     "rules": [{"y": float, "label": str}],       # horizontal reference lines (optional)
     "markers": [{"x": float, "label": str}]}     # vertical reference lines (optional)

A bar-chart spec (bars grouped by category; horizontal bars suit long category names)::

    {"kind": "bar", "title": str, "orientation": "vertical" | "horizontal",
     "categories": [str, ...], "value": {"label": str, "format": "count"},
     "series": [{"name": str, "values": [float, ...]}],   # one value per category
     "rules": [{"y": float, "label": str}]}                # reference values across the bars (optional)

`chart_svg` draws either kind.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["bar_chart_svg", "chart_svg", "escape", "line_chart_svg", "nice_ticks"]

_WIDTH, _HEIGHT = 640, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 78, 16, 36, 48
_PALETTE = ("#3f51b5", "#009688", "#e65100", "#8e24aa")


def escape(text: str, entities: Mapping[str, str] | None = None) -> str:
    """XML-escape `text` (``&``, ``<``, ``>``, and any `entities` given, e.g. quotes for attributes).

    Written here because importing `xml.sax.saxutils` costs about 0.2 s in Pyodide, on every page load.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char, entity in (entities or {}).items():
        text = text.replace(char, entity)
    return text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten.

    Examples:
        >>> nice_ticks(0, 9.2e9)
        [0.0, 2000000000.0, 4000000000.0, 6000000000.0, 8000000000.0, 10000000000.0]
        >>> nice_ticks(0, 262144)
        [0.0, 100000.0, 200000.0, 300000.0]
        >>> nice_ticks(0, 32000)  # not [0, 10000, 20000, 30000], which would leave 32,000 off the axis
        [0.0, 10000.0, 20000.0, 30000.0, 40000.0]
    """
    if not high > low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while True:  # up to the first tick at or above the highest value, so that nothing is drawn past the axis
        ticks.append(float(round(value, 12)))
        if value >= high - step * 1e-9:
            return ticks
        value += step


def _short(value: float, kind: str) -> str:
    """Compact tick label: decimal prefixes, at most 3 significant digits."""
    if value == 0:
        return "0"
    if kind == "percent":
        return f"{value * 100:.3g}%"
    units = ("", "K", "M", "B", "T", "P", "E") if kind in ("params", "usd") else ("", "k", "M", "G", "T", "P", "E")
    step = min(int(math.log10(abs(value)) // 3), len(units) - 1) if abs(value) >= 1000 else 0
    scaled = value / 1000**step
    text = f"{scaled:.3g}"
    suffix = units[step] + ("B" if kind == "bytes" else "")
    if kind == "usd":
        return f"-${text.lstrip('-')}{suffix}" if value < 0 else f"${text}{suffix}"
    return f"{text} {suffix}".strip() if kind == "bytes" else f"{text}{suffix}"


def line_chart_svg(spec: Mapping[str, Any]) -> str:
    """Draw a line-chart spec as an SVG string (width 640, height 300, scales with its container).

    Examples:
        >>> svg = line_chart_svg({"kind": "line", "title": "t", "x": {"label": "x"}, "y": {"label": "y"},
        ...                       "series": [{"name": "a", "points": [[0, 0], [1, 2]]}]})
        >>> svg.startswith("<svg") and "polyline" in svg
        True
    """
    series: Sequence[Mapping[str, Any]] = spec.get("series", [])
    rules = spec.get("rules", [])
    markers = spec.get("markers", [])
    xs = [p[0] for s in series for p in s["points"]] + [m["x"] for m in markers]
    ys = [p[1] for s in series for p in s["points"]] + [r["y"] for r in rules]
    x_ticks = nice_ticks(min(xs + [0]), max(xs + [1]))
    y_ticks = nice_ticks(min(ys + [0]), max(ys + [1]))
    x0, x1, y0, y1 = x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1]
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM

    def sx(x: float) -> float:
        return _LEFT + (x - x0) / (x1 - x0) * plot_w

    def sy(y: float) -> float:
        return _TOP + plot_h - (y - y0) / (y1 - y0) * plot_h

    x_kind = spec.get("x", {}).get("format", "count")
    y_kind = spec.get("y", {}).get("format", "number")
    title = escape(str(spec.get("title", "")), {'"': "&quot;"})  # safe as text and as an attribute
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-label="{title}" class="calc-chart-svg">',
        f"<title>{title}</title>",
        f'<text x="{_LEFT}" y="20" class="calc-chart-title">{title}</text>',
    ]
    for t in y_ticks:
        parts.append(f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" class="calc-chart-grid"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end" class="calc-chart-tick">'
                     f"{escape(_short(t, y_kind))}</text>")
    for t in x_ticks:
        parts.append(f'<text x="{sx(t):.1f}" y="{_TOP + plot_h + 16}" text-anchor="middle" class="calc-chart-tick">'
                     f"{escape(_short(t, x_kind))}</text>")
    parts.append(f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{_TOP + plot_h}" y2="{_TOP + plot_h}" class="calc-chart-axis"/>')
    parts.append(f'<text x="{_LEFT + plot_w / 2:.1f}" y="{_HEIGHT - 8}" text-anchor="middle" class="calc-chart-label">'
                 f"{escape(str(spec.get('x', {}).get('label', '')))}</text>")
    parts.append(f'<text transform="translate(14 {_TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
                 f'class="calc-chart-label">{escape(str(spec.get("y", {}).get("label", "")))}</text>')
    for rule in rules:
        y = sy(rule["y"])
        parts.append(f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="calc-chart-rule"/>')
        parts.append(f'<text x="{_WIDTH - _RIGHT - 4}" y="{y - 5:.1f}" text-anchor="end" class="calc-chart-note">'
                     f"{escape(str(rule['label']))}</text>")
    for marker in markers:
        x = sx(marker["x"])
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_TOP}" y2="{_TOP + plot_h}" class="calc-chart-rule"/>')
        parts.append(f'<text x="{x + 4:.1f}" y="{_TOP + 12}" class="calc-chart-note">{escape(str(marker["label"]))}</text>')
    for n, s in enumerate(series):
        colour = _PALETTE[n % len(_PALETTE)]
        points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in s["points"])
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        ly = _TOP + 14 + 16 * (n + 1)
        parts.append(f'<line x1="{_LEFT + 10}" x2="{_LEFT + 28}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" stroke-width="2.5"/>')
        parts.append(f'<text x="{_LEFT + 34}" y="{ly}" class="calc-chart-legend">{escape(str(s["name"]))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _frame(title: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-label="{title}" class="calc-chart-svg">',
        f"<title>{title}</title>",
        f'<text x="{_LEFT}" y="20" class="calc-chart-title">{title}</text>',
    ]


def bar_chart_svg(spec: Mapping[str, Any]) -> str:
    """Draw a bar-chart spec as an SVG string: grouped bars, vertical (categories along x) or horizontal
    (categories down the left, the height growing with their number).

    Examples:
        >>> svg = bar_chart_svg({"kind": "bar", "title": "t", "categories": ["a", "b"],
        ...                      "series": [{"name": "s", "values": [1, 3]}]})
        >>> svg.count("<rect")
        2
    """
    categories = [str(c) for c in spec.get("categories", [])]
    series: Sequence[Mapping[str, Any]] = spec.get("series", [])
    rules = spec.get("rules", [])
    kind = spec.get("value", {}).get("format", "number")
    horizontal = spec.get("orientation") == "horizontal"
    values = [v for s in series for v in s["values"]] + [r["y"] for r in rules]
    ticks = nice_ticks(min(values + [0]), max(values + [1]))
    v0, v1 = ticks[0], ticks[-1]
    title = escape(str(spec.get("title", "")), {'"': "&quot;"})
    n_series = max(len(series), 1)
    legend_h = 16 * len(series) if len(series) > 1 else 0
    if horizontal:
        left = 150
        band = 14 * n_series + 10
        top = _TOP + legend_h
        height = top + band * len(categories) + _BOTTOM
        plot_w = _WIDTH - left - _RIGHT
        plot_h = band * len(categories)
    else:
        left = _LEFT
        top = _TOP + legend_h
        height = _HEIGHT + legend_h
        plot_w = _WIDTH - left - _RIGHT
        plot_h = height - top - _BOTTOM
        band = plot_w / max(len(categories), 1)

    def scale(v: float) -> float:
        return (v - v0) / (v1 - v0) * (plot_w if horizontal else plot_h)

    parts = _frame(title, height)
    for t in ticks:
        label = escape(_short(t, kind))
        if horizontal:
            x = left + scale(t)
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" class="calc-chart-grid"/>')
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" class="calc-chart-tick">{label}</text>')
        else:
            y = top + plot_h - scale(t)
            parts.append(f'<line x1="{left}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="calc-chart-grid"/>')
            parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="calc-chart-tick">{label}</text>')
    every = max(1, math.ceil(len(categories) / 32))  # vertical labels thinned to about 32
    for c, name in enumerate(categories):
        for n, s in enumerate(series):
            colour = _PALETTE[n % len(_PALETTE)]
            value = s["values"][c]
            size = abs(scale(value) - scale(0))
            if horizontal:
                y = top + c * band + 5 + 14 * n
                x = left + min(scale(value), scale(0))
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{size:.1f}" height="12" fill="{colour}"/>')
            else:
                inner = band * 0.8 / n_series
                x = left + c * band + band * 0.1 + inner * n
                y = top + plot_h - max(scale(value), scale(0))
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{inner:.1f}" height="{size:.1f}" fill="{colour}"/>')
        label = escape(name)
        if horizontal:
            y = top + c * band + band / 2 + 4
            parts.append(f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" class="calc-chart-tick">{label}</text>')
        elif c % every == 0:
            x = left + c * band + band / 2
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" class="calc-chart-tick">{label}</text>')
    axis_label = escape(str(spec.get("value", {}).get("label", "")))
    if horizontal:
        parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle" class="calc-chart-label">{axis_label}</text>')
    else:
        parts.append(f'<line x1="{left}" x2="{_WIDTH - _RIGHT}" y1="{top + plot_h}" y2="{top + plot_h}" class="calc-chart-axis"/>')
        parts.append(f'<text transform="translate(14 {top + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
                     f'class="calc-chart-label">{axis_label}</text>')
        parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle" class="calc-chart-label">'
                     f"{escape(str(spec.get('category_label', '')))}</text>")
    for rule in rules:
        label = escape(str(rule["label"]))
        if horizontal:
            x = left + scale(rule["y"])
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" class="calc-chart-rule"/>')
            parts.append(f'<text x="{x + 4:.1f}" y="{top - 4}" class="calc-chart-note">{label}</text>')
        else:
            y = top + plot_h - scale(rule["y"])
            parts.append(f'<line x1="{left}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="calc-chart-rule"/>')
            parts.append(f'<text x="{_WIDTH - _RIGHT - 4}" y="{y - 5:.1f}" text-anchor="end" class="calc-chart-note">{label}</text>')
    if len(series) > 1:
        for n, s in enumerate(series):
            colour = _PALETTE[n % len(_PALETTE)]
            ly = _TOP + 16 * n
            parts.append(f'<rect x="{left}" y="{ly - 9}" width="12" height="10" fill="{colour}"/>')
            parts.append(f'<text x="{left + 18}" y="{ly}" class="calc-chart-legend">{escape(str(s["name"]))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def chart_svg(spec: Mapping[str, Any]) -> str:
    """Draw a chart spec of either kind (``"line"`` or ``"bar"``)."""
    return bar_chart_svg(spec) if spec.get("kind") == "bar" else line_chart_svg(spec)
