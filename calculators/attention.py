r"""KV-cache size for multi-head, grouped-query, multi-query and multi-head latent attention.

Notation (see the notation page): $L$ layers, $H$ attention heads ($n_h$ in the DeepSeek papers), $K$ key/value
heads (the GQA group count $n_g$), $d$ head dimension ($d_h$), $d_c$ the MLA latent (KV compression) rank and
$d_h^R$ the per-head dimension of MLA's decoupled RoPE key.

Element counts follow DeepSeek-V2 (arXiv:2405.04434), Sec. 2.1.4, Table 1, which measures the cache "by the number
of elements, regardless of the storage precision"; bytes come from multiplying by the bits each element is stored
in. Every quantity is per token: the cache grows linearly with the number of tokens kept.
"""

from __future__ import annotations

import math

from .formulas import formula

__all__ = [
    "cached_tokens",
    "context_that_fits",
    "equivalent_gqa_groups",
    "gqa_kv_elements_per_token_per_layer",
    "kv_cache_bytes",
    "kv_cache_bytes_per_token",
    "linear_attention_state_elements",
    "mha_kv_elements_per_token_per_layer",
    "mla_kv_elements_per_token_per_layer",
    "mqa_kv_elements_per_token_per_layer",
    "sequence_cache_bytes",
    "tokens_that_fit",
    "weight_bytes",
]


@formula(heads="H", head_dim="d")
def mha_kv_elements_per_token_per_layer(*, heads: int, head_dim: int) -> int:
    r"""Elements one layer caches per token under multi-head attention: a key and a value for every head.

    $$e_\text{MHA} = 2 H d$$

    Args:
        heads: attention heads $H$.
        head_dim: dimension of one head $d$.

    Returns:
        Elements per token per layer (a count, not bytes).

    Source: DeepSeek-V2, arXiv:2405.04434, Table 1 ("$2 n_h d_h l$", here per layer).

    Examples:
        >>> mha_kv_elements_per_token_per_layer(heads=128, head_dim=128)
        32768
    """
    return 2 * heads * head_dim


@formula(kv_heads="K", head_dim="d")
def gqa_kv_elements_per_token_per_layer(*, kv_heads: int, head_dim: int) -> int:
    r"""Elements one layer caches per token under grouped-query attention: a key and a value per KV head.

    $$e_\text{GQA} = 2 K d$$

    Args:
        kv_heads: key/value heads $K$, each shared by $H/K$ query heads.
        head_dim: dimension of one head $d$.

    Returns:
        Elements per token per layer.

    Source: DeepSeek-V2, arXiv:2405.04434, Table 1 ("$2 n_g d_h l$").

    Examples:
        >>> gqa_kv_elements_per_token_per_layer(kv_heads=8, head_dim=128)
        2048
    """
    return 2 * kv_heads * head_dim


@formula(head_dim="d")
def mqa_kv_elements_per_token_per_layer(*, head_dim: int) -> int:
    r"""Elements one layer caches per token under multi-query attention: one key and one value for all heads.

    $$e_\text{MQA} = 2 d$$

    Args:
        head_dim: dimension of one head $d$.

    Returns:
        Elements per token per layer.

    Source: DeepSeek-V2, arXiv:2405.04434, Table 1 ("$2 d_h l$").

    Examples:
        >>> mqa_kv_elements_per_token_per_layer(head_dim=128)
        256
    """
    return 2 * head_dim


@formula(kv_lora_rank="d_c", rope_head_dim="d_h^R")
def mla_kv_elements_per_token_per_layer(*, kv_lora_rank: int, rope_head_dim: int) -> int:
    r"""Elements one layer caches per token under multi-head latent attention.

    MLA caches the compressed latent $c^{KV}_t$ (dimension $d_c$) from which every head's key and value are
    reconstructed, plus one decoupled RoPE key $k^R_t$ (dimension $d_h^R$) shared by all heads:

    $$e_\text{MLA} = d_c + d_h^R$$

    Args:
        kv_lora_rank: latent (KV compression) dimension $d_c$; ``kv_lora_rank`` in a config.json.
        rope_head_dim: decoupled RoPE key dimension $d_h^R$; ``qk_rope_head_dim`` in a config.json.

    Returns:
        Elements per token per layer.

    Source: DeepSeek-V2, arXiv:2405.04434, Sec. 2.1.2-2.1.4 and Table 1 ("$(d_c + d_h^R) l$").

    Examples:
        >>> mla_kv_elements_per_token_per_layer(kv_lora_rank=512, rope_head_dim=64)
        576
    """
    return kv_lora_rank + rope_head_dim


