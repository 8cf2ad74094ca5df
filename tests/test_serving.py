"""Serving: DeepSeek's Day-6 figures and SGLang's "$0.20" reproduced, the formulas by hand and as properties, the
measured-against-modelled efficiencies, and the serving calculators' answers to bad input."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import api_pricing, data, get_calculator, pricing, run, serving
from calculators.catalog.serving_cost import from_config, model_inputs, served_model
from calculators.catalog.serving_disclosure import point_prices
from calculators.model_config import architecture_from_json

DAY6 = data.serving().disclosures["deepseek-day6"]
R1 = point_prices(DAY6.price_point)
H800 = serving.Hardware(peak_flops_per_second=1978.9e12, memory_bandwidth_bytes_per_s=3.35e12, memory_bytes=80e9,
                        attention_flops_per_second=989.4e12)
V3 = served_model(model_inputs("deepseek-v3"))


def outputs(calc_id: str, inputs: dict) -> dict[str, float]:
    result = run(calc_id, inputs)
    assert result["errors"] == [], result["errors"]
    return {name: out["value"] for name, out in result["outputs"].items()}


def errors(calc_id: str, inputs: dict) -> dict[str | None, str]:
    result = run(calc_id, inputs)
    assert result["outputs"] == {}
    return {e["field"]: e["message"] for e in result["errors"]}


# --- DeepSeek, "Day 6: One More Thing", github.com/deepseek-ai/open-infra-index (2025-03-01), section "Statistics
# of DeepSeek's Online Service". Every published number is read from data/serving.toml; tolerances are stated.


def test_day6_daily_cost_is_exactly_87072() -> None:
    """226.75 nodes x 8 H800 x 24 h x $2 = $87,072, to the dollar."""
    cost = pricing.rental_cost_usd(gpu_hours=DAY6.nodes_average * DAY6.gpus_per_node * DAY6.hours,
                                   usd_per_gpu_hour=DAY6.usd_per_gpu_hour)
    assert cost == DAY6.daily_cost_usd == 87_072
    assert outputs("serving-disclosure", {"preset": "deepseek-r1"})["daily_cost_usd"] == 87_072


def test_day6_revenue_published_against_recomputed_from_the_rounded_token_counts() -> None:
    """The printed counts (342B hit, 266B miss, 168B out) at R1's prices give $562,100; DeepSeek prints $562,027.
    The $73 gap is the rounding of the counts to the billion: it lies within the +-$1,575 that rounding allows."""
    recomputed = api_pricing.token_classes_cost(
        hit_tokens=DAY6.cache_hit_tokens, miss_tokens=DAY6.input_tokens - DAY6.cache_hit_tokens,
        output_tokens=DAY6.output_tokens, input_cache_hit_per_mtok=R1.input_cache_hit,
        input_cache_miss_per_mtok=R1.input_cache_miss, output_per_mtok=R1.output).total
    assert recomputed == pytest.approx(562_100, abs=1e-6)
    assert DAY6.theoretical_revenue_usd == 562_027
    gap = recomputed - DAY6.theoretical_revenue_usd
    assert gap == pytest.approx(73, abs=1e-6)
    out = outputs("serving-disclosure", {"preset": "deepseek-r1"})
    assert out["revenue_usd"] == pytest.approx(recomputed)
    assert out["published_revenue_usd"] == 562_027
    assert out["revenue_rounding_usd"] == pytest.approx(0.5e9 * (0.55 - 0.14 + 0.55 + 2.19) / 1e6)  # $1,575
    assert 0 < abs(gap) <= out["revenue_rounding_usd"]


def test_day6_545_percent_cost_profit_margin() -> None:
    margin = serving.cost_profit_margin(revenue_usd=DAY6.theoretical_revenue_usd, cost_usd=DAY6.daily_cost_usd)
    assert round(margin * 100) == 545 == round(DAY6.cost_profit_margin * 100)
    assert margin == pytest.approx(5.4547, abs=5e-5)
    assert outputs("serving-disclosure", {"preset": "deepseek-r1"})["published_revenue_margin"] == pytest.approx(margin)


def test_day6_cache_hit_share_rounds_to_the_printed_56_3_percent() -> None:
    assert round(DAY6.cache_hit_tokens / DAY6.input_tokens * 100, 1) == pytest.approx(56.2)  # 56.25 exactly
    assert abs(DAY6.cache_hit_tokens / DAY6.input_tokens - DAY6.cache_hit_share) <= 0.0005 + 1e-12


def test_day6_node_balance_within_half_a_percent() -> None:
    """Input over the prefill throughput plus output over the decode throughput, in node-days: 95.5 + 131.4 =
    226.9 against the 226.75 average nodes (tolerance 0.5%)."""
    prefill = serving.average_busy_nodes(tokens=DAY6.input_tokens,
                                         tokens_per_second_per_node=DAY6.prefill_tokens_per_second_per_node)
    decode = serving.average_busy_nodes(tokens=DAY6.output_tokens,
                                        tokens_per_second_per_node=DAY6.decode_tokens_per_second_per_node)
    assert prefill == pytest.approx(95.48, abs=0.005)
    assert decode == pytest.approx(131.38, abs=0.005)
    assert abs((prefill + decode) / DAY6.nodes_average - 1) < 0.005
    out = outputs("serving-disclosure", {})
    assert out["busy_nodes"] == pytest.approx(prefill + decode)
    assert abs(out["node_balance_percent"]) < 0.5


def test_day6_cost_per_million_tokens_at_2_dollars() -> None:
    out = outputs("serving-disclosure", {})
    assert out["usd_per_mtok_input_at_cost"] == pytest.approx(16 / (73_700 * 3600) * 1e6)  # $0.0603
    assert out["usd_per_mtok_output_at_cost"] == pytest.approx(0.3003, abs=5e-5)
    assert out["usd_per_mtok_output_all_in"] == pytest.approx(87_072 / 168_000, abs=1e-9)  # $0.518
    assert out["sequences_per_node"] == pytest.approx(14_800 / 21)


@pytest.mark.parametrize(("preset", "revenue"), [
    ("deepseek-v3", 342e3 * 0.07 + 266e3 * 0.27 + 168e3 * 1.10),       # $280,560
    ("deepseek-off-peak", 342e3 * 0.035 + 266e3 * 0.135 + 168e3 * 0.55),  # $140,280
    ("deepseek-2025-09", 342e3 * 0.07 + 266e3 * 0.56 + 168e3 * 1.68),  # $455,140
    ("deepseek-2025-09-29", 342e3 * 0.028 + 266e3 * 0.28 + 168e3 * 0.42),  # $154,616
])
def test_day6_re_priced(preset: str, revenue: float) -> None:
    out = outputs("serving-disclosure", {"preset": preset})
    assert out["revenue_usd"] == pytest.approx(revenue)
    assert out["margin"] == pytest.approx((revenue - 87_072) / 87_072)


def test_re_pricing_reads_each_price_once_from_the_api_price_lists() -> None:
    """serving.toml holds no price: each re-pricing is a model and an instant, looked up in api_prices.toml (issue 12's
    dated lists), and the day's published R1 prices are the list DeepSeek-reasoner had in the day's standard hours."""
    raw = tomllib.loads((Path(data.data_dir()) / "serving.toml").read_text())
    assert "price_list" not in raw
    assert not [key for records in raw.values() for record in records.values() for key in record
                if "usd_per_mtok" in key]
    expected = {"deepseek-r1": "deepseek-reasoner.r1-standard.usd", "deepseek-v3": "deepseek-chat.v3-standard.usd",
                "deepseek-off-peak": "deepseek-chat.v3-offpeak.usd", "deepseek-2025-09": "deepseek-chat.v3.1.usd",
                "deepseek-2025-09-29": "deepseek-chat.v3.2.usd"}
    assert {key: point_prices(key).key for key in data.serving().price_points} == expected
    assert (R1.input_cache_hit, R1.input_cache_miss, R1.output) == (0.14, 0.55, 2.19)  # Day 6: "R1 Pricing"
    presets = get_calculator("serving-disclosure").presets()
    for key, list_key in expected.items():
        prices = next(p for p in data.api_prices() if p.key == list_key)
        assert presets[key][1] == {"usd_per_mtok_hit": prices.input_cache_hit,
                                   "usd_per_mtok_miss": prices.input_cache_miss, "usd_per_mtok_output": prices.output}


def test_day6_fleet_held_at_its_peak() -> None:
    out = outputs("serving-disclosure", {"fleet_basis": "peak"})
    assert out["daily_cost_usd"] == 278 * 8 * 24 * 2 == 106_752


def test_day6_reproduction_table() -> None:
    rows = run("serving-disclosure", {})["tables"][0]["rows"]
    assert rows[0][1:3] == ["$87,072", "$87,072"]
    assert rows[2][1:3] == ["$562,027", "$562,100"]
    assert rows[3][1] == "545%"


# --- SGLang, LMSYS blog 2025-05-05: "$0.20/1M output tokens" (no derivation shown) ----------------------------


def test_sglang_020_per_million_output_tokens_reconstructed() -> None:
    """8 H100 at $2 per GPU-hour over 22.3k output tokens/s per decode node: $0.199 -> "$0.20". A reconstruction:
    the decode nodes alone, prefill not counted."""
    headline = serving.usd_per_million_tokens(usd_per_gpu_hour=2, gpus=8, tokens_per_second=22_300)
    assert round(headline, 2) == 0.20
    out = outputs("serving-measured", {})
    assert out["sglang_usd_per_mtok_output"] == pytest.approx(16 / (22_282 * 3600) * 1e6)
    assert round(out["sglang_usd_per_mtok_output"], 2) == out["sglang_usd_per_mtok_output_published"] == 0.20


# --- Measured against modelled ------------------------------------------------------------------------------


def test_implied_efficiencies_of_both_deployments() -> None:
    """Both deployments run at a fraction of the roofline: measured = roofline x the larger implied efficiency."""
    out = outputs("serving-measured", {})
    for name, measured in (("day6_decode", 14_800), ("sglang_decode", 22_282)):
        mbu, mfu, roofline = out[f"{name}_mbu"], out[f"{name}_mfu"], out[f"{name}_roofline"]
        assert 0.05 < mbu < 0.6 and 0.05 < mfu < 0.6, name
        assert roofline * max(mbu, mfu) == pytest.approx(measured, rel=1e-9), name
    assert out["day6_decode_batch_per_gpu"] == pytest.approx(14_800 / 8 / 21)
    # DeepSeek's prefill: only the uncached 43.75% of the 73.7k was computed
    assert out["day6_prefill_computed"] == pytest.approx(73_700 * (1 - 342 / 608))
    for name in ("day6_prefill_mfu", "sglang_prefill_1k_mfu", "sglang_prefill_4k_mfu"):
        assert 0.1 < out[name] < 0.5, name
    # SGLang's step time follows from 256 sequences per GPU at 22,282 tokens/s per node: about 92 ms, as its post's
    # "inter-token latency ~100 ms"
    assert out["sglang_decode_step_ms"] == pytest.approx(256 * 8 / 22_282 * 1000)


def test_implied_mbu_scales_with_the_assumed_mtp_acceptance() -> None:
    with_mtp = outputs("serving-measured", {"mtp_acceptance": 0.85})
    without = outputs("serving-measured", {"mtp_acceptance": 0})
    assert without["day6_decode_mbu"] / with_mtp["day6_decode_mbu"] == pytest.approx(1.85, rel=1e-6)


def test_measured_table_has_the_six_rows() -> None:
    table = run("serving-measured", {})["tables"][0]
    assert len(table["rows"]) == 6
    assert table["rows"][1][1] == "22,282" and table["rows"][0][1] == "14,800"


# --- Formulas by hand ----------------------------------------------------------------------------------------


def test_distinct_experts_limits() -> None:
    assert serving.expected_distinct_experts(experts=256, experts_per_token=8, tokens=1) == pytest.approx(8)
    assert serving.expected_distinct_experts(experts=256, experts_per_token=8, tokens=1e6) == pytest.approx(256)
    assert serving.expected_distinct_experts(experts=8, experts_per_token=8, tokens=3) == 8
    # two tokens: 2k minus the expected overlap k^2/E
    assert serving.expected_distinct_experts(experts=256, experts_per_token=8, tokens=2) == pytest.approx(16 - 64 / 256)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 1024), st.integers(1, 64), st.floats(1, 1e6))
def test_distinct_experts_between_k_and_min_of_e_and_kb(experts: int, k: int, tokens: float) -> None:
    k = min(k, experts)
    touched = serving.expected_distinct_experts(experts=experts, experts_per_token=k, tokens=tokens)
    assert k * (1 - 1e-9) <= touched <= min(experts, k * tokens) * (1 + 1e-9)
    assert touched <= serving.expected_distinct_experts(experts=experts, experts_per_token=k, tokens=tokens + 1) + 1e-9


def test_compute_bound_batch_reproduces_the_scaling_book() -> None:
    """jax-ml scaling book, 'All about Transformer inference': TPU v5e 1.97e14 BF16 FLOP/s over 8.2e11 B/s = 240 with
    BF16 weights, 120 with int8 weights and BF16 arithmetic, 240 again with int8 arithmetic (3.94e14)."""
    assert round(serving.compute_bound_batch(peak_flops_per_second=1.97e14, memory_bandwidth_bytes_per_s=8.2e11,
                                             bytes_per_param=2)) == 240
    assert round(serving.compute_bound_batch(peak_flops_per_second=1.97e14, memory_bandwidth_bytes_per_s=8.2e11,
                                             bytes_per_param=1)) == 120
    assert round(serving.compute_bound_batch(peak_flops_per_second=3.94e14, memory_bandwidth_bytes_per_s=8.2e11,
                                             bytes_per_param=1)) == 240
    dense = serving.compute_bound_batch(peak_flops_per_second=1978.9e12, memory_bandwidth_bytes_per_s=3.35e12,
                                        bytes_per_param=1)
    assert serving.moe_compute_bound_batch(dense_batch=dense, experts=256, experts_per_token=8) == pytest.approx(32 * dense)


def test_tokens_per_step() -> None:
    assert serving.tokens_per_step(acceptance_rate=0.85) == 1.85
    assert serving.tokens_per_step(acceptance_rate=0.5, draft_tokens=3) == pytest.approx(1 + 0.5 + 0.25 + 0.125)
    assert serving.tokens_per_step(acceptance_rate=1.0, draft_tokens=3) == 4


def test_step_is_the_larger_plus_overhead() -> None:
    assert serving.step_seconds(memory_seconds=0.02, compute_seconds=0.03, overhead_seconds=0.001) == \
        pytest.approx(0.031)


def test_one_user_on_a_dense_model_reads_the_weights_once_per_token() -> None:
    """Llama 3.1 70B in BF16 on 8 H100, one short sequence: a step reads the 69.5B active weights (139 GB) at
    8 x 3.35 TB/s, about 5.2 ms, 192 tokens/s."""
    llama = served_model(model_inputs("llama-3.1-70b"))
    h100 = serving.Hardware(peak_flops_per_second=989.4e12, memory_bandwidth_bytes_per_s=3.35e12, memory_bytes=80e9)
    step = serving.decode_step(llama, h100, serving.Deployment(gpus=8, weight_bits=16), batch=1, context_tokens=1)
    assert step.weight_bytes_read == pytest.approx(llama.active_params * 2 / 8)
    assert step.step_seconds == pytest.approx(llama.active_params * 2 / (8 * 3.35e12), rel=1e-3)
    assert step.memory_bound


def test_kv_cache_per_token_is_the_attention_module_s() -> None:
    """70,272 bytes per token for DeepSeek-V3's MLA cache in BF16 (ISCA 2025, Table 1), through the same formula."""
    plan = serving.memory_plan(V3, H800, serving.Deployment(gpus=144, data_parallel_attention=True), context_tokens=1)
    assert plan.kv_bytes_per_token == 70_272
    assert outputs("serving-cost", {"preset": "deepseek-v3-day6"})["kv_bytes_per_token"] == 70_272


