"""Calculator ``headline-costs``: the published training runs side by side, at their authors' stated price and at
one price of your choosing, with the MFU their GPU-hours imply."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import data, flops, pricing, training
from ..formatting import format_count, format_percent, format_usd
from ..model_config import architecture
from ..parameters import parameter_counts
from ..schema import Calculator, Example, Output, Result
from .common import price_field, usd_bar_chart


def implied_bf16_mfu(run: data.TrainingRun) -> float | None:
    """The BF16 MFU that a run's first-stage GPU-hours imply for 6 × N_active × D (None without tokens or model)."""
    if run.tokens is None or run.model is None:
        return None
    active = parameter_counts(architecture(data.models()[run.model].config)).active.without_embeddings
    total = training.training_flops(flops_per_token=flops.six_n_flops_per_token(params=active), tokens=run.tokens)
    peak = data.accelerators()[run.accelerator].bf16_dense_tflops * 1e12
    return training.implied_mfu(total_flops=total, gpu_hours=run.stages[0].gpu_hours, peak_flops_per_second=peak)


def compute(values: Mapping[str, Any]) -> Result:
    runs = data.training_runs()
    price = values["usd_per_gpu_hour"]
    at_price = {key: pricing.rental_cost_usd(gpu_hours=run.total_gpu_hours, usd_per_gpu_hour=price)
                for key, run in runs.items()}
    rows = []
    for key, run in runs.items():
        mfu = implied_bf16_mfu(run)
        stated = format_usd(run.total_usd) if run.total_usd else "none given"
        rows.append([run.name, f"{run.gpus:,} × {data.accelerators()[run.accelerator].name}",
                     format_count(run.total_gpu_hours), stated, format_usd(at_price[key]),
                     format_percent(mfu) if mfu is not None else "–"])
    base_gpu_hours, _ = data.base_of(runs["deepseek-r1"])  # DeepSeek-V3-Base: V3's pre-training and context extension
    base_usd = pricing.rental_cost_usd(gpu_hours=base_gpu_hours, usd_per_gpu_hour=price)
    out = {
        "v3_usd": at_price["deepseek-v3"],
        "r1_usd": at_price["deepseek-r1"],
        "r1_with_base_gpu_hours": runs["deepseek-r1"].total_gpu_hours + base_gpu_hours,
        "r1_with_base_usd": at_price["deepseek-r1"] + base_usd,
        "llama_usd": at_price["llama-3.1-405b"],
        "llama_to_v3": runs["llama-3.1-405b"].total_gpu_hours / runs["deepseek-v3"].total_gpu_hours,
    }
    table = {"title": f"Published training runs at {format_usd(price)} per GPU-hour",
             "columns": ["Run", "Cluster", "GPU-hours", "Authors' cost", f"At {format_usd(price)}",
                         "Implied BF16 MFU (6N, first stage)"],
             "rows": rows}
    notes = [
        "GPU-hours as published: DeepSeek-V3 Table 1 (arXiv:2412.19437); DeepSeek-R1, Nature 645 (2025), "
        "Supplementary Table 7 (read in transcriptions); Llama 3.1 model card.",
        "One price for H800 and H100 hours alike: the chips compute the same; the H800's slower NVLink is not priced.",
        f"The R1 bill is post-training on top of DeepSeek-V3-Base: V3's pre-training and context extension, "
        f"{format_count(base_gpu_hours)} GPU-hours. R1 from scratch is those and the R1 bill; V3's own post-training "
        "(5K GPU-hours), the rest of V3's row, is not on R1's path.",
    ]
    names = [run.name.split(" (")[0] for run in runs.values()] + ["DeepSeek-V3-Base + R1"]
    chart = usd_bar_chart(f"Training runs at {format_usd(price)} per GPU-hour",
                          list(zip(names, [*at_price.values(), out["r1_with_base_usd"]])))
    return Result(values=out, notes=tuple(notes), tables=(table,), charts=(chart,))


CALCULATOR = (
    Calculator(
        id="headline-costs",
        title="The headline numbers side by side",
        summary="DeepSeek-V3, DeepSeek-R1 and Llama 3.1 405B: published GPU-hours at one price per GPU-hour, and "
                "the MFU the GPU-hours imply.",
        fields=(
            price_field("One rental price for every run (DeepSeek assumed $2)."),
        ),
        outputs=(
            Output(name="v3_usd", label="DeepSeek-V3", unit="USD", format="usd", main=True),
            Output(name="r1_usd", label="DeepSeek-R1 on top of V3", unit="USD", format="usd", main=True),
            Output(name="r1_with_base_gpu_hours", label="DeepSeek-R1 with V3-Base's training, GPU-hours",
                   unit="GPU-hours", format="count"),
            Output(name="r1_with_base_usd", label="DeepSeek-R1 with V3-Base's training", unit="USD", format="usd"),
            Output(name="llama_usd", label="Llama 3.1 405B", unit="USD", format="usd", main=True),
            Output(name="llama_to_v3", label="Llama 3.1 405B / DeepSeek-V3 GPU-hours", unit="×", format="number"),
        ),
        compute=compute,
        examples=(
            Example(title="At DeepSeek's $2: $5.576M, $294K, $61.68M", inputs={"usd_per_gpu_hour": 2},
                    expected={"v3_usd": 5_576_000, "r1_usd": 294_000, "llama_usd": 61_680_000}),
        ),
    )
)
