"""Dollars: renting GPU-hours, owning GPUs (capital, power, utilisation), and the cost around a training run.

Money is in US dollars (``usd``), time in hours or years as named, power in watts, energy prices per kWh.
"""

from __future__ import annotations

import math

from .formulas import formula

__all__ = [
    "HOURS_PER_YEAR",
    "annual_capital_cost_usd",
    "break_even_utilization",
    "capital_per_gpu_usd",
    "capital_recovery_factor",
    "cash_payback_months",
    "owned_cost_per_gpu_hour",
    "power_cost_per_gpu_hour",
    "rental_cost_usd",
    "system_watts_per_gpu",
]

HOURS_PER_YEAR = 8760


@formula(gpu_hours=r"\text{GPU-hours}", usd_per_gpu_hour=r"p_\text{GPU}")
def rental_cost_usd(*, gpu_hours: float, usd_per_gpu_hour: float) -> float:
    r"""Dollars for `gpu_hours` at a rental price: $\text{USD} = \text{GPU-hours} \cdot p_\text{GPU}$.

    Examples:
        >>> rental_cost_usd(gpu_hours=2_788_000, usd_per_gpu_hour=2.0)  # DeepSeek-V3, Table 1: $5.576M
        5576000.0
    """
    return gpu_hours * usd_per_gpu_hour


@formula(watts=r"\text{watts}", pue=r"\mathrm{PUE}", usd_per_kwh=r"p_\text{kWh}")
def power_cost_per_gpu_hour(*, watts: float, pue: float, usd_per_kwh: float) -> float:
    r"""Electricity per GPU-hour, dollars: $\text{USD}_\text{power} = \dfrac{\text{watts}}{1000} \cdot \mathrm{PUE}
    \cdot p_\text{kWh}$.

    `watts` is the power drawn per GPU (the GPU alone at its TDP, or its server's share); PUE (power usage
    effectiveness, The Green Grid) is facility energy over IT energy, so cooling and conversion losses are in.

    Examples:
        >>> round(power_cost_per_gpu_hour(watts=700, pue=1.5, usd_per_kwh=0.10), 4)
        0.105
    """
    return watts / 1000 * pue * usd_per_kwh


def system_watts_per_gpu(*, reference_system_watts_per_gpu: float, reference_gpu_watts: float,
                         gpu_watts: float) -> float:
    r"""Power drawn per GPU by a whole server, estimated for a GPU whose system was not measured: a measured system's
    ratio of power per GPU to its GPU's rated power, applied to this GPU's rated power, watts:
    this GPU's TDP × (the reference system's watts per GPU / the reference GPU's TDP).

    An estimate: a newer system's fans, CPUs and network need not scale with its GPUs.

    Examples:
        >>> system_watts_per_gpu(reference_system_watts_per_gpu=1275, reference_gpu_watts=700, gpu_watts=1000)
        1821.4285714285713
    """
    return gpu_watts * reference_system_watts_per_gpu / reference_gpu_watts


def capital_per_gpu_usd(*, gpu_price_usd: float, server_premium: float, overhead_fraction: float) -> float:
    r"""Capital per GPU, dollars: the GPU, its server's premium over it, then network, storage and facility:
    $\text{USD}_\text{cap} = \text{USD}_\text{GPU} \cdot (1 + \text{server premium}) \cdot (1 +
    \text{overhead})$.

    Source: Epoch AI, "The length of time between training runs" / hardware cost notes: a server costs about 38%
    more than its GPUs (data/prices.toml, ``purchase.server-premium-h100``).

    Examples:
        >>> capital_per_gpu_usd(gpu_price_usd=26_000, server_premium=0.38, overhead_fraction=0.25)
        44850.0
    """
    return gpu_price_usd * (1 + server_premium) * (1 + overhead_fraction)


def annual_capital_cost_usd(*, capex_usd: float, rate: float, years: float) -> float:
    r"""What capital costs each year, used or not, dollars: $\text{USD}_\text{cap} \cdot \mathrm{CRF}(\kappa, Y)$.

    Examples:
        >>> round(annual_capital_cost_usd(capex_usd=40_000, rate=0.08, years=4), 2)
        12076.83
    """
    return capex_usd * capital_recovery_factor(rate=rate, years=years)