@settings(max_examples=200, deadline=None)
@given(st.floats(1e6, 1e12), st.floats(1e3, 1e10), st.integers(1, 256), st.integers(1, 16))
def test_largest_batch_fits_and_one_more_group_does_not(free: float, per_sequence: float, groups: int,
                                                         shards: int) -> None:
    batch = serving.largest_batch(free_bytes_per_gpu=free, kv_bytes_per_sequence=per_sequence, groups=groups,
                                  kv_shards=shards)
    per_gpu = batch // groups
    assert per_gpu * per_sequence / shards <= free * (1 + 1e-12)
    assert (per_gpu + 1) * per_sequence / shards > free * (1 - 1e-12)


def test_usd_per_million_tokens_inverts_throughput() -> None:
    usd = serving.usd_per_million_tokens(usd_per_gpu_hour=3, gpus=8, tokens_per_second=1000)
    assert usd * 1000 * 3600 / 1e6 == pytest.approx(3 * 8)


def test_request_cost_bills_the_cached_share_at_the_hit_price() -> None:
    cost = api_pricing.request_cost(prompt_tokens=1e6, cache_hit_share=1, output_tokens=0, reasoning_tokens=0,
                                    input_cache_miss_per_mtok=9, input_cache_hit_per_mtok=1, output_per_mtok=5)
    assert cost.total == 1


