"""Charts as data, and one renderer from that data to SVG.

A calculator returns chart *specs*: plain JSON-able dicts, testable in CPython. `chart_svg` draws a spec as a
self-contained SVG string; the docs build calls it to put the chart on the page before JavaScript, and the browser
worker calls the same function in Pyodide, so the live chart and the prerendered one cannot drift. Every text in
the SVG is escaped here. Build specs with `line_chart`, `bar_chart` and `tornado_chart` rather than by hand.

**Two drawings of one spec.** ``chart_svg(spec)`` draws for a 640-unit-wide box (`WIDE`) and
``chart_svg(spec, narrow=True)`` for a 360-unit one (`NARROW`), with larger type, fewer ticks, wrapped titles and
labels stacked above bars. The page holds both; CSS shows the narrow one when the chart's box is under 600 px
wide, and neither drawing is scaled up much (the wide one at most 640 px, the narrow one at most 420 px), so
chart text is 11 px or more on screen from a 360 px phone to a desktop, and about 12 px on a desktop.

**Colours** are classes, never inline colours: ``calc-chart-c0`` … ``calc-chart-c5`` for series (lines and bars
use ``currentColor``), and ``calc-chart-title``, ``-label``, ``-tick``, ``-legend``, ``-note``, ``-grid``,
``-axis``, ``-rule``, ``-region``, ``-region-edge``, ``-point``; the site's stylesheet gives each a colour for the
light and the dark scheme.

A line-chart spec (every key but ``kind`` and ``series`` optional)::

    {"kind": "line", "title": str,
     "x": {"label": str, "format": FORMAT, "scale": "linear" | "log", "zero": bool},
     "y": {"label": str, "format": FORMAT, "scale": "linear" | "log", "zero": bool},
     "series": [{"name": str, "points": [[x, y], ...], "style": "solid" | "dashed" | "dotted"}],
     "points": [{"x": float, "y": float, "label": str}],          # marked points: a dot and its label
     "rules": [{"y": float, "label": str, "style": STYLE}],        # horizontal reference lines, dashed by default
     "markers": [{"x": float, "label": str, "style": STYLE}],      # vertical reference lines, dashed by default
     "regions": [{"x0": float, "x1": float, "label": str}]}        # shaded bands; or {"y0", "y1", "label"}

- ``FORMAT`` writes tick labels: ``"number"`` (default), ``"count"``, ``"params"`` (K, M, B, T), ``"usd"``
  (``$1.5M``), ``"bytes"`` (``1.5 GB``), ``"flops"``, ``"hours"``, ``"percent"`` (a fraction written as %),
  ``"year"`` (decimal years, ticks at whole years written ``2024``).
- A ``"linear"`` axis starts at zero unless ``"zero": false`` (or the format is ``"year"``); a ``"log"`` axis
  (powers of ten, with 2 and 5 labelled between them when there is room) refuses zero and negative values.
- Series are drawn in the order given, each in its colour and ``style`` (solid by default); the legend sits in a
  band of its own above the plot, never over the data. Marked points, rule, marker and region labels are kept
  inside the plot, clear of each other where they can be, and drawn over a halo of the background colour.
- A region shades from ``x0`` to ``x1`` (or ``y0`` to ``y1``); an omitted bound means "to the edge of the plot".
  Every bound given, like every rule, marker and point, is inside the axes' range.

A bar-chart spec (bars grouped by category; horizontal bars suit long category names)::

    {"kind": "bar", "title": str, "orientation": "vertical" | "horizontal",
     "categories": [str, ...], "category_label": str,
     "value": {"label": str, "format": FORMAT},
     "series": [{"name": str, "values": [float, ...]}],   # one value per category
     "rules": [{"y": float, "label": str, "style": STYLE}]}  # reference values across the bars

A tornado-chart spec (a sensitivity analysis: which input moves an output most)::

    {"kind": "tornado", "title": str, "value": {"label": str, "format": FORMAT},
     "base": float, "base_label": str,
     "bars": [{"name": str, "low": float, "high": float, "low_label": str, "high_label": str}]}

Each bar spans the output with its input at the low end (``low``) and at the high end (``high``) around a vertical
line at the ``base`` output; the low part and the high part have their own colours and each end has its label.
Bars are drawn top to bottom in the order given: sort them by swing before.

**The spec check.** `spec_problems` lists what is wrong with a spec (unknown kind, scale, style or format, a value
that is not a finite number or whose magnitude is above 1e300, a zero or negative value on a log axis, a bar series
of the wrong length...). `chart_svg` never raises: for a spec with problems it draws a small SVG that says the
chart could not be drawn, and why. Non-zero magnitudes below 1e-300 on a linear axis are drawn as zero.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FORMATS",
    "NARROW",
    "SCALES",
    "STYLES",
    "WIDE",
    "bar_chart",
    "bar_chart_svg",
    "chart_svg",
    "escape",
    "line_chart",
    "line_chart_svg",
    "log_ticks",
    "nice_ticks",
    "spec_problems",
    "tornado_chart",
    "tornado_chart_svg",
]

WIDE, NARROW = 640, 360  # viewBox widths of the two drawings
FORMATS = ("number", "count", "params", "usd", "bytes", "flops", "hours", "percent", "year")  # tick-label formats
STYLES = {"solid": "", "dashed": "7 4", "dotted": "0.1 4.5"}  # line styles: stroke-dasharray (dotted: round caps)
SCALES = ("linear", "log")  # axis scales of a line chart
_COLOURS = 6  # series classes calc-chart-c0 ... c5
_LARGEST = 1e300  # magnitudes above are refused; non-zero ones below 1/_LARGEST draw as zero


@dataclass(frozen=True)
class _Geometry:
    """Sizes in user units of one drawing (the SVG scales with its box; CSS bounds that box)."""

    width: float
    text: float  # ticks, legend, notes
    label: float  # axis labels
    title: float
    pad: float
    plot_height: float
    narrow: bool


_GEOMETRY = {
    False: _Geometry(width=WIDE, text=12, label=12.5, title=14, pad=8, plot_height=220, narrow=False),
    True: _Geometry(width=NARROW, text=14, label=14, title=15, pad=6, plot_height=220, narrow=True),
}


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str, entities: Mapping[str, str] | None = None) -> str:
    """XML-escape `text` (``&``, ``<``, ``>``, and any `entities` given, e.g. quotes for attributes), and drop the
    characters XML cannot hold at all (control characters, lone surrogates), which would make a browser refuse the
    whole SVG.

    Written here because importing `xml.sax.saxutils` costs about 0.2 s in Pyodide, on every page load.

    Examples:
        >>> escape('<b>"AT&T"</b>' + chr(0), {'"': "&quot;"})
        '&lt;b&gt;&quot;AT&amp;T&quot;&lt;/b&gt;'
    """
    text = _NOT_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char, entity in (entities or {}).items():
        text = text.replace(char, entity)
    return text


# --- Text measure: an estimate of each glyph's advance (Arial / Liberation Sans), with a margin for wider fonts.

_ADVANCE = {char: em for chars, em in (
    ("ijl'|", 0.23), ("ftrI.,:;!()[]/\\- ", 0.31), ("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", 0.36), ('"*', 0.38), ("cksvxyzJ", 0.5),
    ("abdeghnopqu0123456789$_#?–", 0.56), ("+<=>×≤≥~", 0.59), ("FTZL", 0.61), ("ABEKPSVXY&", 0.67),
    ("CDHNRUw", 0.72), ("GOQ", 0.78), ("mM%", 0.86), ("W—→", 1.0),
) for char in chars}
_SAFETY = 1.08  # San Francisco and DejaVu Sans run wider than Arial


@functools.lru_cache(maxsize=4096)
def _em(text: str) -> float:
    """Estimated width of `text` in ems (cached: the same labels come back on every recompute)."""
    return sum(_ADVANCE.get(c, 1.0 if ord(c) >= 0x2E80 else 0.6) for c in text) * _SAFETY


def _text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width of `text` at font size `size` (user units)."""
    return _em(text) * size * (1.07 if bold else 1.0)


