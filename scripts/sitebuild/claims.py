"""The headlines readers bring (`data/claims.toml`), settled by the package at build time.

Each claim's calculations run through `calculators.run`; their outputs (formatted as the widgets format them) go
into the claim's finding where it writes ``{name.output}``, ratios of two outputs where it writes ``{name}``, and
quoted price lists where it writes ``{name.output}`` for a `prices` entry. Each claim's link must name a heading
that exists on the page it points at. The headlines page, the home page and `tests/test_claims.py` all read this
module, so they cannot disagree.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown.extensions.toc import slugify

import calculators
from calculators import data
from calculators.formatting import format_number, format_percent, format_price

DOCS = Path(__file__).resolve().parents[2] / "docs"
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(?:\.([a-z0-9_]+))?\}")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{\s*#([\w-]+)\s*\})?\s*$")
_CURRENCY = {"USD": "$", "CNY": "¥"}


class ClaimError(ValueError):
    """A claim names an unknown calculator, output, price list, placeholder or section: the build stops."""


@dataclass(frozen=True)
class Shown:
    """One output a claim reads: its name, label and unit from the calculator's schema, its text and value."""

    name: str
    label: str
    text: str
    value: float | None


@dataclass(frozen=True)
class Run:
    """A calculation that settles a claim, run: the command that repeats it and the outputs the claim reads."""

    calculation: data.ClaimCalculation
    command: str
    outputs: tuple[Shown, ...]


@dataclass(frozen=True)
class Settled:
    """A claim with its finding written out, its calculations run, and its link resolved for one page."""

    claim: data.Claim
    finding: str
    summary: str
    runs: tuple[Run, ...]
    values: dict[str, str]
    """Every placeholder the finding may use (``"bill.total_usd"``, ``"share"``, ``"r1.output"``) and its text."""
    href: str
    section: str

    @property
    def verdict_class(self) -> str:
        return "verdict-" + self.claim.verdict.replace(" ", "-")


@functools.cache
def headings(page: str) -> dict[str, str]:
    """Anchor -> heading text (as written in Markdown) of a page under `docs/` (``"explainers/cost.md"``), the
    anchors made as the site's table of contents makes them."""
    out: dict[str, str] = {}
    fence = False
    for line in (DOCS / page).read_text().splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if fence:
            continue
        m = _HEADING.match(line)
        if not m:
            continue
        text = m.group(2)
        anchor = m.group(3) or slugify(text.replace("\\$", "$"), "-")
        out.setdefault(anchor, text)
    return out


def section_of(link: str) -> str:
    """The heading text a link ``"page.md#anchor"`` points at (the page's title for a page without anchor)."""
    page, _, anchor = link.partition("#")
    if not (DOCS / page).is_file():
        raise ClaimError(f"link {link!r}: no page docs/{page}")
    found = headings(page)
    if not anchor:
        text = next(iter(found.values()))
    elif anchor in found:
        text = found[anchor]
    else:
        raise ClaimError(f"link {link!r}: no heading with anchor #{anchor} on {page}")
    return text.replace("\\$", "$")  # as read; the page escapes its dollar signs again


def _price_list(key: str) -> data.ApiPrice:
    for record in data.api_prices():
        if record.key == key:
            return record
    raise ClaimError(f"no price list {key!r} in data/api_prices.toml")


def _price_text(value: float, currency: str) -> str:
    if currency == "USD":
        return format_price(value)
    return f"{_CURRENCY.get(currency, currency + ' ')}{format_number(value)}"


def command(calculation: data.ClaimCalculation) -> str:
    """The command line that repeats a calculation (a pasted config is shown as ``--config FILE``)."""
    parts = ["python -m calculators run", calculation.calculator]
    inputs = dict(calculation.inputs)
    if "preset" in inputs:
        parts.append(f"--preset {inputs.pop('preset')}")
    if "config" in inputs:
        inputs.pop("config")
        parts.append("--config config.json")
    parts += [f"{name}={value}" for name, value in inputs.items()]
    return " ".join(parts)


def _run(claim: data.Claim, calculation: data.ClaimCalculation) -> Run:
    calc = calculators.get_calculator(calculation.calculator)
    if calc is None:
        raise ClaimError(f"claim {claim.key}: no calculator {calculation.calculator!r}")
    result = calculators.run(calculation.calculator, dict(calculation.inputs))
    if result["errors"]:
        raise ClaimError(f"claim {claim.key}: {calculation.calculator} {dict(calculation.inputs)}: {result['errors']}")
    shown = []
    for name in calculation.outputs:
        out = result["outputs"].get(name)
        if out is None or out["value"] is None:
            raise ClaimError(f"claim {claim.key}: {calculation.calculator} gives no value for {name!r}")
        shown.append(Shown(name, out["label"], out["text"], out["value"]))
    return Run(calculation, command(calculation), tuple(shown))


