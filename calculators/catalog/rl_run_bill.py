"""Calculator ``rl-run-bill``: a GRPO run's bill: steps × prompts × answers × tokens -> generated tokens, FLOPs,
GPU-hours (at two MFUs, or at a throughput), dollars; and, against reported GPU-hours, the throughput and MFU they
imply. Preset: DeepSeek-R1-Zero."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .. import data, pricing, rl, training
from ..charts import line_chart
from ..formatting import format_count, format_number, format_percent
from ..model_config import architecture
from ..schema import Calculator, ChoiceField, Example, NumberField, Output, Result, grouped
from . import rl_common
from .common import ACCELERATORS, PRECISIONS, config_field, peak_errors, price_field, six_n_from_config

RUN, MODEL, SPEED, REPORT = "The run", "Model", "Speed and price", "Check against a report"

BASES = (("mfu", "MFU: generation and training"), ("throughput", "Generated tokens per second per GPU"))
BY_MFU = {"basis": ("mfu",)}



def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """DeepSeek-R1-Zero: its published steps, batch, cluster and GPU-hours; the answer length is an assumption."""
    run = data.training_runs()["deepseek-r1"]
    stage = run.stages[0]  # DeepSeek-R1-Zero (RL)
    config = data.models()[run.model].config
    return {"deepseek-r1-zero": ("DeepSeek-R1-Zero (GRPO on DeepSeek-V3-Base)", {
        "config": json.dumps(config, indent=2),
        **six_n_from_config(architecture(config)),
        "steps": stage.steps,
        "prompts": stage.prompts_per_step,
        "group_size": stage.answers_per_prompt,
        "accelerator": run.accelerator,
        "gpus": stage.gpus,
        "usd_per_gpu_hour": run.usd_per_gpu_hour,
        "reported_gpu_hours": stage.gpu_hours,
    })}


def _run(values: Mapping[str, Any], response_tokens: float, peak: float) -> tuple[rl.RLStepParts, float, float]:
    """(FLOPs of the whole run by part, generated tokens, GPU-hours) at a mean answer length."""
    step = rl.rl_step_flops(policy_active_params=values["active_params_billion"] * 1e9,
                            answers=values["prompts"] * values["group_size"], prompt_tokens=values["prompt_tokens"],
                            response_tokens=response_tokens, inner_epochs=values["inner_epochs"])
    run_flops = step.scaled(values["steps"])
    generated = values["steps"] * rl.rollout_tokens(prompts=values["prompts"], group_size=values["group_size"],
                                                    response_tokens=response_tokens)
    if values["basis"] == "mfu":
        hours = rl.rl_step_gpu_hours(run_flops, peak_flops_per_second=peak, generation_mfu=values["generation_mfu"],
                                     training_mfu=values["training_mfu"]).total
    else:
        hours = rl.gpu_hours_for_tokens(tokens=generated, tokens_per_second_per_gpu=values["tokens_per_second_per_gpu"])
    return run_flops, generated, hours


def compute(values: Mapping[str, Any]) -> Result:
    acc = data.accelerators()[values["accelerator"]]
    peak = acc.dense_tflops(values["precision"]) * 1e12
    run_flops, generated, gpu_hours = _run(values, values["response_tokens"], peak)
    price = values["usd_per_gpu_hour"]
    reported = values["reported_gpu_hours"] or None
    answers = values["steps"] * values["prompts"] * values["group_size"]
    out: dict[str, float | None] = {
        "answers": answers,
        "generated_tokens": generated,
        "generation_flops": run_flops.generation,
        "training_flops": run_flops.policy_training,
        "reference_flops": run_flops.reference_scoring,
        "total_flops": run_flops.total,
        "gpu_hours": gpu_hours,
        "wall_clock_hours": training.wall_clock_hours(gpu_hours=gpu_hours, gpus=values["gpus"]),
        "cost_usd": pricing.rental_cost_usd(gpu_hours=gpu_hours, usd_per_gpu_hour=price),
        "tokens_per_second_per_gpu": rl.tokens_per_second_per_gpu(tokens=generated, gpu_hours=gpu_hours),
        "overall_mfu": training.implied_mfu(total_flops=run_flops.total, gpu_hours=gpu_hours,
                                            peak_flops_per_second=peak),
        "reported_cost_usd": None,
        "reported_wall_clock_hours": None,
        "implied_tokens_per_second_per_gpu": None,
        "implied_mfu": None,
        "reported_over_estimate": None,
    }
    precision = dict(PRECISIONS)[values["precision"]]
    notes = [f"{format_count(answers)} answers ({format_count(values['steps'])} steps × "
             f"{format_count(values['prompts'])} prompts × {format_count(values['group_size'])}) of "
             f"{format_count(values['response_tokens'])} tokens on average: {format_count(generated)} generated "
             "tokens. Generation costs 2N per token, the reference model's scoring 2N and training 6N per token of "
             "prompt and answer, N the active parameters; attention over long answers is left out, so the FLOPs "
             "are a floor. Rule-based rewards: no reward model."]
    if values["basis"] == "mfu":
        notes.append(f"GPU-hours with generation at an MFU of {format_percent(values['generation_mfu'])} and "
                     f"training and scoring at {format_percent(values['training_mfu'])} of the {acc.name}'s "
                     f"{format_number(peak / 1e12)} TFLOPS dense {precision} (assumptions, not published figures).")
    else:
        notes.append(f"GPU-hours at {format_number(values['tokens_per_second_per_gpu'])} generated tokens per second "
                     "per GPU for the whole loop: generation, scoring and training together.")
    if reported:
        implied_tps = rl.tokens_per_second_per_gpu(tokens=generated, gpu_hours=reported)
        run = training.reported_run(gpu_hours=reported, total_flops=run_flops.total, peak_flops_per_second=peak,
                                    gpus=values["gpus"], usd_per_gpu_hour=price)
        implied = run.implied_mfu
        out.update(
            reported_cost_usd=run.cost_usd,
            reported_wall_clock_hours=run.wall_clock_hours,
            implied_tokens_per_second_per_gpu=implied_tps,
            implied_mfu=implied,
            reported_over_estimate=reported / gpu_hours,
        )
        notes.append(f"Reported: {format_count(reported)} GPU-hours. At a mean answer of "
                     f"{format_count(values['response_tokens'])} tokens they imply {format_number(implied_tps)} "
                     f"generated tokens per second per GPU and an MFU of {format_percent(implied)} against the "
                     f"{precision} peak, over the whole loop. The reported hours also hold what the FLOPs leave out: "
                     "attention, waiting for the longest answers of each batch, moving weights between training and "
                     "generation, evaluation.")
    if values.get("preset") == "deepseek-r1-zero":
        stage = rl_common.r1_zero_stage()
        before, after = stage.answer_cap_tokens
        notes.append(f"Published: {stage.settings_source}. The answer cap was {format_count(before)} tokens before "
                     f"step {format_count(stage.answer_cap_raised_at_step)} and {format_count(after)} after; the paper "
                     "prints no mean length (its plot rises from hundreds to thousands of tokens), so the mean answer "
                     "length here, the prompt length and the MFUs are assumptions.")
    return Result(values=out, notes=tuple(notes), charts=(_length_chart(values, peak, reported),))


def _length_chart(values: Mapping[str, Any], peak: float, reported: float | None) -> dict[str, Any]:
    """GPU-hours against the mean answer length, other inputs held."""
    lengths = sorted({500, 1000, 2000, 4000, 8000, 12000, 16000, 24000, 32000, values["response_tokens"]})
    points = [[n, _run(values, n, peak)[2]] for n in lengths]
    rules = [{"y": reported, "label": f"Reported: {format_count(reported)} GPU-hours"}] if reported else []
    return line_chart(
        title="Longer answers, larger bill: GPU-hours against the mean answer length",
        x_label="Mean answer length (tokens)", x_format="count",
        y_label="GPU-hours", y_format="count",
        series=[("GPU-hours", points)],
        markers=[{"x": values["response_tokens"], "label": f"{format_count(values['response_tokens'])} tokens"}],
        rules=rules,
    )


CALCULATOR = (
    Calculator(
        id="rl-run-bill",
        title="An RL run's bill",
        summary="Steps × prompts × answers × answer length -> generated tokens, FLOPs, GPU-hours at two MFUs or at "
                "a throughput, dollars; and the throughput and MFU that reported GPU-hours imply. Preset: "
                "DeepSeek-R1-Zero.",
        fields=(
            config_field(fills="sets N, the active parameters", group=MODEL),
            NumberField(name="active_params_billion", label="Active parameters", symbol="N_active", unit="billion",
                        group=MODEL,
                        default=36.625618432, minimum=0, exclusive_minimum=True, maximum=1e5,
                        help="Parameters each token multiplies by (an MoE's active ones), without the embedding "
                             "table."),
            *grouped(RUN, rl_common.count_field("steps", "RL steps", rl_common.r1_zero_stage().steps, 1e8,
                                                f"Policy updates (DeepSeek-R1-Zero: {rl_common.r1_zero_stage().steps:,})."),
                     *rl_common.step_fields()),
            ChoiceField(name="basis", label="GPU-hours from", default="mfu", choices=BASES, group=SPEED,
                        help="Two utilisations (generation is far less efficient than training), or a measured "
                             "throughput of the whole loop."),
            *rl_common.mfu_fields(relevant_when=BY_MFU, group=SPEED),
            NumberField(name="tokens_per_second_per_gpu", label="Throughput", unit="generated tokens/s per GPU",
                        group=SPEED,
                        default=100, minimum=0, exclusive_minimum=True, maximum=1e7,
                        relevant_when={"basis": ("throughput",)},
                        help="Generated tokens per second per GPU, the whole loop included."),
            ChoiceField(name="accelerator", label="Accelerator", default="h800", choices=ACCELERATORS, group=SPEED,
                        help="Its peak dense throughput is what MFU is a share of."),
            ChoiceField(name="precision", label="Peak at", default="bf16", choices=PRECISIONS, group=SPEED,
                        help="MFU is usually quoted against the BF16 peak."),
            *grouped(SPEED, rl_common.count_field("gpus", "GPUs", 512, 10_000_000,
                                                  "GPUs at once; wall clock is GPU-hours / GPUs.")),
            price_field("Rental price (DeepSeek assumed $2 for the H800).", group=SPEED),
            NumberField(name="reported_gpu_hours", label="Reported GPU-hours", unit="GPU-hours", default=0, minimum=0,
                        maximum=1e12, group=REPORT, advanced=True,
                        help="GPU-hours a report gives for the run, to find the throughput and MFU they imply "
                             "(0: none)."),
        ),
        outputs=(
            Output(name="answers", label="Answers sampled", unit="answers", format="count"),
            Output(name="generated_tokens", label="Tokens generated", unit="tokens", format="count"),
            Output(name="generation_flops", label="Generation", unit="FLOP", format="flops"),
            Output(name="training_flops", label="Policy training", unit="FLOP", format="flops"),
            Output(name="reference_flops", label="Reference model scoring", unit="FLOP", format="flops"),
            Output(name="total_flops", label="Total compute", unit="FLOP", format="flops"),
            Output(name="gpu_hours", main=True, label="GPU-hours", unit="GPU-hours", format="count"),
            Output(name="wall_clock_hours", label="Wall clock on these GPUs", unit="hours", format="hours"),
            Output(name="cost_usd", main=True, label="Cost at this price", unit="USD", format="usd"),
            Output(name="tokens_per_second_per_gpu", label="Generated tokens per second per GPU", unit="tokens/s",
                   format="number"),
            Output(name="overall_mfu", label="MFU over the whole loop", unit="fraction", format="percent"),
            Output(name="reported_cost_usd", label="Reported GPU-hours at this price", unit="USD", format="usd"),
            Output(name="reported_wall_clock_hours", label="Reported GPU-hours on these GPUs", unit="hours",
                   format="hours"),
            Output(name="implied_tokens_per_second_per_gpu", label="Generated tokens per second per GPU they imply",
                   unit="tokens/s", format="number"),
            Output(name="implied_mfu", label="MFU they imply", unit="fraction", format="percent"),
            Output(name="reported_over_estimate", label="Reported GPU-hours ÷ this estimate", unit="×",
                   format="number"),
        ),
        compute=compute,
        groups=(RUN, MODEL, SPEED),
        check=peak_errors,
        presets=presets,
        preset_fields=("config", "active_params_billion", "steps", "prompts", "group_size", "accelerator", "gpus",
                       "usd_per_gpu_hour", "reported_gpu_hours"),
        default_preset="deepseek-r1-zero",
        from_config=six_n_from_config,
        examples=(
            Example(title="DeepSeek-R1-Zero: 10,400 steps × 512 answers; 101K H800 GPU-hours, $202K at $2",
                    inputs={"preset": "deepseek-r1-zero"},
                    expected={"answers": 5_324_800, "reported_cost_usd": 202_000},
                    source=rl_common.r1_zero_stage().settings_source),
            Example(title="At a measured 150 generated tokens per second per GPU",
                    inputs={"preset": "deepseek-r1-zero", "basis": "throughput", "tokens_per_second_per_gpu": 150}),
        ),
    )
)