def cash_payback_months(*, capex_usd: float, used_hours_per_year: float, rental_usd_per_gpu_hour: float,
                        power_usd_per_hour: float, fixed_usd_per_year: float) -> float | None:
    r"""Months until the rent an owned GPU saves has paid for it, in cash (before the cost of capital):

    $$\text{months} = \frac{\text{USD}_\text{cap}}{\big(8760\,u\,(p_\text{GPU} - \text{USD}_\text{power})
      - \text{USD}_\text{fixed}\big) / 12}$$

    with $8760\,u$ the hours a year the GPU works (`used_hours_per_year`). None when owning saves nothing each
    month.

    Examples:
        >>> round(cash_payback_months(capex_usd=44_850, used_hours_per_year=8760 * 0.8, rental_usd_per_gpu_hour=2.0,
        ...                           power_usd_per_hour=0.1617057, fixed_usd_per_year=0), 2)
        41.78
    """
    monthly_saving = (used_hours_per_year * (rental_usd_per_gpu_hour - power_usd_per_hour) - fixed_usd_per_year) / 12
    return capex_usd / monthly_saving if monthly_saving > 0 else None


@formula(rate=r"\kappa", years="Y")
def capital_recovery_factor(*, rate: float, years: float) -> float:
    r"""The share of a purchase price to pay each year for `years` years so that the price is repaid with
    interest at `rate` $\kappa$ (the annuity, or capital recovery, factor):
    $\mathrm{CRF}(\kappa, Y) = \dfrac{\kappa (1+\kappa)^Y}{(1+\kappa)^Y - 1}$; $1/Y$ at $\kappa = 0$ (straight-line
    depreciation).

    Examples:
        >>> capital_recovery_factor(rate=0.0, years=4)
        0.25
        >>> round(capital_recovery_factor(rate=0.08, years=4), 4)
        0.3019
    """
    if rate == 0:
        return 1 / years
    # (1+r)^n - 1 by expm1/log1p: exact enough for rates so small that (1+r)^n rounds to 1
    growth_minus_one = math.expm1(years * math.log1p(rate))
    return rate * (1 + growth_minus_one) / growth_minus_one


@formula(capex_usd=r"\text{USD}_\text{cap}", years="Y", rate=r"\kappa",
         fixed_usd_per_year=r"\text{USD}_\text{fixed}", power_usd_per_hour=r"\text{USD}_\text{power}", utilization="u")
def owned_cost_per_gpu_hour(*, capex_usd: float, years: float, rate: float, fixed_usd_per_year: float,
                            power_usd_per_hour: float, utilization: float) -> float:
    r"""What an owned GPU costs per hour of use, dollars:
    $\text{USD}_\text{owned} = \dfrac{\text{USD}_\text{cap} \cdot \mathrm{CRF}(\kappa, Y) + \text{USD}_\text{fixed}}
    {8760 \cdot u} + \text{USD}_\text{power}$.

    $\text{USD}_\text{cap}$ is the capital per GPU (GPU, its share of server, network and facility), paid back over
    $Y$ years at cost of capital $\kappa$; $\text{USD}_\text{fixed}$ the fixed yearly costs (maintenance, space,
    support); $u$ the fraction of the year the GPU does useful work; power is paid only while in use. Owned
    capacity that sits idle still costs its capital, which is why utilisation matters more than any price.

    Examples:
        >>> round(owned_cost_per_gpu_hour(capex_usd=40_000, years=4, rate=0.0, fixed_usd_per_year=0,
        ...                               power_usd_per_hour=0.0, utilization=1.0), 3)
        1.142
    """
    return (capex_usd * capital_recovery_factor(rate=rate, years=years) + fixed_usd_per_year) / (
        HOURS_PER_YEAR * utilization) + power_usd_per_hour


@formula(capex_usd=r"\text{USD}_\text{cap}", fixed_usd_per_year=r"\text{USD}_\text{fixed}",
         power_usd_per_hour=r"\text{USD}_\text{power}", rental_usd_per_gpu_hour=r"p_\text{GPU}")
def break_even_utilization(*, capex_usd: float, years: float, rate: float, fixed_usd_per_year: float,
                           power_usd_per_hour: float, rental_usd_per_gpu_hour: float) -> float | None:
    r"""The utilisation at which owning costs the same per used hour as renting, fraction:
    $u^* = \dfrac{\text{USD}_\text{cap} \cdot \mathrm{CRF} + \text{USD}_\text{fixed}}{8760 \cdot (p_\text{GPU} -
    \text{USD}_\text{power})}$.

    None when renting is cheaper even at full use (the rental price does not cover the power, or $u^* > 1$).

    Examples:
        >>> round(break_even_utilization(capex_usd=40_000, years=4, rate=0.0, fixed_usd_per_year=0,
        ...                              power_usd_per_hour=0.0, rental_usd_per_gpu_hour=2.0), 3)
        0.571
    """
    margin = rental_usd_per_gpu_hour - power_usd_per_hour
    if margin <= 0:
        return None
    utilization = (capex_usd * capital_recovery_factor(rate=rate, years=years) + fixed_usd_per_year) / (
        HOURS_PER_YEAR * margin)
    return utilization if utilization <= 1 else None
