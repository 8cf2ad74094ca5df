r"""Floating-point operations per token: the matrix multiplications a forward pass does, and training's 3x.

A multiply-add is 2 FLOPs. A token's forward pass multiplies by every weight it uses once, $2N$ (Kaplan et al.,
arXiv:2001.08361, Sec. 2.1), where $N$ counts the weights used in matrix products: the active parameters without
the token-embedding table, which is a lookup. Attention adds products with the cached keys and values that no
parameter count sees. Training adds the backward pass, twice the forward: $6N$ per token.
"""

from __future__ import annotations

from .model_config import ModelArchitecture
from .parameters import parameter_counts

__all__ = [
    "model_training_flops_per_token",
    "six_n_params",
    "attended_tokens",
    "attention_flops_per_token",
    "causal_mean_attended_tokens",
    "indexer_flops_per_token",
    "layered_attention_flops_per_token",
    "linear_attention_flops_per_token",
    "model_attention_flops_per_token",
    "forward_flops_per_token",
    "matmul_flops_per_token",
    "six_n_flops_per_token",
    "training_flops_per_token",
]


def matmul_flops_per_token(*, matmul_params: float) -> float:
    r"""Forward FLOPs of the weight matrices one token uses: $2N$.

    Args:
        matmul_params: parameters a token multiplies by (active, without the embedding table).

    Source: Kaplan et al., arXiv:2001.08361, Table 1 ($C_\text{forward} \approx 2N$).

    Examples:
        >>> matmul_flops_per_token(matmul_params=7e9)
        14000000000.0
    """
    return 2.0 * matmul_params


def attention_flops_per_token(*, layers: int, heads: int, qk_head_dim: int, v_head_dim: int,
                              context_tokens: float) -> float:
    r"""Forward FLOPs of attention scores and weighted values for one token attending to $T$ earlier tokens.

    $$C_\text{attn} = 2 L H T (d_{qk} + d_v)$$

    The scores (the query against each of the $T$ cached keys) cost $2 T d_{qk}$ per head and the weighted sum of
    values $2 T d_v$. For MLA computed as in training
    ($d_{qk} = d + d_h^R$), this is the same formula. With a causal mask, a token of a training sequence of $T$
    tokens attends on average to about $T/2$ earlier ones: pass that for a training estimate.

    Source: Hoffmann et al. (Chinchilla), arXiv:2203.15556, Appendix F (logits and attention over values).

    Examples:
        >>> attention_flops_per_token(layers=32, heads=32, qk_head_dim=128, v_head_dim=128, context_tokens=4096)
        2147483648.0
    """
    return 2.0 * layers * heads * context_tokens * (qk_head_dim + v_head_dim)


def forward_flops_per_token(*, matmul_params: float, attention_flops: float) -> float:
    r"""Forward FLOPs per token: $2N + C_\text{attn}$.

    Examples:
        >>> forward_flops_per_token(matmul_params=7e9, attention_flops=2e9)
        16000000000.0
    """
    return matmul_flops_per_token(matmul_params=matmul_params) + attention_flops


def training_flops_per_token(*, forward_flops: float) -> float:
    r"""Training FLOPs per token: forward plus a backward pass of twice the forward, $3 C_\text{forward}$.

    Source: Kaplan et al., arXiv:2001.08361, Sec. 2.1 (backward pass about twice the forward).

    Examples:
        >>> training_flops_per_token(forward_flops=16e9)
        48000000000.0
    """
    return 3.0 * forward_flops


def six_n_flops_per_token(*, params: float) -> float:
    r"""The $6N$ rule: training FLOPs per token from a parameter count alone, no attention term.

    Examples:
        >>> six_n_flops_per_token(params=37e9)
        222000000000.0
    """
    return 6.0 * params


def attended_tokens(*, context_tokens: float, window: float = 0) -> float:
    r"""Earlier tokens one token attends to in a layer that sees at most `window` of them (0: all).

    $$T_\text{att} = \min(T, T_\text{win})$$

    A sliding-window layer (Mistral, Gemma 2/3, gpt-oss, Qwen2 with ``use_sliding_window``) keeps the last
    $T_\text{win}$ tokens; a chunked layer (Llama 4's ``attention_chunk_size``) attends within its chunk, at most
    $T_\text{win}$ tokens.
    Past the window both cost, and cache, no more.

    Source: Beltagy et al., Longformer, arXiv:2004.05150, Sec. 3.1 (sliding window); Meta, Llama 4 model card
    (chunked attention with ``attention_chunk_size``).

    Examples:
        >>> attended_tokens(context_tokens=131072, window=128), attended_tokens(context_tokens=100, window=128)
        (128, 100)
    """
    return min(context_tokens, window) if window else context_tokens


