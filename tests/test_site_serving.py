"""Layer 3, serving: the serving page and the serving paragraphs of the MLA, MoE and cost pages print the package's
numbers, and the disclosure section keeps the anchor other pages link to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from calculators import data, run

pytestmark = pytest.mark.site


def text(built_site: Path, page: str) -> str:
    html = (built_site / page / "index.html").read_text()
    assert "{{" not in html and "{%" not in html, page
    return html


def out(calc_id: str, **inputs) -> dict[str, str]:
    result = run(calc_id, inputs)
    assert result["errors"] == []
    return {name: o["text"] for name, o in result["outputs"].items()}


def test_serving_page_is_built_with_its_widgets_and_anchor(built_site: Path) -> None:
    html = text(built_site, "explainers/serving")
    for calc_id in ("serving-cost", "serving-disclosure", "serving-measured"):
        assert f'data-calc="{calc_id}"' in html, calc_id
    assert 'id="deepseeks-disclosure-reproduced"' in html  # the prices page links here
    assert html.count('class="arithmatex"') >= 8
    nav = text(built_site, "explainers/cost")
    assert nav.index("What a token costs to serve") < nav.index("GRPO: RL without a critic")  # after the cost page


def test_serving_page_numbers_come_from_the_package(built_site: Path) -> None:
    html = text(built_site, "explainers/serving")
    one = out("serving-cost", preset="llama-3.1-70b-8xh100", batch_mode="fixed", batch_size=1)
    full = out("serving-cost", preset="llama-3.1-70b-8xh100")
    mla = out("serving-cost", preset="deepseek-v3-day6", batch_mode="max")
    mha = out("serving-cost", preset="deepseek-v3-day6", batch_mode="max", attention="mha")
    gqa = out("serving-cost", preset="deepseek-v3-day6", batch_mode="max", attention="gqa", kv_heads=8)
    ds = out("serving-cost", preset="deepseek-v3-day6")
    for printed in (one["usd_per_mtok_output"], one["per_user_tokens_per_second"], full["usd_per_mtok_output"],
                    full["largest_batch"], mla["usd_per_mtok_output"], mla["largest_batch"], mha["usd_per_mtok_output"],
                    mha["largest_batch"], gqa["usd_per_mtok_output"], ds["moe_compute_bound_batch"],
                    ds["prefill_tokens_per_second_per_gpu"], ds["expert_tokens_per_gpu"]):
        assert printed in html, printed
    # the Llama table row is the package's: batch, step, speeds and cost in order
    row = (rf"<td[^>]*>{re.escape(full['batch'])}</td>\s*<td[^>]*>{re.escape(full['step_ms'])} ms</td>\s*"
           rf"<td[^>]*>{re.escape(full['per_user_tokens_per_second'])}</td>\s*"
           rf"<td[^>]*>{re.escape(full['decode_tokens_per_second_per_gpu'])}</td>\s*"
           rf"<td[^>]*>{re.escape(full['usd_per_mtok_output'])}</td>")
    assert re.search(row, html)


def test_serving_page_reproduces_day6(built_site: Path) -> None:
    html = text(built_site, "explainers/serving")
    day = run("serving-disclosure", {})["outputs"]
    assert "$87,072" in html and "$562,027" in html and "545%" in html
    assert f"${day['revenue_usd']['value']:,.0f}" == "$562,100"
    assert "$562,100" in html
    assert f"${day['revenue_rounding_usd']['value']:,.0f}" in html  # $1,575
    for name in ("prefill_nodes", "decode_nodes", "busy_nodes", "usd_per_mtok_input_at_cost",
                 "usd_per_mtok_output_at_cost", "published_revenue_margin"):
        assert day[name]["text"] in html, name
    for preset in ("deepseek-v3", "deepseek-off-peak", "deepseek-2025-09", "deepseek-2025-09-29"):
        repriced = run("serving-disclosure", {"preset": preset})["outputs"]
        assert repriced["revenue_usd"]["text"] in html and repriced["margin"]["text"] in html, preset
    measured = run("serving-measured", {})["outputs"]
    for name in ("day6_decode_mbu", "day6_decode_mfu", "sglang_decode_mbu", "sglang_decode_mfu", "day6_prefill_mfu",
                 "sglang_usd_per_mtok_output"):
        assert measured[name]["text"] in html, name
    # dollar amounts are text, never TeX
    for span in re.findall(r'<span class="arithmatex">(.*?)</span>', html, re.S):
        assert not any(amount in span for amount in ("87,072", "562,027", "0.20", "2.19")), span


def test_mla_moe_and_cost_pages_price_their_savings(built_site: Path) -> None:
    mla_page = text(built_site, "explainers/mla-kv-cache")
    mla = out("serving-cost", preset="deepseek-v3-day6", batch_mode="max")
    mha = out("serving-cost", preset="deepseek-v3-day6", batch_mode="max", attention="mha")
    assert mla["usd_per_mtok_output"] in mla_page and mha["usd_per_mtok_output"] in mla_page
    assert 'href="../serving/#kv-cache-caps-the-batch"' in mla_page
    moe_page = text(built_site, "explainers/moe")
    v3 = data.models()["deepseek-v3"].config
    node = out("serving-cost", preset="deepseek-v3-8xh200")
    total = run("serving-cost", {"preset": "deepseek-v3-8xh200"})["inputs"]["total_params_billion"]
    dense = out("serving-cost", preset="deepseek-v3-8xh200", experts=0, expert_params_billion=0,
                active_params_billion=total - v3["vocab_size"] * v3["hidden_size"] / 1e9)
    assert node["usd_per_mtok_output"] in moe_page and dense["usd_per_mtok_output"] in moe_page
    assert 'href="../serving/#moe-at-serving"' in moe_page
    cost_page = text(built_site, "explainers/cost")
    serving_column = cost_page[cost_page.index("In serving, per million output tokens"):]
    for printed in (node["usd_per_mtok_output"], dense["usd_per_mtok_output"], mla["usd_per_mtok_output"],
                    mha["usd_per_mtok_output"], out("serving-cost", preset="llama-3.1-70b-8xh100")["usd_per_mtok_output"]):
        assert printed in serving_column, printed


def test_serving_reference_page(built_site: Path) -> None:
    html = text(built_site, "reference/serving")
    for name in ("expected_distinct_experts", "decode_step", "largest_batch", "usd_per_million_tokens",
                 "implied_utilization", "tokens_per_step"):
        assert f"calculators.serving.{name}" in html, name
    assert 'class="arithmatex"' in html
