"""The one chart renderer: escapes every text, draws what the spec says, keeps labels inside, never raises."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import calculator_ids, get_calculator, run
from calculators.charts import (
    NARROW,
    WIDE,
    _text_width,
    bar_chart,
    bar_chart_svg,
    chart_svg,
    line_chart,
    line_chart_svg,
    log_ticks,
    nice_ticks,
    spec_problems,
    tornado_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script>&"'
BOTH = pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{SVG}text"))


def classes(element: ET.Element) -> set[str]:
    return set((element.get("class") or "").split())


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in classes(e)]


def view_box(root: ET.Element) -> tuple[float, float]:
    _, _, w, h = map(float, root.get("viewBox").split())
    return w, h


def text_box(root: ET.Element, t: ET.Element) -> tuple[float, float, float, float]:
    """The estimated box of a text element (the renderer's own width estimate; the browser test measures)."""
    size = float(t.get("font-size") or root.get("font-size"))
    width = _text_width(t.text or "", size, t.get("font-weight") == "700")
    x, y = float(t.get("x")), float(t.get("y"))
    x0 = {"end": x - width, "middle": x - width / 2}.get(t.get("text-anchor"), x)
    return x0, y - 0.92 * size, x0 + width, y + 0.33 * size


def assert_texts_inside(svg: str) -> None:
    root = parse(svg)
    w, h = view_box(root)
    for t in texts(root):
        x0, y0, x1, y1 = text_box(root, t)
        assert x0 >= -0.5 and x1 <= w + 0.5 and y0 >= -0.5 and y1 <= h + 0.5, (t.text, (x0, y0, x1, y1), (w, h))


def plot_box(root: ET.Element) -> tuple[float, float, float, float]:
    """The plot's rectangle, from the grid lines and the x axis."""
    baseline = [e for e in by_class(root, "calc-chart-axis") if e.get("y1") == e.get("y2")]
    lines = by_class(root, "calc-chart-grid") + baseline
    xs = [float(e.get(a)) for e in lines for a in ("x1", "x2")]
    ys = [float(e.get(a)) for e in lines for a in ("y1", "y2")]
    return min(xs), min(ys), max(xs), max(ys)


def tick_labels(root: ET.Element, axis: str) -> dict[str, float]:
    """Tick label text -> its position along `axis` ("x": horizontal ticks under the plot, "y": at the left)."""
    ticks = [t for t in texts(root) if "calc-chart-tick" in classes(t)]
    if axis == "y":
        return {t.text: float(t.get("y")) for t in ticks if t.get("text-anchor") == "end"}
    return {t.text: float(t.get("x")) for t in ticks if t.get("text-anchor") == "middle"}


def polylines(root: ET.Element) -> list[list[tuple[float, float]]]:
    return [[tuple(map(float, p.split(","))) for p in line.get("points").split()]
            for line in root.iter(f"{SVG}polyline")]


FULL_LINE = {
    "kind": "line", "title": HOSTILE,
    "x": {"label": HOSTILE, "format": "count"}, "y": {"label": HOSTILE, "format": "usd"},
    "series": [{"name": HOSTILE, "points": [[0, 0], [10, 5]]},
               {"name": HOSTILE, "points": [[0, 1], [10, 2]], "style": "dashed"}],
    "rules": [{"y": 4, "label": HOSTILE}], "markers": [{"x": 3, "label": HOSTILE, "style": "solid"}],
    "points": [{"x": 5, "y": 2.5, "label": HOSTILE}],
    "regions": [{"x0": 7, "label": HOSTILE}, {"y0": 4.5, "y1": 5, "label": HOSTILE}],
}


@BOTH
def test_every_label_is_escaped_and_the_svg_is_well_formed(narrow) -> None:
    bar = {"kind": "bar", "title": HOSTILE, "categories": [HOSTILE, "b"], "category_label": HOSTILE,
           "value": {"label": HOSTILE},
           "series": [{"name": HOSTILE, "values": [1, 2]}, {"name": HOSTILE, "values": [2, 1]}],
           "rules": [{"y": 1.5, "label": HOSTILE}]}
    tornado = {"kind": "tornado", "title": HOSTILE, "value": {"label": HOSTILE}, "base": 5, "base_label": HOSTILE,
               "bars": [{"name": HOSTILE, "low": 3, "high": 8, "low_label": HOSTILE, "high_label": HOSTILE}]}
    # title, 2 axis labels, 2 legend names, rule, marker, point, 2 regions; title, category, category label,
    # value label, 2 legend names, rule (horizontal bars: no category label); title, value label, base, name, 2 ends
    for spec, count in [(FULL_LINE, 10), (bar, 7), ({**bar, "orientation": "horizontal"}, 6), (tornado, 6)]:
        svg = chart_svg(spec, narrow=narrow)
        root = parse(svg)
        assert not root.findall(f".//{SVG}script")
        # as text, not markup; a label too long for its room is wrapped or cut, its lines one after the other
        assert "".join(t.text for t in texts(root)).count(HOSTILE) == count, spec["kind"]
        assert root.get("aria-label") == HOSTILE and root.find(f"{SVG}title").text == HOSTILE
        assert "<script" not in svg and "&lt;script&gt;" in svg


def test_polyline_follows_the_points() -> None:
    svg = line_chart_svg({"kind": "line", "title": "", "series": [{"name": "a", "points": [[0, 0], [5, 5], [10, 10]]}]})
    [line] = polylines(parse(svg))
    (x0, y0), (x1, y1), (x2, y2) = line
    assert x0 < x1 < x2 and y0 > y1 > y2  # up and to the right on screen
    assert abs((x1 - x0) - (x2 - x1)) < 0.2 and abs((y0 - y1) - (y1 - y2)) < 0.2  # straight


def test_nice_ticks_cover_the_range() -> None:
    for low, high in [(0, 1), (0, 9.2e9), (0, 262144), (3, 7), (0, 1e-3), (0, 1e-15), (-3e300, 1e300), (1e20, 1e20)]:
        ticks = nice_ticks(low, high)
        assert ticks[0] <= low and ticks[-1] >= high and len(ticks) >= 2, (low, high, ticks)
        assert len(set(ticks)) == len(ticks) and all(math.isfinite(t) for t in ticks)
        assert all(float(f"{t:.2e}") == t for t in ticks)  # round values: three significant digits at most


def test_log_ticks_are_powers_of_ten_with_two_and_five_when_the_range_is_short() -> None:
    assert log_ticks(1, 1e6) == [10.0**e for e in range(7)]
    assert log_ticks(3, 700) == [2, 5, 10, 20, 50, 100, 200, 500, 1000]
    assert log_ticks(1e-300, 1e300)[0] == 1e-300  # no overflow or zero at the ends of a float
    assert log_ticks(42, 42) == [20, 50, 100]  # one value: an axis around it


@BOTH
def test_log_axes_place_ticks_by_their_logarithm(narrow) -> None:
    spec = line_chart(title="t", x_label="x", y_label="y", x_scale="log", y_scale="log", y_format="usd",
                      series=[("a", [[1, 0.01], [1e6, 100]])])
    root = parse(chart_svg(spec, narrow=narrow))
    ys = tick_labels(root, "y")
    assert {"$0.01", "$1", "$100"} <= set(ys)  # powers of ten are labelled
    step = ys["$0.1"] - ys["$1"]
    assert step > 0 and abs((ys["$1"] - ys["$10"]) - step) < 0.2  # equal space per decade
    xs = tick_labels(root, "x")
    assert "1" in xs and "1M" in xs and "2" not in xs  # six decades: no room for 2 and 5
    [line] = polylines(root)
    assert abs(line[0][0] - xs["1"]) < 0.2 and abs(line[-1][0] - xs["1M"]) < 0.2
    short = parse(chart_svg(line_chart(title="t", x_label="x", y_label="y", y_scale="log",
                                       series=[("a", [[0, 3], [1, 70]])]), narrow=narrow))
    assert {"2", "5", "10", "20", "50"} <= set(tick_labels(short, "y"))  # a short range labels 2 and 5 too


@BOTH
def test_series_styles_and_their_legend(narrow) -> None:
    spec = line_chart(title="t", x_label="x", y_label="y", series=[
        ("solid", [[0, 1], [1, 2]]), ("dashed", [[0, 2], [1, 3]], "dashed"), ("dotted", [[0, 3], [1, 1]], "dotted")])
    root = parse(chart_svg(spec, narrow=narrow))
    lines = list(root.iter(f"{SVG}polyline"))
    assert [line.get("stroke-dasharray") for line in lines] == [None, "7 4", "0.1 4.5"]
    assert lines[2].get("stroke-linecap") == "round"  # dots, not dashes
    assert [sorted(classes(line) - {"calc-chart-line"}) for line in lines] == [["calc-chart-c0"], ["calc-chart-c1"],
                                                                                ["calc-chart-c2"]]
    swatches = [e for e in root.iter(f"{SVG}line") if any(c.startswith("calc-chart-c") for c in classes(e))]
    assert [s.get("stroke-dasharray") for s in swatches] == [None, "7 4", "0.1 4.5"]  # the legend shows the styles
    # the legend sits above the plot, never over the data
    _, plot_top, _, _ = plot_box(root)
    legend = [t for t in texts(root) if "calc-chart-legend" in classes(t)]
    assert [t.text for t in legend] == ["solid", "dashed", "dotted"]
    assert all(text_box(root, t)[3] < plot_top for t in legend) and all(float(s.get("y1")) < plot_top for s in swatches)


def test_many_series_wrap_the_legend_and_colours_cycle() -> None:
    spec = line_chart(title="t", x_label="x", y_label="y",
                      series=[(f"Series number {n}", [[0, n], [1, n + 1]]) for n in range(8)])
    for narrow in (False, True):
        root = parse(chart_svg(spec, narrow=narrow))
        rows = {t.get("y") for t in texts(root) if "calc-chart-legend" in classes(t)}
        assert len(rows) >= (3 if narrow else 2)
        assert classes(list(root.iter(f"{SVG}polyline"))[6]) == {"calc-chart-line", "calc-chart-c0"}
        assert_texts_inside(chart_svg(spec, narrow=narrow))


@BOTH
@pytest.mark.parametrize("corner", [(0, 0), (0, 10), (10, 0), (10, 10), (5, 5)])
def test_marked_points_and_their_labels_stay_inside_the_plot(narrow, corner) -> None:
    label = "A long label for a marked point near the edge"
    spec = line_chart(title="t", x_label="x", y_label="y", series=[("a", [[0, 0], [10, 10]])],
                      points=[{"x": corner[0], "y": corner[1], "label": label}])
    root = parse(chart_svg(spec, narrow=narrow))
    [dot] = root.iter(f"{SVG}circle")
    [line] = polylines(root)
    (x0, y0), (x1, y1) = line
    assert abs(float(dot.get("cx")) - (x0 + (x1 - x0) * corner[0] / 10)) < 0.2
    assert abs(float(dot.get("cy")) - (y0 + (y1 - y0) * corner[1] / 10)) < 0.2
    left, top, right, bottom = plot_box(root)
    notes = [t for t in texts(root) if "calc-chart-note" in classes(t)]
    assert " ".join(t.text for t in notes) == label  # wrapped, maybe, but all there
    for t in notes:
        bx0, by0, bx1, by1 = text_box(root, t)
        assert bx0 >= left - 0.5 and bx1 <= right + 0.5 and by0 >= top - 2 and by1 <= bottom + 2


@BOTH
def test_regions_shade_to_the_edge_when_a_bound_is_omitted(narrow) -> None:
    spec = line_chart(title="t", x_label="Batch size", y_label="y", series=[("a", [[0, 0], [100, 10]])],
                      regions=[{"x0": 60, "label": "Does not fit in memory"}, {"y1": 2, "label": "Too slow"},
                               {"x0": 10, "x1": 20, "label": ""}])
    root = parse(chart_svg(spec, narrow=narrow))
    left, top, right, bottom = plot_box(root)
    xs = tick_labels(root, "x")
    beyond, below, band = by_class(root, "calc-chart-region")
    x, w = float(beyond.get("x")), float(beyond.get("width"))
    assert abs(x - (xs["0"] + (xs["100"] - xs["0"]) * 0.6)) < 0.2 and abs(x + w - right) < 0.2  # to the right edge
    assert abs(float(beyond.get("y")) - top) < 0.2 and abs(float(beyond.get("height")) - (bottom - top)) < 0.2
    y, h = float(below.get("y")), float(below.get("height"))
    assert abs(y + h - bottom) < 0.2 and abs(float(below.get("x")) - left) < 0.2  # from the bottom edge up to 2
    assert abs(float(band.get("width")) - (xs["100"] - xs["0"]) * 0.1) < 0.2
    edges = by_class(root, "calc-chart-region-edge")
    assert len(edges) == 4  # one per bound given
    assert list(root).index(beyond) < list(root).index(next(root.iter(f"{SVG}polyline")))  # drawn under the data
    notes = " ".join(t.text for t in texts(root) if "calc-chart-note" in classes(t))
    assert "Does not fit in memory" in notes and "Too slow" in notes
    assert_texts_inside(chart_svg(spec, narrow=narrow))


@BOTH
def test_rules_and_markers_take_a_style_and_keep_their_labels_inside(narrow) -> None:
    spec = line_chart(title="t", x_label="x", y_label="y", series=[("a", [[0, 0], [100, 10]])],
                      rules=[{"y": 10, "label": "A limit at the very top of the plot", "style": "dotted"}],
                      markers=[{"x": 100, "label": "A marker at the right edge"}, {"x": 0, "label": "solid",
                                                                                  "style": "solid"}])
    svg = chart_svg(spec, narrow=narrow)
    root = parse(svg)
    rule, right_marker, left_marker = by_class(root, "calc-chart-rule")
    assert rule.get("stroke-dasharray") == "0.1 4.5" and right_marker.get("stroke-dasharray") == "7 4"
    assert left_marker.get("stroke-dasharray") is None
    assert_texts_inside(svg)
    left, top, right, bottom = plot_box(root)
    for t in texts(root):
        if "calc-chart-note" in classes(t):
            x0, y0, x1, y1 = text_box(root, t)
            assert x0 >= left - 0.5 and x1 <= right + 0.5 and y0 >= top - 2 and y1 <= bottom + 2, t.text


@BOTH
def test_tornado_bars_keep_their_order_and_span_low_to_high_around_the_base(narrow) -> None:
    spec = tornado_chart(title="What moves the bill", value_label="US dollars", value_format="usd", base=5.6e6,
                         base_label="Base: $5.6M", bars=[("MFU", 9e6, 4.5e6, "25%", "50%"),
                                                         ("Price", 3.9e6, 8.4e6, "$1.40", "$3"),
                                                         ("Tokens", 5.0e6, 6.2e6, "13T", "16T"),
                                                         ("Both above", 6e6, 7e6, "a", "b")])
    svg = chart_svg(spec, narrow=narrow)
    root = parse(svg)
    names = [t for t in texts(root) if t.text in ("MFU", "Price", "Tokens", "Both above")]
    assert [t.text for t in names] == ["MFU", "Price", "Tokens", "Both above"]
    assert [float(t.get("y")) for t in names] == sorted(float(t.get("y")) for t in names)  # top to bottom, as given
    [base] = by_class(root, "calc-chart-base")
    xs = tick_labels(root, "x")
    per_dollar = (xs["$8M"] - xs["$6M"]) / 2e6
    assert abs(float(base.get("x1")) - (xs["$6M"] - 0.4e6 * per_dollar)) < 0.3
    bars = by_class(root, "calc-chart-bar")
    assert len(bars) == 8
    for n, (_, low, high, _, _) in enumerate(spec_bars(spec)):
        pair = bars[2 * n: 2 * n + 2]
        spans = sorted((float(r.get("x")), float(r.get("x")) + float(r.get("width"))) for r in pair)
        ends = sorted(xs["$6M"] + (v - 6e6) * per_dollar for v in (low, high, 5.6e6))
        assert abs(min(s[0] for s in spans) - ends[0]) < 0.3 and abs(max(s[1] for s in spans) - ends[-1]) < 0.3
        colours = {c for r in pair for c in classes(r) if c.startswith("calc-chart-c")}
        assert colours == {"calc-chart-c0", "calc-chart-c1"}  # the low end and the high end in their own colours
    notes = [t.text for t in texts(root) if "calc-chart-note" in classes(t)]
    assert {"25%", "50%", "$1.40", "$3", "13T", "16T", "Base: $5.6M"} <= set(notes)
    assert_texts_inside(svg)


def spec_bars(spec):
    return [(b["name"], b["low"], b["high"], b["low_label"], b["high_label"]) for b in spec["bars"]]


@BOTH
def test_non_positive_values_on_a_log_axis_are_refused_not_a_crash(narrow) -> None:
    for bad in (0, -1, 1e-320):
        spec = line_chart(title="Frontier", x_label="x", y_label="y", y_scale="log", series=[("a", [[1, 1], [2, bad]])])
        [problem] = spec_problems(spec)
        assert "log axis takes positive values only" in problem
        svg = chart_svg(spec, narrow=narrow)
        root = parse(svg)
        assert "Chart not drawn" in svg and "Frontier" in svg and not root.findall(f".//{SVG}polyline")
    refused = [
        line_chart(title="t", x_label="x", y_label="y", x_scale="log", series=[("a", [[1, 1]])],
                   markers=[{"x": 0, "label": "m"}]),
        line_chart(title="t", x_label="x", y_label="y", y_scale="log", series=[("a", [[1, 1]])],
                   rules=[{"y": -5, "label": "r"}]),
        line_chart(title="t", x_label="x", y_label="y", x_scale="log", series=[("a", [[1, 1]])],
                   regions=[{"x0": 0, "label": "r"}]),
        line_chart(title="t", x_label="x", y_label="y", y_scale="log", series=[("a", [[1, 1]])],
                   points=[{"x": 1, "y": 0, "label": "p"}]),
    ]
    for spec in refused:
        assert len(spec_problems(spec)) == 1 and "Chart not drawn" in chart_svg(spec, narrow=narrow)


@pytest.mark.parametrize("spec", [
    {"kind": "pie"}, [], None, {"kind": ["line"]}, {"kind": "line", "series": "abc"},
    {"kind": "line", "series": [{"name": "a", "points": [[1]]}]},
    {"kind": "line", "series": [{"name": "a", "points": [[1, "2"]]}]},
    {"kind": "line", "series": [{"name": "a", "points": [[1, float("nan")]]}]},
    {"kind": "line", "series": [{"name": "a", "points": [[1, float("inf")]]}]},
    {"kind": "line", "series": [{"name": "a", "points": [[1, 2e300]]}]},
    {"kind": "line", "series": [{"name": "a", "points": [[1, True]]}]},
    {"kind": "line", "series": [{"name": "a", "points": [[1, 10**400]]}]},
    {"kind": "line", "series": [{"name": "a", "points": [[1, 1]], "style": "wavy"}]},
    {"kind": "line", "x": {"scale": "sqrt"}, "series": []},
    {"kind": "line", "y": {"format": "furlongs"}, "series": []},
    {"kind": "line", "series": [], "regions": [{"x0": 1, "y0": 2}]},
    {"kind": "line", "series": [], "regions": [{"label": "nothing"}]},
    {"kind": "line", "series": [], "markers": [{"label": "no x"}]},
    {"kind": "bar", "categories": ["a"], "series": [{"name": "s", "values": [1, 2]}]},
    {"kind": "bar", "categories": ["a"], "series": [{"name": "s", "values": [None]}]},
    {"kind": "tornado", "base": "5", "bars": []},
    {"kind": "tornado", "base": 5, "bars": [{"name": "a", "low": 1}]},
])
def test_bad_specs_are_listed_and_drawn_as_a_notice(spec) -> None:
    problems = spec_problems(spec)
    assert problems and all(isinstance(p, str) and p.endswith(".") for p in problems)
    for narrow in (False, True):
        svg = chart_svg(spec, narrow=narrow)
        assert "Chart not drawn" in parse(svg).findall(f"{SVG}text")[-1].text or "Chart not drawn" in svg


def coordinates(root: ET.Element) -> list[float]:
    out = []
    for e in root.iter():
        for name in ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height"):
            if e.get(name) is not None:
                out.append(float(e.get(name)))
        if e.get("points"):
            out += [float(v) for p in e.get("points").split() for v in p.split(",")]
    return out


@BOTH
@pytest.mark.parametrize("values", [
    [1e-300, 1e300], [1e-300, 2e-300], [1e299, 1e300], [1e-9, 3e-9], [1e15, 3.3e24],
])
def test_huge_and_tiny_values_draw_inside_the_box(narrow, values) -> None:
    for scale in ("linear", "log"):
        spec = line_chart(title="t", x_label="x", y_label="y", y_scale=scale, y_format="flops", x_scale=scale,
                          x_format="usd", series=[("a", [[v, v] for v in values])],
                          points=[{"x": values[-1], "y": values[-1], "label": "end"}])
        svg = chart_svg(spec, narrow=narrow)
        assert spec_problems(spec) == [] and "Chart not drawn" not in svg
        root = parse(svg)
        w, h = view_box(root)
        assert all(-1 <= c <= max(w, h) + 1 for c in coordinates(root))
        assert_texts_inside(svg)
    tiny = chart_svg(line_chart(title="t", x_label="x", y_label="y", series=[("a", [[0, 0], [1, 5e-324]])]),
                     narrow=narrow)
    assert "Chart not drawn" not in tiny and all(math.isfinite(c) for c in coordinates(parse(tiny)))


def test_tick_labels_are_short_at_any_magnitude() -> None:
    spec = line_chart(title="t", x_label="x", y_label="y", y_format="usd", y_scale="log",
                      series=[("a", [[0, 1e-6], [1, 1e18]])])
    labels = set(tick_labels(parse(chart_svg(spec)), "y"))
    assert {"$10⁻⁶", "$1", "$1M", "$1T", "$10¹⁸"} <= labels or {"$10⁻⁶", "$1", "$1T", "$10¹⁸"} <= labels
    assert all(len(label) <= 7 for label in labels)
    years = line_chart(title="t", x_label="Date", y_label="y", x_format="year",
                       series=[("a", [[2023.2, 1], [2025.7, 2]])])
    xs = tick_labels(parse(chart_svg(years)), "x")
    assert list(xs) == ["2023", "2024", "2025", "2026"]  # whole years, and no axis from year 0


def test_x_axis_can_fit_the_data_instead_of_starting_at_zero() -> None:
    spec = line_chart(title="t", x_label="x", y_label="y", x_zero=False, y_zero=False,
                      series=[("a", [[1000, 50], [1100, 60]])])
    xs, ys = tick_labels(parse(chart_svg(spec)), "x"), tick_labels(parse(chart_svg(spec)), "y")
    assert "0" not in xs and "0" not in ys and "1k" in xs and "50" in ys


@BOTH
def test_bar_charts_still_draw_and_label_without_overlap(narrow) -> None:
    spec = bar_chart(title="Tokens per expert", categories=[str(i) for i in range(1, 65)], category_label="Expert",
                     series=[("Before", list(range(64))), ("After", [32] * 64)], value_label="Tokens",
                     rules=[{"y": 32, "label": "mean 32"}])
    svg = bar_chart_svg(spec, narrow=narrow)
    root = parse(svg)
    assert len(by_class(root, "calc-chart-bar")) == 128
    xs = sorted(tick_labels(root, "x").values())
    assert len(xs) >= 4 and all(b - a >= _text_width("64", root_size(root)) for a, b in zip(xs, xs[1:]))
    assert_texts_inside(svg)
    long = bar_chart(title="t", categories=["A category with a very long name indeed, longer than a phone"] * 3,
                     series=[("s", [1, -2, 3])], value_label="v", horizontal=True)
    assert_texts_inside(bar_chart_svg(long, narrow=narrow))


def root_size(root: ET.Element) -> float:
    return float(root.get("font-size"))


def test_narrow_drawings_are_360_wide_with_larger_type() -> None:
    """At a 390 px viewport a widget's chart box is about 316 px wide (page margins 2 x 16 px, widget padding and
    border 2 x 21 px): 14-unit text in a 360-unit drawing shows at 12.3 px; the wide drawing's 12 units would show
    at 5.9 px."""
    for spec in (FULL_LINE, tornado_chart(title="t", value_label="v", base=1, base_label="b",
                                          bars=[("a", 0, 2, "l", "h")])):
        wide, narrow = parse(chart_svg(spec)), parse(chart_svg(spec, narrow=True))
        assert view_box(wide)[0] == WIDE == 640 and view_box(narrow)[0] == NARROW == 360
        smallest = min(float(t.get("font-size") or narrow.get("font-size")) for t in texts(narrow))
        assert smallest * 316 / NARROW >= 11
        assert min(float(t.get("font-size") or wide.get("font-size")) for t in texts(wide)) * 600 / WIDE >= 11
        assert "calc-chart-svg--narrow" in narrow.get("class") and "calc-chart-svg--wide" in wide.get("class")


def calculator_specs() -> list[tuple[str, dict]]:
    out = []
    for calc_id in calculator_ids():
        calc = get_calculator(calc_id)
        requests = [dict(e.inputs) for e in calc.examples] + [{"preset": p} for p in calc.presets()] + [{}]
        for inputs in requests:
            for chart in run(calc_id, inputs)["charts"]:
                out.append((calc_id, chart))
    return out


def test_every_calculator_chart_is_a_valid_spec_drawn_twice_with_labels_inside() -> None:
    found = calculator_specs()
    assert {calc_id for calc_id, _ in found} >= {"kv-cache", "moe-design", "training-cost", "buy-vs-rent",
                                                  "rl-run-bill", "model-params", "grpo-advantages", "run-bill"}
    for calc_id, chart in found:
        assert spec_problems(chart["spec"]) == [], calc_id
        assert chart["svg"] == chart_svg(chart["spec"]) and chart["svg_narrow"] == chart_svg(chart["spec"], narrow=True)
        for svg in (chart["svg"], chart["svg_narrow"]):
            assert "Chart not drawn" not in svg
            assert_texts_inside(svg)


def test_line_chart_builds_the_spec_the_catalog_used_to_write_by_hand() -> None:
    spec = line_chart(title="t", x_label="Months", x_format="count", y_label="US dollars", y_format="usd",
                      series=[("Owned", [(0, 1), (1, 2)]), ("Rented", [[0, 0], [1, 3]])],
                      markers=[{"x": 1, "label": "m"}])
    assert spec == {"kind": "line", "title": "t", "x": {"label": "Months", "format": "count"},
                    "y": {"label": "US dollars", "format": "usd"},
                    "series": [{"name": "Owned", "points": [[0, 1], [1, 2]]},
                               {"name": "Rented", "points": [[0, 0], [1, 3]]}],
                    "rules": [], "markers": [{"x": 1, "label": "m"}]}
    full = line_chart(title="t", x_label="x", y_label="y", x_scale="log", y_zero=False,
                      series=[("a", [[1, 1]], "dotted")],
                      points=[{"x": 1, "y": 1, "label": "p"}], regions=[{"x0": 1, "label": "r"}])
    assert full["x"]["scale"] == "log" and full["y"]["zero"] is False and full["series"][0]["style"] == "dotted"
    assert full["points"] and full["regions"] and spec_problems(full) == []
    assert bar_chart(title="t", categories=[1, 2], series=[("s", (1, 2))], value_label="v")["categories"] == ["1", "2"]


NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
                    st.sampled_from([0, -0.0, 5e-324, 1e-300, 1e300, 2e300, -1e300]))
