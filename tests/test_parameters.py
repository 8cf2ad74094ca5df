"""Parameter counts from config.json keys against the figures the model authors published.

Totals are checked within 0.5%. Active-parameter figures are printed to two significant digits ("37B", "2.4B"),
where 0.5% is finer than the printing: they are checked to be the count at the printed precision (within one
unit of the last printed digit), under the embedding convention each author uses (`embedding_counted`).
"""

from __future__ import annotations

import math

import pytest

from calculators import data, flops
from calculators.model_config import architecture
from calculators.parameters import gqa_attention_params, parameter_counts

PUBLISHED_TOTALS = [
    # model, published figure name; sources are in each data/models/*.toml record
    ("deepseek-v3", "total_params"),  # 671B, arXiv:2412.19437 abstract
    ("deepseek-v3", "total_params_with_mtp"),  # 685B, DeepSeek-V3 README Sec. 3
    ("deepseek-v2", "total_params"),  # 236B, arXiv:2405.04434 abstract
    ("deepseek-v2-lite", "total_params"),  # 15.7B, arXiv:2405.04434 App. B.1
    ("deepseek-moe-16b", "total_params"),  # 16.4B, arXiv:2401.06066 Sec. 5.1.2
    ("llama-3.1-8b", "total_params"),  # 8B, arXiv:2407.21783 Table 3
    ("llama-3.1-405b", "total_params"),  # 405B, arXiv:2407.21783 Table 3
    ("qwen2.5-72b", "total_params"),  # 72.7B, Qwen2.5 model card
    ("mixtral-8x7b", "total_params"),  # 46.7B, Mistral AI release post 2023-12-11
]


def counts(key: str):
    return parameter_counts(architecture(data.models()[key].config))


@pytest.mark.parametrize(("key", "what"), PUBLISHED_TOTALS)
def test_total_within_half_a_percent_of_the_published_figure(key: str, what: str) -> None:
    published = data.models()[key].figure(what)
    c = counts(key)
    ours = c.checkpoint_total if what == "total_params_with_mtp" else c.total
    assert ours == pytest.approx(published, rel=0.005), (key, ours, published)


def test_llama_3_1_70b_equals_its_bf16_checkpoint_exactly() -> None:
    # "70B" is 0.8% below the count: the model card rounds. The checkpoint index's total_size (bytes of BF16
    # weights, model.safetensors.index.json) is exact: 2 bytes x 70,553,706,496.
    model = data.models()["llama-3.1-70b"]
    assert 2 * counts("llama-3.1-70b").total == model.figure("checkpoint_total_bytes") == 141_107_412_992
    assert counts("llama-3.1-70b").total == pytest.approx(model.figure("total_params"), rel=0.01)


ACTIVE = ["deepseek-v3", "deepseek-v2", "deepseek-v2-lite", "deepseek-moe-16b", "mixtral-8x7b"]


@pytest.mark.parametrize("key", ACTIVE)
def test_active_is_the_published_figure_at_its_printed_precision(key: str) -> None:
    model = data.models()[key]
    fig = next(f for f in model.published if f.what == "active_params")
    assert fig.embedding_counted is not None, "say which convention the authors use"
    c = counts(key)
    ours = c.active.total if fig.embedding_counted else c.active.without_embeddings
    last_digit = 10 ** math.floor(math.log10(fig.value) - 1)  # two significant digits printed: 37B -> 1B, 2.4B -> 0.1B
    assert abs(ours - fig.value) < last_digit, (key, ours, fig.value)


def test_deepseek_v3_breakdown_and_mtp() -> None:
    c = counts("deepseek-v3")
    assert c.all.embeddings == c.all.head == 129_280 * 7168  # "0.9B for Embedding", "0.9B for the output Head"
    assert c.all.routed_experts == 58 * 256 * 3 * 7168 * 2048
    assert c.active.routed_experts == 58 * 8 * 3 * 7168 * 2048
    assert c.all.total == sum(c.all.as_dict().values())
    assert c.mtp.total == pytest.approx(11.5e9, rel=0.01)  # README_WEIGHTS.md: "11.5B unique parameters"


