"""Which inputs matter (calculators.sensitivity): each numeric input moved alone over its declared range or a stated
percentage, the swings of one output sorted, drawn as a tornado chart; the cost calculators declare their ranges."""

from __future__ import annotations

import json
import math

import pytest

from calculators import calculator_ids, get_calculator, run
from calculators.charts import spec_problems
from calculators.cli import main
from calculators.registry import tool_json
from calculators.schema import NumberField, Plausible
from calculators.sensitivity import MAX_BARS, sensitivity

COST = ("training-cost", "buy-vs-rent", "full-cost", "serving-cost")


def _output(calculator_id: str, inputs: dict, name: str) -> float | None:
    result = run(calculator_id, inputs)
    assert result["errors"] == [], result["errors"]
    return result["outputs"][name]["value"]


@pytest.mark.parametrize("calculator_id", COST)
def test_each_bar_is_the_output_run_gives_with_that_one_input_moved(calculator_id: str) -> None:
    """The low and high ends of every bar equal `run` with that input at its low and high value, the rest as
    given: the analysis is the calculator, moved one input at a time, nothing else."""
    calc = get_calculator(calculator_id)
    inputs = {"preset": calc.default_preset}
    result = sensitivity(calculator_id, inputs)
    assert result["errors"] == []
    name = result["output"]["name"]
    base = run(calculator_id, inputs)
    assert result["base"]["value"] == base["outputs"][name]["value"]
    assert result["base"]["text"] == base["outputs"][name]["text"]
    used = {k: v for k, v in base["inputs"].items() if k != "preset"}
    for bar in result["bars"]:
        for end in ("low", "high"):
            moved = {**used, "preset": inputs["preset"], bar["field"]: bar[f"{end}_input"]}
            if bar[end] is None:  # refused: run refuses it too, or has no value there
                answer = run(calculator_id, moved)
                assert answer["errors"] or answer["outputs"][name]["value"] is None, (bar["field"], end)
                assert bar["problems"], bar
                continue
            assert bar[end] == _output(calculator_id, moved, name), (bar["field"], end)
        if bar["low"] is not None and bar["high"] is not None:
            assert bar["swing"] == abs(bar["high"] - bar["low"])
    swings = [b["swing"] for b in result["bars"]]
    assert swings == sorted(swings, reverse=True)


def test_training_cost_the_price_and_the_mfu_decide_the_bill() -> None:
    result = sensitivity("training-cost", {"preset": "deepseek-v3"})
    assert result["output"]["name"] == "cost_usd"
    assert [b["field"] for b in result["bars"][:2]] == ["usd_per_gpu_hour", "mfu"]
    mfu = result["bars"][1]
    assert (mfu["low_input"], mfu["high_input"], mfu["range"]) == (0.25, 0.55, "declared")
    assert "MegaScale" in mfu["source"]
    # cost is inversely proportional to MFU: 0.40 / 0.25 = 1.6 times the base
    assert math.isclose(mfu["low"] / result["base"]["value"], 0.4 / 0.25, rel_tol=1e-12)
    gpus = next(b for b in result["bars"] if b["field"] == "gpus")
    assert gpus["swing"] == 0 and gpus["range"] == "percent"  # no effect on the bill, ±10%
    assert any("GPUs" in note for note in result["notes"] if note.startswith("No effect"))


def test_the_cost_calculators_declare_sourced_ranges_inside_their_bounds() -> None:
    for calculator_id in COST:
        calc = get_calculator(calculator_id)
        declared = [f for f in calc.fields if isinstance(f, NumberField) and f.plausible]
        assert len(declared) >= 2, calculator_id  # training-cost: MFU and price; tokens and N are facts (±10%)
        for f in declared:
            assert f.plausible.source, (calculator_id, f.name)
            low, high = f.plausible.bounds(f.default)
            assert f.clamp(low) == low and f.clamp(high) == high, (calculator_id, f.name)  # valid values
        schema = {i["name"]: i for i in calc.schema()["inputs"]}
        assert all(schema[f.name]["plausible"] == f.plausible.schema() for f in declared)


def test_percent_mode_moves_every_input_by_the_same_share() -> None:
    result = sensitivity("buy-vs-rent", {"preset": "h100-vs-2usd"}, ranges=False, percent=25)
    used = run("buy-vs-rent", {"preset": "h100-vs-2usd"})["inputs"]
    for bar in result["bars"]:
        assert bar["range"] == "percent" and bar["source"] == "±25%"
        field = get_calculator("buy-vs-rent").field(bar["field"])
        assert bar["low_input"] == field.clamp(used[bar["field"]] * 0.75)
        assert bar["high_input"] == field.clamp(used[bar["field"]] * 1.25)