@formula(elements_per_token_per_layer="e", layers="L", bits_per_element=r"\text{bits}")
def kv_cache_bytes_per_token(*, elements_per_token_per_layer: float, layers: int, bits_per_element: float) -> float:
    r"""Bytes of KV cache one token occupies across all layers.

    $$M_\text{token} = e \cdot L \cdot \frac{\text{bits}}{8}$$

    Args:
        elements_per_token_per_layer: $e$, from one of the ``*_kv_elements_per_token_per_layer`` functions.
        layers: $L$, the layers that keep a cache.
        bits_per_element: storage precision (16 for BF16, 8 for FP8; DeepSeek-V2 was served at about 6).

    Returns:
        Bytes per token (decimal bytes; 1 kB = 1000 B).

    Source: ISCA 2025 "Insights into DeepSeek-V3" (arXiv:2505.09343), Table 1: DeepSeek-V3 in BF16 caches
    $576 \times 61 \times 2 = 70{,}272$ bytes per token.

    Examples:
        >>> kv_cache_bytes_per_token(elements_per_token_per_layer=576, layers=61, bits_per_element=16)
        70272.0
    """
    return elements_per_token_per_layer * layers * bits_per_element / 8


@formula(bytes_per_token=r"M_\text{token}", context_tokens="T", batch_size="B")
def kv_cache_bytes(*, bytes_per_token: float, context_tokens: int, batch_size: int) -> float:
    r"""Bytes of KV cache for a batch of sequences, each holding `context_tokens` tokens.

    $$M_\text{KV} = M_\text{token} \cdot T \cdot B$$

    Linear in the context length $T$ and in the batch $B$: doubling either doubles the cache.

    Args:
        bytes_per_token: $M_\text{token}$ from `kv_cache_bytes_per_token`.
        context_tokens: $T$, tokens per sequence (prompt plus generated so far).
        batch_size: $B$, sequences held at once.

    Returns:
        Bytes.

    Examples:
        >>> kv_cache_bytes(bytes_per_token=70272, context_tokens=128_000, batch_size=1)
        8994816000.0
    """
    return float(bytes_per_token) * context_tokens * batch_size


@formula(elements_per_token_per_layer="e", head_dim="d")
def equivalent_gqa_groups(*, elements_per_token_per_layer: float, head_dim: int) -> float:
    r"""The KV heads (GQA groups, DeepSeek-V2's $n_g$) of a GQA that would cache as many elements per token.

    $$K_\text{eq} = \frac{e}{2 d}$$

    Args:
        elements_per_token_per_layer: $e$ of the attention being compared.
        head_dim: head dimension $d$ of the GQA it is compared with.

    Returns:
        Groups (a real number: MLA need not land on a whole group).

    Source: DeepSeek-V2, arXiv:2405.04434, Sec. 2.1.4: MLA's cache "is equal to GQA with only 2.25 groups"
    ($d_c = 4 d$, $d_h^R = d/2$, so $(4 + 0.5) d = 2 \times 2.25 \, d$).

    Examples:
        >>> equivalent_gqa_groups(elements_per_token_per_layer=576, head_dim=128)
        2.25
    """
    return elements_per_token_per_layer / (2 * head_dim)


@formula(params="N", bits_per_param=r"\text{bits}")
def weight_bytes(*, params: float, bits_per_param: float) -> float:
    r"""Bytes the weights occupy at a given precision.

    $$M_W = N \cdot \frac{\text{bits}}{8}$$

    Args:
        params: parameter count $N$ (all of them: every expert of an MoE must sit in memory).
        bits_per_param: 16 for BF16, 8 for FP8, 4 for 4-bit quantization (ignoring scale overhead).

    Returns:
        Bytes.

    Examples:
        >>> weight_bytes(params=671e9, bits_per_param=8)
        671000000000.0
    """
    return params * bits_per_param / 8


