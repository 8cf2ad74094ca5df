"""API prices: the dated lists and their sources, the lookup at its boundaries (validity and the off-peak window,
in UTC), request and workload costs against hand computation, the '27×', reasoning tokens, price trends, and the
messages bad inputs get."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import api_pricing, data, run
from calculators.api_pricing import parse_instant, price_list_at

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PRICE_FIELDS = ("input_cache_hit", "input_cache_miss", "output")


def at(text: str) -> datetime:
    return parse_instant(text)


def output(model: str, when: str, currency: str = "USD") -> float | None:
    price = price_list_at(model=model, when=at(when), currency=currency)
    return None if price is None else price.output


# -- the data -------------------------------------------------------------------------------------------------


def test_every_list_has_source_dates_currency_and_unit() -> None:
    lists = data.api_prices()
    assert len({p.key for p in lists}) == len(lists)
    for p in lists:
        assert p.source and p.url.startswith("https://") and p.provider and p.version, p.key
        assert DATE.match(p.as_of) and DATE.match(p.checked), p.key
        assert p.currency in ("USD", "CNY") and p.unit == "per 1M tokens", p.key
        assert INSTANT.match(p.valid_from) and (p.valid_to is None or INSTANT.match(p.valid_to)), p.key
        assert p.valid_to is None or at(p.valid_to) > at(p.valid_from), p.key
        assert all(getattr(p, f) >= 0 for f in PRICE_FIELDS), p.key
        assert p.input_cache_hit <= p.input_cache_miss <= p.output, p.key  # as every provider here prices them
        assert p.hours_utc == "" or re.match(r"^\d{2}:\d{2}-\d{2}:\d{2}$", p.hours_utc), p.key
        if not p.verified:
            assert p.note, p.key


def test_the_lists_the_issue_asks_for_are_there() -> None:
    keys = {p.key for p in data.api_prices()}
    assert {"deepseek-chat.v2.5.usd", "deepseek-chat.v3-promotion.usd", "deepseek-chat.v3.usd",
            "deepseek-reasoner.r1.usd", "deepseek-chat.v3-offpeak.usd", "deepseek-reasoner.r1-offpeak.usd",
            "deepseek-chat.v3.1.usd", "deepseek-chat.v3.2.usd", "gpt-4o.usd", "o1.usd", "o3-mini.usd",
            "o3.launch.usd", "o3.usd", "claude-3-7-sonnet.usd"} <= keys
    assert {p.provider for p in data.api_prices()} >= {"DeepSeek", "OpenAI", "Anthropic"}


def test_yuan_lists_are_as_published_not_converted() -> None:
    """DeepSeek's CNY and USD lists are separate: their ratios differ from list to list (no one exchange rate)."""
    ratios = set()
    for cny in (p for p in data.api_prices() if p.currency == "CNY"):
        usd = price_list_at(model=cny.model, when=at(cny.valid_from) + timedelta(hours=1, minutes=1)
                            if not cny.hours_utc else at(cny.valid_from) + timedelta(minutes=1))
        if usd is not None and usd.currency == "USD":
            ratios.add(round(cny.output / usd.output, 3))
    assert len(ratios) > 1, ratios  # 2/0.28 = 7.14, 8/1.10 = 7.27, 16/2.19 = 7.31, ...


def test_trends_and_answer_lengths_carry_sources() -> None:
    trends = data.price_trends()
    assert {k: t.factor_per_year for k, t in trends.items()} == {
        "epoch-fastest": 900, "epoch-gpt4": 40, "a16z": 10, "epoch-slowest": 9, "amodei-4x": 4}
    assert trends["amodei-4x"].kind == "compute" and not trends["amodei-4x"].verified  # compute, not price
    for t in trends.values():
        assert t.source and DATE.match(t.as_of) and t.url.startswith("https://") and t.kind in ("price", "compute")
    lengths = data.answer_lengths()
    assert (lengths["math500-v2.5"].tokens, lengths["math500-v2.5-distilled"].tokens) == (769, 1510)
    for a in lengths.values():
        assert a.source and DATE.match(a.as_of)


# -- the lookup, at its boundaries (UTC) ----------------------------------------------------------------------


