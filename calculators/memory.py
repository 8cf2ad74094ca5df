r"""Accelerator memory: the share left for a model's state once a reserve is kept, and how many accelerators a
state needs.

Memory is in bytes; the reserve is a fraction of each accelerator's memory, in $[0, 1)$, kept for what the state
does not count (activations, the KV cache, fragmentation, the framework's own buffers).
"""

from __future__ import annotations

import math

__all__ = ["accelerators_to_hold", "usable_memory_bytes"]


def usable_memory_bytes(*, memory_bytes: float, reserve_fraction: float) -> float:
    r"""Memory of one accelerator left for a model's state, bytes: $M_\text{usable} = M_\text{GPU} (1 - r_M)$,
    with $r_M$ the reserve fraction.

    Examples:
        >>> usable_memory_bytes(memory_bytes=80e9, reserve_fraction=0.1)
        72000000000.0
    """
    return memory_bytes * (1 - reserve_fraction)


def accelerators_to_hold(*, state_bytes: float, usable_bytes_per_accelerator: float) -> int:
    r"""Accelerators whose usable memory holds `state_bytes`, spread evenly:
    $\left\lceil M_\text{state} / M_\text{usable} \right\rceil$ (at least one).

    A floor: sharding is rarely perfectly even, and parallelism schemes replicate some state.

    Examples:
        >>> accelerators_to_hold(state_bytes=1.342e12, usable_bytes_per_accelerator=72e9)  # V3's FP8 weights, 80 GB
        19
    """
    return max(1, math.ceil(state_bytes / usable_bytes_per_accelerator))