def _wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap of `text` into lines no wider than `width`; a word too long for a line is cut."""
    scale = size * (1.07 if bold else 1.0)
    space = _em(" ") * scale
    lines: list[str] = []
    line, line_w = "", 0.0
    for word in text.split():
        word_w = _em(word) * scale
        while word_w > width and len(word) > 1:  # cut an overlong word
            cut = len(word) - 1
            while cut > 1 and _em(word[:cut]) * scale > width:
                cut -= 1
            if line:
                lines.append(line)
                line, line_w = "", 0.0
            lines.append(word[:cut])
            word = word[cut:]
            word_w = _em(word) * scale
        if line and line_w + space + word_w > width:
            lines.append(line)
            line, line_w = word, word_w
        elif line:
            line, line_w = f"{line} {word}", line_w + space + word_w
        else:
            line, line_w = word, word_w
    if line:
        lines.append(line)
    return lines


# --- Tick labels

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _digits(value: float) -> str:
    """At most 3 significant digits, never an exponent (`value` is between 0.001 and 1000)."""
    text = f"{value:.3g}"
    return f"{value:.0f}" if "e" in text else text


def _power(magnitude: float) -> str:
    """``2×10¹⁵``, ``10⁻⁶``: a magnitude beyond the prefixes as a power of ten."""
    exponent = math.floor(math.log10(magnitude))
    mantissa = magnitude / 10.0**exponent if exponent > -300 else magnitude * 1e300 / 10.0 ** (exponent + 300)
    text = f"{mantissa:.3g}"
    if text == "10":
        exponent, text = exponent + 1, "1"
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return power if text == "1" else f"{text}×{power}"


def _short(value: float, kind: str) -> str:
    """Compact tick label: decimal prefixes, at most 3 significant digits, powers of ten beyond.

    Examples:
        >>> [_short(v, "usd") for v in (0, 1500, -2.5e6, 0.25, 3e18)]
        ['0', '$1.5K', '-$2.5M', '$0.25', '$3×10¹⁸']
        >>> [_short(v, "bytes") for v in (512, 1.5e9)], _short(2024, "year"), _short(0.125, "percent")
        (['512 B', '1.5 GB'], '2024', '12.5%')
        >>> [_short(v, "count") for v in (1e-6, 20000, 1e300)]
        ['10⁻⁶', '20k', '10³⁰⁰']
    """
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    if kind == "percent":
        value *= 100
    if kind == "year" and abs(value) < 1e6:
        return str(round(value)) if abs(value - round(value)) < 1e-9 else f"{value:.6g}"
    magnitude = abs(value)
    units = {"usd": ("", "K", "M", "B", "T"), "params": ("", "K", "M", "B", "T"),
             "bytes": (" B", " kB", " MB", " GB", " TB", " PB", " EB"),
             "flops": ("", "k", "M", "G", "T", "P")}.get(kind, ("", "k", "M", "G", "T", "P", "E"))
    if kind == "percent":
        units = ("%",)
    step = min(int(math.log10(magnitude) // 3), len(units) - 1) if magnitude >= 1000 else 0
    scaled = magnitude / 1000**step
    if magnitude < 1e-3 or round(scaled, 1) >= 1000:
        text = _power(magnitude) + ("%" if kind == "percent" else " B" if kind == "bytes" else "")
    else:
        text = _digits(scaled) + units[step]
    if kind == "usd":
        text = "$" + text
    return "-" + text if value < 0 else text


# --- Ticks


def _decimal(value: float) -> float:
    """`value` rid of binary noise (0.30000000000000004 -> 0.3), at any magnitude."""
    return float(f"{value:.12g}")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten, about `count` of them.

    Examples:
        >>> nice_ticks(0, 9.2e9)
        [0.0, 2000000000.0, 4000000000.0, 6000000000.0, 8000000000.0, 10000000000.0]
        >>> nice_ticks(0, 262144)
        [0.0, 100000.0, 200000.0, 300000.0]
        >>> nice_ticks(0, 32000)  # not [0, 10000, 20000, 30000], which would leave 32,000 off the axis
        [0.0, 10000.0, 20000.0, 30000.0, 40000.0]
        >>> nice_ticks(0, 0.7)  # no 0.30000000000000004
        [0.0, 0.2, 0.4, 0.6, 0.8]
    """
    return _linear_ticks(low, high, count)


def _linear_ticks(low: float, high: float, count: int, min_step: float = 0.0) -> list[float]:
    if max(abs(low), abs(high)) < 1 / _LARGEST:
        low = high = 0.0
    if not high - low > max(abs(low), abs(high)) * 1e-9:  # flat: widen around the value
        spread = abs(low) * 0.1 or 1.0
        low, high = (low, low + spread) if low >= 0 else (low - spread, low + spread)
    raw = (high - low) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-12))
    if min_step and step < min_step:
        step = min_step
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    # up to the first tick at or above the highest value, so that nothing is drawn past the axis
    return [_decimal(k * step) for k in range(first, max(last, first + 1) + 1)]


def _pow10(exponent: int, mantissa: int = 1) -> float:
    return float(f"{mantissa}e{exponent}")


def log_ticks(low: float, high: float) -> list[float]:
    """Ticks of a log axis covering [low, high] (both > 0): 1, 2 and 5 times the powers of ten when the range is
    four decades or less (the axis then starts and ends on one of them), else the powers of ten alone.
    `chart_svg` labels fewer when they would overlap.

    Examples:
        >>> log_ticks(3, 700)
        [2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
        >>> log_ticks(1e-3, 2.5e6)
        [0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0, 10000000.0]
    """
    return _log_candidates(low, high)[0][2]


def _log_candidates(low: float, high: float) -> list[tuple[float, float, list[float], list[float]]]:
    """Ways to tick a log axis, densest first: (axis low, axis high, labelled ticks, unlabelled grid lines)."""
    if not high > low * (1 + 1e-9):
        low, high = low / 2, high * 2
    e_low = math.floor(math.log10(low) + 1e-9)
    e_high = max(math.ceil(math.log10(high) - 1e-9), e_low + 1)
    out = []
    if e_high - e_low <= 4:
        steps = [_pow10(e, m) for e in range(e_low, e_high + 1) for m in (1, 2, 5)]
        a = max(v for v in steps if v <= low * (1 + 1e-9))
        b = min(v for v in steps if v >= high * (1 - 1e-9))
        inside = [v for v in steps if a <= v <= b]
        out.append((a, b, inside, []))
        powers = [v for v in inside if f"{v:e}".startswith("1.")]
        labelled = powers if len(powers) >= 2 else sorted({a, b, *powers})
        out.append((a, b, labelled, [v for v in inside if v not in labelled]))
    for k in (1, 2, 3, 5, 10, 20, 25, 50, 100, 200):
        start, end = math.floor(e_low / k) * k, math.ceil(e_high / k) * k
        if start < -307 or end > 307:
            continue
        out.append((_pow10(start), _pow10(end), [_pow10(e) for e in range(start, end + 1, k)], []))
        if end - start <= k:
            break
    return out


@dataclass
class _Axis:
    """An axis chosen for a drawing: its range, labelled ticks, unlabelled grid lines, and tick-label format."""

    low: float
    high: float
    log: bool
    ticks: list[float]
    minor: list[float]
    kind: str

    def __post_init__(self) -> None:
        self._origin = math.log10(self.low) if self.log else self.low
        self._span = (math.log10(self.high) if self.log else self.high) - self._origin

    def frac(self, value: float) -> float:
        """Where `value` falls along the axis, 0 at `low` and 1 at `high` (clamped)."""
        if self.log:
            share = (math.log10(max(value, self.low)) - self._origin) / self._span
        else:
            share = (value - self._origin) / self._span
        return 0.0 if share < 0 else 1.0 if share > 1 else share

    def label(self, value: float) -> str:
        return _short(value, self.kind)


