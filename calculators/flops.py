r"""Floating-point operations per token: the matrix multiplications a forward pass does, and training's 3x.

A multiply-add is 2 FLOPs. A token's forward pass multiplies by every weight it uses once, $2N$ (Kaplan et al.,
arXiv:2001.08361, Sec. 2.1), where $N$ counts the weights used in matrix products: the active parameters without
the token-embedding table, which is a lookup. Attention adds products with the cached keys and values that no
parameter count sees. Training adds the backward pass, twice the forward: $6N$ per token.
"""

from __future__ import annotations

__all__ = [
    "attention_flops_per_token",
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