TEXT = st.text(st.characters(codec="utf-8"), max_size=30)  # control characters included
POINT = st.lists(NUMBERS, min_size=2, max_size=2)


@st.composite
def any_spec(draw) -> dict:
    kind = draw(st.sampled_from(["line", "bar", "tornado"]))
    if kind == "line":
        axis = st.fixed_dictionaries({"label": TEXT}, optional={"scale": st.sampled_from(["linear", "log"]),
                                                                "format": st.sampled_from(["usd", "bytes", "count",
                                                                                           "percent", "year"]),
                                                                "zero": st.booleans()})
        return {"kind": kind, "title": draw(TEXT), "x": draw(axis), "y": draw(axis),
                "series": draw(st.lists(st.fixed_dictionaries(
                    {"name": TEXT, "points": st.lists(POINT, max_size=6)},
                    optional={"style": st.sampled_from(["solid", "dashed", "dotted"])}), max_size=3)),
                "points": draw(st.lists(st.fixed_dictionaries({"x": NUMBERS, "y": NUMBERS, "label": TEXT}),
                                        max_size=2)),
                "rules": draw(st.lists(st.fixed_dictionaries({"y": NUMBERS, "label": TEXT}), max_size=2)),
                "markers": draw(st.lists(st.fixed_dictionaries({"x": NUMBERS, "label": TEXT}), max_size=2)),
                "regions": draw(st.lists(st.one_of(
                    st.fixed_dictionaries({"label": TEXT}, optional={"x0": NUMBERS, "x1": NUMBERS}),
                    st.fixed_dictionaries({"label": TEXT}, optional={"y0": NUMBERS, "y1": NUMBERS})), max_size=2))}
    if kind == "bar":
        n = draw(st.integers(0, 5))
        return {"kind": kind, "title": draw(TEXT), "orientation": draw(st.sampled_from(["vertical", "horizontal"])),
                "categories": draw(st.lists(TEXT, min_size=n, max_size=n)),
                "series": draw(st.lists(st.fixed_dictionaries(
                    {"name": TEXT, "values": st.lists(NUMBERS, min_size=n, max_size=n)}), max_size=3)),
                "rules": draw(st.lists(st.fixed_dictionaries({"y": NUMBERS, "label": TEXT}), max_size=2))}
    return {"kind": kind, "title": draw(TEXT), "base": draw(NUMBERS), "base_label": draw(TEXT),
            "bars": draw(st.lists(st.fixed_dictionaries({"name": TEXT, "low": NUMBERS, "high": NUMBERS,
                                                         "low_label": TEXT, "high_label": TEXT}), max_size=4))}


