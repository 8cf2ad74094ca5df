r"""Mixture-of-Experts routing: top-k selection with node limits, load per expert, and DeepSeek-V3's
auxiliary-loss-free balancing, small enough to run on a page for a handful of tokens.

Notation (the Notation page): $E$ routed experts, $k$ experts per token, $s_{i,t}$ the affinity of token $t$ for
expert $i$, $b_i$ the balancing bias of expert $i$, $n_\text{group}$ groups (nodes) of which a token may use at most
$k_\text{group}$ (DeepSeek-V3's $M$).
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Sequence

__all__ = [
    "balancing_bias_update",
    "expert_combinations",
    "expert_loads",
    "mean_expert_load",
    "route_tokens",
    "sample_affinities",
]


def expert_combinations(*, experts: int, experts_per_token: int) -> int:
    r"""Distinct sets of experts a token can be sent to: $\binom{E}{k}$.

    DeepSeekMoE's case for fine-grained experts: splitting each of 16 experts into 4 (top-2 becomes top-8) raises
    the combinations from 120 to 4,426,165,368, so experts can specialise more narrowly.

    Source: DeepSeekMoE, arXiv:2401.06066, Sec. 3.1.

    Examples:
        >>> expert_combinations(experts=16, experts_per_token=2), expert_combinations(experts=64, experts_per_token=8)
        (120, 4426165368)
    """
    return math.comb(experts, experts_per_token)


_LOGISTIC_UNIT_VARIANCE = math.sqrt(3) / math.pi
r"""Scale of a logistic variable whose variance is 1 (a logistic of scale $s$ has variance $\pi^2 s^2 / 3$)."""


def sample_affinities(*, tokens: int, experts: int, skew: float, seed: int) -> list[list[float]]:
    r"""Affinities $s_{i,t} = \mathrm{sigmoid}(z_{i,t})$ of `tokens` tokens for `experts` experts, reproducible from
    `seed`.

    $z_{i,t} = \mu_i + \varepsilon_{i,t}$, with $\mu_i$ falling linearly from `skew` (expert 1) to $-$`skew`
    (expert $E$): a router that, untrained or unbalanced, prefers some experts. The noise $\varepsilon$ is logistic
    with unit variance (scale $s = \sqrt 3 / \pi$; close to a standard normal), because then the sigmoid needs no
    exponential per draw: with $u$ uniform on $(0, 1)$, $\varepsilon = s \ln\frac{u}{1-u}$ and

    $$\mathrm{sigmoid}(z_{i,t}) = \frac{1}{1 + e^{-\mu_i} \left(\frac{1-u}{u}\right)^{s}}$$

    The sigmoid is DeepSeek-V3's gating function (arXiv:2412.19437, Sec. 2.1.2, Eq. 15).

    Examples:
        >>> rows = sample_affinities(tokens=2, experts=4, skew=1.0, seed=1)
        >>> len(rows), len(rows[0]), all(0 < s < 1 for row in rows for s in row)
        (2, 4, True)
    """
    uniform = random.Random(seed).random
    s = _LOGISTIC_UNIT_VARIANCE
    scales = [math.exp(-skew * (1 - 2 * i / (experts - 1))) if experts > 1 else 1.0 for i in range(experts)]
    # ((1 - u) / u)^s written as (1/u - 1)^s; random() may return exactly 0.0, taken as 0.5
    return [[1 / (1 + c * (1 / (uniform() or 0.5) - 1) ** s) for c in scales] for _ in range(tokens)]


def route_tokens(*, affinities: Sequence[Sequence[float]], experts_per_token: int, groups: int = 1,
                 groups_per_token: int = 1, bias: Sequence[float] | None = None) -> list[tuple[int, ...]]:
    r"""The experts each token is sent to: the top $k$ of $s_{i,t} + b_i$, within its best $k_\text{group}$ of
    $n_\text{group}$ groups.

    A group's score is the sum of its two highest biased affinities; a token keeps the `groups_per_token` best groups
    and picks its $k$ experts among theirs (node-limited routing: experts are spread over nodes by group, so a
    token's traffic reaches at most $k_\text{group}$ nodes). The bias steers selection only; the gating weights that
    scale the experts' outputs use $s_{i,t}$ without it. Ties go to the lower-numbered expert or group.

    Source: DeepSeek-V3, arXiv:2412.19437, Sec. 2.1.2 (Eq. 16, bias for selection only; "Node-Limited Routing", at most
    4 nodes per token); group scores as in ``inference/model.py`` (``Gate``) of github.com/deepseek-ai/DeepSeek-V3.

    Examples:
        >>> route_tokens(affinities=[[0.9, 0.1, 0.8, 0.2]], experts_per_token=2)
        [(0, 2)]
        >>> route_tokens(affinities=[[0.9, 0.1, 0.8, 0.2]], experts_per_token=2, groups=2, groups_per_token=1)
        [(0, 1)]
    """
    experts = len(affinities[0]) if affinities else 0
    size = experts // groups if groups > 1 and groups_per_token < groups else 0
    routes = []
    for row in affinities:
        biased = list(map(operator.add, row, bias)) if bias else row
        # One sort per token, best first (a stable sort in reverse keeps the lower-numbered of equal values first).
        order = sorted(range(experts), key=biased.__getitem__, reverse=True)
        if size:
            # A group's score: its two best biased affinities, i.e. its first two experts in `order`.
            seen = [0] * groups
            scores = [0.0] * groups
            for i in order:
                g = i // size
                if seen[g] < 2:
                    seen[g] += 1
                    scores[g] += biased[i]
            allowed = set(sorted(range(groups), key=scores.__getitem__, reverse=True)[:groups_per_token])
            order = [i for i in order if i // size in allowed]
        routes.append(tuple(sorted(order[:experts_per_token])))
    return routes


def mean_expert_load(*, tokens: int, experts_per_token: int, experts: int) -> float:
    r"""Tokens each expert gets on average when `tokens` tokens each pick $k$ of $E$ experts: $T k / E$ (the load
    perfect balancing would give every expert).

    Examples:
        >>> mean_expert_load(tokens=64, experts_per_token=2, experts=16)
        8.0
    """
    return tokens * experts_per_token / experts


def expert_loads(*, routes: Sequence[Sequence[int]], experts: int) -> list[int]:
    """Tokens sent to each expert.

    Examples:
        >>> expert_loads(routes=[(0, 2), (0, 1)], experts=4)
        [2, 1, 1, 0]
    """
    loads = [0] * experts
    for route in routes:
        for i in route:
            loads[i] += 1
    return loads


def balancing_bias_update(*, bias: Sequence[float], loads: Sequence[int], update_speed: float) -> list[float]:
    r"""One step of auxiliary-loss-free balancing: $b_i \leftarrow b_i - \eta$ for an overloaded expert,
    $+\eta$ for an underloaded one (load compared with the mean), unchanged at the mean.

    Source: DeepSeek-V3, arXiv:2412.19437, Sec. 2.1.2 (the "bias update speed", which the paper writes $\gamma$;
    0.001 for most of V3's pre-training, Sec. 4.2); Wang et al., arXiv:2408.15664.

    Examples:
        >>> balancing_bias_update(bias=[0.0, 0.0, 0.0], loads=[4, 1, 1], update_speed=0.1)
        [-0.1, 0.1, 0.1]
    """
    mean = sum(loads) / len(loads)
    return [b - update_speed if load > mean else b + update_speed if load < mean else b
            for b, load in zip(bias, loads)]
