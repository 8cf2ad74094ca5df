"""Calculator ``moe-router``: a handful of tokens routed to experts by top-k, with node limits and DeepSeek-V3's
auxiliary-loss-free balancing; the load on each expert before and after."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from .. import moe
from ..charts import bar_chart
from ..schema import Calculator, Example, FieldError, NumberField, Output, Result

ROUTER, BALANCING = "Experts and groups", "Tokens and balancing"

MAX_WORK = 60_000
"""Tokens × experts × (balancing steps + 2) at most: about 50 ms per recompute in Pyodide, 3 ms at the defaults
(scripts/bench_calculators.py measures it)."""


def check(values: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    experts, groups = values["experts"], values["groups"]
    if values["experts_per_token"] > experts:
        errors.append(FieldError(field="experts_per_token", message=f"Cannot exceed the {experts} experts."))
    if groups > experts or experts % groups:
        errors.append(FieldError(field="groups", message=f"Must divide the {experts} experts evenly."))
    elif values["groups_per_token"] > groups:
        errors.append(FieldError(field="groups_per_token", message=f"Cannot exceed the {groups} groups."))
    elif values["groups_per_token"] * (experts // groups) < values["experts_per_token"]:
        errors.append(FieldError(field="groups_per_token",
                                 message="Too few groups per token to hold its experts: raise it or the group size."))
    work = values["tokens"] * experts * (values["balancing_steps"] + 2)
    if not errors and work > MAX_WORK:
        errors.append(FieldError(field="balancing_steps", message=(
            f"Tokens × experts × (steps + 2) is {work:,}; keep it under {MAX_WORK:,} so the page stays responsive.")))
    return errors


def _route(values: Mapping[str, Any], affinities: list[list[float]], bias: list[float] | None) -> list[tuple[int, ...]]:
    return moe.route_tokens(affinities=affinities, experts_per_token=values["experts_per_token"],
                            groups=values["groups"], groups_per_token=values["groups_per_token"], bias=bias)


@functools.lru_cache(maxsize=64)
def _batch(tokens: int, experts: int, skew: float, seed: int) -> tuple[tuple[float, ...], ...]:
    """A batch of affinities, kept for the next edit: changing k, the groups, the steps or the update speed draws
    the same batches again, so only routing is recomputed."""
    return tuple(map(tuple, moe.sample_affinities(tokens=tokens, experts=experts, skew=skew, seed=seed)))


def compute(values: Mapping[str, Any]) -> Result:
    experts, tokens, seed = values["experts"], values["tokens"], values["seed"]
    batch = _batch(tokens, experts, values["skew"], seed)
    before = moe.expert_loads(routes=_route(values, batch, None), experts=experts)
    # Balance on fresh batches (training steps), then route the same batch again with the learnt bias.
    bias = [0.0] * experts
    for step in range(values["balancing_steps"]):
        train = _batch(tokens, experts, values["skew"], seed + 1 + step)
        loads = moe.expert_loads(routes=_route(values, train, bias), experts=experts)
        bias = moe.balancing_bias_update(bias=bias, loads=loads, update_speed=values["update_speed"])
    routes = _route(values, batch, bias)
    after = moe.expert_loads(routes=routes, experts=experts)
    mean = moe.mean_expert_load(tokens=tokens, experts_per_token=values["experts_per_token"], experts=experts)
    size = experts // values["groups"]
    nodes = [len({i // size for i in route}) for route in routes]
    out = {
        "mean_load": mean,
        "max_load_before": max(before),
        "imbalance_before": max(before) / mean,
        "idle_experts_before": sum(1 for load in before if load == 0),
        "max_load_after": max(after),
        "imbalance_after": max(after) / mean,
        "idle_experts_after": sum(1 for load in after if load == 0),
        "mean_groups_per_token": sum(nodes) / tokens,
    }
    notes = [f"Token {t + 1} → experts {', '.join(str(i + 1) for i in route)}" for t, route in enumerate(routes[:4])]
    notes.append("Affinities are random (seeded) with a built-in preference for low-numbered experts (skew): a "
                 "stand-in for a router, not a trained one. The bias changes which experts are chosen, never the "
                 "weights of their outputs.")
    chart = bar_chart(
        title=f"Tokens per expert: {tokens} tokens, top-{values['experts_per_token']} of {experts}",
        categories=[str(i + 1) for i in range(experts)], category_label="Expert",
        value_label="Tokens routed", value_format="count",
        series=[("Without balancing", before), (f"After {values['balancing_steps']} balancing steps", after)],
        rules=[{"y": mean, "label": f"mean {mean:g}"}],
    )
    return Result(values=out, notes=tuple(notes), charts=(chart,))


CALCULATOR = (
    Calculator(
        id="moe-router",
        title="Routing a handful of tokens",
        summary="Top-k routing of a few tokens with node limits, and the expert loads before and after "
                "auxiliary-loss-free balancing.",
        fields=(
            NumberField(name="tokens", group=BALANCING, label="Tokens", default=64, integer=True, minimum=1,
                        maximum=4096, help="Tokens in the batch being routed, and in each balancing batch."),
            NumberField(name="experts", label="Routed experts", symbol="E", default=16, integer=True, minimum=1,
                        maximum=256, help="Experts in the layer.", group=ROUTER),
            NumberField(name="experts_per_token", label="Experts per token", symbol="k", default=2, integer=True,
                        minimum=1, maximum=256, help="Top-k: experts each token is sent to.", group=ROUTER),
            NumberField(name="groups", label="Groups (nodes)", symbol="n_group", default=4, integer=True, minimum=1,
                        group=ROUTER,
                        maximum=256, help="Experts are split evenly into groups, one per node (V3: 8 of 32)."),
            NumberField(name="groups_per_token", label="Groups per token", symbol="k_group", default=2, integer=True,
                        group=ROUTER,
                        minimum=1,
                        maximum=256, help="Node limit: a token's experts come from at most this many groups (V3: 4)."),
            NumberField(name="skew", group=BALANCING, label="Router skew", default=1.0, minimum=0, maximum=5,
                        help="How strongly the affinities favour low-numbered experts; 0 for none."),
            NumberField(name="balancing_steps", label="Balancing steps", default=8, integer=True, minimum=0,
                        group=BALANCING,
                        maximum=1000, help="Batches over which each expert's bias is nudged towards the mean load."),
            NumberField(name="update_speed", label="Bias update speed", symbol="η", default=0.05, minimum=0,
                        group=BALANCING,
                        maximum=1, help="Bias step per batch (DeepSeek-V3's γ: 0.001 over many thousands of steps)."),
            NumberField(name="seed", label="Random seed", default=7, integer=True, minimum=0, maximum=2**31 - 1,
                        group=BALANCING, advanced=True,
                        help="Change it for another draw of affinities."),
        ),
        outputs=(
            Output(name="mean_load", label="Mean tokens per expert", unit="tokens", format="number",
                   help="Tokens × k / E."),
            Output(name="max_load_before", label="Busiest expert, without balancing", unit="tokens", format="count"),
            Output(name="imbalance_before", label="Busiest / mean, without balancing", unit="×", format="number",
                   main=True),
            Output(name="idle_experts_before", label="Idle experts, without balancing", unit="experts",
                   format="count"),
            Output(name="max_load_after", label="Busiest expert, after balancing", unit="tokens", format="count"),
            Output(name="imbalance_after", label="Busiest / mean, after balancing", unit="×", format="number",
                   main=True),
            Output(name="idle_experts_after", label="Idle experts, after balancing", unit="experts", format="count"),
            Output(name="mean_groups_per_token", label="Groups (nodes) a token reaches, on average", unit="groups",
                   format="number"),
        ),
        compute=compute,
        groups=(ROUTER, BALANCING),
        check=check,
        examples=(
            Example(title="No skew, no limit", inputs={"skew": 0, "groups": 1, "groups_per_token": 1}),
        ),
    )
)
