"""The registry: every calculator by its public id, and `run`, the one entry point the CLI, the docs build and
the browser worker all call.
"""

from __future__ import annotations

import importlib
import json
import math
import sys
from collections.abc import Mapping
from typing import Any

from .charts import chart_svg
from .formatting import format_value
from .formulas import STEP_SEPARATOR, explain, tracing
from .schema import Calculator, FieldError, read_inputs

__all__ = ["CATALOG", "TOOLS", "CalculatorLoadError", "calculator_ids", "get_calculator", "list_calculators", "run",
           "run_json", "tool_json"]

CATALOG: dict[str, str] = {
    # attention and models
    "kv-cache": "kv_cache",
    "model-params": "model_params",
    "moe-design": "moe_design",
    "moe-router": "moe_router",
    # training cost and ownership
    "training-cost": "training_cost",
    "run-bill": "run_bill",
    "precision": "precision",
    "buy-vs-rent": "buy_vs_rent",
    "full-cost": "full_cost",
    "headline-costs": "headline_costs",
    # serving
    "serving-cost": "serving_cost",
    "serving-disclosure": "serving_disclosure",
    "serving-measured": "serving_measured",
    # reinforcement learning
    "grpo-advantages": "grpo_advantages",
    "ppo-vs-grpo": "ppo_vs_grpo",
    "rl-run-bill": "rl_run_bill",
    # API prices
    "api-cost": "api_cost",
    "reasoning-cost": "reasoning_cost",
    "price-trend": "price_trend",
}
"""Every calculator id, in the order the CLI and the reference list them, with the module of
`calculators.catalog` that defines it as ``CALCULATOR``. Ids are public (URLs, CLI): never rename one."""

_LOADED: dict[str, Calculator] = {}


class CalculatorLoadError(RuntimeError):
    """A calculator's module failed to import; the next call tries again."""


def _load(calculator_id: str) -> Calculator:
    """Import the module that defines `calculator_id` (only that one) and return its ``CALCULATOR``."""
    calc = _LOADED.get(calculator_id)
    if calc is not None:
        return calc
    name = f"{__package__}.catalog.{CATALOG[calculator_id]}"
    try:
        module = importlib.import_module(name)
        calc = module.CALCULATOR
    except Exception as exc:  # a broken module fails its own calculator, not the others
        sys.modules.pop(name, None)  # so that the next call imports it afresh
        raise CalculatorLoadError(f"The calculator “{calculator_id}” could not be loaded "
                                  f"({type(exc).__name__}: {exc}).") from exc
    if not isinstance(calc, Calculator) or calc.id != calculator_id:
        raise CalculatorLoadError(f"{name}.CALCULATOR is not the calculator “{calculator_id}”.")
    _LOADED[calculator_id] = calc
    return calc


def calculator_ids() -> list[str]:
    """The ids of all calculators, in catalog order (imports none of them)."""
    return list(CATALOG)


def get_calculator(calculator_id: str) -> Calculator | None:
    """The calculator with this id (importing its module on first use), or None for an unknown id.

    Raises:
        CalculatorLoadError: the calculator's module failed to import.
    """
    if not isinstance(calculator_id, str) or calculator_id not in CATALOG:
        return None
    return _load(calculator_id)


def list_calculators() -> list[dict[str, Any]]:
    """The JSON-able schema of every calculator (imports them all): id, title, inputs, outputs, presets, examples."""
    return [_load(calculator_id).schema() for calculator_id in CATALOG]


