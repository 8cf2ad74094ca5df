r"""Group Relative Policy Optimization (GRPO): the group-relative advantage, the clipped surrogate, the KL estimate.

GRPO (Shao et al., DeepSeekMath, arXiv:2402.03300, Sec. 4.1) samples a *group* of $G$ answers $o_1, \dots, o_G$
to each question and scores them with rewards $r_1, \dots, r_G$. Each answer's advantage is its reward measured
against the others in its group, so no value model (critic) is needed to estimate a baseline. The objective keeps
PPO's clipped probability ratio (Schulman et al., arXiv:1707.06347) and adds a KL penalty towards a frozen
reference model, estimated per token.

Rewards and advantages are dimensionless; probabilities are in (0, 1]; the clip range $\varepsilon$ and the KL
coefficient $\beta$ are plain numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "clip_ratio",
    "clipped_surrogate",
    "group_advantages",
    "kl_k3_estimator",
    "reward_mean",
    "reward_std",
]


def reward_mean(rewards: Sequence[float]) -> float:
    r"""The group's mean reward: $\bar r = \frac{1}{G} \sum_{i=1}^{G} r_i$.

    Examples:
        >>> reward_mean([1, 0, 0, 1])
        0.5
    """
    return math.fsum(rewards) / len(rewards)


def reward_std(rewards: Sequence[float], *, sample: bool) -> float:
    r"""The group's standard deviation of rewards, population or sample:

    $$\sigma_\text{pop} = \sqrt{\frac{1}{G} \sum_i (r_i - \bar r)^2}, \qquad
      \sigma_\text{sample} = \sqrt{\frac{1}{G - 1} \sum_i (r_i - \bar r)^2}$$

    DeepSeekMath writes $\mathrm{std}(\mathbf{r})$ without saying which. Common implementations divide by
    $G - 1$ (`torch.std`'s default, used by Hugging Face TRL's `GRPOTrainer` and by verl). A group whose rewards
    are all equal has $\sigma = 0$ either way.

    Args:
        rewards: the $G \ge 2$ rewards of one group.
        sample: divide by $G - 1$ (sample) rather than $G$ (population).

    Examples:
        >>> reward_std([1, 0, 0, 1], sample=False)
        0.5
        >>> round(reward_std([1, 0, 0, 1], sample=True), 6)  # sqrt(1/3)
        0.57735
    """
    if max(rewards) == min(rewards):
        return 0.0
    mean = reward_mean(rewards)
    deviations = [r - mean for r in rewards]
    largest = max(abs(d) for d in deviations)  # scaled by the largest so that tiny rewards do not square to 0
    squares = math.fsum((d / largest) ** 2 for d in deviations)
    return largest * math.sqrt(squares / (len(rewards) - 1 if sample else len(rewards)))


def group_advantages(rewards: Sequence[float], *, scale_by_std: bool = True, sample_std: bool = False,
                     epsilon: float = 0.0) -> tuple[float, ...]:
    r"""Each answer's advantage against its group (DeepSeekMath, arXiv:2402.03300, Sec. 4.1.2, outcome
    supervision; every token of answer $i$ gets the same $\hat A_{i,t} = A_i$):

    $$A_i = \frac{r_i - \mathrm{mean}(\mathbf{r})}{\mathrm{std}(\mathbf{r}) + \zeta}
      \quad\text{or, without the scaling (Dr. GRPO, arXiv:2503.20783),}\quad A_i = r_i - \mathrm{mean}(\mathbf{r})$$

    $\zeta$ is not in the paper: implementations add it so that a group of equal rewards does not divide by
    zero (TRL: \(10^{-4}\); verl: \(10^{-6}\)). When every reward is equal, every advantage is 0 (returned exactly,
    whatever $\zeta$): the group carries no learning signal.

    Args:
        rewards: the $G \ge 2$ rewards of one group.
        scale_by_std: divide by the group's standard deviation (GRPO) or only subtract the mean (Dr. GRPO).
        sample_std: use the sample standard deviation ($G - 1$) rather than the population one ($G$).
        epsilon: $\zeta \ge 0$, added to the standard deviation.

    Returns:
        One advantage per answer, dimensionless, in the order of `rewards`.

    Examples:
        >>> group_advantages([1, 0, 0, 1])
        (1.0, -1.0, -1.0, 1.0)
        >>> [round(a, 4) for a in group_advantages([1, 0, 0, 1], sample_std=True)]
        [0.866, -0.866, -0.866, 0.866]
        >>> group_advantages([1, 0, 0, 1], scale_by_std=False)
        (0.5, -0.5, -0.5, 0.5)
        >>> group_advantages([1, 1, 1, 1], epsilon=0.0)
        (0.0, 0.0, 0.0, 0.0)
    """
    if max(rewards) == min(rewards):
        return tuple(0.0 for _ in rewards)
    if scale_by_std:
        # The ratio is unchanged when rewards and epsilon are multiplied by a power of two (exactly, in binary), so
        # compute at unit magnitude: subnormal rewards such as (0, 5e-324) would otherwise lose their mean.
        _, exponent = math.frexp(max(abs(r) for r in rewards))
        if not epsilon or math.frexp(epsilon)[1] - exponent < 1024:  # unless epsilon would overflow
            rewards = [math.ldexp(r, -exponent) for r in rewards]
            epsilon = math.ldexp(epsilon, -exponent)
    mean = reward_mean(rewards)
    scale = reward_std(rewards, sample=sample_std) + epsilon if scale_by_std else 1.0
    return tuple((r - mean) / scale for r in rewards)


def clip_ratio(*, ratio: float, clip_epsilon: float) -> float:
    r"""The probability ratio held inside the trust region: $\mathrm{clip}(\rho, 1 - \varepsilon, 1 + \varepsilon)$.

    Examples:
        >>> clip_ratio(ratio=1.3, clip_epsilon=0.2)
        1.2
    """
    return min(max(ratio, 1 - clip_epsilon), 1 + clip_epsilon)


def clipped_surrogate(*, ratio: float, advantage: float, clip_epsilon: float) -> float:
    r"""PPO's clipped surrogate for one token, which GRPO keeps (PPO, arXiv:1707.06347, Eq. 7; DeepSeekMath Eq. 3):

    $$\min\!\big(\rho A,\ \mathrm{clip}(\rho, 1 - \varepsilon, 1 + \varepsilon)\, A\big), \qquad
      \rho = \frac{\pi_\theta(o_t \mid q, o_{<t})}{\pi_{\theta_\text{old}}(o_t \mid q, o_{<t})}$$

    The minimum makes it pessimistic: a good answer ($A > 0$) gains nothing from raising its probability beyond
    $1 + \varepsilon$ times the old one, while a bad answer ($A < 0$) keeps its full penalty when its
    probability has grown.

    Args:
        ratio: $\rho > 0$, the new policy's probability of the token over the old policy's.
        advantage: $A$, the token's advantage.
        clip_epsilon: $\varepsilon > 0$, the clip range (0.2 in the PPO paper).

    Examples:
        >>> round(clipped_surrogate(ratio=1.3, advantage=1.0, clip_epsilon=0.2), 6)  # capped at 1.2
        1.2
        >>> round(clipped_surrogate(ratio=1.3, advantage=-1.0, clip_epsilon=0.2), 6)  # not capped
        -1.3
        >>> round(clipped_surrogate(ratio=0.7, advantage=-1.0, clip_epsilon=0.2), 6)  # capped at -0.8
        -0.8
    """
    return min(ratio * advantage, clip_ratio(ratio=ratio, clip_epsilon=clip_epsilon) * advantage)


def kl_k3_estimator(*, policy_prob: float, reference_prob: float) -> float:
    r"""GRPO's per-token estimate of the KL divergence from the reference model (DeepSeekMath, Eq. 4):

    $$\hat{\mathbb{D}}_\text{KL} = \frac{\pi_\text{ref}}{\pi_\theta} - \log \frac{\pi_\text{ref}}{\pi_\theta} - 1$$

    evaluated at the token sampled from $\pi_\theta$. It is the "k3" estimator of J. Schulman's note
    "Approximating KL divergence" (2020): unbiased for $\mathbb{D}_\text{KL}(\pi_\theta \,\|\, \pi_\text{ref})$ over
    tokens sampled from $\pi_\theta$, and never negative, since $x - \log x - 1 \ge 0$ with equality at $x = 1$.
    GRPO subtracts $\beta$ times it from the objective instead of folding a KL penalty into the reward.

    Args:
        policy_prob: $\pi_\theta$ of the token, in (0, 1].
        reference_prob: $\pi_\text{ref}$ of the same token, in (0, 1].

    Examples:
        >>> kl_k3_estimator(policy_prob=0.5, reference_prob=0.5)
        0.0
        >>> round(kl_k3_estimator(policy_prob=0.5, reference_prob=0.25), 6)  # 0.5 - log 0.5 - 1
        0.193147
    """
    x = reference_prob / policy_prob
    return x - math.log(x) - 1
