"""Layer 4, serving: the serving widgets recompute in Chromium, refuse bad input at the field while the last good
results stay, and model an accelerator the catalog does not have."""

from __future__ import annotations

import pytest

from calculators import run
from test_browser import LOAD_TIMEOUT_MS, base_url, browser, page, wait_widget_output, widget_output  # noqa: F401

pytestmark = pytest.mark.browser

PAGE = "explainers/serving/"
S = "#calc-serving-cost"
D = "#calc-serving-disclosure"
PRESET = {"preset": "deepseek-v3-day6"}


def open_serving(page, widget: str = S) -> None:
    page.goto(page.base + PAGE)
    page.locator(widget).scroll_into_view_if_needed()  # Python starts near a widget
    page.wait_for_selector(f'{widget}[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)


def expected(inputs: dict, name: str) -> str:
    result = run("serving-cost", {**PRESET, **inputs})
    assert result["errors"] == [], result["errors"]
    return result["outputs"][name]["text"]


def wait_error(page, name: str, says: str) -> None:
    page.wait_for_function("([sel, says]) => document.querySelector(sel)?.textContent.includes(says)",
                           arg=[f"{S}-{name}-error", says], timeout=10_000)


def test_serving_widget_recomputes_with_its_frontier(page) -> None:
    page.goto(page.base + PAGE)
    assert widget_output(page, S, "usd_per_mtok_output") == expected({}, "usd_per_mtok_output")  # prerendered
    page.locator(S).scroll_into_view_if_needed()  # Python starts near a widget
    page.wait_for_selector(f'{S}[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)
    page.fill(f"{S}-batch_size", "9216")
    wait_widget_output(page, S, "per_user_tokens_per_second", expected({"batch_size": 9216}, "per_user_tokens_per_second"))
    assert widget_output(page, S, "usd_per_mtok_output") == expected({"batch_size": 9216}, "usd_per_mtok_output")
    chart = run("serving-cost", {**PRESET, "batch_size": 9216})["charts"][0]
    for drawing in ("wide", "narrow"):  # both drawings, live, are CPython's
        drawn = page.eval_on_selector_all(f"{S} .calc-chart svg.calc-chart-svg--{drawing} polyline",
                                          "lines => lines.map(l => l.getAttribute('points'))")
        svg = chart["svg" if drawing == "wide" else "svg_narrow"]
        assert drawn and all(f'points="{points}"' in svg for points in drawn), drawing
    assert "B = 9,216" in page.text_content(f"{S} .calc-chart")  # the chosen batch, marked
    assert "Memory full: B = 20,304" in page.text_content(f"{S} .calc-chart")
    page.select_option(f"{S}-batch_mode", "max")
    assert page.is_hidden(f'{S} [data-field="batch_size"]')
    wait_widget_output(page, S, "batch", expected({"batch_mode": "max"}, "largest_batch"))


BAD = [
    ("batch_size", "0", "Must be at least 1."),
    ("mbu", "1.5", "Must be at most 1."),
    ("mfu", "2", "Must be at most 1."),
    ("prompt_tokens", "200000", "exceed the model's context window of 163,840 tokens"),
    ("gpus", "8", "The model does not fit"),
    ("batch_size", "<img src=x onerror=alert(1)>", "is not a number."),
]


def test_serving_widget_refuses_bad_input_and_keeps_the_last_good_results(page) -> None:
    open_serving(page)
    good = widget_output(page, S, "usd_per_mtok_output")
    for name, bad, says in BAD:
        page.fill(f"{S}-{name}", bad)
        wait_error(page, name, says)
        assert page.get_attribute(f"{S}-{name}", "aria-invalid") == "true"
        assert "calc-stale" in page.get_attribute(f"{S} .calc-outputs", "class")
        assert widget_output(page, S, "usd_per_mtok_output") == good
        assert page.locator(f"{S} img").count() == 0
        page.fill(f"{S}-{name}", str(run("serving-cost", PRESET)["inputs"][name]))
        page.wait_for_selector(f"{S}-{name}-error[hidden]", state="attached", timeout=10_000)
    assert "calc-stale" not in page.get_attribute(f"{S} .calc-outputs", "class")
    # the other widgets on the page keep working
    page.locator(D).scroll_into_view_if_needed()  # Python starts near a widget
    page.wait_for_selector(f'{D}[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)
    page.select_option(f"{D}-preset", "deepseek-v3")
    wait_widget_output(page, D, "revenue_usd",
                       run("serving-disclosure", {"preset": "deepseek-v3"})["outputs"]["revenue_usd"]["text"])


def test_a_custom_accelerator_works(page) -> None:
    open_serving(page)
    assert page.is_hidden(f'{S} [data-field="peak_tflops"]')
    page.select_option(f"{S}-accelerator", "custom")
    assert page.is_visible(f'{S} [data-field="bandwidth_tb_s"]')
    assert page.is_hidden(f'{S} [data-field="precision"]')
    custom = {"accelerator": "custom", "peak_tflops": "3000", "attention_tflops": "1500", "bandwidth_tb_s": "6",
              "memory_gb": "144"}
    for name in ("peak_tflops", "attention_tflops", "bandwidth_tb_s", "memory_gb"):
        page.fill(f"{S}-{name}", custom[name])
    wait_widget_output(page, S, "usd_per_mtok_output", expected(custom, "usd_per_mtok_output"))
    for name in ("step_ms", "largest_batch", "prefill_tokens_per_second_per_gpu", "weight_bytes_per_gpu"):
        assert widget_output(page, S, name) == expected(custom, name), name
    page.fill(f"{S}-bandwidth_tb_s", "0")
    wait_error(page, "bandwidth_tb_s", "Must be greater than 0.")
    assert widget_output(page, S, "usd_per_mtok_output") == expected(custom, "usd_per_mtok_output")
    page.fill(f"{S}-bandwidth_tb_s", "12")
    wait_widget_output(page, S, "step_weights_ms", expected({**custom, "bandwidth_tb_s": "12"}, "step_weights_ms"))


@pytest.mark.parametrize("path", [PAGE, "explainers/cost/", "explainers/mla-kv-cache/", "explainers/moe/"])
def test_no_sideways_scroll_at_390_px(browser, base_url, path: str) -> None:  # noqa: F811
    """The serving page and the pages that gained serving numbers read at 390 px: wide tables and formulas scroll in
    their own boxes, the page does not."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        tab = context.new_page()
        tab.goto(base_url + path)
        tab.wait_for_selector(".calc", timeout=LOAD_TIMEOUT_MS)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