def test_prefill_is_compute_bound_at_the_peak() -> None:
    matmul, attention = serving.prefill_flops_per_token(V3, prompt_tokens=4096)
    assert matmul == 2 * V3.active_params
    assert attention == 2 * 61 * 128 * 2048 * (192 + 128)  # causal: 4,096 / 2 tokens on average, full MLA heads
    tps = serving.prefill_tokens_per_second_per_gpu(matmul_flops_per_token=matmul, attention_flops_per_token=attention,
                                                    peak_flops_per_second=1e15, attention_peak_flops_per_second=1e15,
                                                    mfu=0.5)
    assert tps * (matmul + attention) == pytest.approx(0.5e15)


def test_mla_decodes_on_its_latent() -> None:
    """In decode, absorbed MLA attends with d_c + d_h^R = 576-wide keys and d_c = 512-wide values per head."""
    assert (V3.decode_qk_dim, V3.decode_v_dim, V3.prefill_qk_dim, V3.prefill_v_dim) == (576, 512, 192, 128)
    assert V3.kv_heads == 1 and V3.experts == 256 and V3.experts_per_token == 8


# --- The serving-cost calculator -----------------------------------------------------------------------------


def test_presets_compute() -> None:
    from calculators import get_calculator

    for preset in get_calculator("serving-cost").presets():
        out = outputs("serving-cost", {"preset": preset})
        assert out["usd_per_mtok_output"] > 0 and out["decode_tokens_per_second_per_gpu"] > 0, preset