def run(calculator_id: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Run a calculator on `inputs` (strings or numbers; ``"preset"`` picks a preset) and return a JSON-able dict.

    Never raises for bad input. The result has ``outputs`` (name -> value, unit, label, format, text), ``errors``
    (a list of ``{field, message}``; when it is not empty, ``outputs`` is empty: nothing is computed from an invalid
    set), ``inputs`` (the values used, after preset and defaults), ``notes`` (remarks about the result),
    ``verdicts`` (``{ok, title, text}``: "Does not fit" and the like), ``charts`` (each a ``spec`` dict, the ``svg``
    drawn from it by `calculators.charts` for a wide box and the ``svg_narrow`` drawn for a phone), ``tables``
    (titled rows of formatted text) and ``formulas`` (for each main output whose value a formula of the package
    computed, ``{output, label, tex}``: the formula with symbols, with these numbers, and its result, as the lines
    of a TeX ``aligned`` block, after the steps that led to it that an earlier output did not show; see
    `calculators.formulas`).

    Examples:
        >>> result = run("kv-cache", {"preset": "deepseek-v3", "bits_per_element": "16"})
        >>> result["outputs"]["bytes_per_token"]["value"]
        70272.0
        >>> run("kv-cache", {"layers": "-3"})["errors"]
        [{'field': 'layers', 'message': 'Must be at least 1.'}]
    """
    try:
        calc = get_calculator(calculator_id)
    except CalculatorLoadError as exc:
        return _response(calculator_id, {}, {}, [FieldError(field=None, message=str(exc))], ())
    if calc is None:
        known = ", ".join(calculator_ids())
        return _response(calculator_id, {}, {}, [FieldError(field=None, message=f"No calculator “{calculator_id}”. Known: {known}.")], ())
    values, errors = read_inputs(calc, inputs or {})
    if errors:
        return _response(calc.id, values, {}, errors, ())
    with tracing() as calls:
        result = calc.compute(values)
    outputs: dict[str, Any] = {}
    for out in calc.outputs:
        value = result.values.get(out.name)
        if value is not None and not math.isfinite(value):
            return _response(calc.id, values, {}, [FieldError(field=None, message=f"{out.label} is too large to compute; use smaller inputs.")], ())
        outputs[out.name] = {
            "value": value,
            "unit": out.unit,
            "label": out.label,
            "format": out.format,
            "text": format_value(value, out.format, out.unit),
        }
    charts = [{"spec": spec, "svg": chart_svg(spec), "svg_narrow": chart_svg(spec, narrow=True)}
              for spec in result.charts]  # after the finiteness check
    formulas, shown = [], set()
    for out in calc.outputs:
        tex = explain(calls, outputs[out.name]["value"]) if out.main else None
        if tex is not None:  # the steps an earlier output already showed are not repeated; its own formula is
            *before, own = tex.split(STEP_SEPARATOR)
            steps = [step for step in before if step not in shown] + [own]
            shown.update(steps)
            formulas.append({"output": out.name, "label": out.label, "tex": STEP_SEPARATOR.join(steps)})
    response = _response(calc.id, values, outputs, [], result.notes, charts, [dict(t) for t in result.tables])
    response["verdicts"] = [v.as_dict() for v in result.verdicts]
    response["formulas"] = formulas
    return response


def run_json(calculator_id: str, inputs_json: str) -> str:
    """`run` with the inputs as JSON text and the result as JSON text: what the browser worker calls.

    Examples:
        >>> json.loads(run_json("kv-cache", "[1]"))["errors"]
        [{'field': None, 'message': 'Inputs must be a JSON object of names to values.'}]
    """
    try:
        inputs = json.loads(inputs_json)
    except (TypeError, ValueError):
        inputs = None
    if not isinstance(inputs, dict):
        error = FieldError(field=None, message="Inputs must be a JSON object of names to values.")
        return json.dumps(_response(calculator_id, {}, {}, [error], ()), ensure_ascii=False)
    return json.dumps(run(calculator_id, inputs), ensure_ascii=False)


TOOLS = ("sensitivity", "reproduce")
"""What `tool_json` can do besides `run`: `calculators.sensitivity.sensitivity` (options ``output``, ``percent``,
``ranges``) and `calculators.reproduce.reproduce` (no options)."""


def tool_json(tool: str, calculator_id: str, inputs_json: str, options_json: str = "{}") -> str:
    """One of `TOOLS` on a calculator's inputs, JSON text in and out: what the browser worker calls for a widget's
    "Which inputs matter?" and "Copy as Python". Never raises for bad input.

    Examples:
        >>> json.loads(tool_json("reproduce", "kv-cache", '{"preset": "deepseek-v3"}'))["command"]
        'python -m calculators run kv-cache --preset deepseek-v3'
        >>> json.loads(tool_json("rm -rf", "kv-cache", "{}"))["errors"][0]["message"]
        'No tool “rm -rf”. Known: sensitivity, reproduce.'
    """
    try:
        inputs = json.loads(inputs_json)
        options = json.loads(options_json)
    except (TypeError, ValueError):
        inputs = options = None
    if not isinstance(inputs, dict) or not isinstance(options, dict):
        return json.dumps({"errors": [{"field": None, "message": "Inputs and options must be JSON objects."}]})
    if tool == "sensitivity":
        from .sensitivity import sensitivity  # noqa: PLC0415 (it imports this module)

        ranges = options.get("ranges", True)
        answer = sensitivity(calculator_id, inputs, output=options.get("output"), percent=options.get("percent"),
                             ranges=ranges if isinstance(ranges, bool) else True)
    elif tool == "reproduce":
        from .reproduce import reproduce  # noqa: PLC0415 (it imports this module)

        answer = reproduce(calculator_id, inputs)
    else:
        message = f"No tool “{str(tool)[:40]}”. Known: {', '.join(TOOLS)}."
        answer = {"errors": [{"field": None, "message": message}]}
    return json.dumps(answer, ensure_ascii=False)


def _response(calc_id: Any, values: Mapping[str, Any], outputs: dict[str, Any], errors: list[FieldError],
              notes: tuple[str, ...], charts: list[dict[str, Any]] | None = None,
              tables: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "calculator": calc_id if isinstance(calc_id, str) else None,
        "inputs": dict(values),
        "outputs": outputs,
        "errors": [e.as_dict() for e in errors],
        "notes": list(notes),
        "charts": charts or [],
        "tables": tables or [],
        "verdicts": [],
        "formulas": [],
    }
