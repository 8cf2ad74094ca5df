"""Our API price lists against pydantic's genai-prices (MIT, pinned in the dev extra, data shipped in the package).

Where the two overlap (same provider and model, US dollars), both are read at fixed instants inside each of our
lists: a day after it begins, at 12:00 and 20:00 UTC (one on each side of DeepSeek's off-peak window), or an hour
into its daily window. Every difference must be one recorded in `data/api_prices.toml` as a [[crosscheck]] with
its reason, and every recorded difference must still be one: a new dataset version that fixes or adds a difference
fails here until the record is updated.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from calculators import api_pricing, data

genai_prices = pytest.importorskip("genai_prices", reason="genai-prices is in the dev extra (requirements.lock)")

PROVIDERS = {"DeepSeek": "deepseek", "OpenAI": "openai", "Anthropic": "anthropic"}
MODEL_REFS = {"claude-3-7-sonnet": "claude-3-7-sonnet-latest"}  # the dataset's id for the same model
FIELDS = ("input_cache_miss", "input_cache_hit", "output")


def sample_instants(price: data.ApiPrice) -> list[datetime]:
    """Where a list is compared: a day after it begins, inside its window (or at 12:00 and 20:00 UTC)."""
    day = (api_pricing.parse_instant(price.valid_from) + timedelta(days=1)).replace(hour=0, minute=0)
    window = api_pricing.parse_daily_window(price.hours_utc)
    if window:
        return [day + timedelta(minutes=(window[0] + 60) % api_pricing.MINUTES_PER_DAY)]
    return [day + timedelta(hours=12), day + timedelta(hours=20)]


def theirs(price: data.ApiPrice, when: datetime) -> dict[str, float]:
    """genai-prices' prices per million tokens for our list's model at `when`."""
    usages = {"input_cache_miss": genai_prices.Usage(input_tokens=1_000_000),
              "input_cache_hit": genai_prices.Usage(input_tokens=1_000_000, cache_read_tokens=1_000_000),
              "output": genai_prices.Usage(output_tokens=1_000_000)}
    return {field: float(genai_prices.calc_price(usage, MODEL_REFS.get(price.model, price.model),
                                                 provider_id=PROVIDERS[price.provider],
                                                 genai_request_timestamp=when).total_price)
            for field, usage in usages.items()}


def compared() -> list[tuple[data.ApiPrice, datetime]]:
    return [(p, when) for p in data.api_prices() if p.currency == "USD" for when in sample_instants(p)]


def test_the_dataset_is_the_pinned_version() -> None:
    from importlib.metadata import version

    assert {c.dataset for c in data.price_crosschecks()} == {f"genai-prices {version('genai-prices')}"}


def test_every_difference_is_recorded_with_its_reason() -> None:
    recorded = {(c.list, c.at): c for c in data.price_crosschecks()}
    unexplained, stale = [], []
    for price, when in compared():
        assert api_pricing.price_list_at(model=price.model, when=when) == price  # the sample lies inside the list
        got = theirs(price, when)
        differ = {f: got[f] for f in FIELDS if not math.isclose(got[f], getattr(price, f), rel_tol=1e-9)}
        record = recorded.pop((price.key, when.strftime("%Y-%m-%dT%H:%M:%SZ")), None)
        if record is None:
            if differ:
                unexplained.append((price.key, when.isoformat(), differ))
            continue
        assert record.reason
        if {f: pytest.approx(v) for f, v in differ.items()} != dict(record.theirs):
            stale.append((price.key, when.isoformat(), differ, dict(record.theirs)))
    assert not unexplained, f"differences with no [[crosscheck]] record: {unexplained}"
    assert not stale, f"[[crosscheck]] records that no longer match the dataset: {stale}"
    assert not recorded, f"[[crosscheck]] records for no compared instant: {list(recorded)}"


def test_the_lists_we_agree_on() -> None:
    """The overlap is real: o1, GPT-4o, o3 after its cut and R1 in its 2025 standard hours agree exactly."""
    for key in ("o1.usd", "gpt-4o.usd", "o3.usd", "deepseek-reasoner.r1-standard.usd", "claude-3-7-sonnet.usd"):
        price = next(p for p in data.api_prices() if p.key == key)
        for when in sample_instants(price):
            assert theirs(price, when) == pytest.approx({f: getattr(price, f) for f in FIELDS}), key
