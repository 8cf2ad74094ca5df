r"""What a reinforcement-learning step costs: the models PPO and GRPO keep in memory, and the FLOPs of a step.

One RL step samples $S$ answers (prompts $\times$ group size $G$) of $T_r$ tokens each after prompts of $T_p$
tokens, scores them, and trains the policy on them. The parts, per step, for a policy of $N_\text{active}$ active
parameters (without the token-embedding table, the $N$ of the $6N$ rule):

| Part | FLOPs | Who |
| --- | --- | --- |
| Generation (rollout) | $2 N_\text{active} \cdot S T_r$ | policy, forward only, token by token |
| Reference scoring | $2 N_\text{active} \cdot S (T_p + T_r)$ | frozen reference model, one forward pass |
| Reward scoring | $2 N_\text{rm} \cdot S (T_p + T_r)$ | a reward model; 0 for rule-based rewards |
| Value model | $(2 + 6 n_\text{ep})\, N_v \cdot S (T_p + T_r)$ | PPO's critic: a forward pass for the values, then training |
| Policy training | $6 n_\text{ep} N_\text{active} \cdot S (T_p + T_r)$ | forward and backward, $n_\text{ep}$ passes over the batch |

$2N$ per token is the matrix-multiply count of `calculators.flops` (attention over the context left out, so long
answers cost more than this says); prefilling the prompt during generation is left out too (the group shares it).
FLOPs are operations; memory is in bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import flops, training

__all__ = [
    "ModelStateBytes",
    "RLStepParts",
    "gpu_hours_for_tokens",
    "model_state_bytes",
    "rl_step_flops",
    "rl_step_gpu_hours",
    "rollout_tokens",
    "tokens_per_second_per_gpu",
]


@dataclass(frozen=True, kw_only=True)
class ModelStateBytes:
    """The memory one model of an RL setup holds, bytes: its weights, and, if it is trained, its gradients and
    optimizer state (master weights and Adam's two moments). Activations and the KV cache are not included."""

    weights: float
    gradients: float
    optimizer: float

    @property
    def total(self) -> float:
        return self.weights + self.gradients + self.optimizer


def model_state_bytes(*, params: float, state: training.TrainingStateBytes, trained: bool) -> ModelStateBytes:
    r"""Memory of one model, bytes: $N M_\text{param}$ if trained (the whole training state of
    `calculators.training.training_state_bytes_per_param`), $N M_\text{work}$ (its working weights) if frozen.

    A trained model (PPO's policy and value model, GRPO's policy) keeps the whole training state of
    `calculators.training.training_state_bytes_per_param`; a frozen one (the reference model, a reward model) only
    its working weights.

    Args:
        params: all the model's parameters, $N$ (an MoE's total, not its active count).
        state: bytes per parameter of the training recipe.
        trained: whether the model is trained in the RL loop.

    Examples:
        >>> bf16_adam = training.training_state_bytes_per_param(weight_bytes=2, master_bytes=4, gradient_bytes=2,
        ...                                                     moment_bytes=4)
        >>> model_state_bytes(params=7e9, state=bf16_adam, trained=True).total / 1e9  # 16 bytes a parameter
        112.0
        >>> model_state_bytes(params=7e9, state=bf16_adam, trained=False).total / 1e9  # BF16 weights only
        14.0
    """
    if not trained:
        return ModelStateBytes(weights=params * state.weights, gradients=0.0, optimizer=0.0)
    return ModelStateBytes(weights=params * state.weights, gradients=params * state.gradients,
                           optimizer=params * (state.master + state.moments))


def rollout_tokens(*, prompts: float, group_size: float, response_tokens: float) -> float:
    r"""Tokens generated in one step: $S T_r$ with $S = $ prompts $\times G$ answers.

    Examples:
        >>> rollout_tokens(prompts=32, group_size=16, response_tokens=4000)  # DeepSeek-R1-Zero: 512 answers a step
        2048000
    """
    return prompts * group_size * response_tokens


@dataclass(frozen=True, kw_only=True)
class RLStepParts:
    """One RL step (or run) by part, in FLOPs or in GPU-hours (see the module's table); `.total` adds them up."""

    generation: float
    policy_training: float
    reference_scoring: float
    reward_scoring: float
    value_model: float

    @property
    def total(self) -> float:
        return self.generation + self.policy_training + self.reference_scoring + self.reward_scoring + self.value_model

    @property
    def scoring_and_training(self) -> float:
        """Everything but generation: the compute-bound passes over whole sequences."""
        return self.total - self.generation

    def scaled(self, factor: float) -> RLStepParts:
        """Every part times `factor` (a step's parts times the number of steps gives a run's)."""
        return RLStepParts(generation=self.generation * factor, policy_training=self.policy_training * factor,
                           reference_scoring=self.reference_scoring * factor,
                           reward_scoring=self.reward_scoring * factor, value_model=self.value_model * factor)


def rl_step_flops(*, policy_active_params: float, answers: float, prompt_tokens: float, response_tokens: float,
                  inner_epochs: float = 1, reward_active_params: float = 0.0,
                  value_active_params: float = 0.0) -> RLStepParts:
    r"""FLOPs of one RL step, by part ($S$ = `answers`, $T_p$ = `prompt_tokens`, $T_r$ = `response_tokens`):

    $$C = \underbrace{2 N_\text{active} S T_r}_\text{generation} + \underbrace{2 N_\text{active} S (T_p + T_r)}_\text{reference}
      + \underbrace{2 N_\text{rm} S (T_p + T_r)}_\text{reward model} + \underbrace{(2 + 6 n_\text{ep}) N_v S (T_p + T_r)}_\text{value model}
      + \underbrace{6 n_\text{ep} N_\text{active} S (T_p + T_r)}_\text{policy training}$$

    GRPO is $N_v = 0$; rule-based rewards are $N_\text{rm} = 0$. PPO's value model runs a forward pass to give the
    values GAE needs, then trains like the policy. DeepSeek-R1-Zero trains each sample once ($n_\text{ep} = 1$: "a single
    inner epoch"). A training pass is the $6N$ rule (`calculators.flops.six_n_flops_per_token`); a forward pass
    is $2N$ (`calculators.flops.matmul_flops_per_token`).

    Args:
        policy_active_params: $N_\text{active}$, parameters a token of the policy multiplies by (without the
            token-embedding table).
        answers: $S$, answers sampled in the step (prompts times group size).
        prompt_tokens: $T_p$, mean prompt length, tokens.
        response_tokens: $T_r$, mean answer length, tokens.
        inner_epochs: $n_\text{ep}$, training passes over each sample.
        reward_active_params: $N_\text{rm}$ (0: rule-based rewards, no model).
        value_active_params: $N_v$ (0: no critic, as in GRPO).

    Examples:
        >>> grpo = rl_step_flops(policy_active_params=1e9, answers=1, prompt_tokens=0, response_tokens=1)
        >>> grpo.generation, grpo.reference_scoring, grpo.policy_training, grpo.total
        (2000000000.0, 2000000000.0, 6000000000.0, 10000000000.0)
        >>> ppo = rl_step_flops(policy_active_params=1e9, answers=1, prompt_tokens=0, response_tokens=1,
        ...                     reward_active_params=1e9, value_active_params=1e9)
        >>> ppo.value_model, ppo.total
        (8000000000.0, 20000000000.0)
    """
    generated = answers * response_tokens
    scored = answers * (prompt_tokens + response_tokens)
    forward_policy = flops.matmul_flops_per_token(matmul_params=policy_active_params)
    return RLStepParts(
        generation=forward_policy * generated,
        reference_scoring=forward_policy * scored,
        reward_scoring=flops.matmul_flops_per_token(matmul_params=reward_active_params) * scored,
        value_model=(flops.matmul_flops_per_token(matmul_params=value_active_params)
                     + inner_epochs * flops.six_n_flops_per_token(params=value_active_params)) * scored,
        policy_training=inner_epochs * flops.six_n_flops_per_token(params=policy_active_params) * scored,
    )


def rl_step_gpu_hours(step_flops: RLStepParts, *, peak_flops_per_second: float, generation_mfu: float,
                      training_mfu: float) -> RLStepParts:
    r"""GPU-hours of each part, generation at its own MFU, $\dfrac{C_\text{gen}}{3600\, P\, \mathrm{MFU}_\text{gen}}$,
    and every other part at $\mathrm{MFU}_\text{train}$
    (`calculators.training.gpu_hours_for_flops`).

    Generating a token reads every weight it uses (and its KV cache) for a few FLOPs each, so decoding is bound
    by memory bandwidth and reaches a far lower MFU than the passes over whole sequences, which are bound by
    arithmetic. Scoring by the reference, reward and value models runs like training's forward pass.

    Examples:
        >>> step = rl_step_flops(policy_active_params=1e9, answers=3600, prompt_tokens=0, response_tokens=1000)
        >>> hours = rl_step_gpu_hours(step, peak_flops_per_second=1e12, generation_mfu=0.1, training_mfu=0.4)
        >>> hours.generation, hours.policy_training, round(hours.total, 6)
        (20.0, 15.0, 40.0)
    """
    def at(part: float, mfu: float) -> float:
        return training.gpu_hours_for_flops(total_flops=part, peak_flops_per_second=peak_flops_per_second, mfu=mfu)

    return RLStepParts(generation=at(step_flops.generation, generation_mfu),
                       policy_training=at(step_flops.policy_training, training_mfu),
                       reference_scoring=at(step_flops.reference_scoring, training_mfu),
                       reward_scoring=at(step_flops.reward_scoring, training_mfu),
                       value_model=at(step_flops.value_model, training_mfu))


def tokens_per_second_per_gpu(*, tokens: float, gpu_hours: float) -> float:
    r"""Throughput, tokens per second per GPU, that `tokens` in `gpu_hours` imply:
    $\tau = \dfrac{T_\text{gen}}{3600 \cdot \text{GPU-hours}}$.

    Examples:
        >>> round(tokens_per_second_per_gpu(tokens=3.6e9, gpu_hours=1000))
        1000
    """
    return tokens / (training.SECONDS_PER_HOUR * gpu_hours)


def gpu_hours_for_tokens(*, tokens: float, tokens_per_second_per_gpu: float) -> float:
    r"""GPU-hours to produce `tokens` at a throughput per GPU:
    $\text{GPU-hours} = \dfrac{T_\text{gen}}{3600\, \tau}$ (the inverse of
    `tokens_per_second_per_gpu`).

    Examples:
        >>> gpu_hours_for_tokens(tokens=3.6e9, tokens_per_second_per_gpu=1000)
        1000.0
    """
    return tokens / (training.SECONDS_PER_HOUR * tokens_per_second_per_gpu)
