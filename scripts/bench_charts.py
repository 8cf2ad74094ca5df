#!/usr/bin/env python3
"""Benchmark chart drawing: what `calculators.charts` costs per recompute, in CPython and in real Pyodide.

A widget redraws its charts on every edit: `run` returns each chart drawn twice (the wide and the narrow drawing),
so a chart's cost per recompute is ``chart_svg(spec) + chart_svg(spec, narrow=True)``. This script times that for
the first chart of every calculator (its default inputs), plus two specs that use the newer features (a log-log
frontier with three styled series, a marked point and a region; a tornado), and prints, per chart, the median and
the 95th percentile of ``--samples`` timings (each the mean of 5 calls) in milliseconds, and the whole `run` call
(charts included) next to it; CPython's figures are CPU time, so other work on a shared machine does not count. The target: a recompute, charts included, at p95 <= 16 ms in Pyodide.

With ``--pyodide`` the same Python code runs inside Pyodide under Node.js (the npm package in node_modules and the
wheel the docs build publishes), which is what the browser worker runs; expect it to be a few times slower than
CPython.

Usage, from the repository root: ``.venv/bin/python scripts/bench_charts.py [--samples N] [--pyodide] [--json]``.
Exit status 0 whatever the figures (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs in CPython or in Pyodide: prints {name: {"chart_ms": [...], "run_ms": [...], "bytes": int}} as JSON.
BENCH = r'''
import json, statistics, time
from calculators import calculator_ids, get_calculator, run
from calculators.charts import chart_svg, line_chart, tornado_chart

SAMPLES = __SAMPLES__
cases = {}
for calc_id in calculator_ids():
    calc = get_calculator(calc_id)
    inputs = {} if run(calc_id, {})["charts"] else dict(calc.examples[0].inputs) if calc.examples else {}
    result = run(calc_id, inputs)
    if result["charts"]:
        cases[calc_id] = (result["charts"][0]["spec"], calc_id, inputs)
batches = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
cases["(frontier, log-log)"] = (line_chart(
    title="Cost against speed, one point per batch size", x_label="Tokens per second per user",
    y_label="US dollars per million output tokens", x_scale="log", y_scale="log", y_format="usd",
    series=[("H800, FP8", [[200 / b ** 0.5, 20 / b ** 0.8] for b in batches]),
            ("H100, BF16", [[150 / b ** 0.5, 30 / b ** 0.75] for b in batches], "dashed"),
            ("List price", [[60 / b ** 0.3, 2.19] for b in (1, 4, 16, 64)], "dotted")],
    points=[{"x": 200 / 32 ** 0.5, "y": 20 / 32 ** 0.8, "label": "Batch 32"}],
    regions=[{"x1": 200 / 256 ** 0.5, "label": "Does not fit in memory"}]), None, None)
cases["(tornado)"] = (tornado_chart(
    title="What moves the bill most", value_label="US dollars", value_format="usd", base=5.576e6,
    base_label="Base", bars=[("MFU", 9e6, 4.5e6, "25%", "50%"), ("Price", 3.9e6, 8.4e6, "$1.40", "$3"),
                             ("Tokens", 5e6, 6.2e6, "13T", "16T")]), None, None)


# CPU time where the platform keeps it apart (CPython on Linux: other processes on a shared machine do not count);
# in Pyodide both clocks are the wall clock.
clock = time.process_time if time.get_clock_info("process_time").resolution < 1e-5 else time.perf_counter


def timed(call, repeat=5):
    out = []
    for _ in range(SAMPLES):
        start = clock()
        for _ in range(repeat):
            call()
        out.append((clock() - start) / repeat * 1e3)
    return out


report = {}
for name, (spec, calc_id, inputs) in cases.items():
    chart_ms = timed(lambda: (chart_svg(spec), chart_svg(spec, narrow=True)))
    run_ms = timed(lambda: run(calc_id, inputs), repeat=1) if calc_id and calc_id != "moe-router" else []
    report[name] = {"chart_ms": chart_ms, "run_ms": run_ms,
                    "bytes": len(chart_svg(spec)) + len(chart_svg(spec, narrow=True))}
print(json.dumps(report))
'''

NODE = r'''
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";
const [pyodideDir, wheelPath, codePath] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });
pyodide.unpackArchive(new Uint8Array(readFileSync(wheelPath)), "wheel", { extractDir: "/home/pyodide/w" });
pyodide.pyimport("sys").path.insert(0, "/home/pyodide/w");
let out = "";
pyodide.setStdout({ batched: (line) => { out += line; } });
pyodide.runPython(readFileSync(codePath, "utf8"));
process.stdout.write(out);
'''


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(samples: int, pyodide: bool) -> dict:
    code = BENCH.replace("__SAMPLES__", str(samples))
    if not pyodide:
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    else:
        sys.path.insert(0, str(ROOT / "scripts"))
        from sitebuild.assets import build_wheel

        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "bench.py").write_text(code)
            (Path(tmp) / "runner.mjs").write_text(NODE)
            proc = subprocess.run(["node", str(Path(tmp) / "runner.mjs"), str(ROOT / "node_modules" / "pyodide"),
                                   str(build_wheel()), str(Path(tmp) / "bench.py")],
                                  cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench_charts: the benchmark failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--pyodide", action="store_true", help="run inside Pyodide under Node.js instead of CPython")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = measure(args.samples, args.pyodide)
    if args.json:
        print(json.dumps(report, indent=1))
        return
    where = "Pyodide (Node.js)" if args.pyodide else f"CPython {sys.version.split()[0]}"
    print(f"Chart drawing, wide + narrow, per recompute, in {where}; {args.samples} samples, milliseconds")
    print(f"{'chart':24s} {'median':>7s} {'p95':>7s}   {'run() median':>12s} {'p95':>7s}   {'SVG bytes':>9s}")
    for name, r in report.items():
        run_cols = (f"{percentile(r['run_ms'], 0.5):12.2f} {percentile(r['run_ms'], 0.95):7.2f}" if r["run_ms"]
                    else f"{'':12s} {'':7s}")
        print(f"{name:24s} {percentile(r['chart_ms'], 0.5):7.2f} {percentile(r['chart_ms'], 0.95):7.2f}   "
              f"{run_cols}   {r['bytes']:9d}")


if __name__ == "__main__":
    main()
