"""The one chart renderer: escapes every text and draws what the spec says."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from calculators.charts import line_chart_svg, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def test_labels_are_escaped_and_the_svg_is_well_formed() -> None:
    hostile = '<script>alert(1)</script>&"'
    svg = line_chart_svg({"kind": "line", "title": hostile, "x": {"label": hostile}, "y": {"label": hostile},
                          "series": [{"name": hostile, "points": [[0, 0], [10, 5]]}],
                          "rules": [{"y": 4, "label": hostile}], "markers": [{"x": 3, "label": hostile}]})
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert not root.findall(f".//{SVG}script")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts.count(hostile) == 6  # title, two axis labels, legend, rule, marker: as text, not markup


def test_polyline_follows_the_points() -> None:
    svg = line_chart_svg({"kind": "line", "title": "", "series": [{"name": "a", "points": [[0, 0], [5, 5], [10, 10]]}]})
    [line] = ET.fromstring(svg).iter(f"{SVG}polyline")
    points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    (x0, y0), (x1, y1), (x2, y2) = points
    assert x0 < x1 < x2 and y0 > y1 > y2  # up and to the right on screen
    assert abs((x1 - x0) - (x2 - x1)) < 0.2 and abs((y0 - y1) - (y1 - y2)) < 0.2  # straight


def test_nice_ticks_cover_the_range() -> None:
    for low, high in [(0, 1), (0, 9.2e9), (0, 262144), (3, 7), (0, 1e-3)]:
        ticks = nice_ticks(low, high)
        assert ticks[0] <= low and ticks[-1] >= high and len(ticks) >= 2
