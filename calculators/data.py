"""The one module that reads `data/`: model records and accelerators, with their sources.

In a source checkout the files are read from the repository's `data/` folder; in an installed wheel (and in the
browser) from `calculators/_data`, where the wheel build puts the same files.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Accelerator",
    "AnswerLength",
    "ApiPrice",
    "Claim",
    "ClaimCalculation",
    "ClaimPrice",
    "ClaimRatio",
    "ClaimTopic",
    "ModelRecord",
    "PriceQuote",
    "PriceCrosscheck",
    "PriceTrend",
    "PublishedFigure",
    "Reproduction",
    "RunStage",
    "ServingData",
    "ServingDeployment",
    "ServingDisclosure",
    "ServingFigure",
    "ServingMeasurement",
    "ServingPricePoint",
    "TrainingRun",
    "accelerators",
    "answer_lengths",
    "api_prices",
    "claim_topics",
    "claim_verdicts",
    "claims",
    "data_dir",
    "models",
    "price_crosschecks",
    "price_trends",
    "prices",
    "read_published",
    "reproductions",
    "serving",
    "training_runs",
]


def data_dir() -> Path:
    """The folder holding the TOML facts: `calculators/_data` when installed, else the checkout's `data/`."""
    packaged = Path(__file__).parent / "_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True, kw_only=True)
class PublishedFigure:
    """A number a model's authors printed, with where they printed it."""

    what: str
    value: float
    source: str
    as_of: str
    embedding_counted: bool | None = None
    """For an active-parameter figure: whether the authors count the token-embedding table in it (None: not
    applicable or not known). DeepSeek-V2/V3 leave it out; DeepSeekMoE and Mistral AI count it."""


@dataclass(frozen=True, kw_only=True)
class ModelRecord:
    """A model as published: the keys of its `config.json` and the figures its authors gave."""

    key: str
    name: str
    family: str
    config: dict[str, Any]
    published: tuple[PublishedFigure, ...]
    source: str
    as_of: str
    note: str = ""
    verified: bool = True

    def figure(self, what: str) -> float | None:
        """The published value named `what` (e.g. ``"total_params"``), or None if the authors gave none."""
        for fig in self.published:
            if fig.what == what:
                return fig.value
        return None


@dataclass(frozen=True, kw_only=True)
class Accelerator:
    """An accelerator's datasheet figures, each in base units (bytes, bytes per second, watts), with sources.

    Tensor throughput is dense, in TFLOPS; `fp8_dense_tflops` is None for a chip without FP8 tensor cores.
    """

    key: str
    name: str
    memory_bytes: float
    source: str
    as_of: str
    bf16_dense_tflops: float
    fp8_dense_tflops: float | None = None
    memory_bandwidth_bytes_per_s: float
    scale_up_bytes_per_s: float
    power_watts: float
    sources: Mapping[str, str] = field(default_factory=dict)
    note: str = ""
    verified: bool = True

    def dense_tflops(self, precision: str) -> float | None:
        """Peak dense tensor TFLOPS at ``"bf16"`` or ``"fp8"`` (None where the chip has no such tensor cores)."""
        return {"bf16": self.bf16_dense_tflops, "fp8": self.fp8_dense_tflops}[precision]


@dataclass(frozen=True, kw_only=True)
class RunStage:
    """One stage of a published training run, as printed: GPU-hours, and dollars, GPUs and hours where given; for
    a reinforcement-learning stage, its published settings (steps, batch, answer cap, KL coefficient) and their
    source."""

    name: str
    gpu_hours: float
    usd: float | None = None
    gpus: int | None = None
    hours: float | None = None
    steps: int | None = None
    prompts_per_step: int | None = None
    answers_per_prompt: int | None = None
    answer_cap_tokens: tuple[int, ...] = ()
    answer_cap_raised_at_step: int | None = None
    kl_coefficient: float | None = None
    settings_source: str = ""


