"""The registry: every calculator by its public id, and `run`, the one entry point the CLI, the docs build and
the browser worker all call.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from .charts import chart_svg
from .formatting import format_value
from .schema import Calculator, FieldError, read_inputs

__all__ = ["calculator_ids", "get_calculator", "list_calculators", "register", "run", "run_json"]

_REGISTRY: dict[str, Calculator] = {}


def register(calc: Calculator) -> Calculator:
    """Add `calc` under its id; ids are public (URLs, CLI), so a clash is a programming error."""
    if calc.id in _REGISTRY:
        raise ValueError(f"calculator id {calc.id!r} registered twice")
    _REGISTRY[calc.id] = calc
    return calc


def _load_catalog() -> None:
    if not _REGISTRY:
        from . import catalog  # noqa: F401  (registers the calculators on import)


def calculator_ids() -> list[str]:
    """The ids of all calculators, in registration order."""
    _load_catalog()
    return list(_REGISTRY)


def get_calculator(calculator_id: str) -> Calculator | None:
    """The calculator with this id, or None."""
    _load_catalog()
    return _REGISTRY.get(calculator_id)


def list_calculators() -> list[dict[str, Any]]:
    """The JSON-able schema of every calculator: id, title, inputs, outputs, presets, examples."""
    _load_catalog()
    return [calc.schema() for calc in _REGISTRY.values()]


def run(calculator_id: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Run a calculator on `inputs` (strings or numbers; ``"preset"`` picks a preset) and return a JSON-able dict.

    Never raises for bad input. The result has ``outputs`` (name -> value, unit, label, format, text), ``errors``
    (a list of ``{field, message}``; when it is not empty, ``outputs`` is empty: nothing is computed from an invalid
    set), ``inputs`` (the values used, after preset and defaults), ``notes`` (remarks about the result) and
    ``charts`` (each a ``spec`` dict and the ``svg`` drawn from it by `calculators.charts`) and ``tables`` (titled
    rows of formatted text).

    Examples:
        >>> result = run("kv-cache", {"preset": "deepseek-v3", "bits_per_element": "16"})
        >>> result["outputs"]["bytes_per_token"]["value"]
        70272.0
        >>> run("kv-cache", {"layers": "-3"})["errors"]
        [{'field': 'layers', 'message': 'Must be at least 1.'}]
    """
    calc = get_calculator(calculator_id) if isinstance(calculator_id, str) else None
    if calc is None:
        known = ", ".join(calculator_ids())
        return _response(calculator_id, {}, {}, [FieldError(field=None, message=f"No calculator “{calculator_id}”. Known: {known}.")], ())
    values, errors = read_inputs(calc, inputs or {})
    if errors:
        return _response(calc.id, values, {}, errors, ())
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
            "text": format_value(value, out.format),
        }
    charts = [{"spec": spec, "svg": chart_svg(spec)} for spec in result.charts]  # after the finiteness check
    return _response(calc.id, values, outputs, [], result.notes, charts, [dict(t) for t in result.tables])


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
    }