def test_mla_saving_in_dollars() -> None:
    """DeepSeek-V3 with its MLA cache against the same model with a GQA cache of 8 heads and with MHA: at the
    largest batch that fits, each output token costs less with MLA, and far more sequences fit."""
    base = {"preset": "deepseek-v3-day6", "batch_mode": "max"}
    mla = outputs("serving-cost", base)
    gqa = outputs("serving-cost", {**base, "attention": "gqa", "kv_heads": 8})
    mha = outputs("serving-cost", {**base, "attention": "mha"})
    assert mla["largest_batch"] > 3 * gqa["largest_batch"] > 3 * mha["largest_batch"]
    assert mla["usd_per_mtok_output"] < gqa["usd_per_mtok_output"] < mha["usd_per_mtok_output"]


def test_cost_falls_as_the_batch_grows_and_speed_falls() -> None:
    chart = run("serving-cost", {"preset": "llama-3.1-70b-8xh100"})["charts"][0]["spec"]
    fits = chart["series"][0]["points"]
    assert all(a[0] >= b[0] for a, b in zip(fits, fits[1:]))  # per-user speed falls with the batch
    assert all(a[1] >= b[1] * (1 - 1e-12) for a, b in zip(fits, fits[1:]))  # and so does the cost


def test_frontier_chart_spec() -> None:
    result = run("serving-cost", {"preset": "deepseek-v3-day6"})
    spec, out = result["charts"][0]["spec"], result["outputs"]
    assert spec["kind"] == "line" and spec["x"]["scale"] == spec["y"]["scale"] == "log"
    assert [s.get("style", "solid") for s in spec["series"]] == ["solid", "dashed"]  # the builder omits the default
    [chosen] = spec["points"]
    assert chosen["x"] == pytest.approx(out["per_user_tokens_per_second"]["value"])
    assert chosen["y"] == pytest.approx(out["usd_per_mtok_output"]["value"])
    assert spec["series"][0]["points"][-1] == spec["series"][1]["points"][0]  # the dashed part starts at the limit
    [marker] = spec["markers"]
    assert marker["x"] == spec["series"][0]["points"][-1][0] and "Memory full" in marker["label"]
    assert spec["regions"] == [{"x1": marker["x"], "label": "Does not fit"}]
    assert result["charts"][0]["svg"].startswith("<svg")
    json.dumps(spec, allow_nan=False)
    assert all(x > 0 and y > 0 for series in spec["series"] for x, y in series["points"])  # fit for log axes
    free = run("serving-cost", {"preset": "deepseek-v3-day6", "usd_per_gpu_hour": 0})["charts"][0]["spec"]
    assert free["y"].get("scale", "linear") == "linear"  # all costs are 0: no log axis (linear is the default)


