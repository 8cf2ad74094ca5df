"""Copy as Python and Copy as a command (calculators.reproduce): the shortest inputs that give the same numbers,
written as code and as a command line that, run in CPython, print them."""

from __future__ import annotations

import contextlib
import io
import json
import shlex

import pytest

from calculators import calculator_ids, data, get_calculator, run
from calculators.cli import main
from calculators.reproduce import minimal_inputs, reproduce
from roundtrip import roundtrip_requests


def _values(result: dict) -> dict:
    return {name: o["value"] for name, o in result["outputs"].items()}


def _sample(calculator_id: str, every: int = 5) -> list[dict]:
    """Requests as the page sends them: each preset's inputs back as text, and a sample of single edits."""
    requests = [inputs for what, inputs, _ in roundtrip_requests(calculator_id)]
    return requests[::every]


@pytest.mark.parametrize("calculator_id", calculator_ids())
def test_the_reduced_inputs_give_the_same_numbers(calculator_id: str) -> None:
    calc = get_calculator(calculator_id)
    for inputs in _sample(calculator_id):
        full = run(calculator_id, inputs)
        if full["errors"]:
            continue
        reduced, errors = minimal_inputs(calc, inputs)
        assert errors == []
        assert _values(run(calculator_id, reduced)) == _values(full), (inputs, reduced)
        assert len(reduced) <= len([k for k in inputs if k != "preset"]) + 1


def _run_python(code: str) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<copied>", "exec"), {})  # noqa: S102 - code the package wrote, the test runs it
    return out.getvalue().splitlines()


def _run_command(command: str) -> dict:
    words = shlex.split(command)
    assert words[:4] == ["python", "-m", "calculators", "run"]
    out = io.StringIO()
    assert main([*words[3:], "--json"], out=out, err=io.StringIO()) == 0
    return {name: o["value"] for name, o in json.loads(out.getvalue())["outputs"].items()}


@pytest.mark.parametrize(("calculator_id", "inputs"), [
    ("training-cost", {"preset": "deepseek-v3", "mfu": "0.45", "usd_per_gpu_hour": "3"}),
    ("kv-cache", {"preset": "llama-3.1-405b", "context_length": "8192", "accelerator": "h100"}),
    ("buy-vs-rent", {"preset": "b200-vs-lambda", "utilization": "0.6"}),
    ("grpo-advantages", {"rewards": "1, 0, 0, 1, 1", "advantage_scaling": "none"}),
    ("api-cost", {"preset": "r1-vs-o1", "date": "2025-03-03", "time_utc": "20:00"}),
    ("model-params", {"config": json.dumps(data.models()["mixtral-8x7b"].config)}),
])
def test_the_copied_python_and_command_print_the_numbers(calculator_id: str, inputs: dict) -> None:
    expected = run(calculator_id, inputs)
    assert expected["errors"] == []
    copied = reproduce(calculator_id, inputs)
    assert copied["errors"] == []
    printed = _run_python(copied["python"])
    assert printed == [f"{o['label']}: {o['text']}" for o in expected["outputs"].values()]
    assert _run_command(copied["command"]) == _values(expected)


def test_a_custom_edit_is_written_over_the_nearest_preset() -> None:
    """Editing a preset's field makes the page's preset "custom"; the code still reads "DeepSeek-V3 with MFU 0.45",
    not the whole config pasted in."""
    page = {k: str(v) for k, v in run("training-cost", {"preset": "deepseek-v3"})["inputs"].items() if k != "preset"}
    copied = reproduce("training-cost", {**page, "mfu": "0.45"})
    assert copied["command"] == "python -m calculators run training-cost --preset deepseek-v3 mfu=0.45"
    assert copied["inputs"] == {"preset": "deepseek-v3", "mfu": 0.45}


def test_invalid_inputs_reproduce_nothing() -> None:
    copied = reproduce("kv-cache", {"layers": "-1"})
    assert copied["errors"] == [{"field": "layers", "message": "Must be at least 1."}]
    assert copied["python"] == copied["command"] == ""
    assert reproduce("nope", {})["errors"][0]["message"].startswith("No calculator")
