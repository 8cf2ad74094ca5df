"""Formulas with the reader's numbers (calculators.formulas): declared once in the docstring of the function that
computes them, their symbols on the Notation page, and the numbers they show are the numbers the widget shows."""

from __future__ import annotations

import doctest
import inspect
import re

import pytest

import calculators.api_pricing
import calculators.attention
import calculators.pricing
import calculators.serving
import calculators.training
from calculators import calculator_ids, get_calculator, run
from calculators.formulas import Formula, explain, formula, formulas, tex_number, tracing
from calculators.notation import symbols

FORMS = {form for s in symbols() for form in s.forms}
FREE = {form.split("_")[0] for s in symbols() if s.free_subscripts for form in s.forms}


def test_every_declared_symbol_occurs_in_its_formula_and_is_on_the_notation_page() -> None:
    marked = formulas()
    assert len(marked) >= 15
    for name, fn in marked.items():
        spec: Formula = fn.formula
        assert spec.missing_symbols() == [], name
        assert set(spec.symbols) <= set(inspect.signature(fn).parameters), name  # named after real arguments
        for symbol in spec.symbols.values():
            base = symbol.split("_")[0] if not symbol.startswith("\\text{USD}") else "\\text{USD}"
            assert symbol in FORMS or base in FREE, (name, symbol)


def test_a_marked_function_keeps_its_signature_its_doctests_and_its_speed_path() -> None:
    fn = calculators.training.gpu_hours_for_flops
    assert fn.__wrapped__.__name__ == "gpu_hours_for_flops"
    assert str(inspect.signature(fn)) == str(inspect.signature(fn.__wrapped__))
    found = {t.name for t in doctest.DocTestFinder().find(calculators.training)}
    assert "calculators.training.gpu_hours_for_flops" in found  # the wrapper lives in its module's globals
    with tracing() as calls:
        pass
    assert calls == []
    fn(total_flops=1e24, peak_flops_per_second=1e15, mfu=0.5)  # outside a trace: nothing recorded anywhere
    with tracing() as calls:
        fn(total_flops=1e24, peak_flops_per_second=1e15, mfu=0.5)
    assert len(calls) == 1 and calls[0].arguments == {"total_flops": 1e24, "peak_flops_per_second": 1e15, "mfu": 0.5}


def test_the_issues_example_gpu_hours_for_deepseek_v3() -> None:
    """Issue 13's example: GPU-hours = 3.252 × 10^24 / (3600 × 989.4 × 10^12 × 0.40) = 2,282,801."""
    result = run("training-cost", {"preset": "deepseek-v3"})
    [gpu_hours] = [f for f in result["formulas"] if f["output"] == "gpu_hours"]
    lines = gpu_hours["tex"].split(r" \\[0.4em] ")[-1].split(r" \\ ")
    assert lines == [r"\text{GPU-hours} &= \dfrac{C}{3600 \cdot P \cdot \mathrm{MFU}}",
                     r"&= \dfrac{3.252 \times 10^{24}}{3600 \cdot 9.894 \times 10^{14} \cdot 0.4}",
                     r"&= 2{,}282{,}801"]
    assert result["outputs"]["gpu_hours"]["text"] == "2,282,801 GPU-hours"  # the number the widget shows
    # where C came from is shown just before, with the output it is (training compute), and not repeated
    [compute] = [f for f in result["formulas"] if f["output"] == "training_flops"]
    assert compute["tex"].startswith(r"C &= C_\text{token} \cdot T_\text{train}")
    assert result["formulas"].index(compute) < result["formulas"].index(gpu_hours)
    assert r"C_\text{token}" not in gpu_hours["tex"]


def test_nested_and_preceding_formulas_are_shown_before_an_output_s_own() -> None:
    result = run("buy-vs-rent", {"preset": "h100-vs-2usd"})
    owned = next(f for f in result["formulas"] if f["output"] == "owned_usd_per_used_hour")
    steps = owned["tex"].split(r" \\[0.4em] ")
    # USD_power was shown with its own output, just before; CRF is computed inside USD_owned's function
    assert [s.split(" &=")[0] for s in steps] == [r"\mathrm{CRF}(\kappa, Y)", r"\text{USD}_\text{owned}"]
    [power] = [f for f in result["formulas"] if f["output"] == "power_usd_per_gpu_hour"]
    assert power["tex"].startswith(r"\text{USD}_\text{power} &=")
    assert r"0.08 \times (1+0.08)^{4}" in steps[0]  # numbers side by side get a sign; an exponent, braces


def _final_number(tex: str) -> str:
    return tex.rsplit("&= ", 1)[1]


@pytest.mark.parametrize("calculator_id", calculator_ids())
def test_each_formula_ends_in_the_output_it_explains(calculator_id: str) -> None:
    """For every preset (or the defaults), the result a formula shows is its output's value (as tex_number writes
    it), and only main outputs get one."""
    calc = get_calculator(calculator_id)
    mains = {o.name for o in calc.outputs if o.main}
    for inputs in [{"preset": name} for name in calc.presets()] or [{}]:
        result = run(calculator_id, inputs)
        for f in result["formulas"]:
            assert f["output"] in mains
            assert _final_number(f["tex"]) == tex_number(result["outputs"][f["output"]]["value"]), (inputs, f)
            assert "{{" not in f["tex"]  # a page must never hold Jinja-looking braces