def causal_mean_attended_tokens(*, sequence_length: float, window: float = 0, chunked: bool = False) -> float:
    r"""Earlier tokens attended on average by the tokens of one causal training sequence of $T$ tokens.

    Full attention: $T/2$. A sliding window $T_\text{win} < T$:
    $\frac{1}{T}\int_0^T \min(x, T_\text{win})\,dx = T_\text{win} - \frac{T_\text{win}^2}{2T}$.
    Chunks of $T_\text{win} \le T$: $T_\text{win}/2$ (a chunk restarts the count).

    Examples:
        >>> causal_mean_attended_tokens(sequence_length=4096)
        2048.0
        >>> causal_mean_attended_tokens(sequence_length=8192, window=4096)
        3072.0
        >>> causal_mean_attended_tokens(sequence_length=16384, window=8192, chunked=True)
        4096.0
    """
    if not window or window >= sequence_length:
        return sequence_length / 2
    if chunked:
        return window / 2
    return window - window * window / (2 * sequence_length)


def linear_attention_flops_per_token(*, layers: int, heads: int, key_head_dim: int, value_head_dim: int) -> float:
    r"""Forward FLOPs of linear (lightning) attention's state for one token, whatever the context:

    $$C_\text{linear} = 4 L H d_k d_v$$

    The token adds $k^\top v$ to each head's $d_k \times d_v$ state and reads it with $q$: two products of
    $H d_k d_v$ multiply-adds.

    Source: Katharopoulos et al., "Transformers are RNNs", arXiv:2006.16236, Sec. 3.4 (the recurrent form);
    MiniMax-01, arXiv:2501.08313, Sec. 2.2.

    Examples:
        >>> linear_attention_flops_per_token(layers=70, heads=64, key_head_dim=128, value_head_dim=128)
        293601280.0
    """
    return 4.0 * layers * heads * key_head_dim * value_head_dim


def indexer_flops_per_token(*, layers: int, index_heads: int, index_head_dim: int, context_tokens: float) -> float:
    r"""Forward FLOPs of DeepSeek-V3.2's lightning indexer scoring the $T$ earlier tokens for one token:

    $$C_\text{index} = 2 L H^I d^I T$$

    The indexer still looks at every earlier token, with $H^I$ small heads (64 of 128 dimensions, run in FP8);
    the main attention then attends only to the top $k$ (``index_topk``) it picks.

    Source: DeepSeek-V3.2-Exp technical report (github.com/deepseek-ai/DeepSeek-V3.2-Exp, DeepSeek_V3_2.pdf),
    Sec. 2.1 (Eq. 1) and Sec. 2.3: core attention from $O(L^2)$ to $O(Lk)$, the indexer still $O(L^2)$.

    Examples:
        >>> indexer_flops_per_token(layers=61, index_heads=64, index_head_dim=128, context_tokens=131072)
        130996502528.0
    """
    return 2.0 * layers * index_heads * index_head_dim * context_tokens


def layered_attention_flops_per_token(*, heads: int, qk_head_dim: int, v_head_dim: int,
                                      layers_attending: tuple[tuple[int, float], ...], linear_layers: int = 0,
                                      linear_head_dim: int = 0) -> float:
    r"""Attention FLOPs per token of a model whose layers attend differently: `attention_flops_per_token` for each
    group of (layers, tokens each attends to), plus `linear_attention_flops_per_token` for linear layers.

    $$C_\text{attn} = \sum_g 2 L_g H T_g (d_{qk} + d_v) + 4 L_\text{linear} H d^2$$

    The caller says how many tokens each group attends to: `attended_tokens` for one token at a context (decode),
    `causal_mean_attended_tokens` for the average over a causal sequence (training, prefill).

    Examples:
        >>> layered_attention_flops_per_token(heads=64, qk_head_dim=64, v_head_dim=64,  # gpt-oss-120b at 128K
        ...     layers_attending=((18, 131072), (18, attended_tokens(context_tokens=131072, window=128))))
        38692454400.0
    """
    total = 0.0
    for layers, tokens in layers_attending:
        total += attention_flops_per_token(layers=layers, heads=heads, qk_head_dim=qk_head_dim, v_head_dim=v_head_dim,
                                           context_tokens=tokens)
    if linear_layers:
        total += linear_attention_flops_per_token(layers=linear_layers, heads=heads, key_head_dim=linear_head_dim,
                                                  value_head_dim=linear_head_dim)
    return total


