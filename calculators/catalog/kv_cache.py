"""Calculator ``kv-cache``: KV-cache size per token and for a batch, for MHA, GQA, MQA and MLA, with sliding-window,
chunked and linear-attention layers where a model mixes them; and whether the cache fits after the weights."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import attention, data
from ..charts import line_chart
from ..formatting import format_bytes, format_count
from ..model_config import ConfigError, ModelArchitecture, architecture
from ..parameters import parameter_counts
from ..schema import Calculator, ChoiceField, Example, FieldError, NumberField, Output, Result, Verdict
from .common import (ACCELERATOR_CHOICES, ATTENTION_KINDS, WEIGHT_PRECISIONS, WITH_ACCELERATOR, config_field,
                     elements_per_token_per_layer, kv_heads_errors, layer_kind_inputs)

WINDOW_KINDS = (("sliding", "Sliding window"), ("chunked", "Chunked (Llama 4)"))

SERVING, MODEL, LAYERS, HARDWARE = "Serving", "Model", "Windowed and linear layers", "Memory"

PRECISIONS = ((32, "FP32"), (16, "BF16 / FP16"), (8, "FP8"), (6, "6-bit (DeepSeek-V2 as served)"), (4, "4-bit"))


def from_config(arch: ModelArchitecture) -> dict[str, Any]:
    """The inputs a model's architecture fills: its attention shape, its layers by kind (full, windowed, linear)
    and its counted parameters (left as they are when the config lacks a key only the parameters need)."""
    shape = arch.attention_shape()
    inputs: dict[str, Any] = {
        "attention": shape.kind,
        **layer_kind_inputs(arch),
        "heads": shape.heads,
        "kv_heads": shape.kv_heads,
        "head_dim": shape.head_dim,
        "state_elements": attention.linear_attention_state_elements(
            heads=arch.heads, key_head_dim=arch.head_dim, value_head_dim=arch.head_dim)
        if "linear" in arch.layer_type_counts() else 0,
    }
    try:
        inputs["params_billion"] = parameter_counts(arch).total / 1e9
    except ConfigError:
        pass  # the cache does not depend on the MLP; the parameter field keeps its value
    if shape.kind == "mla":
        inputs["kv_lora_rank"] = shape.kv_lora_rank
        inputs["rope_head_dim"] = shape.rope_head_dim
    return inputs


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """Each model in `data/models`: the inputs its config fills, with its published parameter count if any."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for key, model in data.models().items():
        inputs = from_config(architecture(model.config))
        total = model.figure("total_params")
        if total is not None:
            inputs["params_billion"] = total / 1e9
        out[key] = (model.name, inputs)
    return out


