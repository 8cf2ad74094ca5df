"""Routing, load balancing and the expert-design calculator."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import get_calculator, moe, run


@settings(max_examples=60, deadline=None)
@given(tokens=st.integers(1, 40), groups=st.sampled_from([1, 2, 4]), per_group=st.integers(1, 6),
       k=st.integers(1, 6), limit=st.integers(1, 4), seed=st.integers(0, 1000))
def test_routes_respect_top_k_and_the_group_limit(tokens, groups, per_group, k, limit, seed) -> None:
    experts = groups * per_group
    limit = min(limit, groups)
    k = min(k, limit * per_group)
    affinities = moe.sample_affinities(tokens=tokens, experts=experts, skew=1.0, seed=seed)
    routes = moe.route_tokens(affinities=affinities, experts_per_token=k, groups=groups, groups_per_token=limit)
    for route in routes:
        assert len(set(route)) == k
        assert len({i // per_group for i in route}) <= limit
    assert sum(moe.expert_loads(routes=routes, experts=experts)) == tokens * k


def test_without_limit_each_token_takes_its_k_highest_affinities() -> None:
    affinities = moe.sample_affinities(tokens=10, experts=8, skew=0.5, seed=3)
    for row, route in zip(affinities, moe.route_tokens(affinities=affinities, experts_per_token=3)):
        assert sorted(route) == sorted(sorted(range(8), key=lambda i: -row[i])[:3])


def test_bias_steers_choice() -> None:
    affinities = [[0.9, 0.8, 0.1]]
    assert moe.route_tokens(affinities=affinities, experts_per_token=1) == [(0,)]
    assert moe.route_tokens(affinities=affinities, experts_per_token=1, bias=[-0.5, 0, 0]) == [(1,)]


def test_balancing_reduces_imbalance_and_idle_experts() -> None:
    out = run("moe-router", {})["outputs"]
    assert out["imbalance_after"]["value"] < out["imbalance_before"]["value"]
    assert out["idle_experts_after"]["value"] <= out["idle_experts_before"]["value"]
    assert run("moe-router", {})["outputs"] == out  # seeded: the same every time


def test_router_work_is_bounded() -> None:
    errors = run("moe-router", {"tokens": 4096, "experts": 256, "balancing_steps": 1000})["errors"]
    assert errors and errors[0]["field"] == "balancing_steps"
    assert run("moe-router", {"experts": 30, "groups": 4})["errors"][0]["field"] == "groups"


def test_design_with_a_preset_matches_the_model_count() -> None:
    for key in ("deepseek-v3", "deepseek-v2", "mixtral-8x7b", "deepseek-moe-16b"):
        design = run("moe-design", {"preset": key})["outputs"]
        model = run("model-params", {"preset": key})["outputs"]
        assert design["total_params"]["value"] == pytest.approx(model["total_params"]["value"], rel=1e-6)
        assert design["active_params"]["value"] == pytest.approx(model["active_params"]["value"], rel=1e-6)


def test_more_experts_add_parameters_not_compute() -> None:
    small = run("moe-design", {"preset": "deepseek-v3", "experts": 64})["outputs"]
    large = run("moe-design", {"preset": "deepseek-v3", "experts": 512})["outputs"]
    assert large["total_params"]["value"] > 5 * small["total_params"]["value"] / 2
    # only the router grows with E: E x D affinity weights per MoE layer, 2 FLOPs each
    growth = large["forward_flops_per_token"]["value"] - small["forward_flops_per_token"]["value"]
    assert growth == 2 * 58 * (512 - 64) * 7168


def test_design_rejects_impossible_choices() -> None:
    assert run("moe-design", {"experts": 4, "experts_per_token": 8})["errors"][0]["field"] == "experts_per_token"
    assert run("moe-design", {"layers": 2, "dense_layers": 3})["errors"][0]["field"] == "dense_layers"
    huge = run("moe-design", {"experts": 100_000, "experts_per_token": 50_000})
    assert not huge["errors"] and huge["outputs"]["expert_combinations"]["value"] is None


def test_model_params_needs_a_model_and_reports_memory() -> None:
    assert run("model-params", {})["errors"][0]["field"] == "config"
    out = run("model-params", {"preset": "deepseek-v3", "weight_bits": 8, "accelerator": "h800",
                               "reserve_fraction": 0.1})["outputs"]
    assert out["weight_bytes"]["value"] == pytest.approx(671.026e9, rel=1e-4)
    assert out["accelerators_needed"]["value"] == 10  # 671 GB over 72 GB usable per 80 GB H800
    dense = run("model-params", {"preset": "llama-3.1-8b"})["outputs"]
    assert dense["moe_flops_saving"]["value"] is None and dense["expert_params"]["value"] is None


def test_one_n_for_6n_across_calculators() -> None:
    """6N uses N_active, without the token-embedding table, everywhere (issue 10: the MoE page's 225.3 GFLOP counted
    the table, the cost page's 219.8 did not). At a context of 0 the detailed count is exactly 6N."""
    model = run("model-params", {"preset": "deepseek-v3"})["outputs"]
    cost = run("training-cost", {"preset": "deepseek-v3"})["outputs"]
    n_active = model["active_params_without_embeddings"]["value"]
    assert model["six_n_flops_per_token"]["value"] == pytest.approx(6 * n_active)
    assert cost["six_n_flops_per_token"]["value"] == pytest.approx(6 * n_active, rel=1e-4)  # N to the nearest million
    assert model["six_n_flops_per_token"]["text"] == cost["six_n_flops_per_token"]["text"] == "219.8 GFLOP"
    at_zero = run("model-params", {"preset": "deepseek-v3", "context_length": 0})["outputs"]
    assert at_zero["training_flops_per_token"]["value"] == pytest.approx(6 * n_active)
    # the count with the embedding table is still shown, named as such
    assert 6 * model["active_params"]["value"] == pytest.approx(225.3e9, rel=1e-3)
    [with_table] = [o for o in get_calculator("model-params").outputs if o.name == "active_params"]
    assert "with the embedding table" in with_table.label


def test_the_active_share_is_n_active_over_all() -> None:
    """DeepSeek-V3: 36.63B of 671B, 5.5% (the abstract's 37B of 671B)."""
    for calc in ("model-params", "moe-design"):
        out = run(calc, {"preset": "deepseek-v3"})["outputs"]
        assert out["active_params_without_embeddings"]["value"] == pytest.approx(36.63e9, rel=1e-3)
        assert out["active_share"]["value"] == pytest.approx(out["active_params_without_embeddings"]["value"]
                                                             / out["total_params"]["value"])
        assert out["active_share"]["text"] == "5.5%"
