"""The round trip the page makes: a result's inputs come back as text, then each field is edited.

For every calculator, its defaults and every preset: the inputs of the result sent back as strings reproduce the
result exactly; each number field changed to other valid values and every combination of choices gives outputs or
field errors, never an exception. The same requests run in Pyodide in tests/test_parity.py.
"""

from __future__ import annotations

import json
import math

import pytest

from calculators import calculator_ids, get_calculator, run
from roundtrip import roundtrip_requests


def check_answer(calc_id: str, what: str, inputs: dict, expected: dict | None) -> str | None:
    """What is wrong with `run`'s answer to this request, or None."""
    try:
        result = run(calc_id, inputs)
    except Exception as exc:  # the bug this test exists for
        return f"{what}: raised {type(exc).__name__}: {exc}"
    try:
        json.dumps(result, allow_nan=False)
    except ValueError as exc:
        return f"{what}: not strict JSON ({exc})"
    if bool(result["errors"]) == bool(result["outputs"]):
        return f"{what}: outputs and errors together, or neither"
    names = {f.name for f in get_calculator(calc_id).fields} | {"preset", None}
    if any(e["field"] not in names for e in result["errors"]):
        return f"{what}: an error names no field of the form: {result['errors']}"
    if any(o["value"] is not None and not math.isfinite(o["value"]) for o in result["outputs"].values()):
        return f"{what}: a non-finite output"
    if expected is not None:
        if result["errors"]:
            return f"{what}: its own inputs, sent back as text, are refused: {result['errors']}"
        got = {name: o["value"] for name, o in result["outputs"].items()}
        want = {name: o["value"] for name, o in expected.items()}
        if got != want:
            return f"{what}: different outputs: {[n for n in want if got.get(n) != want[n]]}"
    return None


@pytest.mark.parametrize("calc_id", calculator_ids())
def test_inputs_back_as_text_then_every_field_edited(calc_id: str) -> None:
    requests = list(roundtrip_requests(calc_id))
    assert len(requests) > 1
    problems = [p for what, inputs, expected in requests if (p := check_answer(calc_id, what, inputs, expected))]
    assert not problems, f"{len(problems)} of {len(requests)} requests failed:\n" + "\n".join(problems[:20])


def test_every_choice_of_every_calculator_is_tried() -> None:
    """The requests cover each option of each choice field at least once (a regression guard on the generator)."""
    from calculators.schema import ChoiceField

    for calc_id in calculator_ids():
        sent = [inputs for _, inputs, _ in roundtrip_requests(calc_id)]
        for f in get_calculator(calc_id).fields:
            if isinstance(f, ChoiceField):
                assert {v for v, _ in f.choices} <= {inputs.get(f.name) for inputs in sent}, (calc_id, f.name)
