"""Model families beyond the plain transformer, from their real config.json files (tests/fixtures/configs, sources in
its README): counted as transformers counts them, against their authors' figures, or refused by name; and their
KV cache at long context by hand.

The transformers counts below are pinned from `scripts/check_param_counts.py` (transformers 5.23.0, the language
model built on the meta device, `sum(p.numel() for p in model.parameters())`). The one convention that differs:
DeepSeek's router bias (`e_score_correction_bias`, E per MoE layer) is a buffer there and a parameter here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from calculators import run
from calculators.model_config import ConfigError, architecture, architecture_from_json
from calculators.parameters import parameter_counts

FIXTURES = Path(__file__).parent / "fixtures" / "configs"


def config(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def counts(name: str):
    return parameter_counts(architecture(config(name)))


TRANSFORMERS_COUNTS = {
    "gemma-2-27b": 27_227_128_320,
    "gemma-3-27b-it": 27_009_002_240,  # language model only
    "gpt-oss-20b": 20_914_757_184,
    "gpt-oss-120b": 116_829_156_672,
    "llama-4-scout-17b-16e": 107_769_861_120,  # language model only
    "llama-4-maverick-17b-128e": 400_711_848_960,  # language model only
    "minimax-m1": 456_089_655_296,
    "mistral-7b-v0.1": 7_241_732_096,
    "qwen2-7b-instruct": 7_615_616_512,
    "qwen3-30b-a3b-base": 30_532_122_624,
    "deepseek-v3.2-exp": 671_877_929_216,  # without the router bias, 58 x 256
}


@pytest.mark.parametrize(("name", "theirs"), TRANSFORMERS_COUNTS.items())
def test_total_matches_transformers_within_a_tenth_of_a_percent(name: str, theirs: int) -> None:
    ours = counts(name).total
    assert abs(ours / theirs - 1) < 0.001, (name, ours, theirs)
    router_bias = 58 * 256 if name == "deepseek-v3.2-exp" else 0
    assert ours - router_bias == theirs  # exact, once the stated convention is taken out


# Figures the authors printed, and the convention that reproduces each (printed precision as tolerance).
PUBLISHED = [
    # name, total, active, which active count, tolerance, source
    ("gpt-oss-120b", 116.83e9, 5.13e9, "without_embeddings", 0.001,
     "OpenAI, gpt-oss-120b & gpt-oss-20b model card (arXiv:2508.10925), Table 1: 116.83B total, 5.13B active"),
    ("gpt-oss-20b", 20.91e9, 3.61e9, "without_embeddings", 0.002,
     "same table: 20.91B total, 3.61B active"),
    ("minimax-m1", 456e9, 45.9e9, "without_embeddings_and_head", 0.002,
     "MiniMax-M1 README (github.com/MiniMax-AI/MiniMax-M1 @ 2abb4f4): 456 billion, 45.9 billion activated"),
    ("qwen3-30b-a3b-base", 30.5e9, 3.3e9, "total", 0.02,
     "Qwen3-30B-A3B model card: 30.5B in total and 3.3B activated"),
    ("llama-4-maverick-17b-128e", 400e9, 17e9, "total", 0.02,
     "Llama 4 model card: 17B activated, 400B total"),
]


@pytest.mark.parametrize(("name", "total", "active", "convention", "tolerance", "source"), PUBLISHED)
def test_published_total_and_active(name, total, active, convention, tolerance, source) -> None:
    c = counts(name)
    assert c.total == pytest.approx(total, rel=tolerance), source
    ours = {"total": c.active.total, "without_embeddings": c.active.without_embeddings,
            "without_embeddings_and_head": c.active.without_embeddings - c.active.head}[convention]
    assert ours == pytest.approx(active, rel=max(tolerance, 0.01)), (source, ours)


def test_llama_4_scout_language_model_below_the_published_109b() -> None:
    # Meta's "109B total" counts the vision encoder too; the language model alone is 1.1% less, active 17.2B.
    c = counts("llama-4-scout-17b-16e")
    assert 0.985 * 109e9 < c.total < 109e9
    assert c.active.total == pytest.approx(17e9, rel=0.02)


def test_gemma_ties_its_head_by_family_default() -> None:
    # Gemma 2's config.json has no tie_word_embeddings: Gemma2Config ties by default (the head was counted twice,
    # +4.3%). Gemma 3 27B: 25.6B non-embedding parameters (Gemma 3 report, arXiv:2503.19786, Table 1).
    for name in ("gemma-2-27b", "gemma-3-27b-it"):
        arch = architecture(config(name))
        assert arch.tie_embeddings and counts(name).all.head == 0
    gemma3 = counts("gemma-3-27b-it")
    assert gemma3.total - gemma3.all.embeddings == pytest.approx(25.6e9, rel=0.001)
    untied = parameter_counts(architecture({**config("gemma-2-27b"), "tie_word_embeddings": False}))
    assert untied.total - counts("gemma-2-27b").total == 256_000 * 4608


def test_deepseek_v3_2_indexer_is_counted() -> None:
    c = counts("deepseek-v3.2-exp")
    per_layer = 1536 * 64 * 128 + 7168 * 128 + 2 * 128 + 7168 * 64
    assert c.all.indexer == 61 * per_layer == 851_524_864  # the 0.85B the count used to miss


def test_llama_4_moe_and_dense_layers() -> None:
    maverick = architecture(config("llama-4-maverick-17b-128e"))
    assert maverick.moe_layers[:4] == (False, True, False, True) and maverick.moe_layer_count == 24
    assert maverick.intermediate_size == 16384 and maverick.shared_intermediate_size == 8192
    scout = architecture(config("llama-4-scout-17b-16e"))
    assert scout.moe_layer_count == 48
    assert scout.layer_type_counts() == {"full": 12, "chunked": 36} and scout.attention_chunk_size == 8192


def test_llama_4_kv_cache_without_the_mlp_key() -> None:
    # kv-cache needs no MLP width: a config without intermediate_size_mlp still fills the attention fields; the
    # parameter count, which needs it for Maverick's dense layers, names the key.
    text = config("llama-4-maverick-17b-128e")
    text["text_config"] = {k: v for k, v in text["text_config"].items() if k != "intermediate_size_mlp"}
    result = run("kv-cache", {"config": json.dumps(text)})
    assert result["errors"] == [] and result["inputs"]["window_layers"] == 36
    with pytest.raises(ConfigError, match="intermediate_size_mlp"):
        parameter_counts(architecture(text))


REFUSED = {
    "qwen3-next-80b-a3b": "Gated DeltaNet",
    "nemotron-h-8b-base-8k": "Mamba-2",
}


@pytest.mark.parametrize(("name", "layer_type"), REFUSED.items())
def test_hybrid_families_are_refused_by_name(name: str, layer_type: str) -> None:
    text = json.dumps(config(name))
    with pytest.raises(ConfigError, match=layer_type):
        architecture_from_json(text)
    for calc in ("model-params", "kv-cache", "moe-design", "training-cost"):
        errors = run(calc, {"config": text})["errors"]
        assert [e["field"] for e in errors] == ["config"] and layer_type in errors[0]["message"], calc


def _kv(name: str, context: int, **inputs) -> dict:
    result = run("kv-cache", {"config": json.dumps(config(name)), "context_length": context, "bits_per_element": 16,
                              **inputs})
    assert result["errors"] == []
    return {k: v["value"] for k, v in result["outputs"].items()}


def test_gpt_oss_kv_cache_at_128k_by_hand() -> None:
    # 36 layers alternate a 128-token window and full attention; 8 KV heads of 64, BF16: 2*8*64*2 = 2,048 B a layer.
    out = _kv("gpt-oss-120b", 131072)
    assert out["bytes_per_sequence"] == 18 * 2048 * 131072 + 18 * 2048 * 128
    assert out["bytes_per_sequence"] / (36 * 2048 * 131072) == pytest.approx(0.5, abs=0.001)  # was 2x too high


def test_gemma_kv_cache_at_128k_by_hand() -> None:
    # Gemma 2 27B: 23 full + 23 windowed (4,096) layers of 16 KV heads of 128: 8,192 B a layer per token.
    assert _kv("gemma-2-27b", 131072)["bytes_per_sequence"] == 23 * 8192 * 131072 + 23 * 8192 * 4096
    # Gemma 3 27B: one full layer in six (10 of 62), the others a 1,024-token window.
    assert _kv("gemma-3-27b-it", 131072)["bytes_per_sequence"] == 10 * 8192 * 131072 + 52 * 8192 * 1024


def test_minimax_linear_layers_keep_a_fixed_state() -> None:
    short, long = _kv("minimax-m1", 1024), _kv("minimax-m1", 1_048_576)
    state = 70 * 64 * 128 * 128 * 2  # 70 lightning layers, H d_k d_v elements each, BF16
    assert short["bytes_per_sequence"] == 10 * 2 * 8 * 128 * 2 * 1024 + state
    assert long["bytes_per_sequence"] - short["bytes_per_sequence"] == 10 * 4096 * (1_048_576 - 1024)


def test_mistral_and_qwen2_window_keys() -> None:
    mistral = architecture(config("mistral-7b-v0.1"))
    assert mistral.layer_type_counts() == {"sliding": 32} and mistral.sliding_window == 4096
    qwen2 = architecture(config("qwen2-7b-instruct"))  # use_sliding_window: false
    assert qwen2.layer_type_counts() == {"full": 28}
    windowed = architecture({**config("qwen2-7b-instruct"), "use_sliding_window": True, "max_window_layers": 20,
                             "sliding_window": 4096})
    assert windowed.layer_kinds()[19:21] == ("full", "sliding") and windowed.layer_type_counts()["sliding"] == 8


def test_windowed_attention_flops_stop_growing() -> None:
    text = json.dumps(config("gpt-oss-120b"))
    a = run("model-params", {"config": text, "context_length": 65536})["outputs"]["attention_flops_per_token"]["value"]
    b = run("model-params", {"config": text, "context_length": 131072})["outputs"]["attention_flops_per_token"]["value"]
    per_token = 2 * 64 * (64 + 64)  # 2·H·(d_qk + d_v) per layer per attended token
    assert b - a == 18 * per_token * 65536  # only the 18 full layers grow


def test_kv_cache_says_when_it_does_not_fit() -> None:
    result = run("kv-cache", {"preset": "deepseek-v3", "accelerator": "h800", "accelerator_count": 16,
                              "weight_bits": 8, "context_length": 131072, "batch_size": 1024})
    out = {k: v["value"] for k, v in result["outputs"].items()}
    assert out["cache_bytes"] > out["free_bytes"]
    assert [(v["ok"], v["title"]) for v in result["verdicts"]] == [(False, "Does not fit")]
    assert out["context_fit_at_batch"] == int(out["free_bytes"] / 1024 // 70_272)
    assert out["sequences_fit"] == int(out["free_bytes"] // (70_272 * 131072))
    fits = run("kv-cache", {"preset": "deepseek-v3", "accelerator": "h800", "accelerator_count": 16,
                            "weight_bits": 8, "context_length": 4096})
    assert [(v["ok"], v["title"]) for v in fits["verdicts"]] == [(True, "Fits")]


@pytest.mark.parametrize("text", ["  ", "\n\t "])
def test_blank_config_gets_a_message(text: str) -> None:
    errors = run("kv-cache", {"config": text})["errors"]
    assert errors and errors[0]["field"] == "config" and "empty" in errors[0]["message"]


def test_moe_layer_rules_follow_each_family() -> None:
    qwen = config("qwen3-30b-a3b-base")
    # an empty mlp_only_layers says nothing: a DeepSeek-style first_k_dense_replace still decides for a third family
    generic = {**qwen, "model_type": "other", "first_k_dense_replace": 2, "mlp_only_layers": []}
    assert architecture(generic).moe_layers[:3] == (False, False, True)
    # Qwen's own code ignores first_k_dense_replace
    assert all(architecture({**qwen, "first_k_dense_replace": 2}).moe_layers)
    listed = {**config("deepseek-v3.2-exp"), "moe_layer_freq": [0, 1] * 30 + [1], "first_k_dense_replace": 0}
    assert architecture(listed).moe_layer_count == 31


def test_huge_value_is_written_in_powers_of_ten() -> None:
    with pytest.raises(ConfigError) as info:
        architecture({**config("mistral-7b-v0.1"), "vocab_size": 1e308})
    assert "10^308" in str(info.value) and "0000000000" not in str(info.value) and "vocab_size" in str(info.value)


@pytest.mark.reference
def test_reference_check_against_transformers(root: Path) -> None:
    """Builds every fixture in transformers (needs .venv-reference, see README) and compares the counts."""
    python = root / ".venv-reference" / "bin" / "python"
    if not python.exists():
        pytest.skip("no .venv-reference with torch and transformers")
    proc = subprocess.run([str(python), str(root / "scripts" / "check_param_counts.py"), "--json"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    rows = {r["model"]: r for r in json.loads(proc.stdout)}
    for name, theirs in TRANSFORMERS_COUNTS.items():
        assert rows[name]["transformers"] == theirs, name
    assert sys.version_info >= (3, 11)