def test_the_cost_and_memory_calculators_show_formulas() -> None:
    shown = {cid: {f["output"] for f in run(cid, {"preset": get_calculator(cid).default_preset}
                                            if get_calculator(cid).default_preset else {})["formulas"]}
             for cid in ("training-cost", "buy-vs-rent", "kv-cache", "headline-costs")}
    assert shown["training-cost"] >= {"training_flops", "gpu_hours", "cost_usd", "implied_mfu"}
    assert shown["buy-vs-rent"] >= {"owned_usd_per_used_hour", "break_even_utilization"}
    assert "bytes_per_token" in shown["kv-cache"]
    assert shown["headline-costs"] == {"v3_usd", "r1_usd", "llama_usd"}


def test_serving_cost_shows_its_throughput_and_dollar_formulas_with_the_readers_numbers() -> None:
    result = run("serving-cost", {"preset": "deepseek-v3-day6"})
    shown = {f["output"]: f["tex"] for f in result["formulas"]}
    assert set(shown) == {"decode_tokens_per_second_per_gpu", "per_user_tokens_per_second", "usd_per_mtok_input_miss",
                          "usd_per_mtok_output", "usd_per_request"}
    # the decode step comes first, then the throughput it gives, with the batch the widget shows
    steps = shown["decode_tokens_per_second_per_gpu"].split(r" \\[0.4em] ")
    assert [s.split(" &=")[0] for s in steps] == [r"\ell_\text{step}", r"\tau"]
    batch = result["outputs"]["batch"]["value"]
    assert tex_number(batch) in steps[1]
    # a request's dollars: its token classes at the prices computed above, each class with its count
    request = shown["usd_per_request"].split(r" \\[0.4em] ")[-1]
    assert request.startswith(r"\text{USD}_\text{tokens} &=")
    assert tex_number(result["outputs"]["usd_per_mtok_output"]["value"]) in request
    symbols, numbers, _ = request.split(r" \\ ")
    assert r"T_\text{think}" in symbols and "T_" not in numbers  # an argument left at its default shows its value


@pytest.mark.parametrize(("value", "tex"), [
    (2282801.3, "2{,}282{,}801"), (3.252e24, r"3.252 \times 10^{24}"), (0.4, "0.4"), (70272.0, "70{,}272"),
    (0.30192, "0.3019"), (-2.5, "-2.5"), (1.6e9, r"1.6 \times 10^{9}"), (5e-5, r"5 \times 10^{-5}"), (0, "0"),
    (999.94, "999.9"), (1234.5, "1{,}234"),
])
def test_tex_number(value: float, tex: str) -> None:
    assert tex_number(value) == tex


def test_substitution_respects_whole_symbols() -> None:
    """N is not N_active, C not the C of CRF or \\cdot, d not the d of \\dfrac; two numbers never touch."""

    @formula(params="N", other=r"N_\text{active}", c="C", d="d")
    def f(*, params, other, c, d):
        r"""$x = 2 N + N_\text{active} \cdot \mathrm{CRF} + \dfrac{C}{d} + 6 N_\text{active}$"""
        return 0.0

    spec = f.formula
    text = spec.substitute({"params": 7, "other": 3, "c": 10, "d": 4})
    assert text == r"2 \times 7 + 3 \cdot \mathrm{CRF} + \dfrac{10}{4} + 6 \times 3"
    assert spec.missing_symbols() == []
    with tracing() as calls:
        f(params=7, other=3, c=10, d=4)
    assert explain(calls, 0.0) is None  # 0 is too common a value to say which formula made it


def test_a_function_without_a_formula_cannot_be_marked() -> None:
    with pytest.raises(ValueError, match="states no formula"):
        @formula(x="x")
        def g(*, x):
            """No formula here: $x$ alone."""
            return x


def test_tracing_records_at_most_max_calls_and_restores_itself() -> None:
    from calculators import formulas as module

    with tracing() as outer:
        calculators.pricing.rental_cost_usd(gpu_hours=1, usd_per_gpu_hour=2)
        with tracing() as inner:
            for _ in range(module.MAX_CALLS + 10):
                calculators.attention.weight_bytes(params=1e9, bits_per_param=8)
        calculators.pricing.rental_cost_usd(gpu_hours=3, usd_per_gpu_hour=2)
    assert len(inner) == module.MAX_CALLS
    assert [c.result for c in outer] == [2, 6]
    assert module._TRACER.calls is None


def test_formulas_use_the_notation_of_the_reference_pages() -> None:
    """The TeX a widget shows is its function's docstring formula, word for word (declared once)."""
    result = run("kv-cache", {"preset": "deepseek-v3"})
    [per_token] = result["formulas"]
    doc = calculators.attention.kv_cache_bytes_per_token.__doc__
    formula_tex = re.search(r"\$\$(.+?)\$\$", doc, re.S).group(1).strip()
    lhs, rhs = (side.strip() for side in formula_tex.split("=", 1))
    assert rf"{lhs} &= {rhs}" in per_token["tex"]
