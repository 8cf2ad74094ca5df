"""Which inputs matter: vary each numeric input of a calculator over a plausible range, one at a time, and see how
far one output moves (a one-at-a-time sensitivity analysis, drawn as a tornado chart).

An input's range is the one its field declares (`calculators.schema.Plausible`, with its source), or, for a field
without one, a stated percentage either side of its value. The others stay as entered. Inputs that cannot move the
output (a price, when the output is GPU-hours) show a swing of zero and are left out of the chart.

`sensitivity` is the one entry point; the CLI (``python -m calculators sensitivity ID ...``) and the browser worker
(a ``sensitivity`` request) call it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .charts import FORMATS as CHART_FORMATS
from .charts import chart_svg, tornado_chart
from .formatting import format_number, format_percent, format_usd, format_value
from .registry import CalculatorLoadError, calculator_ids, get_calculator
from .schema import Calculator, NumberField, is_relevant, read_inputs

__all__ = ["DEFAULT_PERCENT", "MAX_BARS", "sensitivity"]

DEFAULT_PERCENT = 10.0
"""How far, in percent either side, an input without a declared range is varied."""

MAX_BARS = 10
"""Bars the tornado chart draws at most (the largest swings); the list holds every input."""


def sensitivity(calculator_id: str, inputs: Mapping[str, Any] | None = None, *, output: str | None = None,
                percent: float | None = None, ranges: bool = True) -> dict[str, Any]:
    """How much `output` moves when each numeric input moves over its range, the others held: largest swing first.

    Args:
        calculator_id: A calculator's id.
        inputs: Its inputs, as `calculators.run` takes them (strings or numbers; ``preset``, ``config``).
        output: The output to watch (default: the calculator's `Calculator.default_sensitivity_output`).
        percent: Vary inputs by this many percent either side (default `DEFAULT_PERCENT`); with `ranges`, only
            those without a declared range.
        ranges: Use the ranges fields declare (`calculators.schema.Plausible`).

    Returns:
        A JSON-able dict: ``errors`` (as `run` gives them; nothing else is filled when there are any),
        ``output`` (its name, label, unit, format), ``base`` (``value``, ``text``), ``bars`` (one per input that
        was varied, largest swing first: ``field``, ``label``, ``low_input``, ``high_input`` and their texts,
        ``low`` and ``high``, the output at each end (None where the input's value is refused, with the reason in
        ``problems``), ``swing``, ``range`` ("declared" or "percent") and its ``source``), ``chart`` (the
        tornado chart: ``spec``, ``svg``, ``svg_narrow``; None if no input moves the output), ``outputs`` (the
        numeric outputs one may watch instead) and ``notes``.

    Examples:
        >>> result = sensitivity("training-cost", {"preset": "deepseek-v3"})
        >>> result["output"]["name"], [bar["field"] for bar in result["bars"][:2]]
        ('cost_usd', ['usd_per_gpu_hour', 'mfu'])
        >>> mfu = result["bars"][1]  # 25% and 55% against the 40% entered
        >>> round(mfu["low"] / result["base"]["value"], 3), round(mfu["high"] / result["base"]["value"], 3)
        (1.6, 0.727)
    """
    out: dict[str, Any] = {"calculator": calculator_id if isinstance(calculator_id, str) else None, "errors": [],
                           "output": None, "base": None, "bars": [], "chart": None, "outputs": [], "notes": []}
    try:
        calc = get_calculator(calculator_id)
    except CalculatorLoadError as exc:
        return {**out, "errors": [{"field": None, "message": str(exc)}]}
    if calc is None:
        known = ", ".join(calculator_ids())
        return {**out, "errors": [{"field": None, "message": f"No calculator “{str(calculator_id)[:40]}”. Known: {known}."}]}
    values, errors = read_inputs(calc, inputs or {})
    if errors:
        return {**out, "errors": [e.as_dict() for e in errors]}
    share, problem = _percent(percent)
    if problem:
        return {**out, "errors": [{"field": "percent", "message": problem}]}
    base_values = calc.compute(values).values
    numeric = [o for o in calc.outputs if _finite(base_values.get(o.name))]
    out["outputs"] = [{"name": o.name, "label": o.label} for o in numeric]
    name = output if output not in (None, "") else calc.default_sensitivity_output()
    chosen = next((o for o in calc.outputs if o.name == name), None)
    if chosen is None:
        return {**out, "errors": [{"field": "output", "message": f"{calc.title} has no output named “{str(name)[:40]}”."}]}
    base = base_values.get(chosen.name)
    if not _finite(base):
        return {**out, "errors": [{"field": "output",
                                   "message": f"“{chosen.label}” has no value for these inputs; choose another output."}]}
    out["output"] = {"name": chosen.name, "label": chosen.label, "unit": chosen.unit, "format": chosen.format}
    out["base"] = {"value": base, "text": format_value(base, chosen.format, chosen.unit)}
    bars = []
    for f in calc.fields:
        if not isinstance(f, NumberField) or not is_relevant(f, values):
            continue
        bar = _vary(calc, values, f, chosen.name, chosen.format, chosen.unit, base, share, ranges)
        if bar is not None:
            bars.append(bar)
    bars.sort(key=lambda b: -b["swing"])  # stable: ties keep the form's order
    out["bars"] = bars
    moving = [b for b in bars if b["swing"] > 0][:MAX_BARS]
    if moving:
        spec = tornado_chart(
            title=f"What moves “{chosen.label}”",
            value_label=chosen.label if chosen.format in ("usd", "bytes", "flops") else f"{chosen.label} ({chosen.unit})",
            value_format=chosen.format if chosen.format in CHART_FORMATS else "number",
            base=base, base_label=f"Your inputs: {out['base']['text']}",
            bars=[(b["label"], b["low"] if b["low"] is not None else base, b["high"] if b["high"] is not None else base,
                   b["low_input_text"], b["high_input_text"]) for b in moving])
        out["chart"] = {"spec": spec, "svg": chart_svg(spec), "svg_narrow": chart_svg(spec, narrow=True)}
    notes = [f"Each input is moved alone over its range, the others as entered. Inputs without a stated range are "
             f"moved by ±{format_number(share * 100)}%." if ranges else
             f"Each input is moved alone by ±{format_number(share * 100)}%, the others as entered."]
    still = [b["label"] for b in bars if b["swing"] == 0 and not b["problems"]]
    if still:
        notes.append(f"No effect on “{chosen.label}”: {', '.join(still)}.")
    if len(moving) < len([b for b in bars if b["swing"] > 0]):
        notes.append(f"The chart shows the {MAX_BARS} largest swings; the table lists every input.")
    out["notes"] = notes
    return out


def _vary(calc: Calculator, values: Mapping[str, Any], f: NumberField, output: str, fmt: str, unit: str,
          base: float, share: float, ranges: bool) -> dict[str, Any] | None:
    """One input moved to each end of its range: the output at each end, or why that end is refused."""
    value = values[f.name]
    declared = f.plausible if ranges else None
    if declared is not None:
        low, high = declared.bounds(value)
        how, source = "declared", declared.source
    else:
        low, high = value * (1 - share), value * (1 + share)
        how, source = "percent", f"±{format_number(share * 100)}%"
    low, high = f.clamp(low), f.clamp(high)
    if low == value and high == value:
        return None  # nothing to move (a zero, or a whole number too small for the percentage)
    ends: list[float | None] = []
    problems = []
    for x in (low, high):
        trial = {**values, f.name: x}
        errors = calc.check(trial)
        result = None if errors else calc.compute(trial).values.get(output)
        if errors:
            problems.append(f"{_input_text(f, x)}: {errors[0].message}")
        elif not _finite(result):
            problems.append(f"{_input_text(f, x)}: the output has no value there")
        ends.append(result if not errors and _finite(result) else None)
    reached = [e for e in ends if e is not None]
    swing = abs(max(reached + [base]) - min(reached + [base])) if len(reached) < 2 else abs(ends[1] - ends[0])
    return {
        "field": f.name, "label": f.label, "symbol": f.symbol, "unit": f.unit,
        "low_input": low, "high_input": high, "low_input_text": _input_text(f, low),
        "high_input_text": _input_text(f, high),
        "low": ends[0], "high": ends[1],
        "low_text": format_value(ends[0], fmt, unit) if ends[0] is not None else "",
        "high_text": format_value(ends[1], fmt, unit) if ends[1] is not None else "",
        "swing": swing, "range": how, "source": source, "problems": problems,
    }


def _input_text(f: NumberField, value: float) -> str:
    """An input's value as a reader would write it, with its unit."""
    if f.unit.startswith("fraction"):
        return format_percent(value) + f.unit[len("fraction"):]
    if f.unit.startswith("$"):
        return format_usd(value) + f.unit[1:]
    text = f"{value:,}" if f.integer else format_number(value)
    return f"{text}{f.unit}" if f.unit in ("", "×", "%") else f"{text} {f.unit}"


def _percent(percent: Any) -> tuple[float, str | None]:
    if percent in (None, ""):
        return DEFAULT_PERCENT / 100, None
    field = NumberField(name="percent", label="Percent", default=DEFAULT_PERCENT, minimum=0, exclusive_minimum=True,
                        maximum=99)
    value, problem = field.read(percent)
    return (value / 100 if value is not None else 0.0), problem


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
