"""Calculator ``serving-disclosure``: DeepSeek's 24 hours of serving (27-28 February 2025), line by line: the
daily cost, the theoretical revenue and its "545%" margin, what a token cost DeepSeek, and whether the node count
and the throughputs agree; then the same day re-priced."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import api_pricing, data, pricing, serving
from ..formatting import format_count, format_number, format_percent, format_usd
from ..schema import Calculator, ChoiceField, Example, FieldError, NumberField, Output, Result
from .common import price_field, usd_bar_chart

PRICES, FLEET, TOKENS, SPEED = "Prices", "The fleet", "Tokens served in the period", "Throughput"

FLEET_BASES = (("average", "Average nodes (as DeepSeek counts)"), ("peak", "Peak nodes, held all day"))
PRICE_FIELDS = ("usd_per_mtok_hit", "usd_per_mtok_miss", "usd_per_mtok_output")


def _day6() -> data.ServingDisclosure:
    return data.serving().disclosures["deepseek-day6"]


def point_prices(key: str) -> data.ApiPrice:
    """The list of `data/api_prices.toml` in force at price point `key` of `data/serving.toml` (a model and an
    instant), through `api_pricing.price_list_at`."""
    point = data.serving().price_points[key]
    prices = api_pricing.price_list_at(model=point.model, when=api_pricing.parse_instant(point.at))
    if prices is None:
        raise LookupError(f"no price list of {point.model} at {point.at} in data/api_prices.toml")
    return prices


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """The day at DeepSeek's own price lists: R1's (as published) and the others at the price points of
    `data/serving.toml`, each read from `data/api_prices.toml`."""
    out = {}
    for key, point in data.serving().price_points.items():
        prices = point_prices(key)
        label = f"{point.name}: ${format_number(prices.input_cache_hit)} / " \
                f"${format_number(prices.input_cache_miss)} / ${format_number(prices.output)}"
        out[key] = (label, {"usd_per_mtok_hit": prices.input_cache_hit, "usd_per_mtok_miss": prices.input_cache_miss,
                            "usd_per_mtok_output": prices.output})
    return out


def compute(values: Mapping[str, Any]) -> Result:
    day = _day6()
    nodes = values["nodes_average"] if values["fleet_basis"] == "average" else values["nodes_peak"]
    gpus_per_node, price, hours = values["gpus_per_node"], values["usd_per_gpu_hour"], values["hours"]
    cost = pricing.rental_cost_usd(gpu_hours=nodes * gpus_per_node * hours, usd_per_gpu_hour=price)
    inputs, hits, outputs = (values["input_tokens_billion"] * 1e9, values["cache_hit_tokens_billion"] * 1e9,
                             values["output_tokens_billion"] * 1e9)
    p_hit, p_miss, p_out = (values[name] for name in PRICE_FIELDS)
    revenue = api_pricing.token_classes_cost(hit_tokens=hits, miss_tokens=inputs - hits, output_tokens=outputs,
                                             input_cache_hit_per_mtok=p_hit, input_cache_miss_per_mtok=p_miss,
                                             output_per_mtok=p_out).total
    # how far the revenue can move when each printed count moves by up to half a billion (revenue is linear)
    rounding = day.token_rounding * (abs(p_hit - p_miss) + p_miss + p_out) / 1e6
    seconds = hours * 3600
    prefill_nodes = serving.average_busy_nodes(tokens=inputs, tokens_per_second_per_node=values["prefill_tps_per_node"],
                                               seconds=seconds)
    decode_nodes = serving.average_busy_nodes(tokens=outputs, tokens_per_second_per_node=values["decode_tps_per_node"],
                                              seconds=seconds)
    out = {
        "daily_cost_usd": cost,
        "cache_hit_percent": hits / inputs * 100,
        "revenue_usd": revenue,
        "margin": serving.cost_profit_margin(revenue_usd=revenue, cost_usd=cost),
        "revenue_rounding_usd": rounding,
        "published_revenue_usd": day.theoretical_revenue_usd,
        "published_revenue_margin": serving.cost_profit_margin(revenue_usd=day.theoretical_revenue_usd, cost_usd=cost),
        "usd_per_mtok_input_at_cost": serving.usd_per_million_tokens(
            usd_per_gpu_hour=price, gpus=gpus_per_node, tokens_per_second=values["prefill_tps_per_node"]),
        "usd_per_mtok_output_at_cost": serving.usd_per_million_tokens(
            usd_per_gpu_hour=price, gpus=gpus_per_node, tokens_per_second=values["decode_tps_per_node"]),
        "usd_per_mtok_output_all_in": cost / outputs * 1e6,
        "prefill_nodes": prefill_nodes,
        "decode_nodes": decode_nodes,
        "busy_nodes": prefill_nodes + decode_nodes,
        "node_balance_percent": ((prefill_nodes + decode_nodes) / values["nodes_average"] - 1) * 100,
        "sequences_per_node": values["decode_tps_per_node"] / values["user_tokens_per_second"],
    }
    table = _reproduction_table(values, day, out)
    chart = usd_bar_chart("One day of DeepSeek's service: cost and theoretical revenue", [
        (f"GPU cost, {format_number(nodes)} nodes", cost),
        ("Revenue at these prices", revenue),
        ("Published theoretical revenue (R1 prices)", day.theoretical_revenue_usd),
    ])
    return Result(values=out, notes=tuple(_notes(values, day, out)), tables=(table,), charts=(chart,))


def _reproduction_table(values: Mapping[str, Any], day: data.ServingDisclosure,
                        out: Mapping[str, float]) -> dict[str, Any]:
    r1 = point_prices(day.price_point)
    r1_revenue = api_pricing.token_classes_cost(
        hit_tokens=day.cache_hit_tokens, miss_tokens=day.input_tokens - day.cache_hit_tokens,
        output_tokens=day.output_tokens, input_cache_hit_per_mtok=r1.input_cache_hit,
        input_cache_miss_per_mtok=r1.input_cache_miss, output_per_mtok=r1.output).total
    published_cost = pricing.rental_cost_usd(gpu_hours=day.nodes_average * day.gpus_per_node * day.hours,
                                             usd_per_gpu_hour=day.usd_per_gpu_hour)
    published_margin = serving.cost_profit_margin(revenue_usd=day.theoretical_revenue_usd, cost_usd=published_cost)
    return {
        "title": "DeepSeek's Day-6 statistics, published and recomputed (from the published inputs)",
        "columns": ["Line", "Published", "Recomputed", "How"],
        "rows": [
            ["Daily cost", f"${format_count(day.daily_cost_usd)}", f"${format_count(published_cost)}",
             f"{format_number(day.nodes_average, 6)} nodes × {day.gpus_per_node} GPUs × {format_number(day.hours)} h "
             f"× ${format_number(day.usd_per_gpu_hour)}"],
            ["Cache-hit share", format_percent(day.cache_hit_share),
             f"{format_number(day.cache_hit_tokens / day.input_tokens * 100)}%", "342B / 608B"],
            ["Theoretical revenue (R1 prices)", f"${format_count(day.theoretical_revenue_usd)}",
             f"${format_count(r1_revenue)}", "token counts as printed, rounded to the billion"],
            ["Cost profit margin", f"{format_number(day.cost_profit_margin * 100)}%",
             f"{format_number(published_margin * 100)}%",
             "(revenue − cost) / cost, published revenue"],
            ["Average nodes", format_number(day.nodes_average, 6), format_number(out["busy_nodes"], 6),
             "prefill and decode node-days from the per-node throughputs"],
        ],
    }


def _notes(values: Mapping[str, Any], day: data.ServingDisclosure, out: Mapping[str, float]) -> list[str]:
    notes = [
        f"Recomputed revenue {format_usd(out['revenue_usd'])}: the printed token counts are rounded to the billion, "
        f"so the revenue they give can differ by up to {format_usd(out['revenue_rounding_usd'])} from the exact "
        "one; at R1's prices DeepSeek's $562,027 is within that.",
        f"Node balance: {format_number(out['prefill_nodes'])} nodes prefilling and "
        f"{format_number(out['decode_nodes'])} decoding on average make {format_number(out['busy_nodes'])}, "
        f"{format_number(abs(out['node_balance_percent']), 2)}% "
        f"{'above' if out['node_balance_percent'] >= 0 else 'below'} the {format_number(values['nodes_average'], 6)} "
        "average: the per-node throughputs are 24-hour averages over the same fleet.",
        "“Theoretical” bills every token at the chosen prices. DeepSeek says its real revenue is substantially "
        "lower: V3 is priced below R1, web and app use is free, and night-time discounts apply.",
        f"At cost, a node-hour (${format_number(values['usd_per_gpu_hour'] * values['gpus_per_node'])}) buys "
        f"{format_count(values['prefill_tps_per_node'] * 3600)} input tokens or "
        f"{format_count(values['decode_tps_per_node'] * 3600)} output tokens.",
        f"Source: DeepSeek's Day-6 inference-system overview (github.com/deepseek-ai/open-infra-index), {day.as_of}.",
    ]
    return notes


FIELDS = (
    ChoiceField(name="fleet_basis", label="Fleet counted", default="average", choices=FLEET_BASES,
                group=FLEET,
                help="DeepSeek counts the average: nodes lent to research and training at night are not charged "
                     "to serving. Peak: the serving fleet held all day."),
    NumberField(name="nodes_average", label="Average nodes", unit="nodes", default=226.75, minimum=0,
                group=FLEET,
                exclusive_minimum=True, maximum=1e6, help="Day 6: 226.75 H800 nodes on average."),
    NumberField(name="nodes_peak", label="Peak nodes", unit="nodes", default=278, minimum=0, exclusive_minimum=True,
                group=FLEET,
                maximum=1e6, help="Day 6: 278 at the peak."),
    NumberField(name="gpus_per_node", label="GPUs per node", default=8, integer=True, minimum=1, maximum=1000,
                group=FLEET),
    NumberField(name="hours", label="Period", unit="hours", default=24, minimum=0, exclusive_minimum=True,
                group=FLEET,
                maximum=8784),
    price_field("DeepSeek's assumed H800 leasing price.", group=PRICES),
    NumberField(name="input_tokens_billion", label="Input tokens", unit="billion", default=608, minimum=0,
                group=TOKENS,
                exclusive_minimum=True, maximum=1e9, help="All input, cached or not (608B)."),
    NumberField(name="cache_hit_tokens_billion", label="Input tokens from the cache", unit="billion", default=342,
                group=TOKENS,
                minimum=0, maximum=1e9, help="Input found in the on-disk KV cache (342B)."),
    NumberField(name="output_tokens_billion", label="Output tokens", unit="billion", default=168, minimum=0,
                group=TOKENS,
                exclusive_minimum=True, maximum=1e9, help="168B."),
    NumberField(name="prefill_tps_per_node", label="Prefill throughput", unit="tokens/s per node", default=73_700,
                group=SPEED,
                minimum=0, exclusive_minimum=True, maximum=1e9, help="Input tokens, cache hits included (~73.7k)."),
    NumberField(name="decode_tps_per_node", label="Decode throughput", unit="tokens/s per node", default=14_800,
                group=SPEED,
                minimum=0, exclusive_minimum=True, maximum=1e9, help="Output tokens (~14.8k)."),
    NumberField(name="user_tokens_per_second", label="Output speed per user", unit="tokens/s", default=21,
                group=SPEED,
                minimum=0, exclusive_minimum=True, maximum=1e6, help="Day 6: 20–22 on average."),
    NumberField(name="usd_per_mtok_hit", label="Price, cached input", unit="$ per M tokens", default=0.14, minimum=0,
                group=PRICES,
                maximum=1e4),
    NumberField(name="usd_per_mtok_miss", label="Price, uncached input", unit="$ per M tokens", default=0.55,
                group=PRICES,
                minimum=0, maximum=1e4),
    NumberField(name="usd_per_mtok_output", label="Price, output", unit="$ per M tokens", default=2.19, minimum=0,
                group=PRICES,
                maximum=1e4),
)


def check(values: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    if values["cache_hit_tokens_billion"] > values["input_tokens_billion"]:
        errors.append(FieldError(field="cache_hit_tokens_billion", message=(
            f"Cannot exceed the {format_number(values['input_tokens_billion'])}B input tokens.")))
    if values["usd_per_gpu_hour"] == 0:  # the margin is revenue over cost
        errors.append(FieldError(field="usd_per_gpu_hour", message="A margin needs a cost: enter a price above 0."))
    return errors


CALCULATOR = (
    Calculator(
        id="serving-disclosure",
        title="DeepSeek's day of serving, reproduced",
        summary="DeepSeek's 24-hour serving statistics (27–28 Feb 2025): the $87,072 daily cost, the $562,027 "
                "theoretical revenue and 545% margin, cost per million tokens, the node balance; re-priced at other "
                "price lists.",
        fields=FIELDS,
        outputs=(
            Output(name="daily_cost_usd", label="Daily GPU cost", unit="USD", format="usd", main=True),
            Output(name="cache_hit_percent", label="Input from the cache, %", unit="%", format="number"),
            Output(name="revenue_usd", label="Revenue at these prices", unit="USD", format="usd",
                   help="Every token billed: cached input, uncached input, output.", main=True),
            Output(name="margin", label="Cost profit margin at these prices", unit="fraction", format="percent",
                   help="(revenue − cost) / cost.", main=True),
            Output(name="revenue_rounding_usd", label="Revenue uncertainty from rounded token counts", unit="USD",
                   format="usd"),
            Output(name="published_revenue_usd", label="Published theoretical revenue (R1 prices)", unit="USD",
                   format="usd"),
            Output(name="published_revenue_margin", label="Margin on the published revenue", unit="fraction",
                   format="percent"),
            Output(name="usd_per_mtok_input_at_cost", label="Cost per M input tokens (prefill, hits included)",
                   unit="USD", format="usd"),
            Output(name="usd_per_mtok_output_at_cost", label="Cost per M output tokens (decode nodes)", unit="USD",
                   format="usd", main=True),
            Output(name="usd_per_mtok_output_all_in", label="Whole fleet per M output tokens", unit="USD",
                   format="usd", help="Daily cost / output tokens: prefill carried by the output."),
            Output(name="prefill_nodes", label="Nodes busy prefilling, average", unit="nodes", format="number"),
            Output(name="decode_nodes", label="Nodes busy decoding, average", unit="nodes", format="number"),
            Output(name="busy_nodes", label="Prefill + decode nodes", unit="nodes", format="number"),
            Output(name="node_balance_percent", label="Against the average node count, %", unit="%",
                   format="number"),
            Output(name="sequences_per_node", label="Sequences decoding per node (implied)", unit="sequences",
                   format="count", help="Decode throughput / per-user speed."),
        ),
        compute=compute,
        groups=(PRICES, FLEET, TOKENS, SPEED),
        sensitivity_output="margin",
        check=check,
        presets=presets,
        preset_fields=PRICE_FIELDS,
        default_preset="deepseek-r1",
        examples=(
            Example(title="Day 6 as published: R1 prices, average nodes",
                    inputs={"preset": "deepseek-r1"},
                    expected={"daily_cost_usd": 87_072, "revenue_usd": 562_100, "published_revenue_usd": 562_027},
                    source="DeepSeek, open-infra-index, Day 6 'One More Thing' (2025-03-01)"),
            Example(title="The same day at V3's list price", inputs={"preset": "deepseek-v3"}),
            Example(title="The serving fleet held at its peak all day",
                    inputs={"preset": "deepseek-r1", "fleet_basis": "peak"}),
        ),
    )
)
