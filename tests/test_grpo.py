"""GRPO and RL cost: hand-checked formulas, the rewards list's validation, DeepSeek-R1-Zero's published settings,
and PPO against GRPO."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import data, grpo, rl, run, training


def outputs(calc_id: str, inputs: dict) -> dict[str, float | None]:
    result = run(calc_id, inputs)
    assert result["errors"] == [], result["errors"]
    return {name: out["value"] for name, out in result["outputs"].items()}


def rewards_error(text) -> str:
    [error] = run("grpo-advantages", {"rewards": text})["errors"]
    assert error["field"] == "rewards"
    return error["message"]


# --- Group-relative advantages (DeepSeekMath, arXiv:2402.03300, Sec. 4.1.2), checked by hand ---------------------

def test_two_of_four_right() -> None:
    """Rewards 1, 0, 0, 1: mean 0.5; population std 0.5, so advantages ±1; sample std sqrt(1/3) = 0.57735, so
    advantages ±0.5 / 0.57735 = ±0.866025; without scaling (Dr. GRPO) ±0.5."""
    rewards = [1, 0, 0, 1]
    assert grpo.reward_mean(rewards) == 0.5
    assert grpo.reward_std(rewards, sample=False) == 0.5
    assert grpo.reward_std(rewards, sample=True) == pytest.approx(math.sqrt(1 / 3), rel=1e-12)
    assert grpo.group_advantages(rewards) == (1.0, -1.0, -1.0, 1.0)
    assert grpo.group_advantages(rewards, sample_std=True) == pytest.approx((0.866025,) * 1 + (-0.866025,) * 2
                                                                             + (0.866025,), abs=1e-6)
    assert grpo.group_advantages(rewards, scale_by_std=False) == (0.5, -0.5, -0.5, 0.5)
    # ε is added to the std: 0.5 / (0.5 + 0.0001)
    assert grpo.group_advantages(rewards, epsilon=1e-4)[0] == pytest.approx(0.5 / 0.5001, rel=1e-12)


def test_one_right_of_four() -> None:
    """1, 0, 0, 0: mean 0.25, population std sqrt(3)/4 = 0.4330; the right answer gets 0.75 / 0.4330 = 1.7321 =
    sqrt(3), each wrong one -0.25 / 0.4330 = -0.5774; the advantages sum to zero."""
    advantages = grpo.group_advantages([1, 0, 0, 0])
    assert advantages[0] == pytest.approx(math.sqrt(3), rel=1e-12)
    assert advantages[1] == pytest.approx(-1 / math.sqrt(3), rel=1e-12)
    assert math.fsum(advantages) == pytest.approx(0, abs=1e-12)


def test_the_calculator_reports_the_same_numbers() -> None:
    out = outputs("grpo-advantages", {"rewards": "1, 0, 0, 1", "std_kind": "population", "std_epsilon": 0})
    assert (out["reward_mean"], out["reward_std"], out["advantage_max"], out["advantage_min"]) == (0.5, 0.5, 1, -1)
    out = outputs("grpo-advantages", {"rewards": "1 0 0 1", "std_epsilon": 0})  # sample std is the default
    assert out["reward_std"] == pytest.approx(0.57735, abs=1e-5)
    assert out["advantage_max"] == pytest.approx(0.866025, abs=1e-6)
    result = run("grpo-advantages", {"rewards": "1;0;0;1", "std_epsilon": 0})
    assert [row[:3] for row in result["tables"][0]["rows"]] == [["1", "1", "0.866"], ["2", "0", "-0.866"],
                                                                ["3", "0", "-0.866"], ["4", "1", "0.866"]]
    chart = result["charts"][0]["spec"]
    assert chart["categories"] == ["1", "2", "3", "4"]
    assert [s["name"] for s in chart["series"]] == ["Reward", "Advantage"]
    assert any("sample standard deviation" in note for note in result["notes"])
    out = outputs("grpo-advantages", {"rewards": "1, 0, 0, 1", "advantage_scaling": "none"})
    assert (out["advantage_max"], out["reward_std"]) == (0.5, None)


@pytest.mark.parametrize("epsilon", [0.0, 1e-4])
def test_a_group_of_equal_rewards_teaches_nothing(epsilon) -> None:
    assert grpo.group_advantages([1, 1, 1, 1], epsilon=epsilon) == (0.0, 0.0, 0.0, 0.0)
    assert grpo.group_advantages([0.3] * 3, sample_std=True, epsilon=epsilon) == (0.0, 0.0, 0.0)
    result = run("grpo-advantages", {"preset": "all-correct", "std_epsilon": epsilon})
    assert result["errors"] == []
    assert result["outputs"]["advantage_max"]["value"] == 0 == result["outputs"]["advantage_min"]["value"]
    assert any("teaches nothing" in note for note in result["notes"])


def test_clipped_surrogate_both_signs() -> None:
    """ρ = 1.3, ε = 0.2: A = +1 gives min(1.3, 1.2) = 1.2 (capped); A = -1 gives min(-1.3, -1.2) = -1.3 (not
    capped). ρ = 0.7: A = -1 gives min(-0.7, -0.8) = -0.8 (capped); A = +1 gives min(0.7, 0.8) = 0.7."""
    assert grpo.clipped_surrogate(ratio=1.3, advantage=1, clip_epsilon=0.2) == pytest.approx(1.2)
    assert grpo.clipped_surrogate(ratio=1.3, advantage=-1, clip_epsilon=0.2) == pytest.approx(-1.3)
    assert grpo.clipped_surrogate(ratio=0.7, advantage=-1, clip_epsilon=0.2) == pytest.approx(-0.8)
    assert grpo.clipped_surrogate(ratio=0.7, advantage=1, clip_epsilon=0.2) == pytest.approx(0.7)
    assert grpo.clipped_surrogate(ratio=1.1, advantage=2, clip_epsilon=0.2) == pytest.approx(2.2)  # inside: ρA
    out = outputs("grpo-advantages", {"rewards": "1, 0, 0, 1", "std_kind": "population", "std_epsilon": 0})
    assert out["surrogate_best"] == pytest.approx(1.2) and out["surrogate_worst"] == pytest.approx(-1.3)
    assert out["clipped_ratio"] == pytest.approx(1.2)


def test_k3_kl_estimator() -> None:
    """x - log x - 1 with x = π_ref / π_θ: 0 at x = 1; x = 0.5 gives 0.5 + log 2 - 1 = 0.1931472; x = 2 gives
    1 - log 2 = 0.3068528. Never negative."""
    assert grpo.kl_k3_estimator(policy_prob=0.3, reference_prob=0.3) == 0
    assert grpo.kl_k3_estimator(policy_prob=0.5, reference_prob=0.25) == pytest.approx(0.1931472, abs=1e-7)
    assert grpo.kl_k3_estimator(policy_prob=0.25, reference_prob=0.5) == pytest.approx(0.3068528, abs=1e-7)
    out = outputs("grpo-advantages", {"policy_prob": 0.5, "reference_prob": 0.4, "kl_beta": 0.04})
    assert out["kl_k3"] == pytest.approx(0.8 - math.log(0.8) - 1)
    assert out["kl_penalty"] == pytest.approx(0.04 * out["kl_k3"])


@given(st.floats(min_value=1e-6, max_value=1), st.floats(min_value=1e-6, max_value=1))
def test_k3_is_never_negative(p, q) -> None:
    assert grpo.kl_k3_estimator(policy_prob=p, reference_prob=q) >= 0


# --- The rewards list gets the same validation as any field -------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter at least two rewards, separated by commas, spaces or semicolons."),
    (" , ;\n", "Enter at least two rewards, separated by commas, spaces or semicolons."),
    ("1", "A group needs at least two answers: enter two or more rewards."),
    ("1, 0, abc", "Reward 3, “abc”, is not a number."),
    ("1, 0x10", "Reward 2, “0x10”, is not a number."),
    ("1, " + "y" * 50, "Reward 2, “" + "y" * 20 + "…”, is not a number."),
    ("1, NaN", "Reward 2, “NaN”, is not a finite number."),
    ("-inf 1", "Reward 1, “-inf”, is not a finite number."),
    ("1, 1e999", "Reward 2, “1e999”, is out of range: rewards must lie between −1,000,000 and 1,000,000."),
    ("1, 2e6", "Reward 2, “2e6”, is out of range: rewards must lie between −1,000,000 and 1,000,000."),
    (", ".join(["1"] * 1025), "At most 1,024 rewards, one per answer in the group; this list has 1,025."),
    ("<img src=x onerror=alert(1)>", "Reward 1, “<img”, is not a number."),
])
def test_bad_reward_lists_get_a_clear_message(text, message) -> None:
    assert rewards_error(text) == message


def test_good_reward_lists_in_any_spelling() -> None:
    for text in ("1, 0", "1 0", "1;0", "1,\n0", "  1.0 ,  -0.0 ", "+1 −0", "1e0, .0"):
        assert outputs("grpo-advantages", {"rewards": text})["answers"] == 2, text
    assert outputs("grpo-advantages", {"rewards": " ".join(["1", "0"] * 512)})["answers"] == 1024
    assert "Too long" in rewards_error("1 " * 20_000)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=80), st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=40).map(
    lambda xs: ", ".join(repr(x) for x in xs))))
def test_any_rewards_text_gives_errors_or_outputs_never_an_exception(text) -> None:
    result = run("grpo-advantages", {"rewards": text})
    json.dumps(result, allow_nan=False)
    assert bool(result["errors"]) != bool(result["outputs"])
    for out in result["outputs"].values():
        assert out["value"] is None or math.isfinite(out["value"])


@settings(max_examples=200)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=2, max_size=64),
       st.sampled_from(["sample", "population"]), st.sampled_from([0, 1e-4]))
def test_advantages_are_finite_and_sum_to_zero(rewards, kind, epsilon) -> None:
    advantages = grpo.group_advantages(rewards, sample_std=kind == "sample", epsilon=epsilon)
    assert all(math.isfinite(a) for a in advantages)
    assert abs(math.fsum(advantages)) <= 1e-6 * len(rewards)
    result = run("grpo-advantages", {"rewards": ", ".join(repr(r) for r in rewards), "std_kind": kind,
                                     "std_epsilon": epsilon})
    assert result["errors"] == []


# --- DeepSeek-R1-Zero (DeepSeek-R1, Nature 645 (2025), Methods, Suppl. B.4.4; arXiv:2501.12948v2) -------------------

def test_r1_zero_settings_come_from_the_preset() -> None:
    """32 questions x 16 answers = 512 a step ("a training batch size of 512"); 10,400 steps; 64 x 8 = 512 H800 for
    about 198 hours = 101,376 GPU-hours, printed as 101K in Table 7 (read in secondary transcriptions)."""
    result = run("rl-run-bill", {"preset": "deepseek-r1-zero"})
    used, out = result["inputs"], result["outputs"]
    assert used["prompts"] * used["group_size"] == 512
    assert used["steps"] == 10_400
    assert out["answers"]["value"] == 10_400 * 512
    stage = data.training_runs()["deepseek-r1"].stages[0]
    assert (stage.gpus, stage.hours) == (512, 198)
    assert stage.gpus * stage.hours == pytest.approx(101_000, rel=0.005)
    assert used["reported_gpu_hours"] == stage.gpu_hours == 101_000
    assert used["gpus"] == 512 and used["accelerator"] == "h800"
    assert out["reported_cost_usd"]["value"] == 202_000  # Table 7: $202K at $2 per GPU-hour
    assert used["active_params_billion"] == pytest.approx(37, rel=0.02)  # "37B activated" (DeepSeek-V3)


def test_r1_zero_implied_throughput_and_mfu() -> None:
    """At a mean answer of L tokens: 10,400 x 512 x L generated tokens over 101,000 GPU-hours."""
    for length in (1000, 4000, 8000):
        out = outputs("rl-run-bill", {"preset": "deepseek-r1-zero", "response_tokens": length})
        tokens = 10_400 * 512 * length
        assert out["generated_tokens"] == tokens
        assert out["implied_tokens_per_second_per_gpu"] == pytest.approx(tokens / (101_000 * 3600))
        n = out["generation_flops"] / (2 * tokens)
        assert n == pytest.approx(36.6e9, rel=0.01)
        assert out["implied_mfu"] == pytest.approx(out["total_flops"] / (101_000 * 3600 * 989.4e12))
        assert out["training_flops"] == pytest.approx(3 * out["reference_flops"])  # 6N against 2N, same tokens


def test_run_bill_by_throughput() -> None:
    out = outputs("rl-run-bill", {"preset": "deepseek-r1-zero", "basis": "throughput",
                                  "tokens_per_second_per_gpu": 100, "response_tokens": 1000})
    assert out["gpu_hours"] == pytest.approx(10_400 * 512 * 1000 / (100 * 3600))
    assert out["tokens_per_second_per_gpu"] == pytest.approx(100)
    assert out["cost_usd"] == pytest.approx(2 * out["gpu_hours"])


def test_longer_answers_cost_more() -> None:
    bills = [outputs("rl-run-bill", {"preset": "deepseek-r1-zero", "response_tokens": n})["gpu_hours"]
             for n in (1000, 4000, 8000, 16000)]
    assert bills == sorted(bills) and bills[-1] > 10 * bills[0]


# --- PPO against GRPO ------------------------------------------------------------------------------------------------

def test_grpo_keeps_fewer_models_and_less_memory() -> None:
    """A 7B dense policy, BF16 + Adam (16 bytes a trained parameter, 2 a frozen one): PPO keeps policy 112 GB +
    value 112 GB + reference 14 GB + reward model 14 GB = 252 GB; GRPO drops the value model: 140 GB."""
    out = outputs("ppo-vs-grpo", {"total_params_billion": 7, "active_params_billion": 7})
    assert (out["ppo_models"], out["grpo_models"]) == (4, 3)
    assert out["ppo_memory_bytes"] == pytest.approx(252e9)
    assert out["grpo_memory_bytes"] == pytest.approx(140e9)
    assert out["value_model_bytes"] == pytest.approx(112e9)
    assert out["memory_saving"] == pytest.approx(112 / 252)
    rule = outputs("ppo-vs-grpo", {"total_params_billion": 7, "active_params_billion": 7, "reward": "rule"})
    assert (rule["ppo_models"], rule["grpo_models"]) == (3, 2)
    assert rule["grpo_memory_bytes"] == pytest.approx(126e9)
    assert rule["grpo_accelerators"] < rule["ppo_accelerators"]


def test_the_critics_share_of_a_step() -> None:
    """Per token of prompt and answer (L_p = 0 here, so every token is generated): GRPO spends 2N generating, 2N on
    the reference, 2N on the reward model and 6N training = 12N; PPO adds the critic's 2N + 6N = 8N: 20N in all,
    of which the critic is 8/20 = 40%; generation is 2/12 of GRPO's FLOPs."""
    inputs = {"total_params_billion": 7, "active_params_billion": 7, "prompt_tokens": 1, "response_tokens": 1_000_000}
    out = outputs("ppo-vs-grpo", inputs)
    assert out["critic_flops_share"] == pytest.approx(0.4, rel=1e-5)
    assert out["generation_flops_share"] == pytest.approx(2 / 12, rel=1e-5)
    assert out["grpo_step_flops"] < out["ppo_step_flops"]
    assert out["grpo_step_gpu_hours"] < out["ppo_step_gpu_hours"]
    # generation's share of time exceeds its share of FLOPs when it runs at a lower MFU
    assert out["generation_time_share"] > out["generation_flops_share"]
    same = outputs("ppo-vs-grpo", {**inputs, "generation_mfu": 0.35, "training_mfu": 0.35})
    assert same["generation_time_share"] == pytest.approx(same["generation_flops_share"])


