"""The registry's contract: run() reads strings or numbers, never raises for bad input, returns JSON-able dicts."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import calculator_ids, get_calculator, list_calculators, run
from calculators.registry import run_json


def errors_for(field: str, value, **others) -> list[dict]:
    return [e for e in run("kv-cache", {field: value, **others})["errors"] if e["field"] == field]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter a number."),
        ("   ", "Enter a number."),
        ("abc", "“abc” is not a number."),
        ("12abc", "“12abc” is not a number."),
        ("nan", "Enter a finite number."),
        ("NaN", "Enter a finite number."),
        ("inf", "Enter a finite number."),
        ("-Infinity", "Enter a finite number."),
        (float("nan"), "Enter a finite number."),
        (float("inf"), "Enter a finite number."),
        ("-3", "Must be at least 1."),
        ("0", "Must be at least 1."),
        ("2.5", "Enter a whole number."),
        ("1e12", "Must be at most 10,000."),
        ("9" * 400, "Must be at most 10,000."),
        (True, "Enter a number, not true/false."),
        (None, "Enter a number."),
        ([1], "Enter a number."),
    ],
)
def test_bad_numbers_get_a_clear_message(value, message) -> None:
    assert errors_for("layers", value) == [{"field": "layers", "message": message}]


def test_long_bad_text_is_shortened_in_the_message() -> None:
    [error] = errors_for("layers", "x" * 1000)
    assert len(error["message"]) < 80


@pytest.mark.parametrize("value", ["61", " 61 ", 61, 61.0, "61.0", "6.1e1", "+61", "6_1"])
def test_good_numbers_in_any_spelling(value) -> None:
    result = run("kv-cache", {"preset": "deepseek-v3", "layers": value})
    assert result["errors"] == []
    assert result["inputs"]["layers"] == 61


def test_thousands_separators() -> None:
    assert run("kv-cache", {"context_length": "131,072"})["inputs"]["context_length"] == 131072
    assert errors_for("context_length", "1,31,072")


def test_zero_where_positive_is_required() -> None:
    assert errors_for("bits_per_element", "0") == [{"field": "bits_per_element", "message": "Must be greater than 0."}]
    assert run("kv-cache", {"attention": "mla", "rope_head_dim": "0"})["errors"] == []  # zero allowed here


def test_kv_heads_must_divide_heads_for_gqa() -> None:
    errs = run("kv-cache", {"attention": "gqa", "heads": 64, "kv_heads": 7})["errors"]
    assert errs == [{"field": "kv_heads", "message": "Must divide the 64 attention heads evenly."}]
    errs = run("kv-cache", {"attention": "gqa", "heads": 8, "kv_heads": 16})["errors"]
    assert errs == [{"field": "kv_heads", "message": "Cannot exceed the 8 attention heads."}]


def test_irrelevant_fields_are_not_validated() -> None:
    """kv_heads only matters for GQA: an MHA request with a bad kv_heads still computes."""
    result = run("kv-cache", {"attention": "mha", "kv_heads": "garbage"})
    assert result["errors"] == []
    assert result["outputs"]["ratio_to_mha"]["value"] == 1


def test_choice_validation() -> None:
    assert run("kv-cache", {"attention": "MLA"})["inputs"]["attention"] == "mla"
    [error] = run("kv-cache", {"attention": "flash"})["errors"]
    assert error["field"] == "attention" and error["message"].startswith("Choose one of: MHA, GQA, MQA, MLA")


def test_unknown_input_preset_and_calculator() -> None:
    assert run("kv-cache", {"colour": "red"})["errors"] == [
        {"field": "colour", "message": "KV-cache size has no input named “colour”."}
    ]
    [error] = run("kv-cache", {"preset": "gpt-9"})["errors"]
    assert error["field"] == "preset" and "gpt-9" in error["message"]
    result = run("no-such-calculator", {})
    assert result["errors"][0]["field"] is None and "no-such-calculator" in result["errors"][0]["message"]
    assert run(None, {})["errors"]  # type: ignore[arg-type]


def test_invalid_set_computes_nothing() -> None:
    result = run("kv-cache", {"layers": "x", "context_length": 10})
    assert result["outputs"] == {}


def test_preset_fills_and_explicit_inputs_override() -> None:
    preset = run("kv-cache", {"preset": "llama-3.1-405b"})["inputs"]
    assert (preset["attention"], preset["layers"], preset["kv_heads"]) == ("gqa", 126, 8)
    override = run("kv-cache", {"preset": "llama-3.1-405b", "layers": "10"})
    assert override["inputs"]["layers"] == 10 and override["inputs"]["heads"] == 128
    assert run("kv-cache", {"preset": "custom"})["errors"] == []


def test_results_are_json_serialisable_and_finite() -> None:
    for calc_id in calculator_ids():
        calc = get_calculator(calc_id)
        for preset in [None, *calc.presets()]:
            result = run(calc_id, {"preset": preset} if preset else {})
            text = json.dumps(result, allow_nan=False)
            assert json.loads(text) == result
            for out in result["outputs"].values():
                assert out["value"] is None or math.isfinite(out["value"])


def test_absurd_but_valid_magnitudes_stay_finite() -> None:
    result = run("kv-cache", {"attention": "mha", "layers": 10_000, "heads": 100_000, "head_dim": 100_000,
                              "context_length": 1e9, "batch_size": 1e7, "bits_per_element": 64})
    assert result["errors"] == []
    assert math.isfinite(result["outputs"]["cache_bytes"]["value"])


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(["layers", "heads", "kv_heads", "head_dim", "attention", "bits_per_element",
                                        "context_length", "batch_size", "accelerator", "accelerator_count",
                                        "params_billion", "weight_bits", "preset", "kv_lora_rank", "junk"]),
                       st.one_of(st.text(max_size=30), st.floats(), st.integers(), st.none(), st.booleans())))
def test_any_input_gives_errors_or_outputs_never_an_exception(inputs) -> None:
    result = run("kv-cache", inputs)
    json.dumps(result)
    assert bool(result["errors"]) != bool(result["outputs"])
    for error in result["errors"]:
        assert isinstance(error["message"], str) and error["message"]


@given(st.text(max_size=200))
def test_run_json_accepts_any_text(text) -> None:
    result = json.loads(run_json("kv-cache", text))
    assert isinstance(result["errors"], list)


def test_schema_lists_inputs_outputs_presets() -> None:
    schema = list_calculators()[0]
    assert schema["id"] == "kv-cache"
    names = {f["name"] for f in schema["inputs"]}
    assert {"attention", "layers", "heads", "kv_heads", "head_dim", "kv_lora_rank", "rope_head_dim",
            "bits_per_element", "context_length", "batch_size", "accelerator"} <= names
    presets = {p["name"] for p in schema["presets"]}
    assert {"deepseek-v3", "deepseek-v2", "deepseek-llm-67b", "llama-3.1-405b", "llama-3.1-8b", "qwen2.5-72b"} <= presets
    assert all(o["unit"] and o["label"] for o in schema["outputs"])
    json.dumps(schema)


# The declared registry: one list of ids, modules imported on demand, no import cycle.

def test_catalog_modules_never_import_the_registry() -> None:
    """A catalog module defines its calculator; only the registry knows the catalog (no cycle)."""
    import ast
    from pathlib import Path

    catalog = Path(__file__).resolve().parents[1] / "calculators" / "catalog"
    for path in sorted(catalog.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [alias.name for alias in node.names]
                assert not any("registry" in name for name in names), f"{path.name} imports the registry"
            elif isinstance(node, ast.Import):
                assert not any("registry" in alias.name for alias in node.names), path.name


def test_every_declared_module_defines_its_calculator() -> None:
    from calculators.registry import CATALOG

    assert calculator_ids() == list(CATALOG)
    for calc_id in CATALOG:
        assert get_calculator(calc_id).id == calc_id


def test_running_kv_cache_imports_no_other_catalog_module() -> None:
    """In a fresh interpreter, `run("kv-cache")` imports its own module and the shared helpers, nothing else."""
    import subprocess
    import sys

    code = ("import sys, calculators; r = calculators.run('kv-cache', {'preset': 'deepseek-v3'}); "
            "assert not r['errors']; print(sorted(m for m in sys.modules if m.startswith('calculators.catalog.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.replace("'", '"')) == ["calculators.catalog.common", "calculators.catalog.kv_cache"]


def test_a_failed_import_fails_that_calculator_alone_and_is_retried(monkeypatch) -> None:
    import sys
    import types

    from calculators import registry
    from calculators.schema import Calculator, Output, Result

    monkeypatch.setitem(registry.CATALOG, "flaky", "flaky_for_test")
    result = run("flaky", {})
    assert not result["outputs"]
    assert result["errors"][0]["message"].startswith("The calculator “flaky” could not be loaded (ModuleNotFoundError")
    assert not run("kv-cache", {})["errors"]  # the others still work
    # The failure is not remembered: once the module imports, the same id loads.
    module = types.ModuleType("calculators.catalog.flaky_for_test")
    module.CALCULATOR = Calculator(id="flaky", title="Flaky", summary="", fields=(),
                                   outputs=(Output(name="one", label="One", unit="1"),),
                                   compute=lambda values: Result(values={"one": 1.0}))
    monkeypatch.setitem(sys.modules, "calculators.catalog.flaky_for_test", module)
    monkeypatch.delitem(registry._LOADED, "flaky", raising=False)
    assert run("flaky", {})["outputs"]["one"]["value"] == 1.0
    registry._LOADED.pop("flaky", None)


def test_presets_are_built_once_per_process() -> None:
    calc = get_calculator("training-cost")
    assert calc.presets() is calc.presets()