@dataclass(frozen=True, kw_only=True)
class TrainingRun:
    """A training run as its authors reported it (see `data/training_runs.toml` for the conventions)."""

    key: str
    name: str
    accelerator: str
    gpus: int
    stages: tuple[RunStage, ...]
    total_gpu_hours: float
    source: str
    as_of: str
    model: str | None = None
    tokens: float | None = None
    usd_per_gpu_hour: float | None = None
    total_usd: float | None = None
    gpu_hours_per_trillion_tokens: float | None = None
    days_per_trillion_tokens: float | None = None
    total_flops: float | None = None
    mfu_low: float | None = None
    mfu_high: float | None = None
    precision: str | None = None
    sequence_length: int | None = None
    base_run: str | None = None
    base_stages: tuple[str, ...] = ()
    note: str = ""
    verified: bool = True

    def stage(self, name: str) -> RunStage:
        """The stage called `name`."""
        return next(s for s in self.stages if s.name == name)


@dataclass(frozen=True, kw_only=True)
class PriceQuote:
    """A price with its unit, what it is for, and where and when it was quoted.

    `low` and `high` bound a quoted range; a single price has ``low == high``.
    """

    key: str
    what: str
    unit: str
    low: float
    high: float
    source: str
    as_of: str
    accelerator: str | None = None
    note: str = ""
    verified: bool = True


@dataclass(frozen=True, kw_only=True)
class ApiPrice:
    """One API price list as its provider published it: one model, one currency, one period, one daily window.

    Prices are per million tokens in `currency` (``"USD"`` or ``"CNY"``, each list as published, never converted).
    `valid_from` and `valid_to` are UTC instants (ISO 8601, ``Z``); `valid_to` is excluded and None while the list
    was still in force when `checked`. `hours_utc` (``"16:30-00:30"``, start included, end excluded, may wrap
    midnight) limits the list to a daily window; empty: all day. See `data/api_prices.toml`.
    """

    key: str
    provider: str
    model: str
    version: str
    currency: str
    input_cache_hit: float
    input_cache_miss: float
    output: float
    valid_from: str
    source: str
    url: str
    as_of: str
    checked: str
    valid_to: str | None = None
    hours_utc: str = ""
    input_cache_write: float | None = None
    context_tokens: int | None = None
    max_output_tokens: int | None = None
    max_reasoning_tokens: int | None = None
    reasoning: bool = False
    """Whether the model can think before it answers (its thinking tokens are billed as output)."""
    unit: str = "per 1M tokens"
    note: str = ""
    verified: bool = True


@dataclass(frozen=True, kw_only=True)
class PriceTrend:
    """A published yearly factor by which the price of a given capability falls (`kind` ``"price"``), or the
    compute needed for it (`kind` ``"compute"``)."""

    key: str
    label: str
    factor_per_year: float
    kind: str
    source: str
    url: str
    as_of: str
    note: str = ""
    verified: bool = True


@dataclass(frozen=True, kw_only=True)
class AnswerLength:
    """A published mean answer length in tokens (and the accuracy that came with it), for reasoning-token examples."""

    key: str
    what: str
    tokens: float
    source: str
    as_of: str
    accuracy: float | None = None
    note: str = ""
    verified: bool = True


@dataclass(frozen=True, kw_only=True)
class PriceCrosscheck:
    """Where a public price dataset gives another price than our list `list` at instant `at`, and why.

    `theirs` maps a price field (``"output"``, ``"input_cache_miss"``, ``"input_cache_hit"``) to the dataset's
    value, USD per million tokens; our value is the list's own."""

    dataset: str
    list: str
    at: str
    theirs: Mapping[str, float]
    reason: str


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


@functools.cache
def models() -> dict[str, ModelRecord]:
    """All model records, keyed by file name (``"deepseek-v3"``), in a stable order."""
    out: dict[str, ModelRecord] = {}
    for path in sorted((data_dir() / "models").glob("*.toml")):
        raw = _read(path)
        out[path.stem] = ModelRecord(
            key=path.stem,
            name=raw["name"],
            family=raw.get("family", ""),
            config=dict(raw["config"]),
            published=tuple(PublishedFigure(**fig) for fig in raw.get("published", [])),
            source=raw["source"],
            as_of=raw["as_of"],
            note=raw.get("note", ""),
            verified=raw.get("verified", True),
        )
    return out


