"""Calculator ``price-trend``: a price today falling a given factor a year (published trend figures, or your own)
-> the price after n years and the years until it reaches a target, on a log axis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import api_pricing, data
from ..charts import line_chart
from ..formatting import format_number, format_usd
from ..schema import Calculator, ChoiceField, Example, FieldError, NumberField, Output, Result

TREND = "Price and trend"

TRENDS = tuple((key, t.label) for key, t in data.price_trends().items())
CHOICES = (*TRENDS, ("custom", "Your own factor"))


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """o1's output price down to R1's; a16z's GPT-3-level example."""
    return {
        "o1-to-r1": ("o1's $60 output price down to R1's $2.19, at Epoch AI's 40× a year",
                     {"price_usd": 60.0, "trend": "epoch-gpt4", "years": 1, "target_usd": 2.19}),
        "gpt3-llmflation": ("a16z: GPT-3 level from $60 to $0.06 in 3 years, at 10× a year",
                            {"price_usd": 60.0, "trend": "a16z", "years": 3, "target_usd": 0.06}),
    }


def factor(values: Mapping[str, Any]) -> float:
    """The yearly factor chosen: a published one, or the custom one."""
    if values["trend"] == "custom":
        return values["custom_factor"]
    return data.price_trends()[values["trend"]].factor_per_year


def check(values: Mapping[str, Any]) -> list[FieldError]:
    return []


def compute(values: Mapping[str, Any]) -> Result:
    f = factor(values)
    price, target, years = values["price_usd"], values["target_usd"], values["years"]
    to_target = api_pricing.years_to_target(price=price, target=target, factor_per_year=f)
    out = {
        "price_after_usd": api_pricing.price_after_years(price=price, factor_per_year=f, years=years),
        "fall_factor": api_pricing.fall_factor(factor_per_year=f, years=years),
        "years_to_target": to_target,
        "months_to_target": to_target * 12 if to_target is not None else None,
    }
    horizon = max(years, min(to_target or 0.0, 20.0), 1.0)
    xs = [horizon * i / 40 for i in range(41)]
    label = "Your own" if values["trend"] == "custom" else data.price_trends()[values["trend"]].label
    series = [(label, [[x, api_pricing.price_after_years(price=price, factor_per_year=f, years=x)] for x in xs])]
    for key, trend in data.price_trends().items():
        if key != values["trend"] and trend.kind == "price":
            series.append((trend.label, [[x, api_pricing.price_after_years(
                price=price, factor_per_year=trend.factor_per_year, years=x)] for x in xs], "dashed"))
    points = [{"x": 0, "y": price, "label": f"Today {format_usd(price)}"},
              {"x": years, "y": out["price_after_usd"], "label": f"After {format_number(years)} y"}]
    if to_target is not None and to_target <= horizon:
        points.append({"x": to_target, "y": target, "label": f"{format_usd(target)} after {format_number(to_target, 3)} y"})
    chart = line_chart(
        title=f"{format_usd(price)} per million tokens, falling {format_number(f)}× a year",
        x_label="Years from now", y_label="US dollars per million tokens", y_format="usd", y_scale="log",
        series=series, points=points, rules=[{"y": target, "label": f"Target {format_usd(target)}", "style": "dotted"}])
    notes = []
    if values["trend"] != "custom":
        trend = data.price_trends()[values["trend"]]
        notes.append(f"{trend.label}: {trend.source}." + ("" if trend.verified else f" Secondary: {trend.note}"))
        if trend.kind == "compute":
            notes.append("This factor is the training compute needed for a given capability, not an API price: "
                         "prices need not follow it.")
        elif trend.note:
            notes.append(trend.note)
    if to_target is None:
        notes.append("A factor of 1 or less never reaches a lower price.")
    notes.append("A trend fitted to past prices of the cheapest model at a given capability: it says nothing about "
                 "one provider's next price change.")
    return Result(values=out, notes=tuple(notes), charts=(chart,))


CALCULATOR = (
    Calculator(
        id="price-trend",
        title="A price falling a factor a year",
        summary="A price per million tokens and a yearly decline (Epoch AI, a16z, or your own) -> the price after "
                "n years and the years to a target.",
        fields=(
            NumberField(name="price_usd", group=TREND, label="Price today", unit="$ per million tokens", default=60.0,
                        minimum=0, exclusive_minimum=True, maximum=1e6, help="o1's output price was $60."),
            ChoiceField(name="trend", group=TREND, label="Falling", default="epoch-gpt4", choices=CHOICES,
                        help="Published yearly factors for the price of a fixed capability; Amodei's ~4× is "
                             "compute for a capability, not a price."),
            NumberField(name="custom_factor", label="Your factor per year", unit="×", default=4.0, minimum=0,
                        exclusive_minimum=True, maximum=1e6, relevant_when={"trend": ("custom",)},
                        group=TREND,
                        help="2 halves the price each year; 1 keeps it."),
            NumberField(name="years", group=TREND, label="Years ahead", unit="years", default=1, minimum=0, maximum=100,
                        help="When to read the price off."),
            NumberField(name="target_usd", group=TREND, label="Target price", unit="$ per million tokens", default=2.19,
                        minimum=0, exclusive_minimum=True, maximum=1e6, help="R1's output price was $2.19."),
        ),
        outputs=(
            Output(name="price_after_usd", label="Price after those years", unit="USD per million tokens", format="usd",
                   main=True),
            Output(name="fall_factor", label="Fallen by", unit="×", format="number"),
            Output(name="years_to_target", main=True, label="Years to the target", unit="years", format="number"),
            Output(name="months_to_target", label="Months to the target", unit="months", format="number"),
        ),
        compute=compute,
        check=check,
        presets=presets,
        preset_fields=("price_usd", "trend", "years", "target_usd"),
        default_preset="o1-to-r1",
        examples=(
            Example(title="a16z: $60 at 10× a year is $0.06 after 3 years (1,000×)",
                    inputs={"preset": "gpt3-llmflation"}, expected={"price_after_usd": 0.06, "fall_factor": 1000},
                    source="a16z, 'Welcome to LLMflation' (2024-11-12)"),
        ),
    )
)
