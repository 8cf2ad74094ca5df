"""Calculator ``precision``: BF16 against FP8, in peak throughput and in the bytes training keeps per parameter;
what FP8 saves and what it does not."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import data, memory, training
from ..formatting import format_bytes, format_number, format_percent
from ..schema import Calculator, ChoiceField, Example, FieldError, NumberField, Output, Result, grouped
from .common import ACCELERATORS, reserve_field

BYTES = ((1, "1 (FP8)"), (2, "2 (BF16)"), (4, "4 (FP32)"))
MASTER = ((0, "None"), (2, "2 (BF16)"), (4, "4 (FP32)"))
BASELINE = training.BF16_ADAM_STATE
HARDWARE, STATE, ASSUMPTIONS = "Model and hardware", "Training state, bytes per parameter", "Assumptions"


def _recipe(values: Mapping[str, Any]) -> training.TrainingStateBytes:
    return training.training_state_bytes_per_param(
        weight_bytes=int(values["weight_bytes"]), master_bytes=int(values["master_bytes"]),
        gradient_bytes=int(values["gradient_bytes"]), moment_bytes=int(values["moment_bytes"]))


def _choice(name: str, label: str, default: int, choices: tuple[tuple[int, str], ...], help: str) -> ChoiceField:
    return ChoiceField(name=name, label=label, default=str(default), help=help,
                       choices=tuple((str(v), text) for v, text in choices))


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        "deepseek-v3": ("DeepSeek-V3's FP8 recipe", {
            "weight_bytes": "2", "master_bytes": "4", "gradient_bytes": "4", "moment_bytes": "2",
            "params_billion": 671, "accelerator": "h800"}),
        "bf16-adam": ("BF16 mixed precision with Adam (ZeRO's 16 bytes)", {
            "weight_bytes": "2", "master_bytes": "4", "gradient_bytes": "2", "moment_bytes": "4",
            "params_billion": 671, "accelerator": "h800"}),
    }


def check(values: Mapping[str, Any]) -> list[FieldError]:
    acc = data.accelerators()[values["accelerator"]]
    if acc.fp8_dense_tflops is None:
        return [FieldError(field="accelerator", message=f"The {acc.name} has no FP8 tensor cores to compare.")]
    return []


def compute(values: Mapping[str, Any]) -> Result:
    acc = data.accelerators()[values["accelerator"]]
    recipe = _recipe(values)
    params = values["params_billion"] * 1e9
    share = values["gemm_time_share"]
    usable = memory.usable_memory_bytes(memory_bytes=acc.memory_bytes, reserve_fraction=values["reserve_fraction"])
    out = {
        "bf16_tflops": acc.bf16_dense_tflops,
        "fp8_tflops": acc.fp8_dense_tflops,
        "peak_ratio": acc.fp8_dense_tflops / acc.bf16_dense_tflops,
        "step_speedup": training.step_speedup(accelerated_share=share,
                                              speedup=acc.fp8_dense_tflops / acc.bf16_dense_tflops),
        "state_bytes_per_param": recipe.total,
        "baseline_bytes_per_param": BASELINE.total,
        "state_saving": 1 - recipe.total / BASELINE.total,
        "state_bytes": recipe.total * params,
        "gpus_for_state": memory.accelerators_to_hold(state_bytes=recipe.total * params,
                                                      usable_bytes_per_accelerator=usable),
        "bf16_weight_bytes": 2 * params,
        "fp8_weight_bytes": params,
    }
    rows = []
    for label, part in (("Working weights", "weights"), ("Master weights", "master"), ("Gradients", "gradients"),
                        ("Adam moments (two)", "moments")):
        rows.append([label, format_number(getattr(BASELINE, part)), format_number(getattr(recipe, part)),
                     format_bytes(getattr(recipe, part) * params)])
    rows.append(["Total", format_number(BASELINE.total), format_number(recipe.total),
                 format_bytes(recipe.total * params)])
    table = {"title": "Training state, bytes per parameter",
             "columns": ["Part", "BF16 + Adam (ZeRO)", "This recipe", f"For {format_number(values['params_billion'])}B"],
             "rows": rows}
    notes = [
        f"{acc.name}: FP8 peaks at {format_number(acc.fp8_dense_tflops)} TFLOPS dense against "
        f"{format_number(acc.bf16_dense_tflops)} for BF16 ({acc.sources.get('fp8_dense_tflops', acc.source)}"
        f"{'' if acc.verified else '; read in secondary sources, not NVIDIA’s datasheet'}).",
        f"If matrix multiplications take {format_percent(share)} of a BF16 step, running them at FP8 speed makes "
        f"the step {format_number(out['step_speedup'], 3)}× faster, not 2×: attention softmax, norms, "
        "communication and the optimizer do not speed up (the share is an assumption; measure your own).",
        "Activations are not in the table: DeepSeek-V3 caches some in FP8 and recomputes others (Sec. 3.3.3), "
        "which is where FP8 saves memory in training; the optimizer state barely shrinks.",
    ]
    if values.get("preset") == "deepseek-v3":
        notes.append("DeepSeek-V3 (arXiv:2412.19437, Sec. 3.3.3) keeps Adam's moments in BF16 and the master weights "
                     "and gradients in FP32; it does not say whether a BF16 working copy of the weights is kept. "
                     "One is counted here (2 bytes): the FP8 copies its matrix multiplications read are made on "
                     "the fly, tile by tile.")
    return Result(values=out, notes=tuple(notes), tables=(table,))


CALCULATOR = (
    Calculator(
        id="precision",
        title="BF16 or FP8: throughput and training memory",
        summary="Peak BF16 and FP8 throughput, the step speed-up when only matrix multiplications speed up, and "
                "the bytes per parameter of weights, gradients and optimizer states in mixed-precision training.",
        fields=(
            ChoiceField(name="accelerator", label="Accelerator", default="h800", choices=ACCELERATORS, group=HARDWARE,
                        help="Its BF16 and FP8 dense peaks."),
            NumberField(name="params_billion", label="Parameters", symbol="N", unit="billion", default=671, minimum=0,
                        exclusive_minimum=True, maximum=1e6, group=HARDWARE,
                        help="All parameters: every one has training state."),
            *grouped(STATE,
                     _choice("weight_bytes", "Working weights", 2, BYTES,
                             "The copy the forward and backward passes read."),
                     _choice("master_bytes", "Master weights", 4, MASTER, "The copy the optimizer updates."),
                     _choice("gradient_bytes", "Gradients", 4, BYTES,
                             "The gradient buffer (accumulated over micro-batches)."),
                     _choice("moment_bytes", "Each Adam moment", 2, BYTES, "First and second moments, each.")),
            NumberField(name="gemm_time_share", label="Matrix-multiply share of step time", unit="fraction",
                        default=0.7, minimum=0, maximum=1, group=ASSUMPTIONS,
                        help="Share of a BF16 training step spent in matrix multiplications (an assumption)."),
            reserve_field(default=0.3, kept_for="activations", group=ASSUMPTIONS),
        ),
        outputs=(
            Output(name="bf16_tflops", label="BF16 peak, dense", unit="TFLOPS", format="number"),
            Output(name="fp8_tflops", label="FP8 peak, dense", unit="TFLOPS", format="number"),
            Output(name="peak_ratio", label="FP8 / BF16 peak", unit="×", format="number"),
            Output(name="step_speedup", main=True, label="Training step speed-up", unit="×", format="number"),
            Output(name="state_bytes_per_param", label="Training state per parameter", unit="bytes", format="number",
                   main=True),
            Output(name="baseline_bytes_per_param", label="BF16 + Adam baseline", unit="bytes", format="number"),
            Output(name="state_saving", label="Saved against the baseline", unit="fraction", format="percent",
                   main=True),
            Output(name="state_bytes", label="Training state for the model", unit="bytes", format="bytes"),
            Output(name="gpus_for_state", label="GPUs just to hold it", unit="GPUs", format="count"),
            Output(name="bf16_weight_bytes", label="Weights for serving, BF16", unit="bytes", format="bytes"),
            Output(name="fp8_weight_bytes", label="Weights for serving, FP8", unit="bytes", format="bytes"),
        ),
        compute=compute,
        check=check,
        presets=presets,
        preset_fields=("weight_bytes", "master_bytes", "gradient_bytes", "moment_bytes", "params_billion",
                       "accelerator"),
        default_preset="deepseek-v3",
        examples=(
            Example(title="ZeRO's mixed-precision Adam: 16 bytes per parameter",
                    inputs={"preset": "bf16-adam"}, expected={"state_bytes_per_param": 16},
                    source="Rajbhandari et al., ZeRO (arXiv:1910.02054), Sec. 3.1"),
        ),
    )
)