def _axis_candidates(values: list[float], spec_axis: Mapping[str, Any], preferred: int) -> list[_Axis]:
    kind = spec_axis.get("format", "number")
    if spec_axis.get("scale") == "log":
        positive = [v for v in values if v > 0] or [1.0, 10.0]
        return [_Axis(a, b, True, ticks, minor, kind)
                for a, b, ticks, minor in _log_candidates(min(positive), max(positive))]
    zero = spec_axis.get("zero", kind != "year")
    values = [0.0 if abs(v) < 1 / _LARGEST else v for v in values] or [0.0, 1.0]
    low, high = min(values), max(values)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if low == high == 0:
        high = 1.0
    out, seen = [], set()
    for count in range(preferred, 1, -1):
        ticks = _linear_ticks(low, high, count, min_step=1.0 if kind == "year" else 0.0)
        if tuple(ticks) not in seen:
            seen.add(tuple(ticks))
            out.append(_Axis(ticks[0], ticks[-1], False, ticks, [], kind))
            if len(ticks) >= 5:  # the same range, every other tick labelled
                out.append(_Axis(ticks[0], ticks[-1], False, ticks[::2], ticks[1::2], kind))
    return out


def _labels_fit(axis: _Axis, length: float, extents: list[float], gap: float) -> bool:
    at = [axis.frac(t) * length for t in axis.ticks]
    return all(at[i + 1] - at[i] >= (extents[i] + extents[i + 1]) / 2 + gap for i in range(len(at) - 1))


def _choose_y_axis(values: list[float], spec_axis: Mapping[str, Any], g: _Geometry) -> _Axis:
    candidates = _axis_candidates(values, spec_axis, 5)
    for axis in candidates:
        if _labels_fit(axis, g.plot_height, [g.text] * len(axis.ticks), g.text * 0.8):
            return axis
    return candidates[-1]


def _choose_x_axis(values: list[float], spec_axis: Mapping[str, Any], g: _Geometry, left: float
                   ) -> tuple[_Axis, float, float]:
    """The densest x axis whose tick labels do not overlap, with the plot's left and right edges it needs."""
    candidates = _axis_candidates(values, spec_axis, 6 if not g.narrow else 5)
    for n, axis in enumerate(candidates):
        widths = [_text_width(axis.label(t), g.text) for t in axis.ticks]
        x0 = max(left, g.pad + widths[0] / 2)
        x1 = g.width - max(g.pad, widths[-1] / 2 + 2)
        if n == len(candidates) - 1 or _labels_fit(axis, x1 - x0, widths, g.text * 0.9):
            break
    return axis, x0, x1


# --- The spec check


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_problem(value: Any, where: str, log: bool = False) -> str | None:
    if not _is_number(value):
        return f"{where} is not a number: {value!r:.40}."
    if isinstance(value, float) and not math.isfinite(value):
        return f"{where} is not finite: {value!r}."
    if abs(value) > _LARGEST:
        return f"{where} is beyond ±1e300: too large to draw."
    if log and not value >= 1 / _LARGEST:
        return f"{where} is {value:g}: a log axis takes positive values only (at least 1e-300)."
    return None


def _list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _annotation_problems(spec: Mapping[str, Any], key: str, fields: tuple[str, ...], logs: Mapping[str, bool],
                         optional: bool = False) -> list[str]:
    items = spec.get(key, [])
    if not _list(items):
        return [f"{key} must be a list."]
    problems = []
    for n, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems.append(f"{key}[{n}] must be a dict.")
            continue
        if "style" in item and item["style"] not in STYLES:
            problems.append(f"{key}[{n}] has an unknown style {item['style']!r:.40}; use {', '.join(STYLES)}.")
        present = [f for f in fields if f in item and item[f] is not None]
        if not optional and len(present) < len(fields):
            problems.append(f"{key}[{n}] needs {' and '.join(fields)}.")
        for f in present:
            problem = _number_problem(item[f], f"{key}[{n}].{f}", logs.get(f[0], False))
            if problem:
                problems.append(problem)
    return problems


def _axis_problems(spec: Mapping[str, Any], name: str) -> list[str]:
    axis = spec.get(name, {})
    if not isinstance(axis, Mapping):
        return [f"{name} must be a dict."]
    problems = []
    if axis.get("scale", "linear") not in SCALES:
        problems.append(f"{name}.scale must be linear or log, not {axis.get('scale')!r:.40}.")
    if axis.get("format", "number") not in FORMATS:
        problems.append(f"{name}.format {axis.get('format')!r:.40} is not one of {', '.join(FORMATS)}.")
    return problems


def spec_problems(spec: Any) -> list[str]:
    """What keeps `spec` from being drawn, in plain words; an empty list for a good spec.

    Examples:
        >>> spec_problems({"kind": "line", "y": {"scale": "log"}, "series": [{"name": "a", "points": [[1, 0]]}]})
        ['series[0].points[0] y is 0: a log axis takes positive values only (at least 1e-300).']
        >>> spec_problems({"kind": "pie"})
        ["Unknown chart kind 'pie': use line, bar or tornado."]
    """
    if not isinstance(spec, Mapping):
        return ["A chart spec must be a dict."]
    kind = spec.get("kind", "line")
    if kind == "line":
        problems = _axis_problems(spec, "x") + _axis_problems(spec, "y")
        if problems:
            return problems
        logs = {a: spec.get(a, {}).get("scale") == "log" for a in ("x", "y")}
        series = spec.get("series", [])
        if not _list(series):
            return ["series must be a list."]
        for n, s in enumerate(series):
            if not isinstance(s, Mapping) or not _list(s.get("points")):
                problems.append(f"series[{n}] must be a dict with a list of points.")
                continue
            if s.get("style", "solid") not in STYLES:
                problems.append(f"series[{n}] has an unknown style {s.get('style')!r:.40}; use {', '.join(STYLES)}.")
            low_x, low_y = (1 / _LARGEST if logs[a] else -_LARGEST for a in "xy")
            if all(type(p) in (list, tuple) and len(p) == 2 and type(p[0]) in (int, float) and type(p[1]) in (int, float)
                   and low_x <= p[0] <= _LARGEST and low_y <= p[1] <= _LARGEST for p in s["points"]):
                continue  # the common case, checked fast: each point is a pair of numbers in range (NaN is not)
            for i, p in enumerate(s["points"]):
                if not _list(p) or len(p) != 2:
                    problems.append(f"series[{n}].points[{i}] must be a pair [x, y].")
                    continue
                problems += [problem for axis, v in zip("xy", p)
                             if (problem := _number_problem(v, f"series[{n}].points[{i}] {axis}", logs[axis]))]
        problems += _annotation_problems(spec, "points", ("x", "y"), logs)
        problems += _annotation_problems(spec, "rules", ("y",), logs)
        problems += _annotation_problems(spec, "markers", ("x",), logs)
        problems += _annotation_problems(spec, "regions", ("x0", "x1", "y0", "y1"), logs, optional=True)
        for n, region in enumerate(r for r in spec.get("regions", []) if isinstance(r, Mapping)):
            has_x, has_y = ("x0" in region or "x1" in region), ("y0" in region or "y1" in region)
            if has_x == has_y:
                problems.append(f"regions[{n}] needs x0 and/or x1, or y0 and/or y1 (not both pairs).")
        return problems
    if kind == "bar":
        problems = _axis_problems(spec, "value")
        categories, series = spec.get("categories", []), spec.get("series", [])
        if not _list(categories) or not _list(series):
            return problems + ["categories and series must be lists."]
        if spec.get("orientation", "vertical") not in ("vertical", "horizontal"):
            problems.append("orientation must be vertical or horizontal.")
        for n, s in enumerate(series):
            if not isinstance(s, Mapping) or not _list(s.get("values")) or len(s["values"]) != len(categories):
                problems.append(f"series[{n}] must be a dict with one value per category ({len(categories)}).")
                continue
            problems += [problem for i, v in enumerate(s["values"])
                         if (problem := _number_problem(v, f"series[{n}].values[{i}]"))]
        return problems + _annotation_problems(spec, "rules", ("y",), {})
    if kind == "tornado":
        problems = _axis_problems(spec, "value")
        problem = _number_problem(spec.get("base"), "base")
        problems += [problem] if problem else []
        bars = spec.get("bars", [])
        if not _list(bars):
            return problems + ["bars must be a list."]
        for n, bar in enumerate(bars):
            if not isinstance(bar, Mapping):
                problems.append(f"bars[{n}] must be a dict.")
                continue
            problems += [problem for end in ("low", "high")
                         if (problem := _number_problem(bar.get(end), f"bars[{n}].{end}"))]
        return problems
    return [f"Unknown chart kind {kind!r:.40}: use line, bar or tornado."]


