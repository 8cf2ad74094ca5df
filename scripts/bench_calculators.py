#!/usr/bin/env python3
"""Recompute latency of every calculator in real Pyodide (under Node.js), against the target p95 <= 16 ms.

What a reader's edit costs in the worker: `run_json` on the inputs, and parsing its answer. For each calculator the
requests are those of tests/roundtrip.py: the defaults and every preset with their inputs sent back as text, each
number field edited to other values, every choice combination (sampled to at most ``--per-calculator``), so the
figures cover what a reader does, not one cached input. Requests run round after round (``--rounds``), in order, so
consecutive runs of a calculator differ. The first round is a warm-up and is not counted. Prints a table: requests,
runs, median, p95 and max in milliseconds, and whether p95 meets the target.

With ``--tool sensitivity`` (or ``reproduce``) it times the widgets' on-demand tools instead, on each calculator's
defaults and presets: they have no 16 ms target (a reader asks for them once, and the widget says it is working),
but they hold the worker while they run, so a recompute asked for meanwhile waits that long.

Usage, from the repository root: ``.venv/bin/python scripts/bench_calculators.py [--rounds N] [--per-calculator N]
[--only ID ...] [--tool NAME] [--json]``. Exit status 0 whatever the figures (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "tests")]

from roundtrip import roundtrip_requests  # noqa: E402
from sitebuild.assets import build_wheel  # noqa: E402

from calculators import calculator_ids, get_calculator  # noqa: E402

TARGET_P95_MS = 16.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="rounds over the requests (the first is a warm-up)")
    parser.add_argument("--per-calculator", type=int, default=60, help="requests per calculator at most")
    parser.add_argument("--only", nargs="*", default=None, help="calculator ids (default: all)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--tool", choices=("sensitivity", "reproduce"), help="time a widget tool instead of run")
    args = parser.parse_args()

    ids = args.only or calculator_ids()
    requests: list[dict] = []
    for calc_id in ids if args.tool else ():
        calc = get_calculator(calc_id)
        starts = [{"preset": name} for name in calc.presets()] or [{}]
        requests += [{"id": calc_id, "inputs": inputs, "tool": args.tool} for inputs in starts]
    for calc_id in ids if not args.tool else ():
        mine = [{"id": calc_id, "inputs": inputs} for _, inputs, _ in roundtrip_requests(calc_id)]
        if len(mine) > args.per_calculator:  # keep the round trips of the defaults and presets, sample the edits
            first = [r for r in mine if set(r["inputs"]) >= {"preset"} or r is mine[0]][: args.per_calculator // 3]
            rest = [r for r in mine if r not in first]
            mine = first + random.Random(calc_id).sample(rest, args.per_calculator - len(first))
        requests += mine
    wheel = build_wheel()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "requests.json"
        path.write_text(json.dumps(requests))
        proc = subprocess.run(["node", str(ROOT / "scripts" / "bench_calculators.mjs"),
                               str(ROOT / "node_modules" / "pyodide"), str(wheel), str(path), str(args.rounds)],
                              capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        print(f"error: the Pyodide run failed: {proc.stderr.strip()[-500:]}", file=sys.stderr)
        return 1
    answer = json.loads(proc.stdout)
    rows = []
    for calc_id in ids:
        runs = [t for r, times in zip(requests, answer["times"]) if r["id"] == calc_id for t in times[1:]]
        count = sum(1 for r in requests if r["id"] == calc_id)
        mine = [(statistics.median(times[1:]), r["inputs"]) for r, times in zip(requests, answer["times"])
                if r["id"] == calc_id]
        slowest = max(mine, key=lambda pair: pair[0])
        rows.append({"calculator": calc_id, "requests": count, "runs": len(runs),
                     "slowest_request": {"median_ms": slowest[0], "inputs": slowest[1]},
                     "median_ms": statistics.median(runs), "p95_ms": percentile(runs, 0.95), "max_ms": max(runs),
                     "meets_target": percentile(runs, 0.95) <= TARGET_P95_MS})
    if args.json:
        print(json.dumps({"python": answer["python"], "target_p95_ms": TARGET_P95_MS, "calculators": rows}, indent=2))
        return 0
    what = f"{args.tool} (on demand, no target)" if args.tool else "Recompute latency"
    print(f"{what} in Pyodide (Python {answer['python']}, Node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}); "
          f"target p95 <= {TARGET_P95_MS:g} ms")
    print(f"{'calculator':18} {'requests':>8} {'runs':>6} {'median':>8} {'p95':>8} {'max':>8}")
    for row in rows:
        flag = "" if row["meets_target"] else "  over target"
        print(f"{row['calculator']:18} {row['requests']:>8} {row['runs']:>6} {row['median_ms']:>8.2f} "
              f"{row['p95_ms']:>8.2f} {row['max_ms']:>8.2f}{flag}")
        if not row["meets_target"]:
            slow = row["slowest_request"]
            edited = {k: v for k, v in slow["inputs"].items() if k != "config"}
            print(f"    slowest request ({slow['median_ms']:.1f} ms median): {json.dumps(edited)[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
