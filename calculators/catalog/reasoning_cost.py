"""Calculator ``reasoning-cost``: what thinking adds to an answer's bill. Thinking tokens are billed as output, so
the cost of an answer grows with its thinking length; against a model answering the same question without
thinking. DeepSeek-V3's report gives a measured case: distilling R1's reasoning into DeepSeek-V2.5 lengthened its
MATH-500 answers from 769 to 1,510 tokens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import api_pricing, data
from ..charts import line_chart
from ..formatting import format_count, format_number, format_percent, format_usd
from ..schema import Calculator, Example, FieldError, NumberField, Output, Result, grouped
from . import api_common as ac

ANSWER, COMPARED, WORKLOAD, WHEN = "The answer", "Compared with", "Workload", "When"


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """The MATH-500 distillation example, R1 against V3, o1 against GPT-4o."""
    lengths = data.answer_lengths()
    base, distilled = lengths["math500-v2.5"].tokens, lengths["math500-v2.5-distilled"].tokens
    when = {"date": "2025-03-03", "timing": "at", "time_utc": "12:00", "prompt_tokens": 300, "cache_hit_percent": 0,
            "answers": 1000}
    return {
        "math-500-distillation": (
            "DeepSeek-V3 report, Table 9: MATH-500 answers 769 -> 1,510 tokens",
            {**when, "model": "deepseek-chat", "answer_tokens": base, "thinking_tokens": distilled - base,
             "comparison_model": "deepseek-chat", "comparison_answer_tokens": base}),
        "r1-vs-v3": ("DeepSeek-R1 thinking 4,000 tokens vs DeepSeek-V3 answering directly",
                     {**when, "model": "deepseek-reasoner", "answer_tokens": 500, "thinking_tokens": 4000,
                      "comparison_model": "deepseek-chat", "comparison_answer_tokens": 500}),
        "o1-vs-gpt-4o": ("o1 thinking 4,000 tokens vs GPT-4o answering directly",
                         {**when, "model": "o1", "answer_tokens": 500, "thinking_tokens": 4000,
                          "comparison_model": "gpt-4o", "comparison_answer_tokens": 500}),
    }


def check(values: Mapping[str, Any]) -> list[FieldError]:
    return ac.date_errors(values, [values["model"], values["comparison_model"]])


def _cost(prices: ac.Prices, values: Mapping[str, Any], answer: float, thinking: float) -> float:
    return api_pricing.request_cost(
        prompt_tokens=values["prompt_tokens"], cache_hit_share=values["cache_hit_percent"] / 100,
        output_tokens=answer, reasoning_tokens=thinking, input_cache_hit_per_mtok=prices.input_cache_hit,
        input_cache_miss_per_mtok=prices.input_cache_miss, output_per_mtok=prices.output).total


def compute(values: Mapping[str, Any]) -> Result:
    model, other = values["model"], values["comparison_model"]
    prices, other_prices = ac.resolve(model, values), ac.resolve(other, values)
    answers = values["answers"]
    thinking = values["thinking_tokens"]
    with_thinking = _cost(prices, values, values["answer_tokens"], thinking)
    without = _cost(prices, values, values["answer_tokens"], 0)
    comparison = _cost(other_prices, values, values["comparison_answer_tokens"], 0)
    out = {
        "answer_usd": with_thinking,
        "answers_usd": with_thinking * answers,
        "thinking_share": (with_thinking - without) / with_thinking if with_thinking else None,
        "comparison_answer_usd": comparison,
        "comparison_answers_usd": comparison * answers,
        "ratio": api_pricing.price_ratio(comparison, with_thinking),
        "output_tokens_ratio": ((values["answer_tokens"] + thinking) / values["comparison_answer_tokens"]
                                if values["comparison_answer_tokens"] else None),
    }
    top = max(2 * thinking, 8000.0)
    steps = [top * i / 40 for i in range(41)]
    per_thousand = [[t, _cost(prices, values, values["answer_tokens"], t) * 1000] for t in steps]
    chart = line_chart(
        title=f"{model}: dollars per 1,000 answers against thinking length",
        x_label="Thinking tokens per answer", x_format="count", y_label="US dollars per 1,000 answers",
        y_format="usd", series=[(f"{model}, {format_count(values['answer_tokens'])}-token answer", per_thousand)],
        rules=[{"y": comparison * 1000, "label": f"{other} without thinking", "style": "dashed"}],
        markers=[{"x": thinking, "label": f"{format_count(thinking)} thinking tokens", "style": "dotted"}],
        points=[{"x": thinking, "y": with_thinking * 1000, "label": format_usd(with_thinking * 1000)}])
    notes = [f"Thinking tokens are billed at the output price ({ac.money(prices.output)} per million for {model} "
             f"here): {format_count(thinking)} of them make {format_percent(out['thinking_share'] or 0)} of this "
             "answer's bill."]
    lengths = data.answer_lengths()
    base, distilled = lengths["math500-v2.5"], lengths["math500-v2.5-distilled"]
    if (values["answer_tokens"] + thinking, values["comparison_answer_tokens"]) == (distilled.tokens, base.tokens):
        notes.append(f"DeepSeek-V3 report, Table 9: distilling R1 raised DeepSeek-V2.5's MATH-500 accuracy from "
                     f"{format_percent(base.accuracy)} to {format_percent(distilled.accuracy)} and its answers from "
                     f"{format_count(base.tokens)} to {format_count(distilled.tokens)} tokens: "
                     f"{format_number(distilled.tokens / base.tokens, 3)}× the output tokens for "
                     f"{format_number((distilled.accuracy - base.accuracy) * 100, 3)} points of accuracy. The extra "
                     "length is reasoning written into the answer, priced here as thinking at deepseek-chat's list.")
    notes.extend(ac.list_notes(prices))
    if other != model:
        notes.extend(ac.list_notes(other_prices))
    notes.append(ac.PRICE_IS_NOT_A_COST)
    return Result(values=out, notes=tuple(notes), charts=(chart,))


CALCULATOR = (
    Calculator(
        id="reasoning-cost",
        title="What thinking adds to an answer's bill",
        summary="Thinking (reasoning) tokens are billed as output: the cost per answer against thinking length, and "
                "against a model answering without thinking; DeepSeek-V3's MATH-500 769 -> 1,510 tokens as an example.",
        fields=(
            *grouped(ANSWER, ac.model_field("model", "Model", "deepseek-chat", "The model whose answers think.")),
            NumberField(name="answer_tokens", label="Answer tokens", unit="tokens", default=769, minimum=0,
                        maximum=1e7, help="The visible answer.", group=ANSWER),
            NumberField(name="thinking_tokens", label="Thinking tokens", unit="tokens", default=741, minimum=0,
                        maximum=1e7, help="Reasoning before (or inside) the answer, billed as output.", group=ANSWER),
            *grouped(COMPARED, ac.model_field("comparison_model", "Compared with", "deepseek-chat",
                                              "A model answering the same question without thinking.")),
            NumberField(name="comparison_answer_tokens", label="Its answer tokens", unit="tokens", default=769,
                        minimum=0, maximum=1e7, help="The comparison model's answer, no thinking.", group=COMPARED),
            NumberField(name="prompt_tokens", label="Prompt tokens", unit="tokens", default=300, minimum=0,
                        maximum=1e7, help="The question, sent to both.", group=WORKLOAD),
            NumberField(name="cache_hit_percent", label="Prompt served from cache", unit="%", default=0, minimum=0,
                        maximum=100, help="The share of prompt tokens found in the provider's cache.", group=WORKLOAD),
            NumberField(name="answers", label="Answers", default=1000, minimum=1, maximum=1e12, integer=True,
                        group=WORKLOAD,
                        help="How many questions, for the totals."),
            *grouped(WHEN, ac.date_field("2025-03-03"), ac.timing_field(), ac.time_field()),
        ),
        outputs=(
            Output(name="answer_usd", main=True, label="Per answer, with thinking", unit="USD", format="usd"),
            Output(name="answers_usd", label="All answers, with thinking", unit="USD", format="usd"),
            Output(name="thinking_share", label="Thinking's share of the bill", unit="fraction", format="percent",
                   main=True),
            Output(name="comparison_answer_usd", label="Per answer, compared model", unit="USD", format="usd"),
            Output(name="comparison_answers_usd", label="All answers, compared model", unit="USD", format="usd"),
            Output(name="ratio", main=True, label="With thinking / compared", unit="×", format="number"),
            Output(name="output_tokens_ratio", label="Output tokens, with thinking / compared", unit="×",
                   format="number"),
        ),
        compute=compute,
        groups=(ANSWER, COMPARED, WORKLOAD, WHEN),
        check=check,
        presets=presets,
        preset_fields=("model", "answer_tokens", "thinking_tokens", "comparison_model", "comparison_answer_tokens",
                       "prompt_tokens", "cache_hit_percent", "answers", "date", "timing", "time_utc"),
        default_preset="math-500-distillation",
        examples=(
            Example(title="MATH-500 with R1 distillation: 1,510 / 769 = 1.96× the output tokens",
                    inputs={"preset": "math-500-distillation"}, expected={"output_tokens_ratio": 1510 / 769},
                    source="DeepSeek-V3 Technical Report (arXiv:2412.19437), Table 9"),
        ),
    )
)
