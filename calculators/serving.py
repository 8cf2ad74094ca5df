r"""Serving: from a model and its hardware to tokens per second, and from there to dollars per million tokens.

A served request has two phases. **Prefill** reads the prompt: all its tokens go through the model at once, so
the weights are read once for thousands of tokens and the arithmetic decides the time (compute-bound).
**Decode** writes the answer one token per sequence per step: each step reads the weights the batch's tokens use
and every sequence's KV cache, for only $B$ new tokens, so memory bandwidth decides the time until the batch is
large (memory-bound). This module states both as rooflines, with the efficiencies (MBU, MFU) and a fixed per-step
overhead as inputs, and turns time into dollars.

Notation (the site's, see the notation page): $B$ sequences decoded together by one replica, $T$ tokens of
context each (prompt and answer so far), $n_\text{GPU}$ GPUs holding one replica, $E$ routed experts of which a
token uses $k$, $L$ layers that keep a KV cache ($L_\text{win}$ of them with a window of $T_\text{win}$ tokens) and
$L_\text{linear}$ linear-attention layers, $H$ heads, $N$ parameters ($N_\text{active}$ per token). $P$ is an
accelerator's peak dense FLOP/s, $\mathrm{BW}$ its memory bandwidth in bytes/s, $M_\text{GPU}$ its memory in
bytes; MBU and MFU are the fractions of $\mathrm{BW}$ and $P$ achieved; $\ell$ is a time in seconds
($\ell_\text{step}$ a decode step); $p_\text{GPU}$ a price in dollars per GPU-hour; $a$ the acceptance rate of a
speculative (MTP) draft token.

Sources: the roofline step time follows J. Austin et al., *How to Scale Your Model* (jax-ml scaling book,
2025), chapters "All about Transformer inference" and "GPUs"; DeepSeek's serving figures are from DeepSeek's
"Day 6" inference-system overview (github.com/deepseek-ai/open-infra-index, 2025-03-01) and the DeepSeek-V3
report (arXiv:2412.19437, Sec. 3.4 and 5.4.3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .attention import (kv_cache_bytes_per_token, linear_attention_state_elements, sequence_cache_bytes,
                        weight_bytes)
from .flops import (attended_tokens, causal_mean_attended_tokens, layered_attention_flops_per_token,
                    matmul_flops_per_token)
from .formulas import formula
from .memory import usable_memory_bytes
from .training import SECONDS_PER_HOUR

__all__ = [
    "SECONDS_PER_DAY",
    "DecodeStep",
    "Deployment",
    "Hardware",
    "MemoryPlan",
    "ServedModel",
    "average_busy_nodes",
    "compute_bound_batch",
    "compute_seconds",
    "cost_profit_margin",
    "decode_attention_flops_per_token",
    "decode_step",
    "decode_tokens_per_second_per_gpu",
    "expected_distinct_experts",
    "expert_tokens_per_gpu",
    "implied_utilization",
    "kv_bytes_per_sequence",
    "largest_batch",
    "measured_step_seconds",
    "memory_plan",
    "memory_seconds",
    "moe_compute_bound_batch",
    "per_user_tokens_per_second",
    "prefill_flops_per_token",
    "prefill_tokens_per_second_per_gpu",
    "step_seconds",
    "tokens_per_step",
    "usd_per_million_tokens",
]

SECONDS_PER_DAY = 86_400


# --- Mixture of Experts at serving time -------------------------------------------------------------------------


def expected_distinct_experts(*, experts: int, experts_per_token: int, tokens: float) -> float:
    r"""Expected number of distinct routed experts that `tokens` tokens touch in one MoE layer, each token choosing
    $k$ of the $E$ experts, routing taken as uniform and independent.

    $$E_\text{touched} = E \left(1 - \left(1 - \frac{k}{E}\right)^{B}\right)$$

    An expert is missed by one token with probability $1 - k/E$, by all $B$ with $(1 - k/E)^B$. One token reads
    $k$ experts; a batch of a few hundred reads nearly all of them, which is why all experts sit in memory but a
    small batch reads only a few. Real routing is skewed (some experts are popular), which touches fewer.

    Args:
        experts: routed experts per layer $E$.
        experts_per_token: experts each token uses $k$.
        tokens: tokens in the step $B$ (sequences times tokens per sequence).

    Returns:
        Experts, between $k$ (one token) and $E$.

    Source: the probability that an expert receives no token; DeepSeek's Day-6 overview ("only 8 out of 256
    experts per layer are activated").

    Examples:
        >>> round(expected_distinct_experts(experts=256, experts_per_token=8, tokens=1), 9)
        8.0
        >>> round(expected_distinct_experts(experts=256, experts_per_token=8, tokens=128), 1)
        251.6
    """
    if experts <= 0 or tokens <= 0:
        return 0.0
    if experts_per_token >= experts:
        return float(experts)
    return experts * (1 - _power(1 - experts_per_token / experts, tokens))


def _power(base: float, exponent: float) -> float:
    """`base` ** `exponent` by repeated squaring when the exponent is a whole number: only multiplications, which
    IEEE 754 rounds the same everywhere, where `pow`, `exp` and `log1p` may differ in their last bit between C
    libraries (CPython's and Pyodide's)."""
    if exponent != int(exponent) or exponent > 2**62:
        return base ** exponent
    result, n = 1.0, int(exponent)
    while n:
        if n & 1:
            result *= base
        base *= base
        n >>= 1
    return result


def expert_tokens_per_gpu(*, tokens: float, experts_per_token: int, gpus: int) -> float:
    r"""Token-expert pairs each GPU computes per step under expert parallelism, if the load is balanced.

    $$T_\text{expert} = \frac{B \, k}{n_\text{GPU}}$$

    With $E$ experts spread over $n_\text{GPU}$ GPUs ($E/n_\text{GPU}$ each, plus redundant copies of popular
    ones), each of the $B$ tokens of the step sends its hidden state to the GPUs of its $k$ experts.

    Examples:
        >>> expert_tokens_per_gpu(tokens=128 * 144, experts_per_token=8, gpus=144)  # DeepSeek decode, EP144
        1024.0
    """
    return tokens * experts_per_token / gpus


def compute_bound_batch(*, peak_flops_per_second: float, memory_bandwidth_bytes_per_s: float,
                        bytes_per_param: float) -> float:
    r"""Tokens per step above which a weight matrix's product turns from memory-bound to compute-bound.

    Multiplying $B$ tokens by a $D \times F$ matrix does $2 B D F$ FLOPs and reads $D F \cdot \text{bits}/8$ bytes
    of weights; it is compute-bound when its FLOPs per byte read, $16\,B/\text{bits}$, reach $P/\mathrm{BW}$:

    $$B^* = \frac{\text{bits}}{16} \cdot \frac{P}{\mathrm{BW}}$$

    Args:
        peak_flops_per_second: $P$ at the precision the product runs in.
        memory_bandwidth_bytes_per_s: $\mathrm{BW}$.
        bytes_per_param: bytes per weight, $\text{bits}/8$ (2 for BF16, 1 for FP8).

    Returns:
        Tokens per step (for one dense matrix).

    Source: scaling book, "All about Transformer inference": TPU v5e, BF16 weights, $1.97 \times 10^{14} /
    8.2 \times 10^{11} = 240$; int8 weights with BF16 arithmetic, 120.

    Examples:
        >>> round(compute_bound_batch(peak_flops_per_second=1.97e14, memory_bandwidth_bytes_per_s=8.2e11,
        ...                           bytes_per_param=2))
        240
        >>> round(compute_bound_batch(peak_flops_per_second=1978.9e12, memory_bandwidth_bytes_per_s=3.35e12,
        ...                           bytes_per_param=1))  # H800, FP8 weights and FP8 arithmetic
        295
    """
    return bytes_per_param / 2 * peak_flops_per_second / memory_bandwidth_bytes_per_s


def moe_compute_bound_batch(*, dense_batch: float, experts: int, experts_per_token: int) -> float:
    r"""Tokens per step above which an MoE layer's expert products turn compute-bound.

    Each expert sees only $k/E$ of the step's tokens, so the step needs $E/k$ times the dense threshold:

    $$B^*_\text{MoE} = B^* \cdot \frac{E}{k}$$

    Source: scaling book, "GPUs" chapter: for MoE the critical batch grows by $E/k$.

    Examples:
        >>> moe_compute_bound_batch(dense_batch=295, experts=256, experts_per_token=8)  # DeepSeek-V3 on H800
        9440.0
    """
    return dense_batch * experts / experts_per_token


# --- The decode step --------------------------------------------------------------------------------------------


def tokens_per_step(*, acceptance_rate: float, draft_tokens: int = 1) -> float:
    r"""Expected tokens a sequence gains per decode step with speculative decoding (MTP drafts).

    With $n_\text{draft}$ drafted tokens each accepted with probability $a$ (a draft is kept only if all before it
    were):

    $$T_\text{step} = \frac{1 - a^{n_\text{draft}+1}}{1 - a} = 1 + a \text{ for one draft token}$$

    Without drafts ($a = 0$) a step writes one token. DeepSeek-V3 drafts one token with its MTP module and
    reports an acceptance rate of 85% to 90%, and 1.8 times the tokens per second.

    Source: Leviathan et al., *Fast Inference from Transformers via Speculative Decoding*, ICML 2023, Eq. 1;
    DeepSeek-V3 report (arXiv:2412.19437), Sec. 5.4.3.

    Examples:
        >>> tokens_per_step(acceptance_rate=0.85)
        1.85
        >>> tokens_per_step(acceptance_rate=0.0)
        1.0
    """
    if draft_tokens == 1:
        return 1.0 + acceptance_rate
    if acceptance_rate >= 1:
        return float(draft_tokens + 1)
    return (1 - acceptance_rate ** (draft_tokens + 1)) / (1 - acceptance_rate)


def memory_seconds(*, bytes_read: float, memory_bandwidth_bytes_per_s: float, mbu: float) -> float:
    r"""Time to read `bytes_read` from memory at a fraction MBU of the bandwidth: $\ell_\text{mem} =
    \dfrac{\text{bytes}}{\mathrm{BW} \cdot \mathrm{MBU}}$.

    MBU (model bandwidth utilisation) is to memory what MFU is to arithmetic: the share of the datasheet
    bandwidth the step's reads achieve.

    Examples:
        >>> memory_seconds(bytes_read=3.35e9, memory_bandwidth_bytes_per_s=3.35e12, mbu=0.5)
        0.002
    """
    return bytes_read / (memory_bandwidth_bytes_per_s * mbu)


def compute_seconds(*, flops: float, peak_flops_per_second: float, mfu: float) -> float:
    r"""Time to do `flops` at a fraction MFU of the peak: $\ell_\text{compute} = \dfrac{C}{P \cdot \mathrm{MFU}}$.

    Examples:
        >>> compute_seconds(flops=989.4e12, peak_flops_per_second=989.4e12, mfu=0.5)
        2.0
    """
    return flops / (peak_flops_per_second * mfu)


@formula(memory_seconds=r"\ell_\text{mem}", compute_seconds=r"\ell_\text{compute}", overhead_seconds=r"\ell_0")
def step_seconds(*, memory_seconds: float, compute_seconds: float, overhead_seconds: float = 0.0) -> float:
    r"""One decode step: reading and computing overlap (the roofline), a fixed overhead does not.

    $$\ell_\text{step} = \max(\ell_\text{mem}, \ell_\text{compute}) + \ell_0$$

    The overlap is the roofline's assumption: a kernel streams weights while it multiplies, so the slower of the
    two sets the time. $\ell_0$ holds what neither term sees: kernel launches, synchronisation, the scheduler, and
    any communication not hidden behind computation.

    Source: scaling book, "All about Transformer inference" (step time as the larger of the memory and the
    compute time).

    Examples:
        >>> step_seconds(memory_seconds=0.020, compute_seconds=0.005, overhead_seconds=0.002)
        0.022
    """
    return max(memory_seconds, compute_seconds) + overhead_seconds


@formula(batch="B", tokens_per_step=r"T_\text{step}", step_seconds=r"\ell_\text{step}", gpus=r"n_\text{GPU}")
def decode_tokens_per_second_per_gpu(*, batch: float, tokens_per_step: float, step_seconds: float,
                                     gpus: int) -> float:
    r"""Output tokens per second per GPU of a replica decoding $B$ sequences: $\tau = \dfrac{B \,
    T_\text{step}}{\ell_\text{step} \, n_\text{GPU}}$.

    Examples:
        >>> decode_tokens_per_second_per_gpu(batch=256 * 72, tokens_per_step=1, step_seconds=0.1, gpus=72)
        2560.0
    """
    return batch * tokens_per_step / (step_seconds * gpus)


@formula(tokens_per_step=r"T_\text{step}", step_seconds=r"\ell_\text{step}")
def per_user_tokens_per_second(*, tokens_per_step: float, step_seconds: float) -> float:
    r"""Tokens per second one sequence sees (its reader's speed): $\tau_\text{user} = T_\text{step} /
    \ell_\text{step}$.

    Examples:
        >>> per_user_tokens_per_second(tokens_per_step=1.85, step_seconds=0.0925)
        20.0
    """
    return tokens_per_step / step_seconds


def largest_batch(*, free_bytes_per_gpu: float, kv_bytes_per_sequence: float, groups: int = 1,
                  kv_shards: int = 1) -> int:
    r"""The largest batch whose KV cache fits in the memory left after the weights.

    $$B_\text{max} = n_\text{DP} \left\lfloor \frac{M_\text{free} \cdot n_\text{shard}}{M_\text{seq}}
      \right\rfloor$$

    $M_\text{free}$ is one GPU's memory less its weights and a reserve (activations, buffers, fragmentation);
    $M_\text{seq}$ one sequence's cache (`kv_bytes_per_sequence`). When attention is data-parallel, each GPU keeps
    whole sequences: $n_\text{DP} = n_\text{GPU}$ groups, $n_\text{shard} = 1$. When attention is split by heads
    over the $n_\text{GPU}$ GPUs (tensor parallelism), one group, and each GPU holds $1/n_\text{shard}$ of every
    sequence's cache, $n_\text{shard} = \min(n_\text{GPU}, K)$: a cache with fewer KV heads than GPUs is copied
    (MLA's latent and MQA's single head cannot be split at all, $n_\text{shard} = 1$). With one GPU and one copy
    this is the plain $(M_\text{GPU} (1 - r_M) - M_W) / M_\text{seq}$.

    Examples:
        >>> largest_batch(free_bytes_per_gpu=30e9, kv_bytes_per_sequence=70272 * 4989, groups=144)
        12240
        >>> largest_batch(free_bytes_per_gpu=0, kv_bytes_per_sequence=1e6)
        0
    """
    if free_bytes_per_gpu <= 0:
        return 0
    return groups * int(free_bytes_per_gpu * kv_shards // kv_bytes_per_sequence)


# --- A model, a GPU, a deployment -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ServedModel:
    r"""What serving needs to know of a model.

    `total_params` $N$ are all the weights held in memory (every expert, the embedding table); `active_params`
    $N_\text{active}$ those one token multiplies by, without the embedding table (a lookup, not a product);
    `routed_expert_params` $N_\text{routed}$ all routed experts of all layers (zero for a dense model), of which a
    token uses $k/E$. `kv_elements_per_token_per_layer` is $e$ of `calculators.attention`; `kv_heads` how many
    parts the cache splits into by heads ($K$; 1 for MLA and MQA). The attention widths give the FLOPs per cached
    token: in decode MLA works on its latent ($d_c + d_h^R$ for queries and keys, $d_c$ for values, the
    up-projections absorbed), in prefill on full heads ($d_h + d_h^R$ and $d_v$).

    Layers by kind: `layers` $L$ are those that keep a KV cache; `window_layers` $L_\text{win}$ of them keep and
    attend to only the last `window_tokens` $T_\text{win}$ (a sliding window; a chunked layer, Llama 4's, is taken
    as a window of its chunk, which bounds it from above); `linear_layers` $L_\text{linear}$ more keep a fixed
    state of $H d^2$ elements per sequence instead (linear attention, MiniMax's lightning attention), with
    $d$ = `linear_head_dim`.
    """

    total_params: float
    active_params: float
    routed_expert_params: float = 0.0
    experts: int = 0
    experts_per_token: int = 0
    layers: int
    heads: int
    kv_elements_per_token_per_layer: float
    kv_heads: int
    decode_qk_dim: int
    decode_v_dim: int
    prefill_qk_dim: int
    prefill_v_dim: int
    window_layers: int = 0
    window_tokens: int = 0
    linear_layers: int = 0
    linear_head_dim: int = 0

    @property
    def is_moe(self) -> bool:
        return self.experts > 0 and self.routed_expert_params > 0

    @property
    def routed_active_params(self) -> float:
        """Routed-expert weights one token uses: $k/E$ of them."""
        return self.routed_expert_params * self.experts_per_token / self.experts if self.is_moe else 0.0

    @property
    def dense_active_params(self) -> float:
        """Weights every token uses (attention, dense and shared MLPs, router, output head)."""
        return self.active_params - self.routed_active_params

    @property
    def dense_params(self) -> float:
        """Weights outside the routed experts, held in memory (with the embedding table)."""
        return self.total_params - self.routed_expert_params


@dataclass(frozen=True, kw_only=True)
class Hardware:
    """One accelerator: peak dense FLOP/s at the precision the weight products run in, the peak the attention
    core (scores and weighted values) runs at (BF16 in DeepSeek's service; the same peak if not given), memory
    bandwidth and memory."""

    peak_flops_per_second: float
    memory_bandwidth_bytes_per_s: float
    memory_bytes: float
    attention_flops_per_second: float | None = None

    @property
    def attention_peak_flops_per_second(self) -> float:
        return self.attention_flops_per_second or self.peak_flops_per_second


@dataclass(frozen=True, kw_only=True)
class Deployment:
    r"""How one replica is laid out: `gpus` $n_\text{GPU}$; `data_parallel_attention` (each GPU holds every
    non-expert weight and whole sequences, as DeepSeek and SGLang serve DeepSeek-V3) or not (those weights and the
    attention heads split over the $n_\text{GPU}$ GPUs); routed experts always spread over the $n_\text{GPU}$ GPUs,
    with `redundant_experts` $E_\text{red}$ extra copies of popular ones per layer; weight and KV-cache precision
    ($\text{bits}$); `memory_reserve` $r_M$, the fraction of each GPU's memory kept for activations,
    buffers and fragmentation."""

    gpus: int
    data_parallel_attention: bool = False
    redundant_experts: int = 0
    weight_bits: float = 8.0
    kv_bits: float = 16.0
    memory_reserve: float = 0.1


@dataclass(frozen=True, kw_only=True)
class MemoryPlan:
    """One GPU's memory: weights held, the part free for the KV cache, the cache a token adds in every layer that
    keeps one (while the context is within every window), one sequence's cache, and the largest batch that fits."""

    weight_bytes_per_gpu: float
    free_bytes_per_gpu: float
    kv_bytes_per_token: float
    kv_bytes_per_sequence: float
    largest_batch: int

    @property
    def fits(self) -> bool:
        """Whether the weights leave room for at least one sequence."""
        return self.largest_batch >= 1


def _kv_shards(model: ServedModel, deployment: Deployment) -> int:
    return 1 if deployment.data_parallel_attention else max(1, min(deployment.gpus, model.kv_heads))


def kv_bytes_per_sequence(model: ServedModel, *, context_tokens: float, kv_bits: float) -> float:
    r"""Bytes of KV cache (and linear-attention state) one sequence of $T$ tokens holds, layer kind by layer kind:
    `calculators.attention.sequence_cache_bytes` with

    $$M_\text{full} = e\,(L - L_\text{win})\,\frac{\text{bits}}{8}, \qquad
      M_\text{win} = e\,L_\text{win}\,\frac{\text{bits}}{8}, \qquad
      M_\text{state} = L_\text{linear}\, H d^2\, \frac{\text{bits}}{8}$$

    (`kv_cache_bytes_per_token`, `linear_attention_state_elements`; the state in the cache's precision). With
    every layer full it is $M_\text{token} T$.

    Examples:
        >>> oss = ServedModel(total_params=116.8e9, active_params=5.1e9, layers=36, heads=64,
        ...     kv_elements_per_token_per_layer=1024, kv_heads=8, decode_qk_dim=64, decode_v_dim=64,
        ...     prefill_qk_dim=64, prefill_v_dim=64, window_layers=18, window_tokens=128)  # gpt-oss-120b
        >>> kv_bytes_per_sequence(oss, context_tokens=131072, kv_bits=16) / 1e9  # 9.66 GB if every layer were full
        4.8365568
    """
    full = kv_cache_bytes_per_token(elements_per_token_per_layer=model.kv_elements_per_token_per_layer,
                                    layers=model.layers - model.window_layers, bits_per_element=kv_bits)
    windowed = ((model.window_tokens, kv_cache_bytes_per_token(
        elements_per_token_per_layer=model.kv_elements_per_token_per_layer, layers=model.window_layers,
        bits_per_element=kv_bits)),) if model.window_layers else ()
    state = model.linear_layers * linear_attention_state_elements(
        heads=model.heads, key_head_dim=model.linear_head_dim, value_head_dim=model.linear_head_dim) * kv_bits / 8
    return sequence_cache_bytes(context_tokens=context_tokens, bytes_per_token_full=full, windowed=windowed,
                                fixed_bytes=state)


def _attention_flops(model: ServedModel, *, qk_dim: int, v_dim: int, full_tokens: float,
                     window_tokens: float) -> float:
    layers = ((model.layers - model.window_layers, full_tokens),)
    if model.window_layers:
        layers += ((model.window_layers, window_tokens),)
    return layered_attention_flops_per_token(heads=model.heads, qk_head_dim=qk_dim, v_head_dim=v_dim,
                                             layers_attending=layers, linear_layers=model.linear_layers,
                                             linear_head_dim=model.linear_head_dim)


def decode_attention_flops_per_token(model: ServedModel, *, context_tokens: float) -> float:
    r"""Attention FLOPs of one decoded token at $T$ tokens of context: `layered_attention_flops_per_token` with
    full layers attending to $T$ tokens, windowed ones to $\min(T, T_\text{win})$ (`attended_tokens`), linear
    ones to their state, at the decode widths (MLA on its latent).

    Examples:
        >>> oss = ServedModel(total_params=116.8e9, active_params=5.1e9, layers=36, heads=64,
        ...     kv_elements_per_token_per_layer=1024, kv_heads=8, decode_qk_dim=64, decode_v_dim=64,
        ...     prefill_qk_dim=64, prefill_v_dim=64, window_layers=18, window_tokens=128)
        >>> decode_attention_flops_per_token(oss, context_tokens=131072)  # 2·18·64·128·(131072 + 128)
        38692454400.0
    """
    return _attention_flops(model, qk_dim=model.decode_qk_dim, v_dim=model.decode_v_dim, full_tokens=context_tokens,
                            window_tokens=attended_tokens(context_tokens=context_tokens, window=model.window_tokens))


def memory_plan(model: ServedModel, hardware: Hardware, deployment: Deployment, *, context_tokens: float) -> MemoryPlan:
    r"""Weights per GPU and the largest batch of `context_tokens`-token sequences whose cache fits beside them.

    $$M_W = \frac{N - N_\text{routed}}{n_\text{TP}} \cdot \frac{\text{bits}}{8}
      + \frac{N_\text{routed}}{n_\text{GPU}} \cdot \frac{E + E_\text{red}}{E} \cdot \frac{\text{bits}}{8}$$

    with $n_\text{TP} = 1$ when attention is data-parallel (every GPU a full copy of the non-expert weights) and
    $n_\text{TP} = n_\text{GPU}$ when they are split; $E_\text{red}$ redundant experts per layer. Free memory is
    $M_\text{free} = M_\text{GPU} (1 - r_M) - M_W$; one sequence's cache is `kv_bytes_per_sequence`
    (windowed and linear layers included) and the batch follows from `largest_batch`.

    Examples:
        >>> v3 = ServedModel(total_params=671e9, active_params=36.6e9, routed_expert_params=653.9e9, experts=256,
        ...     experts_per_token=8, layers=61, heads=128, kv_elements_per_token_per_layer=576, kv_heads=1,
        ...     decode_qk_dim=576, decode_v_dim=512, prefill_qk_dim=192, prefill_v_dim=128)
        >>> h800 = Hardware(peak_flops_per_second=1978.9e12, memory_bandwidth_bytes_per_s=3.35e12, memory_bytes=80e9)
        >>> plan = memory_plan(v3, h800, Deployment(gpus=144, data_parallel_attention=True, redundant_experts=32),
        ...                    context_tokens=4989)
        >>> round(plan.weight_bytes_per_gpu / 1e9, 1), plan.largest_batch
        (22.2, 20448)
    """
    bytes_per_weight = deployment.weight_bits / 8
    copies = 1 if deployment.data_parallel_attention else deployment.gpus
    dense = weight_bytes(params=model.dense_params, bits_per_param=deployment.weight_bits) / copies
    experts = 0.0
    if model.is_moe:
        experts = model.routed_expert_params * bytes_per_weight * (model.experts + deployment.redundant_experts) \
            / model.experts / deployment.gpus
    held = dense + experts
    free = usable_memory_bytes(memory_bytes=hardware.memory_bytes, reserve_fraction=deployment.memory_reserve) - held
    per_token = kv_cache_bytes_per_token(elements_per_token_per_layer=model.kv_elements_per_token_per_layer,
                                         layers=model.layers, bits_per_element=deployment.kv_bits)
    per_sequence = kv_bytes_per_sequence(model, context_tokens=context_tokens, kv_bits=deployment.kv_bits)
    groups = deployment.gpus if deployment.data_parallel_attention else 1
    batch = largest_batch(free_bytes_per_gpu=free, kv_bytes_per_sequence=per_sequence, groups=groups,
                          kv_shards=_kv_shards(model, deployment))
    return MemoryPlan(weight_bytes_per_gpu=held, free_bytes_per_gpu=free, kv_bytes_per_token=per_token,
                      kv_bytes_per_sequence=per_sequence, largest_batch=batch)


@dataclass(frozen=True, kw_only=True)
class DecodeStep:
    """One decode step on the busiest GPU of a replica, by part: bytes read (weights, KV cache), FLOPs, the time
    each takes, the step, and what it yields."""

    weight_bytes_read: float
    kv_bytes_read: float
    matmul_flops: float
    attention_flops: float
    weight_seconds: float
    kv_seconds: float
    compute_seconds: float
    step_seconds: float
    tokens_per_step: float
    distinct_experts: float
    tokens_per_second_per_gpu: float
    per_user_tokens_per_second: float

    @property
    def flops(self) -> float:
        return self.matmul_flops + self.attention_flops

    @property
    def memory_seconds(self) -> float:
        return self.weight_seconds + self.kv_seconds

    @property
    def memory_bound(self) -> bool:
        return self.memory_seconds >= self.compute_seconds


def decode_step(model: ServedModel, hardware: Hardware, deployment: Deployment, *, batch: int,
                context_tokens: float, acceptance_rate: float = 0.0, mbu: float = 1.0, mfu: float = 1.0,
                overhead_seconds: float = 0.0) -> DecodeStep:
    r"""A decode step of `batch` sequences at `context_tokens` tokens of context, on the busiest GPU.

    Per GPU, with $1 + n_\text{draft}$ tokens run per sequence (2 with one MTP draft, else 1), $B_\text{GPU}$ the
    sequences whose attention a GPU runs ($\lceil B/n_\text{GPU} \rceil$ when attention is data-parallel, else
    $B/n_\text{GPU}$ split by heads), $N_\text{dense}$ the weights every token uses ($N_\text{active}$ less its
    $k/E$ share of $N_\text{routed}$) and $\text{bits}/8$ bytes per weight:

    $$\text{weights read} = \left(\frac{N_\text{dense}}{n_\text{TP}} + \frac{N_\text{routed}}{n_\text{GPU}}
      \cdot\frac{E+E_\text{red}}{E}\cdot \frac{E_\text{touched}(B (1 + n_\text{draft}))}{E}\right)
      \frac{\text{bits}}{8}$$

    $$C_\text{matmul} = (1 + n_\text{draft}) \left(B_\text{GPU}\, 2 N_\text{dense} + \frac{B}{n_\text{GPU}}\,
      2 N_\text{routed} \frac{k}{E}\right), \qquad C_\text{attn} = B_\text{GPU}\, (1 + n_\text{draft})\,
      C_\text{attn}(T)$$

    The KV read is $B_\text{GPU} M_\text{seq}(T)$ under data-parallel attention and $B\, M_\text{seq}(T) /
    n_\text{shard}$ split by heads (`largest_batch`), with $M_\text{seq}$ of `kv_bytes_per_sequence` and
    $C_\text{attn}(T)$ of `decode_attention_flops_per_token`: windowed layers read and attend to at most
    $T_\text{win}$ tokens, linear layers their state. Then `memory_seconds` (weights and KV at MBU),
    `compute_seconds` (products at the weights' peak, attention at the attention peak $P_\text{attn}$, both at
    MFU, one after the other) and `step_seconds` (the larger, plus the overhead). Each GPU reads the experts its
    tokens touch (`expected_distinct_experts`; a redundant copy is read as often as its original). Left out:
    communication between GPUs (dispatch and combine of expert parallelism, all-reduce of tensor parallelism)
    unless put in the overhead, load imbalance, and the MTP module's own weights and FLOPs (one more layer, under
    2% of DeepSeek-V3's).

    Examples:
        >>> llama70 = ServedModel(total_params=70.6e9, active_params=69.5e9, layers=80, heads=64,
        ...     kv_elements_per_token_per_layer=2048, kv_heads=8, decode_qk_dim=128, decode_v_dim=128,
        ...     prefill_qk_dim=128, prefill_v_dim=128)
        >>> h100 = Hardware(peak_flops_per_second=989.4e12, memory_bandwidth_bytes_per_s=3.35e12, memory_bytes=80e9)
        >>> step = decode_step(llama70, h100, Deployment(gpus=8, weight_bits=16), batch=1, context_tokens=1000)
        >>> round(step.step_seconds * 1000, 2), round(step.per_user_tokens_per_second)  # one user, 8 x H100, BF16
        (5.2, 192)
    """
    gpus = deployment.gpus
    verified = 2 if acceptance_rate > 0 else 1
    tau = tokens_per_step(acceptance_rate=acceptance_rate)
    copies = 1 if deployment.data_parallel_attention else gpus
    attention_batch = math.ceil(batch / gpus) if deployment.data_parallel_attention else batch / gpus
    dense = weight_bytes(params=model.dense_active_params, bits_per_param=deployment.weight_bits) / copies
    distinct = 0.0
    experts = 0.0
    if model.is_moe:
        distinct = expected_distinct_experts(experts=model.experts, experts_per_token=model.experts_per_token,
                                             tokens=batch * verified)
        experts = weight_bytes(params=model.routed_expert_params, bits_per_param=deployment.weight_bits) / gpus \
            * (model.experts + deployment.redundant_experts) / model.experts * distinct / model.experts
    kv_sequences = attention_batch if deployment.data_parallel_attention else batch / _kv_shards(model, deployment)
    kv = kv_bytes_per_sequence(model, context_tokens=context_tokens, kv_bits=deployment.kv_bits) * kv_sequences
    attention = decode_attention_flops_per_token(model, context_tokens=context_tokens)
    matmul = attention_batch * verified * matmul_flops_per_token(matmul_params=model.dense_active_params) \
        + batch * verified / gpus * matmul_flops_per_token(matmul_params=model.routed_active_params)
    attention *= attention_batch * verified
    bandwidth = hardware.memory_bandwidth_bytes_per_s
    t_weights = memory_seconds(bytes_read=dense + experts, memory_bandwidth_bytes_per_s=bandwidth, mbu=mbu)
    t_kv = memory_seconds(bytes_read=kv, memory_bandwidth_bytes_per_s=bandwidth, mbu=mbu)
    t_compute = compute_seconds(flops=matmul, peak_flops_per_second=hardware.peak_flops_per_second, mfu=mfu) \
        + compute_seconds(flops=attention, peak_flops_per_second=hardware.attention_peak_flops_per_second, mfu=mfu)
    t_step = step_seconds(memory_seconds=t_weights + t_kv, compute_seconds=t_compute, overhead_seconds=overhead_seconds)
    return DecodeStep(
        weight_bytes_read=dense + experts,
        kv_bytes_read=kv,
        matmul_flops=matmul,
        attention_flops=attention,
        weight_seconds=t_weights,
        kv_seconds=t_kv,
        compute_seconds=t_compute,
        step_seconds=t_step,
        tokens_per_step=tau,
        distinct_experts=distinct,
        tokens_per_second_per_gpu=decode_tokens_per_second_per_gpu(batch=batch, tokens_per_step=tau,
                                                                   step_seconds=t_step, gpus=gpus),
        per_user_tokens_per_second=per_user_tokens_per_second(tokens_per_step=tau, step_seconds=t_step),
    )


# --- Prefill ----------------------------------------------------------------------------------------------------


def prefill_flops_per_token(model: ServedModel, *, prompt_tokens: float) -> tuple[float, float]:
    r"""Forward FLOPs per prompt token, weight products and attention apart: $2 N_\text{active}$ and
    $C_\text{attn}(T_p / 2)$.

    Under the causal mask a prompt of $T_p$ tokens attends on average to $T_p/2$ earlier tokens, a windowed layer
    to $T_\text{win} - T_\text{win}^2 / 2T_p$ once the prompt is longer than its window
    (`causal_mean_attended_tokens`; for a chunked layer an upper bound); `layered_attention_flops_per_token` adds
    the layers up. MLA in prefill uses full heads (`ServedModel`). A cached token costs none of it.

    Examples:
        >>> v3 = ServedModel(total_params=671e9, active_params=36.6e9, layers=61, heads=128,
        ...     kv_elements_per_token_per_layer=576, kv_heads=1, decode_qk_dim=576, decode_v_dim=512,
        ...     prefill_qk_dim=192, prefill_v_dim=128)
        >>> [round(f / 1e9, 1) for f in prefill_flops_per_token(v3, prompt_tokens=4096)]
        [73.2, 10.2]
    """
    attention = _attention_flops(
        model, qk_dim=model.prefill_qk_dim, v_dim=model.prefill_v_dim,
        full_tokens=causal_mean_attended_tokens(sequence_length=prompt_tokens),
        window_tokens=causal_mean_attended_tokens(sequence_length=prompt_tokens, window=model.window_tokens))
    return matmul_flops_per_token(matmul_params=model.active_params), attention


@formula(matmul_flops_per_token=r"C_\text{matmul}", attention_flops_per_token=r"C_\text{attn}",
         peak_flops_per_second="P", attention_peak_flops_per_second=r"P_\text{attn}", mfu=r"\mathrm{MFU}")
def prefill_tokens_per_second_per_gpu(*, matmul_flops_per_token: float, attention_flops_per_token: float,
                                      peak_flops_per_second: float, attention_peak_flops_per_second: float,
                                      mfu: float) -> float:
    r"""Prompt tokens per second per GPU when prefill is compute-bound: weight products at their peak $P$,
    attention at its peak $P_\text{attn}$, both at MFU.

    $$\text{tokens/s} = \frac{\mathrm{MFU}}{C_\text{matmul}/P + C_\text{attn}/P_\text{attn}}$$

    Prefill multiplies thousands of tokens by each weight it reads, far above `compute_bound_batch`, so the
    arithmetic sets its speed.

    Examples:
        >>> round(prefill_tokens_per_second_per_gpu(matmul_flops_per_token=73.2e9, attention_flops_per_token=10.2e9,
        ...     peak_flops_per_second=1978.9e12, attention_peak_flops_per_second=989.4e12, mfu=0.4))
        8457
    """
    return mfu / (matmul_flops_per_token / peak_flops_per_second
                  + attention_flops_per_token / attention_peak_flops_per_second)


# --- Dollars ----------------------------------------------------------------------------------------------------


@formula(usd_per_gpu_hour=r"p_\text{GPU}", gpus=r"n_\text{GPU}", tokens_per_second=r"\tau_\text{all}")
def usd_per_million_tokens(*, usd_per_gpu_hour: float, gpus: float, tokens_per_second: float) -> float:
    r"""Dollars per million tokens produced by `gpus` GPUs rented at $p_\text{GPU}$ per GPU-hour: what the tokens
    cost to make, per million.

    $$p = \frac{p_\text{GPU} \cdot n_\text{GPU}}{3600 \cdot \tau_\text{all}} \cdot 10^6
      = \frac{p_\text{GPU}}{3600\, \tau} \cdot 10^6$$

    with $\tau_\text{all}$ the tokens per second of the $n_\text{GPU}$ GPUs together and $\tau$ those of one GPU;
    $p$ is $p_\text{in}$ from prefill's throughput, $p_\text{out}$ from decode's.

    Source: the same arithmetic as llm-analysis's cost per 1k tokens (github.com/cli99/llm-analysis,
    ``analysis.py``), per million.

    Examples:
        >>> round(usd_per_million_tokens(usd_per_gpu_hour=2, gpus=8, tokens_per_second=22_282), 4)  # SGLang: "$0.20"
        0.1995
    """
    return usd_per_gpu_hour * gpus / (SECONDS_PER_HOUR * tokens_per_second) * 1e6


@formula(revenue_usd=r"\text{USD}_\text{revenue}", cost_usd=r"\text{USD}_\text{cost}")
def cost_profit_margin(*, revenue_usd: float, cost_usd: float) -> float:
    r"""DeepSeek's "cost profit margin": profit over cost, $\text{margin} = (\text{USD}_\text{revenue} -
    \text{USD}_\text{cost}) / \text{USD}_\text{cost}$ (a fraction; 5.45 is 545%).

    Examples:
        >>> round(cost_profit_margin(revenue_usd=562_027, cost_usd=87_072), 4)  # Day 6: "545%"
        5.4547
    """
    return (revenue_usd - cost_usd) / cost_usd


def average_busy_nodes(*, tokens: float, tokens_per_second_per_node: float, seconds: float = SECONDS_PER_DAY) -> float:
    r"""Nodes kept busy on average to process `tokens` in `seconds` at a per-node throughput:
    $\text{nodes} = \dfrac{\text{tokens}}{\text{tokens/s per node} \cdot \text{seconds}}$.

    Examples:
        >>> round(average_busy_nodes(tokens=168e9, tokens_per_second_per_node=14_800), 1)  # Day 6 decode
        131.4
    """
    return tokens / (tokens_per_second_per_node * seconds)


# --- Implied efficiency -----------------------------------------------------------------------------------------


def measured_step_seconds(*, batch: float, tokens_per_step: float, tokens_per_second_per_gpu: float,
                          gpus: int) -> float:
    r"""The step time a measured throughput implies for a known batch: $\ell_\text{measured} = \dfrac{B\,
    T_\text{step}}{n_\text{GPU}\, \tau}$, $\tau$ the measured tokens per second per GPU (the inverse of
    `decode_tokens_per_second_per_gpu`).

    Examples:
        >>> round(measured_step_seconds(batch=256 * 72, tokens_per_step=1, tokens_per_second_per_gpu=22_282 / 8,
        ...                             gpus=72), 4)
        0.0919
    """
    return batch * tokens_per_step / (gpus * tokens_per_second_per_gpu)


def implied_utilization(*, ideal_seconds: float, measured_seconds: float) -> float:
    r"""The efficiency a measurement implies: the time the work would take at 100% over the time it took.

    $$\mathrm{MBU} = \frac{\ell_\text{mem}(\mathrm{MBU}=1)}{\ell_\text{measured}}, \qquad
      \mathrm{MFU} = \frac{\ell_\text{compute}(\mathrm{MFU}=1)}{\ell_\text{measured}}$$

    As training's implied MFU, it folds in everything the model leaves out (communication, scheduling, load
    imbalance, idle time); it sets the model against a deployment without tuning the model to it.

    Examples:
        >>> round(implied_utilization(ideal_seconds=0.02, measured_seconds=0.1), 9)
        0.2
    """
    return ideal_seconds / measured_seconds