def test_custom_accelerator_models_hardware_not_in_the_catalog() -> None:
    """A made-up accelerator (2.5 PFLOPS FP8, 1.25 BF16, 8 TB/s, 192 GB): the numbers follow its figures."""
    custom = {"preset": "llama-3.1-70b-8xh100", "accelerator": "custom", "peak_tflops": 2500,
              "attention_tflops": 1250, "bandwidth_tb_s": 8, "memory_gb": 192, "batch_mode": "fixed",
              "batch_size": 1}
    out = outputs("serving-cost", custom)
    llama = served_model(model_inputs("llama-3.1-70b"))
    assert out["step_weights_ms"] == pytest.approx(llama.active_params * 2 / 8 / (8e12 * 0.8) * 1000)
    faster = outputs("serving-cost", {**custom, "bandwidth_tb_s": 16})
    assert faster["step_weights_ms"] == pytest.approx(out["step_weights_ms"] / 2)
    assert outputs("serving-cost", {**custom, "batch_mode": "max"})["largest_batch"] > \
        outputs("serving-cost", {"preset": "llama-3.1-70b-8xh100"})["largest_batch"]


def test_mtp_raises_per_user_speed() -> None:
    off = outputs("serving-cost", {"preset": "llama-3.1-70b-8xh100", "batch_mode": "fixed", "batch_size": 1})
    on = outputs("serving-cost", {"preset": "llama-3.1-70b-8xh100", "batch_mode": "fixed", "batch_size": 1,
                                  "mtp_acceptance": 0.85})
    assert on["tokens_per_step"] == 1.85
    assert on["per_user_tokens_per_second"] == pytest.approx(off["per_user_tokens_per_second"] * 1.85, rel=0.01)


