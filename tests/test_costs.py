"""Training cost: the formulas (training.py, pricing.py), the five cost calculators, their data and formatting.

Published tables are reproduced with their own numbers; each such test names its table. The calculators are run
through `run`, the public entry point, and must answer bad input with a message, never an exception.
"""

from __future__ import annotations

import datetime
import json
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calculators import data, get_calculator, pricing, run, training
from calculators.formatting import format_count, format_flops, format_hours, format_usd
from calculators.schema import ChoiceField, read_inputs

COST_CALCULATORS = ["training-cost", "run-bill", "precision", "buy-vs-rent", "full-cost"]


def outputs(calc_id: str, inputs: dict) -> dict[str, float | None]:
    """The output values of a run that must succeed."""
    result = run(calc_id, inputs)
    assert result["errors"] == [], result["errors"]
    return {name: out["value"] for name, out in result["outputs"].items()}


def errors(calc_id: str, inputs: dict) -> list[dict]:
    result = run(calc_id, inputs)
    assert result["outputs"] == {}
    return result["errors"]


# ---------------------------------------------------------------------------------------------------------------
# 1. DeepSeek-V3, Table 1 (arXiv:2412.19437): 2,788K H800 GPU-hours, $5.576M at $2 per GPU-hour
# ---------------------------------------------------------------------------------------------------------------

V3_TABLE_1 = [
    # stage, GPU-hours, dollars at $2 (Table 1)
    ("Pre-training", 2_664_000, 5_328_000),
    ("Context extension", 119_000, 238_000),
    ("Post-training", 5_000, 10_000),
]


def test_deepseek_v3_table_1_totals_exactly() -> None:
    """Table 1, 'Total': 2788K GPU-hours, $5.576M."""
    out = outputs("run-bill", {"preset": "deepseek-v3"})
    assert out["total_gpu_hours"] == 2_788_000
    assert out["total_usd"] == 5_576_000
    assert out["total_with_base_usd"] is None and out["share_of_total"] is None  # V3 starts from nothing


def test_deepseek_v3_table_1_rows() -> None:
    """Table 1, one row per stage: 2664K / $5.328M, 119K / $0.238M, 5K / $0.01M; then the total row."""
    [table] = run("run-bill", {"preset": "deepseek-v3"})["tables"]
    rows = table["rows"]
    assert [row[0] for row in rows] == [name for name, _, _ in V3_TABLE_1] + ["Total"]
    for row, (name, gpu_hours, usd) in zip(rows, V3_TABLE_1):
        assert pricing.rental_cost_usd(gpu_hours=gpu_hours, usd_per_gpu_hour=2.0) == usd
        published = f"{format_count(gpu_hours)} / {format_usd(usd)}"
        assert row == [name, "–", format_count(gpu_hours), format_usd(usd), published]
    assert rows[0][2:4] == ["2,664,000", "$5.328M"]
    assert rows[1][2:4] == ["119,000", "$238K"]
    assert rows[2][2:4] == ["5,000", "$10K"]
    assert rows[-1] == ["Total", "", "2,788,000", "$5.576M", "2,788,000 / $5.576M"]


def test_deepseek_v3_table_1_data_record_matches_the_formula() -> None:
    """Table 1's dollars are its GPU-hours × $2, stage by stage, in data/training_runs.toml."""
    v3 = data.training_runs()["deepseek-v3"]
    assert [(s.name, s.gpu_hours, s.usd) for s in v3.stages] == V3_TABLE_1
    for stage in v3.stages:
        assert pricing.rental_cost_usd(gpu_hours=stage.gpu_hours, usd_per_gpu_hour=v3.usd_per_gpu_hour) == stage.usd


def test_deepseek_v3_180k_gpu_hours_per_trillion_tokens() -> None:
    """Sec. 1: '180K H800 GPU hours' per trillion tokens, '3.7 days on our cluster with 2048 H800 GPUs';
    Table 1: pre-training 2664K GPU-hours = $5.328M."""
    out = outputs("training-cost", {"preset": "deepseek-v3"})
    assert out["reported_gpu_hours_per_trillion_tokens"] == 180_000
    assert out["reported_cost_usd"] == 5_328_000
    assert out["reported_wall_clock_hours"] == 2_664_000 / 2048
    days = training.wall_clock_hours(gpu_hours=180_000, gpus=2048) / 24
    assert days == pytest.approx(3.662109375)
    assert round(days, 1) == 3.7 == data.training_runs()["deepseek-v3"].days_per_trillion_tokens


