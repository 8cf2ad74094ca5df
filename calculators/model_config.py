"""Reading a model's architecture from the keys of a Hugging Face `config.json`.

Handles the keys, not a list of known models:

- dense decoders of the Llama/Mistral/Qwen2 family: ``hidden_size``, ``num_hidden_layers``,
  ``num_attention_heads``, ``num_key_value_heads`` (GQA/MQA), ``head_dim`` given or derived, ``intermediate_size``,
  ``tie_word_embeddings``, ``attention_bias``;
- Mixture-of-Experts keys: the routed-expert count (``n_routed_experts``, ``num_local_experts`` or
  ``num_experts``), ``num_experts_per_tok``, ``moe_intermediate_size``, shared experts (``n_shared_experts`` of
  expert width, or one ``shared_expert_intermediate_size`` MLP with its gate), which layers are MoE
  (``first_k_dense_replace`` and ``moe_layer_freq``; or ``decoder_sparse_step`` and ``mlp_only_layers``), and the
  router's bias of auxiliary-loss-free balancing (``topk_method = "noaux_tc"``);
- DeepSeek-V2/V3's Multi-head Latent Attention (``q_lora_rank``, ``kv_lora_rank``, ``qk_nope_head_dim``,
  ``qk_rope_head_dim``, ``v_head_dim``) and multi-token prediction (``num_nextn_predict_layers``);
- a multimodal wrapper whose language model sits in ``text_config`` (only the language model is counted);
- which layers attend how: ``layer_types`` as transformers writes it, or each family's own keys
  (``sliding_window`` with ``sliding_window_pattern``, ``use_sliding_window`` with ``max_window_layers``,
  ``attention_chunk_size``, MiniMax's ``attn_type_list``), with each family's default where a key is absent;
- family defaults where a key is absent, from each family's transformers config class: ``tie_word_embeddings``
  (Gemma ties, the others do not), Gemma 3's vocabulary;
- the families whose layers differ from the plain pre-norm transformer in parameters: Gemma 2/3 (four norms a
  layer, Gemma 3's query/key norms), Qwen3 (query/key norms), gpt-oss (biases, attention sinks, biased experts),
  Llama 4 (interleaved MoE and dense layers of another width, ``intermediate_size_mlp``, a shared expert),
  MiniMax-M1/-Text-01 (lightning linear-attention layers), DeepSeek-V3.2 (the lightning indexer,
  ``index_n_heads``, ``index_head_dim``, ``index_topk``).

Text pasted by a reader is untrusted: `load_config_json` refuses oversized or deeply nested input, non-finite
numbers and anything but a JSON object before any key is read, and every key is checked for type and range.
Designs that would change the count and that these formulas do not cover (state-space/Mamba layers, Gated
DeltaNet linear attention, layers sharing KV projections) are refused by name rather than counted wrong.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_CONFIG_CHARS",
    "AttentionShape",
    "ConfigError",
    "LAYER_KINDS",
    "ModelArchitecture",
    "architecture",
    "architecture_from_json",
    "attention_shape",
    "load_config_json",
]

MAX_CONFIG_CHARS = 200_000
"""Longest config text read: published config.json files are 1-10 kB."""
_MAX_DEPTH = 16
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")

# Keys of designs whose parameters these formulas do not count: refused by name, not counted wrong.
_UNSUPPORTED = {
    "hybrid_override_pattern": "Mamba-2 state-space layers mixed with attention (Nemotron-H)",
    "linear_num_key_heads": "Gated DeltaNet linear-attention layers (Qwen3-Next)",
    "full_attention_interval": "Gated DeltaNet linear-attention layers between full-attention ones (Qwen3-Next)",
    "attn_layer_period": "Mamba state-space layers between attention layers (Jamba)",
    "mamba_d_ssm": "Mamba-2 state-space heads beside attention in every layer (Falcon-H1)",
    "mamba_n_heads": "Mamba-2 state-space layers",
    "ssm_cfg": "state-space (Mamba) layers",
    "mamba_d_state": "state-space (Mamba) layers",
    "mamba_expand": "state-space (Mamba) layers",
    "num_kv_shared_layers": "layers sharing their KV projections",
}
# Families whose transformers config class ties the output head to the embeddings when the key is absent.
_TIED_BY_DEFAULT = frozenset({"gemma", "gemma2", "gemma3", "gemma3_text", "recurrent_gemma"})
# Keys a family's config class fills when the file leaves them out.
_FAMILY_DEFAULTS: dict[str, dict[str, Any]] = {
    "gemma3_text": {"vocab_size": 262_208},  # Gemma3TextConfig.vocab_size
}
# Families with RMSNorms before and after both the attention and the MLP (four a layer).
_FOUR_NORMS = frozenset({"gemma2", "gemma3", "gemma3_text"})
# Families with an RMSNorm of the head dimension on queries and keys.
_QK_NORM = frozenset({"qwen3", "qwen3_moe", "gemma3", "gemma3_text"})
# Attention kinds of `layer_types` (transformers' names) read here, and the name used in this package.
LAYER_KINDS = {
    "full_attention": "full",
    "sliding_attention": "sliding",
    "chunked_attention": "chunked",
    "linear_attention": "linear",
}
_EXPERT_COUNT_KEYS = ("n_routed_experts", "num_local_experts", "num_experts")


class ConfigError(ValueError):
    """A config that cannot be read: the message says, in one sentence, what is missing or wrong."""


@dataclass(frozen=True, kw_only=True)
class AttentionShape:
    """The attention numbers the KV cache depends on.

    `kind` is ``"mha"``, ``"gqa"``, ``"mqa"`` or ``"mla"``; `head_dim` is the per-head dimension $d$ (for MLA the
    non-RoPE part, ``qk_nope_head_dim``); `kv_lora_rank` and `rope_head_dim` are zero unless the model uses MLA.
    """

    kind: str
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    kv_lora_rank: int = 0
    rope_head_dim: int = 0


@dataclass(frozen=True, kw_only=True)
class ModelArchitecture:
    r"""Everything the parameter and FLOPs counts need, in the site's notation.

    Dense fields: vocabulary $V$ (`vocab_size`), width $D$ (`hidden_size`), layers $L$ (`layers`), query heads
    $H$, key/value heads $K$, head dimension $d$, dense MLP width $F$ (`intermediate_size`). MLA fields are zero
    for other attention. MoE fields: routed experts $E$ (`routed_experts`, zero for a dense model), active experts
    $k$ (`experts_per_token`), expert width $F_e$, the total width of the always-active shared MLP
    (`shared_intermediate_size`, zero if none), and `moe_layers`: for each layer, whether its MLP is MoE.

    `layer_types` says for each layer how it attends: ``"full"``, ``"sliding"`` (the last `sliding_window`
    tokens), ``"chunked"`` (within chunks of `attention_chunk_size` tokens, Llama 4) or ``"linear"`` (a
    fixed-size state instead of a KV cache: MiniMax's lightning attention). `norms_per_layer` RMSNorms of width
    $D$ sit in each layer (two; four in Gemma 2/3); `qk_norm` adds RMSNorms of width $d$ on queries and keys;
    `attention_sinks` one learned logit per head (gpt-oss); `expert_bias` biases in every expert's matrices
    (gpt-oss). `index_heads`, `index_head_dim` and `index_topk` describe DeepSeek-V3.2's lightning indexer
    (zero without one). `other_towers` names a multimodal wrapper's sub-configs besides ``text_config``
    (not counted). `missing` names keys the parameter count needs and the config lacks (the KV cache does
    not need them).
    """

    model_type: str = ""
    vocab_size: int
    hidden_size: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate_size: int
    tie_embeddings: bool = False
    qkv_bias: bool = False
    output_bias: bool = False
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_nope_head_dim: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    routed_experts: int = 0
    experts_per_token: int = 0
    expert_intermediate_size: int = 0
    shared_intermediate_size: int = 0
    shared_expert_gate: bool = False
    router_bias: bool = False
    expert_bias: bool = False
    expert_groups: int = 1
    groups_per_token: int = 1
    moe_layers: tuple[bool, ...] = ()
    mtp_layers: int = 0
    layer_types: tuple[str, ...] = ()
    sliding_window: int = 0
    attention_chunk_size: int = 0
    norms_per_layer: int = 2
    qk_norm: bool = False
    attention_sinks: bool = False
    index_heads: int = 0
    index_head_dim: int = 0
    index_topk: int = 0
    missing: tuple[str, ...] = ()
    other_towers: tuple[str, ...] = ()

    @property
    def uses_mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def qk_head_dim(self) -> int:
        """Per-head width of queries and keys: $d_h + d_h^R$ for MLA, $d$ otherwise."""
        return self.qk_nope_head_dim + self.qk_rope_head_dim if self.uses_mla else self.head_dim

    @property
    def value_head_dim(self) -> int:
        """Per-head width of values: $d_v$ for MLA, $d$ otherwise."""
        return self.v_head_dim if self.uses_mla else self.head_dim

    @property
    def moe_layer_count(self) -> int:
        return sum(self.moe_layers)

    @property
    def dense_layer_count(self) -> int:
        return self.layers - self.moe_layer_count

    def layer_kinds(self) -> tuple[str, ...]:
        """How each layer attends (``"full"`` for every layer unless `layer_types` says otherwise)."""
        return self.layer_types or ("full",) * self.layers

    def layer_type_counts(self) -> dict[str, int]:
        """Layers of each kind, in the order full, sliding, chunked, linear; kinds with no layer left out."""
        kinds = self.layer_kinds()
        return {kind: kinds.count(kind) for kind in ("full", "sliding", "chunked", "linear") if kind in kinds}

    def window_of(self, kind: str) -> int:
        """Tokens a layer of this kind keeps and attends to at most (0: no limit, or no KV cache at all)."""
        return {"sliding": self.sliding_window, "chunked": self.attention_chunk_size}.get(kind, 0)

    def attention_shape(self) -> AttentionShape:
        """The numbers the KV cache depends on."""
        if self.uses_mla:
            return AttentionShape(kind="mla", layers=self.layers, heads=self.heads, kv_heads=self.heads,
                                  head_dim=self.qk_nope_head_dim, kv_lora_rank=self.kv_lora_rank,
                                  rope_head_dim=self.qk_rope_head_dim)
        kind = "mha" if self.kv_heads == self.heads else "mqa" if self.kv_heads == 1 else "gqa"
        return AttentionShape(kind=kind, layers=self.layers, heads=self.heads, kv_heads=self.kv_heads,
                              head_dim=self.head_dim)


def load_config_json(text: Any) -> dict[str, Any]:
    """Parse untrusted config text into a dict, or raise `ConfigError`.

    Refused before parsing: anything but text, more than `MAX_CONFIG_CHARS` characters, nesting deeper than 16;
    while parsing: ``NaN``/``Infinity`` and integers of more than 30 digits; after: anything but a JSON object.

    Examples:
        >>> load_config_json('{"hidden_size": 4096}')
        {'hidden_size': 4096}
        >>> load_config_json("[" * 1000)
        Traceback (most recent call last):
        ...
        calculators.model_config.ConfigError: The config is nested more than 16 levels deep; a config.json is a flat object.
    """
    if not isinstance(text, str):
        raise ConfigError("The config must be text: the contents of a config.json file.")
    if len(text) > MAX_CONFIG_CHARS:
        raise ConfigError(f"The config is {len(text):,} characters long; the limit is {MAX_CONFIG_CHARS:,} "
                          "(a config.json is a few kB).")
    stripped = text.strip()
    if not stripped:
        raise ConfigError("The config is empty: paste the contents of a config.json.")
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", stripped)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > _MAX_DEPTH:
            raise ConfigError(f"The config is nested more than {_MAX_DEPTH} levels deep; a config.json is a flat object.")

    def no_constants(name: str) -> None:
        raise ConfigError(f"The config contains {name}, which is not a number JSON allows.")

    def bounded_int(digits: str) -> int:
        if len(digits.lstrip("-")) > 30:
            raise ConfigError(f"The config contains an integer of {len(digits)} digits; no architecture number is that large.")
        return int(digits)

    try:
        config = json.loads(stripped, parse_constant=no_constants, parse_int=bounded_int)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"This is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    except RecursionError:
        raise ConfigError("The config is nested too deeply.") from None
    if not isinstance(config, dict):
        raise ConfigError("The config must be a JSON object ({...}), as in a config.json file.")
    return config


def _number(value: float) -> str:
    """A number for a message: thousands separators, or a power of ten when it is huge (not 309 digits)."""
    if abs(value) >= 1e15:
        mantissa, exponent = f"{float(value):.3e}".split("e")
        return f"{float(mantissa):g} × 10^{int(exponent)}"
    return f"{value:,}"


def _describe(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:20] + "…"
        return f"the text “{shown}”"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "an object"
    if isinstance(value, (int, float)):
        return _number(value)
    return repr(value)


class _Keys:
    """Typed access to config keys; every failure is a ConfigError naming the key."""

    def __init__(self, config: Mapping[str, Any], defaults: Mapping[str, Any] | None = None):
        self.config = {**(defaults or {}), **{k: v for k, v in config.items() if v is not None}}

    def has(self, key: str) -> bool:
        return self.config.get(key) is not None

    def int(self, key: str, *, default: int | None = None, minimum: int = 1, maximum: int = 10**7) -> int:
        value = self.config.get(key)
        if value is None:
            if default is None:
                raise ConfigError(f"The config has no “{key}”.")
            return default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"“{key}” must be a whole number; the config has {_describe(value)}.")
        if not minimum <= value <= maximum:
            raise ConfigError(f"“{key}” must be between {minimum:,} and {maximum:,}; the config has "
                              f"{_number(value)}.")
        return value

    def bool(self, key: str, *, default: bool) -> bool:
        value = self.config.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ConfigError(f"“{key}” must be true or false; the config has {_describe(value)}.")
        return value

    def text(self, key: str) -> str:
        value = self.config.get(key)
        return value[:64] if isinstance(value, str) else ""

    def int_list(self, key: str, *, maximum: int) -> tuple[int, ...]:
        value = self.config.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise ConfigError(f"“{key}” must be a list of layer numbers; the config has {_describe(value)}.")
        if any(not 0 <= v < maximum for v in value):
            raise ConfigError(f"“{key}” lists a layer outside 0 to {maximum - 1}.")
        return tuple(value)

    def per_layer(self, key: str, *, layers: int, allowed: Mapping[Any, str]) -> tuple[str, ...]:
        """A list with one entry per layer, each one of `allowed` (mapped to its name here)."""
        value = self.config.get(key)
        if not isinstance(value, list):
            raise ConfigError(f"“{key}” must be a list with one entry per layer; the config has {_describe(value)}.")
        if len(value) < layers:
            raise ConfigError(f"“{key}” has {len(value):,} entries for {layers:,} layers.")
        out = []
        for entry in value[:layers]:
            hashable = entry if isinstance(entry, (str, int)) and not isinstance(entry, bool) else None
            if hashable not in allowed:
                raise ConfigError(f"“{key}” has a layer of type {_describe(entry)}, which this calculator does not "
                                  "count (known: " + ", ".join(str(a) for a in allowed) + ").")
            out.append(allowed[hashable])
        return tuple(out)


def _language_model_keys(config: Mapping[str, Any]) -> tuple[Mapping[str, Any], tuple[str, ...]]:
    """The keys of the language model: the config itself, or its ``text_config`` (multimodal wrappers), and the
    names of the wrapper's other sub-configs (towers not counted here, e.g. ``vision_config``)."""
    if "num_hidden_layers" not in config and isinstance(config.get("text_config"), dict):
        others = tuple(k for k, v in config.items() if k.endswith("_config") and k != "text_config"
                       and isinstance(v, dict))
        return config["text_config"], others
    return config, ()


def _layer_types(keys: _Keys, model_type: str, layers: int) -> dict[str, Any]:
    """How each layer attends, with its window: from ``layer_types``, else each family's own keys and defaults
    (as each family's transformers config class derives them)."""
    window = keys.int("sliding_window", default=0, minimum=0, maximum=100_000_000)
    if model_type in ("qwen2", "qwen2_moe", "qwen3", "qwen3_moe") and not keys.bool("use_sliding_window",
                                                                                     default=False):
        window = 0  # Qwen2/3: the window applies only with use_sliding_window
    chunk = 0
    if model_type == "llama4_text" or keys.has("attention_chunk_size"):
        chunk = keys.int("attention_chunk_size", default=8192, minimum=0, maximum=100_000_000)
    if keys.has("layer_types"):
        kinds = keys.per_layer("layer_types", layers=layers, allowed=LAYER_KINDS)
    elif keys.has("attn_type_list"):  # MiniMax: 0 = lightning (linear) attention, 1 = softmax attention
        kinds = keys.per_layer("attn_type_list", layers=layers, allowed={0: "linear", 1: "full"})
    elif model_type == "llama4_text":  # NoPE layers attend fully, the others within chunks
        interval = keys.int("no_rope_layer_interval", default=4, maximum=10_000)
        if keys.has("no_rope_layers") and keys.config["no_rope_layers"]:
            uses_rope = keys.per_layer("no_rope_layers", layers=layers, allowed={0: "full", 1: "chunked"})
            kinds = uses_rope
        else:
            kinds = tuple("chunked" if (i + 1) % interval else "full" for i in range(layers))
        if not chunk:
            kinds = ("full",) * layers
    elif window and model_type in ("gemma2", "gpt_oss"):  # even layers slide, odd ones attend fully
        kinds = tuple("sliding" if (i + 1) % 2 else "full" for i in range(layers))
    elif window and (model_type in ("gemma3", "gemma3_text") or keys.has("sliding_window_pattern")):
        pattern = keys.int("sliding_window_pattern", default=6, maximum=10_000)
        kinds = tuple("sliding" if (i + 1) % pattern else "full" for i in range(layers))
    elif window and model_type in ("qwen2", "qwen2_moe", "qwen3"):  # the first max_window_layers attend fully
        first_full = keys.int("max_window_layers", default=28, minimum=0, maximum=10_000)
        kinds = tuple("sliding" if i >= first_full else "full" for i in range(layers))
    elif window:  # Mistral and the others: every layer slides
        kinds = ("sliding",) * layers
    else:
        kinds = ("full",) * layers
    if "sliding" in kinds and not window:
        raise ConfigError("The config has sliding-window layers but no “sliding_window”.")
    if "linear" in kinds and model_type not in ("minimax", "minimax_m1", "minimax_text_01"):
        raise ConfigError(f"The config has linear-attention layers of a {model_type or 'unnamed'} model; this "
                          "calculator counts only MiniMax's lightning attention.")
    if all(k == "full" for k in kinds):
        kinds = ()
    return {"layer_types": kinds, "sliding_window": window if "sliding" in kinds else 0,
            "attention_chunk_size": chunk if "chunked" in kinds else 0}


def _moe_layers(keys: _Keys, model_type: str, layers: int) -> tuple[bool, ...]:
    """Which layers have experts, by each family's own rule.

    Qwen-MoE families (``decoder_sparse_step``, ``mlp_only_layers``): layer $i$ is MoE unless listed, when
    $(i+1)$ is a multiple of the step. DeepSeek families (``first_k_dense_replace``, ``moe_layer_freq``): MoE from
    layer $k$ on, where $i$ is a multiple of the frequency, or as a list of 0/1 per layer. Llama 4
    (``interleave_moe_layer_step`` $s$, or ``moe_layers``): layers $s-1, 2s-1, \\dots$. A family of neither
    kind follows whichever keys it gives; an empty ``mlp_only_layers`` or a step of 1 says nothing.
    """
    if model_type == "llama4_text" or keys.has("interleave_moe_layer_step") or keys.has("moe_layers"):
        if keys.has("moe_layers"):
            listed = set(keys.int_list("moe_layers", maximum=layers))
            return tuple(i in listed for i in range(layers))
        step = keys.int("interleave_moe_layer_step", default=1, maximum=layers)
        return tuple((i + 1) % step == 0 for i in range(layers))
    qwen_keys = keys.has("decoder_sparse_step") or keys.has("mlp_only_layers")
    deepseek_keys = keys.has("first_k_dense_replace") or keys.has("moe_layer_freq")
    qwen_family = model_type.startswith("qwen")
    deepseek_family = model_type.startswith(("deepseek", "kimi"))
    if not qwen_family and not deepseek_family and qwen_keys and deepseek_keys:
        # neither family: the Qwen keys decide only if they say something beyond "every layer"
        qwen_keys = keys.int("decoder_sparse_step", default=1, maximum=layers) != 1 or bool(
            keys.int_list("mlp_only_layers", maximum=layers))
    if qwen_family or (qwen_keys and not deepseek_family):
        step = keys.int("decoder_sparse_step", default=1, maximum=layers)
        dense_only = set(keys.int_list("mlp_only_layers", maximum=layers))
        return tuple(i not in dense_only and (i + 1) % step == 0 for i in range(layers))
    first_dense = keys.int("first_k_dense_replace", default=0, minimum=0, maximum=layers)
    if isinstance(keys.config.get("moe_layer_freq"), list):
        pattern = keys.per_layer("moe_layer_freq", layers=layers, allowed={0: "dense", 1: "moe"})
        return tuple(i >= first_dense and kind == "moe" for i, kind in enumerate(pattern))
    freq = keys.int("moe_layer_freq", default=1, maximum=layers)
    return tuple(i >= first_dense and i % freq == 0 for i in range(layers))


def architecture(config: Mapping[str, Any]) -> ModelArchitecture:
    """The architecture a parsed `config.json` describes, or `ConfigError` naming what is missing or wrong.

    Examples:
        >>> arch = architecture({"vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336,
        ...     "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8})
        >>> arch.kv_heads, arch.head_dim, arch.moe_layer_count
        (8, 128, 0)
        >>> architecture({"hidden_size": 4096})
        Traceback (most recent call last):
        ...
        calculators.model_config.ConfigError: The config lacks num_hidden_layers, num_attention_heads, vocab_size: it does not describe a transformer language model these keys can count.
    """
    if not isinstance(config, Mapping):
        raise ConfigError("The config must be a JSON object ({...}), as in a config.json file.")
    config, other_towers = _language_model_keys(config)
    for key, what in _UNSUPPORTED.items():
        if config.get(key) is not None:
            raise ConfigError(f"The config uses “{key}”: {what}, which this calculator does not count yet.")
    model_type = config.get("model_type") if isinstance(config.get("model_type"), str) else ""
    keys = _Keys(config, _FAMILY_DEFAULTS.get(model_type[:64]))
    required = ("hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size")
    missing = [key for key in required if not keys.has(key)]
    if missing:
        raise ConfigError(f"The config lacks {', '.join(missing)}: it does not describe a transformer language "
                          "model these keys can count.")
    model_type = keys.text("model_type")
    hidden = keys.int("hidden_size", maximum=1_000_000)
    layers = keys.int("num_hidden_layers", maximum=10_000)
    heads = keys.int("num_attention_heads", maximum=100_000)
    vocab = keys.int("vocab_size", maximum=100_000_000)
    kv_heads = keys.int("num_key_value_heads", default=heads, maximum=100_000)
    if kv_heads > heads or heads % kv_heads:
        raise ConfigError(f"“num_key_value_heads” ({kv_heads}) must divide “num_attention_heads” ({heads}).")
    if keys.has("head_dim"):
        head_dim = keys.int("head_dim", maximum=100_000)
    elif hidden % heads:
        raise ConfigError(f"The config has no “head_dim” and “hidden_size” {hidden:,} is not a multiple of "
                          f"“num_attention_heads” {heads}, so it cannot be derived.")
    else:
        head_dim = hidden // heads

    # Multi-head Latent Attention (DeepSeek-V2/V3), and DeepSeek-V3.2's lightning indexer.
    kv_lora_rank = keys.int("kv_lora_rank", default=0, minimum=0, maximum=1_000_000)
    mla: dict[str, int] = {}
    if kv_lora_rank:
        missing = [k for k in ("qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim") if not keys.has(k)]
        if missing:
            raise ConfigError(f"The config has “kv_lora_rank” (MLA) but lacks {', '.join(missing)}.")
        mla = {
            "q_lora_rank": keys.int("q_lora_rank", default=0, minimum=0, maximum=1_000_000),
            "kv_lora_rank": kv_lora_rank,
            "qk_nope_head_dim": keys.int("qk_nope_head_dim", maximum=100_000),
            "qk_rope_head_dim": keys.int("qk_rope_head_dim", minimum=0, maximum=100_000),
            "v_head_dim": keys.int("v_head_dim", maximum=100_000),
        }
    indexer: dict[str, int] = {}
    if keys.has("index_n_heads"):
        if not mla.get("q_lora_rank"):
            raise ConfigError("The config has “index_n_heads” (DeepSeek-V3.2's indexer) but no “q_lora_rank”, "
                              "from whose latent the indexer's queries are made.")
        indexer = {"index_heads": keys.int("index_n_heads", maximum=100_000),
                   "index_head_dim": keys.int("index_head_dim", maximum=100_000),
                   "index_topk": keys.int("index_topk", default=2048, maximum=100_000_000)}

    # Mixture of Experts.
    expert_key = next((k for k in _EXPERT_COUNT_KEYS if keys.has(k)), None)
    experts = keys.int(expert_key, minimum=0, maximum=1_000_000) if expert_key else 0
    moe: dict[str, Any] = {}
    if experts:
        top_k = keys.int("num_experts_per_tok", default=0, minimum=0, maximum=experts)
        if not top_k:
            raise ConfigError(f"The config has {experts} experts (“{expert_key}”) but no “num_experts_per_tok”.")
        if keys.has("moe_intermediate_size"):
            expert_width = keys.int("moe_intermediate_size", maximum=10_000_000)
        elif keys.has("intermediate_size"):
            expert_width = keys.int("intermediate_size", maximum=10_000_000)
        else:
            raise ConfigError("The config has experts but neither “moe_intermediate_size” nor “intermediate_size”.")
        if model_type == "llama4_text":  # one shared expert of the experts' width beside the routed ones
            shared_width, shared_gate = expert_width, False
        elif keys.has("shared_expert_intermediate_size"):  # one shared MLP with a sigmoid gate (Qwen2-MoE)
            shared_width = keys.int("shared_expert_intermediate_size", minimum=0, maximum=10_000_000)
            shared_gate = shared_width > 0
        else:  # n shared experts of expert width (DeepSeekMoE)
            shared_width = keys.int("n_shared_experts", default=0, minimum=0, maximum=10_000) * expert_width
            shared_gate = False
        groups = keys.int("n_group", default=1, maximum=experts)
        if experts % groups:
            raise ConfigError(f"“n_group” ({groups}) must divide the {experts} routed experts.")
        moe = {
            "routed_experts": experts,
            "experts_per_token": top_k,
            "expert_intermediate_size": expert_width,
            "shared_intermediate_size": shared_width,
            "shared_expert_gate": shared_gate,
            "router_bias": keys.text("topk_method") == "noaux_tc" or model_type == "gpt_oss",
            "expert_bias": model_type == "gpt_oss",
            "expert_groups": groups,
            "groups_per_token": keys.int("topk_group", default=groups, maximum=groups),
            "moe_layers": _moe_layers(keys, model_type, layers),
        }
    else:
        moe = {"moe_layers": (False,) * layers}

    # The dense MLP: Llama 4's dense layers have their own width; a config whose every layer is MoE needs none.
    dense_key = "intermediate_size_mlp" if model_type == "llama4_text" or keys.has("intermediate_size_mlp") \
        else "intermediate_size"
    needs_dense_mlp = not all(moe["moe_layers"])
    missing_keys = ("intermediate_size",) if needs_dense_mlp and not keys.has(dense_key) else ()
    if missing_keys and dense_key != "intermediate_size":
        missing_keys = (dense_key,)
    intermediate = keys.int(dense_key, default=0, minimum=0, maximum=10_000_000)
    # Qwen2 and Qwen2-MoE put biases on q, k and v without a config key; `attention_bias` (Llama, gpt-oss) covers
    # q, k, v and o.
    attention_bias = keys.bool("attention_bias", default=False)
    qkv_bias = keys.bool("attention_bias", default=model_type in ("qwen2", "qwen2_moe"))
    return ModelArchitecture(
        model_type=model_type,
        vocab_size=vocab,
        hidden_size=hidden,
        layers=layers,
        heads=heads,
        kv_heads=kv_heads,
        head_dim=head_dim,
        intermediate_size=intermediate,
        tie_embeddings=keys.bool("tie_word_embeddings", default=model_type in _TIED_BY_DEFAULT),
        qkv_bias=qkv_bias,
        output_bias=attention_bias,
        mtp_layers=keys.int("num_nextn_predict_layers", default=0, minimum=0, maximum=100),
        norms_per_layer=4 if model_type in _FOUR_NORMS else 2,
        qk_norm=model_type in _QK_NORM,
        attention_sinks=model_type == "gpt_oss",
        missing=missing_keys,
        other_towers=other_towers,
        **_layer_types(keys, model_type, layers),
        **mla,
        **indexer,
        **moe,
    )


@functools.lru_cache(maxsize=16)
def architecture_from_json(text: str) -> ModelArchitecture:
    """`architecture` of config text: `load_config_json` then the key checks (cached: widgets re-send the text).

    Examples:
        >>> architecture_from_json('{"hidden_size": "big"}')
        Traceback (most recent call last):
        ...
        calculators.model_config.ConfigError: The config lacks num_hidden_layers, num_attention_heads, vocab_size: it does not describe a transformer language model these keys can count.
    """
    return architecture(load_config_json(text))


def attention_shape(config: Mapping[str, Any]) -> AttentionShape:
    """The attention shape a `config.json` describes.

    Examples:
        >>> attention_shape({"num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32,
        ...                  "num_key_value_heads": 8, "vocab_size": 128256, "intermediate_size": 14336}).kind
        'gqa'
    """
    return architecture(config).attention_shape()
