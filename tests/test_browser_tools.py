"""Layer 4 for the reader tools (issue 13): links that carry inputs, copy as Python and as a command, exports,
reset, "Which inputs matter?", and forms that read well on a phone and by keyboard. Numbers are compared with
CPython's, never with typed text."""

from __future__ import annotations

import csv
import io
import json
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import pytest
from test_browser import LOAD_TIMEOUT_MS, MEASURE_CHARTS, WIDGET_INPUTS, base_url, browser, page  # noqa: F401

from calculators import run
from calculators.sensitivity import sensitivity

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
COST = "explainers/cost/"
KV = "explainers/mla-kv-cache/"
T, BR, F, K = "#calc-training-cost", "#calc-buy-vs-rent", "#calc-full-cost", "#calc-kv-cache"


def settled(page, widget: str) -> None:
    """Python is ready and the widget shows the answer to its newest request (the widget is brought into view:
    Python starts when a widget nears the viewport)."""
    # In one step in the page: Material may swap in a new copy of the page meanwhile (see test_an_edit_survives...).
    page.eval_on_selector(widget, "el => { const r = el.getBoundingClientRect();"
                          " if (r.bottom < 0 || r.top > innerHeight) el.scrollIntoView({ block: 'center' }); }")
    page.wait_for_selector(f'{widget}[data-calc-engine="ready"][data-calc-pending="false"]', timeout=LOAD_TIMEOUT_MS)


def shown(page, widget: str) -> dict[str, tuple[str, float]]:
    """The outputs on screen: name -> (text, value)."""
    return page.eval_on_selector_all(
        f"{widget} tr[data-output]:not([hidden])",
        "rows => Object.fromEntries(rows.map(r => { const c = r.querySelector('.calc-value');"
        " return [r.dataset.output, [c.textContent.trim(), Number(c.dataset.value)]]; }))")


def assert_cpython(page, widget: str, calculator_id: str, inputs: dict) -> dict:
    expected = run(calculator_id, inputs)
    assert expected["errors"] == [], expected["errors"]
    on_screen = shown(page, widget)
    assert set(on_screen) == {n for n, o in expected["outputs"].items() if o["value"] is not None}
    for name, (text, value) in on_screen.items():
        assert (text, value) == (expected["outputs"][name]["text"], expected["outputs"][name]["value"]), name
    return expected


def params(page) -> dict[str, str]:
    return dict(parse_qsl(urlparse(page.url).query))


V3 = {k: v for k, v in run("training-cost", {"preset": "deepseek-v3"})["inputs"].items() if k != "preset"}


def test_a_link_restores_inputs_and_the_numbers_are_cpythons(page) -> None:
    """Two widgets of one calculator (run-bill and r1-bill) do not collide; a widget the link names no input of
    keeps its own."""
    page.goto(page.base + COST + "?training-cost.mfu=0.45&training-cost.usd_per_gpu_hour=3&r1-bill.usd_per_gpu_hour=2.5")
    settled(page, T)
    assert page.input_value(f"{T}-mfu") == "0.45" and page.input_value(f"{T}-usd_per_gpu_hour") == "3"
    assert page.input_value(f"{T}-preset") == "custom"  # MFU and price are the preset's fields, now the reader's
    assert_cpython(page, T, "training-cost", {**V3, "mfu": 0.45, "usd_per_gpu_hour": 3})
    settled(page, "#calc-r1-bill")
    r1 = {k: v for k, v in run("run-bill", {"preset": "deepseek-r1"})["inputs"].items() if k != "preset"}
    assert_cpython(page, "#calc-r1-bill", "run-bill", {**r1, "usd_per_gpu_hour": 2.5})
    assert page.input_value("#calc-run-bill-usd_per_gpu_hour") == "2"  # the other run-bill widget is untouched
    print("restored from the link:", shown(page, T)["cost_usd"][0], shown(page, "#calc-r1-bill")["total_usd"][0])