@functools.cache
def accelerators() -> dict[str, Accelerator]:
    """All accelerators, keyed as in `data/accelerators.toml` (``"h800"``)."""
    raw = _read(data_dir() / "accelerators.toml")
    return {key: Accelerator(key=key, **record) for key, record in raw.items()}


@functools.cache
def training_runs() -> dict[str, TrainingRun]:
    """Published training runs, keyed as in `data/training_runs.toml` (``"deepseek-v3"``)."""
    raw = _read(data_dir() / "training_runs.toml")

    def stage(record: Mapping[str, Any]) -> RunStage:
        return RunStage(**{**record, "answer_cap_tokens": tuple(record.get("answer_cap_tokens", ()))})

    return {key: TrainingRun(key=key, **{**record, "stages": tuple(stage(s) for s in record["stages"]),
                                         "base_stages": tuple(record.get("base_stages", ()))})
            for key, record in raw.items()}


def base_of(run: TrainingRun) -> tuple[float, float] | None:
    """(GPU-hours, US dollars) of what `run` starts from: the stages `base_stages` of its `base_run` (all of them if
    none is named), as printed; None for a run from scratch.

    >>> base_of(training_runs()["deepseek-r1"])  # DeepSeek-V3-Base: V3's pre-training and context extension
    (2783000, 5566000)
    """
    if run.base_run is None:
        return None
    base = training_runs()[run.base_run]
    stages = [base.stage(name) for name in run.base_stages] if run.base_stages else list(base.stages)
    return sum(s.gpu_hours for s in stages), sum(s.usd or 0 for s in stages)


@functools.cache
def prices() -> dict[str, PriceQuote]:
    """Rental, purchase, power and electricity prices, keyed as in `data/prices.toml` (``"rental.deepseek-h800"``)."""
    raw = _read(data_dir() / "prices.toml")
    return {f"{group}.{key}": PriceQuote(key=f"{group}.{key}", **record)
            for group, records in raw.items() for key, record in records.items()}


@functools.cache
def _api_prices_file() -> dict[str, Any]:
    return _read(data_dir() / "api_prices.toml")


@functools.cache
def api_prices() -> tuple[ApiPrice, ...]:
    """Every API price list in `data/api_prices.toml`, in file order."""
    return tuple(ApiPrice(**record) for record in _api_prices_file().get("list", []))


@functools.cache
def price_trends() -> dict[str, PriceTrend]:
    """Published price-decline factors, keyed as in `data/api_prices.toml` (``"epoch-gpt4"``)."""
    return {record["key"]: PriceTrend(**record) for record in _api_prices_file().get("trend", [])}


@functools.cache
def answer_lengths() -> dict[str, AnswerLength]:
    """Published answer lengths, keyed as in `data/api_prices.toml` (``"math500-v2.5-distilled"``)."""
    return {record["key"]: AnswerLength(**record) for record in _api_prices_file().get("answer_length", [])}


@functools.cache
def price_crosschecks() -> tuple[PriceCrosscheck, ...]:
    """The recorded differences between a public price dataset and our lists (see `PriceCrosscheck`)."""
    return tuple(PriceCrosscheck(**record) for record in _api_prices_file().get("crosscheck", []))


