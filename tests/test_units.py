"""Every output has a unit, and the text the CLI, the page and the widget show carries it (issue 10: "BF16 peak
989.4" showed no TFLOPS, "Cash payback 41.78" no months); ratios are written with "×"."""

from __future__ import annotations

import re

import pytest

from calculators import calculator_ids, get_calculator, run
from calculators.formatting import CARRIED_UNITS, DIMENSIONLESS, FORMATS, format_value

NUMBER = r"-?[\d,]*\.?\d+(e[+-]?\d+)?"
# What each format that writes its own unit puts in the text.
CARRIED_MARKS = {
    "bytes": re.compile(rf"^{NUMBER} (k|M|G|T|P|E)?B( \({NUMBER} (Ki|Mi|Gi|Ti|Pi|Ei)B\))?$"),
    "flops": re.compile(rf"^{NUMBER} ((k|M|G|T|P)?FLOP|× 10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+ FLOP)$"),
    "usd": re.compile(rf"^-?\${NUMBER}[KMBT]?$"),
    "percent": re.compile(rf"^{NUMBER}%$"),
    "hours": re.compile(rf"^{NUMBER} h( \({NUMBER} days\))?$"),
    "params": re.compile(rf"^{NUMBER}[MBT]?$"),
}


def _runs(calculator_id: str) -> list[tuple[str, dict]]:
    calc = get_calculator(calculator_id)
    requests = [(name, {"preset": name}) for name in calc.presets()] or [("defaults", {})]
    return [(name, run(calculator_id, inputs)) for name, inputs in requests]


@pytest.mark.parametrize("calculator_id", calculator_ids())
def test_every_output_declares_a_unit_its_format_can_show(calculator_id: str) -> None:
    for out in get_calculator(calculator_id).outputs:
        assert out.unit, (calculator_id, out.name)
        assert out.format in FORMATS, (calculator_id, out.name)
        if out.format in CARRIED_UNITS:
            base = out.unit.split(" per ")[0]
            assert base in CARRIED_UNITS[out.format], (calculator_id, out.name, out.unit)
        # a ratio of two like quantities is written "1.54×"; the probability ratio ρ is a plain number
        if out.format == "number" and re.search(r"ratio|_to_|_over_|speedup|imbalance", out.name) \
                and out.name != "clipped_ratio" and out.unit not in ("years", "months"):  # not "years_to_target"
            assert out.unit == "×", (calculator_id, out.name, "a ratio is written with ×")


@pytest.mark.parametrize("calculator_id", calculator_ids())
def test_every_shown_value_carries_its_unit(calculator_id: str) -> None:
    """Every calculator, with its defaults and with each preset: each output's text shows its unit."""
    outputs = {o.name: o for o in get_calculator(calculator_id).outputs}
    for preset, result in _runs(calculator_id):
        assert result["errors"] == [], (calculator_id, preset)
        for name, out in result["outputs"].items():
            if out["value"] is None:
                continue
            text, unit = out["text"], outputs[name].unit
            where = (calculator_id, preset, name, text)
            if unit == DIMENSIONLESS:
                assert re.fullmatch(NUMBER, text), where
            elif out["format"] in CARRIED_UNITS:
                per = unit.partition(" per ")[2]
                core = text[: -len(f" per {per}")] if per else text
                if per:
                    assert text.endswith(f" per {per}"), where
                assert CARRIED_MARKS[out["format"]].match(core), where
            elif unit == "×":
                assert re.fullmatch(rf"{NUMBER}×", text), where
            else:
                singular = unit[:-1] if unit.endswith("s") and not unit.endswith("/s") else unit
                assert re.fullmatch(rf"{NUMBER} ({re.escape(unit)}|{re.escape(singular)})", text), where


@pytest.mark.parametrize(("value", "kind", "unit", "text"), [
    (989.4, "number", "TFLOPS", "989.4 TFLOPS"),
    (14, "number", "bytes", "14 bytes"),
    (41.78, "number", "months", "41.78 months"),
    (1.539, "number", "×", "1.539×"),
    (1, "count", "GPUs", "1 GPU"),
    (2, "count", "GPUs", "2 GPUs"),
    (614, "number", "tokens/s", "614 tokens/s"),
    (2.094, "usd", "USD per GPU-hour", "$2.094 per GPU-hour"),
    (5.576e6, "usd", "USD", "$5.576M"),
    (0.866, "number", DIMENSIONLESS, "0.866"),
])
def test_units_as_written(value, kind, unit, text) -> None:
    assert format_value(value, kind, unit) == text


def test_the_issues_three_examples_now_show_their_units() -> None:
    precision = run("precision", {"preset": "deepseek-v3"})["outputs"]
    assert precision["bf16_tflops"]["text"] == "989.4 TFLOPS"
    assert precision["state_bytes_per_param"]["text"] == "14 bytes"
    assert run("buy-vs-rent", {"preset": "h100-vs-2usd"})["outputs"]["payback_months"]["text"].endswith(" months")