def test_config_fills_the_model_and_its_context_window() -> None:
    config = json.dumps(data.models()["qwen2.5-72b"].config)
    result = run("serving-cost", {"config": config, "accelerator": "h100", "precision": "bf16", "gpus": 8,
                                  "weight_bits": 16, "batch_mode": "max", "prompt_tokens": 2000,
                                  "output_tokens": 500})
    assert result["errors"] == []
    assert result["inputs"]["parallelism"] == "tp" and result["inputs"]["experts"] == 0
    assert errors("serving-cost", {"config": config, "prompt_tokens": 40_000, "output_tokens": 1000,
                                   "accelerator": "h100", "gpus": 8, "parallelism": "tp"}) == {
        "prompt_tokens": "Prompt and answer (41,000 tokens) exceed the model's context window of 32,768 tokens."}


# --- Windowed and linear-attention layers (tests/fixtures/configs) ----------------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "configs"
WINDOWED = ("gpt-oss-120b", "gpt-oss-20b", "gemma-2-27b", "gemma-3-27b-it", "mistral-7b-v0.1", "llama-4-scout-17b-16e",
            "llama-4-maverick-17b-128e", "minimax-m1")


def test_gpt_oss_120b_cache_and_attention_at_128k_by_hand() -> None:
    """gpt-oss-120b: 36 layers alternating a 128-token sliding window and full attention, 8 KV heads of 64, BF16
    cache: 2·8·64·2 = 2,048 bytes per token and layer. At T = 131,072 the 18 full layers hold every token and the
    18 windowed ones 128: half the cache every layer would hold in full attention, plus 18·128 tokens."""
    model = served_model(from_config(architecture_from_json((FIXTURES / "gpt-oss-120b.json").read_text())))
    assert (model.layers, model.window_layers, model.window_tokens, model.linear_layers) == (36, 18, 128, 0)
    per_layer = 2 * 8 * 64 * 2
    expected = 18 * per_layer * 131_072 + 18 * per_layer * 128
    assert serving.kv_bytes_per_sequence(model, context_tokens=131_072, kv_bits=16) == expected == 4_836_556_800
    all_full = 36 * per_layer * 131_072
    assert expected / all_full == pytest.approx(0.5, abs=0.001)
    # decode attention: 2 L H T (d_qk + d_v), the windowed layers at min(T, 128)
    assert serving.decode_attention_flops_per_token(model, context_tokens=131_072) == \
        2 * 18 * 64 * (64 + 64) * (131_072 + 128)


