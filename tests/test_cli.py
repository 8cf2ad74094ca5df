"""The command line, run as a user would: `python -m calculators ...` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from calculators import data


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calculators", *args], capture_output=True, text=True)


def test_list_json_has_ids_titles_inputs_outputs_presets() -> None:
    proc = cli("list", "--json")
    assert proc.returncode == 0
    listed = json.loads(proc.stdout)
    assert [c["id"] for c in listed] == ["kv-cache", "model-params", "moe-design", "moe-router", "training-cost",
                                        "run-bill", "precision", "buy-vs-rent", "full-cost", "headline-costs",
                                        "serving-cost", "serving-disclosure", "serving-measured", "grpo-advantages", "ppo-vs-grpo", "rl-run-bill", "api-cost", "reasoning-cost",
                                            "price-trend"]
    for calc in listed:
        assert calc["title"] and calc["inputs"] and calc["outputs"]
    assert all(c["presets"] for c in listed if c["id"] not in ("moe-router", "headline-costs", "serving-measured"))


def test_list_plain() -> None:
    proc = cli("list")
    assert proc.returncode == 0 and proc.stdout.startswith("kv-cache")


def test_run_json_shape() -> None:
    proc = cli("run", "kv-cache", "--preset", "deepseek-v3", "bits_per_element=16", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["errors"] == []
    assert result["outputs"]["bytes_per_token"] == {"value": 70272.0, "unit": "B", "label": "KV cache per token"}


def test_options_and_assignments_in_any_order() -> None:
    a = json.loads(cli("run", "kv-cache", "context_length=1000", "--preset", "qwen2.5-72b", "--json").stdout)
    b = json.loads(cli("run", "kv-cache", "--preset", "qwen2.5-72b", "--json", "context_length=1000").stdout)
    assert a == b and a["outputs"]["bytes_per_sequence"]["value"] == 327_680_000


def test_bad_input_exits_2_with_field_errors() -> None:
    proc = cli("run", "kv-cache", "layers=abc", "heads=-1")
    assert proc.returncode == 2
    assert "layers: “abc” is not a number." in proc.stderr
    assert "heads: Must be at least 1." in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = cli("run", "kv-cache", "layers=abc", "--json")
    assert proc.returncode == 2 and json.loads(proc.stdout)["errors"][0]["field"] == "layers"


def test_malformed_calls() -> None:
    assert cli("run", "nope").returncode == 2
    assert cli("run", "kv-cache", "novalue").returncode == 2
    assert cli("run").returncode == 2
    assert cli("frobnicate").returncode == 2


def test_help_is_generated_from_the_schema() -> None:
    proc = cli("run", "kv-cache", "--help")
    assert proc.returncode == 0
    assert "attention=mha|gqa|mqa|mla" in proc.stdout
    assert "kv_lora_rank=integer" in proc.stdout
    assert "presets: " in proc.stdout and "deepseek-v3" in proc.stdout


def test_config_file_counts_a_model(tmp_path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(data.models()["deepseek-v3"].config, indent=2))
    proc = cli("run", "model-params", "--config", str(config), "--json")
    assert proc.returncode == 0, proc.stderr
    outputs = json.loads(proc.stdout)["outputs"]
    assert outputs["total_params"]["value"] == pytest.approx(671e9, rel=0.001)
    kv = cli("run", "kv-cache", "--config", str(config), "bits_per_element=16", "--json")
    assert json.loads(kv.stdout)["outputs"]["bytes_per_token"]["value"] == 70_272


def test_bad_config_files_exit_2_with_a_message(tmp_path) -> None:
    binary = tmp_path / "bin.json"
    binary.write_bytes(bytes(range(256)))
    proc = cli("run", "model-params", "--config", str(binary))
    assert proc.returncode == 2 and "not UTF-8" in proc.stderr and "Traceback" not in proc.stderr
    big = tmp_path / "big.json"
    big.write_text(" " * 1_000_000)
    proc = cli("run", "model-params", "--config", str(big))
    assert proc.returncode == 2 and "larger than" in proc.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"hidden_size": 4096}')
    proc = cli("run", "model-params", "--config", str(garbage))
    assert proc.returncode == 2 and "lacks num_hidden_layers" in proc.stderr
    proc = cli("run", "model-params", "--config", str(tmp_path / "missing.json"))
    assert proc.returncode == 2 and "cannot read" in proc.stderr
    proc = cli("run", "moe-router", "--config", str(garbage))
    assert proc.returncode == 2 and "does not take a model config" in proc.stderr


def test_plain_output_prints_the_result_tables() -> None:
    """DeepSeek-V3's Table 1 stages come out as rows, with the published figures beside them."""
    proc = cli("run", "run-bill", "--preset", "deepseek-v3")
    assert proc.returncode == 0, proc.stderr
    assert "The bill at $2 per GPU-hour" in proc.stdout
    [row] = [line for line in proc.stdout.splitlines() if line.startswith("Pre-training")]
    assert "2,664,000" in row and "$5.328M" in row