# ---------------------------------------------------------------------------------------------------------------
# 2. DeepSeek-R1 (Nature 645, 2025, Supplementary Table 7): 147K H800 GPU-hours, $294K at $2
# ---------------------------------------------------------------------------------------------------------------

def test_deepseek_r1_gpu_hours_round_to_supplementary_table_7() -> None:
    """Suppl. Table 7: 101K (R1-Zero, 64×8 GPUs × ~198 h), 5K (SFT data), 41K (R1, × ~80 h), 147K in all."""
    r1 = data.training_runs()["deepseek-r1"]
    published = {s.name: s.gpu_hours for s in r1.stages}
    out = outputs("run-bill", {"preset": "deepseek-r1"})
    assert out["total_gpu_hours"] == 512 * 198 + 5_000 + 512 * 80 == 147_336
    assert round(512 * 198, -3) == published["DeepSeek-R1-Zero (RL)"] == 101_000
    assert round(512 * 80, -3) == published["DeepSeek-R1 (SFT and RL)"] == 41_000
    assert round(out["total_gpu_hours"], -3) == r1.total_gpu_hours == 147_000
    rows = run("run-bill", {"preset": "deepseek-r1"})["tables"][0]["rows"]
    assert rows[0][1:3] == ["512 × 198 h (8.25 days)", "101,376"]
    assert rows[2][1:3] == ["512 × 80 h (3.333 days)", "40,960"]
    assert rows[-1][-1] == "147,000 / $294K"


def test_deepseek_r1_dollars_against_the_published_294k() -> None:
    """Suppl. Table 7: $294K. The paper multiplies the rounded GPU-hours, 147K × $2 = $294K exactly; priced from
    the unrounded 147,336 GPU-hours the bill is $294,672, whose thousands-rounded $295K is one thousand off."""
    r1 = data.training_runs()["deepseek-r1"]
    out = outputs("run-bill", {"preset": "deepseek-r1"})
    assert out["total_usd"] == 294_672
    assert abs(round(out["total_usd"], -3) - 294_000) <= 1_000
    assert r1.total_gpu_hours * r1.usd_per_gpu_hour == r1.total_usd == 294_000
    for stage in r1.stages:  # $202K, $10K, $82K: each the rounded GPU-hours × $2
        assert stage.gpu_hours * r1.usd_per_gpu_hour == stage.usd


def test_deepseek_r1_on_top_of_v3_base() -> None:
    """R1 starts from DeepSeek-V3-Base: V3 Table 1's pre-training ($5.328M) and context extension ($0.238M), not
    V3's own post-training ($0.01M), which the $5.576M also holds (issue 10)."""
    out = outputs("run-bill", {"preset": "deepseek-r1"})
    assert out["total_with_base_usd"] == 294_672 + 5_328_000 + 238_000
    assert out["share_of_total"] == pytest.approx(294_672 / (294_672 + 5_566_000))
    head = outputs("headline-costs", {})
    assert head["r1_with_base_gpu_hours"] == 147_000 + 2_664_000 + 119_000
    assert head["r1_with_base_usd"] == 2 * (147_000 + 2_783_000)


# ---------------------------------------------------------------------------------------------------------------
# 3. Llama 3.1 405B: model card 30.84M H100 GPU-hours; Llama 3 paper (arXiv:2407.21783) 3.8e25 FLOPs, Table 4
#    BF16 MFU 38-43%
# ---------------------------------------------------------------------------------------------------------------

def test_llama_405b_training_flops_is_6nd_near_the_published_budget() -> None:
    """Sec. 3.2: 3.8 × 10^25 FLOPs; 6 N D with N counted from the config and D = 15.6T tokens."""
    result = run("training-cost", {"preset": "llama-3.1-405b"})
    n = result["inputs"]["active_params_billion"] * 1e9
    flops = result["outputs"]["training_flops"]["value"]
    assert flops == pytest.approx(6 * n * 15.6e12, rel=1e-12)
    assert flops == pytest.approx(3.8e25, rel=0.01)


def test_llama_405b_implied_mfu_below_the_published_range() -> None:
    """Table 4: MFU 38-43% while training ran; 30.84M GPU-hours (model card) also count time it did not."""
    out = outputs("training-cost", {"preset": "llama-3.1-405b"})
    independent = training.implied_mfu(total_flops=out["training_flops"], gpu_hours=30.84e6,
                                       peak_flops_per_second=989.4e12)
    assert f"{out['implied_mfu']:.3f}" == f"{independent:.3f}"
    assert 0.30 < out["implied_mfu"] < 0.38
    assert out["implied_mfu"] < data.training_runs()["llama-3.1-405b"].mfu_low


