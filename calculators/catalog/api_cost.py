"""Calculator ``api-cost``: a workload priced at two models' API lists in force on a date and time of day: dollars
per request, per day and per month, and how many times one costs the other, per token class and overall."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import api_pricing
from ..charts import bar_chart
from ..formatting import format_count, format_number, format_usd
from ..schema import Calculator, Example, FieldError, NumberField, Output, Result, grouped
from . import api_common as ac

MODELS, WORKLOAD, WHEN = "Models", "Workload", "When"

SIDES = ("a", "b")


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """Comparisons readers bring: R1 against o1 (the '27×'), off-peak, V3 against GPT-4o, after September 2025."""
    workload = {"requests_per_day": 10_000, "prompt_tokens": 2000, "cache_hit_percent": 50, "output_tokens": 500}
    return {
        "r1-vs-o1": ("DeepSeek-R1 vs o1, Feb 2025 (the '27×')",
                     {**workload, "model_a": "deepseek-reasoner", "model_b": "o1", "date": "2025-02-15",
                      "timing": "at", "time_utc": "12:00", "reasoning_tokens_a": 2000, "reasoning_tokens_b": 2000}),
        "r1-vs-o1-offpeak": ("DeepSeek-R1 vs o1, Mar 2025, DeepSeek's off-peak hours",
                             {**workload, "model_a": "deepseek-reasoner", "model_b": "o1", "date": "2025-03-03",
                              "timing": "at", "time_utc": "20:00", "reasoning_tokens_a": 2000,
                              "reasoning_tokens_b": 2000}),
        "v3-vs-gpt-4o": ("DeepSeek-V3 vs GPT-4o, Mar 2025",
                         {**workload, "model_a": "deepseek-chat", "model_b": "gpt-4o", "date": "2025-03-03",
                          "timing": "spread", "time_utc": "12:00", "reasoning_tokens_a": 0, "reasoning_tokens_b": 0}),
        "v3.2-vs-o3": ("DeepSeek-V3.2-Exp thinking vs o3, Oct 2025",
                       {**workload, "model_a": "deepseek-reasoner", "model_b": "o3", "date": "2025-10-15",
                        "timing": "at", "time_utc": "12:00", "reasoning_tokens_a": 2000, "reasoning_tokens_b": 2000}),
    }


def check(values: Mapping[str, Any]) -> list[FieldError]:
    errors = ac.date_errors(values, [values["model_a"], values["model_b"]])
    for side in SIDES:
        model, thinking = values[f"model_{side}"], values[f"reasoning_tokens_{side}"]
        if thinking and model not in ac.REASONING_MODELS:
            errors.append(FieldError(field=f"reasoning_tokens_{side}",
                                     message=f"{model} does not think before it answers: set 0."))
    return errors


def compute(values: Mapping[str, Any]) -> Result:
    prices = {side: ac.resolve(values[f"model_{side}"], values) for side in SIDES}
    costs = {side: api_pricing.request_cost(
        prompt_tokens=values["prompt_tokens"], cache_hit_share=values["cache_hit_percent"] / 100,
        output_tokens=values["output_tokens"], reasoning_tokens=values[f"reasoning_tokens_{side}"],
        input_cache_hit_per_mtok=prices[side].input_cache_hit,
        input_cache_miss_per_mtok=prices[side].input_cache_miss, output_per_mtok=prices[side].output)
        for side in SIDES}
    out: dict[str, float | None] = {}
    for side in SIDES:
        per_day, per_month = api_pricing.workload_cost(per_request=costs[side].total,
                                                       requests_per_day=values["requests_per_day"])
        out.update({f"{side}_request_usd": costs[side].total, f"{side}_day_usd": per_day,
                    f"{side}_month_usd": per_month})
    a, b = prices["a"], prices["b"]
    out.update({
        "ratio_output": api_pricing.price_ratio(a.output, b.output),
        "ratio_input_miss": api_pricing.price_ratio(a.input_cache_miss, b.input_cache_miss),
        "ratio_input_hit": api_pricing.price_ratio(a.input_cache_hit, b.input_cache_hit),
        "ratio_workload": api_pricing.price_ratio(costs["a"].total, costs["b"].total),
    })
    name_a, name_b = values["model_a"], values["model_b"]
    price_table = {
        "title": f"Prices in force, {ac.when_text(values)}, USD per million tokens",
        "columns": ["Token class", name_a, name_b, f"{name_b} / {name_a}"],
        "rows": [[label, ac.money(getattr(a, field)), ac.money(getattr(b, field)),
                  _times(api_pricing.price_ratio(getattr(a, field), getattr(b, field)))]
                 for label, field in (("Input, cache hit", "input_cache_hit"), ("Input, cache miss", "input_cache_miss"),
                                      ("Output (thinking included)", "output"))],
    }
    hit = values["prompt_tokens"] * values["cache_hit_percent"] / 100
    tokens = {"Input, cache hit": (hit, hit), "Input, cache miss": (values["prompt_tokens"] - hit,) * 2,
              "Output, answer": (values["output_tokens"],) * 2,
              "Output, thinking": (values["reasoning_tokens_a"], values["reasoning_tokens_b"])}
    rows = []
    for (label, cost_a), (_, cost_b) in zip(costs["a"].parts(), costs["b"].parts()):
        n_a, n_b = tokens[label]
        rows.append([label, format_count(n_a) if n_a == n_b else f"{format_count(n_a)} / {format_count(n_b)}",
                     _usd(cost_a), _usd(cost_b), _times(api_pricing.price_ratio(cost_a, cost_b))])
    rows.append(["Request", "", _usd(costs["a"].total), _usd(costs["b"].total), _times(out["ratio_workload"])])
    cost_table = {"title": "One request, by token class",
                  "columns": ["Token class", "Tokens", name_a, name_b, f"{name_b} / {name_a}"], "rows": rows}
    chart = bar_chart(
        title=f"Dollars a day for {format_count(values['requests_per_day'])} requests",
        categories=[label for label, _ in costs["a"].parts()],
        series=[(name, [c * values["requests_per_day"] for _, c in costs[side].parts()])
                for side, name in (("a", name_a), ("b", name_b))],
        value_label="US dollars per day", value_format="usd", horizontal=True)
    notes = [f"On output list prices alone {name_b} costs {_times(out['ratio_output'])} {name_a}; for this workload, "
             f"with {format_number(values['cache_hit_percent'])}% of the prompt from cache and the thinking tokens "
             f"given, {_times(out['ratio_workload'])}."]
    if values["reasoning_tokens_a"] != values["reasoning_tokens_b"]:
        notes.append("The two models think for different lengths here: the ratio per request counts that, the ratio "
                     "of prices does not.")
    notes.append("Thinking tokens are billed as output tokens by every provider here, whether the API returns them "
                 "or not.")
    for side in SIDES:
        notes.extend(ac.list_notes(prices[side]))
        cny = ac.cny_note(values[f"model_{side}"], values)
        if cny:
            notes.append(cny)
    notes.append(ac.PRICE_IS_NOT_A_COST)
    return Result(values=out, notes=tuple(notes), tables=(price_table, cost_table), charts=(chart,))


def _times(ratio: float | None) -> str:
    return "–" if ratio is None else f"{format_number(ratio, 3)}×"


def _usd(value: float) -> str:
    return format_usd(value)


def _side_fields(side: str, default_model: str, default_thinking: float) -> tuple[Any, ...]:
    label = "A" if side == "a" else "B"
    return (
        *grouped(MODELS, ac.model_field(f"model_{side}", f"Model {label}", default_model,
                                        "An API model id; the model behind it changed over time (the notes say "
                                        "which).")),
        NumberField(name=f"reasoning_tokens_{side}", label=f"Thinking tokens per answer, model {label}", unit="tokens",
                    default=default_thinking, minimum=0, maximum=1e6,
                    group=MODELS,
                    help="Reasoning the model writes before its answer, billed as output (0 for a model that does "
                         "not think)."),
    )


CALCULATOR = (
    Calculator(
        id="api-cost",
        title="What an API workload costs, at two models' list prices",
        summary="A workload (requests, prompt, cache hits, answer and thinking tokens) and a date and time of day -> "
                "$ per request, per day and per month at each model's list in force, and the ratios.",
        fields=(
            *_side_fields("a", "deepseek-reasoner", 2000),
            *_side_fields("b", "o1", 2000),
            *grouped(WHEN, ac.date_field("2025-02-15"), ac.timing_field(), ac.time_field()),
            NumberField(name="requests_per_day", label="Requests per day", default=10_000, minimum=0, maximum=1e12,
                        group=WORKLOAD,
                        help="How many requests the workload sends each day."),
            NumberField(name="prompt_tokens", label="Prompt tokens per request", unit="tokens", default=2000,
                        group=WORKLOAD,
                        minimum=0, maximum=1e7, help="Everything sent: system prompt, history, documents."),
            NumberField(name="cache_hit_percent", label="Prompt served from cache", unit="%", default=50, minimum=0,
                        maximum=100, help="The share of prompt tokens the provider finds in its cache (a repeated "
                                          "prefix). DeepSeek's own service saw 56.3% on 2025-02-27.", group=WORKLOAD),
            NumberField(name="output_tokens", label="Answer tokens per request", unit="tokens", default=500,
                        minimum=0, maximum=1e7, help="The visible answer.", group=WORKLOAD),
        ),
        outputs=(
            Output(name="a_request_usd", label="Model A, per request", unit="USD", format="usd"),
            Output(name="a_day_usd", label="Model A, per day", unit="USD", format="usd"),
            Output(name="a_month_usd", main=True, label="Model A, per 30-day month", unit="USD", format="usd"),
            Output(name="b_request_usd", label="Model B, per request", unit="USD", format="usd"),
            Output(name="b_day_usd", label="Model B, per day", unit="USD", format="usd"),
            Output(name="b_month_usd", main=True, label="Model B, per 30-day month", unit="USD", format="usd"),
            Output(name="ratio_output", label="B / A, output price", unit="×", format="number"),
            Output(name="ratio_input_miss", label="B / A, input price (cache miss)", unit="×", format="number"),
            Output(name="ratio_input_hit", label="B / A, input price (cache hit)", unit="×", format="number"),
            Output(name="ratio_workload", main=True, label="B / A, this workload", unit="×", format="number"),
        ),
        compute=compute,
        groups=(MODELS, WORKLOAD, WHEN),
        check=check,
        presets=presets,
        preset_fields=("model_a", "model_b", "reasoning_tokens_a", "reasoning_tokens_b", "date", "timing", "time_utc",
                       "requests_per_day", "prompt_tokens", "cache_hit_percent", "output_tokens"),
        default_preset="r1-vs-o1",
        examples=(
            Example(title="'R1 is 27× cheaper than o1': $60 / $2.19 on output list prices",
                    inputs={"preset": "r1-vs-o1"},
                    expected={"ratio_output": 60 / 2.19, "ratio_input_miss": 15 / 0.55},
                    source="DeepSeek API docs (Jan 2025); OpenAI API pricing (secondary)"),
            Example(title="DeepSeek's off-peak hours: R1 output at $0.55, 109× under o1",
                    inputs={"preset": "r1-vs-o1-offpeak"}, expected={"ratio_output": 60 / 0.55},
                    source="DeepSeek API docs (Aug 2025 version)"),
        ),
    )
)