@pytest.mark.parametrize(("model", "when", "expected"), [
    ("deepseek-chat", "2024-12-25T23:59:00Z", 0.28),        # V2.5
    ("deepseek-chat", "2025-02-08T15:59:00Z", 0.28),        # V3 promotion, last minute
    ("deepseek-chat", "2025-02-08T16:00:00Z", 1.10),        # full price from 16:00 UTC
    ("deepseek-chat", "2025-02-26T16:29:00Z", 1.10),        # before the first off-peak window
    ("deepseek-chat", "2025-02-26T16:30:00Z", 0.55),        # the first off-peak minute
    ("deepseek-reasoner", "2025-02-26T16:30:00Z", 0.55),    # R1 at a quarter of $2.19
    ("deepseek-reasoner", "2025-03-01T00:29:00Z", 0.55),    # the window wraps midnight
    ("deepseek-reasoner", "2025-03-01T00:30:00Z", 2.19),    # end excluded
    ("deepseek-reasoner", "2025-09-05T15:59:00Z", 2.19),
    ("deepseek-reasoner", "2025-09-05T16:00:00Z", 1.68),    # the September list, one price for both
    ("deepseek-reasoner", "2025-09-05T20:00:00Z", 1.68),    # no night discount any more
    ("deepseek-chat", "2025-09-28T23:59:00Z", 1.68),
    ("deepseek-chat", "2025-09-29T00:00:00Z", 0.42),        # V3.2-Exp
    ("o3", "2025-06-09T23:59:00Z", 40.0),
    ("o3", "2025-06-10T00:00:00Z", 8.0),
])
def test_price_at_the_boundaries(model: str, when: str, expected: float) -> None:
    assert output(model, when) == expected


def test_no_list_before_launch_or_after_the_last() -> None:
    assert output("deepseek-reasoner", "2025-01-19T23:59:00Z") is None
    assert output("deepseek-reasoner", "2025-01-20T00:00:00Z") == 2.19
    assert output("deepseek-chat", "2026-04-24T00:00:00Z") is None  # moved to V4; not recorded
    assert output("o1", "2026-11-28T12:00:00Z") == 60.0  # open-ended: in force when checked


def test_cny_lookup_is_its_own_list() -> None:
    assert output("deepseek-reasoner", "2025-02-15T12:00:00Z", "CNY") == 16.0
    assert output("deepseek-reasoner", "2025-03-01T20:00:00Z", "CNY") == 4.0
    assert output("o1", "2025-02-15T12:00:00Z", "CNY") is None


SPAN = (datetime(2024, 9, 1, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC))


@settings(max_examples=300, deadline=None)
@given(minutes=st.integers(min_value=0, max_value=int((SPAN[1] - SPAN[0]) / timedelta(minutes=1))))
def test_at_most_one_list_applies_at_any_instant(minutes: int) -> None:
    when = SPAN[0] + timedelta(minutes=minutes)
    for model, _ in api_pricing.price_models():
        for currency in ("USD", "CNY"):
            applying = [p.key for p in data.api_prices()
                        if p.model == model and p.currency == currency and api_pricing.list_applies(p, when)]
            assert len(applying) <= 1, (when, applying)


@pytest.mark.parametrize("model", ["deepseek-chat", "deepseek-reasoner"])
def test_deepseek_usd_lists_leave_no_gap(model: str) -> None:
    """From the first list to the last, every half hour has a DeepSeek price (windows and periods tile)."""
    when, end = api_pricing.first_list_start(model), api_pricing.coverage_end(model)
    while when < end:
        assert price_list_at(model=model, when=when) is not None, when
        when += timedelta(minutes=30)


def test_day_average_weights_the_windows() -> None:
    day = api_pricing.day_average_price(model="deepseek-reasoner", day=date(2025, 3, 3))
    assert day.output == pytest.approx((16 * 2.19 + 8 * 0.55) / 24)
    assert sorted(m for _, m in day.lists) == [480, 960]
    # the day the promotion ended: 16 h at $0.28, 8 h at $1.10 (and the night not yet discounted)
    assert api_pricing.day_average_price(model="deepseek-chat", day=date(2025, 2, 8)).output == \
        pytest.approx((16 * 0.28 + 8 * 1.10) / 24)
    assert api_pricing.day_average_price(model="deepseek-chat", day=date(2026, 4, 24)) is None


# -- costs ----------------------------------------------------------------------------------------------------