# --- Drawing


def _num(value: float) -> str:
    """A coordinate: one decimal, no ``-0.0``."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


_Box = tuple[float, float, float, float]  # x0, y0, x1, y1
_MAX_OBSTACLES = 400  # beyond, labels avoid each other but not the data (a chart that dense has no room anyway)


def _overlap(a: _Box, b: _Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(box: _Box, segment: _Box) -> bool:
    """Whether the segment (x1, y1, x2, y2) passes through `box` (Liang-Barsky clipping)."""
    x1, y1, x2, y2 = segment
    dx, dy = x2 - x1, y2 - y1
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x1 - box[0]), (dx, box[2] - x1), (-dy, y1 - box[1]), (dy, box[3] - y1)):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            t0 = max(t0, q / p)
        else:
            t1 = min(t1, q / p)
        if t0 > t1:
            return False
    return True


@dataclass
class _Drawing:
    """An SVG under construction, with what its annotation labels must keep clear of: the labels already placed,
    the data's line segments and bars."""

    g: _Geometry
    parts: list[str] = field(default_factory=list)
    taken: list[_Box] = field(default_factory=list)
    segments: list[_Box] = field(default_factory=list)
    segment_boxes: list[_Box] = field(default_factory=list)
    bars: list[_Box] = field(default_factory=list)

    def text(self, x: float, y: float, text: str, cls: str, *, anchor: str = "start", size: float | None = None,
             bold: bool = False) -> None:
        attrs = f'x="{_num(x)}" y="{_num(y)}"'
        if anchor != "start":
            attrs += f' text-anchor="{anchor}"'
        if size is not None and size != self.g.text:
            attrs += f' font-size="{size:g}"'
        if bold:
            attrs += ' font-weight="700"'
        self.parts.append(f'<text {attrs} class="{cls}">{escape(text)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, cls: str, style: str = "solid",
             extra: str = "") -> None:
        dash = STYLES.get(style, "")
        if dash:
            extra += f' stroke-dasharray="{dash}"' + (' stroke-linecap="round"' if style == "dotted" else "")
        self.parts.append(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
                          f'class="{cls}"{extra}/>')

    def rect(self, x: float, y: float, w: float, h: float, cls: str, extra: str = "") -> None:
        self.parts.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0.0))}" '
                          f'height="{_num(max(h, 0.0))}" class="{cls}"{extra}/>')

    def bar(self, x: float, y: float, w: float, h: float, colour: int) -> None:
        self.rect(x, y, w, h, f"calc-chart-bar calc-chart-c{colour % _COLOURS}", ' fill="currentColor"')
        self.bars.append((x, y, x + w, y + h))

    def block(self, top: float, lines: list[str], x: float, cls: str, size: float, anchor: str = "start",
              bold: bool = False) -> float:
        """Lines of text from `top` down; returns the bottom."""
        for line in lines:
            self.text(x, top + 0.92 * size, line, cls, anchor=anchor, size=size, bold=bold)
            top += 1.25 * size
        return top

    def place(self, text: str, spots: Callable[[float], list[tuple[float, float, str]]], bounds: _Box) -> None:
        """Draw an annotation label at the first spot (x, top, anchor) whose box is inside `bounds`, clear of the
        labels placed before and of the data; failing that, clear of the labels; failing that, anywhere inside;
        else at the first spot, moved inside `bounds`. `spots(h)` lists the spots for a label `h` units tall. The
        label wraps to the width of `bounds`, or to half of it when that finds a better spot. No text, no label."""
        if not text.strip():
            return
        size = self.g.text
        options = []  # (lines, candidate, box) for each wrap width and spot, in order of preference
        for width in (bounds[2] - bounds[0] - 4, (bounds[2] - bounds[0]) / 2):
            lines = _wrap(text, width, size) or [""]
            if options and len(lines) == len(options[0][0]):
                break
            w = max(_text_width(line, size) for line in lines)
            h = 1.25 * size * len(lines)
            for x, top, anchor in spots(h):
                x0 = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
                options.append((lines, (x, top, anchor), (x0, top, x0 + w, top + h)))

        def inside(b: _Box) -> bool:
            return b[0] >= bounds[0] - 0.01 and b[1] >= bounds[1] - 0.01 and b[2] <= bounds[2] + 0.01 \
                and b[3] <= bounds[3] + 0.01

        def clear_of_labels(b: _Box) -> bool:
            return not any(_overlap(b, t) for t in self.taken)

        data = len(self.segments) + len(self.bars) <= _MAX_OBSTACLES
        if data and len(self.segment_boxes) != len(self.segments):
            self.segment_boxes = [(min(s[0], s[2]), min(s[1], s[3]), max(s[0], s[2]), max(s[1], s[3]))
                                  for s in self.segments]

        def clear_of_data(b: _Box) -> bool:
            return data and not any(_overlap(b, r) for r in self.bars) and not any(
                _overlap(b, box) and _crosses(b, s) for s, box in zip(self.segments, self.segment_boxes))

        inner = [o for o in options if inside(o[2])]
        chosen = next((o for o in inner if clear_of_labels(o[2]) and clear_of_data(o[2])), None) \
            or next((o for o in inner if clear_of_labels(o[2])), None) or (inner[0] if inner else None)
        if chosen is None:
            lines, (x, top, anchor), b = options[0]
            dx = max(bounds[0] - b[0], 0.0) or min(bounds[2] - b[2], 0.0)
            dy = max(bounds[1] - b[1], 0.0) or min(bounds[3] - b[3], 0.0)
            chosen = lines, (x + dx, top + dy, anchor), (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)
        lines, (x, top, anchor), b = chosen
        self.taken.append(b)
        self.block(top, lines, x, "calc-chart-note calc-chart-halo", size, anchor)

    def svg(self, title: str, height: float, variant: str) -> str:
        label = escape(title, {'"': "&quot;"})
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.g.width:g} {_num(height)}" '
                f'font-size="{self.g.text:g}" role="img" aria-label="{label}" '
                f'class="calc-chart-svg calc-chart-svg--{variant}"><title>{label}</title>'
                + "".join(self.parts) + "</svg>")


