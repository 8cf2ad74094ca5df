"""Training compute, time and memory: from FLOPs to GPU-hours and back, and the bytes each parameter costs.

Units are in the names: FLOPs are operations (not per second), throughput is FLOP per second, time is in hours,
memory in bytes. MFU (model FLOPs utilisation) is the fraction of the accelerator's peak dense throughput that the
model's own arithmetic achieves (PaLM, arXiv:2204.02311, App. B); it is a fraction in (0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

from .formulas import formula
from .pricing import rental_cost_usd

__all__ = [
    "BF16_ADAM_STATE",
    "DEEPSEEK_V3_STATE",
    "SECONDS_PER_HOUR",
    "TrainingStateBytes",
    "gpu_hours_for_flops",
    "gpu_hours_per_trillion_tokens",
    "ReportedRun",
    "implied_mfu",
    "reported_run",
    "step_speedup",
    "training_flops",
    "training_state_bytes_per_param",
    "wall_clock_hours",
]

SECONDS_PER_HOUR = 3600


@formula(flops_per_token=r"C_\text{token}", tokens=r"T_\text{train}")
def training_flops(*, flops_per_token: float, tokens: float) -> float:
    r"""Total training compute, FLOPs: $C = C_\text{token} \cdot T_\text{train}$.

    `flops_per_token` is the training cost of one token, $C_\text{token}$ (forward and backward): $6 N_\text{active}$
    by the 6N rule, or the detailed count of `calculators.flops.training_flops_per_token`. `tokens` is
    $T_\text{train}$.

    Examples:
        >>> training_flops(flops_per_token=6 * 405e9, tokens=15.6e12)  # Llama 3 paper, Sec. 3.2: 3.8 x 10^25
        3.7908e+25
    """
    return flops_per_token * tokens


@formula(total_flops="C", peak_flops_per_second="P", mfu=r"\mathrm{MFU}")
def gpu_hours_for_flops(*, total_flops: float, peak_flops_per_second: float, mfu: float) -> float:
    r"""GPU-hours to do `total_flops` at a fraction `mfu` of each GPU's peak, hours:
    $\text{GPU-hours} = \dfrac{C}{3600 \cdot P \cdot \mathrm{MFU}}$.

    `peak_flops_per_second` is $P$, the accelerator's peak dense throughput at the precision the matrix
    multiplications run in (FLOP/s).

    Examples:
        >>> round(gpu_hours_for_flops(total_flops=3.8e25, peak_flops_per_second=989.4e12, mfu=0.40) / 1e6, 2)
        26.67
    """
    return total_flops / (SECONDS_PER_HOUR * peak_flops_per_second * mfu)


@formula(total_flops="C", gpu_hours=r"\text{GPU-hours}", peak_flops_per_second="P")
def implied_mfu(*, total_flops: float, gpu_hours: float, peak_flops_per_second: float) -> float:
    r"""The MFU a reported number of GPU-hours implies, fraction:
    $\mathrm{MFU} = \dfrac{C}{3600 \cdot \text{GPU-hours} \cdot P}$.

    The inverse of `gpu_hours_for_flops`. It folds in everything the GPU-hours include that is not model
    arithmetic: restarts, evaluation, idle time, recomputation. A value above 1 means the FLOP count or the peak
    is wrong, not that the GPUs beat their datasheet.

    Examples:
        >>> round(implied_mfu(total_flops=3.8e25, gpu_hours=30.84e6, peak_flops_per_second=989.4e12), 3)
        0.346
    """
    return total_flops / (SECONDS_PER_HOUR * gpu_hours * peak_flops_per_second)


@formula(gpu_hours=r"\text{GPU-hours}", gpus=r"n_\text{GPU}")
def wall_clock_hours(*, gpu_hours: float, gpus: float) -> float:
    r"""Hours of wall-clock time when `gpus` GPUs share the work evenly:
    $\text{hours} = \text{GPU-hours} / n_\text{GPU}$.

    Examples:
        >>> wall_clock_hours(gpu_hours=180_000, gpus=2048) / 24  # DeepSeek-V3, Sec. 1: "3.7 days" per trillion tokens
        3.662109375
    """
    return gpu_hours / gpus


@formula(gpu_hours=r"\text{GPU-hours}", tokens=r"T_\text{train}")
def gpu_hours_per_trillion_tokens(*, gpu_hours: float, tokens: float) -> float:
    r"""GPU-hours per $10^{12}$ training tokens:
    $\text{GPU-hours per } 10^{12} \text{ tokens} = \dfrac{\text{GPU-hours}}{T_\text{train} / 10^{12}}$.

    Examples:
        >>> gpu_hours_per_trillion_tokens(gpu_hours=2_664_000, tokens=14.8e12)  # DeepSeek-V3: 180K
        180000.0
    """
    return gpu_hours / (tokens / 1e12)


@dataclass(frozen=True, kw_only=True)
class TrainingStateBytes:
    """Bytes per parameter of the state mixed-precision training with Adam keeps for every parameter.

    `weights` is the working copy the matrix multiplications read, `master` the high-precision copy the
    optimizer updates (0 if none), `gradients` the gradient buffer, `moments` Adam's first and second moments
    together. Activations are not included: they depend on batch, sequence and recomputation, not on the
    parameter count.
    """

    weights: float
    master: float
    gradients: float
    moments: float

    @property
    def total(self) -> float:
        return self.weights + self.master + self.gradients + self.moments


def training_state_bytes_per_param(*, weight_bytes: float, master_bytes: float, gradient_bytes: float,
                                   moment_bytes: float) -> TrainingStateBytes:
    r"""Training state per parameter, bytes: $M_\text{param} = M_\text{work} + M_\text{master} + M_\text{grad}
    + 2 M_\text{moment}$ (the working weights, the master copy, the gradients, and Adam's two moments).

    BF16 mixed precision with FP32 master weights and moments is $2 + 4 + 2 + 2 \cdot 4 = 16$ bytes (ZeRO,
    arXiv:1910.02054, Sec. 3.1: "$2\Psi + 2\Psi + 12\Psi = 16\Psi$"). DeepSeek-V3 keeps the moments in BF16 and
    the master weights and gradients in FP32 (arXiv:2412.19437, Sec. 3.3.3).

    Examples:
        >>> training_state_bytes_per_param(weight_bytes=2, master_bytes=4, gradient_bytes=2, moment_bytes=4).total
        16
    """
    return TrainingStateBytes(weights=weight_bytes, master=master_bytes, gradients=gradient_bytes,
                              moments=2 * moment_bytes)


BF16_ADAM_STATE = training_state_bytes_per_param(weight_bytes=2, master_bytes=4, gradient_bytes=2, moment_bytes=4)
"""BF16 mixed precision with Adam: 16 bytes per parameter (ZeRO, arXiv:1910.02054, Sec. 3.1)."""

DEEPSEEK_V3_STATE = training_state_bytes_per_param(weight_bytes=2, master_bytes=4, gradient_bytes=4, moment_bytes=2)
"""DeepSeek-V3's recipe: FP32 master weights and gradients, BF16 moments (arXiv:2412.19437, Sec. 3.3.3), and a
BF16 working copy of the weights, which the report does not mention: 14 bytes per parameter."""


def step_speedup(*, accelerated_share: float, speedup: float) -> float:
    r"""How much faster a whole step gets when only part of it speeds up (Amdahl's law):
    $\dfrac{1}{(1 - s) + s / x}$, with $s$ the share of the step's time that speeds up by $x$.

    FP8 doubles the tensor-core peak of a Hopper GPU, but only the matrix multiplications run on it: attention's
    softmax, norms, communication and the optimizer do not get faster.

    Source: Amdahl, "Validity of the single processor approach", AFIPS 1967.

    Examples:
        >>> round(step_speedup(accelerated_share=0.7, speedup=2.0), 4)
        1.5385
    """
    return 1 / ((1 - accelerated_share) + accelerated_share / speedup)


@dataclass(frozen=True, kw_only=True)
class ReportedRun:
    """What reported GPU-hours say once set against a FLOP count: the MFU they imply, the wall-clock hours on the
    run's GPUs, and the dollars at a price."""

    gpu_hours: float
    implied_mfu: float
    wall_clock_hours: float
    cost_usd: float


def reported_run(*, gpu_hours: float, total_flops: float, peak_flops_per_second: float, gpus: float,
                 usd_per_gpu_hour: float) -> ReportedRun:
    r"""Reported GPU-hours read three ways: the MFU they imply for `total_flops` (`implied_mfu`), wall-clock
    time on `gpus` (`wall_clock_hours`), and dollars at a rental price (`pricing.rental_cost_usd`).

    Examples:
        >>> r = reported_run(gpu_hours=30.84e6, total_flops=3.8e25, peak_flops_per_second=989.4e12, gpus=16384,
        ...                  usd_per_gpu_hour=2.0)
        >>> round(r.implied_mfu, 3), round(r.wall_clock_hours / 24, 1), r.cost_usd
        (0.346, 78.4, 61680000.0)
    """
    return ReportedRun(
        gpu_hours=gpu_hours,
        implied_mfu=implied_mfu(total_flops=total_flops, gpu_hours=gpu_hours, peak_flops_per_second=peak_flops_per_second),
        wall_clock_hours=wall_clock_hours(gpu_hours=gpu_hours, gpus=gpus),
        cost_usd=rental_cost_usd(gpu_hours=gpu_hours, usd_per_gpu_hour=usd_per_gpu_hour),
    )