def test_request_cost_by_hand() -> None:
    cost = api_pricing.request_cost(prompt_tokens=2000, cache_hit_share=0.5, output_tokens=500, reasoning_tokens=2000,
                                    input_cache_hit_per_mtok=0.14, input_cache_miss_per_mtok=0.55,
                                    output_per_mtok=2.19)
    assert (cost.input_cache_hit, cost.input_cache_miss, cost.output, cost.reasoning) == pytest.approx(
        (1000 * 0.14e-6, 1000 * 0.55e-6, 500 * 2.19e-6, 2000 * 2.19e-6))
    assert cost.total == pytest.approx(0.006165)
    assert api_pricing.workload_cost(per_request=cost.total, requests_per_day=10_000) == pytest.approx((61.65, 1849.5))


def test_day6_revenue_at_r1_prices() -> None:
    """DeepSeek's Day-6 overview: 608B input (342B cache hits) and 168B output tokens at R1's list: $562,027 a day
    published; the rounded token counts give $562,100 (0.013% apart)."""
    cost = api_pricing.request_cost(prompt_tokens=608e9, cache_hit_share=342 / 608, output_tokens=168e9,
                                    reasoning_tokens=0, input_cache_hit_per_mtok=0.14, input_cache_miss_per_mtok=0.55,
                                    output_per_mtok=2.19)
    assert cost.total == pytest.approx(562_100, abs=1)
    assert cost.total == pytest.approx(562_027, rel=2e-4)


def test_the_27x_on_output_list_prices() -> None:
    """'R1 is 27× cheaper than o1': $60 / $2.19 = 27.4 on output, $15 / $0.55 = 27.3 on cache-miss input."""
    result = run("api-cost", {})
    assert result["errors"] == []
    out = result["outputs"]
    assert out["ratio_output"]["value"] == pytest.approx(60 / 2.19) and out["ratio_output"]["text"] == "27.4×"
    assert out["ratio_input_miss"]["value"] == pytest.approx(15 / 0.55)
    assert out["ratio_input_hit"]["value"] == pytest.approx(7.5 / 0.14)
    # the workload: 2,000-token prompts half from cache, 500-token answers, 2,000 thinking tokens each
    a = (1000 * 0.14 + 1000 * 0.55 + 2500 * 2.19) / 1e6
    b = (1000 * 7.50 + 1000 * 15.0 + 2500 * 60.0) / 1e6
    assert out["a_request_usd"]["value"] == pytest.approx(a)
    assert out["b_request_usd"]["value"] == pytest.approx(b)
    assert out["a_day_usd"]["value"] == pytest.approx(a * 10_000)
    assert out["b_month_usd"]["value"] == pytest.approx(b * 10_000 * 30)
    assert out["ratio_workload"]["value"] == pytest.approx(b / a)


def test_workload_ratio_moves_with_cache_hits_and_thinking() -> None:
    base = {"preset": "r1-vs-o1"}
    no_cache = run("api-cost", {**base, "cache_hit_percent": 0})["outputs"]["ratio_workload"]["value"]
    all_cache = run("api-cost", {**base, "cache_hit_percent": 100, "output_tokens": 0, "reasoning_tokens_a": 0,
                                 "reasoning_tokens_b": 0})["outputs"]["ratio_workload"]["value"]
    assert all_cache == pytest.approx(7.5 / 0.14)  # all cache hits: the cache-hit ratio
    assert no_cache < all_cache
    # o1 thinking twice as long as R1 for the same question doubles the gap on output
    longer = run("api-cost", {**base, "reasoning_tokens_b": 4000})["outputs"]
    assert longer["ratio_workload"]["value"] > run("api-cost", base)["outputs"]["ratio_workload"]["value"]


def test_off_peak_and_spread_over_the_day() -> None:
    night = run("api-cost", {"preset": "r1-vs-o1-offpeak"})["outputs"]
    assert night["ratio_output"]["value"] == pytest.approx(60 / 0.55)
    spread = run("api-cost", {"preset": "r1-vs-o1-offpeak", "timing": "spread"})["outputs"]
    assert spread["ratio_output"]["value"] == pytest.approx(60 / ((16 * 2.19 + 8 * 0.55) / 24))