@pytest.mark.parametrize(("price", "usd"), [(2, 61_680_000), (4, 123_360_000)])
def test_llama_405b_reported_cost_at_a_price(price: float, usd: float) -> None:
    """Model card: 30.84M H100 GPU-hours; at $2 and $4 the '$60M' and '$123M' claims."""
    out = outputs("training-cost", {"preset": "llama-3.1-405b", "usd_per_gpu_hour": price})
    assert out["reported_cost_usd"] == usd


# ---------------------------------------------------------------------------------------------------------------
# 4. The formulas, by hand
# ---------------------------------------------------------------------------------------------------------------

@given(total=st.floats(1e15, 1e30), peak=st.floats(1e12, 1e17), mfu=st.floats(1e-3, 1.0))
def test_gpu_hours_and_implied_mfu_are_inverses(total: float, peak: float, mfu: float) -> None:
    hours = training.gpu_hours_for_flops(total_flops=total, peak_flops_per_second=peak, mfu=mfu)
    assert training.implied_mfu(total_flops=total, gpu_hours=hours, peak_flops_per_second=peak) == pytest.approx(
        mfu, rel=1e-9)


def test_gpu_hours_for_flops_by_hand() -> None:
    # 3.8e25 / (3600 × 989.4e12 × 0.4) = 26.67M
    assert training.gpu_hours_for_flops(total_flops=3.8e25, peak_flops_per_second=989.4e12, mfu=0.4) == pytest.approx(
        3.8e25 / (3600 * 989.4e12 * 0.4))
    assert training.training_flops(flops_per_token=6 * 405e9, tokens=15.6e12) == pytest.approx(3.7908e25)


def test_wall_clock_hours() -> None:
    assert training.wall_clock_hours(gpu_hours=2_664_000, gpus=2048) == 1300.78125
    assert training.wall_clock_hours(gpu_hours=101_376, gpus=512) == 198


@given(st.floats(0.25, 30))
def test_capital_recovery_at_zero_rate_is_straight_line(years: float) -> None:
    assert pricing.capital_recovery_factor(rate=0, years=years) == 1 / years


def test_capital_recovery_factor_by_hand() -> None:
    # 0.08 × 1.08^4 / (1.08^4 − 1) = 0.08 × 1.36048896 / 0.36048896 = 0.301920...
    assert pricing.capital_recovery_factor(rate=0.08, years=4) == pytest.approx(0.30192, abs=1e-5)
    assert pricing.capital_recovery_factor(rate=0.08, years=4) > 0.25  # interest costs something


@settings(deadline=None)
@given(capex=st.floats(1_000, 1e6), years=st.floats(0.25, 30), rate=st.one_of(st.just(0.0), st.floats(1e-6, 1.0)),
       fixed=st.floats(0, 1e4), power=st.floats(0, 5), rent=st.floats(0.01, 1000))
def test_owned_cost_at_break_even_equals_rent(capex, years, rate, fixed, power, rent) -> None:
    ownership = {"capex_usd": capex, "years": years, "rate": rate, "fixed_usd_per_year": fixed,
                 "power_usd_per_hour": power}
    u = pricing.break_even_utilization(**ownership, rental_usd_per_gpu_hour=rent)
    assume(u is not None)
    assert 0 < u <= 1
    assert pricing.owned_cost_per_gpu_hour(**ownership, utilization=u) == pytest.approx(rent, rel=1e-9)


def test_break_even_is_none_when_renting_always_wins() -> None:
    ownership = {"capex_usd": 40_000, "years": 4, "rate": 0.0, "fixed_usd_per_year": 0}
    # rent no more than the power: owning never catches up
    assert pricing.break_even_utilization(**ownership, power_usd_per_hour=0.2, rental_usd_per_gpu_hour=0.2) is None
    assert pricing.break_even_utilization(**ownership, power_usd_per_hour=0.3, rental_usd_per_gpu_hour=0.2) is None
    # 40,000 / 4 / 8760 = $1.14 an hour at full use: at $1 renting is cheaper even then (u* = 1.14 > 1)
    assert pricing.break_even_utilization(**ownership, power_usd_per_hour=0.0, rental_usd_per_gpu_hour=1.0) is None
    assert pricing.break_even_utilization(**ownership, power_usd_per_hour=0.0,
                                          rental_usd_per_gpu_hour=2.0) == pytest.approx(10_000 / 8760 / 2)


