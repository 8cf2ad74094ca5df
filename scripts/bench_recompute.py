#!/usr/bin/env python3
"""Recompute latency of calculators in Pyodide (Node.js, no browser): what a widget's Python part costs per edit.

Builds the wheel as the docs build does, runs ``scripts/bench_recompute.mjs`` (the wheel in the npm package's
Pyodide, called through ``run_json`` as the browser worker calls it) and prints median, p95 and max per request.
Targets: the serving-cost widget, chart included, p95 <= 16 ms (issue 11). The same requests are timed in CPython
for scale. The browser adds the worker's message round trip and the DOM update (see scripts/bench_widget.py).

Usage, from the repository root: ``.venv/bin/python scripts/bench_recompute.py [--runs N] [--json]``.
Exit status 0 whatever the figures (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

REQUESTS = [
    {"id": "serving-cost", "inputs": {"preset": "deepseek-v3-day6"},
     "vary": {"batch_size": [str(b) for b in range(4096, 18433, 512)]}},
    {"id": "serving-cost", "inputs": {"preset": "llama-3.1-70b-8xh100"},
     "vary": {"prompt_tokens": [str(p) for p in range(1000, 9000, 250)]}},
    {"id": "serving-cost", "inputs": {"preset": "llama-3.1-70b-8xh100", "accelerator": "custom", "peak_tflops": "2500",
                                      "attention_tflops": "1250", "memory_gb": "192"},
     "vary": {"bandwidth_tb_s": [str(4 + i / 4) for i in range(32)]}},
    {"id": "serving-disclosure", "inputs": {"preset": "deepseek-r1"},
     "vary": {"usd_per_gpu_hour": [str(1 + i / 10) for i in range(30)]}},
    {"id": "serving-measured", "inputs": {}, "vary": {"usd_per_gpu_hour": [str(1 + i / 10) for i in range(30)]}},
    {"id": "kv-cache", "inputs": {"preset": "deepseek-v3"},
     "vary": {"context_length": [str(1024 * (i + 1)) for i in range(32)]}},
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpython_times(request: dict, runs: int) -> list[float]:
    from calculators.registry import run_json as registry_run_json  # noqa: PLC0415,F401

    field, values = next(iter(request["vary"].items()))
    times = []
    for i in range(runs):
        text = json.dumps({**request["inputs"], field: values[i % len(values)]})
        start = time.perf_counter()
        registry_run_json(request["id"], text)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from sitebuild.assets import build_wheel  # noqa: PLC0415

    wheel = build_wheel()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(REQUESTS, f)
    proc = subprocess.run(["node", str(ROOT / "scripts" / "bench_recompute.mjs"), str(ROOT / "node_modules" / "pyodide"),
                           str(wheel), f.name, str(args.runs)], capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        print(f"error: Pyodide run failed: {proc.stderr[-500:]}", file=sys.stderr)
        return 1
    report = []
    for request, answer in zip(REQUESTS, json.loads(proc.stdout)):
        times = answer["times"]
        native = cpython_times(request, min(args.runs, 200))
        label = request["id"] + (f" ({request['inputs']['preset']})" if "preset" in request["inputs"] else "")
        if request["inputs"].get("accelerator") == "custom":
            label += ", custom accelerator"
        report.append({"request": label, "varied": answer["field"], "runs": len(times), "errors": answer["errors"],
                       "median_ms": statistics.median(times), "p95_ms": percentile(times, 0.95),
                       "max_ms": max(times), "cpython_median_ms": statistics.median(native)})
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{'request':58} {'runs':>5} {'median':>8} {'p95':>8} {'max':>8} {'CPython':>8}  (ms, Pyodide in Node)")
    for r in report:
        flag = "" if not r["errors"] else f"  {r['errors']} runs had errors"
        print(f"{r['request']:58} {r['runs']:>5} {r['median_ms']:>8.2f} {r['p95_ms']:>8.2f} {r['max_ms']:>8.2f} "
              f"{r['cpython_median_ms']:>8.2f}{flag}")
    print("Target: serving-cost p95 <= 16 ms (chart included).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
