"""Calculator ``buy-vs-rent``: what an owned GPU costs per hour of use (capital, cost of capital, power, fixed
costs, utilisation) against a rental price; the utilisation at which they break even; and both over time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import data, pricing
from ..charts import line_chart
from ..formatting import format_number, format_percent, format_usd
from ..schema import Calculator, ChoiceField, Example, NumberField, Output, Plausible, Result
from .common import ACCELERATORS, ASSUMED, YEARS_RANGE

USE, BUY, POWER = "Use and rent", "Buying", "Power"



def _gpu_price_range() -> Plausible:
    """The H100's 2025 price range around its midpoint, as factors of the price entered."""
    quote = _price("purchase.h100-2025")
    mid = _midpoint("purchase.h100-2025")
    return Plausible(low=quote.low / mid, high=quote.high / mid, relative=True,
                     source=f"±{(quote.high / mid - 1) * 100:.0f}%: the H100's range in 2025, {format_usd(quote.low)} "
                            f"to {format_usd(quote.high)} ({quote.source.split(':')[0]})")


def _pue_range() -> Plausible:
    low, high = _price("power.pue-hyperscale-2024"), _price("power.pue-industry-2024")
    return Plausible(low=low.low, high=high.high, source=f"{format_number(low.low)}, {low.what} ({low.as_of}), to "
                                                         f"{format_number(high.high)}, the industry average ({high.as_of})")

def _price(key: str) -> data.PriceQuote:
    return data.prices()[key]


def _midpoint(key: str) -> float:
    quote = _price(key)
    return (quote.low + quote.high) / 2


def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """Owning H100s and B200s at published prices, against DeepSeek's $2 and today's rental quotes."""
    common = {"server_premium": _price("purchase.server-premium-h100").low,
              "pue": _price("power.pue-industry-2024").low,
              "usd_per_kwh": _price("electricity.us-industrial-2024").low}
    return {
        "h100-vs-2usd": ("H100 bought in 2025, against DeepSeek's $2 an hour", {
            **common, "accelerator": "h100", "gpu_price_usd": _midpoint("purchase.h100-2025"),
            "watts_per_gpu": _price("power.dgx-h100").low, "rental_usd_per_gpu_hour": 2.0}),
        "h100-vs-lambda": ("H100 bought in 2025, against Lambda's on-demand price", {
            **common, "accelerator": "h100", "gpu_price_usd": _midpoint("purchase.h100-2025"),
            "watts_per_gpu": _price("power.dgx-h100").low,
            "rental_usd_per_gpu_hour": _price("rental.lambda-h100-2026").low}),
        "b200-vs-lambda": ("B200 at its expected price, against Lambda's on-demand price", {
            **common, "accelerator": "b200", "gpu_price_usd": _midpoint("purchase.b200-2024"),
            # the DGX H100's system power per GPU over the H100's TDP, applied to the B200's TDP
            "watts_per_gpu": pricing.system_watts_per_gpu(
                reference_system_watts_per_gpu=_price("power.dgx-h100").low,
                reference_gpu_watts=data.accelerators()["h100"].power_watts,
                gpu_watts=data.accelerators()["b200"].power_watts),
            "rental_usd_per_gpu_hour": _price("rental.lambda-b200-2026").low}),
    }


def compute(values: Mapping[str, Any]) -> Result:
    capex = pricing.capital_per_gpu_usd(gpu_price_usd=values["gpu_price_usd"], server_premium=values["server_premium"],
                                        overhead_fraction=values["overhead_fraction"])
    power = pricing.power_cost_per_gpu_hour(watts=values["watts_per_gpu"], pue=values["pue"],
                                            usd_per_kwh=values["usd_per_kwh"])
    ownership = {"capex_usd": capex, "years": values["years"], "rate": values["cost_of_capital"],
                 "fixed_usd_per_year": values["fixed_usd_per_gpu_year"], "power_usd_per_hour": power}
    owned = pricing.owned_cost_per_gpu_hour(**ownership, utilization=values["utilization"])
    rent = values["rental_usd_per_gpu_hour"]
    annual = pricing.annual_capital_cost_usd(capex_usd=capex, rate=values["cost_of_capital"], years=values["years"])
    break_even = pricing.break_even_utilization(**ownership, rental_usd_per_gpu_hour=rent)
    payback = pricing.cash_payback_months(capex_usd=capex, used_hours_per_year=pricing.HOURS_PER_YEAR * values["utilization"],
                                          rental_usd_per_gpu_hour=rent, power_usd_per_hour=power,
                                          fixed_usd_per_year=values["fixed_usd_per_gpu_year"])
    out = {
        "capex_per_gpu_usd": capex,
        "cluster_capex_usd": capex * values["gpus"],
        "capital_usd_per_gpu_year": annual,
        "power_usd_per_gpu_hour": power,
        "owned_usd_per_used_hour": owned,
        "owned_to_rent_ratio": owned / rent if rent > 0 else None,
        "break_even_utilization": break_even,
        "payback_months": payback,
        "run_owned_usd": owned * values["run_gpu_hours"] if values["run_gpu_hours"] else None,
        "run_rented_usd": rent * values["run_gpu_hours"] if values["run_gpu_hours"] else None,
    }
    acc = data.accelerators()[values["accelerator"]]
    notes = [
        f"Capital per GPU: {format_usd(values['gpu_price_usd'])} × (1 + {format_percent(values['server_premium'])} "
        f"server) × (1 + {format_percent(values['overhead_fraction'])} network and facility) = {format_usd(capex)}; "
        f"repaid over {format_number(values['years'])} years at {format_percent(values['cost_of_capital'])}: "
        f"{format_usd(annual)} a year, whether the GPU works or not.",
        f"Power: {format_number(values['watts_per_gpu'])} W × PUE {format_number(values['pue'])} × "
        f"{format_usd(values['usd_per_kwh'])}/kWh = {format_usd(power)} per hour of use "
        f"(the {acc.name} alone is rated {format_number(acc.power_watts)} W"
        f"{', a figure inferred, not published' if acc.sources.get('power_watts', '').startswith('inferred') else ''}"
        "; idle power is left out).",
    ]
    if break_even is None:
        notes.append(f"At {format_usd(rent)} an hour renting is cheaper even at 100% utilisation: the rental price does "
                     "not cover the owner's capital and power.")
    else:
        notes.append(f"Owning is cheaper than renting at {format_usd(rent)} only above "
                     f"{format_percent(break_even)} utilisation.")
    notes.append("Not counted: resale value at the end of the period, staff, software, failures and spares; the "
                 "chart is cash, before the cost of capital.")
    return Result(values=out, notes=tuple(notes), charts=(_cumulative_chart(values, capex, power, payback),),
                  tables=(_quotes_table(values["accelerator"], owned),))