def test_power_cost_per_gpu_hour() -> None:
    # 700 W = 0.7 kW × PUE 1.5 × $0.10/kWh
    assert pricing.power_cost_per_gpu_hour(watts=700, pue=1.5, usd_per_kwh=0.10) == pytest.approx(0.105)


def test_training_state_bytes_per_param() -> None:
    """ZeRO (arXiv:1910.02054) Sec. 3.1: 2Ψ + 2Ψ + 12Ψ = 16Ψ; DeepSeek-V3 Sec. 3.3.3: BF16 moments, FP32 master
    weights and gradients: 2 + 4 + 4 + 2 × 2 = 14."""
    zero = training.training_state_bytes_per_param(weight_bytes=2, master_bytes=4, gradient_bytes=2, moment_bytes=4)
    assert zero.total == 16 and zero.moments == 8
    v3 = training.training_state_bytes_per_param(weight_bytes=2, master_bytes=4, gradient_bytes=4, moment_bytes=2)
    assert v3.total == 2 + 4 + 4 + 2 * 2 == 14


# ---------------------------------------------------------------------------------------------------------------
# 5. Calculator behaviour: precision, buy-vs-rent, full-cost
# ---------------------------------------------------------------------------------------------------------------

def test_precision_presets_14_against_16_bytes() -> None:
    v3 = outputs("precision", {"preset": "deepseek-v3"})
    zero = outputs("precision", {"preset": "bf16-adam"})
    assert (v3["state_bytes_per_param"], zero["state_bytes_per_param"]) == (14, 16)
    assert v3["baseline_bytes_per_param"] == 16
    assert v3["state_saving"] == pytest.approx(1 - 14 / 16)
    assert v3["state_bytes"] == 14 * 671e9


@pytest.mark.parametrize("accelerator", ["h100", "h800", "h200", "b200"])
def test_fp8_peak_is_twice_bf16(accelerator: str) -> None:
    # NVIDIA's dense figures for Hopper are 989.4 and 1978.9 TFLOPS (half of 1,979 and 3,958 'with sparsity'):
    # 2.0001 after rounding, "2" to the four digits the site prints. B200: 2.25 and 4.5 PFLOPS, exactly 2.
    out = run("precision", {"accelerator": accelerator})["outputs"]["peak_ratio"]
    assert out["value"] == pytest.approx(2, abs=2e-4)
    assert out["text"] == "2×"
    if accelerator == "b200":
        assert out["value"] == 2


def test_a100_has_no_fp8_a_clear_error() -> None:
    [error] = errors("precision", {"accelerator": "a100"})
    assert error["field"] == "accelerator" and "FP8" in error["message"] and "A100" in error["message"]
    [error] = errors("training-cost", {"precision": "fp8", "accelerator": "a100"})
    assert error["field"] == "precision" and "FP8" in error["message"] and "BF16" in error["message"]
    assert run("training-cost", {"precision": "bf16", "accelerator": "a100"})["errors"] == []


def test_owned_cost_falls_as_utilisation_rises() -> None:
    costs = [outputs("buy-vs-rent", {"utilization": u})["owned_usd_per_used_hour"] for u in (0.1, 0.3, 0.5, 0.8, 1.0)]
    assert all(a > b for a, b in zip(costs, costs[1:])), costs


@pytest.mark.parametrize("preset", [None, "h100-vs-2usd", "h100-vs-lambda", "b200-vs-lambda"])
def test_break_even_utilisation_makes_owned_equal_rent(preset: str | None) -> None:
    inputs = {"preset": preset} if preset else {}
    out = outputs("buy-vs-rent", inputs)
    u = out["break_even_utilization"]
    rent = run("buy-vs-rent", inputs)["inputs"]["rental_usd_per_gpu_hour"]
    if u is None:  # renting cheaper even at full use
        assert outputs("buy-vs-rent", {**inputs, "utilization": 1})["owned_usd_per_used_hour"] > rent
    else:
        at = outputs("buy-vs-rent", {**inputs, "utilization": u})
        assert at["owned_usd_per_used_hour"] == pytest.approx(rent, rel=1e-9)
        assert at["owned_to_rent_ratio"] == pytest.approx(1, rel=1e-9)