def test_reasoning_tokens_are_billed_as_output() -> None:
    result = run("reasoning-cost", {})  # DeepSeek-V3 report, Table 9: MATH-500, 769 -> 1,510 tokens
    out = result["outputs"]
    assert out["output_tokens_ratio"]["value"] == pytest.approx(1510 / 769)
    prompt = 300 * 0.27
    assert out["answer_usd"]["value"] == pytest.approx((prompt + 1510 * 1.10) / 1e6)
    assert out["comparison_answer_usd"]["value"] == pytest.approx((prompt + 769 * 1.10) / 1e6)
    assert out["thinking_share"]["value"] == pytest.approx(741 * 1.10 / (prompt + 1510 * 1.10))
    assert any("74.6%" in n and "83.2%" in n for n in result["notes"])
    chart = result["charts"][0]["spec"]
    costs = [y for _, y in chart["series"][0]["points"]]
    assert costs == sorted(costs) and chart["rules"][0]["y"] == pytest.approx(out["comparison_answer_usd"]["value"] * 1000)


def test_price_trend() -> None:
    assert api_pricing.price_after_years(price=60, factor_per_year=10, years=3) == pytest.approx(0.06)
    assert api_pricing.years_to_target(price=60, target=2.19, factor_per_year=40) == pytest.approx(
        math.log(60 / 2.19) / math.log(40))
    assert api_pricing.years_to_target(price=1, target=2, factor_per_year=4) == 0
    assert api_pricing.years_to_target(price=2, target=1, factor_per_year=1) is None
    out = run("price-trend", {"preset": "gpt3-llmflation"})["outputs"]
    assert out["price_after_usd"]["value"] == pytest.approx(0.06) and out["fall_factor"]["value"] == pytest.approx(1000)
    never = run("price-trend", {"trend": "custom", "custom_factor": 1})
    assert never["errors"] == [] and never["outputs"]["years_to_target"]["value"] is None
    chart = run("price-trend", {})["charts"][0]["spec"]
    assert chart["y"]["scale"] == "log" and chart["series"][0].get("style", "solid") == "solid"
    assert {s["style"] for s in chart["series"][1:]} == {"dashed"}
    compute_note = run("price-trend", {"trend": "amodei-4x"})["notes"]
    assert any("not an API price" in n for n in compute_note)


# -- bad inputs -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("calc_id", "inputs", "field", "says"), [
    ("api-cost", {"date": "2024-12-01"}, "date", "No deepseek-reasoner price list before 2025-01-20"),
    ("api-cost", {"date": "2024-01-01", "model_a": "deepseek-chat", "reasoning_tokens_a": 0}, "date",
     "No deepseek-chat price list before 2024-09-05"),
    ("api-cost", {"date": "1 March 2025"}, "date", "Enter a date as YYYY-MM-DD"),
    ("api-cost", {"date": "2025-02-30"}, "date", "Enter a date as YYYY-MM-DD"),
    ("api-cost", {"date": "2030-01-01"}, "date", "recorded up to"),
    ("api-cost", {"date": "2026-05-01", "model_a": "deepseek-chat", "reasoning_tokens_a": 0}, "date",
     "priced here only until 2026-04-24"),
    ("api-cost", {"time_utc": "24:00"}, "time_utc", "Enter a time as HH:MM"),
    ("api-cost", {"prompt_tokens": "-1"}, "prompt_tokens", "at least 0"),
    ("api-cost", {"reasoning_tokens_a": "-200"}, "reasoning_tokens_a", "at least 0"),
    ("api-cost", {"cache_hit_percent": "101"}, "cache_hit_percent", "at most 100"),
    ("api-cost", {"model_b": "gpt-4o"}, "reasoning_tokens_b", "gpt-4o does not think"),
    ("reasoning-cost", {"date": "2024-08-01"}, "date", "No deepseek-chat price list before"),
    ("reasoning-cost", {"thinking_tokens": "-5"}, "thinking_tokens", "at least 0"),
    ("reasoning-cost", {"cache_hit_percent": "250"}, "cache_hit_percent", "at most 100"),
    ("price-trend", {"price_usd": "0"}, "price_usd", "greater than 0"),
    ("price-trend", {"trend": "custom", "custom_factor": "-2"}, "custom_factor", "greater than 0"),
])
def test_bad_inputs_get_messages_at_their_field(calc_id: str, inputs: dict, field: str, says: str) -> None:
    result = run(calc_id, inputs)
    assert result["outputs"] == {}
    assert any(e["field"] == field and says in e["message"] for e in result["errors"]), result["errors"]


def test_a_time_that_does_not_matter_is_not_checked() -> None:
    """Spread over the day, the time of day is irrelevant: a bad one gets no message."""
    assert run("api-cost", {"timing": "spread", "time_utc": "nonsense"})["errors"] == []