@dataclass(frozen=True, kw_only=True)
class ServingDisclosure:
    """A service's published statistics for one period, every number as printed (tokens in tokens, throughput in
    tokens per second per node, money in US dollars). `token_rounding` is how far a printed token count may be
    from the true one (half the unit it is rounded to). `price_point` names the `ServingPricePoint` whose prices the
    published revenue used."""

    key: str
    name: str
    period: str
    accelerator: str
    gpus_per_node: int
    nodes_peak: float
    nodes_average: float
    hours: float
    usd_per_gpu_hour: float
    daily_cost_usd: float
    input_tokens: float
    cache_hit_tokens: float
    cache_hit_share: float
    output_tokens: float
    output_speed_low: float
    output_speed_high: float
    decode_kv_length: float
    prefill_tokens_per_second_per_node: float
    decode_tokens_per_second_per_node: float
    theoretical_revenue_usd: float
    cost_profit_margin: float
    price_point: str
    token_rounding: float
    source: str
    as_of: str
    note: str = ""
    verified: bool = True


@dataclass(frozen=True, kw_only=True)
class ServingDeployment:
    """One serving unit as published: phase, accelerator, nodes and GPUs, expert-parallel degree, whether
    attention is data-parallel, redundant experts per layer."""

    key: str
    name: str
    phase: str
    accelerator: str
    nodes: int
    gpus: int
    expert_parallel: int
    data_parallel_attention: bool
    redundant_experts: int
    source: str
    as_of: str
    note: str = ""
    verified: bool = True


@dataclass(frozen=True, kw_only=True)
class ServingMeasurement:
    """A published throughput of one deployment (`deployment` is a key of `ServingData.deployments`): tokens per
    second per node as printed, with the context (decode) or prompt (prefill) length and the batch per GPU where
    the source states them (0 where it does not)."""

    key: str
    name: str
    deployment: str
    phase: str
    tokens_per_second_per_node: float
    source: str
    as_of: str
    context_tokens: float = 0
    prompt_tokens: float = 0
    batch_per_gpu: float = 0
    includes_cache_hits: bool = False
    note: str = ""
    verified: bool = True


@dataclass(frozen=True, kw_only=True)
class ServingPricePoint:
    """An API model id and a UTC instant (ISO 8601): the list of `api_prices` in force then re-prices a disclosed
    day (`calculators.api_pricing.price_list_at`). It holds no price: each price is recorded once, in
    `data/api_prices.toml`, with its source."""

    key: str
    name: str
    model: str
    at: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ServingFigure:
    """A single published serving figure (a claim, an MTP acceptance range, a default): its values by name."""

    key: str
    name: str
    values: Mapping[str, float]
    source: str
    as_of: str
    note: str = ""
    verified: bool = True


@dataclass(frozen=True, kw_only=True)
class ServingData:
    """Everything in `data/serving.toml`, by group and key."""

    disclosures: Mapping[str, ServingDisclosure]
    deployments: Mapping[str, ServingDeployment]
    measurements: Mapping[str, ServingMeasurement]
    price_points: Mapping[str, ServingPricePoint]
    figures: Mapping[str, ServingFigure]

    def records(self) -> list[Any]:
        """Every record that holds figures, for checks that each carries its source and date (price points hold
        none)."""
        return [*self.disclosures.values(), *self.deployments.values(), *self.measurements.values(),
                *self.figures.values()]


def _figure(group: str, key: str, record: Mapping[str, Any]) -> ServingFigure:
    meta = {"source", "as_of", "note", "verified", "name", "what", "unit"}
    return ServingFigure(key=f"{group}.{key}", name=record.get("name") or record.get("what", key),
                         values={k: v for k, v in record.items() if k not in meta},
                         source=record["source"], as_of=record["as_of"], note=record.get("note", ""),
                         verified=record.get("verified", True))


@functools.cache
def serving() -> ServingData:
    """Serving disclosures, deployments, measurements, price points (a model and an instant) and single figures,
    from `data/serving.toml`. Figures are keyed ``"group.key"`` (``"claim.sglang-usd-per-mtok-output"``,
    ``"mtp.deepseek-v3"``)."""
    raw = _read(data_dir() / "serving.toml")
    known = {"disclosure", "deployment", "measurement", "price_point"}
    return ServingData(
        disclosures={k: ServingDisclosure(key=k, **r) for k, r in raw.get("disclosure", {}).items()},
        deployments={k: ServingDeployment(key=k, **r) for k, r in raw.get("deployment", {}).items()},
        measurements={k: ServingMeasurement(key=k, **r) for k, r in raw.get("measurement", {}).items()},
        price_points={k: ServingPricePoint(key=k, **r) for k, r in raw.get("price_point", {}).items()},
        figures={f"{group}.{k}": _figure(group, k, r) for group, records in raw.items() if group not in known
                 for k, r in records.items()},
    )