@pytest.mark.parametrize("accelerator", list(data.accelerators()))
def test_rental_quotes_table_lists_only_the_chosen_accelerator(accelerator: str) -> None:
    [table] = run("buy-vs-rent", {"accelerator": accelerator})["tables"]
    expected = [q for q in data.prices().values() if q.key.startswith("rental.") and q.accelerator == accelerator]
    # a quote read only in secondary reports says so (issue 10: source-status labels are consistent)
    assert [row[0] for row in table["rows"]] == [q.what if q.verified else f"{q.what} (secondary)" for q in expected]
    assert [row[1] for row in table["rows"]] == [q.as_of for q in expected]


def test_rental_quotes_table_h100_has_quotes_and_h800_only_deepseek() -> None:
    h100 = run("buy-vs-rent", {"accelerator": "h100"})["tables"][0]["rows"]
    assert len(h100) >= 5 and any(row[2] == "$3.99" for row in h100)  # Lambda
    h800 = run("buy-vs-rent", {"accelerator": "h800"})["tables"][0]["rows"]
    assert [row[2] for row in h800] == ["$2"]


def test_buy_vs_rent_cumulative_chart_starts_at_capital_and_zero() -> None:
    result = run("buy-vs-rent", {"gpus": 100})
    spec = result["charts"][0]["spec"]
    series = {s["name"]: s["points"] for s in spec["series"]}
    capex = result["outputs"]["capex_per_gpu_usd"]["value"]
    assert series["Owned"][0] == [0, pytest.approx(100 * capex)]
    assert series["Rented"][0] == [0, 0]
    assert capex == pytest.approx(26_000 * 1.38 * 1.25)  # the defaults: GPU × (1 + server) × (1 + facility)


def test_full_cost_semianalysis_fleet() -> None:
    """SemiAnalysis, 'DeepSeek Debates' (as reported): $1.6B server capital + $944M operating costs = $2.544B."""
    result = run("full-cost", {"preset": "semianalysis-fleet"})
    out = {name: o["value"] for name, o in result["outputs"].items()}
    assert out["total_usd"] == pytest.approx(2.544e9)
    assert out["headline_share"] == pytest.approx(5.576e6 / 2.544e9)
    assert out["total_to_headline"] == pytest.approx(2.544e9 / 5.576e6)
    assert any(note.startswith("Outside estimate") for note in result["notes"])


def test_full_cost_rent_basis_multiplies_the_final_run() -> None:
    out = outputs("full-cost", {"preset": "headline", "experiment_multiplier": 3})
    assert out["compute_usd"] == 3 * 5_576_000 == out["total_usd"]
    assert out["headline_share"] == pytest.approx(1 / 3)
    headline = run("full-cost", {"preset": "headline"})
    assert headline["outputs"]["headline_share"]["value"] == 1
    assert headline["notes"][0].startswith("Nothing but the final run is counted")


# ---------------------------------------------------------------------------------------------------------------
# 6. Bad inputs: a clear message on the field, never an exception
# ---------------------------------------------------------------------------------------------------------------