def _head(d: _Drawing, spec: Mapping[str, Any], legend: list[tuple[str, int, str, str]]) -> float:
    """Title and legend (name, colour index, style, swatch kind "line" | "box") from the top; returns the bottom."""
    g = d.g
    top = d.block(g.pad, _wrap(str(spec.get("title", "")), g.width - 2 * g.pad, g.title, True), g.pad,
                  "calc-chart-title", g.title, bold=True)
    if not legend:
        return top
    top += 0.25 * g.text
    room = g.width - 2 * g.pad - 28  # a name longer than a line wraps under itself
    x, row_h = g.pad, 0.0
    for name, colour, style, swatch in legend:
        lines = _wrap(name, room, g.text) or [""]
        item_w = 28 + max(_text_width(line, g.text) for line in lines)
        if x > g.pad and x + item_w > g.width - g.pad:
            x, top, row_h = g.pad, top + row_h, 0.0
        mid = top + 0.675 * g.text
        if swatch == "box":
            d.rect(x + 4, mid - 5, 14, 10, f"calc-chart-c{colour}", ' fill="currentColor"')
        else:
            d.line(x, mid, x + 22, mid, f"calc-chart-c{colour}", style, ' stroke="currentColor" stroke-width="2.5"')
        for k, line in enumerate(lines):
            d.text(x + 28, mid + 0.35 * g.text + 1.25 * g.text * k, line, "calc-chart-legend")
        row_h = max(row_h, 1.35 * g.text + 1.25 * g.text * (len(lines) - 1))
        x += item_w + 1.2 * g.text
    return top + row_h


def _title_below(d: _Drawing, text: str, plot_bottom: float, centre: float) -> float:
    """An axis title under the tick labels, centred under the plot (wrapped to stay inside); returns the bottom."""
    g = d.g
    room = 2 * min(centre - g.pad, g.width - g.pad - centre)
    return d.block(plot_bottom + 6 + 1.25 * g.text, _wrap(text, room, g.label), centre, "calc-chart-label", g.label,
                   anchor="middle")


def _rule_spots(x0: float, x1: float, y: float) -> Callable[[float], list[tuple[float, float, str]]]:
    """Label spots for a horizontal line at `y` from `x0` to `x1`: above it at the right, below it, then at the left."""
    return lambda h: [(x1 - 4, y - h - 2, "end"), (x1 - 4, y + 3, "end"), (x0 + 4, y - h - 2, "start"),
                      (x0 + 4, y + 3, "start")]


def _beside_spots(x_right: float, x_left: float, top: float, size: float
                  ) -> Callable[[float], list[tuple[float, float, str]]]:
    """Label spots starting at `x_right` or ending at `x_left`, from `top` down by rows."""
    return lambda h: [c for k in range(6) for c in ((x_right, top + 2 + 1.3 * size * k, "start"),
                                                     (x_left, top + 2 + 1.3 * size * k, "end"))]


def _spec_text(item: Mapping[str, Any], key: str = "label") -> str:
    value = item.get(key, "")
    return "" if value is None else str(value)


def line_chart_svg(spec: Mapping[str, Any], *, narrow: bool = False) -> str:
    """Draw a line-chart spec as an SVG string (640 units wide, or 360 with `narrow`; scales with its box).

    Examples:
        >>> svg = line_chart_svg({"kind": "line", "title": "t", "x": {"label": "x"}, "y": {"label": "y"},
        ...                       "series": [{"name": "a", "points": [[0, 0], [1, 2]]}]})
        >>> svg.startswith("<svg") and "polyline" in svg
        True
    """
    problems = spec_problems(spec)
    if problems or spec.get("kind", "line") != "line":
        return _notice(spec, problems or ["This is not a line-chart spec."], narrow)
    g = _GEOMETRY[narrow]
    d = _Drawing(g)
    series = spec.get("series", [])
    regions = spec.get("regions", [])
    points = spec.get("points", [])
    rules, markers = spec.get("rules", []), spec.get("markers", [])
    xs = [p[0] for s in series for p in s["points"]] + [m["x"] for m in markers] + [p["x"] for p in points] + \
        [r[k] for r in regions for k in ("x0", "x1") if r.get(k) is not None]
    ys = [p[1] for s in series for p in s["points"]] + [r["y"] for r in rules] + [p["y"] for p in points] + \
        [r[k] for r in regions for k in ("y0", "y1") if r.get(k) is not None]
    x_spec, y_spec = spec.get("x", {}), spec.get("y", {})

    legend = [(_spec_text(s, "name"), n % _COLOURS, s.get("style", "solid"), "line")
              for n, s in enumerate(series) if _spec_text(s, "name")]
    top = _head(d, spec, legend)
    y_axis = _choose_y_axis(ys, y_spec, g)
    y_lines = _wrap(_spec_text(y_spec), g.width - 2 * g.pad, g.label)
    top = d.block(top + 0.2 * g.text, y_lines, g.pad, "calc-chart-label", g.label)
    plot_top = top + 0.9 * g.text
    plot_bottom = plot_top + g.plot_height
    left = g.pad + max(_text_width(y_axis.label(t), g.text) for t in y_axis.ticks) + 6
    x_axis, left, right = _choose_x_axis(xs, x_spec, g, left)
    plot_w = right - left

    def sx(x: float) -> float:
        return left + x_axis.frac(x) * plot_w

    def sy(y: float) -> float:
        return plot_bottom - y_axis.frac(y) * g.plot_height

    bounds = (left, plot_top, right, plot_bottom)
    for region in regions:  # shaded bands first: everything else is drawn over them
        if "x0" in region or "x1" in region:
            a = sx(region["x0"]) if region.get("x0") is not None else left
            b = sx(region["x1"]) if region.get("x1") is not None else right
            a, b = min(a, b), max(a, b)
            d.rect(a, plot_top, b - a, g.plot_height, "calc-chart-region")
            for k, at in (("x0", a), ("x1", b)):
                if region.get(k) is not None:
                    d.line(at, plot_top, at, plot_bottom, "calc-chart-region-edge")
        else:
            a = sy(region["y1"]) if region.get("y1") is not None else plot_top
            b = sy(region["y0"]) if region.get("y0") is not None else plot_bottom
            a, b = min(a, b), max(a, b)
            d.rect(left, a, plot_w, b - a, "calc-chart-region")
            for k, at in (("y1", a), ("y0", b)):
                if region.get(k) is not None:
                    d.line(left, at, right, at, "calc-chart-region-edge")
    for t in y_axis.minor:
        d.line(left, sy(t), right, sy(t), "calc-chart-grid calc-chart-grid--minor")
    for t in y_axis.ticks:
        d.line(left, sy(t), right, sy(t), "calc-chart-grid")
        d.text(left - 6, sy(t) + 0.35 * g.text, y_axis.label(t), "calc-chart-tick", anchor="end")
    for t in x_axis.minor:
        if x_axis.log:
            d.line(sx(t), plot_top, sx(t), plot_bottom, "calc-chart-grid calc-chart-grid--minor")
        else:
            d.line(sx(t), plot_bottom, sx(t), plot_bottom + 3, "calc-chart-axis")
    for t in x_axis.ticks:
        if x_axis.log:
            d.line(sx(t), plot_top, sx(t), plot_bottom, "calc-chart-grid")
        d.line(sx(t), plot_bottom, sx(t), plot_bottom + 4, "calc-chart-axis")
        d.text(sx(t), plot_bottom + 4 + 0.92 * g.text, x_axis.label(t), "calc-chart-tick", anchor="middle")
    d.line(left, plot_bottom, right, plot_bottom, "calc-chart-axis")
    bottom = _title_below(d, _spec_text(x_spec), plot_bottom, left + plot_w / 2)
    for rule in rules:
        y = sy(rule["y"])
        d.line(left, y, right, y, "calc-chart-rule", rule.get("style", "dashed"))
    for marker in markers:
        x = sx(marker["x"])
        d.line(x, plot_top, x, plot_bottom, "calc-chart-rule", marker.get("style", "dashed"))
    for n, s in enumerate(series):
        screen = [(sx(x), sy(y)) for x, y in s["points"]]
        d.segments += [(*a, *b) for a, b in zip(screen, screen[1:])]
        coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in screen)
        style = s.get("style", "solid")
        extra = ' fill="none" stroke="currentColor" stroke-width="2.5" stroke-linejoin="round"'
        if STYLES.get(style):
            extra += f' stroke-dasharray="{STYLES[style]}"' + (' stroke-linecap="round"' if style == "dotted" else "")
        d.parts.append(f'<polyline points="{coords}" class="calc-chart-line calc-chart-c{n % _COLOURS}"{extra}/>')
    for point in points:
        d.parts.append(f'<circle cx="{_num(sx(point["x"]))}" cy="{_num(sy(point["y"]))}" r="4.5" '
                       'class="calc-chart-point"/>')
    # labels last, over everything, each kept inside the plot and clear of the others and of lines where possible
    d.segments += [(left, sy(r["y"]), right, sy(r["y"])) for r in rules]
    d.segments += [(sx(m["x"]), plot_top, sx(m["x"]), plot_bottom) for m in markers]
    for point in points:
        x, y, s = sx(point["x"]), sy(point["y"]), g.text
        h = 1.25 * s
        d.taken.append((x - 5, y - 5, x + 5, y + 5))
        d.place(_spec_text(point), lambda h, x=x, y=y, s=s: [
            (x + 7, y - h - 1, "start"), (x + 7, y + 1, "start"), (x - 7, y - h - 1, "end"), (x - 7, y + 1, "end"),
            (x, y - h - 6, "middle"), (x, y + 6, "middle"), (x + 7, y - h - 1.3 * s, "start"),
            (x - 7, y - h - 1.3 * s, "end"), (x + 7, y + 1.3 * s, "start"), (x - 7, y + 1.3 * s, "end")], bounds)
    for marker in markers:
        x = sx(marker["x"])
        d.place(_spec_text(marker), _beside_spots(x + 4, x - 4, plot_top, g.text), bounds)
    for rule in rules:
        d.place(_spec_text(rule), _rule_spots(left, right, sy(rule["y"])), bounds)
    for region in regions:
        if not _spec_text(region):
            continue
        if "x0" in region or "x1" in region:
            a = sx(region["x0"]) if region.get("x0") is not None else left
            b = sx(region["x1"]) if region.get("x1") is not None else right
            a, b = min(a, b), max(a, b)
            d.place(_spec_text(region), _beside_spots(a + 4, b - 4, plot_top, g.text),
                    (a, plot_top, b, plot_bottom) if b - a > 60 else bounds)
        else:
            a = sy(region["y1"]) if region.get("y1") is not None else plot_top
            b = sy(region["y0"]) if region.get("y0") is not None else plot_bottom
            a, b = min(a, b), max(a, b)
            d.place(_spec_text(region), lambda h, a=a, b=b: [(left + 4, a + 2, "start"), (right - 4, a + 2, "end"),
                                                             (left + 4, b - h - 2, "start")], bounds)
    return d.svg(str(spec.get("title", "")), bottom + g.pad, "narrow" if narrow else "wide")