def test_gpt_oss_120b_in_the_widget_holds_half_the_cache_and_twice_the_batch() -> None:
    """Pasted into serving-cost at T = T_p + T_r/2 = 128,000: the cache per sequence by hand, and the largest batch
    n_GPU ⌊M_free / M_seq⌋ from it (data-parallel attention over the 144 default GPUs)."""
    inputs = {"config": (FIXTURES / "gpt-oss-120b.json").read_text(), "prompt_tokens": 127_000,
              "output_tokens": 2000, "accelerator": "h200"}
    out = outputs("serving-cost", inputs)
    per_layer = 2 * 8 * 64 * 2
    per_sequence = 18 * per_layer * 128_000 + 18 * per_layer * 128
    assert out["decode_context_tokens"] == 128_000
    assert out["kv_bytes_per_sequence"] == per_sequence
    assert out["kv_bytes_per_token"] == 36 * per_layer  # what a token adds while within every window
    free = data.accelerators()["h200"].memory_bytes * 0.9 - out["weight_bytes_per_gpu"]
    assert out["largest_batch"] == 144 * math.floor(free / per_sequence)
    full = outputs("serving-cost", {**inputs, "window_layers": 0})
    assert full["kv_bytes_per_sequence"] == 36 * per_layer * 128_000
    assert out["largest_batch"] >= 2 * full["largest_batch"]
    assert out["usd_per_mtok_output"] < full["usd_per_mtok_output"]


@pytest.mark.parametrize("name", WINDOWED)
def test_serving_cache_per_sequence_is_the_kv_cache_widget_s(name: str) -> None:
    """Each family's config pasted into both calculators: serving's cache per sequence at its average context is
    the kv-cache calculator's for one sequence of that length (full, windowed and linear layers alike)."""
    text = (FIXTURES / f"{name}.json").read_text()
    served = run("serving-cost", {"config": text, "prompt_tokens": 6000, "output_tokens": 2000})
    assert served["errors"] == [] or "context window" in served["errors"][0]["message"]
    if served["errors"]:
        served = run("serving-cost", {"config": text, "prompt_tokens": 3000, "output_tokens": 1000})
    context = served["outputs"]["decode_context_tokens"]["value"]
    kv = outputs("kv-cache", {"config": text, "context_length": context, "bits_per_element": 16})
    assert served["outputs"]["kv_bytes_per_sequence"]["value"] == kv["bytes_per_sequence"]
    assert served["inputs"]["window_layers"] + served["inputs"]["linear_layers"] > 0


def test_windowed_layers_cut_the_decode_attention_and_the_step() -> None:
    """Gemma 3 27B at 100K tokens: 52 of 62 layers see 1,024 tokens, so attention FLOPs and the KV read per step
    fall by about 52/62 against every layer in full attention."""
    inputs = {"config": (FIXTURES / "gemma-3-27b-it.json").read_text(), "prompt_tokens": 99_000,
              "output_tokens": 2000, "accelerator": "h200", "batch_mode": "fixed", "batch_size": 8}
    windowed = outputs("serving-cost", inputs)
    full = outputs("serving-cost", {**inputs, "window_layers": 0})
    assert windowed["step_kv_ms"] / full["step_kv_ms"] == pytest.approx((10 * 100_000 + 52 * 1024) / (62 * 100_000))
    assert windowed["step_compute_ms"] < full["step_compute_ms"]


def test_more_window_layers_than_layers_is_refused() -> None:
    assert errors("serving-cost", {"window_layers": "62", "layers": "61"}) == {
        "window_layers": "Cannot exceed the 61 layers."}


