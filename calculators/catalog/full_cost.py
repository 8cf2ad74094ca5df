"""Calculator ``full-cost``: the final run's rental-priced compute against what building the model costs in full:
experiments, data, staff, and the cluster's capital and operating costs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import data
from ..formatting import format_number, format_percent, format_usd
from ..schema import Calculator, ChoiceField, Example, FieldError, NumberField, Output, Plausible, Result
from .common import YEARS_RANGE, usd_bar_chart

COMPUTE, PEOPLE = "Compute", "Data, staff and time"
OUTSIDE = Plausible(low=0.5, high=1.5, relative=True, source="assumed: ±50%, for an outside estimate")

BASES = (("rent", "Rented: the final run × a multiplier"), ("own", "Owned: the cluster's capital and operating costs"))


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    v3 = data.training_runs()["deepseek-v3"]
    return {
        "headline": ("DeepSeek-V3's final run only (the headline)", {
            "final_run_usd": v3.total_usd, "compute_basis": "rent", "experiment_multiplier": 1, "data_usd": 0,
            "staff": 0}),
        "semianalysis-fleet": ("DeepSeek's fleet as SemiAnalysis estimated it (outside estimate)", {
            "final_run_usd": v3.total_usd, "compute_basis": "own",
            "capex_usd": data.prices()["fleet.semianalysis-deepseek-capex"].low, "amortization_years": 4,
            "period_years": 4, "opex_usd": data.prices()["fleet.semianalysis-deepseek-opex"].low, "data_usd": 0,
            "staff": 0}),
    }


def _owned_compute_usd(values: Mapping[str, Any]) -> tuple[float, float]:
    """(capital written off over the period, that plus the operating costs)."""
    capital = values["capex_usd"] * min(1.0, values["period_years"] / values["amortization_years"])
    return capital, capital + values["opex_usd"]


def check(values: Mapping[str, Any]) -> list[FieldError]:
    if values["compute_basis"] == "own" and _owned_compute_usd(values)[1] < values["final_run_usd"]:
        return [FieldError(field="capex_usd", message="The cluster's capital and operating costs over the period "
                                                      "are less than the final run they include; raise them.")]
    return []


def compute(values: Mapping[str, Any]) -> Result:
    final = values["final_run_usd"]
    if values["compute_basis"] == "rent":
        compute_usd = final * values["experiment_multiplier"]
        parts = [("Final run (the headline)", final), ("Experiments and ablations", compute_usd - final)]
    else:
        capital, compute_usd = _owned_compute_usd(values)
        parts = [("Final run (the headline)", final), ("Cluster capital, written off", capital),
                 ("Cluster operating costs", values["opex_usd"])]
    staff_usd = values["staff"] * values["usd_per_person_year"] * values["period_years"]
    parts += [("Data", values["data_usd"]), ("Staff", staff_usd)]
    total = compute_usd + values["data_usd"] + staff_usd
    out = {
        "compute_usd": compute_usd,
        "staff_usd": staff_usd,
        "total_usd": total,
        "headline_share": final / total,
        "total_to_headline": total / final,
    }
    if total == final:
        notes = ["Nothing but the final run is counted: add experiments, data, staff, or price the cluster you own."]
    else:
        notes = [f"The headline {format_usd(final)} is {format_percent(final / total)} of {format_usd(total)}, "
                 f"which is {format_number(total / final)} times the headline."]
    if values["compute_basis"] == "own":
        notes.append("Owned basis: the final run is part of the cluster's costs and is not added to them. A fleet "
                     "serves every model, experiment and user of its owner, so the headline's share is of the "
                     "fleet over the period, not of one model.")
        if values.get("preset") == "semianalysis-fleet":
            capex, opex = (data.prices()[f"fleet.semianalysis-deepseek-{part}"] for part in ("capex", "opex"))
            notes.append(f"Outside estimate: {format_usd(capex.low)} of server capital and "
                         f"{format_usd(opex.low)} of operating costs (SemiAnalysis, {capex.as_of}, as quoted in the "
                         f"news). {capex.note} {opex.note}")
    return Result(values=out, notes=tuple(notes), charts=(_chart(parts),))


def _chart(parts: list[tuple[str, float]]) -> dict[str, Any]:
    return usd_bar_chart("What the headline is a part of", [(name, usd) for name, usd in parts if usd > 0])


_OWN = {"compute_basis": ("own",)}

CALCULATOR = (
    Calculator(
        id="full-cost",
        title="The headline against the full cost",
        summary="The final run's compute, experiments, data, staff, and the cluster's capital and operating costs -> "
                "what the headline number is a share of.",
        fields=(
            NumberField(name="final_run_usd", label="Final run", unit="$", default=5_576_000, minimum=0,
                        exclusive_minimum=True, maximum=1e13, group=COMPUTE,
                        help="The headline: the final run's GPU-hours × price."),
            ChoiceField(name="compute_basis", label="Compute", default="rent", choices=BASES, group=COMPUTE,
                        help="Price all compute at rental rates, or as the cluster's own costs."),
            NumberField(name="experiment_multiplier", label="All compute / final run", unit="×", default=1,
                        minimum=1, maximum=10_000, relevant_when={"compute_basis": ("rent",)}, group=COMPUTE,
                        plausible=Plausible(low=1, high=5, source="assumed: from none to four times the final run "
                                                                  "again"),
                        help="Compute for research, ablations and failed runs, as a multiple of the final run "
                             "(1: none). Few labs publish it."),
            NumberField(name="capex_usd", label="Cluster capital", unit="$", default=1.6e9, minimum=0, maximum=1e13,
                        relevant_when=_OWN, group=COMPUTE, plausible=OUTSIDE,
                        help="What the cluster's servers, network and buildings cost."),
            NumberField(name="amortization_years", label="Written off over", unit="years", default=4, minimum=0.25,
                        maximum=30, relevant_when=_OWN, group=COMPUTE, plausible=YEARS_RANGE,
                        help="Years of useful life of the capital."),
            NumberField(name="opex_usd", label="Operating costs", unit="$", default=944e6, minimum=0, maximum=1e13,
                        relevant_when=_OWN, group=COMPUTE, plausible=OUTSIDE,
                        help="Power, space, maintenance over the period."),
            NumberField(name="period_years", label="Period", unit="years", default=1, minimum=0.01, maximum=30,
                        group=PEOPLE, plausible=Plausible(low=0.5, high=2, source="assumed"),
                        help="The time the model took; staff and capital are counted over it."),
            NumberField(name="data_usd", label="Data", unit="$", default=0, minimum=0, maximum=1e13, group=PEOPLE,
                        help="Buying, licensing and labelling data."),
            NumberField(name="staff", label="Staff", unit="people", default=0, minimum=0, maximum=1e6, group=PEOPLE,
                        help="People working on the model."),
            NumberField(name="usd_per_person_year", label="Cost per person", unit="$ per year", default=300_000,
                        minimum=0, maximum=1e8, group=PEOPLE,
                        plausible=Plausible(low=0.5, high=1.5, relative=True, source="assumed: ±50%"),
                        help="Salary and overheads per person-year (an assumption)."),
        ),
        outputs=(
            Output(name="compute_usd", label="Compute", unit="USD", format="usd"),
            Output(name="staff_usd", label="Staff", unit="USD", format="usd"),
            Output(name="total_usd", label="Full cost", unit="USD", format="usd", main=True),
            Output(name="headline_share", label="The headline's share", unit="fraction", format="percent", main=True),
            Output(name="total_to_headline", label="Full cost / headline", unit="×", format="number"),
        ),
        compute=compute,
        check=check,
        presets=presets,
        preset_fields=("final_run_usd", "compute_basis", "experiment_multiplier", "capex_usd", "amortization_years",
                       "period_years", "opex_usd", "data_usd", "staff"),
        default_preset="semianalysis-fleet",
        sensitivity_output="total_usd",
        examples=(
            Example(title="SemiAnalysis's fleet estimate: $1.6B capital and $944M operating costs",
                    inputs={"preset": "semianalysis-fleet"},
                    expected={"total_usd": 2.544e9},
                    source="SemiAnalysis, 'DeepSeek Debates' (2025-01-31), as reported (outside estimate)"),
        ),
    )
)