def test_dense_models_use_every_parameter() -> None:
    for key in ("llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "qwen2.5-72b", "deepseek-llm-67b"):
        c = counts(key)
        assert c.active == c.all and c.all.routed_experts == 0 and c.mtp.total == 0


def test_qwen2_attention_biases_come_from_the_model_type() -> None:
    qwen = data.models()["qwen2.5-72b"].config
    with_bias = parameter_counts(architecture(qwen)).total
    without = parameter_counts(architecture({**qwen, "model_type": "llama"})).total
    assert with_bias - without == 80 * (64 * 128 + 2 * 8 * 128)


def test_tied_embeddings_drop_the_head() -> None:
    config = {**data.models()["llama-3.1-8b"].config, "tie_word_embeddings": True}
    assert counts("llama-3.1-8b").total - parameter_counts(architecture(config)).total == 128_256 * 4096


def test_qwen_moe_keys_shared_expert_gate_and_sparse_step() -> None:
    # Qwen1.5-MoE-A2.7B's keys (Qwen blog 2024-03-28: 14.3B total, 2.7B activated).
    config = {"model_type": "qwen2_moe", "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 5632,
              "num_hidden_layers": 24, "num_attention_heads": 16, "num_key_value_heads": 16, "num_experts": 60,
              "num_experts_per_tok": 4, "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632,
              "decoder_sparse_step": 1, "mlp_only_layers": [], "tie_word_embeddings": False}
    c = parameter_counts(architecture(config))
    assert c.total == pytest.approx(14.3e9, rel=0.005)
    assert c.active.total == pytest.approx(2.7e9, rel=0.01)
    assert c.all.shared_experts == 24 * (3 * 2048 * 5632 + 2048)  # the shared MLP and its sigmoid gate
    sparse = parameter_counts(architecture({**config, "decoder_sparse_step": 2, "mlp_only_layers": [1]}))
    arch = architecture({**config, "decoder_sparse_step": 2, "mlp_only_layers": [1]})
    assert arch.moe_layers[:4] == (False, False, False, True)  # layer 1 forced dense, then every second layer
    assert sparse.all.dense_mlp == arch.dense_layer_count * 3 * 2048 * 5632


def test_deepseek_moe_layer_frequency() -> None:
    config = {**data.models()["deepseek-v3"].config, "moe_layer_freq": 2}
    arch = architecture(config)
    assert arch.moe_layer_count == len([i for i in range(3, 61) if i % 2 == 0])


def test_head_dim_given_differs_from_width_over_heads() -> None:
    # Mistral-style configs give head_dim explicitly (e.g. 5120 wide, 32 heads of 128, not 160).
    config = {"vocab_size": 131072, "hidden_size": 5120, "intermediate_size": 14336, "num_hidden_layers": 40,
              "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128}
    arch = architecture(config)
    assert arch.head_dim == 128
    assert parameter_counts(arch).all.attention == 40 * gqa_attention_params(hidden_size=5120, heads=32, kv_heads=8,
                                                                              head_dim=128)


def test_detailed_flops_against_6n_within_what_attention_explains() -> None:
    # Training FLOPs = 3 x (2 N_active + attention); 6N uses N_active too (without the token-embedding table, the
    # site's one convention), so the two differ by exactly three times the attention term.
    for key in ("deepseek-v3", "llama-3.1-405b", "mixtral-8x7b"):
        arch = architecture(data.models()[key].config)
        c = parameter_counts(arch)
        qk, v = arch.qk_head_dim, arch.value_head_dim
        for context in (0, 2048, 4096):
            attn = flops.attention_flops_per_token(layers=arch.layers, heads=arch.heads, qk_head_dim=qk, v_head_dim=v,
                                                   context_tokens=context)
            forward = flops.forward_flops_per_token(matmul_params=c.active.without_embeddings, attention_flops=attn)
            detailed = flops.training_flops_per_token(forward_flops=forward)
            six_n = flops.six_n_flops_per_token(params=c.active.without_embeddings)
            assert detailed - six_n == pytest.approx(3 * attn)
            assert abs(detailed - six_n) / six_n < 0.35  # 6N stays a fair estimate at these contexts