def test_a_link_with_a_preset_and_an_override(page) -> None:
    page.goto(page.base + KV + "?kv-cache.preset=llama-3.1-405b&kv-cache.context_length=8192")
    settled(page, K)
    assert page.input_value(f"{K}-preset") == "llama-3.1-405b"
    assert page.input_value(f"{K}-layers") == "126" and page.input_value(f"{K}-context_length") == "8192"
    assert_cpython(page, K, "kv-cache", {**WIDGET_INPUTS, "preset": "llama-3.1-405b", "context_length": 8192})


def test_edits_go_into_the_url_and_back_and_forward_bring_them_back(page) -> None:
    page.goto(page.base + KV)
    settled(page, K)
    page.fill(f"{K}-context_length", "65536")
    settled(page, K)
    page.wait_for_function("() => location.search.includes('kv-cache.context_length=65536')")
    assert params(page) == {"kv-cache.context_length": "65536"}  # only what differs from the page's start
    page.evaluate("location.hash = 'the-widget'")  # following an anchor: a new history entry, same page
    page.fill(f"{K}-context_length", "1024")
    page.select_option(f"{K}-preset", "qwen2.5-72b")
    settled(page, K)
    page.wait_for_function("() => location.search.includes('kv-cache.preset=qwen2.5-72b')")
    assert params(page) == {"kv-cache.context_length": "1024", "kv-cache.preset": "qwen2.5-72b"}
    page.go_back()
    page.wait_for_function("(sel) => document.querySelector(sel).value === '65536'", arg=f"{K}-context_length")
    settled(page, K)
    assert page.input_value(f"{K}-preset") == "deepseek-v3"
    assert_cpython(page, K, "kv-cache", {**WIDGET_INPUTS, "context_length": 65536})
    page.go_forward()
    page.wait_for_function("(sel) => document.querySelector(sel).value === '1024'", arg=f"{K}-context_length")
    settled(page, K)
    assert page.input_value(f"{K}-preset") == "qwen2.5-72b"
    assert_cpython(page, K, "kv-cache", {**WIDGET_INPUTS, "preset": "qwen2.5-72b", "context_length": 1024})


# Material draws the page again the first time an anchor is followed after a load (it fetches the same page). Here
# the swap is done in the page in one step, while an edit's URL write waits, so that it happens every time.
REDRAW = """async ([widget, field, values]) => {
  const fresh = await (await fetch(location.href)).text();  // what Material fetches
  const old = document.querySelector(widget);
  const control = document.querySelector(field);
  for (const value of values) {  // the first edit's write goes out at once, the next waits (one per 200 ms)
    control.value = value;
    control.dispatchEvent(new Event("input", { bubbles: true }));
  }
  const next = new DOMParser().parseFromString(fresh, "text/html").querySelector("[data-md-component=container]");
  document.querySelector("[data-md-component=container]").replaceWith(document.importNode(next, true));
  window.document$.next(document);  // as Material does after a swap
  return { replaced: document.querySelector(widget) !== old, value: document.querySelector(field).value };
}"""


def test_an_edit_survives_material_drawing_the_page_again(page) -> None:
    """And what the reader opened stays open: the formulas, and "Which inputs matter?" with its chosen range."""
    page.goto(page.base + KV)
    settled(page, K)
    page.click(f"{K} .calc-formulas > summary")
    page.click(f'{K} [data-calc-action="sensitivity"]')
    page.select_option(f"{K} .calc-sensitivity-range", "25")
    swap = page.evaluate(REDRAW, [K, f"{K}-context_length", ["1024", "2048"]])
    assert swap["replaced"]
    page.wait_for_function("(sel) => document.querySelector(sel).value === '2048'", arg=f"{K}-context_length")
    assert params(page) == {"kv-cache.context_length": "2048"}  # the URL has the edit that was waiting
    settled(page, K)
    assert_cpython(page, K, "kv-cache", {**WIDGET_INPUTS, "context_length": 2048})
    assert page.evaluate(f"document.querySelector('{K} .calc-formulas').open")
    page.wait_for_selector(f"{K} .calc-formulas .calc-tex[data-rendered]")
    page.wait_for_selector(f'{K} .calc-sensitivity[data-calc-pending="false"]:not([hidden])', timeout=LOAD_TIMEOUT_MS)
    assert page.input_value(f"{K} .calc-sensitivity-range") == "25"
    assert page.get_attribute(f'{K} [data-calc-action="sensitivity"]', "aria-expanded") == "true"
    assert not page.evaluate(f"document.querySelector('{K} .calc-advanced').open")  # closed stays closed


