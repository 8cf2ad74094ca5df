"""Reading a model's architecture from the keys of a Hugging Face `config.json`.

Handles the keys, not a list of known models: the Llama/Mistral/Qwen2 family (``num_key_value_heads``,
``head_dim`` given or derived from ``hidden_size``), and DeepSeek-V2/V3's MLA keys (``kv_lora_rank``,
``qk_nope_head_dim``, ``qk_rope_head_dim``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["AttentionShape", "attention_shape"]


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


def attention_shape(config: Mapping[str, Any]) -> AttentionShape:
    """The attention shape a `config.json` describes.

    Examples:
        >>> attention_shape({"num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32,
        ...                  "num_key_value_heads": 8}).kind
        'gqa'
    """
    layers = int(config["num_hidden_layers"])
    heads = int(config["num_attention_heads"])
    if config.get("kv_lora_rank"):
        return AttentionShape(
            kind="mla",
            layers=layers,
            heads=heads,
            kv_heads=heads,
            head_dim=int(config["qk_nope_head_dim"]),
            kv_lora_rank=int(config["kv_lora_rank"]),
            rope_head_dim=int(config.get("qk_rope_head_dim", 0)),
        )
    kv_heads = int(config.get("num_key_value_heads") or heads)
    head_dim = int(config.get("head_dim") or int(config["hidden_size"]) // heads)
    kind = "mha" if kv_heads == heads else "mqa" if kv_heads == 1 else "gqa"
    return AttentionShape(kind=kind, layers=layers, heads=heads, kv_heads=kv_heads, head_dim=head_dim)
