"""Requests as the page sends them: a result's own inputs sent back as text, then each field changed.

Shared by the CPython property test (tests/test_roundtrip.py) and the Pyodide parity test, so both run the same
requests. The page renders every input as text (scripts/sitebuild/templates/widget.html.j2 writes a whole float
without its ".0"), and sends every control's text back, the preset too, whether the field matters or not.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from typing import Any

from calculators import calculator_ids, get_calculator, run
from calculators.schema import Calculator, ChoiceField, NumberField

MAX_COMBINATIONS = 1024
"""Choice combinations per preset tried exhaustively; beyond, a fixed random sample of this many (and every option
of every choice at least once)."""


def page_text(value: Any) -> str:
    """What a form control holds for an input value (the template writes 2.0 as "2", None as "")."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    return "" if value is None else str(value)


def other_values(field: NumberField, current: float) -> list[float]:
    """Other values the field accepts: its bounds, its default, and the current value scaled and shifted."""
    candidates = [field.default, current * 2, current / 2, current + 1, current - 1, current * 10, current / 10]
    if field.minimum is not None:
        candidates.append(field.minimum * 1.5 + 1e-3 if field.exclusive_minimum else field.minimum)
    if field.maximum is not None:
        candidates.append(field.maximum)
    out: list[float] = []
    for value in candidates:
        if field.integer:
            value = round(value)
        if value != current and value not in out and field.read(page_text(value))[1] is None:
            out.append(value)
    return out


def choice_combinations(calc: Calculator) -> list[dict[str, str]]:
    """Every combination of the calculator's choices (or a fixed sample when there are too many)."""
    choices = [f for f in calc.fields if isinstance(f, ChoiceField)]
    combos = [dict(zip([f.name for f in choices], values))
              for values in itertools.product(*[[v for v, _ in f.choices] for f in choices])]
    if len(combos) <= MAX_COMBINATIONS:
        return combos
    sample = random.Random(calc.id).sample(combos, MAX_COMBINATIONS)
    for f in choices:  # every option at least once
        for value, _ in f.choices:
            if not any(c[f.name] == value for c in sample):
                sample.append(next(c for c in combos if c[f.name] == value))
    return sample


def roundtrip_requests(calculator_id: str) -> Iterator[tuple[str, dict[str, str], dict[str, Any] | None]]:
    """(what the request is, the inputs as text, the outputs it must reproduce or None) for one calculator.

    For the defaults (unless the page always starts from a preset) and each preset: the result's inputs sent back as text, with the preset and as "custom"
    (these must reproduce the result exactly); then each number field set to each of `other_values`; then every
    choice combination.
    """
    calc = get_calculator(calculator_id)
    starts = [*calc.presets()] if calc.default_preset else [None, *calc.presets()]  # as the page can start
    for preset in starts:
        base = run(calc.id, {"preset": preset} if preset else {})
        assert not base["errors"], (calc.id, preset, base["errors"])
        page = {f.name: page_text(base["inputs"][f.name]) for f in calc.fields}
        sent = {**page, "preset": preset} if preset else page
        label = f"{calc.id} preset={preset or 'default'}"
        yield f"{label}: inputs back as text", sent, base["outputs"]
        if preset:
            yield f"{label}: inputs back as text, as custom", page, base["outputs"]
        for f in calc.fields:
            if isinstance(f, NumberField):
                for value in other_values(f, base["inputs"][f.name]):
                    yield f"{label}: {f.name}={page_text(value)}", {**sent, f.name: page_text(value)}, None
        for combo in choice_combinations(calc):
            yield f"{label}: {combo}", {**sent, **combo}, None


def all_roundtrip_requests() -> list[tuple[str, str, dict[str, str], dict[str, Any] | None]]:
    """`roundtrip_requests` of every calculator: (calculator id, what, inputs, expected outputs or None)."""
    return [(calc_id, what, inputs, expected) for calc_id in calculator_ids()
            for what, inputs, expected in roundtrip_requests(calc_id)]
