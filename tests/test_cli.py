"""The command line, run as a user would: `python -m calculators ...` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calculators", *args], capture_output=True, text=True)


def test_list_json_has_ids_titles_inputs_outputs_presets() -> None:
    proc = cli("list", "--json")
    assert proc.returncode == 0
    listed = json.loads(proc.stdout)
    assert [c["id"] for c in listed] == ["kv-cache", "model-params", "moe-design", "moe-router"]
    for calc in listed:
        assert calc["title"] and calc["inputs"] and calc["outputs"]
    assert all(c["presets"] for c in listed if c["id"] != "moe-router")


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