def test_an_end_the_calculator_refuses_is_reported_not_drawn() -> None:
    """Break-even utilisation has no value when renting is cheaper even at full use: that end is refused."""
    result = sensitivity("buy-vs-rent", {"preset": "h100-vs-2usd"}, output="break_even_utilization")
    years = next(b for b in result["bars"] if b["field"] == "years")
    assert years["low"] is None and years["problems"] == ["3 years: the output has no value there"]
    assert years["swing"] == abs(years["high"] - result["base"]["value"])
    full = sensitivity("full-cost", {"preset": "semianalysis-fleet"})
    capex = next(b for b in full["bars"] if b["field"] == "capex_usd")
    assert capex["low"] is not None  # half the capital still covers the final run


def test_the_tornado_chart_is_a_valid_spec_of_the_largest_swings() -> None:
    result = sensitivity("kv-cache", {"preset": "deepseek-v3", "accelerator": "h800", "accelerator_count": 16})
    spec = result["chart"]["spec"]
    assert spec_problems(spec) == []
    moving = [b for b in result["bars"] if b["swing"] > 0]
    assert [bar["name"] for bar in spec["bars"]] == [b["label"] for b in moving][:MAX_BARS]
    assert spec["base"] == result["base"]["value"]
    assert result["chart"]["svg"].startswith("<svg") and "calc-chart-svg--narrow" in result["chart"]["svg_narrow"]


@pytest.mark.parametrize("calculator_id", calculator_ids())
def test_every_calculator_answers_for_its_default_output(calculator_id: str) -> None:
    calc = get_calculator(calculator_id)
    inputs = {"preset": calc.default_preset} if calc.default_preset else {}
    result = sensitivity(calculator_id, inputs)
    assert result["errors"] == [], result["errors"]
    assert result["output"]["name"] == calc.default_sensitivity_output()
    assert {o["name"] for o in result["outputs"]} <= {o.name for o in calc.outputs}
    json.dumps(result)  # JSON-able, as the worker sends it
    if result["chart"]:
        assert spec_problems(result["chart"]["spec"]) == []


@pytest.mark.parametrize(("inputs", "options", "field", "says"), [
    ({"layers": "x"}, {}, "layers", "is not a number"),
    ({}, {"output": "nope"}, "output", "no output named"),
    ({}, {"percent": "0"}, "percent", "greater than 0"),
    ({}, {"percent": "abc"}, "percent", "not a number"),
])
def test_bad_requests_get_field_messages(inputs: dict, options: dict, field: str, says: str) -> None:
    result = json.loads(tool_json("sensitivity", "kv-cache", json.dumps(inputs), json.dumps(options)))
    assert [e["field"] for e in result["errors"]] == [field] and says in result["errors"][0]["message"]
    assert result["bars"] == [] and result["chart"] is None


def test_an_output_without_a_value_is_refused() -> None:
    result = sensitivity("kv-cache", {"preset": "deepseek-v3"}, output="tokens_fit")  # no accelerator chosen
    assert result["errors"][0]["field"] == "output" and "has no value" in result["errors"][0]["message"]


def test_plausible_ranges_and_clamping() -> None:
    with pytest.raises(ValueError):
        Plausible(low=2, high=1)
    with pytest.raises(ValueError):
        Plausible(low=0, high=float("inf"))
    assert Plausible(low=0.5, high=2, relative=True).bounds(10) == (5, 20)
    whole = NumberField(name="n", label="n", default=4, integer=True, minimum=1, maximum=10)
    assert [whole.clamp(x) for x in (0.2, 3.6, 99)] == [1, 4, 10]
    positive = NumberField(name="p", label="p", default=1, minimum=0, exclusive_minimum=True, maximum=1)
    assert positive.clamp(-5) > 0 and positive.read(positive.clamp(-5))[1] is None and positive.clamp(2) == 1


def test_cli_sensitivity(capsys) -> None:
    assert main(["sensitivity", "training-cost", "--preset", "deepseek-v3"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Cost at this price: $4.566M with the inputs given")
    assert text.index("Price") < text.index("MFU") < text.index("Training tokens")
    assert main(["sensitivity", "buy-vs-rent", "--output", "break_even_utilization", "--no-ranges", "--percent",
                 "20", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["output"]["name"] == "break_even_utilization" and answer["chart"]["kind"] == "tornado"
    assert all(b["source"] == "±20%" for b in answer["bars"])
    assert main(["sensitivity", "kv-cache", "--output", "nope"]) == 2
    assert "no output named" in capsys.readouterr().err