# --- Claims readers bring, and the published figures the tests reproduce ------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ClaimCalculation:
    """A calculator run that settles a claim: the calculator's id, its inputs (strings or numbers, as the CLI takes
    them) and the outputs the claim reads. `name` is how the claim's text refers to it (``{name.output}``)."""

    name: str
    calculator: str
    inputs: Mapping[str, Any]
    outputs: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ClaimRatio:
    """A ratio of two outputs of a claim's calculations (``"calc.output"``), written into its text as ``{name}``:
    `kind` ``"times"`` (a / b, as ×), ``"percent"`` (a / b, as %) or ``"reduction"`` (1 − a / b, as %)."""

    name: str
    numerator: str
    denominator: str
    kind: str


@dataclass(frozen=True, kw_only=True)
class ClaimPrice:
    """An API price list a claim quotes (`list` is a key of `api_prices`), written as ``{name.output}`` and so on."""

    name: str
    list: str


@dataclass(frozen=True, kw_only=True)
class ClaimTopic:
    """A group of claims on the headlines page."""

    key: str
    title: str


@dataclass(frozen=True, kw_only=True)
class Claim:
    """A claim as readers meet it (paraphrased), the verdict, and what settles it.

    `finding` says what the claim's number is, with ``{name.output}`` where a calculation's output goes (computed at
    build time, never typed) and ``{name}`` for a ratio. `link` is a page and section of the site
    (``"explainers/cost.md#buy-or-rent"``, relative to `docs/`). `source` is the primary source of the facts the
    verdict rests on, with `as_of` the date it held. `seen_in` names the seed articles that carry the claim
    (their file names in the project's reference folder), for the record; the page does not show it. `headline` and
    `home` put the claim on the home page, in that order, with `summary`: the finding in one line (placeholders as
    in `finding`).
    """

    key: str
    topic: str
    claim: str
    verdict: str
    finding: str
    link: str
    source: str
    as_of: str
    seen_in: tuple[str, ...] = ()
    summary: str = ""
    headline: str = ""
    home: int | None = None
    calculations: tuple[ClaimCalculation, ...] = ()
    ratios: tuple[ClaimRatio, ...] = ()
    prices: tuple[ClaimPrice, ...] = ()
    note: str = ""
    verified: bool = True


@functools.cache
def _claims_file() -> dict[str, Any]:
    return _read(data_dir() / "claims.toml")


@functools.cache
def claim_verdicts() -> dict[str, str]:
    """The verdicts a claim can get, in the order the page counts them, each with what it means."""
    return {record["name"]: record["meaning"] for record in _claims_file()["verdict"]}


@functools.cache
def claim_topics() -> dict[str, ClaimTopic]:
    """The topics that group the claims, in page order, keyed as in `data/claims.toml`."""
    return {record["key"]: ClaimTopic(**record) for record in _claims_file()["topic"]}


@functools.cache
def claims() -> tuple[Claim, ...]:
    """Every claim in `data/claims.toml`, in file order."""
    out = []
    for record in _claims_file()["claim"]:
        record = dict(record)
        out.append(Claim(**{
            **record,
            "seen_in": tuple(record.get("seen_in", ())),
            "calculations": tuple(ClaimCalculation(**{**c, "inputs": dict(c.get("inputs", {})),
                                                      "outputs": tuple(c["outputs"])})
                                  for c in record.get("calculations", ())),
            "ratios": tuple(ClaimRatio(**r) for r in record.get("ratios", ())),
            "prices": tuple(ClaimPrice(**p) for p in record.get("prices", ())),
        }))
    return tuple(out)


