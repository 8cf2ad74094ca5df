"""Calculator ``training-cost``: training FLOPs from parameters and tokens, GPU-hours at a peak and an MFU, days on
a cluster, dollars at a rental price; and the reverse, the MFU that reported GPU-hours imply."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .. import data, flops, pricing, training
from ..charts import line_chart
from ..formatting import format_count, format_flops, format_number, format_percent
from ..model_config import architecture, architecture_from_json
from ..schema import Calculator, ChoiceField, Example, FieldError, NumberField, Output, Result
from .common import (ACCELERATORS, MFU_RANGE, PRECISIONS, config_field, peak_errors, price_field, rental_range,
                     six_n_from_config)

FLOPS_RULES = (("six_n", "6 × N × D"), ("detailed", "Detailed count from the config"))
RUN = "Cluster and price"


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """The published runs that give a token count: the model's config, its cluster and reported GPU-hours."""
    out = {}
    for key, run in data.training_runs().items():
        if run.tokens is None or run.model is None:
            continue
        # GPU-hours of the stage the tokens were trained in (the first), against which MFU is implied
        config = data.models()[run.model].config
        out[key] = (run.name, {
            "config": json.dumps(config, indent=2),
            **six_n_from_config(architecture(config)),
            "tokens_trillion": run.tokens / 1e12,
            "accelerator": run.accelerator,
            "gpus": run.gpus,
            "precision": "bf16",
            "mfu": run.mfu_low if run.mfu_low is not None else 0.4,
            "usd_per_gpu_hour": run.usd_per_gpu_hour or 2.0,
            "reported_gpu_hours": run.stages[0].gpu_hours,
            "sequence_length": run.sequence_length or 4096,
        })
    return out


def check(values: Mapping[str, Any]) -> list[FieldError]:
    errors = peak_errors(values)
    if values["flops_rule"] == "detailed" and not values["config"].strip():
        errors.append(FieldError(field="flops_rule", message="The detailed count needs the model's config.json: "
                                                             "choose a preset or import one, or use 6 × N × D."))
    return errors


def compute(values: Mapping[str, Any]) -> Result:
    acc = data.accelerators()[values["accelerator"]]
    peak = acc.dense_tflops(values["precision"]) * 1e12
    tokens = values["tokens_trillion"] * 1e12
    six_n = flops.six_n_flops_per_token(params=values["active_params_billion"] * 1e9)
    detailed = None
    if values["config"].strip():
        detailed = flops.model_training_flops_per_token(architecture_from_json(values["config"]),
                                            sequence_length=values["sequence_length"])
    per_token = detailed if values["flops_rule"] == "detailed" else six_n
    total = training.training_flops(flops_per_token=per_token, tokens=tokens)
    gpu_hours = training.gpu_hours_for_flops(total_flops=total, peak_flops_per_second=peak, mfu=values["mfu"])
    reported = values["reported_gpu_hours"] or None
    out: dict[str, float | None] = {
        "flops_per_token": per_token,
        "six_n_flops_per_token": six_n,
        "detailed_flops_per_token": detailed,
        "training_flops": total,
        "gpu_hours": gpu_hours,
        "wall_clock_hours": training.wall_clock_hours(gpu_hours=gpu_hours, gpus=values["gpus"]),
        "cost_usd": pricing.rental_cost_usd(gpu_hours=gpu_hours, usd_per_gpu_hour=values["usd_per_gpu_hour"]),
        "gpu_hours_per_trillion_tokens": training.gpu_hours_per_trillion_tokens(gpu_hours=gpu_hours, tokens=tokens),
        "implied_mfu": None,
        "reported_wall_clock_hours": None,
        "reported_cost_usd": None,
        "reported_gpu_hours_per_trillion_tokens": None,
    }
    precision = dict(PRECISIONS)[values["precision"]]
    peak_source = acc.sources.get(values["precision"] + "_dense_tflops", acc.source)
    status = "" if acc.verified else "; read in secondary sources, not NVIDIA's datasheet"
    notes = [f"Peak: {acc.name}, {format_number(peak / 1e12)} TFLOPS dense {precision} ({peak_source}{status})."]
    if reported:
        run = training.reported_run(gpu_hours=reported, total_flops=total, peak_flops_per_second=peak,
                                    gpus=values["gpus"], usd_per_gpu_hour=values["usd_per_gpu_hour"])
        mfu = run.implied_mfu
        out.update(
            implied_mfu=mfu,
            reported_wall_clock_hours=run.wall_clock_hours,
            reported_cost_usd=run.cost_usd,
            reported_gpu_hours_per_trillion_tokens=training.gpu_hours_per_trillion_tokens(gpu_hours=reported,
                                                                                          tokens=tokens),
        )
        notes.append(f"{format_count(reported)} reported GPU-hours for {format_flops(total)} imply an MFU of "
                     f"{format_percent(mfu)} against the {precision} peak. Whatever the GPU-hours hold besides the "
                     "model's arithmetic (restarts, evaluation, idle GPUs, recomputed activations) lowers it.")
        if mfu > 1:
            notes.append("An MFU above 100% is impossible: the FLOP count, the tokens or the peak does not match "
                         "the reported GPU-hours.")
    if detailed is not None:
        notes.append(f"Per token: 6N gives {format_flops(six_n)}; the count from the config gives "
                     f"{format_flops(detailed)} ({(detailed / six_n - 1) * 100:+.1f}%), mostly attention over "
                     f"sequences of {values['sequence_length']:,} tokens (6N leaves it out).")
    notes.extend(_published_notes(values.get("preset"), reported, total))
    return Result(values=out, notes=tuple(notes), charts=(_mfu_chart(values, total, peak, reported),))


