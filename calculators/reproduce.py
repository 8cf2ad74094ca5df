"""The same calculation elsewhere: a widget's inputs as the shortest call of `calculators.run` and as a command line
that give the same numbers.

Only inputs that differ from what the preset (or the defaults) gives are written, so the call reads like the
change the reader made: ``calculators.run("training-cost", {"preset": "deepseek-v3", "mfu": 0.45})``.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

from .registry import CalculatorLoadError, get_calculator
from .schema import Calculator, read_inputs

__all__ = ["command_line", "minimal_inputs", "python_code", "reproduce"]


def reproduce(calculator_id: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`inputs` reduced to those that matter (`minimal_inputs`), as Python code and as a command line.

    Returns:
        A JSON-able dict: ``errors`` (as `calculators.run` gives them: invalid inputs reproduce nothing),
        ``inputs`` (the reduced inputs, typed), ``python`` and ``command`` (text to copy).

    Examples:
        >>> print(reproduce("training-cost", {"preset": "deepseek-v3", "mfu": "0.45", "gpus": "2048"})["command"])
        python -m calculators run training-cost --preset deepseek-v3 mfu=0.45
    """
    out: dict[str, Any] = {"errors": [], "inputs": {}, "python": "", "command": ""}
    try:
        calc = get_calculator(calculator_id)
    except CalculatorLoadError as exc:
        return {**out, "errors": [{"field": None, "message": str(exc)}]}
    if calc is None:
        return {**out, "errors": [{"field": None, "message": f"No calculator “{str(calculator_id)[:40]}”."}]}
    reduced, errors = minimal_inputs(calc, inputs or {})
    if errors:
        return {**out, "errors": errors}
    return {**out, "inputs": reduced, "python": python_code(calc.id, reduced),
            "command": command_line(calc.id, reduced)}


def minimal_inputs(calc: Calculator, inputs: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The fewest inputs that `read_inputs` reads to the same values of every field: a preset, the config if it is
    not the preset's, and each field whose value differs from what those two give (a field hidden for the choices
    made may still feed an output: the detailed FLOP count uses the sequence length even when 6N is chosen).
    Returns the inputs (typed: numbers as numbers) and the errors, if the inputs are invalid.

    Inputs that name no preset (the reader edited a preset's field) are written over whichever preset makes them
    shortest, provided the outputs stay the same: "DeepSeek-V3 with MFU 0.45" rather than its whole config.
    """
    values, errors = read_inputs(calc, inputs)
    if errors:
        return {}, [e.as_dict() for e in errors]
    fields = list(calc.fields)
    own = values.get("preset")
    exact = _over(calc, values, fields, own)
    if own:
        return exact, []
    best = min((_over(calc, values, fields, name) for name in calc.presets()), key=_size, default=exact)
    if _size(best) < _size(exact) and calc.compute(read_inputs(calc, best)[0]).values == calc.compute(values).values:
        return best, []
    return exact, []


def _over(calc: Calculator, values: Mapping[str, Any], fields: list[Any], preset: str | None) -> dict[str, Any]:
    """`values` as changes to `preset` (None: to the defaults)."""
    base: dict[str, Any] = {"preset": preset} if preset else {}
    if calc.field("config") is not None:
        preset_config = read_inputs(calc, base)[0].get("config")
        if values["config"] != preset_config:
            base["config"] = values["config"]
    given = read_inputs(calc, base)[0]
    reduced = {**base, **{f.name: values[f.name] for f in fields if f.name != "config"
                          and not _same(values[f.name], given.get(f.name))}}
    check = read_inputs(calc, reduced)[0]
    if any(not _same(check[f.name], values[f.name]) for f in fields):  # cannot happen; be safe all the same
        reduced = {**base, **{f.name: values[f.name] for f in fields}}
    return reduced


def _size(inputs: Mapping[str, Any]) -> int:
    return len(json.dumps(inputs))


def python_code(calculator_id: str, inputs: Mapping[str, Any]) -> str:
    """A short Python program that runs the calculator on `inputs` and prints its outputs.

    Examples:
        >>> print(python_code("kv-cache", {"preset": "deepseek-v3", "context_length": 65536}))
        import calculators
        <BLANKLINE>
        result = calculators.run("kv-cache", {
            "preset": "deepseek-v3",
            "context_length": 65536,
        })
        for output in result["outputs"].values():
            print(f"{output['label']}: {output['text']}")
    """
    lines = ["import calculators", "", f"result = calculators.run({json.dumps(calculator_id)}, {{"]
    lines += [f"    {json.dumps(name)}: {_python_value(value)}," for name, value in inputs.items()]
    lines += ["})", "for output in result[\"outputs\"].values():", "    print(f\"{output['label']}: {output['text']}\")"]
    if not inputs:
        lines[2:4] = [f"result = calculators.run({json.dumps(calculator_id)}, {{}})"]
    return "\n".join(lines)


def command_line(calculator_id: str, inputs: Mapping[str, Any]) -> str:
    """The command (POSIX shell quoting) that runs the calculator on `inputs`."""
    words = ["python", "-m", "calculators", "run", calculator_id]
    if inputs.get("preset"):
        words += ["--preset", str(inputs["preset"])]
    words += [f"{name}={_text(value)}" for name, value in inputs.items() if name != "preset"]
    return " ".join(shlex.quote(w) for w in words)


def _text(value: Any) -> str:
    """A value as the command line (and a form) writes it: a whole float without its ".0", any other number exactly."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _python_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return _text(value)


def _same(a: Any, b: Any) -> bool:
    """Equal values (read values are never NaN; 2 and 2.0 are the same input)."""
    return a == b