@settings(max_examples=300, deadline=None)
@given(spec=any_spec(), narrow=st.booleans())
def test_any_spec_draws_without_raising_and_good_ones_stay_in_the_box(spec, narrow) -> None:
    svg = chart_svg(spec, narrow=narrow)
    root = parse(svg)  # well-formed whatever the labels hold: control characters are dropped
    w, h = view_box(root)
    coords = coordinates(root)
    assert all(math.isfinite(c) for c in coords) and math.isfinite(h)
    if not spec_problems(spec):
        assert "Chart not drawn" not in svg
        assert all(-1 <= c <= max(w, h) + 1 for c in coords)


@BOTH
def test_a_long_legend_name_wraps_whole_and_above_the_plot(narrow) -> None:
    name = "A series whose name is far too long for one line of a legend on a phone, or even on a desktop screen"
    spec = line_chart(title="t", x_label="x", y_label="y", series=[(name, [[0, 1], [1, 2]]), ("b", [[0, 2], [1, 1]])])
    svg = chart_svg(spec, narrow=narrow)
    root = parse(svg)
    legend = [t for t in texts(root) if "calc-chart-legend" in classes(t)]
    assert " ".join(t.text for t in legend[:-1]) == name and legend[-1].text == "b"
    _, plot_top, _, _ = plot_box(root)
    assert all(text_box(root, t)[3] < plot_top for t in legend)
    assert_texts_inside(svg)


@BOTH
def test_long_titles_and_axis_titles_wrap_inside_the_drawing(narrow) -> None:
    long = "An axis title long enough to need two lines even on a desktop, with its unit in parentheses (US dollars)"
    for spec in (line_chart(title=long * 2, x_label=long, y_label=long, series=[("a", [[0, 1], [1e6, 2]])]),
                 bar_chart(title=long, categories=["a", "b"], series=[("s", [1, 2])], value_label=long,
                           category_label=long),
                 bar_chart(title=long, categories=["a"], series=[("s", [1])], value_label=long, horizontal=True),
                 tornado_chart(title=long, value_label=long, base=1, base_label=long, bars=[(long, 0, 2, long, long)])):
        svg = chart_svg(spec, narrow=narrow)
        assert_texts_inside(svg)
        assert " ".join(t.text for t in texts(parse(svg)) if "calc-chart-label" in classes(t)).count(long) >= 1