BAD = [
    # calculator, inputs, field, message
    ("training-cost", {"gpus": 0}, "gpus", "Must be at least 1."),
    ("training-cost", {"gpus": "-8"}, "gpus", "Must be at least 1."),
    ("buy-vs-rent", {"gpus": 0}, "gpus", "Must be at least 1."),
    ("buy-vs-rent", {"gpus": -1}, "gpus", "Must be at least 1."),
    ("run-bill", {"stage1_basis": "gpus_hours", "stage1_gpus": -1, "stage1_hours": 10}, "stage1_gpus",
     "Must be at least 0."),
    ("precision", {"params_billion": 0}, "params_billion", "Must be greater than 0."),
    ("full-cost", {"staff": -1}, "staff", "Must be at least 0."),
    ("training-cost", {"mfu": 1.01}, "mfu", "Must be at most 1."),
    ("training-cost", {"mfu": 0}, "mfu", "Must be greater than 0."),
    ("training-cost", {"mfu": "-0.4"}, "mfu", "Must be greater than 0."),
    ("buy-vs-rent", {"utilization": 1.2}, "utilization", "Must be at most 1."),
    ("buy-vs-rent", {"utilization": 0}, "utilization", "Must be greater than 0."),
    ("precision", {"gemm_time_share": 1.5}, "gemm_time_share", "Must be at most 1."),
    ("training-cost", {"usd_per_gpu_hour": -1}, "usd_per_gpu_hour", "Must be at least 0."),
    ("run-bill", {"usd_per_gpu_hour": -2}, "usd_per_gpu_hour", "Must be at least 0."),
    ("run-bill", {"base_usd": -1}, "base_usd", "Must be at least 0."),
    ("buy-vs-rent", {"rental_usd_per_gpu_hour": -1}, "rental_usd_per_gpu_hour", "Must be greater than 0."),
    ("buy-vs-rent", {"gpu_price_usd": -1}, "gpu_price_usd", "Must be at least 0."),
    ("buy-vs-rent", {"usd_per_kwh": -0.1}, "usd_per_kwh", "Must be at least 0."),
    ("full-cost", {"final_run_usd": -1}, "final_run_usd", "Must be greater than 0."),
    ("full-cost", {"data_usd": -5}, "data_usd", "Must be at least 0."),
    ("training-cost", {"tokens_trillion": 1e999}, "tokens_trillion", "Enter a finite number."),
    ("full-cost", {"compute_basis": "own", "capex_usd": 1e999}, "capex_usd", "Enter a finite number."),
    ("full-cost", {"compute_basis": "own", "capex_usd": 10**30}, "capex_usd", "Must be at most 10,000,000,000,000."),
    ("precision", {"params_billion": "1e400"}, "params_billion", "Must be at most 1,000,000."),
]


@pytest.mark.parametrize(("calc_id", "inputs", "field", "message"), BAD)
def test_bad_input_gets_a_clear_message(calc_id: str, inputs: dict, field: str, message: str) -> None:
    assert errors(calc_id, inputs) == [{"field": field, "message": message}]


ABSURD_FIELDS = [
    # calculator, field, other inputs (to make the field matter)
    ("training-cost", "tokens_trillion", {}),
    ("training-cost", "active_params_billion", {}),
    ("training-cost", "reported_gpu_hours", {}),
    ("run-bill", "stage1_gpu_hours", {}),
    ("run-bill", "stage2_hours", {"stage2_basis": "gpus_hours", "stage2_gpus": 8}),
    ("run-bill", "base_usd", {}),
    ("precision", "params_billion", {}),
    ("buy-vs-rent", "gpus", {}),
    ("buy-vs-rent", "gpu_price_usd", {}),
    ("full-cost", "final_run_usd", {}),
    ("full-cost", "capex_usd", {"compute_basis": "own"}),
]


@pytest.mark.parametrize(("calc_id", "field", "others"), ABSURD_FIELDS)
@pytest.mark.parametrize("value", [1e999, "1e400", 10**30, "-1e400", 1e308])
def test_absurd_magnitudes_give_an_error_on_the_field_or_finite_outputs(calc_id: str, field: str, others: dict,
                                                                        value) -> None:
    result = run(calc_id, {**others, field: value})
    if result["errors"]:
        assert [e["field"] for e in result["errors"]] == [field]
        assert result["outputs"] == {}
    else:
        assert all(o["value"] is None or math.isfinite(o["value"]) for o in result["outputs"].values())
        json.dumps(result, allow_nan=False)


def test_run_bill_with_every_stage_at_zero_is_an_error() -> None:
    zero = {"preset": "deepseek-v3", "stage1_gpu_hours": 0, "stage2_gpu_hours": 0, "stage3_gpu_hours": 0}
    message = "Give at least one stage some GPU-hours."
    assert errors("run-bill", zero) == [{"field": "stage1_gpu_hours", "message": message}]
    [error] = errors("run-bill", {"stage1_basis": "gpus_hours", "stage1_gpus": 512, "stage1_hours": 0})
    assert error["field"] == "stage1_gpus"


def test_detailed_flops_without_a_config_is_an_error_on_flops_rule() -> None:
    [error] = errors("training-cost", {"preset": "custom", "flops_rule": "detailed", "config": ""})
    assert error["field"] == "flops_rule" and "config.json" in error["message"]
    out = outputs("training-cost", {"preset": "deepseek-v3", "flops_rule": "detailed"})
    assert out["flops_per_token"] == out["detailed_flops_per_token"] > out["six_n_flops_per_token"]


# Bugs these tests found, now fixed: each test keeps them fixed.

def test_tiny_positive_cost_of_capital_is_straight_line() -> None:
    assert pricing.capital_recovery_factor(rate=1e-17, years=4) == pytest.approx(0.25)