def tokens_that_fit(*, free_bytes: float, bytes_per_token: float) -> int:
    r"""Whole tokens of KV cache that fit in `free_bytes`.

    $$T_\text{max} = \left\lfloor \frac{M_\text{free}}{M_\text{token}} \right\rfloor$$

    Args:
        free_bytes: memory left for the cache (zero or less gives zero).
        bytes_per_token: $M_\text{token}$.

    Returns:
        Tokens, summed over all sequences.

    Examples:
        >>> tokens_that_fit(free_bytes=1e9, bytes_per_token=70272)
        14230
    """
    if free_bytes <= 0:
        return 0
    return int(free_bytes // bytes_per_token)


def cached_tokens(*, context_tokens: int, window: int = 0) -> int:
    r"""Tokens one layer keeps in its KV cache for a sequence of $T$ tokens: all of them, or at most its window.

    $$T_\text{kept} = \min(T, T_\text{win})$$

    A sliding-window layer needs only the last $T_\text{win}$ tokens' keys and values; a chunked layer (Llama 4)
    at most its chunk ($T_\text{win}$ is then the chunk). Past the window, the layer's cache stops growing.

    Source: Mistral 7B, arXiv:2310.06825, Sec. 2 ("Rolling Buffer Cache": a fixed cache of size $W$, our
    $T_\text{win}$).

    Examples:
        >>> cached_tokens(context_tokens=131072, window=128), cached_tokens(context_tokens=64, window=128)
        (128, 64)
        >>> cached_tokens(context_tokens=131072)
        131072
    """
    return min(context_tokens, window) if window else context_tokens


def linear_attention_state_elements(*, heads: int, key_head_dim: int, value_head_dim: int) -> int:
    r"""Elements of the state one linear-attention layer keeps per sequence, instead of a KV cache:

    $$H\, d_{qk}\, d_v$$

    a $d_{qk} \times d_v$ matrix per head, the same at any context length.

    Source: Katharopoulos et al., "Transformers are RNNs", arXiv:2006.16236, Sec. 3.4; MiniMax-01,
    arXiv:2501.08313, Sec. 2.2 (lightning attention).

    Examples:
        >>> linear_attention_state_elements(heads=64, key_head_dim=128, value_head_dim=128)  # MiniMax-M1
        1048576
    """
    return heads * key_head_dim * value_head_dim


def sequence_cache_bytes(*, context_tokens: float, bytes_per_token_full: float,
                         windowed: tuple[tuple[int, float], ...] = (), fixed_bytes: float = 0.0) -> float:
    r"""Bytes of cache one sequence of $T$ tokens holds, layer kind by layer kind:

    $$M_\text{seq} = M_\text{full}\, T + \sum_i M_i \min(T, T_{\text{win},i}) + M_\text{state}$$

    with $M_\text{full}$ the bytes a token adds in the layers without a window (`kv_cache_bytes_per_token` over
    them), $(T_{\text{win},i}, M_i)$ each windowed group's window and bytes per token (`cached_tokens`: the cache
    stops growing at the window), and $M_\text{state}$ the fixed state of linear-attention layers. With every layer
    full it is `kv_cache_bytes` of one sequence.

    Examples:
        >>> sequence_cache_bytes(context_tokens=131072, bytes_per_token_full=18 * 2048,
        ...                      windowed=((128, 18 * 2048),))  # gpt-oss-120b in BF16: 18 full, 18 of 128 tokens
        4836556800.0
        >>> sequence_cache_bytes(context_tokens=1000, bytes_per_token_full=70272) == kv_cache_bytes(
        ...     bytes_per_token=70272, context_tokens=1000, batch_size=1)
        True
    """
    return math.fsum((bytes_per_token_full * context_tokens,
                      *(per_token * cached_tokens(context_tokens=context_tokens, window=window)
                        for window, per_token in windowed),
                      fixed_bytes))


def context_that_fits(*, free_bytes: float, bytes_per_token_full: float, windowed: tuple[tuple[int, float], ...] = (),
                      fixed_bytes: float = 0.0, limit: int = 10**15) -> int | None:
    r"""The longest context $T$ of one sequence whose cache fits in `free_bytes`:

    $$\max T : \; M_\text{seq}(T) \le M_\text{free}$$

    with $M_\text{seq}$ of `sequence_cache_bytes` (the same arguments). None when every context fits (no layer grows
    without bound and the bounded ones fit); 0 when not even one token fits.

    Examples:
        >>> context_that_fits(free_bytes=1e9, bytes_per_token_full=70272)  # as tokens_that_fit
        14230
        >>> context_that_fits(free_bytes=1e9, bytes_per_token_full=0, windowed=((4096, 1e5),)) is None
        True
    """
    def size(tokens: int) -> float:
        return sequence_cache_bytes(context_tokens=tokens, bytes_per_token_full=bytes_per_token_full,
                                    windowed=windowed, fixed_bytes=fixed_bytes)

    if size(0) > free_bytes or size(1) > free_bytes:
        return 0
    if bytes_per_token_full <= 0:
        return None
    low, high = 1, limit
    while low < high:
        mid = (low + high + 1) // 2
        if size(mid) <= free_bytes:
            low = mid
        else:
            high = mid - 1
    return low