# --- Bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("inputs", "field", "message"), [
    ({"accelerator": "custom", "bandwidth_tb_s": "0"}, "bandwidth_tb_s", "Must be greater than 0."),
    ({"batch_size": "0"}, "batch_size", "Must be at least 1."),
    ({"mbu": "1.2"}, "mbu", "Must be at most 1."),
    ({"mfu": "2"}, "mfu", "Must be at most 1."),
    ({"mtp_acceptance": "1"}, "mtp_acceptance", "Must be at most 0.999."),
    ({"prompt_tokens": "200000"}, "prompt_tokens",
     "Prompt and answer (201,210 tokens) exceed the model's context window of 163,840 tokens."),
    ({"accelerator": "a100"}, "precision", "The NVIDIA A100 SXM 80GB has no FP8 tensor cores; choose BF16."),
    ({"attention": "gqa", "kv_heads": "7"}, "kv_heads", "Must divide the 128 attention heads evenly."),
    ({"active_params_billion": "700"}, "active_params_billion", "Cannot exceed the 671B parameters in all."),
    ({"experts_per_token": "300"}, "experts_per_token", "Must be between 1 and the 256 experts."),
    ({"cached_share": "1.5"}, "cached_share", "Must be at most 1."),
])
def test_bad_input_gets_a_message_at_the_field(inputs: dict, field: str, message: str) -> None:
    assert errors("serving-cost", {"preset": "deepseek-v3-day6", **inputs}).get(field) == message


def test_a_model_that_does_not_fit_gets_a_verdict_at_gpus() -> None:
    found = errors("serving-cost", {"preset": "deepseek-v3-8xh200", "accelerator": "h100"})
    assert set(found) == {"gpus"}
    assert found["gpus"].startswith("The model does not fit:") and "Add GPUs" in found["gpus"]
    # data-parallel attention keeps every non-expert weight on every GPU: on 8 small GPUs, say so
    small = errors("serving-cost", {"preset": "deepseek-v3-day6", "accelerator": "custom", "memory_gb": "16"})
    assert "split them (tensor-parallel)" in small["gpus"]


def test_a_batch_larger_than_memory_allows_gets_a_message() -> None:
    found = errors("serving-cost", {"preset": "deepseek-v3-day6", "batch_size": "30000"})
    assert found["batch_size"].startswith("At most 20,304 sequences of 4,989 tokens fit")


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["preset", "accelerator", "peak_tflops", "bandwidth_tb_s", "memory_gb", "gpus",
                                        "parallelism", "batch_mode", "batch_size", "prompt_tokens", "output_tokens",
                                        "mbu", "mfu", "mtp_acceptance", "weight_bits", "kv_bits", "experts",
                                        "experts_per_token", "expert_params_billion", "attention", "reserve_fraction",
                                        "overhead_ms", "junk"]),
                       st.one_of(st.text(max_size=12), st.floats(), st.integers(-10, 10**7), st.none())))
def test_serving_cost_any_input_gives_errors_or_outputs(inputs) -> None:
    result = run("serving-cost", inputs)
    json.dumps(result, allow_nan=False)
    assert bool(result["errors"]) != bool(result["outputs"])
    for out in result["outputs"].values():
        assert out["value"] is None or math.isfinite(out["value"])


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["preset", "nodes_average", "gpus_per_node", "hours", "input_tokens_billion",
                                        "cache_hit_tokens_billion", "output_tokens_billion", "prefill_tps_per_node",
                                        "usd_per_mtok_output", "fleet_basis"]),
                       st.one_of(st.text(max_size=12), st.floats(), st.integers(-10, 10**9), st.none())))
def test_serving_disclosure_any_input_gives_errors_or_outputs(inputs) -> None:
    result = run("serving-disclosure", inputs)
    json.dumps(result, allow_nan=False)
    assert bool(result["errors"]) != bool(result["outputs"])


def test_disclosure_refuses_more_hits_than_input() -> None:
    assert errors("serving-disclosure", {"cache_hit_tokens_billion": "700"}) == {
        "cache_hit_tokens_billion": "Cannot exceed the 608B input tokens."}


# --- Data --------------------------------------------------------------------------------------------------


def test_every_serving_record_has_source_date_and_a_note_if_unverified() -> None:
    import re

    records = data.serving().records()
    assert len(records) >= 15
    for record in records:
        assert record.source and re.match(r"^\d{4}-\d{2}-\d{2}$", record.as_of), record.key
        if not record.verified:
            assert record.note, record.key
    for m in data.serving().measurements.values():
        assert m.deployment in data.serving().deployments, m.key