def test_buy_vs_rent_tiny_positive_cost_of_capital_does_not_raise() -> None:
    result = run("buy-vs-rent", {"cost_of_capital": 1e-17})
    straight = outputs("buy-vs-rent", {"cost_of_capital": 0})
    assert result["outputs"]["owned_usd_per_used_hour"]["value"] == pytest.approx(straight["owned_usd_per_used_hour"])


def test_full_cost_owned_basis_with_nothing_owned_gives_a_message() -> None:
    result = run("full-cost", {"compute_basis": "own", "capex_usd": 0, "opex_usd": 0})
    assert bool(result["errors"]) != bool(result["outputs"])


def test_training_cost_tiny_mfu_gives_a_message() -> None:
    result = run("training-cost", {"mfu": 1e-310})
    assert result["errors"] and result["outputs"] == {}


@pytest.mark.parametrize(("calc_id", "field"), [("training-cost", "gpus"), ("run-bill", "stage1_gpu_hours"),
                                                ("precision", "params_billion"), ("buy-vs-rent", "gpus"),
                                                ("full-cost", "final_run_usd")])
def test_an_int_beyond_float_range_gets_a_message(calc_id: str, field: str) -> None:
    assert [e["field"] for e in run(calc_id, {field: 10**400})["errors"]] == [field]


@pytest.mark.parametrize(("calc_id", "inputs"), [("full-cost", {"capex_usd": 1e999}),  # rent basis: not read
                                                 ("run-bill", {"stage1_gpus": float("nan")}),  # gpu_hours basis
                                                 ("full-cost", {"preset": float("inf")}),  # an error, echoed
                                                 ("training-cost", {"sequence_length": 1e999, "gpus": 0})])
def test_an_unread_non_finite_input_keeps_the_result_strict_json(calc_id: str, inputs: dict) -> None:
    result = run(calc_id, inputs)
    json.dumps(result, allow_nan=False)


def _fuzz_inputs(calc_id: str) -> st.SearchStrategy[dict]:
    calc = get_calculator(calc_id)
    names = [f.name for f in calc.fields] + ["preset", "junk"]
    valid_words = sorted({key for f in calc.fields if isinstance(f, ChoiceField) for key, _ in f.choices}
                         | set(calc.presets()) | {"custom"})
    values = st.one_of(st.text(max_size=30), st.floats(), st.integers(), st.none(), st.booleans(),
                       st.sampled_from(valid_words), st.floats(0, 10), st.integers(0, 10_000))
    return st.dictionaries(st.sampled_from(names), values)


def _check_never_raises(calc_id: str, inputs: dict) -> None:
    result = run(calc_id, inputs)
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    assert bool(result["errors"]) != bool(result["outputs"])
    for error in result["errors"]:
        assert isinstance(error["message"], str) and error["message"]


@settings(max_examples=200, deadline=None)
@given(_fuzz_inputs("training-cost"))
def test_training_cost_any_input_gives_errors_or_outputs(inputs) -> None:
    _check_never_raises("training-cost", inputs)


@settings(max_examples=200, deadline=None)
@given(_fuzz_inputs("run-bill"))
def test_run_bill_any_input_gives_errors_or_outputs(inputs) -> None:
    _check_never_raises("run-bill", inputs)


@settings(max_examples=200, deadline=None)
@given(_fuzz_inputs("precision"))
def test_precision_any_input_gives_errors_or_outputs(inputs) -> None:
    _check_never_raises("precision", inputs)


@settings(max_examples=200, deadline=None)
@given(_fuzz_inputs("buy-vs-rent"))
def test_buy_vs_rent_any_input_gives_errors_or_outputs(inputs) -> None:
    _check_never_raises("buy-vs-rent", inputs)


@settings(max_examples=200, deadline=None)
@given(_fuzz_inputs("full-cost"))
def test_full_cost_any_input_gives_errors_or_outputs(inputs) -> None:
    _check_never_raises("full-cost", inputs)


# ---------------------------------------------------------------------------------------------------------------
# 7. Data: accelerators, prices, training runs
# ---------------------------------------------------------------------------------------------------------------

NUMERIC = ("memory_bytes", "bf16_dense_tflops", "fp8_dense_tflops", "memory_bandwidth_bytes_per_s",
           "scale_up_bytes_per_s", "power_watts")


