r"""API prices: which list was in force for a model at an instant, what a request and a workload cost, the ratio
between two models, reasoning tokens billed as output, and prices falling at a yearly factor.

Prices are per million tokens ($p_\text{hit}$ input served from the provider's cache, $p_\text{in}$ other
input, $p_\text{out}$ output, thinking included) in the list's currency; costs are in that currency (``_usd`` for
the US-dollar lists the calculators use). Instants are UTC. The lists, with their sources, are in
`data/api_prices.toml` (read through `calculators.data`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from . import data
from .formulas import formula

__all__ = [
    "DAYS_PER_MONTH",
    "DayPrice",
    "RequestCost",
    "coverage_end",
    "day_average_price",
    "fall_factor",
    "first_list_start",
    "in_daily_window",
    "list_applies",
    "parse_daily_window",
    "parse_instant",
    "price_after_years",
    "price_list_at",
    "price_models",
    "price_ratio",
    "request_cost",
    "token_classes_cost",
    "workload_cost",
    "years_to_target",
]

DAYS_PER_MONTH = 30
"""Days in the month of `workload_cost`'s monthly figure (a 30-day month)."""

MINUTES_PER_DAY = 24 * 60


def parse_instant(text: str) -> datetime:
    """A UTC instant from ISO 8601 text (``"2025-02-08T16:00:00Z"``), timezone-aware.

    >>> parse_instant("2025-02-08T16:00:00Z").isoformat()
    '2025-02-08T16:00:00+00:00'
    """
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def parse_daily_window(hours_utc: str) -> tuple[int, int] | None:
    """A daily window ``"HH:MM-HH:MM"`` (UTC) as (start, end) minutes after midnight; None for an empty string.

    >>> parse_daily_window("16:30-00:30")
    (990, 30)
    """
    if not hours_utc:
        return None
    start, end = hours_utc.split("-")
    return tuple(int(part[:2]) * 60 + int(part[3:]) for part in (start, end))  # type: ignore[return-value]


def in_daily_window(minute: int, window: tuple[int, int] | None) -> bool:
    r"""Whether minute-of-day `minute` lies in `window` = (start, end): $s \le m < e$, or, for a window that wraps
    midnight ($s > e$), $m \ge s$ or $m < e$. No window means all day.

    >>> in_daily_window(16 * 60 + 30, (990, 30)), in_daily_window(30, (990, 30)), in_daily_window(29, (990, 30))
    (True, False, True)
    """
    if window is None:
        return True
    start, end = window
    return start <= minute < end if start < end else minute >= start or minute < end


def list_applies(price: data.ApiPrice, when: datetime) -> bool:
    """Whether price list `price` is the one in force at UTC instant `when`: `valid_from` <= `when` < `valid_to`
    (no `valid_to`: still in force), within its daily window if it has one.

    >>> r1 = next(p for p in data.api_prices() if p.key == "deepseek-reasoner.r1-offpeak.usd")
    >>> list_applies(r1, parse_instant("2025-03-01T16:30:00Z")), list_applies(r1, parse_instant("2025-03-01T12:00:00Z"))
    (True, False)
    """
    if when < parse_instant(price.valid_from):
        return False
    if price.valid_to is not None and when >= parse_instant(price.valid_to):
        return False
    return in_daily_window(when.hour * 60 + when.minute, parse_daily_window(price.hours_utc))


def price_list_at(*, model: str, when: datetime, currency: str = "USD",
                  lists: Iterable[data.ApiPrice] | None = None) -> data.ApiPrice | None:
    """The list of `model` (an API model id such as ``"deepseek-reasoner"``) in `currency` in force at `when`, or
    None when none is recorded (before the model's first list, or after its last one ended).

    Source: `data/api_prices.toml` (each list's `source`).

    >>> price_list_at(model="deepseek-reasoner", when=parse_instant("2025-02-15T12:00:00Z")).output
    2.19
    >>> price_list_at(model="deepseek-reasoner", when=parse_instant("2025-03-03T20:00:00Z")).output  # off-peak
    0.55
    """
    for price in data.api_prices() if lists is None else lists:
        if price.model == model and price.currency == currency and list_applies(price, when):
            return price
    return None


def price_models(currency: str = "USD") -> list[tuple[str, str]]:
    """(model id, provider) of every model with a list in `currency`, in file order."""
    seen: dict[str, str] = {}
    for price in data.api_prices():
        if price.currency == currency:
            seen.setdefault(price.model, price.provider)
    return list(seen.items())


def first_list_start(model: str, currency: str = "USD") -> datetime | None:
    """When the first recorded list of `model` in `currency` begins (None: no list).

    >>> first_list_start("o1").isoformat()
    '2024-12-17T00:00:00+00:00'
    """
    starts = [parse_instant(p.valid_from) for p in data.api_prices() if p.model == model and p.currency == currency]
    return min(starts) if starts else None


