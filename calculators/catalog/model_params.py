"""Calculator ``model-params``: a model's parameters by part, active per token, weight memory, and FLOPs per token,
counted from the keys of its config.json."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .. import data, flops, memory
from ..charts import bar_chart
from ..attention import weight_bytes
from ..formatting import format_bytes, format_params, format_percent
from ..model_config import ConfigError, ModelArchitecture, architecture_from_json
from ..parameters import PART_LABELS, ModelParameters, parameter_counts
from ..schema import Calculator, ChoiceField, Example, FieldError, NumberField, Output, Result
from .common import ACCELERATOR_CHOICES, WEIGHT_PRECISIONS, WITH_ACCELERATOR, config_field, reserve_field

MODEL, MEMORY, COMPUTE = "Model", "Memory", "Compute"


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """Each model in `data/models`, as the config.json text of its published keys."""
    return {key: (model.name, {"config": json.dumps(model.config, indent=2)}) for key, model in data.models().items()}


def check(values: Mapping[str, Any]) -> list[FieldError]:
    text = values["config"]
    if not text.strip():
        return [FieldError(field="config", message="Choose a preset, or paste a config.json or choose its file.")]
    try:
        parameter_counts(architecture_from_json(text))
    except ConfigError as exc:
        return [FieldError(field="config", message=str(exc))]
    return []


def forward_flops(arch: ModelArchitecture, *, matmul_params: float, context_tokens: float) -> tuple[float, float]:
    """(forward FLOPs per token, of which attention scores and values) for `matmul_params` weights used."""
    attn = flops.model_attention_flops_per_token(arch, context_tokens=context_tokens)
    return flops.forward_flops_per_token(matmul_params=matmul_params, attention_flops=attn), attn


def model_summary(arch: ModelArchitecture) -> str:
    """One sentence on what the config describes, for the notes."""
    shape = arch.attention_shape()
    attention = {"mha": "multi-head", "gqa": f"grouped-query ({arch.kv_heads} KV heads)", "mqa": "multi-query",
                 "mla": f"Multi-head Latent (latent rank {arch.kv_lora_rank})"}[shape.kind]
    text = f"{arch.layers} layers of width {arch.hidden_size:,}, {arch.heads} heads of {attention} attention"
    if arch.routed_experts:
        shared = ""
        if arch.shared_intermediate_size:
            shared = f" and a shared MLP of width {arch.shared_intermediate_size:,}"
        text += (f"; {arch.moe_layer_count} MoE layers with {arch.routed_experts} routed experts of width "
                 f"{arch.expert_intermediate_size:,}, {arch.experts_per_token} per token{shared}, and "
                 f"{arch.dense_layer_count} dense layers")
    else:
        text += f"; dense MLPs of width {arch.intermediate_size:,}"
    kinds = arch.layer_type_counts()
    if set(kinds) != {"full"}:
        names = {"full": "full attention", "sliding": f"a sliding window of {arch.sliding_window:,} tokens",
                 "chunked": f"chunks of {arch.attention_chunk_size:,} tokens",
                 "linear": "linear (lightning) attention"}
        text += "; layers attending by " + ", ".join(f"{names[k]} ({n})" for k, n in kinds.items())
    if arch.index_heads:
        text += (f"; a lightning indexer of {arch.index_heads} heads of {arch.index_head_dim} choosing "
                 f"{arch.index_topk:,} tokens for each query")
    if arch.tie_embeddings:
        text += "; output head tied to the embeddings"
    if arch.mtp_layers:
        text += f"; {arch.mtp_layers} multi-token-prediction module{'s' if arch.mtp_layers > 1 else ''}"
    return text + "."


def published_comparison(preset: str | None, counts: ModelParameters) -> list[tuple[str, float, float, str]]:
    """(what, published value, this count by the same convention, source) for each published parameter figure of
    a preset model; the checkpoint size in bytes is compared with the count at 2 bytes a parameter (BF16)."""
    model = data.models().get(preset) if preset else None
    if model is None:
        return []
    rows = []
    for fig in model.published:
        if fig.what == "total_params":
            ours = counts.total
        elif fig.what in ("active_params", "active_params_detail"):
            ours = counts.active.without_embeddings if fig.embedding_counted is False else counts.active.total
        elif fig.what == "total_params_with_mtp":
            ours = counts.checkpoint_total
        elif fig.what == "mtp_unique_params":
            ours = counts.mtp.total
        elif fig.what == "checkpoint_total_bytes":
            ours = 2 * counts.checkpoint_total
        else:
            continue
        rows.append((fig.what, fig.value, ours, fig.source))
    return rows


_FIGURE_LABELS = {
    "total_params": "total",
    "active_params": "active",
    "active_params_detail": "active (weights file documentation)",
    "total_params_with_mtp": "with the MTP module",
    "mtp_unique_params": "MTP module",
    "checkpoint_total_bytes": "BF16 checkpoint size",
}


def _published_notes(preset: str | None, counts: ModelParameters) -> list[str]:
    notes = []
    for what, value, ours, source in published_comparison(preset, counts):
        show = format_bytes if what.endswith("_bytes") else format_params
        convention = ""
        if what.startswith("active_params"):
            convention = (" without the embedding table" if ours == counts.active.without_embeddings
                          else " with the embedding table")
        notes.append(f"Published {_FIGURE_LABELS[what]}: {show(value)} ({source}). This count{convention}: "
                     f"{show(ours)} ({(ours / value - 1) * 100:+.2f}%).")
    return notes


def compute(values: Mapping[str, Any]) -> Result:
    arch = architecture_from_json(values["config"])
    counts = parameter_counts(arch)
    total, active = counts.all, counts.active
    forward, attn = forward_flops(arch, matmul_params=active.without_embeddings, context_tokens=values["context_length"])
    dense_forward, _ = forward_flops(arch, matmul_params=total.without_embeddings, context_tokens=values["context_length"])
    weights = weight_bytes(params=total.total, bits_per_param=values["weight_bits"])
    out: dict[str, float | None] = {
        "total_params": total.total,
        "active_params": active.total,
        "active_params_without_embeddings": active.without_embeddings,
        "active_share": active.without_embeddings / total.total,
        "expert_params": total.experts if arch.routed_experts else None,
        "mtp_params": counts.mtp.total or None,
        "checkpoint_params": counts.checkpoint_total if counts.mtp.total else None,
        "weight_bytes": weights,
        "memory_bytes": None,
        "accelerators_needed": None,
        "forward_flops_per_token": forward,
        "attention_flops_per_token": attn,
        "training_flops_per_token": flops.training_flops_per_token(forward_flops=forward),
        "six_n_flops_per_token": flops.six_n_flops_per_token(params=active.without_embeddings),
        "dense_forward_flops_per_token": dense_forward if arch.routed_experts else None,
        "moe_flops_saving": 1 - forward / dense_forward if arch.routed_experts else None,
    }
    notes = [f"The config describes {model_summary(arch)}"]
    if values["accelerator"] != "none":
        acc = data.accelerators()[values["accelerator"]]
        usable = memory.usable_memory_bytes(memory_bytes=acc.memory_bytes, reserve_fraction=values["reserve_fraction"])
        out["memory_bytes"] = acc.memory_bytes
        out["accelerators_needed"] = memory.accelerators_to_hold(state_bytes=weights, usable_bytes_per_accelerator=usable)
        notes.append(f"{acc.name}: {format_percent(values['reserve_fraction'])} of each one's memory is kept for the KV cache, "
                     "activations and the runtime; only weights are placed in the rest.")
    if arch.other_towers:
        notes.append("Counted: the language model (text_config) only; the config's "
                     + ", ".join(arch.other_towers) + " (e.g. the vision encoder and its projector) is not counted.")
    if arch.index_heads:
        notes.append(f"Sparse attention: each token's main attention reads only the {arch.index_topk:,} earlier "
                     "tokens the indexer picks, so its FLOPs stop growing there; the indexer itself still scores "
                     "every earlier token (counted here at 2 FLOPs per multiply-add, though DeepSeek runs it in FP8).")
    if any(k != "full" for k in arch.layer_type_counts()):
        notes.append("Windowed and chunked layers attend to at most their window; linear-attention layers update "
                     "a fixed state instead (4·H·d² FLOPs a token in each), whatever the context.")
    notes.extend(_published_notes(values.get("preset"), counts))
    model = data.models().get(values.get("preset") or "")
    if model is not None and not model.verified:
        notes.append(f"Source caveat: {model.note}")
    notes.append("Forward FLOPs count each weight a token multiplies by once (2N, embedding lookup excluded) plus "
                 f"attention over {values['context_length']:,} earlier tokens; training is 3× forward.")
    return Result(values=out, notes=tuple(notes), charts=(_breakdown_chart(counts),),
                  tables=(_breakdown_table(counts),))


def _breakdown_table(counts: ModelParameters) -> dict[str, Any]:
    total, active, mtp = counts.all, counts.active, counts.mtp
    rows = []
    for part, label in PART_LABELS.items():
        n_all, n_active = getattr(total, part), getattr(active, part)
        if n_all == 0:
            continue
        rows.append([label, format_params(n_all), format_params(n_active), format_percent(n_all / total.total)])
    rows.append(["Total", format_params(total.total), format_params(active.total), "100.0%"])
    rows.append(["Without the token embeddings (N_active)", format_params(total.without_embeddings),
                 format_params(active.without_embeddings), format_percent(total.without_embeddings / total.total)])
    if mtp.total:
        rows.append([f"MTP module{'s' if counts.mtp_modules > 1 else ''} (apart)", format_params(mtp.total), "–",
                     format_percent(mtp.total / total.total)])
    return {"title": "Parameters by part", "columns": ["Part", "All", "Active per token", "Share of all"], "rows": rows}


def _breakdown_chart(counts: ModelParameters) -> dict[str, Any]:
    parts = [p for p in PART_LABELS if getattr(counts.all, p)]
    return bar_chart(
        title="Where the parameters are: all weights against those one token uses", horizontal=True,
        categories=[PART_LABELS[p] for p in parts],
        value_label="Parameters", value_format="params",
        series=[("All parameters", [getattr(counts.all, p) for p in parts]),
                ("Active per token", [getattr(counts.active, p) for p in parts])],
    )


CALCULATOR = (
    Calculator(
        id="model-params",
        title="Parameters, weight memory and FLOPs per token",
        summary="Counts a model's parameters by part, all and active per token, from its config.json; weight "
                "memory and accelerators; FLOPs per token against a dense model of the same size.",
        fields=(
            config_field(fills="is the model counted; a preset fills it with the published keys", rows=10, group=MODEL),
            NumberField(name="weight_bits", group=MEMORY, label="Weight precision", unit="bits", default=16, minimum=0,
                        exclusive_minimum=True, maximum=64, suggestions=WEIGHT_PRECISIONS,
                        help="Bits per weight: 16 for BF16, 8 for FP8, 4 for 4-bit quantization."),
            ChoiceField(name="accelerator", label="Accelerator", default="h800", choices=ACCELERATOR_CHOICES,
                        group=MEMORY,
                        help="How many of these hold the weights."),
            reserve_field(default=0.1, kept_for="the KV cache, activations and runtime", relevant_when=WITH_ACCELERATOR,
                          group=MEMORY),
            NumberField(name="context_length", label="Context attended", unit="tokens", symbol="T", default=4096,
                        integer=True, minimum=0, maximum=1e8,
                        group=COMPUTE,
                        help="Earlier tokens each token attends to, for the attention FLOPs (about half the "
                             "sequence length on average in causal training)."),
        ),
        outputs=(
            Output(name="total_params", main=True, label="Parameters, all", unit="parameters", format="params",
                   help="Every weight of the main model, every expert included."),
            Output(name="active_params_without_embeddings", main=True, label="Parameters active per token (N_active)",
                   unit="parameters", format="params",
                   help="Non-expert weights, shared experts and k of E routed experts per MoE layer, without the "
                        "token-embedding table: the N of 6N on this site."),
            Output(name="active_params", label="Active per token, with the embedding table", unit="parameters",
                   format="params", help="N_active plus the token-embedding table, as Mistral AI and DeepSeekMoE "
                                         "count it."),
            Output(name="active_share", label="Active share (N_active / all)", unit="fraction", format="percent"),
            Output(name="expert_params", label="Expert parameters (routed + shared)", unit="parameters",
                   format="params"),
            Output(name="mtp_params", label="Multi-token-prediction module (apart)", unit="parameters",
                   format="params", help="Not part of the main model; DeepSeek-V3 uses it in training."),
            Output(name="checkpoint_params", label="As stored in the checkpoint", unit="parameters", format="params",
                   help="Main model + MTP module + the MTP module's copy of embedding and head."),
            Output(name="weight_bytes", main=True, label="Weight memory", unit="B", format="bytes"),
            Output(name="memory_bytes", label="Memory per accelerator", unit="B", format="bytes"),
            Output(name="accelerators_needed", label="Accelerators to hold the weights", unit="accelerators",
                   format="count"),
            Output(name="forward_flops_per_token", label="Forward FLOPs per token", unit="FLOP", format="flops",
                   help="2 × active parameters (embedding excluded) + attention."),
            Output(name="attention_flops_per_token", label="of which attention scores and values", unit="FLOP",
                   format="flops", help="2·L·H·T·(d_qk + d_v)."),
            Output(name="training_flops_per_token", label="Training FLOPs per token", unit="FLOP", format="flops",
                   help="3 × forward: the backward pass costs twice the forward."),
            Output(name="six_n_flops_per_token", label="6N rule (6 × N_active)", unit="FLOP", format="flops",
                   help="Training FLOPs per token from the parameter count alone: the detailed count at a context "
                        "of 0."),
            Output(name="dense_forward_flops_per_token", label="Dense model of the same total size, forward",
                   unit="FLOP", format="flops"),
            Output(name="moe_flops_saving", label="Compute the MoE saves per token", unit="fraction",
                   format="percent", help="1 − MoE forward FLOPs / dense forward FLOPs."),
        ),
        compute=compute,
        check=check,
        presets=presets,
        preset_fields=("config",),
        default_preset="deepseek-v3",
        examples=(
            Example(title="DeepSeek-V3: 671B total", inputs={"preset": "deepseek-v3"},
                    expected={"total_params": 671e9},
                    source="DeepSeek-V3 Technical Report, arXiv:2412.19437, abstract"),
            Example(title="Mixtral 8x7B in BF16 on H100s", inputs={"preset": "mixtral-8x7b", "accelerator": "h100"}),
            Example(title="Llama 3.1 405B in FP8", inputs={"preset": "llama-3.1-405b", "weight_bits": 8,
                                                           "accelerator": "h100"}),
        ),
    )
)
