"""Inputs the API-price calculators share (the model list, the date and time of day) and how they are read: a
date before a model's first list, after its last one, or after the lists were checked gets a message at the
field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from .. import api_pricing, data
from ..formatting import format_number, format_price
from ..schema import ChoiceField, FieldError, TextField

MODELS = tuple((model, f"{model} ({provider})") for model, provider in api_pricing.price_models())
REASONING_MODELS = frozenset(p.model for p in data.api_prices() if p.reasoning)
CHECKED = max(p.checked for p in data.api_prices())
"""The date the lists were last checked: no date after it can be priced."""

TIMINGS = (("at", "At one time of day"), ("spread", "Spread evenly over the day"))
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def model_field(name: str, label: str, default: str, help: str) -> ChoiceField:
    """A choice of the API models that have a US-dollar list."""
    return ChoiceField(name=name, label=label, default=default, choices=MODELS, help=help)


def date_field(default: str) -> TextField:
    """The ``date`` input: a UTC day, ``YYYY-MM-DD``."""
    return TextField(name="date", label="Date (UTC)", default=default, max_chars=40, rows=1, placeholder="YYYY-MM-DD",
                     help=f"The day whose price lists apply (UTC), from 2024-09-05 to {CHECKED}, when the lists "
                          "were last checked.")


def timing_field() -> ChoiceField:
    """The ``timing`` input: requests at one time of day, or spread evenly over the day."""
    return ChoiceField(name="timing", label="Requests run", default="at", choices=TIMINGS,
                       help="DeepSeek's off-peak discount (UTC 16:30-00:30, Feb 26 - Sep 5 2025) depends on it.")


def time_field(default: str = "12:00") -> TextField:
    """The ``time_utc`` input: ``HH:MM`` in UTC, when ``timing`` is ``at``."""
    return TextField(name="time_utc", label="Time of day (UTC)", default=default, max_chars=40, rows=1,
                     placeholder="HH:MM", relevant_when={"timing": ("at",)},
                     help="Beijing time is UTC + 8 hours.")


def parse_date(text: str) -> date | None:
    """`text` as a calendar date (``YYYY-MM-DD``), or None."""
    text = text.strip()
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_time(text: str) -> tuple[int, int] | None:
    """`text` as (hour, minute) of a 24-hour clock (``HH:MM``), or None."""
    m = _TIME.match(text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        return None
    return int(m.group(1)), int(m.group(2))


def _day(d: datetime) -> str:
    return d.date().isoformat() if (d.hour, d.minute) == (0, 0) else d.strftime("%Y-%m-%d %H:%M UTC")


def date_errors(values: Mapping[str, Any], models: list[str]) -> list[FieldError]:
    """Messages for ``date`` and ``time_utc``: unreadable, after the lists were checked, or outside the recorded
    lists of one of `models`."""
    day = parse_date(values["date"])
    if day is None:
        return [FieldError(field="date", message="Enter a date as YYYY-MM-DD, for example 2025-02-15.")]
    if day.isoformat() > CHECKED:
        return [FieldError(field="date", message=f"Prices are recorded up to {CHECKED}, when they were last checked.")]
    when = None
    if values["timing"] == "at":
        clock = parse_time(values["time_utc"])
        if clock is None:
            return [FieldError(field="time_utc", message="Enter a time as HH:MM (24-hour clock, UTC), for example 20:00.")]
        when = datetime(day.year, day.month, day.day, *clock, tzinfo=UTC)
    for model in models:
        start = api_pricing.first_list_start(model)
        end = api_pricing.coverage_end(model)
        day_start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if start is not None and (when or day_start) < start:
            return [FieldError(field="date", message=f"No {model} price list before {_day(start)} (its first list "
                                                     "here): choose a later date.")]
        if end is not None and (when or day_start) >= end:
            return [FieldError(field="date", message=f"{model} is priced here only until {_day(end)}, when its "
                                                     "last recorded list ended: choose an earlier date.")]
        if resolve(model, values) is None:
            return [FieldError(field="date", message=f"No {model} price list covers all of that day: choose "
                                                     "another date or one time of day.")]
    return []


@dataclass(frozen=True, kw_only=True)
class Prices:
    """The prices a calculator uses for one model (per million tokens, USD) and the lists they come from, each with
    the minutes of the day it applied (1440 for one instant)."""

    input_cache_hit: float
    input_cache_miss: float
    output: float
    lists: tuple[tuple[data.ApiPrice, int], ...]


def resolve(model: str, values: Mapping[str, Any]) -> Prices | None:
    """The USD prices of `model` for the date and timing in `values` (None: no list covers it)."""
    day = parse_date(values["date"])
    if day is None:
        return None
    if values["timing"] == "spread":
        avg = api_pricing.day_average_price(model=model, day=day)
        if avg is None:
            return None
        return Prices(input_cache_hit=avg.input_cache_hit, input_cache_miss=avg.input_cache_miss, output=avg.output,
                      lists=avg.lists)
    clock = parse_time(values["time_utc"])
    if clock is None:
        return None
    price = api_pricing.price_list_at(model=model, when=datetime(day.year, day.month, day.day, *clock, tzinfo=UTC))
    if price is None:
        return None
    return Prices(input_cache_hit=price.input_cache_hit, input_cache_miss=price.input_cache_miss, output=price.output,
                  lists=((price, api_pricing.MINUTES_PER_DAY),))


def when_text(values: Mapping[str, Any]) -> str:
    """The date and time the prices are for, as a reader reads it."""
    if values["timing"] == "spread":
        return f"{values['date'].strip()} (requests spread over the UTC day)"
    return f"{values['date'].strip()} {values['time_utc'].strip()} UTC"


def money(value: float) -> str:
    """Dollars per million tokens as price lists print them: $0.14, $1.10, $0.028."""
    return format_price(value)


def period_text(price: data.ApiPrice) -> str:
    """When a list held: its dates (UTC) and daily window."""
    start = _day(api_pricing.parse_instant(price.valid_from))
    hours = f", daily UTC {price.hours_utc}" if price.hours_utc else ""
    if price.valid_to is None:
        return f"from {start}, still in force when checked on {price.checked}{hours}"
    return f"{start} to {_day(api_pricing.parse_instant(price.valid_to))}{hours}"


def status_text(price: data.ApiPrice) -> str:
    """Whether a list was read in the provider's own page or only in secondary material."""
    return "official page" if price.verified else "secondary source"