def model_attention_flops_per_token(arch: ModelArchitecture, *, context_tokens: float | None = None,
                                    sequence_length: float | None = None) -> float:
    r"""Attention FLOPs per token of a whole model, layer kind by layer kind: `attention_flops_per_token` over the
    tokens each layer attends to (`attended_tokens`: a window or chunk caps it; DeepSeek-V3.2's main attention
    attends to its top $k$), plus `linear_attention_flops_per_token` for linear layers and
    `indexer_flops_per_token` for an indexer.

    Give `context_tokens` for one token attending to $T$ earlier ones (decoding), or `sequence_length` for the
    average over a causal training sequence of $S$ (`causal_mean_attended_tokens`).

    Examples:
        >>> from calculators.model_config import architecture
        >>> gemma = architecture({"model_type": "gemma2", "vocab_size": 256000, "hidden_size": 4608,
        ...     "intermediate_size": 36864, "num_hidden_layers": 46, "num_attention_heads": 32,
        ...     "num_key_value_heads": 16, "head_dim": 128, "sliding_window": 4096})
        >>> full = model_attention_flops_per_token(gemma, context_tokens=131072)
        >>> full == attention_flops_per_token(layers=23, heads=32, qk_head_dim=128, v_head_dim=128,
        ...     context_tokens=131072) + attention_flops_per_token(layers=23, heads=32, qk_head_dim=128,
        ...     v_head_dim=128, context_tokens=4096)
        True
    """
    if (context_tokens is None) == (sequence_length is None):
        raise ValueError("give context_tokens or sequence_length")

    def attended(window: float, chunked: bool = False) -> float:
        if context_tokens is not None:
            return attended_tokens(context_tokens=context_tokens, window=window)
        return causal_mean_attended_tokens(sequence_length=sequence_length, window=window, chunked=chunked)

    counts = arch.layer_type_counts()
    # V3.2: the main attention sees the top k
    groups = tuple((layers, attended(arch.index_topk or arch.window_of(kind), chunked=kind == "chunked"))
                   for kind, layers in counts.items() if kind != "linear")
    total = layered_attention_flops_per_token(heads=arch.heads, qk_head_dim=arch.qk_head_dim,
                                              v_head_dim=arch.value_head_dim, layers_attending=groups,
                                              linear_layers=counts.get("linear", 0), linear_head_dim=arch.head_dim)
    if arch.index_heads:
        total += indexer_flops_per_token(layers=arch.layers, index_heads=arch.index_heads,
                                         index_head_dim=arch.index_head_dim, context_tokens=attended(0))
    return total


def six_n_params(arch: ModelArchitecture) -> int:
    r"""The $N$ of the $6N$ rule for a model: $N_\text{active}$, the weights one token multiplies by, without the
    token-embedding table (a lookup, no multiplications) and with the output head (a matrix product). For an MoE,
    the active experts only. The site's one convention (Notation page); Kaplan et al.'s rule counts the same way.

    Source: Kaplan et al., arXiv:2001.08361, Sec. 2.1 ("excluding embedding matrices"); DeepSeek-V3's "37B
    activated" is this count, 36.63B.

    Examples:
        >>> from calculators.model_config import architecture
        >>> llama = architecture({"vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336,
        ...     "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8})
        >>> six_n_params(llama)  # Llama 3.1 8B: 8.03B less its 0.53B embedding table
        7504924672
    """
    return parameter_counts(arch).active.without_embeddings


def model_training_flops_per_token(arch: ModelArchitecture, *, sequence_length: float) -> float:
    r"""Training FLOPs per token counted from a model's architecture, attention included:

    $$C_\text{token} = 3\,\big(2 N_\text{active} + C_\text{attn}(T/2)\big)$$

    with $C_\text{attn}$ the attention over the $T/2$ earlier tokens a token sees on average in a causal sequence
    of $T$ = `sequence_length` (less in windowed layers: `model_attention_flops_per_token`), and 3 for the forward
    and the twice-as-costly backward pass (`training_flops_per_token`). $6N$ is this without attention.

    Examples:
        >>> from calculators.model_config import architecture
        >>> llama = architecture({"vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336,
        ...     "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8})
        >>> round(model_training_flops_per_token(llama, sequence_length=8192) / six_n_flops_per_token(
        ...     params=six_n_params(llama)), 3)
        1.143
    """
    attention = model_attention_flops_per_token(arch, sequence_length=sequence_length)
    return training_flops_per_token(forward_flops=forward_flops_per_token(matmul_params=six_n_params(arch),
                                                                          attention_flops=attention))