def coverage_end(model: str, currency: str = "USD") -> datetime | None:
    """When the last recorded list of `model` ends (None: a list is still open, in force when checked).

    >>> coverage_end("deepseek-chat").isoformat()
    '2026-04-24T00:00:00+00:00'
    >>> coverage_end("o3") is None
    True
    """
    lists = [p for p in data.api_prices() if p.model == model and p.currency == currency]
    if any(p.valid_to is None for p in lists):
        return None
    return max(parse_instant(p.valid_to) for p in lists if p.valid_to)


@dataclass(frozen=True, kw_only=True)
class DayPrice:
    """Prices averaged over one UTC day, weighted by the minutes each list was in force (`lists` with their
    minutes); per million tokens."""

    input_cache_hit: float
    input_cache_miss: float
    output: float
    lists: tuple[tuple[data.ApiPrice, int], ...]


def day_average_price(*, model: str, day: date, currency: str = "USD") -> DayPrice | None:
    r"""The price of `model` averaged over UTC day `day`, for requests spread evenly over it:
    $\bar p = \sum_i p_i \, m_i / 1440$ with $m_i$ the minutes list $i$ was in force. None when some minute of the
    day has no list.

    DeepSeek's off-peak discount (Feb 26 - Sep 5, 2025) covers 8 of 24 hours, so R1's day-average output price was
    $(16 \times 2.19 + 8 \times 0.55) / 24$:

    >>> round(day_average_price(model="deepseek-reasoner", day=date(2025, 3, 3)).output, 4)
    1.6433
    """
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    candidates = [p for p in data.api_prices() if p.model == model and p.currency == currency]
    cuts = {0, MINUTES_PER_DAY}
    for price in candidates:
        window = parse_daily_window(price.hours_utc)
        if window:
            cuts.update(window)
        for edge in (price.valid_from, price.valid_to):
            if edge:
                offset = (parse_instant(edge) - midnight) / timedelta(minutes=1)
                if 0 < offset < MINUTES_PER_DAY:
                    cuts.add(math.ceil(offset))
    minutes: dict[str, int] = {}
    found: dict[str, data.ApiPrice] = {}
    edges = sorted(cuts)
    for start, end in zip(edges, edges[1:]):
        price = price_list_at(model=model, when=midnight + timedelta(minutes=start), currency=currency, lists=candidates)
        if price is None:
            return None
        minutes[price.key] = minutes.get(price.key, 0) + end - start
        found[price.key] = price
    weighted = [(found[key], m) for key, m in minutes.items()]

    def mean(field: str) -> float:
        return math.fsum(getattr(p, field) * m for p, m in weighted) / MINUTES_PER_DAY

    return DayPrice(input_cache_hit=mean("input_cache_hit"), input_cache_miss=mean("input_cache_miss"),
                    output=mean("output"), lists=tuple(weighted))


@dataclass(frozen=True, kw_only=True)
class RequestCost:
    """What one request costs, by token class, in the list's currency."""

    input_cache_hit: float
    input_cache_miss: float
    output: float
    reasoning: float

    @property
    def total(self) -> float:
        """The whole request."""
        return math.fsum((self.input_cache_hit, self.input_cache_miss, self.output, self.reasoning))

    def parts(self) -> tuple[tuple[str, float], ...]:
        """(token class, cost) in a fixed order: cache-hit input, cache-miss input, answer, thinking."""
        return (("Input, cache hit", self.input_cache_hit), ("Input, cache miss", self.input_cache_miss),
                ("Output, answer", self.output), ("Output, thinking", self.reasoning))


def request_cost(*, prompt_tokens: float, cache_hit_share: float, output_tokens: float, reasoning_tokens: float,
                 input_cache_hit_per_mtok: float, input_cache_miss_per_mtok: float,
                 output_per_mtok: float) -> RequestCost:
    r"""The cost of one request:
    $\text{USD}_\text{request} = \dfrac{T_\text{hit}\,p_\text{hit} + (T_p - T_\text{hit})\,p_\text{in} + (T_r +
    T_\text{think})\,p_\text{out}}{10^6}$.

    $T_p$ prompt tokens, of which $T_\text{hit}$ (the share `cache_hit_share`) are served from the provider's cache;
    $T_r$ the answer's tokens;
    $T_\text{think}$ the thinking (reasoning) tokens, which every provider here bills as output whether or not it
    returns them (DeepSeek: "The output token count of deepseek-reasoner includes all tokens from CoT and the final
    answer, and they are priced equally"). Prices per million tokens; the cost in the same currency.

    DeepSeek's Day-6 overview priced a day's 608B input tokens (342B cache hits) and 168B output tokens at R1's
    list; per million output tokens that is:

    >>> c = request_cost(prompt_tokens=608e9 / 168e9 * 1e6, cache_hit_share=342 / 608, output_tokens=1e6,
    ...                  reasoning_tokens=0, input_cache_hit_per_mtok=0.14, input_cache_miss_per_mtok=0.55,
    ...                  output_per_mtok=2.19)
    >>> round(c.total * 168e3)  # $562,027 published; the gap is the rounding of 608B, 342B and 168B
    562100
    """
    hit_tokens = prompt_tokens * cache_hit_share
    return token_classes_cost(hit_tokens=hit_tokens, miss_tokens=prompt_tokens - hit_tokens,
                              output_tokens=output_tokens, reasoning_tokens=reasoning_tokens,
                              input_cache_hit_per_mtok=input_cache_hit_per_mtok,
                              input_cache_miss_per_mtok=input_cache_miss_per_mtok, output_per_mtok=output_per_mtok)