def test_a_pasted_config_survives_material_drawing_the_page_again(page) -> None:
    """A config that fills the model's fields is deflated before it goes into the URL: it is still on its way when
    the page is swapped."""
    from calculators import data

    D = "#calc-moe-design"
    mixtral = json.dumps(data.models()["mixtral-8x7b"].config)
    page.goto(page.base + "explainers/moe/")
    settled(page, D)
    swap = page.evaluate(REDRAW, [D, f"{D}-config", [mixtral]])
    assert swap["replaced"]
    page.wait_for_function("() => new URLSearchParams(location.search).get('moe-design.config')?.startsWith('z.')")
    settled(page, D)
    assert json.loads(page.input_value(f"{D}-config")) == json.loads(mixtral)
    assert page.input_value(f"{D}-preset") == "custom"
    assert page.text_content(f"{D} .calc-config-state") == "Your config loaded (MixtralForCausalLM)"
    assert_cpython(page, D, "moe-design", {"config": mixtral})


def test_a_tampered_link_gets_messages_not_a_broken_page(page) -> None:
    tampered = ("?kv-cache.context_length=abc&kv-cache.bogus=1&kv-cache.attention=xyz&kv-cache.preset=nope"
                "&kv-cache.config=z.%25%25%25&kv-cache.layers=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
                "&other-widget.x=1")
    page.goto(page.base + KV + tampered)
    page.locator(K).scroll_into_view_if_needed()  # Python starts near a widget
    page.wait_for_selector(f'{K}[data-calc-engine="ready"][data-calc-state="error"]', timeout=LOAD_TIMEOUT_MS)
    assert page.text_content(f"{K}-context_length-error") == "“abc” is not a number."
    assert page.get_attribute(f"{K}-context_length", "aria-invalid") == "true"
    assert page.text_content(f"{K}-layers-error") == "“<img src=x onerror=alert(1)>” is not a number."
    assert page.locator(f"{K} img").count() == 0  # a link's text never becomes HTML
    note = page.text_content(f"{K} .calc-link-note")
    for says in ("“bogus” is not an input", "“xyz” is not a choice for Attention", "no preset “nope”",
                 "the config in the link could not be read"):
        assert says in note, (says, note)
    assert "calc-stale" in page.get_attribute(f"{K} .calc-outputs", "class")
    # the reader fixes the fields: numbers come back, the page never broke
    page.fill(f"{K}-context_length", "4096")
    page.fill(f"{K}-layers", "61")
    settled(page, K)
    assert page.get_attribute(K, "data-calc-state") == "live"
    assert_cpython(page, K, "kv-cache", {**WIDGET_INPUTS, "context_length": 4096})


