"""Calculator ``grpo-advantages``: a group of answers' rewards -> each answer's group-relative advantage, the clipped
surrogate at a probability ratio, and the per-token KL estimate GRPO uses against its reference model."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .. import data, grpo
from ..charts import bar_chart
from ..formatting import format_count, format_number
from ..schema import Calculator, ChoiceField, Example, FieldError, NumberField, Output, Result, TextField, grouped

GROUP, CLIP = "The group", "Clipping and KL"

MAX_ANSWERS = 1024
MAX_ABS_REWARD = 1e6
_QUOTED = 20  # characters of a bad item quoted back
_SEPARATORS = re.compile(r"[\s,;]+")
_REWARD = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")

# 16 answers a question, as DeepSeek-R1-Zero samples; rule-based accuracy rewards, 5 of 16 right (illustrative).
R1_ZERO_REWARDS = "1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0"
SCALINGS = (("std", "Divide by the group's std (GRPO)"), ("none", "Subtract the mean only (Dr. GRPO)"))
STD_KINDS = (("sample", "Sample, ÷ (G − 1)"), ("population", "Population, ÷ G"))
SCALED = {"advantage_scaling": ("std",)}


def read_rewards(text: str) -> tuple[list[float] | None, str | None]:
    """The rewards in `text` (separated by commas, semicolons or white space), or a message saying what is wrong."""
    items = [item for item in _SEPARATORS.split(text.replace("\u2212", "-")) if item]
    if not items:
        return None, "Enter at least two rewards, separated by commas, spaces or semicolons."
    if len(items) > MAX_ANSWERS:
        return None, f"At most {MAX_ANSWERS:,} rewards, one per answer in the group; this list has {len(items):,}."
    rewards = []
    for n, item in enumerate(items, 1):
        shown = item if len(item) <= _QUOTED else item[:_QUOTED] + "…"
        if item.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            return None, f"Reward {n}, “{shown}”, is not a finite number."
        if not _REWARD.match(item):
            return None, f"Reward {n}, “{shown}”, is not a number."
        value = float(item)
        if not math.isfinite(value) or abs(value) > MAX_ABS_REWARD:
            return None, f"Reward {n}, “{shown}”, is out of range: rewards must lie between −1,000,000 and 1,000,000."
        rewards.append(value)
    if len(rewards) < 2:
        return None, "A group needs at least two answers: enter two or more rewards."
    return rewards, None


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    r1_zero = {"rewards": R1_ZERO_REWARDS, "advantage_scaling": "std",
               "kl_beta": data.training_runs()["deepseek-r1"].stages[0].kl_coefficient}
    return {
        "r1-zero": ("DeepSeek-R1-Zero: 16 answers, 0/1 rewards", r1_zero),
        "all-correct": ("Every answer right: nothing to learn", {**r1_zero, "rewards": ", ".join(["1"] * 16)}),
        "dr-grpo": ("Dr. GRPO: the mean subtracted, no std", {**r1_zero, "advantage_scaling": "none"}),
    }


def check(values: Mapping[str, Any]) -> list[FieldError]:
    _, message = read_rewards(values["rewards"])
    errors = [FieldError(field="rewards", message=message)] if message else []
    if values["clip_epsilon"] >= 1:
        errors.append(FieldError(field="clip_epsilon", message="Must be less than 1: the clip range is "
                                 "[1 − ε, 1 + ε], and a ratio is never below 0 (PPO uses 0.2)."))
    return errors


def compute(values: Mapping[str, Any]) -> Result:
    rewards, _ = read_rewards(values["rewards"])
    assert rewards is not None  # check() refused anything else
    scaled = values["advantage_scaling"] == "std"
    sample = values["std_kind"] == "sample"
    epsilon = values["std_epsilon"] if scaled else 0.0
    advantages = grpo.group_advantages(rewards, scale_by_std=scaled, sample_std=sample, epsilon=epsilon)
    ratio, clip = values["ratio"], values["clip_epsilon"]
    surrogates = [grpo.clipped_surrogate(ratio=ratio, advantage=a, clip_epsilon=clip) for a in advantages]
    degenerate = max(rewards) == min(rewards)
    best, worst = advantages.index(max(advantages)), advantages.index(min(advantages))
    kl = grpo.kl_k3_estimator(policy_prob=values["policy_prob"], reference_prob=values["reference_prob"])
    std_used = grpo.reward_std(rewards, sample=sample)
    out = {
        "answers": len(rewards),
        "reward_mean": grpo.reward_mean(rewards),
        "reward_std": std_used if scaled else None,
        "advantage_max": advantages[best],
        "advantage_min": advantages[worst],
        "clipped_ratio": grpo.clip_ratio(ratio=ratio, clip_epsilon=clip),
        "surrogate_best": None if degenerate else surrogates[best],
        "surrogate_worst": None if degenerate else surrogates[worst],
        "kl_k3": kl,
        "kl_penalty": values["kl_beta"] * kl,
    }
    notes = _notes(values, rewards, advantages, degenerate, best, worst)
    table = {
        "title": "Answer by answer",
        "columns": ["Answer", "Reward", "Advantage", f"Clipped term at ρ = {format_number(ratio)}"],
        "rows": [[str(n), format_number(r), format_number(a), format_number(s)]
                 for n, (r, a, s) in enumerate(zip(rewards, advantages, surrogates), 1)],
    }
    chart = bar_chart(
        title="Each answer's reward and its advantage within the group",
        categories=[str(n) for n in range(1, len(rewards) + 1)], category_label="Answer",
        value_label="Reward, advantage", value_format="number",
        series=[("Reward", rewards), ("Advantage", list(advantages))],
        rules=[{"y": out["reward_mean"], "label": f"Mean reward {format_number(out['reward_mean'])}"}],
    )
    return Result(values=out, notes=tuple(notes), charts=(chart,), tables=(table,))


def _notes(values: Mapping[str, Any], rewards: list[float], advantages: tuple[float, ...], degenerate: bool,
           best: int, worst: int) -> list[str]:
    g = len(rewards)
    notes = []
    if degenerate:
        notes.append(f"All {g} answers got the same reward ({format_number(rewards[0])}): every advantage is 0, so "
                     "this group gives the policy no gradient and teaches nothing; only the KL term acts. With 0/1 "
                     "rewards this happens when a question is too easy or too hard for every sample.")
    if values["advantage_scaling"] == "std":
        population = grpo.reward_std(rewards, sample=False)
        sample = grpo.reward_std(rewards, sample=True)
        kind = ("sample standard deviation, ÷ (G − 1), what torch.std computes in TRL's and verl's GRPO"
                if values["std_kind"] == "sample" else "population standard deviation, ÷ G")
        notes.append(f"Scaled by the {kind}: {format_number(sample)} (sample) or {format_number(population)} "
                     "(population) for this group. DeepSeekMath's std(r) does not say which.")
        notes.append(f"ζ = {format_number(values['std_epsilon'])} is added to the std, as implementations do so that "
                     "a group of equal rewards does not divide by zero (TRL adds 0.0001, verl 0.000001); the paper "
                     "has no such constant.")
    else:
        notes.append("Dr. GRPO (arXiv:2503.20783) subtracts the group mean and does not divide by the std, so a "
                     "group with a small spread of rewards is not scaled up.")
    if not degenerate:
        above = sum(1 for a in advantages if a > 0)
        notes.append(f"{format_count(above)} of {g} answers score above the group mean and are made more likely; "
                     f"the other {format_count(g - above)} are made less likely. Every answer counts, not only the "
                     "best: the advantages sum to zero.")
        ratio, clip = values["ratio"], values["clip_epsilon"]
        best_term, worst_term = (grpo.clipped_surrogate(ratio=ratio, advantage=advantages[i], clip_epsilon=clip)
                                 for i in (best, worst))
        notes.append(f"Clip at ρ = {format_number(ratio)}, ε = {format_number(clip)}: the range is "
                     f"[{format_number(1 - clip)}, {format_number(1 + clip)}]. Best answer (A = "
                     f"{format_number(advantages[best])}): min(ρA, clip(ρ)A) = {format_number(best_term)}. Worst "
                     f"answer (A = {format_number(advantages[worst])}): {format_number(worst_term)}. The minimum "
                     "caps what moving ρ beyond 1 ± ε in the advantage's direction can gain, never the penalty for "
                     "moving it the wrong way.")
    x = values["reference_prob"] / values["policy_prob"]
    kl = grpo.kl_k3_estimator(policy_prob=values["policy_prob"], reference_prob=values["reference_prob"])
    notes.append(f"KL estimate (k3) at π_θ = {format_number(values['policy_prob'])}, π_ref = "
                 f"{format_number(values['reference_prob'])}: x − log x − 1 with x = π_ref/π_θ = {format_number(x)}, "
                 f"= {format_number(kl)}; it is 0 only where the two agree. Times β = "
                 f"{format_number(values['kl_beta'])} it is subtracted from the objective, token by token "
                 "(DeepSeek-R1-Zero: β = 0.001; DeepSeekMath: 0.04).")
    return notes


def _probability(name: str, label: str, default: float, help: str) -> NumberField:
    return NumberField(name=name, label=label, default=default, minimum=0, exclusive_minimum=True, maximum=1,
                       help=help)


CALCULATOR = (
    Calculator(
        id="grpo-advantages",
        title="GRPO: group-relative advantages",
        summary="A group of answers' rewards -> each answer's advantage (r − mean) / std, the clipped surrogate at "
                "a probability ratio, and the per-token KL estimate against the reference model.",
        fields=(
            TextField(name="rewards", label="Rewards of the group's answers", default=R1_ZERO_REWARDS, group=GROUP,
                      max_chars=30_000, rows=2, placeholder="1, 0, 0, 1",
                      help=f"One reward per sampled answer, separated by commas, spaces or semicolons: 2 to "
                           f"{MAX_ANSWERS:,} numbers. Rule-based rewards are 1 (right) or 0 (wrong)."),
            ChoiceField(name="advantage_scaling", label="Advantage", default="std", choices=SCALINGS, group=GROUP,
                        help="GRPO divides by the group's standard deviation; Dr. GRPO does not."),
            ChoiceField(name="std_kind", label="Standard deviation", default="sample", choices=STD_KINDS,
                        relevant_when=SCALED, group=GROUP,
                        help="The paper's std(r) does not say; torch.std, as TRL and verl call it, gives the sample one."),
            NumberField(name="std_epsilon", label="Constant added to the std", symbol="ζ", default=1e-4, minimum=0,
                        maximum=1, relevant_when=SCALED, group=GROUP, advanced=True,
                        help="Keeps a group of equal rewards from dividing by zero (TRL: 0.0001; verl: 0.000001)."),
            NumberField(name="ratio", label="Probability ratio", symbol="ρ", default=1.3, minimum=0,
                        exclusive_minimum=True, maximum=100, group=CLIP,
                        help="π_θ / π_θold of a token: how much more likely the updated policy makes it."),
            NumberField(name="clip_epsilon", label="Clip range", symbol="ε", default=0.2, minimum=0,
                        exclusive_minimum=True, maximum=100, group=CLIP,
                        help="The ratio is held inside [1 − ε, 1 + ε], with 0 < ε < 1 (PPO: 0.2)."),
            *grouped(CLIP, _probability("policy_prob", "Token probability under the policy", 0.5,
                                        "π_θ of a sampled token."),
                     _probability("reference_prob", "Token probability under the reference model", 0.4,
                                  "π_ref of the same token.")),
            NumberField(name="kl_beta", label="KL coefficient", symbol="β", default=0.001, minimum=0, maximum=10,
                        group=CLIP,
                        suggestions=((0.001, "DeepSeek-R1-Zero"), (0.04, "DeepSeekMath")),
                        help="Weight of the KL penalty (DeepSeek-R1-Zero: 0.001; DeepSeekMath: 0.04)."),
        ),
        outputs=(
            Output(name="answers", label="Answers in the group", unit="answers", format="count", help="G."),
            Output(name="reward_mean", label="Mean reward", unit="dimensionless", format="number"),
            Output(name="reward_std", label="Standard deviation used", unit="dimensionless", format="number"),
            Output(name="advantage_max", label="Highest advantage", unit="dimensionless", format="number", main=True),
            Output(name="advantage_min", label="Lowest advantage", unit="dimensionless", format="number", main=True),
            Output(name="clipped_ratio", label="Ratio after clipping", unit="dimensionless", format="number"),
            Output(name="surrogate_best", label="Clipped term, best answer", unit="dimensionless", format="number"),
            Output(name="surrogate_worst", label="Clipped term, worst answer", unit="dimensionless", format="number"),
            Output(name="kl_k3", label="KL estimate per token (k3)", unit="nats", format="number", main=True),
            Output(name="kl_penalty", label="KL penalty per token, β × k3", unit="nats", format="number"),
        ),
        compute=compute,
        check=check,
        presets=presets,
        preset_fields=("rewards", "advantage_scaling", "kl_beta"),
        default_preset="r1-zero",
        examples=(
            Example(title="Four answers, two right: advantages ±1 with the population std and no ζ",
                    inputs={"rewards": "1, 0, 0, 1", "std_kind": "population", "std_epsilon": 0},
                    expected={"reward_mean": 0.5, "reward_std": 0.5, "advantage_max": 1, "advantage_min": -1},
                    source="DeepSeekMath (arXiv:2402.03300), Sec. 4.1.2"),
            Example(title="Every answer right: every advantage 0", inputs={"preset": "all-correct"},
                    expected={"advantage_max": 0, "advantage_min": 0}),
        ),
    )
)
