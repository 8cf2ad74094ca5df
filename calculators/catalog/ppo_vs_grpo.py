"""Calculator ``ppo-vs-grpo``: the models PPO and GRPO keep, the memory their state takes, and the FLOPs and
GPU-hours of one RL step by part: what dropping the critic saves, and what generation keeps."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from .. import data, memory, rl, training
from ..charts import bar_chart
from ..formatting import format_bytes, format_flops, format_number, format_percent
from ..model_config import ModelArchitecture, architecture
from ..parameters import parameter_counts
from ..schema import Calculator, ChoiceField, Example, FieldError, NumberField, Output, Result, grouped
from . import rl_common
from .common import ACCELERATORS, config_field, reserve_field

MODEL, KEPT, STEP, HARDWARE = "Policy model", "Models kept", "One RL step", "Hardware"

RECIPES = {
    "bf16-adam": ("BF16 + Adam: 16 bytes (ZeRO)", training.BF16_ADAM_STATE),
    "deepseek-v3": ("DeepSeek-V3's: 14 bytes", training.DEEPSEEK_V3_STATE),
}
CRITICS = (("same", "Same size as the policy"), ("custom", "Another size"))
REWARDS = (("same", "A model the size of the policy"), ("custom", "A model of another size"),
           ("rule", "Rule-based (no model)"))
PARTS = (("generation", "Generation"), ("policy_training", "Policy training"),
         ("reference_scoring", "Reference scoring"), ("reward_scoring", "Reward scoring"),
         ("value_model", "Value model"))


def from_config(arch: ModelArchitecture) -> dict[str, Any]:
    """All parameters (every one is in memory) and the active ones without the embedding table (for FLOPs)."""
    counts = parameter_counts(arch)
    return {"total_params_billion": counts.all.total / 1e9, "active_params_billion": counts.active.without_embeddings / 1e9}


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """Each model in `data/models` as the policy."""
    out = {}
    for key, model in data.models().items():
        out[key] = (model.name, {"config": json.dumps(model.config, indent=2), **from_config(architecture(model.config))})
    return out


def check(values: Mapping[str, Any]) -> list[FieldError]:
    """A model cannot use more parameters per token than it has."""
    if values["active_params_billion"] > values["total_params_billion"]:
        return [FieldError(field="active_params_billion",
                           message=f"Cannot exceed the policy's {values['total_params_billion']:g} billion parameters "
                                   "in all.")]
    return []


def _sizes(values: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """(all, active) parameters of each model; (0, 0) for one that is not kept."""
    policy = (values["total_params_billion"] * 1e9, values["active_params_billion"] * 1e9)

    def sized(choice: str, name: str) -> tuple[float, float]:
        if choice == "rule":
            return (0.0, 0.0)
        if choice == "custom":
            return (values[name] * 1e9, values[name] * 1e9)  # a dense model: all parameters are active
        return policy

    return {"policy": policy, "value": sized(values["critic"], "critic_params_billion"), "reference": policy,
            "reward": sized(values["reward"], "reward_params_billion")}


def compute(values: Mapping[str, Any]) -> Result:
    state = RECIPES[values["recipe"]][1]
    sizes = _sizes(values)
    states = {
        "policy": rl.model_state_bytes(params=sizes["policy"][0], state=state, trained=True),
        "value": rl.model_state_bytes(params=sizes["value"][0], state=state, trained=True),
        "reference": rl.model_state_bytes(params=sizes["reference"][0], state=state, trained=False),
        "reward": rl.model_state_bytes(params=sizes["reward"][0], state=state, trained=False),
    }
    ppo_bytes = math.fsum(m.total for m in states.values())
    grpo_bytes = ppo_bytes - states["value"].total
    acc = data.accelerators()[values["accelerator"]]
    usable = memory.usable_memory_bytes(memory_bytes=acc.memory_bytes, reserve_fraction=values["reserve_fraction"])
    answers = values["prompts"] * values["group_size"]
    step = {"prompt_tokens": values["prompt_tokens"], "response_tokens": values["response_tokens"],
            "inner_epochs": values["inner_epochs"], "answers": answers, "policy_active_params": sizes["policy"][1],
            "reward_active_params": sizes["reward"][1]}
    ppo_flops = rl.rl_step_flops(**step, value_active_params=sizes["value"][1])
    grpo_flops = rl.rl_step_flops(**step)
    peak = acc.bf16_dense_tflops * 1e12
    mfus = {"generation_mfu": values["generation_mfu"], "training_mfu": values["training_mfu"]}
    ppo_hours = rl.rl_step_gpu_hours(ppo_flops, peak_flops_per_second=peak, **mfus)
    grpo_hours = rl.rl_step_gpu_hours(grpo_flops, peak_flops_per_second=peak, **mfus)
    kept = 1 if values["reward"] != "rule" else 0
    out = {
        "ppo_models": 3 + kept,
        "grpo_models": 2 + kept,
        "ppo_memory_bytes": ppo_bytes,
        "grpo_memory_bytes": grpo_bytes,
        "value_model_bytes": states["value"].total,
        "memory_saving": states["value"].total / ppo_bytes,
        "ppo_accelerators": memory.accelerators_to_hold(state_bytes=ppo_bytes, usable_bytes_per_accelerator=usable),
        "grpo_accelerators": memory.accelerators_to_hold(state_bytes=grpo_bytes, usable_bytes_per_accelerator=usable),
        "ppo_step_flops": ppo_flops.total,
        "grpo_step_flops": grpo_flops.total,
        "critic_flops_share": ppo_flops.value_model / ppo_flops.total,
        "generation_flops_share": grpo_flops.generation / grpo_flops.total,
        "ppo_step_gpu_hours": ppo_hours.total,
        "grpo_step_gpu_hours": grpo_hours.total,
        "critic_time_share": ppo_hours.value_model / ppo_hours.total,
        "generation_time_share": grpo_hours.generation / grpo_hours.total,
    }
    notes = [
        f"Dropping the critic removes {format_percent(out['critic_flops_share'])} of a PPO step's FLOPs and "
        f"{format_percent(out['critic_time_share'])} of its GPU-hours, and {format_bytes(states['value'].total)} "
        f"of trained state ({format_percent(out['memory_saving'])} of PPO's).",
        f"Generation keeps {format_percent(out['generation_flops_share'])} of a GRPO step's FLOPs but "
        f"{format_percent(out['generation_time_share'])} of its GPU-hours: decoding runs at an MFU of "
        f"{format_percent(values['generation_mfu'])}, the rest at {format_percent(values['training_mfu'])} "
        f"(assumptions, not published figures; defaults {format_percent(rl_common.GENERATION_MFU)} and "
        f"{format_percent(rl_common.TRAINING_MFU)}).",
        f"Per step: {format_number(values['prompts'])} prompts × {format_number(values['group_size'])} answers of "
        f"{format_number(values['response_tokens'])} tokens after {format_number(values['prompt_tokens'])}-token "
        "prompts, for both methods (PPO is compared on the same answers). FLOPs are 2N per token forward and 6N "
        "per token trained, with N the active parameters; attention over long answers adds more.",
        f"{acc.name}: {format_number(acc.memory_bytes / 1e9)} GB each, "
        f"{format_percent(values['reserve_fraction'])} kept for activations and the KV cache of generation. "
        f"Peak {format_number(acc.bf16_dense_tflops)} TFLOPS dense BF16.",
    ]
    if values["reward"] == "rule":
        notes.append("Rule-based rewards, as DeepSeek-R1-Zero's accuracy and format rewards: no reward model to "
                     "hold or run.")
    if values["critic"] == "same":
        notes.append("The value model is taken to be the policy's size: DeepSeekMath (arXiv:2402.03300, Sec. 4.1.1) "
                     "calls PPO's value model 'typically another model of comparable size as the policy model'. "
                     "InstructGPT's was smaller: a 6B reward model, from which the value function was initialised, "
                     "for its 175B policy (arXiv:2203.02155, Sec. 3.5 and App. C). Choose another size to compare; "
                     "the value head in place of the output head is ignored.")
    tables = (_memory_table(states, values), _compute_table(ppo_flops, grpo_flops, ppo_hours, grpo_hours))
    return Result(values=out, notes=tuple(notes), tables=tables, charts=(_chart(ppo_hours, grpo_hours),))


def _memory_table(states: Mapping[str, rl.ModelStateBytes], values: Mapping[str, Any]) -> dict[str, Any]:
    rows = []
    for key, label, grpo in (("policy", "Policy (trained)", True), ("value", "Value model (trained)", False),
                             ("reference", "Reference model (frozen)", True),
                             ("reward", "Reward model (frozen)", True)):
        m = states[key]
        if key == "reward" and values["reward"] == "rule":
            rows.append(["Reward: rules, no model", "–", "–", "–", "0 B", "0 B"])
            continue
        rows.append([label, format_bytes(m.weights), format_bytes(m.gradients), format_bytes(m.optimizer),
                     format_bytes(m.total), format_bytes(m.total) if grpo else "not kept"])
    ppo = math.fsum(m.total for m in states.values())
    rows.append(["Total", "", "", "", format_bytes(ppo), format_bytes(ppo - states["value"].total)])
    return {"title": "Memory: the models each method keeps",
            "columns": ["Model", "Weights", "Gradients", "Optimizer state", "PPO", "GRPO"], "rows": rows}


def _compute_table(ppo_flops: rl.RLStepParts, grpo_flops: rl.RLStepParts, ppo_hours: rl.RLStepParts,
                   grpo_hours: rl.RLStepParts) -> dict[str, Any]:
    rows = []
    for part, label in PARTS:
        rows.append([label, format_flops(getattr(ppo_flops, part)), format_flops(getattr(grpo_flops, part)),
                     format_number(getattr(ppo_hours, part)), format_number(getattr(grpo_hours, part))])
    rows.append(["Total", format_flops(ppo_flops.total), format_flops(grpo_flops.total),
                 format_number(ppo_hours.total), format_number(grpo_hours.total)])
    return {"title": "Compute per RL step",
            "columns": ["Part", "PPO, FLOPs", "GRPO, FLOPs", "PPO, GPU-hours", "GRPO, GPU-hours"], "rows": rows}


def _chart(ppo_hours: rl.RLStepParts, grpo_hours: rl.RLStepParts) -> dict[str, Any]:
    return bar_chart(
        title="GPU-hours per RL step, part by part", horizontal=True,
        categories=[label for _, label in PARTS],
        value_label="GPU-hours per step", value_format="number",
        series=[("PPO", [getattr(ppo_hours, p) for p, _ in PARTS]),
                ("GRPO", [getattr(grpo_hours, p) for p, _ in PARTS])],
    )


def _billions(name: str, label: str, default: float, help: str, **more: Any) -> NumberField:
    return NumberField(name=name, label=label, unit="billion", default=default, minimum=0, exclusive_minimum=True,
                       maximum=1e5, help=help, **more)


CALCULATOR = (
    Calculator(
        id="ppo-vs-grpo",
        title="PPO or GRPO: models, memory and compute per RL step",
        summary="The models each method keeps and the memory of their weights, gradients and optimizer state; the "
                "FLOPs and GPU-hours of one RL step by part: what dropping the critic saves, what generation keeps.",
        fields=(
            config_field(fills="sets the policy's parameters, all and active", group=MODEL),
            _billions("total_params_billion", "Policy parameters, all", 671.0264192,
                      "Every parameter is in memory (an MoE's total).", symbol="N", group=MODEL),
            _billions("active_params_billion", "Policy parameters, active", 36.625618432,
                      "Parameters a token multiplies by, without the token-embedding table: they set the FLOPs.",
                      symbol="N_active", group=MODEL),
            ChoiceField(name="recipe", label="Training state", default="bf16-adam", group=KEPT,
                        choices=tuple((k, label) for k, (label, _) in RECIPES.items()),
                        help="Bytes per parameter of a trained model: weights, FP32 master copy, gradients (BF16 in ZeRO's, FP32 "
                             "in DeepSeek-V3's) and Adam's two moments (FP32; BF16 in DeepSeek-V3's). A frozen "
                             "model keeps its 2-byte weights."),
            ChoiceField(name="critic", label="PPO's value model", default="same", choices=CRITICS, group=KEPT,
                        help="The critic is usually initialised from the reward model or the policy."),
            _billions("critic_params_billion", "Value model parameters", 7, "A dense model.",
                      relevant_when={"critic": ("custom",)}, group=KEPT),
            ChoiceField(name="reward", label="Reward", default="same", choices=REWARDS, group=KEPT,
                        help="A learned reward model, or rules (DeepSeek-R1-Zero: accuracy and format)."),
            _billions("reward_params_billion", "Reward model parameters", 7, "A dense model.",
                      relevant_when={"reward": ("custom",)}, group=KEPT),
            ChoiceField(name="accelerator", label="Accelerator", default="h800", choices=ACCELERATORS, group=HARDWARE,
                        help="Its memory, and its dense BF16 peak for GPU-hours."),
            reserve_field(default=0.3, kept_for="activations and the KV cache of generation", group=HARDWARE),
            *grouped(STEP, *rl_common.step_fields()),
            *grouped(HARDWARE, *rl_common.mfu_fields()),
        ),
        outputs=(
            Output(name="ppo_models", label="Models PPO keeps", unit="models", format="count"),
            Output(name="grpo_models", label="Models GRPO keeps", unit="models", format="count"),
            Output(name="ppo_memory_bytes", label="PPO: model state", unit="B", format="bytes"),
            Output(name="grpo_memory_bytes", label="GRPO: model state", unit="B", format="bytes"),
            Output(name="value_model_bytes", label="The critic's state", unit="B", format="bytes"),
            Output(name="memory_saving", main=True, label="Memory GRPO saves", unit="fraction", format="percent"),
            Output(name="ppo_accelerators", label="PPO: accelerators to hold it", unit="accelerators", format="count"),
            Output(name="grpo_accelerators", label="GRPO: accelerators to hold it", unit="accelerators",
                   format="count"),
            Output(name="ppo_step_flops", label="PPO: FLOPs per step", unit="FLOP", format="flops"),
            Output(name="grpo_step_flops", label="GRPO: FLOPs per step", unit="FLOP", format="flops"),
            Output(name="critic_flops_share", label="Critic's share of PPO's FLOPs", unit="fraction",
                   format="percent"),
            Output(name="generation_flops_share", label="Generation's share of GRPO's FLOPs", unit="fraction",
                   format="percent"),
            Output(name="ppo_step_gpu_hours", label="PPO: GPU-hours per step", unit="GPU-hours", format="number",
                   main=True),
            Output(name="grpo_step_gpu_hours", label="GRPO: GPU-hours per step", unit="GPU-hours", format="number",
                   main=True),
            Output(name="critic_time_share", label="Critic's share of PPO's GPU-hours", unit="fraction",
                   format="percent"),
            Output(name="generation_time_share", label="Generation's share of GRPO's GPU-hours", unit="fraction",
                   format="percent"),
        ),
        compute=compute,
        groups=(KEPT, STEP, MODEL, HARDWARE),
        check=check,
        presets=presets,
        preset_fields=("config", "total_params_billion", "active_params_billion"),
        default_preset="deepseek-v3",
        from_config=from_config,
        examples=(
            Example(title="DeepSeek-V3 as the policy, rule-based rewards (DeepSeek-R1-Zero's setting)",
                    inputs={"preset": "deepseek-v3", "reward": "rule"}, expected={"ppo_models": 3, "grpo_models": 2}),
            Example(title="A 7B policy with a 7B reward model", inputs={"total_params_billion": 7,
                                                                        "active_params_billion": 7},
                    expected={"ppo_memory_bytes": 7e9 * 36, "grpo_memory_bytes": 7e9 * 20}),
        ),
    )
)