def check(values: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    if values["config"] and not values["config"].strip():
        errors.append(FieldError(field="config", message="The config is empty: paste the contents of a config.json, "
                                                          "or clear the field to use the fields above."))
    if values["window_layers"] > values["layers"]:
        errors.append(FieldError(field="window_layers", message=f"Cannot exceed the {values['layers']} layers."))
    errors += kv_heads_errors(values)
    return errors


def sequence_bytes(values: Mapping[str, Any], per_layer_bytes: float, context: int) -> float:
    """Bytes of cache one sequence of `context` tokens holds: full layers grow with it, windowed layers up to their
    window, linear layers hold a fixed state."""
    state = values["linear_layers"] * values["state_elements"] * values["bits_per_element"] / 8
    return attention.sequence_cache_bytes(
        context_tokens=context, bytes_per_token_full=per_layer_bytes * (values["layers"] - values["window_layers"]),
        windowed=((values["window_tokens"], per_layer_bytes * values["window_layers"]),), fixed_bytes=state)


def compute(values: Mapping[str, Any]) -> Result:
    layers, bits, context, batch = (values["layers"], values["bits_per_element"], values["context_length"],
                                    values["batch_size"])
    per_layer = elements_per_token_per_layer(values)
    per_token_bytes = attention.kv_cache_bytes_per_token(
        elements_per_token_per_layer=per_layer, layers=layers, bits_per_element=bits
    )
    per_layer_bytes = per_token_bytes / layers
    mha_per_layer = attention.mha_kv_elements_per_token_per_layer(heads=values["heads"], head_dim=values["head_dim"])
    mha_bytes = attention.kv_cache_bytes_per_token(
        elements_per_token_per_layer=mha_per_layer, layers=layers, bits_per_element=bits
    )
    one_sequence = sequence_bytes(values, per_layer_bytes, context)
    out: dict[str, float | None] = {
        "elements_per_token_per_layer": per_layer,
        "elements_per_token": per_layer * layers,
        "bytes_per_token_per_layer": per_layer_bytes,
        "bytes_per_token": per_token_bytes,
        "bytes_per_sequence": one_sequence,
        "cache_bytes": one_sequence * batch,
        "mha_bytes_per_token": mha_bytes,
        "ratio_to_mha": per_token_bytes / mha_bytes,
        "reduction_vs_mha": 1 - per_token_bytes / mha_bytes,
        "equivalent_gqa_groups": attention.equivalent_gqa_groups(
            elements_per_token_per_layer=per_layer, head_dim=values["head_dim"]
        ),
        "memory_bytes": None,
        "weights_bytes": None,
        "free_bytes": None,
        "tokens_fit": None,
        "sequences_fit": None,
        "context_fit_at_batch": None,
    }
    notes: list[str] = []
    verdicts: list[Verdict] = []
    windowed = values["window_layers"] > 0 or values["linear_layers"] > 0
    if windowed:
        notes.append(f"KV cache per token is what a token adds while the context is within every window; past "
                     f"{values['window_tokens']:,} tokens only the {layers - values['window_layers']} full-attention "
                     "layers keep growing, and linear layers hold a fixed state (in the cache precision here).")
    if values["accelerator"] != "none":
        acc = data.accelerators()[values["accelerator"]]
        memory = acc.memory_bytes * values["accelerator_count"]
        weights = attention.weight_bytes(params=values["params_billion"] * 1e9, bits_per_param=values["weight_bits"])
        free = memory - weights
        full_bytes = per_layer_bytes * (layers - values["window_layers"])
        window_groups = ((values["window_tokens"], per_layer_bytes * values["window_layers"]),)
        state_bytes = values["linear_layers"] * values["state_elements"] * bits / 8
        longest = attention.context_that_fits(free_bytes=free, bytes_per_token_full=full_bytes,
                                              windowed=window_groups, fixed_bytes=state_bytes)
        at_batch = attention.context_that_fits(free_bytes=free / batch, bytes_per_token_full=full_bytes,
                                               windowed=window_groups, fixed_bytes=state_bytes)
        out.update(
            memory_bytes=memory,
            weights_bytes=weights,
            free_bytes=free,
            tokens_fit=longest,
            sequences_fit=attention.tokens_that_fit(free_bytes=free, bytes_per_token=one_sequence),
            context_fit_at_batch=at_batch,
        )
        if free <= 0:
            verdicts.append(Verdict(ok=False, title="The weights do not fit", text=(
                f"The weights ({format_bytes(weights)}) do not fit in {values['accelerator_count']} × {acc.name} "
                f"({format_bytes(memory)}): add accelerators or lower the weight precision.")))
        elif one_sequence * batch > free:
            context_text = ("no context at all" if not at_batch else f"contexts up to {format_count(at_batch)} tokens")
            verdicts.append(Verdict(ok=False, title="Does not fit", text=(
                f"The cache for {batch:,} sequence{'s' if batch != 1 else ''} of {context:,} tokens "
                f"({format_bytes(one_sequence * batch)}) exceeds the {format_bytes(free)} left after the weights. "
                f"At this batch size, {context_text} fit; at this context, "
                f"{format_count(out['sequences_fit'])} sequence{'s' if out['sequences_fit'] != 1 else ''} fit.")))
        else:
            verdicts.append(Verdict(ok=True, title="Fits", text=(
                f"The cache takes {format_bytes(one_sequence * batch)} of the {format_bytes(free)} left after the "
                f"weights ({one_sequence * batch / free:.0%}).")))
        notes.append(
            "Memory left for the cache ignores activations, CUDA context and fragmentation: an upper bound."
        )
    tables = (_layer_table(values, per_layer_bytes),) if windowed else ()
    return Result(values=out, notes=tuple(notes), charts=(_cache_vs_context_chart(values, per_layer_bytes, out),),
                  tables=tables, verdicts=tuple(verdicts))


def _layer_table(values: Mapping[str, Any], per_layer_bytes: float) -> dict[str, Any]:
    """One row per kind of layer: how many, what one token adds per layer, tokens kept, and the sequence's cache."""
    context, bits = values["context_length"], values["bits_per_element"]
    full_layers = values["layers"] - values["window_layers"]
    kept = attention.cached_tokens(context_tokens=context, window=values["window_tokens"])
    label = dict(WINDOW_KINDS)[values["window_kind"]]
    rows = []
    if full_layers:
        rows.append(["Full attention", f"{full_layers:,}", format_bytes(per_layer_bytes), f"{context:,}",
                     format_bytes(per_layer_bytes * full_layers * context)])
    if values["window_layers"]:
        rows.append([f"{label} of {values['window_tokens']:,} tokens", f"{values['window_layers']:,}",
                     format_bytes(per_layer_bytes), f"{kept:,}",
                     format_bytes(per_layer_bytes * values["window_layers"] * kept)])
    if values["linear_layers"]:
        state = values["state_elements"] * bits / 8
        rows.append(["Linear attention or SSM state", f"{values['linear_layers']:,}", "0 B (fixed state)",
                     f"state of {format_bytes(state)} a layer", format_bytes(state * values["linear_layers"])])
    return {"title": f"KV cache by kind of layer, one sequence of {context:,} tokens",
            "columns": ["Layers", "Count", "Per token per layer", "Tokens kept", "Cache per sequence"], "rows": rows}


def _cache_vs_context_chart(values: Mapping[str, Any], per_layer_bytes: float, out: Mapping[str, Any]) -> dict[str, Any]:
    """The batch's cache from zero to twice the chosen context (a straight line unless layers have a window), with
    the memory left if known."""
    context, batch = values["context_length"], values["batch_size"]
    xs = [round(2 * context * i / 8) for i in range(9)]
    free = out["free_bytes"]
    return line_chart(
        title=f"KV cache for {batch:,} sequence{'s' if batch != 1 else ''} as the context grows",
        x_label="Context length T (tokens)", x_format="count",
        y_label="KV cache", y_format="bytes",
        series=[(f"{values['attention'].upper()}, {values['bits_per_element']:g}-bit cache",
                 [[x, sequence_bytes(values, per_layer_bytes, x) * batch if x else 0.0] for x in xs])],
        markers=[{"x": context, "label": f"T = {context:,}"}],
        rules=[{"y": free, "label": "memory left after the weights"}] if free is not None and free > 0 else [],
    )


CALCULATOR = (
    Calculator(
        id="kv-cache",
        title="KV-cache size",
        summary="KV cache per token and for a batch, for MHA, GQA, MQA and MLA (DeepSeek-V2, Table 1).",
        fields=(
            ChoiceField(
                name="attention", group=MODEL,
                label="Attention",
                default="mla",
                choices=ATTENTION_KINDS,
                help="MHA caches a key and value per head; GQA per KV head; MQA one pair; MLA a shared latent.",
            ),
            NumberField(name="layers", label="Layers", symbol="L", default=61, integer=True, minimum=1, maximum=10_000,
                        group=MODEL,
                        help="Transformer layers that keep a KV cache."),
            NumberField(name="heads", label="Attention heads", symbol="H", default=128, integer=True, minimum=1,
                        group=MODEL,
                        maximum=100_000, help="Query heads per layer; MHA caches a key and a value for each."),
            NumberField(name="kv_heads", group=MODEL, label="KV heads", symbol="K", default=8, integer=True, minimum=1,
                        maximum=100_000, relevant_when={"attention": ("gqa",)},
                        help="Key/value heads of GQA; must divide the attention heads. Cache: 2·K·d per layer."),
            NumberField(name="head_dim", label="Head dimension", symbol="d", default=128, integer=True, minimum=1,
                        maximum=100_000, help="Dimension of one head (for MLA, the non-RoPE part d_h).", group=MODEL),
            NumberField(name="kv_lora_rank", label="MLA latent rank", symbol="d_c", default=512, integer=True,
                        minimum=1, maximum=1_000_000, relevant_when={"attention": ("mla",)},
                        group=MODEL,
                        help="Dimension of the compressed KV latent c_t (kv_lora_rank). Cache: d_c + d_h^R per layer."),
            NumberField(name="rope_head_dim", label="Decoupled RoPE dim", symbol="d_h^R", default=64, integer=True,
                        minimum=0, maximum=1_000_000, relevant_when={"attention": ("mla",)},
                        group=MODEL,
                        help="Dimension of the shared RoPE key k_t^R (qk_rope_head_dim)."),
            NumberField(name="window_layers", label="Layers with a window", symbol="L_win", default=0, integer=True,
                        minimum=0, maximum=10_000, group=LAYERS, advanced=True,
                        help="Of the layers above, those that keep only the last T_win tokens (sliding window) or "
                             "attend within chunks of T_win (Llama 4); 0 for none."),
            NumberField(name="window_tokens", label="Window", unit="tokens", symbol="T_win", default=4096, integer=True,
                        group=LAYERS, advanced=True,
                        minimum=1, maximum=1e9, help="Tokens a windowed layer keeps: its cache stops growing there."),
            ChoiceField(name="window_kind", label="Window kind", default="sliding", choices=WINDOW_KINDS,
                        group=LAYERS, advanced=True,
                        help="Sliding: the last T_win tokens; chunked: the tokens of the current chunk of T_win."),
            NumberField(name="linear_layers", label="Linear-attention or SSM layers", symbol="L_linear", default=0,
                        integer=True, minimum=0, maximum=10_000, group=LAYERS, advanced=True,
                        help="Layers without a KV cache that keep a fixed state per sequence (MiniMax's lightning "
                             "attention); not part of the layers above."),
            NumberField(name="state_elements", label="State per linear layer", unit="elements", default=0,
                        integer=True, minimum=0, maximum=1e12,
                        group=LAYERS, advanced=True,
                        help="Elements of one linear layer's state per sequence: H·d_k·d_v."),
            NumberField(name="bits_per_element", label="Cache precision", unit="bits", default=16, minimum=0,
                        exclusive_minimum=True, maximum=64, suggestions=PRECISIONS,
                        group=SERVING,
                        help="Bits per cached element: 16 for BF16, 8 for FP8; any number, e.g. 6."),
            NumberField(name="context_length", label="Context length", unit="tokens", symbol="T", default=32_768,
                        integer=True, minimum=1, maximum=1e9,
                        group=SERVING,
                        help="Tokens per sequence held in the cache (prompt + generated)."),
            NumberField(name="batch_size", label="Batch size", unit="sequences", symbol="B", default=1, integer=True,
                        group=SERVING,
                        minimum=1, maximum=1e7, help="Sequences decoded together; the cache scales with T × B."),
            ChoiceField(name="accelerator", label="Accelerator", default="none", choices=ACCELERATOR_CHOICES,
                        group=HARDWARE,
                        help="Optional: how much cache fits in its memory after the weights."),
            NumberField(name="accelerator_count", label="Accelerators", unit="GPUs", default=8, integer=True,
                        minimum=1, maximum=1_000_000, relevant_when=WITH_ACCELERATOR,
                        group=HARDWARE,
                        help="Accelerators holding one copy of the weights and the cache."),
            NumberField(name="params_billion", label="Parameters", unit="billion", symbol="N", default=671,
                        minimum=0, exclusive_minimum=True, maximum=1e6,
                        relevant_when=WITH_ACCELERATOR,
                        group=HARDWARE,
                        help="All weights, every expert included (a preset's published total, or counted from an "
                             "imported config)."),
            config_field(fills="fills the attention fields and the parameter count", group=MODEL),
            NumberField(name="weight_bits", group=HARDWARE, label="Weight precision", unit="bits", default=8, minimum=0,
                        exclusive_minimum=True, maximum=64, suggestions=WEIGHT_PRECISIONS,
                        relevant_when=WITH_ACCELERATOR, help="Bits per weight."),
        ),
        outputs=(
            Output(name="elements_per_token_per_layer", label="Elements per token per layer", unit="elements",
                   format="count", help="2Hd (MHA), 2Kd (GQA), 2d (MQA), d_c + d_h^R (MLA)."),
            Output(name="elements_per_token", label="Elements per token, all layers", unit="elements", format="count"),
            Output(name="bytes_per_token_per_layer", label="Bytes per token per layer", unit="B", format="bytes"),
            Output(name="bytes_per_token", main=True, label="KV cache per token", unit="B", format="bytes",
                   help="Elements × layers × bits / 8."),
            Output(name="bytes_per_sequence", main=True, label="KV cache per sequence", unit="B", format="bytes",
                   help="Per token × context length."),
            Output(name="cache_bytes", main=True, label="KV cache for the batch", unit="B", format="bytes",
                   help="Per token × context length × batch size: linear in both."),
            Output(name="mha_bytes_per_token", label="Same model with MHA, per token", unit="B", format="bytes",
                   help="2Hd × layers at the same precision."),
            Output(name="ratio_to_mha", label="Share of the MHA cache", unit="fraction", format="percent"),
            Output(name="reduction_vs_mha", label="Saved against MHA", unit="fraction", format="percent"),
            Output(name="equivalent_gqa_groups", label="Equivalent GQA groups", unit="groups", format="number",
                   help="Elements per layer / 2d: the GQA with this many KV heads caches as much."),
            Output(name="memory_bytes", label="Accelerator memory", unit="B", format="bytes"),
            Output(name="weights_bytes", label="Weights", unit="B", format="bytes"),
            Output(name="free_bytes", label="Left for the cache", unit="B", format="bytes"),
            Output(name="tokens_fit", label="Tokens that fit", unit="tokens", format="count",
                   help="Context of one sequence that fits (summed over sequences when no layer has a window)."),
            Output(name="sequences_fit", label="Sequences of this length that fit", unit="sequences", format="count"),
            Output(name="context_fit_at_batch", label="Longest context that fits at this batch size", unit="tokens",
                   format="count", help="Per sequence, with every sequence of the batch this long."),
        ),
        compute=compute,
        check=check,
        presets=presets,
        preset_fields=("attention", "layers", "heads", "kv_heads", "head_dim", "kv_lora_rank", "rope_head_dim",
                       "params_billion", "window_layers", "window_tokens", "window_kind", "linear_layers",
                       "state_elements"),
        default_preset="deepseek-v3",
        from_config=from_config,
        groups=(SERVING, MODEL, HARDWARE, LAYERS),
        sensitivity_output="cache_bytes",
        examples=(
            Example(
                title="DeepSeek-V3 (MLA) in BF16",
                inputs={"preset": "deepseek-v3", "bits_per_element": 16},
                expected={"bytes_per_token": 70_272},
                source="ISCA 2025 'Insights into DeepSeek-V3' (arXiv:2505.09343), Table 1: 70.272 KB",
            ),
            Example(
                title="Qwen2.5 72B (GQA) in BF16",
                inputs={"preset": "qwen2.5-72b", "bits_per_element": 16},
                expected={"bytes_per_token": 327_680},
                source="ISCA 2025 'Insights into DeepSeek-V3' (arXiv:2505.09343), Table 1: 327.680 KB",
            ),
            Example(
                title="Llama 3.1 405B (GQA) in BF16",
                inputs={"preset": "llama-3.1-405b", "bits_per_element": 16},
                expected={"bytes_per_token": 516_096},
                source="ISCA 2025 'Insights into DeepSeek-V3' (arXiv:2505.09343), Table 1: 516.096 KB",
            ),
            Example(
                title="DeepSeek-V2 (MLA): equal to GQA with 2.25 groups",
                inputs={"preset": "deepseek-v2"},
                expected={"equivalent_gqa_groups": 2.25},
                source="DeepSeek-V2 (arXiv:2405.04434), Sec. 2.1.4",
            ),
            Example(
                title="DeepSeek-V2 served at about 6 bits per element",
                inputs={"preset": "deepseek-v2", "bits_per_element": 6},
                expected={"bytes_per_token": 25_920},
                source="DeepSeek-V2 (arXiv:2405.04434), Sec. 3.2.3: KV cache quantized to 6 bits on average",
            ),
            Example(
                title="DeepSeek LLM 67B (GQA) in BF16",
                inputs={"preset": "deepseek-llm-67b", "bits_per_element": 16},
                expected={"bytes_per_token": 389_120},
                source="2 × 8 KV heads × 128 × 95 layers × 2 bytes (arXiv:2401.02954, Table 2)",
            ),
            Example(
                title="DeepSeek-V3 on 16 × H800 (two nodes) in FP8, 128K context",
                inputs={"preset": "deepseek-v3", "accelerator": "h800", "accelerator_count": 16,
                        "weight_bits": 8, "context_length": 131_072},
            ),
        ),
    )
)