def _value_axis(values: list[float], spec_axis: Mapping[str, Any], length: float, g: _Geometry,
                horizontal: bool, zero: bool = True) -> _Axis:
    """A linear value axis (including zero unless told not to) whose labels fit along `length`."""
    candidates = _axis_candidates(values, {**spec_axis, "scale": "linear", "zero": zero}, 6 if not g.narrow else 5)
    for axis in candidates:
        extents = [_text_width(axis.label(t), g.text) for t in axis.ticks] if horizontal else [g.text] * len(axis.ticks)
        if _labels_fit(axis, length, extents, g.text * 0.9):
            return axis
    return candidates[-1]


def _horizontal_value_axis(d: _Drawing, values: list[float], value_spec: Mapping[str, Any], start: float, end: float,
                           zero: bool, plot_top: float, plot_bottom: float
                           ) -> tuple[float, float, Callable[[float], float]]:
    """A value axis along x between `start` and `end` (narrowed so its end labels fit the drawing), its grid and
    tick labels drawn; returns the plot's left edge, its width, and value -> x."""
    g = d.g
    axis = _value_axis(values, value_spec, end - start, g, True, zero=zero)
    first_w = _text_width(axis.label(axis.ticks[0]), g.text)
    last_w = _text_width(axis.label(axis.ticks[-1]), g.text)
    left = max(start, g.pad + first_w / 2)
    plot_w = min(end, g.width - max(g.pad, last_w / 2 + 2)) - left

    def sv(v: float) -> float:
        return left + axis.frac(v) * plot_w

    for t in axis.ticks:
        d.line(sv(t), plot_top, sv(t), plot_bottom, "calc-chart-grid")
        d.text(sv(t), plot_bottom + 4 + 0.92 * g.text, axis.label(t), "calc-chart-tick", anchor="middle")
    return left, plot_w, sv


def bar_chart_svg(spec: Mapping[str, Any], *, narrow: bool = False) -> str:
    """Draw a bar-chart spec as an SVG string: grouped bars, vertical (categories along x) or horizontal
    (categories down the left, or above each group when `narrow`; the height grows with their number).

    Examples:
        >>> svg = bar_chart_svg({"kind": "bar", "title": "t", "categories": ["a", "b"],
        ...                      "series": [{"name": "s", "values": [1, 3]}]})
        >>> svg.count("<rect")
        2
    """
    problems = spec_problems(spec)
    if problems or spec.get("kind") != "bar":
        return _notice(spec, problems or ["This is not a bar-chart spec."], narrow)
    g = _GEOMETRY[narrow]
    d = _Drawing(g)
    categories = [str(c) for c in spec.get("categories", [])]
    series = spec.get("series", [])
    rules = spec.get("rules", [])
    value_spec = spec.get("value", {})
    values = [v for s in series for v in s["values"]] + [r["y"] for r in rules]
    legend = [(_spec_text(s, "name"), n % _COLOURS, "solid", "box") for n, s in enumerate(series)] \
        if len(series) > 1 else []
    top = _head(d, spec, legend)
    n_series = max(len(series), 1)
    if spec.get("orientation") == "horizontal":
        bar_h = 12 if not narrow else 13
        labels = [_wrap(c, (0.35 * g.width) if not narrow else g.width - 2 * g.pad, g.text) or [""] for c in categories]
        column = 0.0 if narrow else max([_text_width(line, g.text) for ls in labels for line in ls] + [0.0]) + 8
        plot_top = top + 0.5 * g.text + (1.25 * g.text + 2 if rules else 0)
        y = plot_top
        rows = []
        for lines in labels:
            label_h = 1.25 * g.text * len(lines)
            bars_h = bar_h * n_series + 2 * (n_series - 1)
            if narrow:
                rows.append((y, y + label_h + 1, lines))
                y += label_h + 1 + bars_h + 0.7 * g.text
            else:
                band = max(bars_h, label_h) + 0.6 * g.text
                rows.append((y, y + (band - bars_h) / 2, lines))
                y += band
        plot_bottom = y
        left, plot_w, sv = _horizontal_value_axis(d, values, value_spec, g.pad + column, g.width - g.pad, True,
                                                  plot_top, plot_bottom)
        for c, (row_top, bars_top, lines) in enumerate(rows):
            if narrow:
                d.block(row_top, lines, left + 3, "calc-chart-tick calc-chart-halo", g.text)
            else:
                mid = bars_top + (bar_h * n_series + 2 * (n_series - 1)) / 2
                d.block(mid - 1.25 * g.text * len(lines) / 2, lines, left - 6, "calc-chart-tick", g.text, "end")
            for n, s in enumerate(series):
                value = s["values"][c]
                d.bar(min(sv(value), sv(0)), bars_top + (bar_h + 2) * n, abs(sv(value) - sv(0)), bar_h, n)
        d.line(sv(0), plot_top, sv(0), plot_bottom, "calc-chart-axis")
        bottom = _title_below(d, _spec_text(value_spec), plot_bottom, left + plot_w / 2)
        for rule in rules:
            x = sv(rule["y"])
            d.line(x, plot_top, x, plot_bottom, "calc-chart-rule", rule.get("style", "dashed"))
        for rule in rules:
            x = sv(rule["y"])
            d.place(_spec_text(rule), _beside_spots(x + 4, x - 4, plot_top - 1.25 * g.text - 4, g.text),
                    (g.pad, plot_top - 1.25 * g.text - 3, g.width - g.pad, plot_bottom))
        return d.svg(str(spec.get("title", "")), bottom + g.pad, "narrow" if narrow else "wide")

    # vertical
    top = d.block(top + 0.2 * g.text, _wrap(_spec_text(value_spec), g.width - 2 * g.pad, g.label), g.pad,
                  "calc-chart-label", g.label)
    plot_top = top + 0.9 * g.text
    plot_bottom = plot_top + g.plot_height
    axis = _value_axis(values, value_spec, g.plot_height, g, False)
    left = g.pad + max(_text_width(axis.label(t), g.text) for t in axis.ticks) + 6
    right = g.width - g.pad
    plot_w = right - left
    band = plot_w / max(len(categories), 1)

    def sv(v: float) -> float:
        return plot_bottom - axis.frac(v) * g.plot_height

    for t in axis.ticks:
        d.line(left, sv(t), right, sv(t), "calc-chart-grid")
        d.text(left - 6, sv(t) + 0.35 * g.text, axis.label(t), "calc-chart-tick", anchor="end")
    widest = max([_text_width(c, g.text) for c in categories] + [1.0])
    every = max(1, math.ceil((widest + 0.8 * g.text) / band))  # category labels thinned so that none overlap
    inner = band * 0.8 / n_series
    for c, name in enumerate(categories):
        for n, s in enumerate(series):
            value = s["values"][c]
            d.bar(left + c * band + band * 0.1 + inner * n, min(sv(value), sv(0)), inner, abs(sv(value) - sv(0)), n)
        if c % every == 0:
            d.text(left + c * band + band / 2, plot_bottom + 4 + 0.92 * g.text, name, "calc-chart-tick",
                   anchor="middle")
    d.line(left, sv(0), right, sv(0), "calc-chart-axis")
    bottom = _title_below(d, _spec_text(spec, "category_label"), plot_bottom, left + plot_w / 2)
    for rule in rules:
        y = sv(rule["y"])
        d.line(left, y, right, y, "calc-chart-rule", rule.get("style", "dashed"))
    for rule in rules:
        d.place(_spec_text(rule), _rule_spots(left, right, sv(rule["y"])),
                (left, plot_top, right, plot_bottom))
    return d.svg(str(spec.get("title", "")), bottom + g.pad, "narrow" if narrow else "wide")