@formula(hit_tokens=r"T_\text{hit}", miss_tokens=r"T_\text{miss}", output_tokens="T_r",
         reasoning_tokens=r"T_\text{think}", input_cache_hit_per_mtok=r"p_\text{hit}",
         input_cache_miss_per_mtok=r"p_\text{in}", output_per_mtok=r"p_\text{out}")
def token_classes_cost(*, hit_tokens: float, miss_tokens: float, output_tokens: float, reasoning_tokens: float = 0.0,
                       input_cache_hit_per_mtok: float, input_cache_miss_per_mtok: float,
                       output_per_mtok: float) -> RequestCost:
    r"""Tokens of each class priced at a list, by class: the formula of `request_cost` with the token counts given
    (a request's, or a whole day's), $\text{USD}_\text{tokens} = (T_\text{hit}\,p_\text{hit} + T_\text{miss}\,
    p_\text{in} + (T_r + T_\text{think})\,p_\text{out}) / 10^6$.

    Examples:
        >>> round(token_classes_cost(hit_tokens=342e9, miss_tokens=266e9, output_tokens=168e9,  # Day 6, rounded
        ...       input_cache_hit_per_mtok=0.14, input_cache_miss_per_mtok=0.55, output_per_mtok=2.19).total, 6)
        562100.0
    """
    return RequestCost(
        input_cache_hit=hit_tokens * input_cache_hit_per_mtok / 1e6,
        input_cache_miss=miss_tokens * input_cache_miss_per_mtok / 1e6,
        output=output_tokens * output_per_mtok / 1e6,
        reasoning=reasoning_tokens * output_per_mtok / 1e6,
    )


def workload_cost(*, per_request: float, requests_per_day: float,
                  days_per_month: float = DAYS_PER_MONTH) -> tuple[float, float]:
    r"""(per day, per month) for `requests_per_day` requests of cost `per_request`: $\text{USD}_\text{day} =
    n_\text{req}\,\text{USD}_\text{request}$, $\text{USD}_\text{month} = 30\,\text{USD}_\text{day}$.

    >>> workload_cost(per_request=0.002, requests_per_day=10_000)
    (20.0, 600.0)
    """
    per_day = per_request * requests_per_day
    return per_day, per_day * days_per_month


def price_ratio(cheaper: float, dearer: float) -> float | None:
    r"""How many times `dearer` is `cheaper`: $p_B / p_A$; None when `cheaper` is 0.

    "R1 is 27× cheaper than o1" is this ratio on the output list prices of January 2025:

    >>> round(price_ratio(2.19, 60.0), 1), round(price_ratio(0.55, 15.0), 1)
    (27.4, 27.3)
    """
    if cheaper == 0:
        return None
    return dearer / cheaper


@formula(price="p_0", factor_per_year="f", years="Y")
def price_after_years(*, price: float, factor_per_year: float, years: float) -> float:
    r"""The price after `years` years of falling `factor_per_year`-fold a year: $p_Y = p_0 / f^{\,Y}$.

    a16z's "LLMflation" example: GPT-3-level output at $60 per million tokens, 10× cheaper each year, for 3 years:

    >>> round(price_after_years(price=60.0, factor_per_year=10.0, years=3), 6)
    0.06
    """
    fall = fall_factor(factor_per_year=factor_per_year, years=years)
    return math.inf if fall == 0 else _portable(price / fall)


def fall_factor(*, factor_per_year: float, years: float) -> float:
    r"""How many times lower a price is after `years` years at `factor_per_year` a year: $f^{\,Y}$ (infinite when
    it exceeds the float range).

    >>> fall_factor(factor_per_year=40.0, years=0.5), fall_factor(factor_per_year=1e6, years=100)
    (6.32455532034, inf)
    """
    try:
        return _portable(factor_per_year**years)
    except OverflowError:
        return math.inf


def _portable(x: float) -> float:
    """`x` to 12 significant digits: powers and logarithms may differ in their last bit between C libraries (CPython's
    and Pyodide's), which 12 digits hide."""
    return float(f"{x:.12g}")


@formula(price="p_0", target=r"p_\text{target}", factor_per_year="f")
def years_to_target(*, price: float, target: float, factor_per_year: float) -> float | None:
    r"""Years until a price falling `factor_per_year`-fold a year reaches `target`:
    $Y = \ln(p_0 / p_\text{target}) / \ln f$ (0 if it is already there; None if it never gets there, $f \le 1$).

    o1's $60 output price down to R1's $2.19 at Epoch AI's 40× a year for GPT-4-level performance:

    >>> round(years_to_target(price=60.0, target=2.19, factor_per_year=40.0), 2)
    0.9
    """
    if target >= price:
        return 0.0
    if factor_per_year <= 1:
        return None
    return _portable(math.log(price / target) / math.log(factor_per_year))

