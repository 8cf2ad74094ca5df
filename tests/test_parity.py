"""Layer 2: the package inside real Pyodide (npm package, under Node.js), loaded as the browser worker loads it
(compiled to bytecode, with the site's small standard library), answers exactly as CPython does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from calculators import calculator_ids, data, get_calculator, run
from calculators.registry import tool_json
from roundtrip import all_roundtrip_requests

pytestmark = pytest.mark.parity


def parity_requests() -> list[dict]:
    """Every example and every preset of every calculator, plus invalid inputs (the errors must match too)."""
    requests = []
    for calc_id in calculator_ids():
        calc = get_calculator(calc_id)
        requests += [{"id": calc_id, "inputs": dict(example.inputs)} for example in calc.examples]
        requests += [{"id": calc_id, "inputs": {"preset": name}} for name in calc.presets()]
        requests.append({"id": calc_id, "inputs": {}})
        requests += [{"id": calc_id, "inputs": {f.name: bad}} for f in calc.fields for bad in ("", "abc", "-1", "1e999")]
    requests.append({"id": "kv-cache", "inputs": {"attention": "gqa", "heads": "64", "kv_heads": "7"}})
    # Cost: the detailed FLOP count, owned against rented, the full cost on both bases, edge values
    requests += [
        {"id": "training-cost", "inputs": {"preset": "llama-3.1-405b", "flops_rule": "detailed", "mfu": "0.43"}},
        {"id": "training-cost", "inputs": {"mfu": "1e-310"}},
        {"id": "buy-vs-rent", "inputs": {"preset": "b200-vs-lambda", "utilization": "0.3", "cost_of_capital": "1e-17"}},
        {"id": "full-cost", "inputs": {"compute_basis": "rent", "experiment_multiplier": "4", "staff": "150"}},
        {"id": "full-cost", "inputs": {"compute_basis": "own", "capex_usd": "0", "opex_usd": "0"}},
        {"id": "run-bill", "inputs": {"preset": "deepseek-r1", "usd_per_gpu_hour": "3.99", "stage2_name": "<b>x</b>"}},
        {"id": "headline-costs", "inputs": {"usd_per_gpu_hour": "6.88"}},
    ]
    # API prices: each boundary of DeepSeek's lists, the off-peak window, a day spread over windows, bad dates
    requests += [
        {"id": "api-cost", "inputs": {"date": "2025-02-08", "time_utc": "15:59", "model_a": "deepseek-chat",
                                      "reasoning_tokens_a": "0", "model_b": "gpt-4o", "reasoning_tokens_b": "0"}},
        {"id": "api-cost", "inputs": {"date": "2025-02-26", "time_utc": "16:30"}},
        {"id": "api-cost", "inputs": {"date": "2025-09-05", "timing": "spread", "model_b": "claude-3-7-sonnet"}},
        {"id": "api-cost", "inputs": {"date": "2025-02-08", "timing": "spread", "model_a": "deepseek-chat",
                                      "reasoning_tokens_a": "0", "model_b": "o3-mini"}},
        {"id": "api-cost", "inputs": {"date": "2024-12-01"}},
        {"id": "api-cost", "inputs": {"date": "2025-02-30", "time_utc": "7:05"}},
        {"id": "api-cost", "inputs": {"date": "<b>2025</b>", "time_utc": "99:99"}},
        {"id": "api-cost", "inputs": {"cache_hit_percent": "100.5", "prompt_tokens": "-1"}},
        {"id": "reasoning-cost", "inputs": {"preset": "o1-vs-gpt-4o", "thinking_tokens": "32768", "timing": "spread"}},
        {"id": "reasoning-cost", "inputs": {"model": "deepseek-reasoner", "date": "2026-04-24"}},
        {"id": "price-trend", "inputs": {"trend": "custom", "custom_factor": "1", "years": "100"}},
        {"id": "price-trend", "inputs": {"trend": "epoch-fastest", "years": "100", "target_usd": "1e-6"}},
    ]
    # Serving: a custom accelerator, the largest batch, MHA and GQA caches, MTP, a model that does not fit, a
    # request longer than the context window, zero bandwidth, the day re-priced, the implied efficiencies
    requests += [
        {"id": "serving-cost", "inputs": {"preset": "llama-3.1-70b-8xh100", "accelerator": "custom",
                                          "peak_tflops": "2500", "attention_tflops": "1250", "bandwidth_tb_s": "8",
                                          "memory_gb": "192"}},
        {"id": "serving-cost", "inputs": {"preset": "deepseek-v3-day6", "batch_mode": "max", "attention": "mha"}},
        {"id": "serving-cost", "inputs": {"preset": "deepseek-v3-day6", "batch_mode": "max", "attention": "gqa",
                                          "kv_heads": "8"}},
        {"id": "serving-cost", "inputs": {"preset": "qwen2.5-72b-8xh100", "mtp_acceptance": "0.7",
                                          "overhead_ms": "3", "cached_share": "0.9"}},
        {"id": "serving-cost", "inputs": {"preset": "deepseek-v3-8xh200", "accelerator": "h100"}},
        {"id": "serving-cost", "inputs": {"preset": "deepseek-v3-day6", "prompt_tokens": "200000"}},
        {"id": "serving-cost", "inputs": {"accelerator": "custom", "bandwidth_tb_s": "0"}},
        {"id": "serving-cost", "inputs": {"preset": "deepseek-v3-day6", "batch_size": "30000"}},
        {"id": "serving-disclosure", "inputs": {"preset": "deepseek-off-peak", "fleet_basis": "peak"}},
        {"id": "serving-measured", "inputs": {"usd_per_gpu_hour": "3.99", "mtp_acceptance": "0"}},
    ]
    # Config import: each preset's keys pasted as text, and hostile text, in every calculator that takes a model.
    hostile = ["{", "[" * 3000, '{"hidden_size": NaN}', '{"a": ' + "9" * 400 + "}", "{}", '{"hidden_size": "x"}']
    for calc_id in calculator_ids():
        if get_calculator(calc_id).field("config") is None:
            continue
        requests += [{"id": calc_id, "inputs": {"config": json.dumps(m.config)}} for m in data.models().values()]
        requests += [{"id": calc_id, "inputs": {"config": text}} for text in hostile]
    # Real configs of other families (tests/fixtures/configs): counted, windowed, or refused by name.
    fixtures = sorted((Path(__file__).parent / "fixtures" / "configs").glob("*.json"))
    for calc_id in calculator_ids():
        if get_calculator(calc_id).field("config") is None:
            continue
        requests += [{"id": calc_id, "inputs": {"config": path.read_text()}} for path in fixtures]
    requests += [{"id": "kv-cache", "inputs": {"config": path.read_text(), "context_length": "131072",
                                               "accelerator": "h100", "batch_size": "64"}} for path in fixtures]
    requests.append({"id": "kv-cache", "inputs": {"config": "  \n "}})
    # serving-cost at long context, where windowed and linear layers hold far less than full ones
    requests += [{"id": "serving-cost", "inputs": {"config": path.read_text(), "prompt_tokens": "100000",
                                                   "output_tokens": "2000", "accelerator": "h200"}} for path in fixtures]
    # Rewards lists, good and hostile, in the one calculator that reads a list of numbers from text.
    rewards = ["1, 0, 0, 1", "1 1 1 1", "0.5; -2.25;\n3e2", "−1, 1", "1", "", "1, abc", "1, NaN", "1, inf", "1, 1e999",
               "1, 2e6", "0, 5e-324", "0, 1e-300", ", ".join(["1", "0"] * 512), " ".join(["1"] * 1025),
               "<img src=x onerror=alert(1)>", "1, 0" + "\u0000" * 3, "1, " + "9" * 400]
    requests += [{"id": "grpo-advantages", "inputs": {"rewards": text}} for text in rewards]
    requests += [{"id": "grpo-advantages", "inputs": {"rewards": "1, 0, 0, 1", "std_kind": kind, "std_epsilon": 0,
                                                      "advantage_scaling": scaling}}
                 for kind in ("sample", "population") for scaling in ("std", "none")]
    requests.append({"id": "no-such-calculator", "inputs": {}})
    # The page's round trip (tests/roundtrip.py): inputs back as text, each field edited, every choice combination.
    requests += [{"id": calc_id, "inputs": inputs} for calc_id, _, inputs, _ in all_roundtrip_requests()]
    return requests + tool_requests()


def tool_requests() -> list[dict]:
    """The widgets' tools: sensitivity (each calculator's presets over declared ranges, every output of the cost
    calculators, ±25%) and reproduce (each preset, and a preset's inputs with one edit, sent back as text)."""
    requests = []
    for calc_id in calculator_ids():
        calc = get_calculator(calc_id)
        starts = [{"preset": name} for name in calc.presets()] or [{}]
        requests += [{"id": calc_id, "inputs": inputs, "tool": "sensitivity"} for inputs in starts]
        requests += [{"id": calc_id, "inputs": starts[0], "tool": "sensitivity", "options": {"ranges": False, "percent": 25}}]
        requests += [{"id": calc_id, "inputs": inputs, "tool": "reproduce"} for inputs in starts]
        edited = [inputs for cid, what, inputs, _ in all_roundtrip_requests() if cid == calc_id and "=" in what]
        requests += [{"id": calc_id, "inputs": inputs, "tool": "reproduce"} for inputs in edited[:: max(1, len(edited) // 8)]]
    for calc_id in ("training-cost", "buy-vs-rent", "full-cost"):
        calc = get_calculator(calc_id)
        requests += [{"id": calc_id, "inputs": {"preset": calc.default_preset}, "tool": "sensitivity",
                      "options": {"output": o.name}} for o in calc.outputs]
    requests += [{"id": "kv-cache", "inputs": {"layers": "x"}, "tool": "sensitivity"},
                 {"id": "kv-cache", "inputs": {}, "tool": "sensitivity", "options": {"output": "nope", "percent": "abc"}},
                 {"id": "kv-cache", "inputs": {}, "tool": "nope"}]
    return requests


def cpython_answer(request: dict) -> dict:
    if "tool" in request:
        return json.loads(tool_json(request["tool"], request["id"], json.dumps(request["inputs"]),
                                    json.dumps(request.get("options", {}))))
    return json.loads(json.dumps(run(request["id"], request["inputs"])))


def test_pyodide_matches_cpython(root: Path, bundle, tmp_path: Path) -> None:
    requests = parity_requests()
    requests_file = tmp_path / "requests.json"
    requests_file.write_text(json.dumps(requests))
    proc = subprocess.run(
        ["node", str(root / "tests" / "pyodide_runner.mjs"), str(root / "node_modules" / "pyodide"),
         str(bundle.stdlib), str(bundle.package), str(requests_file)],
        capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    answer = json.loads(proc.stdout)
    assert answer["python"].startswith("3.14"), answer["python"]  # really Pyodide 314, not the host Python
    # The compiled package and standard library were used: nothing was compiled from source in Pyodide.
    assert answer["calculators"].endswith("site-packages/calculators/__init__.pyc"), answer["calculators"]
    assert answer["from_source"] == [], answer["from_source"]
    assert len(answer["results"]) == len(requests)
    assert sum("tool" in r for r in requests) > 100
    for request, in_pyodide in zip(requests, answer["results"]):
        assert in_pyodide == cpython_answer(request), request


FALLBACK_PROBE = r"""
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";
const [pyodideDir, stdlibPath] = process.argv.slice(1);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const lock = JSON.parse(readFileSync(path.join(pyodideDir, "pyodide-lock.json"), "utf8"));
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep, stdLibURL: stdlibPath,
                                    lockFileContents: { info: lock.info, packages: {} } });
pyodide.globals.set("read_full_stdlib", () => new Uint8Array(readFileSync(path.join(pyodideDir, "python_stdlib.zip"))));
const answer = pyodide.runPython(`
import json, sys
import _stdlib_fallback
fetches = []
_stdlib_fallback.install(lambda: (fetches.append(1), read_full_stdlib())[1])
before = "fractions" in sys.modules or "email" in sys.modules
try:
    import not_a_standard_module
    missing = "imported"
except ModuleNotFoundError:
    missing = f"ModuleNotFoundError after {len(fetches)} fetches"
import fractions, email.mime.text, json.tool
json.dumps({"before": before, "missing": missing, "half": str(fractions.Fraction(1, 2)),
            "mime": email.mime.text.MIMEText.__name__, "tool": json.tool.__name__, "fetches": len(fetches)})
`);
process.stdout.write(answer);
"""


def test_other_standard_library_modules_come_from_the_full_zip_on_first_import(root: Path, bundle) -> None:
    """The site's standard library holds only what start-up and the package import; anything else (a top-level
    module, a package, a submodule of a package it has in part) is imported from Pyodide's full zip, fetched once;
    a name that is in neither is an ordinary ModuleNotFoundError, without a fetch."""
    proc = subprocess.run(["node", "--input-type=module", "-e", FALLBACK_PROBE, str(root / "node_modules" / "pyodide"),
                           str(bundle.stdlib)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "fractions.py" not in bundle.stdlib_modules and "json/tool.py" not in bundle.stdlib_modules
    assert json.loads(proc.stdout) == {"before": False, "missing": "ModuleNotFoundError after 0 fetches",
                                       "half": "1/2", "mime": "MIMEText", "tool": "json.tool", "fetches": 1}