@pytest.mark.parametrize("key", list(data.accelerators()))
def test_accelerator_values_are_positive_dense_and_sourced(key: str) -> None:
    acc = data.accelerators()[key]
    assert acc.bf16_dense_tflops > 0 and acc.memory_bandwidth_bytes_per_s > 0 and acc.power_watts > 0
    for name in NUMERIC:
        if getattr(acc, name) is not None:
            assert acc.sources.get(name), f"{key}.{name} has no source"
    assert set(acc.sources) <= set(NUMERIC)
    if acc.fp8_dense_tflops is not None:  # a sparse FP8 figure would be ~4x dense BF16
        assert acc.fp8_dense_tflops <= 2.01 * acc.bf16_dense_tflops
    if not acc.verified:
        assert acc.note


def test_dense_not_sparse_headline_figures() -> None:
    acc = data.accelerators()
    assert acc["h100"].bf16_dense_tflops == 989.4  # datasheet 1,979 'with sparsity'
    assert acc["a100"].bf16_dense_tflops == 312  # datasheet 312 | 624*
    assert acc["a100"].fp8_dense_tflops is None and acc["a100"].dense_tflops("fp8") is None


@pytest.mark.parametrize("key", list(data.prices()))
def test_price_quotes_are_ranged_sourced_and_dated(key: str) -> None:
    quote = data.prices()[key]
    assert 0 <= quote.low <= quote.high
    assert quote.source and quote.unit and quote.what
    assert datetime.date.fromisoformat(quote.as_of).isoformat() == quote.as_of
    if not quote.verified:
        assert quote.note
    if quote.accelerator is not None:
        assert quote.accelerator in data.accelerators()


@pytest.mark.parametrize(("key", "total"), [("deepseek-v3", 2_788_000), ("deepseek-r1", 147_000),
                                            ("llama-3.1-405b", 30_840_000)])
def test_training_run_stages_sum_to_the_total(key: str, total: float) -> None:
    r = data.training_runs()[key]
    assert sum(s.gpu_hours for s in r.stages) == r.total_gpu_hours == total
    if r.total_usd is not None and r.usd_per_gpu_hour is not None:
        assert r.total_gpu_hours * r.usd_per_gpu_hour == r.total_usd
    assert r.accelerator in data.accelerators()
    assert r.model is None or r.model in data.models()
    if not r.verified:
        assert r.note


def test_every_training_run_is_consistent() -> None:
    for r in data.training_runs().values():
        assert sum(s.gpu_hours for s in r.stages) == r.total_gpu_hours, r.key
        if r.total_usd is not None and r.usd_per_gpu_hour is not None:
            assert r.total_gpu_hours * r.usd_per_gpu_hour == r.total_usd, r.key
        if r.base_run is not None:
            assert r.base_run in data.training_runs()


# ---------------------------------------------------------------------------------------------------------------
# 8. Formatting
# ---------------------------------------------------------------------------------------------------------------

def test_format_usd() -> None:
    assert format_usd(5_576_000) == "$5.576M"
    assert format_usd(294_000) == "$294K"
    assert format_usd(294_672) == "$294.7K"
    assert format_usd(2.544e9) == "$2.544B"
    assert format_usd(-10_000) == "-$10K"


def test_format_hours_shows_days() -> None:
    # 180,000 GPU-hours on 2,048 GPUs: 87.89 hours, 3.662 days (DeepSeek-V3 Sec. 1: "3.7 days")
    assert format_hours(87.890625) == "87.89 h (3.662 days)"
    assert format_hours(12) == "12 h"


def test_format_flops() -> None:
    assert format_flops(3.8e25) == "3.8 × 10²⁵ FLOP"
    assert format_flops(3.7908e25) == "3.791 × 10²⁵ FLOP"


def test_the_576m_is_v3s_whole_official_training_in_data_too() -> None:
    """V3 Table 1: $5.328M + $0.238M + $0.01M = $5.576M; R1's base, V3-Base, is the first two (issue 10)."""
    runs = data.training_runs()
    v3, r1 = runs["deepseek-v3"], runs["deepseek-r1"]
    assert sum(s.usd for s in v3.stages) == v3.total_usd == 5_576_000
    assert [s.usd for s in v3.stages] == [5_328_000, 238_000, 10_000]
    assert "$5.328M" in v3.note and "$0.238M" in v3.note and "$0.01M" in v3.note
    assert "whose pre-training is the $5.576M run" not in r1.note and "$5.566M" in r1.note
    assert data.base_of(r1) == (2_783_000, 5_566_000)
