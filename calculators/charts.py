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
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["escape", "line_chart_svg", "nice_ticks"]

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
    """
    if not high > low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value < high + step * 0.5:
        ticks.append(float(round(value, 12)))
        value += step
    return ticks


def _short(value: float, kind: str) -> str:
    """Compact tick label: decimal prefixes, at most 3 significant digits."""
    if value == 0:
        return "0"
    units = ("", "k", "M", "G", "T", "P", "E")
    step = min(int(math.log10(abs(value)) // 3), len(units) - 1) if abs(value) >= 1000 else 0
    scaled = value / 1000**step
    text = f"{scaled:.3g}"
    suffix = units[step] + ("B" if kind == "bytes" else "")
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