def _published_notes(preset: str | None, reported: float | None, total: float) -> list[str]:
    run = data.training_runs().get(preset) if preset else None
    if run is None:
        return []
    notes = []
    if run.gpu_hours_per_trillion_tokens:
        notes.append(f"Published: {format_count(run.gpu_hours_per_trillion_tokens)} GPU-hours per trillion tokens "
                     f"and {format_number(run.days_per_trillion_tokens)} days per trillion on {run.gpus:,} GPUs "
                     f"({run.source.split(';')[0]}).")
    if run.mfu_low is not None and run.mfu_high is not None:
        notes.append(f"Published: BF16 MFU of {format_percent(run.mfu_low)} to {format_percent(run.mfu_high)} while "
                     "training ran; the GPU-hours also count time it did not (interruptions, checkpoints, "
                     "post-training), so the MFU they imply is lower.")
    if run.total_flops is not None:
        notes.append(f"Published compute budget: {format_flops(run.total_flops)}; this count: {format_flops(total)}.")
    if run.precision == "fp8":
        notes.append("This run computed its matrix multiplications in FP8, whose peak is twice BF16's; MFU is "
                     "conventionally quoted against BF16 (choose FP8 to see it against the FP8 peak).")
    return notes


def _mfu_chart(values: Mapping[str, Any], total: float, peak: float, reported: float | None) -> dict[str, Any]:
    """GPU-hours against MFU for these FLOPs, with the reported GPU-hours as a rule."""
    mfus = [m / 100 for m in range(10, 81, 5)]
    if values["mfu"] not in mfus:
        mfus = sorted([*mfus, values["mfu"]])
    points = [[m, training.gpu_hours_for_flops(total_flops=total, peak_flops_per_second=peak, mfu=m)] for m in mfus]
    rules = [{"y": reported, "label": f"Reported: {format_count(reported)} GPU-hours"}] if reported else []
    return line_chart(
        title="The same FLOPs take fewer GPU-hours as utilisation rises",
        x_label="MFU (share of peak)", x_format="percent",
        y_label="GPU-hours", y_format="count",
        series=[("GPU-hours", points)],
        markers=[{"x": values["mfu"], "label": f"MFU {format_percent(values['mfu'])}"}],
        rules=rules,
    )