def list_notes(prices: Prices) -> list[str]:
    """One note per list used: what it is, when it held, where it was read."""
    notes = []
    for price, minutes in prices.lists:
        share = "" if minutes == api_pricing.MINUTES_PER_DAY else f" ({minutes / 60:g} h of the day)"
        notes.append(f"{price.model}{share}: {price.version}, {money(price.input_cache_hit)} / "
                     f"{money(price.input_cache_miss)} / {money(price.output)} per million tokens (cache hit / miss / "
                     f"output), {period_text(price)}. Source: {price.source}."
                     + ("" if price.verified else " Not read on the provider's own page: "
                        + price.note.removeprefix("Secondary only.").strip()).rstrip())
    return notes


def cny_note(model: str, values: Mapping[str, Any]) -> str | None:
    """DeepSeek's CNY list at the same instant, as published (not converted), if one is recorded."""
    if values["timing"] != "at":
        return None
    day, clock = parse_date(values["date"]), parse_time(values["time_utc"])
    if day is None or clock is None:
        return None
    cny = api_pricing.price_list_at(model=model, when=datetime(day.year, day.month, day.day, *clock, tzinfo=UTC),
                                    currency="CNY")
    if cny is None:
        return None
    return (f"{model} in yuan at the same time: ¥{format_number(cny.input_cache_hit)} / "
            f"¥{format_number(cny.input_cache_miss)} / ¥{format_number(cny.output)} per million tokens, DeepSeek's "
            "separate CNY list (not converted from the dollar list" + ("" if cny.verified else "; read in secondary sources") + ").")


PRICE_IS_NOT_A_COST = ("A list price is what a customer pays, not what the tokens cost the provider to serve: the "
                       "serving page works out DeepSeek's own cost and margin from its published figures.")