def test_moe_policy_total_for_memory_active_for_flops() -> None:
    out = outputs("ppo-vs-grpo", {"preset": "deepseek-v3", "reward": "rule"})
    state = training.training_state_bytes_per_param(weight_bytes=2, master_bytes=4, gradient_bytes=2, moment_bytes=4)
    total = run("ppo-vs-grpo", {"preset": "deepseek-v3"})["inputs"]["total_params_billion"] * 1e9
    assert out["grpo_memory_bytes"] == pytest.approx(total * (state.total + state.weights))
    step = rl.rl_step_flops(policy_active_params=36.625618432e9, answers=512, prompt_tokens=200,
                            response_tokens=4000)
    assert out["grpo_step_flops"] == pytest.approx(step.total, rel=1e-6)


def test_rl_step_parts_add_up() -> None:
    step = rl.rl_step_flops(policy_active_params=1e9, answers=10, prompt_tokens=5, response_tokens=10,
                            inner_epochs=2, reward_active_params=2e9, value_active_params=3e9)
    assert step.generation == 2e9 * 100
    assert step.reference_scoring == 2e9 * 150
    assert step.reward_scoring == 4e9 * 150
    assert step.value_model == (6e9 + 2 * 18e9) * 150
    assert step.policy_training == 2 * 6e9 * 150
    assert step.total == pytest.approx(step.generation + step.scoring_and_training)
    assert step.scaled(3).total == pytest.approx(3 * step.total)