def tornado_chart_svg(spec: Mapping[str, Any], *, narrow: bool = False) -> str:
    """Draw a tornado-chart spec as an SVG string: one bar per input, in the order given, from the output at the
    input's low end to the output at its high end, around a vertical line at the base output.

    Examples:
        >>> svg = tornado_chart_svg({"kind": "tornado", "title": "t", "base": 10, "base_label": "base",
        ...     "bars": [{"name": "MFU", "low": 14, "high": 7, "low_label": "30%", "high_label": "60%"}]})
        >>> svg.count("<rect"), "MFU" in svg
        (2, True)
    """
    problems = spec_problems(spec)
    if problems or spec.get("kind") != "tornado":
        return _notice(spec, problems or ["This is not a tornado-chart spec."], narrow)
    g = _GEOMETRY[narrow]
    d = _Drawing(g)
    bars = spec.get("bars", [])
    base = spec["base"]
    value_spec = spec.get("value", {})
    top = _head(d, spec, [])
    names = [_wrap(_spec_text(b, "name"), (0.3 * g.width) if not narrow else g.width - 2 * g.pad, g.text) or [""]
             for b in bars]
    column = 0.0 if narrow else max([_text_width(line, g.text) for ls in names for line in ls] + [0.0]) + 8
    # each end label goes beside its end of the bar, outside it: reserve the widest on each side
    side_cap = 0.3 * (g.width - column - 2 * g.pad)
    ends = []  # per bar: [(value, label, colour), left end first]
    for b in bars:
        pair = [(b["low"], _spec_text(b, "low_label"), 0), (b["high"], _spec_text(b, "high_label"), 1)]
        ends.append(sorted(pair, key=lambda e: (e[0], e[2])))
    left_labels = [_wrap(e[0][1], side_cap, g.text) or [""] for e in ends]
    right_labels = [_wrap(e[1][1], side_cap, g.text) or [""] for e in ends]
    left_room = max([_text_width(line, g.text) for ls in left_labels for line in ls] + [0.0]) + 5
    right_room = max([_text_width(line, g.text) for ls in right_labels for line in ls] + [0.0]) + 5
    base_lines = _wrap(_spec_text(spec, "base_label"), g.width - 2 * g.pad, g.text)
    plot_top = top + 0.4 * g.text + 1.25 * g.text * len(base_lines)
    bar_h = 14
    rows, y = [], plot_top + 0.3 * g.text
    for n in range(len(bars)):
        lines = max(len(left_labels[n]), len(right_labels[n]))
        row_h = max(bar_h, 1.25 * g.text * lines)
        if narrow:
            rows.append((y, y + 1.25 * g.text * len(names[n]) + 1, row_h))
            y += 1.25 * g.text * len(names[n]) + 1 + row_h + 0.7 * g.text
        else:
            row_h = max(row_h, 1.25 * g.text * len(names[n]))
            rows.append((y, y, row_h))
            y += row_h + 0.6 * g.text
    plot_bottom = y
    values = [base] + [v for b in bars for v in (b["low"], b["high"])]
    span_left = g.pad + column + left_room
    span_right = g.width - g.pad - right_room
    left, plot_w, sv = _horizontal_value_axis(d, values, value_spec, span_left, span_right, False, plot_top,
                                              plot_bottom)
    for n, (row_top, bar_row_top, row_h) in enumerate(rows):
        if narrow:
            d.block(row_top, names[n], g.pad, "calc-chart-tick calc-chart-halo", g.text)
        else:
            d.block(row_top + (row_h - 1.25 * g.text * len(names[n])) / 2, names[n], g.pad + column - 8,
                    "calc-chart-tick", g.text, "end")
        bar_top = bar_row_top + (row_h - bar_h) / 2
        # the end farther from the base first, so that the nearer one stays visible when both are on one side;
        # distances rounded, so that two ends equally far (±10% of a linear input) keep their order whatever the
        # last bit of the axis's scale (Pyodide's libm and CPython's differ there)
        for value, _, colour in sorted(ends[n], key=lambda e: -round(abs(sv(e[0]) - sv(base)), 6)):
            a, b = sorted((sv(base), sv(value)))
            d.bar(a, bar_top, b - a, bar_h, colour)
        (low_v, _, _), (high_v, _, _) = ends[n]
        for lines, x, anchor in ((left_labels[n], min(sv(low_v), sv(base)) - 4, "end"),
                                 (right_labels[n], max(sv(high_v), sv(base)) + 4, "start")):
            block_top = bar_row_top + (row_h - 1.25 * g.text * len(lines)) / 2
            d.block(block_top, lines, x, "calc-chart-note calc-chart-halo", g.text, anchor)
    x = sv(base)
    d.line(x, plot_top - 2, x, plot_bottom, "calc-chart-base")
    base_x = min(max(x, g.pad + max([_text_width(s, g.text) for s in base_lines] + [0.0]) / 2),
                 g.width - g.pad - max([_text_width(s, g.text) for s in base_lines] + [0.0]) / 2)
    d.block(plot_top - 0.2 * g.text - 1.25 * g.text * len(base_lines), base_lines, base_x,
            "calc-chart-note calc-chart-halo", g.text, "middle")
    bottom = _title_below(d, _spec_text(value_spec), plot_bottom, left + plot_w / 2)
    return d.svg(str(spec.get("title", "")), bottom + g.pad, "narrow" if narrow else "wide")