def test_copy_as_python_and_as_a_command_run_in_cpython_give_the_numbers_on_screen(page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base.rstrip("/"))
    page.goto(page.base + COST)
    settled(page, T)
    page.select_option(f"{T}-accelerator", "h100")
    page.fill(f"{T}-mfu", "0.45")
    page.fill(f"{T}-usd_per_gpu_hour", "2.5")
    settled(page, T)
    on_screen = shown(page, T)
    labels = dict(page.eval_on_selector_all(f"{T} tr[data-output]:not([hidden])",
                                            "rows => rows.map(r => [r.dataset.output, r.querySelector('th').textContent.trim()])"))
    snippets = {}
    for action, status in (("python", "Copied: Python"), ("command", "Copied: a command")):
        page.click(f'{T} [data-calc-action="{action}"]')
        page.wait_for_function("([sel, s]) => document.querySelector(sel).textContent.startsWith(s)",
                               arg=[f"{T} .calc-tool-status", status], timeout=20_000)
        snippets[action] = page.text_content(f"{T} .calc-snippet code")
        assert page.evaluate("navigator.clipboard.readText()") == snippets[action]
    print("copied command:", snippets["command"])
    assert snippets["command"] == ("python -m calculators run training-cost --preset deepseek-v3 accelerator=h100 "
                                   "mfu=0.45 usd_per_gpu_hour=2.5")
    printed = subprocess.run([sys.executable, "-c", snippets["python"]], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.splitlines()
    for name, (text, _) in on_screen.items():
        assert f"{labels[name]}: {text}" in printed, name
    words = shlex.split(snippets["command"])
    answer = subprocess.run([sys.executable, *words[1:], "--json"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    values = {n: o["value"] for n, o in json.loads(answer)["outputs"].items()}
    assert {n: v for n, (_, v) in on_screen.items()} == {n: values[n] for n in on_screen}


def test_csv_json_and_svg_exports_parse_and_match(page) -> None:
    page.goto(page.base + COST)
    settled(page, BR)
    page.fill(f"{BR}-utilization", "0.6")
    settled(page, BR)
    expected = run("buy-vs-rent", {"preset": "h100-vs-2usd", "utilization": 0.6})
    with page.expect_download() as download:
        page.click(f'{BR} [data-calc-action="json"]')
    record = json.loads(Path(download.value.path()).read_text())
    assert download.value.suggested_filename == "buy-vs-rent.json"
    assert record["calculator"] == "buy-vs-rent" and record["inputs"]["utilization"] == "0.6"
    assert "buy-vs-rent.utilization=0.6" in record["link"]
    assert {n: o["value"] for n, o in record["outputs"].items()} == \
        {n: o["value"] for n, o in expected["outputs"].items() if o["value"] is not None}
    assert [n for n in record["outputs"]] == [n for n, o in expected["outputs"].items() if o["value"] is not None]
    assert record["tables"] == [{k: t[k] for k in ("title", "columns", "rows")} for t in expected["tables"]]
    with page.expect_download() as download:
        page.click(f'{BR} [data-calc-action="csv"]')
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0] == ["output", "label", "value", "unit", "text"]
    outputs = [(n, o) for n, o in expected["outputs"].items() if o["value"] is not None]
    for row, (name, o) in zip(rows[1:], outputs):
        assert row[:2] == [name, o["label"]] and float(row[2]) == o["value"] and row[3:] == [o["unit"], o["text"]]
    table = expected["tables"][0]
    start = 1 + len(outputs)
    assert rows[start:start + 3 + len(table["rows"])] == [[], [table["title"]], table["columns"], *table["rows"]]
    with page.expect_download() as download:
        page.click(f'{BR} [data-calc-action="svg"][data-chart="0"]')
    svg = ET.fromstring(Path(download.value.path()).read_text())
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("width")
    lines = [e for e in svg.iter() if e.tag.endswith("polyline")]
    assert len(lines) >= 2 and all("stroke:" in e.get("style", "") for e in lines)  # standalone: styled inline


def test_reset_restores_the_preset_and_clears_the_link(page) -> None:
    page.goto(page.base + KV)
    settled(page, K)
    start = page.eval_on_selector_all(f"{K} [name]", "cs => cs.map(c => [c.name, c.value])")
    page.select_option(f"{K}-preset", "llama-3.1-405b")
    page.fill(f"{K}-batch_size", "4")
    settled(page, K)
    assert page.input_value(f"{K}-layers") == "126"
    page.wait_for_function("() => location.search.includes('kv-cache.')")
    page.click(f'{K} [data-calc-action="reset"]')
    settled(page, K)
    assert page.eval_on_selector_all(f"{K} [name]", "cs => cs.map(c => [c.name, c.value])") == start
    assert page.input_value(f"{K}-preset") == "deepseek-v3"
    assert_cpython(page, K, "kv-cache", WIDGET_INPUTS)
    assert not any(key.startswith("kv-cache.") for key in params(page))


@pytest.mark.parametrize(("path", "widget", "calculator_id", "preset"), [
    (COST, T, "training-cost", "deepseek-v3"), (COST, BR, "buy-vs-rent", "h100-vs-2usd"),
    (COST, F, "full-cost", "semianalysis-fleet"),
    ("explainers/serving/", "#calc-serving-cost", "serving-cost", "deepseek-v3-day6"),
])
def test_which_inputs_matter_equals_cpython_and_draws_the_tornado(page, path, widget, calculator_id, preset) -> None:
    page.goto(page.base + path)
    settled(page, widget)
    page.click(f'{widget} [data-calc-action="sensitivity"]')
    panel = f"{widget} .calc-sensitivity"
    checks = [({}, {}), ({"output": None, "range": "25"}, {"ranges": False, "percent": 25})]
    for choose, options in checks:
        if choose:
            other = page.eval_on_selector(f"{panel} .calc-sensitivity-output",
                                          "s => [...s.options].map(o => o.value).find(v => v !== s.value)")
            page.select_option(f"{panel} .calc-sensitivity-output", other)
            page.select_option(f"{panel} .calc-sensitivity-range", choose["range"])
            options = {**options, "output": other}
        page.wait_for_selector(f'{panel}[data-calc-pending="false"]:not([hidden])', timeout=LOAD_TIMEOUT_MS)
        expected = sensitivity(calculator_id, {"preset": preset}, **options)
        if expected["errors"]:  # an output with no value for these inputs: the panel says so
            assert expected["errors"][0]["message"] in page.text_content(f"{panel} .calc-sensitivity-status")
            continue
        rows = page.eval_on_selector_all(
            f"{panel} tbody tr", "rows => rows.map(r => [r.dataset.field, ...[...r.querySelectorAll('td')].slice(0, 4)"
                                 ".map(td => td.dataset.value === '' ? null : Number(td.dataset.value))])")
        assert rows == [[b["field"], b["low_input"], b["high_input"], b["low"], b["high"]] for b in expected["bars"]]
        if expected["chart"]:
            rects = page.eval_on_selector_all(f"{panel} .calc-sensitivity-chart svg.calc-chart-svg--wide rect",
                                              "rs => rs.map(r => [r.getAttribute('width'), r.getAttribute('height')])")
            assert rects and all(f'width="{w}" height="{h}"' in expected["chart"]["svg"] for w, h in rects)
            assert page.is_visible(f"{panel} .calc-sensitivity-chart svg.calc-chart-svg--wide")
        print(f"{calculator_id} {options or 'default'}: {len(rows)} inputs, largest swing "
              f"{expected['bars'][0]['label']}: {page.text_content(f'{panel} .calc-sensitivity-status')}")


PAGES = ["explainers/mla-kv-cache/", "explainers/moe/", "explainers/cost/", "explainers/grpo/", "explainers/api-prices/",
         "explainers/serving/"]
OVERFLOW = """() => {
  const out = {page: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
               viewport: document.documentElement.clientWidth, wide: []};
  for (const w of document.querySelectorAll('.calc')) {
    if (w.scrollWidth > w.clientWidth + 1) out.wide.push(w.id + ' ' + w.scrollWidth + '>' + w.clientWidth);
    for (const box of w.querySelectorAll('.calc-table-wrap, .calc-tex, .calc-snippet pre')) {
      if (box.getBoundingClientRect().right > w.getBoundingClientRect().right + 1) out.wide.push(w.id + ' ' + box.className);
    }
  }
  return out;
}"""


def test_at_390px_no_page_scrolls_sideways_and_chart_text_is_legible_with_every_tool_open(page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    for path in PAGES:
        page.goto(page.base + path)
        first = page.get_attribute(".calc", "id")
        settled(page, f"#{first}")
        page.evaluate("""() => { for (const d of document.querySelectorAll('.calc details')) d.open = true; }""")
        for button in page.query_selector_all('.calc [data-calc-action="sensitivity"]'):
            button.click()
        page.click(f'#{first} [data-calc-action="command"]')
        page.wait_for_function("(sel) => document.querySelector(sel).textContent.length > 10",
                               arg=f"#{first} .calc-snippet code", timeout=20_000)
        page.wait_for_function("() => [...document.querySelectorAll('.calc-sensitivity')].every("
                               "s => s.dataset.calcPending === 'false')", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_timeout(300)
        m = page.evaluate(OVERFLOW)
        print(f"390 px, {path}: page {m['page']} px wide for a {m['viewport']} px viewport, {m['wide'] or 'no'} overflow")
        assert m["page"] <= 390 and not m["wide"], (path, m)
        charts = page.evaluate(MEASURE_CHARTS.replace('"figure.calc-chart"', '"figure.calc-chart, figure.calc-sensitivity-chart"'))
        assert charts["charts"] >= 1 and charts["minPx"] >= 11 and not charts["problems"], (path, charts)
        print(f"    charts with the tornadoes: {charts['charts']}, text {charts['minPx']:.2f} to {charts['maxPx']:.2f} px")


def test_every_tool_works_by_keyboard_with_a_visible_focus_ring(page) -> None:
    page.goto(page.base + KV)
    settled(page, K)
    page.focus(f'{K} [data-calc-action="link"]')
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # Copy as Python, then Copy as a command
    focused = page.evaluate("() => document.activeElement.dataset.calcAction")
    assert focused == "command"
    ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                         " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] != "none" and ring[1] >= 2, ring
    for _ in range(3):
        page.keyboard.press("Tab")  # CSV, JSON, Which inputs matter?
    assert page.evaluate("() => document.activeElement.dataset.calcAction") == "sensitivity"
    page.keyboard.press("Enter")
    page.wait_for_selector(f'{K} .calc-sensitivity[data-calc-pending="false"]:not([hidden])', timeout=LOAD_TIMEOUT_MS)
    assert page.get_attribute(f'{K} [data-calc-action="sensitivity"]', "aria-expanded") == "true"
    page.focus(f"{K} .calc-formulas > summary")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{K} .calc-tex[data-rendered] .katex", timeout=10_000)  # KaTeX drew the formula
    assert "70{,}272" in page.text_content(f"{K} .calc-tex annotation")
    page.focus(f"{K} .calc-advanced > summary")
    page.keyboard.press("Enter")
    assert page.is_visible(f"{K}-window_layers")


def test_status_colours_and_stale_outputs_while_an_edit_waits(page) -> None:
    page.route("**/pyodide.asm.wasm", lambda route: (page.wait_for_timeout(2500), route.continue_()))
    page.goto(page.base + KV)
    page.fill(f"{K}-context_length", "2048")  # before Python is ready: the edit waits, visibly
    page.wait_for_timeout(400)
    assert page.get_attribute(K, "data-calc-pending") == "true"
    assert float(page.eval_on_selector(f"{K} .calc-results", "e => getComputedStyle(e).opacity")) < 0.7
    assert page.get_attribute(f"{K} .calc-results", "aria-busy") == "true"
    settled(page, K)
    page.wait_for_timeout(400)
    assert float(page.eval_on_selector(f"{K} .calc-results", "e => getComputedStyle(e).opacity")) == 1
    colour = "(sel) => getComputedStyle(document.querySelector(sel)).color"
    live = page.evaluate(colour, f"{K} .calc-status")
    page.fill(f"{K}-context_length", "abc")
    page.wait_for_selector(f'{K}[data-calc-state="error"]', timeout=10_000)
    error = page.evaluate(colour, f"{K} .calc-status")
    field_error = page.evaluate(colour, f"{K}-context_length-error")
    assert error != live and error == field_error, (live, error)