@dataclass(frozen=True, kw_only=True)
class Reproduction:
    """A published figure that the tests reproduce, and how: a calculator run (`calculator`, `inputs`) and the
    output it reads (`output`), optionally divided by the output of a second run (`over`: a mapping with the same
    three keys) and taken from 1 (`reduction`: 1 − a / b).

    `published` is the figure in the output's own unit (a fraction for a percentage, bytes for "KB"); `printed`
    is how the source prints it. Where `data/` already holds the figure, `published_from` points at it
    (``"training_runs.toml#deepseek-v3/stages[name=Pre-training]/usd"``: a file, then keys, ``[field=value]``
    picking a table from a list) and `published`, `source` and `as_of` are read there, so the value is written once.
    `tolerance_kind` says how close ours must be: ``"exact"`` (equal, up to float rounding), ``"relative"`` (|ours / published − 1| ≤ `tolerance`) or ``"printed"`` (|ours − published| ≤
    `tolerance`, in the output's unit: the source's printed precision, `tolerance_note` says why). `expect`
    ``"differs"`` marks a printed figure the source's own numbers do not give (a misprint), with the reason in
    `note`: the test checks that it still differs. `config_file` (a path from the repository root) is a published
    `config.json` passed as the calculator's ``config`` input. `shown` sets how the page writes both values
    (`scale` to divide by, `decimals`, `unit`).
    """

    key: str
    group: str
    what: str
    printed: str
    published: float
    source: str
    as_of: str
    calculator: str
    output: str
    tolerance_kind: str
    published_from: str = ""
    inputs: Mapping[str, Any] = field(default_factory=dict)
    over: Mapping[str, Any] | None = None
    reduction: bool = False
    tolerance: float = 0.0
    tolerance_note: str = ""
    config_file: str = ""
    shown: Mapping[str, Any] = field(default_factory=dict)
    expect: str = "match"
    note: str = ""
    verified: bool = True


def _segment(segment: str) -> tuple[str, str | None, str | None]:
    key, _, selector = segment.partition("[")
    if not selector:
        return key, None, None
    name, _, value = selector.rstrip("]").partition("=")
    return key, name, value


def read_published(pointer: str) -> tuple[Any, dict[str, Any]]:
    """The value at `pointer` (``"file.toml#key/list[field=value]/key"``) in `data/`, and the innermost table on the
    way that carries a ``source`` (its ``source``, ``as_of`` and ``verified`` go with the value).

    >>> read_published("training_runs.toml#deepseek-v3/stages[name=Pre-training]/usd")[0]
    5328000
    """
    file, _, path = pointer.partition("#")
    node: Any = _read(data_dir() / file)
    sourced: dict[str, Any] = node if "source" in node else {}
    for segment in path.split("/"):
        key, field_name, value = _segment(segment)
        node = node[key]
        if field_name is not None:
            matches = [item for item in node if str(item.get(field_name)) == value]
            if len(matches) != 1:
                raise KeyError(f"{pointer}: {len(matches)} tables with {field_name} = {value!r}")
            node = matches[0]
        if isinstance(node, dict) and "source" in node:
            sourced = node
    if not sourced:
        raise KeyError(f"{pointer}: no table on the way carries a source")
    return node, sourced


@functools.cache
def reproductions() -> tuple[Reproduction, ...]:
    """Every published figure in `data/validation.toml` that the tests reproduce, in file order; a record with
    `published_from` takes its value, source and date from the data file it points at."""
    out = []
    for record in _read(data_dir() / "validation.toml")["figure"]:
        record = dict(record)
        if record.get("published_from"):
            value, sourced = read_published(record["published_from"])
            record.setdefault("published", value)
            record.setdefault("source", sourced["source"])
            record.setdefault("as_of", sourced["as_of"])
            record.setdefault("verified", sourced.get("verified", True))
        out.append(Reproduction(**record))
    return tuple(out)