# --- Inputs that cannot be (issue 10) ---------------------------------------------------------------------------------

def test_a_policy_cannot_use_more_parameters_than_it_has() -> None:
    errors = run("ppo-vs-grpo", {"total_params_billion": 7, "active_params_billion": 70})["errors"]
    assert errors == [{"field": "active_params_billion",
                       "message": "Cannot exceed the policy's 7 billion parameters in all."}]
    assert run("ppo-vs-grpo", {"total_params_billion": 7, "active_params_billion": 7})["errors"] == []
    # as a form sends it: text
    assert run("ppo-vs-grpo", {"total_params_billion": "671", "active_params_billion": "672"})["errors"][0]["field"] \
        == "active_params_billion"


@pytest.mark.parametrize(("epsilon", "ok"), [(0.2, True), (0.99, True), (1, False), (1.5, False), ("10", False)])
def test_the_clip_range_stays_below_one(epsilon, ok) -> None:
    """clip(ρ, 1 − ε, 1 + ε) with ε ≥ 1 no longer clips from below (ρ > 0): the field says so."""
    errors = run("grpo-advantages", {"clip_epsilon": epsilon})["errors"]
    if ok:
        assert errors == []
    else:
        assert [e["field"] for e in errors] == ["clip_epsilon"]
        assert errors[0]["message"].startswith("Must be less than 1")


def test_the_value_model_note_cites_deepseekmath_not_instructgpt() -> None:
    """InstructGPT's 175B policy had a 6B reward model and value function (Sec. 3.5, App. C); 'comparable size' is
    DeepSeekMath's statement (Sec. 4.1.1)."""
    [note] = [n for n in run("ppo-vs-grpo", {"preset": "deepseek-v3"})["notes"] if "value model" in n]
    assert "DeepSeekMath" in note and "comparable size" in note and "6B" in note
    assert "as in InstructGPT" not in note