def _notice(spec: Any, problems: list[str], narrow: bool) -> str:
    """The SVG drawn in place of a chart whose spec has problems: the title and the first problem."""
    g = _GEOMETRY[narrow]
    d = _Drawing(g)
    title = str(spec.get("title", "")) if isinstance(spec, Mapping) else ""
    top = _head(d, {"title": title}, [])
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    top = d.block(top + 4, _wrap(f"Chart not drawn: {problems[0]}{more}", g.width - 2 * g.pad, g.text), g.pad,
                  "calc-chart-note", g.text)
    return d.svg(title, top + g.pad, "narrow" if narrow else "wide")


_DRAW = {"line": line_chart_svg, "bar": bar_chart_svg, "tornado": tornado_chart_svg}


def chart_svg(spec: Mapping[str, Any], *, narrow: bool = False) -> str:
    """Draw a chart spec of any kind (``"line"``, the default, ``"bar"`` or ``"tornado"``) for the wide box, or
    for the narrow one. Never raises: a spec with problems (see `spec_problems`) gets an SVG that says so.

    Examples:
        >>> "Chart not drawn" in chart_svg({"kind": "line", "x": {"scale": "log"},
        ...                                 "series": [{"name": "a", "points": [[0, 1]]}]})
        True
    """
    kind = spec.get("kind", "line") if isinstance(spec, Mapping) else None
    draw = _DRAW.get(kind) if isinstance(kind, str) else None
    if draw is None:
        return _notice(spec, spec_problems(spec), narrow)
    return draw(spec, narrow=narrow)


# --- Spec builders: one place that writes each shape of spec


def line_chart(*, title: str, x_label: str, y_label: str,
               series: Sequence[tuple[str, Sequence[Sequence[float]]] | tuple[str, Sequence[Sequence[float]], str]],
               x_format: str = "number", y_format: str = "number", x_scale: str = "linear", y_scale: str = "linear",
               x_zero: bool | None = None, y_zero: bool | None = None,
               rules: Sequence[Mapping[str, Any]] = (), markers: Sequence[Mapping[str, Any]] = (),
               points: Sequence[Mapping[str, Any]] = (), regions: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A line-chart spec (see the module's docstring for what each part means and how it is drawn).

    Args:
        title: The chart's title, a sentence saying what it shows.
        x_label: The x axis's title, with its unit.
        y_label: The y axis's title, with its unit.
        series: ``(name, points)`` or ``(name, points, style)`` for each line, points as ``[x, y]`` pairs;
            style ``"solid"`` (the default), ``"dashed"`` or ``"dotted"``.
        x_format: How x tick labels are written: ``"count"``, ``"usd"``, ``"bytes"``... (see the module).
        y_format: How y tick labels are written.
        x_scale: ``"linear"`` or ``"log"``.
        y_scale: ``"linear"`` or ``"log"``.
        x_zero: False to fit a linear x axis to the data instead of starting it at zero.
        y_zero: False to fit a linear y axis to the data instead of starting it at zero.
        rules: Horizontal lines, ``{"y", "label", "style"}`` (dashed unless a style is given).
        markers: Vertical lines, ``{"x", "label", "style"}``.
        points: Marked points, ``{"x", "y", "label"}``.
        regions: Shaded bands, ``{"x0", "x1", "label"}`` or ``{"y0", "y1", "label"}``; an omitted bound reaches
            the edge of the plot.

    Returns:
        The spec, a plain dict; `chart_svg` draws it.

    Examples:
        >>> spec = line_chart(title="Cost", x_label="Months", y_label="US dollars", y_format="usd",
        ...                   series=[("Owned", [[0, 5], [12, 9]]), ("Rented", [[0, 0], [12, 11]], "dashed")],
        ...                   markers=[{"x": 10, "label": "Paid back"}])
        >>> spec["series"][1]
        {'name': 'Rented', 'points': [[0, 0], [12, 11]], 'style': 'dashed'}
        >>> spec["y"], spec_problems(spec)
        ({'label': 'US dollars', 'format': 'usd'}, [])
    """
    def axis(label: str, fmt: str, scale: str, zero: bool | None) -> dict[str, Any]:
        out: dict[str, Any] = {"label": label, "format": fmt}
        if scale != "linear":
            out["scale"] = scale
        if zero is not None:
            out["zero"] = zero
        return out

    spec: dict[str, Any] = {
        "kind": "line",
        "title": title,
        "x": axis(x_label, x_format, x_scale, x_zero),
        "y": axis(y_label, y_format, y_scale, y_zero),
        "series": [{"name": s[0], "points": [list(p) for p in s[1]], **({"style": s[2]} if len(s) > 2 else {})}
                   for s in series],
        "rules": [dict(r) for r in rules],
        "markers": [dict(m) for m in markers],
    }
    if points:
        spec["points"] = [dict(p) for p in points]
    if regions:
        spec["regions"] = [dict(r) for r in regions]
    return spec


def bar_chart(*, title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
              value_label: str, value_format: str = "number", horizontal: bool = False, category_label: str = "",
              rules: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A bar-chart spec: one group of bars per category, one bar per ``(name, values)`` series in each.

    Args:
        title: The chart's title.
        categories: The category names, in order (down the chart when `horizontal`, else left to right).
        series: ``(name, values)`` with one value per category; with two or more series, a legend names them.
        value_label: The value axis's title, with its unit.
        value_format: How value tick labels are written (see the module).
        horizontal: Bars along x with the categories down the chart: for long category names.
        category_label: A title under the categories (vertical bars).
        rules: Reference values ``{"y", "label", "style"}`` across the bars.

    Returns:
        The spec, a plain dict; `chart_svg` draws it.

    Examples:
        >>> spec = bar_chart(title="t", categories=["a", "b"], series=[("Cost", [1, 2])], value_label="USD",
        ...                  value_format="usd", horizontal=True)
        >>> spec["orientation"], spec["series"], spec_problems(spec)
        ('horizontal', [{'name': 'Cost', 'values': [1, 2]}], [])
    """
    spec: dict[str, Any] = {
        "kind": "bar",
        "orientation": "horizontal" if horizontal else "vertical",
        "title": title,
        "categories": [str(c) for c in categories],
        "value": {"label": value_label, "format": value_format},
        "series": [{"name": name, "values": list(values)} for name, values in series],
    }
    if category_label:
        spec["category_label"] = category_label
    if rules:
        spec["rules"] = [dict(r) for r in rules]
    return spec


def tornado_chart(*, title: str, value_label: str, base: float, base_label: str,
                  bars: Sequence[tuple[str, float, float, str, str]], value_format: str = "number") -> dict[str, Any]:
    """A tornado-chart spec for a sensitivity analysis, bars in the order given (sort them by swing first).

    Args:
        title: The chart's title.
        value_label: The output's axis title, with its unit.
        base: The output with every input at its base value.
        base_label: The text over the base line.
        bars: ``(name, low, high, low_label, high_label)`` per input: the output with that input at its low and at
            its high end (the others at base), and the text written at each end (the input's value, say).
        value_format: How the output's tick labels are written (see the module).

    Returns:
        The spec, a plain dict; `chart_svg` draws it.

    Examples:
        >>> spec = tornado_chart(title="t", value_label="USD", value_format="usd", base=5.6e6, base_label="Base",
        ...                      bars=[("MFU", 8e6, 4e6, "MFU 25%", "MFU 50%")])
        >>> spec["bars"][0]["low"], spec_problems(spec)
        (8000000.0, [])
    """
    return {
        "kind": "tornado",
        "title": title,
        "value": {"label": value_label, "format": value_format},
        "base": base,
        "base_label": base_label,
        "bars": [{"name": name, "low": low, "high": high, "low_label": low_label, "high_label": high_label}
                 for name, low, high, low_label, high_label in bars],
    }
