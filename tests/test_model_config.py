"""Reading config.json text a reader pastes: every problem is one ConfigError message, nothing else escapes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import data, run
from calculators.model_config import MAX_CONFIG_CHARS, ConfigError, architecture, architecture_from_json
from calculators.parameters import parameter_counts

LLAMA_8B = data.models()["llama-3.1-8b"].config


@pytest.mark.parametrize(("text", "expected"), [
    ("", "empty"),
    ("not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ("[" * 5000 + "]" * 5000, "nested more than 16"),
    ('{"a": ' * 40 + "1" + "}" * 40, "nested more than 16"),
    ('{"hidden_size": NaN}', "NaN"),
    ('{"hidden_size": Infinity}', "Infinity"),
    ('{"hidden_size": ' + "9" * 5000 + "}", "integer of 5000 digits"),
    (" " * (MAX_CONFIG_CHARS + 1), "limit is 200,000"),
    ('{"hidden_size": 4096}', "lacks num_hidden_layers, num_attention_heads, vocab_size"),
    (json.dumps({**LLAMA_8B, "hidden_size": "4096"}), "“hidden_size” must be a whole number; the config has the text “4096”"),
    (json.dumps({**LLAMA_8B, "hidden_size": True}), "must be a whole number; the config has true"),
    (json.dumps({**LLAMA_8B, "num_hidden_layers": -3}), "between 1 and 10,000"),
    (json.dumps({**LLAMA_8B, "vocab_size": 1e12}), "between 1 and 100,000,000"),
    (json.dumps({**LLAMA_8B, "num_key_value_heads": 7}), "must divide"),
    (json.dumps({**LLAMA_8B, "tie_word_embeddings": "yes"}), "true or false"),
    (json.dumps({**LLAMA_8B, "num_local_experts": 8}), "no “num_experts_per_tok”"),
    (json.dumps({**LLAMA_8B, "num_local_experts": 8, "num_experts_per_tok": 9}), "between 0 and 8"),
    (json.dumps({**LLAMA_8B, "hybrid_override_pattern": "M-M*"}), "Mamba-2 state-space layers"),
    (json.dumps({**LLAMA_8B, "layer_types": ["full_attention", "mamba"] * 16}), "“layer_types” has a layer of type"),
    (json.dumps({**LLAMA_8B, "vocab_size": 1e300}), "“vocab_size” must be between 1 and 100,000,000; the config has 1 × 10^300"),
    (json.dumps({**LLAMA_8B, "kv_lora_rank": 512}), "lacks qk_nope_head_dim, qk_rope_head_dim, v_head_dim"),
    (json.dumps({**LLAMA_8B, "mlp_only_layers": "all", "num_experts": 4, "num_experts_per_tok": 1}),
     "list of layer numbers"),
])
def test_bad_configs_get_one_clear_message(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parameter_counts(architecture_from_json(text))
    assert expected in str(info.value)
    result = run("model-params", {"config": text})
    assert result["outputs"] == {}
    assert [e["field"] for e in result["errors"]] == ["config"]


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
                    max_leaves=30))
def test_any_json_value_is_read_or_refused_with_a_message(value) -> None:
    text = json.dumps(value)
    try:
        architecture_from_json(text)
    except ConfigError as exc:
        assert str(exc)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(LLAMA_8B) + ["num_experts", "num_experts_per_tok", "head_dim",
                                                           "moe_intermediate_size", "first_k_dense_replace"]),
                       st.integers(min_value=-5, max_value=10**9) | st.none() | st.text(max_size=5), max_size=8))
def test_perturbed_keys_never_crash(overrides) -> None:
    result = run("model-params", {"config": json.dumps({**LLAMA_8B, **overrides})})
    assert result["errors"] or result["outputs"]["total_params"]["value"] > 0


def test_text_config_wrapper_is_read() -> None:
    wrapped = {"architectures": ["SomethingForConditionalGeneration"], "vision_config": {"hidden_size": 1024},
               "text_config": LLAMA_8B}
    from dataclasses import replace

    assert replace(architecture(wrapped), other_towers=()) == architecture(LLAMA_8B)
    assert architecture(wrapped).other_towers == ("vision_config",)  # named in a note: not counted


def test_preset_and_pasted_config_agree_in_every_calculator() -> None:
    for key, model in data.models().items():
        text = json.dumps(model.config)
        pasted = run("model-params", {"config": text})["outputs"]
        assert pasted == run("model-params", {"preset": key})["outputs"]
        kv_pasted = run("kv-cache", {"config": text})
        kv_preset = run("kv-cache", {"preset": key})
        assert kv_pasted["outputs"]["bytes_per_token"] == kv_preset["outputs"]["bytes_per_token"]


def test_config_fills_and_explicit_inputs_override() -> None:
    text = json.dumps(data.models()["llama-3.1-8b"].config)
    result = run("kv-cache", {"config": text, "layers": "2", "preset": "deepseek-v3"})
    assert result["inputs"]["attention"] == "gqa"  # the config wins over the preset
    assert result["inputs"]["layers"] == 2  # an explicit input wins over the config
    assert result["inputs"]["params_billion"] == pytest.approx(8.030261248)


def test_kv_cache_reports_a_bad_config_at_its_field() -> None:
    result = run("kv-cache", {"config": "{"})
    assert result["errors"][0]["field"] == "config" and "not valid JSON" in result["errors"][0]["message"]


def test_missing_mlp_width_stops_the_count_not_the_kv_cache() -> None:
    text = json.dumps({k: v for k, v in LLAMA_8B.items() if k != "intermediate_size"})
    with pytest.raises(ConfigError, match="lacks “intermediate_size”"):
        parameter_counts(architecture_from_json(text))
    assert [e["field"] for e in run("model-params", {"config": text})["errors"]] == ["config"]
    assert run("kv-cache", {"config": text})["errors"] == []
