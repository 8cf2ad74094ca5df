"""Calculator ``run-bill``: a training run's bill, stage by stage: GPU-hours (given, or GPUs × hours) × a rental
price; with the published DeepSeek-V3 (Table 1), DeepSeek-R1 and Llama 3.1 405B runs as presets."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .. import data, pricing, training
from ..formatting import format_count, format_hours, format_percent, format_usd
from ..schema import Calculator, ChoiceField, Example, FieldError, NumberField, Output, Result, TextField, grouped
from .common import price_field, usd_bar_chart

STAGES = 3
BASES = (("gpu_hours", "GPU-hours"), ("gpus_hours", "GPUs × hours"))


def _stage_fields(n: int) -> tuple[Any, ...]:
    by_count = {f"stage{n}_basis": ("gpus_hours",)}
    return grouped(
        f"Stage {n}",
        TextField(name=f"stage{n}_name", label=f"Stage {n}", default="", max_chars=80, rows=1,
                  placeholder=f"Stage {n}", help="A name for the stage (shown in the table)."),
        ChoiceField(name=f"stage{n}_basis", label=f"Stage {n} given as", default="gpu_hours", choices=BASES,
                    help="GPU-hours as a report prints them, or GPUs and wall-clock hours."),
        NumberField(name=f"stage{n}_gpu_hours", label=f"Stage {n} GPU-hours", unit="GPU-hours", default=0, minimum=0,
                    maximum=1e12, relevant_when={f"stage{n}_basis": ("gpu_hours",)},
                    help="0 leaves the stage out."),
        NumberField(name=f"stage{n}_gpus", label=f"Stage {n} GPUs", default=0, integer=True, minimum=0,
                    maximum=10_000_000, relevant_when=by_count, help="GPUs the stage ran on."),
        NumberField(name=f"stage{n}_hours", label=f"Stage {n} hours", unit="hours", default=0, minimum=0,
                    maximum=1e7, relevant_when=by_count, help="Wall-clock hours the stage ran."),
        advanced=n == STAGES,
    )


def _stage_inputs(n: int, stage: data.RunStage | None) -> dict[str, Any]:
    if stage is None:
        return {f"stage{n}_name": "", f"stage{n}_basis": "gpu_hours", f"stage{n}_gpu_hours": 0}
    if stage.gpus and stage.hours:
        return {f"stage{n}_name": stage.name, f"stage{n}_basis": "gpus_hours", f"stage{n}_gpus": stage.gpus,
                f"stage{n}_hours": stage.hours}
    return {f"stage{n}_name": stage.name, f"stage{n}_basis": "gpu_hours", f"stage{n}_gpu_hours": stage.gpu_hours}


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """Each published run: its stages (by GPUs × hours where the authors gave both), price and base run."""
    runs = data.training_runs()
    out = {}
    for key, run in runs.items():
        inputs: dict[str, Any] = {"usd_per_gpu_hour": run.usd_per_gpu_hour or 2.0, "base_usd": 0}
        for n in range(1, STAGES + 1):
            inputs.update(_stage_inputs(n, run.stages[n - 1] if n <= len(run.stages) else None))
        base = data.base_of(run)
        if base is not None:
            inputs["base_usd"] = base[1]
        out[key] = (run.name, inputs)
    return out


def _stages(values: Mapping[str, Any]) -> list[tuple[str, float, int | None, float | None]]:
    """(name, GPU-hours, GPUs, hours) of each stage with GPU-hours."""
    stages = []
    for n in range(1, STAGES + 1):
        name = values[f"stage{n}_name"].strip() or f"Stage {n}"
        if values[f"stage{n}_basis"] == "gpus_hours":
            gpus, hours = values[f"stage{n}_gpus"], values[f"stage{n}_hours"]
            stages.append((name, gpus * hours, gpus, hours))
        else:
            stages.append((name, values[f"stage{n}_gpu_hours"], None, None))
    return [s for s in stages if s[1] > 0]


def check(values: Mapping[str, Any]) -> list[FieldError]:
    if not _stages(values):
        return [FieldError(field="stage1_gpu_hours" if values["stage1_basis"] == "gpu_hours" else "stage1_gpus",
                           message="Give at least one stage some GPU-hours.")]
    return []


def compute(values: Mapping[str, Any]) -> Result:
    price = values["usd_per_gpu_hour"]
    stages = _stages(values)
    total_hours = math.fsum(s[1] for s in stages)
    total_usd = pricing.rental_cost_usd(gpu_hours=total_hours, usd_per_gpu_hour=price)
    base = values["base_usd"]
    out = {
        "total_gpu_hours": total_hours,
        "total_usd": total_usd,
        "total_with_base_usd": total_usd + base if base else None,
        "share_of_total": total_usd / (total_usd + base) if base else None,
    }
    run = data.training_runs().get(values.get("preset") or "")
    published = {s.name: s for s in run.stages} if run else {}
    rows = []
    for name, gpu_hours, gpus, hours in stages:
        pub = published.get(name)
        rows.append([
            name,
            f"{gpus:,} × {format_hours(hours)}" if gpus else "–",
            format_count(gpu_hours),
            format_usd(pricing.rental_cost_usd(gpu_hours=gpu_hours, usd_per_gpu_hour=price)),
            f"{format_count(pub.gpu_hours)} / {format_usd(pub.usd)}" if pub and pub.usd else
            (format_count(pub.gpu_hours) if pub else "–"),
        ])
    rows.append(["Total", "", format_count(total_hours), format_usd(total_usd),
                 (f"{format_count(run.total_gpu_hours)} / {format_usd(run.total_usd)}" if run and run.total_usd else
                  format_count(run.total_gpu_hours) if run else "–")])
    table = {"title": f"The bill at {format_usd(price)} per GPU-hour",
             "columns": ["Stage", "GPUs × wall clock", "GPU-hours", "Cost", "Published (GPU-hours / cost)"],
             "rows": rows}
    notes = [f"Cost = GPU-hours × {format_usd(price)}: a rental price, not what the owner of the GPUs paid for them."]
    if run is not None:
        notes.append(f"Published figures: {run.source}.")
        if not run.verified:
            notes.append(f"Source caveat: {run.note}")
        elif run.note:
            notes.append(run.note)
        if run.usd_per_gpu_hour is None:
            notes.append(f"{run.name}: its authors gave GPU-hours but no price; the price here is yours to set.")
    for name, gpu_hours, gpus, _hours in stages:
        if gpus is None and run and run.gpus and name in published and published[name].gpus:
            days = training.wall_clock_hours(gpu_hours=gpu_hours, gpus=published[name].gpus) / 24
            notes.append(f"{name}: {format_count(gpu_hours)} GPU-hours on {published[name].gpus:,} GPUs is "
                         f"{days:.1f} days of wall clock.")
    if base:
        notes.append(f"With the base model's own run ({format_usd(base)}), this bill is "
                     f"{format_percent(total_usd / (total_usd + base))} of {format_usd(total_usd + base)}.")
    return Result(values=out, notes=tuple(notes), tables=(table,), charts=(_chart(stages, price, base),))


def _chart(stages: list[tuple[str, float, int | None, float | None]], price: float, base: float) -> dict[str, Any]:
    bars = [(s[0], pricing.rental_cost_usd(gpu_hours=s[1], usd_per_gpu_hour=price)) for s in stages]
    return usd_bar_chart("Where the dollars go", bars + ([("Base model's run", base)] if base else []))


CALCULATOR = (
    Calculator(
        id="run-bill",
        title="A training run's bill, stage by stage",
        summary="Each stage's GPU-hours (or GPUs × hours) × a rental price -> the bill; DeepSeek-V3's Table 1, the "
                "DeepSeek-R1 bill and Llama 3.1 405B as presets.",
        fields=(
            *(f for n in range(1, STAGES + 1) for f in _stage_fields(n)),
            price_field("Rental price per GPU-hour (DeepSeek assumed $2 for the H800)."),
            NumberField(name="base_usd", label="Base model's run", unit="$", default=0, minimum=0, maximum=1e12,
                        group="Price",
                        help="The cost of the run this one starts from, if any (0: none), to show the bill's share."),
        ),
        outputs=(
            Output(name="total_gpu_hours", label="GPU-hours", unit="GPU-hours", format="count", main=True),
            Output(name="total_usd", label="Bill", unit="USD", format="usd", main=True),
            Output(name="total_with_base_usd", label="With the base model's run", unit="USD", format="usd"),
            Output(name="share_of_total", label="This bill's share of that", unit="fraction", format="percent"),
        ),
        compute=compute,
        groups=("Price",),
        check=check,
        presets=presets,
        preset_fields=(*(f.name for n in range(1, STAGES + 1) for f in _stage_fields(n)), "usd_per_gpu_hour",
                       "base_usd"),
        default_preset="deepseek-v3",
        examples=(
            Example(title="DeepSeek-V3, Table 1: 2,788K H800 GPU-hours, $5.576M at $2",
                    inputs={"preset": "deepseek-v3"},
                    expected={"total_gpu_hours": 2_788_000, "total_usd": 5_576_000},
                    source="DeepSeek-V3 Technical Report (arXiv:2412.19437), Table 1"),
            Example(title="DeepSeek-R1: 512 H800 × 198 h + 5K + 512 × 80 h, about $294K at $2",
                    inputs={"preset": "deepseek-r1"},
                    expected={"total_gpu_hours": 147_336, "total_usd": 294_672},
                    source="DeepSeek-R1, Nature 645 (2025), Supplementary Information (secondary reports)"),
        ),
    )
)