CALCULATOR = (
    Calculator(
        id="training-cost",
        title="Training compute, time and cost",
        summary="Parameters and tokens -> training FLOPs -> GPU-hours at a peak and an MFU -> days on your cluster -> "
                "dollars at a rental price; and the MFU that reported GPU-hours imply.",
        fields=(
            NumberField(name="active_params_billion", label="Active parameters", symbol="N_active", unit="billion",
                        default=36.6, minimum=0, exclusive_minimum=True, maximum=1e6, group="Model",
                        help="Parameters each token multiplies by (the active ones for an MoE), without the "
                             "token-embedding table: the N of 6N on this site. A preset or config fills it from "
                             "the count."),
            NumberField(name="tokens_trillion", label="Training tokens", symbol="T_train", unit="trillion", default=14.8,
                        minimum=0, exclusive_minimum=True, maximum=1e6, group="Model", help="Tokens trained on."),
            ChoiceField(name="flops_rule", label="FLOPs per token", default="six_n", choices=FLOPS_RULES, group="Model",
                        help="6N ignores attention; the detailed count adds it, from the config."),
            NumberField(name="sequence_length", label="Sequence length", symbol="T", unit="tokens", default=4096,
                        integer=True, minimum=1, maximum=1e8, relevant_when={"flops_rule": ("detailed",)},
                        group="Model", advanced=True,
                        help="Training sequence length; each token attends to T/2 earlier ones on average."),
            ChoiceField(name="accelerator", label="Accelerator", default="h800", choices=ACCELERATORS, group=RUN,
                        help="Its peak dense throughput is what MFU is a share of."),
            ChoiceField(name="precision", label="Peak at", default="bf16", choices=PRECISIONS, group=RUN,
                        help="MFU is usually quoted against the BF16 peak, even for FP8 training."),
            NumberField(name="mfu", label="MFU", symbol="MFU", unit="fraction", default=0.4, minimum=0, exclusive_minimum=True,
                        maximum=1, suggestions=((0.3, "30%"), (0.4, "40%"), (0.5, "50%")), group=RUN,
                        plausible=MFU_RANGE,
                        help="Model FLOPs utilisation: the share of peak the model's arithmetic achieves, between "
                             "0 and 1 (Llama 3 405B: 0.38 to 0.43)."),
            NumberField(name="gpus", label="GPUs", symbol="n_GPU", default=2048, integer=True, minimum=1,
                        maximum=10_000_000, group=RUN,
                        help="GPUs training at once; wall-clock time is GPU-hours / GPUs."),
            price_field("Rental price (DeepSeek assumed $2 for the H800).", group=RUN, plausible=rental_range()),
            NumberField(name="reported_gpu_hours", label="Reported GPU-hours", unit="GPU-hours", default=2_664_000,
                        minimum=0, maximum=1e12, group="Check against a report", advanced=True,
                        help="GPU-hours a report gives for these tokens, to find the MFU they imply (0: none)."),
            config_field(fills="sets N from the count and enables the detailed FLOPs", group="Model"),
        ),
        outputs=(
            Output(name="flops_per_token", label="Training FLOPs per token", unit="FLOP", format="flops"),
            Output(name="six_n_flops_per_token", label="6N per token", unit="FLOP", format="flops"),
            Output(name="detailed_flops_per_token", label="Counted from the config, per token", unit="FLOP",
                   format="flops"),
            Output(name="training_flops", label="Training compute", unit="FLOP", format="flops", main=True),
            Output(name="gpu_hours", label="GPU-hours at this MFU", unit="GPU-hours", format="count", main=True),
            Output(name="wall_clock_hours", label="Wall-clock time on these GPUs", unit="hours", format="hours",
                   main=True),
            Output(name="cost_usd", label="Cost at this price", unit="USD", format="usd", main=True),
            Output(name="gpu_hours_per_trillion_tokens", label="GPU-hours per trillion tokens", unit="GPU-hours",
                   format="count"),
            Output(name="implied_mfu", label="MFU the reported GPU-hours imply", unit="fraction", format="percent",
                   main=True),
            Output(name="reported_wall_clock_hours", label="Reported GPU-hours on these GPUs", unit="hours",
                   format="hours"),
            Output(name="reported_cost_usd", label="Reported GPU-hours at this price", unit="USD", format="usd"),
            Output(name="reported_gpu_hours_per_trillion_tokens", label="Reported GPU-hours per trillion tokens",
                   unit="GPU-hours", format="count"),
        ),
        compute=compute,
        sensitivity_output="cost_usd",
        check=check,
        presets=presets,
        preset_fields=("config", "active_params_billion", "tokens_trillion", "accelerator", "gpus", "precision", "mfu", "usd_per_gpu_hour",
                       "reported_gpu_hours", "sequence_length"),
        default_preset="deepseek-v3",
        from_config=six_n_from_config,
        groups=(RUN, "Model"),
        examples=(
            Example(title="DeepSeek-V3 pre-training: 2,664K H800 GPU-hours for 14.8T tokens",
                    inputs={"preset": "deepseek-v3"},
                    expected={"reported_cost_usd": 5_328_000, "reported_gpu_hours_per_trillion_tokens": 180_000},
                    source="DeepSeek-V3 Technical Report, Table 1 and Sec. 1"),
            Example(title="Llama 3.1 405B: 30.84M H100 GPU-hours",
                    inputs={"preset": "llama-3.1-405b", "usd_per_gpu_hour": 2},
                    expected={"reported_cost_usd": 61_680_000},
                    source="Llama 3.1 model card, Training Energy Use table"),
        ),
    )
)
