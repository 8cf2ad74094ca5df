r"""Parameter counts of a decoder-only transformer, dense or Mixture-of-Experts, by part.

Notation (the site's notation page): $V$ vocabulary, $D$ model width, $L$ layers, $H$ query heads, $K$ key/value
heads, $d$ head dimension, $F$ dense MLP width, $E$ routed experts, $k$ experts per token, $F_e$ expert width.
Every MLP is gated (SwiGLU or GeGLU: gate, up and down matrices), as in every family `calculators.model_config`
reads.

Each part has one function; `parameter_counts` adds them up for a `ModelArchitecture` into breakdowns with a
``.total``: all weights, the weights one token uses, and DeepSeek's multi-token-prediction (MTP) module apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from .model_config import ConfigError, ModelArchitecture

__all__ = [
    "PART_LABELS",
    "ModelParameters",
    "ParameterBreakdown",
    "attention_params_per_layer",
    "embedding_params",
    "gated_mlp_params",
    "gqa_attention_params",
    "indexer_params",
    "indexer_params_per_layer",
    "lightning_attention_params",
    "mla_attention_params",
    "mtp_module_extra_params",
    "parameter_counts",
    "rms_norm_params",
    "router_params",
    "stack_parameter_counts",
]


def embedding_params(*, vocab_size: int, hidden_size: int) -> int:
    r"""One token-embedding table (or one untied output head): $V \cdot D$.

    Examples:
        >>> embedding_params(vocab_size=129_280, hidden_size=7168)  # DeepSeek-V3: "0.9B for Embedding"
        926679040
    """
    return vocab_size * hidden_size


def gqa_attention_params(*, hidden_size: int, heads: int, kv_heads: int, head_dim: int, qkv_bias: bool = False,
                         output_bias: bool = False, qk_norm: bool = False, sinks: bool = False) -> int:
    r"""Weights of one MHA/GQA/MQA attention block: $W_Q, W_O$ of $D \cdot H d$ and $W_K, W_V$ of $D \cdot K d$.

    $$N_\text{attn} = 2 D H d + 2 D K d \;(+\, H d + 2 K d \text{ q/k/v biases}) \;(+\, D \text{ output bias})
      \;(+\, 2 d \text{ query/key norms}) \;(+\, H \text{ sinks})$$

    MHA is $K = H$, MQA is $K = 1$. Query/key RMSNorms of width $d$ (Qwen3, Gemma 3: ``q_norm``, ``k_norm``)
    and one learned sink logit per head (gpt-oss, ``sinks``) add a few weights.

    Source: the attention classes of transformers' ``modeling_llama``, ``modeling_qwen3``, ``modeling_gemma3``,
    ``modeling_gpt_oss`` (v5.23).

    Examples:
        >>> gqa_attention_params(hidden_size=4096, heads=32, kv_heads=8, head_dim=128)  # Llama 3.1 8B, per layer
        41943040
        >>> gqa_attention_params(hidden_size=2880, heads=64, kv_heads=8, head_dim=64, qkv_bias=True,
        ...                      output_bias=True, sinks=True)  # gpt-oss, per layer
        26550144
    """
    params = 2 * hidden_size * heads * head_dim + 2 * hidden_size * kv_heads * head_dim
    if qkv_bias:
        params += heads * head_dim + 2 * kv_heads * head_dim
    if output_bias:
        params += hidden_size
    if qk_norm:
        params += 2 * head_dim
    if sinks:
        params += heads
    return params


def lightning_attention_params(*, hidden_size: int, heads: int, head_dim: int) -> int:
    r"""Weights of one lightning (linear) attention block of MiniMax-Text-01/-M1: the fused $Q, K, V$
    projection $D \cdot 3 H d$, the output gate $D \cdot H d$, the output projection $H d \cdot D$ and an
    RMSNorm of width $H d$.

    $$N_\text{lightning} = 5 D H d + H d$$

    Source: MiniMax-01, arXiv:2501.08313, Sec. 2.2; ``MiniMaxLightningAttention`` in transformers'
    ``modeling_minimax`` (v5.23) and ``modeling_minimax_m1.py`` of github.com/MiniMax-AI/MiniMax-M1.

    Examples:
        >>> lightning_attention_params(hidden_size=6144, heads=64, head_dim=128)  # MiniMax-M1, per layer
        251666432
    """
    return 5 * hidden_size * heads * head_dim + heads * head_dim


def indexer_params(*, hidden_size: int, q_lora_rank: int, index_heads: int, index_head_dim: int) -> int:
    r"""Weights of DeepSeek-V3.2's lightning indexer in one layer: queries from the query latent
    ($d_c' \cdot H^I d^I$), one key ($D \cdot d^I$) with a LayerNorm (weight and bias, $2 d^I$), and a weight
    per index head ($D \cdot H^I$).

    $$N_\text{indexer} = d_c' H^I d^I + D d^I + 2 d^I + D H^I$$

    Source: DeepSeek-V3.2-Exp, ``inference/model.py`` (class ``Indexer``) of github.com/deepseek-ai/DeepSeek-V3.2-Exp;
    ``DeepseekV32Indexer`` in transformers' ``modeling_deepseek_v32`` (v5.23).

    Examples:
        >>> indexer_params(hidden_size=7168, q_lora_rank=1536, index_heads=64, index_head_dim=128)
        13959424
    """
    return (q_lora_rank * index_heads * index_head_dim + hidden_size * index_head_dim + 2 * index_head_dim
            + hidden_size * index_heads)


def mla_attention_params(*, hidden_size: int, heads: int, q_lora_rank: int, kv_lora_rank: int,
                         qk_nope_head_dim: int, qk_rope_head_dim: int, v_head_dim: int) -> int:
    r"""Weights of one Multi-head Latent Attention block, low-rank projections and their RMSNorms included.

    With $d_c$ = `kv_lora_rank`, $d_c'$ = `q_lora_rank` (0: queries not compressed), $d$ = `qk_nope_head_dim`,
    $d_h^R$ = `qk_rope_head_dim`, $d_v$ = `v_head_dim`:

    $$N_\text{attn} = \underbrace{D d_c' + d_c' + d_c' H (d + d_h^R)}_{W^{DQ},\ \text{norm},\ W^{UQ}, W^{QR}}
      + \underbrace{D (d_c + d_h^R) + d_c}_{W^{DKV}, W^{KR},\ \text{norm}}
      + \underbrace{d_c H (d + d_v)}_{W^{UK}, W^{UV}} + \underbrace{H d_v D}_{W^O}$$

    and $D H (d + d_h^R)$ in place of the first brace when $d_c' = 0$ (DeepSeek-V2-Lite).

    Source: DeepSeek-V2, arXiv:2405.04434, Sec. 2.1.2-2.1.3, Eqs. 9-19; shapes as in the released
    ``inference/model.py`` of github.com/deepseek-ai/DeepSeek-V3.

    Examples:
        >>> mla_attention_params(hidden_size=7168, heads=128, q_lora_rank=1536, kv_lora_rank=512,
        ...                      qk_nope_head_dim=128, qk_rope_head_dim=64, v_head_dim=128)  # DeepSeek-V3
        187107328
    """
    qk_head_dim = qk_nope_head_dim + qk_rope_head_dim
    if q_lora_rank:
        query = hidden_size * q_lora_rank + q_lora_rank + q_lora_rank * heads * qk_head_dim
    else:
        query = hidden_size * heads * qk_head_dim
    key_value = hidden_size * (kv_lora_rank + qk_rope_head_dim) + kv_lora_rank
    up = kv_lora_rank * heads * (qk_nope_head_dim + v_head_dim)
    output = heads * v_head_dim * hidden_size
    return query + key_value + up + output


def gated_mlp_params(*, hidden_size: int, intermediate_size: int, bias: bool = False) -> int:
    r"""Weights of one gated (SwiGLU) MLP or expert: gate, up and down matrices, $3 D F$, and with biases
    (gpt-oss's experts) $2F + D$ more.

    Source: Shazeer, "GLU Variants Improve Transformer", arXiv:2002.05202; the MLP of every model family read here.

    Examples:
        >>> gated_mlp_params(hidden_size=7168, intermediate_size=2048)  # one DeepSeek-V3 expert
        44040192
    """
    params = 3 * hidden_size * intermediate_size
    if bias:
        params += 2 * intermediate_size + hidden_size
    return params


def router_params(*, hidden_size: int, routed_experts: int, bias: bool = False) -> int:
    r"""The router (gate) of one MoE layer: $E \cdot D$ affinity weights, plus $E$ when the layer keeps the
    per-expert bias of auxiliary-loss-free balancing.

    Source: DeepSeek-V3, arXiv:2412.19437, Sec. 2.1.2 (bias $b_i$, ``e_score_correction_bias`` in the checkpoint).

    Examples:
        >>> router_params(hidden_size=7168, routed_experts=256, bias=True)
        1835264
    """
    return routed_experts * hidden_size + (routed_experts if bias else 0)


def rms_norm_params(*, hidden_size: int) -> int:
    r"""One RMSNorm: a scale per channel, $D$.

    Examples:
        >>> rms_norm_params(hidden_size=4096)
        4096
    """
    return hidden_size


def mtp_module_extra_params(*, hidden_size: int) -> int:
    r"""What one DeepSeek-V3 multi-token-prediction module adds besides its transformer layer: the projection
    matrix (DeepSeek-V3's $M_k$) of $D \times 2D$ and three RMSNorms (of the hidden state, of the embedding, before the
    shared head), $2D^2 + 3D$. Its embedding and output head are shared with the main model.

    Source: DeepSeek-V3, arXiv:2412.19437, Sec. 2.2, Eq. 21; README_WEIGHTS.md of github.com/deepseek-ai/DeepSeek-V3.

    Examples:
        >>> mtp_module_extra_params(hidden_size=7168)
        102781952
    """
    return 2 * hidden_size * hidden_size + 3 * hidden_size


@dataclass(frozen=True, kw_only=True)
class ParameterBreakdown:
    """Parameters by part; `.total` is their sum."""

    embeddings: int = 0
    attention: int = 0
    indexer: int = 0
    dense_mlp: int = 0
    routed_experts: int = 0
    shared_experts: int = 0
    router: int = 0
    norms: int = 0
    head: int = 0
    projection: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    @property
    def experts(self) -> int:
        """Routed and shared experts together."""
        return self.routed_experts + self.shared_experts

    @property
    def without_embeddings(self) -> int:
        """`.total` less the token-embedding table (the output head stays: it is a matrix product)."""
        return self.total - self.embeddings

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


PART_LABELS: dict[str, str] = {
    "embeddings": "Token embeddings",
    "attention": "Attention",
    "indexer": "Sparse-attention indexer",
    "dense_mlp": "Dense MLP layers",
    "routed_experts": "Routed experts",
    "shared_experts": "Shared experts",
    "router": "Routers",
    "norms": "Norms",
    "head": "Output head",
    "projection": "MTP projection",
}


@dataclass(frozen=True, kw_only=True)
class ModelParameters:
    """The counts of one model: `all` weights, the weights `active` for one token, and the `mtp` module apart.

    `mtp` holds the unique weights of the multi-token-prediction modules (zero if the model has none); its
    embedding and output head are the main model's, which the released checkpoint stores a second time
    (`checkpoint_total`).
    """

    all: ParameterBreakdown
    active: ParameterBreakdown
    mtp: ParameterBreakdown
    mtp_modules: int = 0

    @property
    def total(self) -> int:
        return self.all.total

    @property
    def checkpoint_total(self) -> int:
        """Main model, MTP modules, and the copy of embedding and head each MTP module carries in the checkpoint."""
        if not self.mtp.total:
            return self.all.total
        return self.all.total + self.mtp.total + self.mtp_modules * (self.all.embeddings + self.all.head)


def stack_parameter_counts(*, vocab_size: int, hidden_size: int, layers: int, moe_layers: int,
                           attention_per_layer: int, intermediate_size: int, routed_experts: int = 0,
                           experts_per_token: int = 0, expert_intermediate_size: int = 0,
                           shared_intermediate_size: int = 0, shared_expert_gate: bool = False,
                           router_bias: bool = False, tie_embeddings: bool = False, norms_per_layer: int = 2,
                           expert_bias: bool = False, attention_total: int | None = None,
                           indexer_per_layer: int = 0) -> tuple[ParameterBreakdown, ParameterBreakdown]:
    r"""All parameters and those active per token of a stack of $L$ layers, $L_\text{MoE}$ of them MoE.

    $$N = \underbrace{V D}_{\text{embeddings}} + L(N_\text{attn} + 2D) + L_\text{dense}\, 3DF
      + L_\text{MoE}\,(E \cdot 3 D F_e + N_\text{shared} + N_\text{router}) + D + \underbrace{V D}_{\text{head, if untied}}$$

    $$N_\text{active} = N - L_\text{MoE}\,(E - k)\, 3 D F_e$$

    $N_\text{attn}$ is one layer's attention (`gqa_attention_params` or `mla_attention_params`; when layers differ,
    as in MiniMax's lightning and softmax layers, `attention_total` gives their sum), $2D$ its two RMSNorms ($4D$,
    four, in Gemma 2/3), $N_\text{shared} = 3 D F_s$ the always-active shared MLP of total width $F_s$
    (DeepSeekMoE's $E_s$ shared experts of width $F_e$, $F_s = E_s F_e$; Qwen2-MoE's one shared MLP and its
    $D$-weight gate; Llama 4's shared expert), and the final $D$ the last norm. A token passes through every
    non-expert weight, the shared experts and $k$ of the $E$ routed experts in each MoE layer.

    Returns:
        (all parameters, parameters active per token), each a `ParameterBreakdown`.

    Examples:
        >>> everything, active = stack_parameter_counts(vocab_size=32000, hidden_size=4096, layers=32, moe_layers=32,
        ...     attention_per_layer=41943040, intermediate_size=14336, routed_experts=8, experts_per_token=2,
        ...     expert_intermediate_size=14336)
        >>> round(everything.total / 1e9, 1), round(active.total / 1e9, 1)  # Mixtral 8x7B: 46.7B and 12.9B
        (46.7, 12.9)
    """
    D = hidden_size
    one_expert = gated_mlp_params(hidden_size=D, intermediate_size=expert_intermediate_size, bias=expert_bias)
    shared = gated_mlp_params(hidden_size=D, intermediate_size=shared_intermediate_size)
    if shared_expert_gate:
        shared += D
    embeddings = embedding_params(vocab_size=vocab_size, hidden_size=D)
    common = {
        "embeddings": embeddings,
        "attention": layers * attention_per_layer if attention_total is None else attention_total,
        "indexer": layers * indexer_per_layer,
        "dense_mlp": (layers - moe_layers) * gated_mlp_params(hidden_size=D, intermediate_size=intermediate_size),
        "shared_experts": moe_layers * shared,
        "router": moe_layers * router_params(hidden_size=D, routed_experts=routed_experts, bias=router_bias),
        "norms": layers * norms_per_layer * rms_norm_params(hidden_size=D) + rms_norm_params(hidden_size=D),
        "head": 0 if tie_embeddings else embeddings,
    }
    everything = ParameterBreakdown(routed_experts=moe_layers * routed_experts * one_expert, **common)
    active = ParameterBreakdown(routed_experts=moe_layers * experts_per_token * one_expert, **common)
    return everything, active


def attention_params_per_layer(arch: ModelArchitecture, kind: str = "full") -> int:
    """One layer's attention weights: MLA's if the config has ``kv_lora_rank``, MiniMax's lightning attention for a
    ``"linear"`` layer, else MHA/GQA/MQA's (sliding and chunked layers have the same weights as full ones)."""
    if arch.uses_mla:
        return mla_attention_params(hidden_size=arch.hidden_size, heads=arch.heads, q_lora_rank=arch.q_lora_rank,
                                    kv_lora_rank=arch.kv_lora_rank, qk_nope_head_dim=arch.qk_nope_head_dim,
                                    qk_rope_head_dim=arch.qk_rope_head_dim, v_head_dim=arch.v_head_dim)
    if kind == "linear":
        return lightning_attention_params(hidden_size=arch.hidden_size, heads=arch.heads, head_dim=arch.head_dim)
    return gqa_attention_params(hidden_size=arch.hidden_size, heads=arch.heads, kv_heads=arch.kv_heads,
                                head_dim=arch.head_dim, qkv_bias=arch.qkv_bias, output_bias=arch.output_bias,
                                qk_norm=arch.qk_norm, sinks=arch.attention_sinks)


def indexer_params_per_layer(arch: ModelArchitecture) -> int:
    """One layer's sparse-attention indexer (DeepSeek-V3.2), zero for a model without one."""
    if not arch.index_heads:
        return 0
    return indexer_params(hidden_size=arch.hidden_size, q_lora_rank=arch.q_lora_rank, index_heads=arch.index_heads,
                          index_head_dim=arch.index_head_dim)


def parameter_counts(arch: ModelArchitecture) -> ModelParameters:
    r"""All parameters, the parameters active per token, and the MTP modules of a model, by part
    (`stack_parameter_counts` for the formulas).

    Embeddings are counted in both totals, as Mistral AI's and DeepSeekMoE's published figures do; DeepSeek-V2/V3's
    activated counts leave the input embedding out (`ParameterBreakdown.without_embeddings`). `calculators.flops`
    leaves it out too: a lookup does no multiplications.

    Each MTP module (DeepSeek-V3, arXiv:2412.19437, Sec. 2.2) is one more transformer layer, MoE if the model's last
    layer is, plus `mtp_module_extra_params`; its embedding and head are the main model's.

    Examples:
        >>> from calculators.model_config import architecture
        >>> llama = architecture({"vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336,
        ...     "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8})
        >>> parameter_counts(llama).total  # Llama 3.1 8B
        8030261248
    """
    if arch.missing:
        raise ConfigError(f"The config lacks “{arch.missing[0]}”, the width of its dense MLP layers.")
    stack = dict(vocab_size=arch.vocab_size, hidden_size=arch.hidden_size,
                 attention_per_layer=attention_params_per_layer(arch), intermediate_size=arch.intermediate_size,
                 routed_experts=arch.routed_experts, experts_per_token=arch.experts_per_token,
                 expert_intermediate_size=arch.expert_intermediate_size,
                 shared_intermediate_size=arch.shared_intermediate_size, shared_expert_gate=arch.shared_expert_gate,
                 router_bias=arch.router_bias, norms_per_layer=arch.norms_per_layer, expert_bias=arch.expert_bias,
                 indexer_per_layer=indexer_params_per_layer(arch))
    attention_total = sum(count * attention_params_per_layer(arch, kind)
                          for kind, count in arch.layer_type_counts().items())
    everything, active = stack_parameter_counts(layers=arch.layers, moe_layers=arch.moe_layer_count,
                                                tie_embeddings=arch.tie_embeddings, attention_total=attention_total,
                                                **stack)
    mtp = ParameterBreakdown()
    if arch.mtp_layers:
        n = arch.mtp_layers
        last_is_moe = bool(arch.moe_layers) and arch.moe_layers[-1]
        layer, _ = stack_parameter_counts(layers=1, moe_layers=1 if last_is_moe else 0, **stack)
        extra_norms = 3 * rms_norm_params(hidden_size=arch.hidden_size)
        mtp = ParameterBreakdown(
            attention=n * layer.attention,
            indexer=n * layer.indexer,
            dense_mlp=n * layer.dense_mlp,
            routed_experts=n * layer.routed_experts,
            shared_experts=n * layer.shared_experts,
            router=n * layer.router,
            # the layer's two norms (the stack's count adds a final norm: take it off) and the module's three
            norms=n * (layer.norms - rms_norm_params(hidden_size=arch.hidden_size) + extra_norms),
            projection=n * (mtp_module_extra_params(hidden_size=arch.hidden_size) - extra_norms),
        )
    return ModelParameters(all=everything, active=active, mtp=mtp, mtp_modules=arch.mtp_layers)
