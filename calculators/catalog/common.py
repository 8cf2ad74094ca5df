"""Inputs several calculators share (the accelerator list, the config.json field, a rental price) and the
dollar bar chart the cost calculators draw."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import attention, data, flops
from ..charts import bar_chart
from ..formatting import format_usd
from ..model_config import MAX_CONFIG_CHARS, ModelArchitecture
from ..schema import FieldError, NumberField, Plausible, TextField


ACCELERATORS = tuple((key, acc.name) for key, acc in data.accelerators().items())
ACCELERATOR_CHOICES = (("none", "None"), *ACCELERATORS)
WITH_ACCELERATOR = {"accelerator": tuple(key for key, _ in ACCELERATOR_CHOICES if key != "none")}
WEIGHT_PRECISIONS = ((16, "BF16"), (8, "FP8"), (4, "4-bit"))
PRECISIONS = (("bf16", "BF16"), ("fp8", "FP8"))


def peak_errors(values: Mapping[str, Any]) -> list[FieldError]:
    """An error on ``precision`` when the chosen ``accelerator`` has no tensor cores for it (the A100 and FP8)."""
    acc = data.accelerators()[values["accelerator"]]
    if acc.dense_tflops(values["precision"]) is None:
        return [FieldError(field="precision", message=f"The {acc.name} has no FP8 tensor cores; choose BF16.")]
    return []


def config_field(*, fills: str, rows: int = 3, group: str = "Model") -> TextField:
    """The ``config`` input: the text of a Hugging Face config.json, pasted or read from a file in the browser."""
    return TextField(
        name="config",
        label="Import a config.json",
        help=f"Paste a Hugging Face config.json or choose the file: it {fills}. It is read in your browser; "
             "nothing is uploaded.",
        placeholder='{"hidden_size": 4096, "num_hidden_layers": 32, ...}',
        max_chars=MAX_CONFIG_CHARS,
        rows=rows,
        accept=".json,application/json",
        group=group,
    )


def reserve_field(*, default: float, kept_for: str, **extra: Any) -> NumberField:
    """The ``reserve_fraction`` input: the share of each accelerator's memory kept free of the state being placed
    (one unit, a fraction, in every calculator that places state in memory)."""
    return NumberField(name="reserve_fraction", label="Memory kept free", symbol="r_M", unit="fraction",
                       default=default, minimum=0, maximum=0.95,
                       help=f"Share of each accelerator's memory kept for {kept_for}, between 0 and 0.95.", **extra)


def six_n_from_config(arch: ModelArchitecture) -> dict[str, Any]:
    """What a config fills in a calculator that takes the N of 6N (`flops.six_n_params`): ``active_params_billion``,
    to the nearest million."""
    return {"active_params_billion": round(flops.six_n_params(arch) / 1e9, 3)}


def price_field(help: str, *, group: str = "Price", plausible: Plausible | None = None) -> NumberField:
    """The ``usd_per_gpu_hour`` input: a rental price per GPU-hour, $2 by default (DeepSeek's H800 assumption)."""
    return NumberField(name="usd_per_gpu_hour", label="Price", symbol="p_GPU", unit="$ per GPU-hour", default=2.0,
                       minimum=0, maximum=1000, help=help, group=group, plausible=plausible)


ASSUMED = "assumed: ±25%"
"""The source of a range nobody publishes: a quarter either way of the value entered."""

YEARS_RANGE = Plausible(low=3, high=6, source="assumed: 3 years, about one GPU generation, to 6")
"""Years over which GPUs and servers are written off, for sensitivity analyses."""

MFU_RANGE = Plausible(low=0.25, high=0.55, source=(
    "assumed: from 25%, a run slowed by failures and restarts, to 55%, the best published for a large run "
    "(MegaScale, 55.2% on 12,288 GPUs, arXiv:2402.15627); Llama 3 405B ran at 38–43% (Llama 3 paper, Table 4)"))
"""The MFU a large training run plausibly reaches, for sensitivity analyses."""


def rental_range() -> Plausible:
    """An H100-class GPU-hour's rental price today, from `data/prices.toml`: a one-year contract at its trough to
    on-demand at a GPU cloud."""
    low, high = data.prices()["rental.contract-h100-2026"], data.prices()["rental.lambda-h100-2026"]
    return Plausible(low=low.low, high=high.high, source=(
        f"{format_usd(low.low)}, {low.what} ({low.as_of}), to {format_usd(high.high)}, "
        f"{high.what} ({high.as_of})"))


def usd_bar_chart(title: str, bars: list[tuple[str, float]]) -> dict[str, Any]:
    """A horizontal bar chart spec of dollar amounts, one bar per (label, dollars)."""
    return bar_chart(title=title, categories=[label for label, _ in bars], series=[("Cost", [usd for _, usd in bars])],
                     value_label="US dollars", value_format="usd", horizontal=True)


ATTENTION_KINDS = (("mha", "MHA"), ("gqa", "GQA"), ("mqa", "MQA"), ("mla", "MLA"))
"""The ``attention`` choice of the calculators that size a KV cache."""


def kv_heads_errors(values: Mapping[str, Any]) -> list[FieldError]:
    """An error on ``kv_heads`` when GQA's key/value heads do not divide the attention heads."""
    if values["attention"] != "gqa":
        return []
    heads, kv_heads = values["heads"], values["kv_heads"]
    if kv_heads > heads:
        return [FieldError(field="kv_heads", message=f"Cannot exceed the {heads} attention heads.")]
    if heads % kv_heads:
        return [FieldError(field="kv_heads", message=f"Must divide the {heads} attention heads evenly.")]
    return []


def elements_per_token_per_layer(values: Mapping[str, Any]) -> int:
    """Dispatch to the formula of the chosen attention kind."""
    kind = values["attention"]
    if kind == "mha":
        return attention.mha_kv_elements_per_token_per_layer(heads=values["heads"], head_dim=values["head_dim"])
    if kind == "gqa":
        return attention.gqa_kv_elements_per_token_per_layer(kv_heads=values["kv_heads"], head_dim=values["head_dim"])
    if kind == "mqa":
        return attention.mqa_kv_elements_per_token_per_layer(head_dim=values["head_dim"])
    return attention.mla_kv_elements_per_token_per_layer(
        kv_lora_rank=values["kv_lora_rank"], rope_head_dim=values["rope_head_dim"]
    )


def layer_kind_inputs(arch: ModelArchitecture) -> dict[str, Any]:
    """The layer fields a config fills where a KV cache is sized (kv-cache, serving-cost): `layers` that keep a cache,
    `window_layers` of them with a window (a sliding window, or Llama 4's chunks) of `window_tokens` (left as it is
    when the model has none), `window_kind`, and `linear_layers` that keep a fixed state instead."""
    kinds = arch.layer_type_counts()
    window_kind = "chunked" if "chunked" in kinds else "sliding"
    inputs: dict[str, Any] = {
        "layers": arch.layers - kinds.get("linear", 0),
        "window_layers": kinds.get(window_kind, 0),
        "window_kind": window_kind,
        "linear_layers": kinds.get("linear", 0),
    }
    if arch.window_of(window_kind):
        inputs["window_tokens"] = arch.window_of(window_kind)
    return inputs