def _ratio(claim: data.Claim, ratio: data.ClaimRatio, numbers: dict[str, float]) -> str:
    try:
        a, b = numbers[ratio.numerator], numbers[ratio.denominator]
    except KeyError as exc:
        raise ClaimError(f"claim {claim.key}: ratio {ratio.name} reads {exc.args[0]!r}, "
                         "no output of its runs") from None
    if ratio.kind == "times":
        return f"{format_number(a / b, 3)}×"
    if ratio.kind == "percent":
        return format_percent(a / b)
    if ratio.kind == "reduction":
        return format_percent(1 - a / b)
    raise ClaimError(f"claim {claim.key}: ratio kind {ratio.kind!r} is not times, percent or reduction")


def settle(claim: data.Claim, where: str = "headlines.md") -> Settled:
    """Run a claim's calculations, write its finding, and resolve its link relative to page `where`."""
    if claim.verdict not in data.claim_verdicts():
        raise ClaimError(f"claim {claim.key}: verdict {claim.verdict!r} is not one of {list(data.claim_verdicts())}")
    if claim.topic not in data.claim_topics():
        raise ClaimError(f"claim {claim.key}: no topic {claim.topic!r}")
    runs = tuple(_run(claim, c) for c in claim.calculations)
    values: dict[str, str] = {}
    numbers: dict[str, float] = {}
    for run in runs:
        for out in run.outputs:
            values[f"{run.calculation.name}.{out.name}"] = out.text
            numbers[f"{run.calculation.name}.{out.name}"] = out.value  # type: ignore[assignment]
    for ratio in claim.ratios:
        values[ratio.name] = _ratio(claim, ratio, numbers)
    for price in claim.prices:
        record = _price_list(price.list)
        for field in ("input_cache_hit", "input_cache_miss", "output"):
            values[f"{price.name}.{field}"] = _price_text(getattr(record, field), record.currency)
        values[f"{price.name}.valid_from"] = record.valid_from[:10]

    def fill(m: re.Match[str]) -> str:
        key = m.group(1) + (f".{m.group(2)}" if m.group(2) else "")
        if key not in values:
            raise ClaimError(f"claim {claim.key}: the finding writes {{{key}}}, which none of its runs gives")
        return values[key]

    finding = _PLACEHOLDER.sub(fill, claim.finding)
    summary = _PLACEHOLDER.sub(fill, claim.summary)
    if claim.home is not None and not (claim.headline and summary):
        raise ClaimError(f"claim {claim.key}: a claim on the home page needs a headline and a summary")
    section = section_of(claim.link)
    href = "../" * where.count("/") + claim.link
    return Settled(claim, finding, summary, runs, values, href, section)


@functools.cache
def settled(where: str = "headlines.md") -> tuple[Settled, ...]:
    """Every claim, settled, in file order."""
    return tuple(settle(claim, where) for claim in data.claims())


def by_topic(where: str = "headlines.md") -> list[tuple[data.ClaimTopic, list[Settled]]]:
    """The settled claims grouped by topic, topics in the data's order; a topic without claims is left out."""
    groups: dict[str, list[Settled]] = {key: [] for key in data.claim_topics()}
    for item in settled(where):
        groups[item.claim.topic].append(item)
    return [(data.claim_topics()[key], items) for key, items in groups.items() if items]


def counts() -> list[tuple[str, str, int]]:
    """(verdict, what it means, how many claims have it), verdicts in the data's order."""
    tally = {verdict: 0 for verdict in data.claim_verdicts()}
    for claim in data.claims():
        tally[claim.verdict] += 1
    return [(verdict, meaning, tally[verdict]) for verdict, meaning in data.claim_verdicts().items()]


def home(where: str = "index.md") -> list[Settled]:
    """The claims the home page starts from, in their `home` order."""
    return sorted((s for s in settled(where) if s.claim.home is not None), key=lambda s: s.claim.home or 0)


def topic_anchor(topic: data.ClaimTopic) -> str:
    """The anchor of a topic's heading on the headlines page."""
    return slugify(topic.title, "-")


def calculation_text(run: Run) -> str:
    """One calculation as the page writes it: the outputs read, labelled."""
    return "; ".join(f"{out.label}: {out.text}" for out in run.outputs)


def summary() -> dict[str, Any]:
    """How many claims, and how many of each verdict (for tests and the page)."""
    return {"claims": len(data.claims()), "verdicts": {v: n for v, _, n in counts()}}