def _quotes_table(accelerator: str, owned: float) -> dict[str, Any]:
    """The dated rental quotes in data/prices.toml for this accelerator, against the owned cost."""
    rows = []
    for quote in data.prices().values():
        if quote.key.startswith("rental.") and quote.accelerator == accelerator:
            price = format_usd(quote.low) if quote.low == quote.high else f"{format_usd(quote.low)}–{format_usd(quote.high)}"
            ratio = owned / ((quote.low + quote.high) / 2)
            what = quote.what if quote.verified else f"{quote.what} (secondary)"
            rows.append([what, quote.as_of, price, f"{format_number(ratio, 3)}×"])
    return {"title": "Rental quotes on record for this accelerator",
            "columns": ["Quote", "As of", "$ per GPU-hour", "Owned / rented"], "rows": rows}


def _cumulative_chart(values: Mapping[str, Any], capex: float, power: float, payback: float | None) -> dict[str, Any]:
    """Cumulative cash for the cluster, owned against rented, month by month over the depreciation period."""
    months = max(12, round(values["years"] * 12))
    step = max(1, months // 48)
    used_per_month = values["gpus"] * pricing.HOURS_PER_YEAR * values["utilization"] / 12
    fixed_per_month = values["gpus"] * values["fixed_usd_per_gpu_year"] / 12
    owned, rented = [], []
    for m in range(0, months + 1, step):
        owned.append([m, values["gpus"] * capex + m * (fixed_per_month + used_per_month * power)])
        rented.append([m, m * used_per_month * values["rental_usd_per_gpu_hour"]])
    return line_chart(
        title="Cumulative cash: buy once and pay power, or rent by the hour",
        x_label="Months", x_format="count",
        y_label="US dollars", y_format="usd",
        series=[("Owned", owned), ("Rented", rented)],
        markers=[{"x": payback, "label": f"Paid back: month {payback:.0f}"}] if payback and payback <= months else [],
    )


CALCULATOR = (
    Calculator(
        id="buy-vs-rent",
        title="Buy or rent GPUs",
        summary="Purchase price, server and facility overhead, power, depreciation, cost of capital and utilisation "
                "-> what an owned GPU costs per hour of use, against a rental price; the break-even utilisation.",
        fields=(
            ChoiceField(name="accelerator", label="Accelerator", default="h100", choices=ACCELERATORS, group=BUY,
                        help="For its rated power and the rental quotes on record."),
            NumberField(name="gpus", label="GPUs", symbol="n_GPU", default=2048, integer=True, minimum=1, maximum=10_000_000,
                        group=USE, help="GPUs in the cluster."),
            NumberField(name="gpu_price_usd", label="GPU price", unit="$ per GPU", default=26000, minimum=0,
                        maximum=1e7, group=BUY, plausible=_gpu_price_range(),
                        help="What one GPU costs (H100: $22k-$30k in 2025, Epoch AI, as cited)."),
            NumberField(name="server_premium", label="Server premium", unit="fraction", default=0.38, minimum=0,
                        maximum=100, group=BUY, plausible=Plausible(low=0.75, high=1.25, relative=True, source=ASSUMED),
                        help="The server's price above its GPUs' (CPUs, memory, NICs): 0.38 for an 8-GPU H100 server "
                             "(Epoch AI)."),
            NumberField(name="overhead_fraction", label="Network and facility", unit="fraction", default=0.25,
                        minimum=0, maximum=100, group=BUY, plausible=Plausible(low=0.1, high=0.4, source="assumed"),
                        help="Cluster network, storage and building on top of the servers, as a fraction of them "
                             "(an assumption: set your own)."),
            NumberField(name="years", label="Depreciation", symbol="Y", unit="years", default=4, minimum=0.25, maximum=30,
                        group=BUY, plausible=YEARS_RANGE, help="Years over which the purchase is written off."),
            NumberField(name="cost_of_capital", label="Cost of capital", symbol="κ", unit="fraction per year", default=0.08,
                        minimum=0, maximum=1, group=BUY, plausible=Plausible(low=0.05, high=0.12, source="assumed"),
                        help="Interest paid or return forgone on the money, per year."),
            NumberField(name="watts_per_gpu", label="Power per GPU", symbol="watts", unit="W", default=1275, minimum=0,
                        maximum=100_000, group=POWER,
                        plausible=Plausible(low=0.7, high=1.0, relative=True,
                                            source="assumed: 70% to 100% of the figure entered, a server's rated "
                                                   "maximum, which it rarely draws for long"),
                        help="Drawn in use, with its share of the server: a DGX H100 is rated 10.2 kW for 8 GPUs."),
            NumberField(name="pue", label="PUE", symbol="PUE", default=1.56, minimum=1, maximum=5, group=POWER,
                        plausible=_pue_range(),
                        help="Facility energy / IT energy (Uptime Institute average 2024: 1.56)."),
            NumberField(name="usd_per_kwh", label="Electricity", symbol="p_kWh", unit="$ per kWh", default=0.0813, minimum=0,
                        maximum=10, group=POWER,
                        plausible=Plausible(low=0.75, high=1.5, relative=True, source="assumed: −25% to +50%"),
                        help="US industrial average 2024: $0.0813 (EIA)."),
            NumberField(name="fixed_usd_per_gpu_year", label="Fixed costs", symbol="USD_fixed", unit="$ per GPU-year", default=0,
                        minimum=0, maximum=1e7, group=BUY, advanced=True,
                        plausible=Plausible(low=0, high=2000, source="assumed"),
                        help="Maintenance, space, support and staff, per GPU and year."),
            NumberField(name="utilization", label="Utilisation", symbol="u", unit="fraction", default=0.8, minimum=0,
                        exclusive_minimum=True, maximum=1, group=USE,
                        plausible=Plausible(low=0.5, high=0.95, source="assumed"),
                        help="Share of the year each GPU does paid-for work, between 0 and 1."),
            NumberField(name="rental_usd_per_gpu_hour", label="Rental price", symbol="p_GPU", unit="$ per GPU-hour", default=2.0,
                        minimum=0, exclusive_minimum=True, maximum=1000, group=USE,
                        plausible=Plausible(low=0.75, high=1.25, relative=True, source=ASSUMED),
                        help="The alternative: renting."),
            NumberField(name="run_gpu_hours", label="A run of", unit="GPU-hours", default=2_788_000, minimum=0,
                        maximum=1e12, group=USE, advanced=True,
                        help="Price one run both ways (DeepSeek-V3: 2,788K; 0: none)."),
        ),
        outputs=(
            Output(name="capex_per_gpu_usd", label="Capital per GPU", unit="USD", format="usd"),
            Output(name="cluster_capex_usd", label="Capital for the cluster", unit="USD", format="usd"),
            Output(name="capital_usd_per_gpu_year", label="Capital cost per GPU-year", unit="USD", format="usd",
                   main=True),
            Output(name="power_usd_per_gpu_hour", label="Power per GPU-hour", unit="USD", format="usd", main=True),
            Output(name="owned_usd_per_used_hour", label="Owned, per hour of use", unit="USD per GPU-hour",
                   format="usd", main=True),
            Output(name="owned_to_rent_ratio", label="Owned / rented", unit="×", format="number"),
            Output(name="break_even_utilization", label="Break-even utilisation", unit="fraction", format="percent",
                   main=True),
            Output(name="payback_months", label="Cash payback against renting", unit="months", format="number"),
            Output(name="run_owned_usd", label="The run on owned GPUs", unit="USD", format="usd"),
            Output(name="run_rented_usd", label="The run on rented GPUs", unit="USD", format="usd"),
        ),
        compute=compute,
        sensitivity_output="owned_usd_per_used_hour",
        presets=presets,
        preset_fields=("accelerator", "gpu_price_usd", "server_premium", "watts_per_gpu", "pue", "usd_per_kwh",
                       "rental_usd_per_gpu_hour"),
        default_preset="h100-vs-2usd",
        groups=(USE, BUY, POWER),
        examples=(
            Example(title="Straight-line: $40,000 over 4 years, always busy, no power: $1.14 an hour",
                    inputs={"gpu_price_usd": 40000, "server_premium": 0, "overhead_fraction": 0, "years": 4,
                            "cost_of_capital": 0, "watts_per_gpu": 0, "utilization": 1,
                            "rental_usd_per_gpu_hour": 2},
                    expected={"owned_usd_per_used_hour": 40000 / (4 * 8760)},
                    source="Arithmetic: 40,000 / (4 × 8,760)"),
        ),
    )
)
