#!/usr/bin/env python3
"""Benchmark the calculator widget against bare Pyodide in headless Chromium, and print a plain-text report.

What is measured, all in one run of this script (the machine's speed drifts between batches, so the baseline and the
widget must share a run to be comparable):

1. Bare Pyodide start-up: a blank page (served beside the site at ``/__bench/blank.html``, never written into it)
   starts a module Web Worker that imports the site's ``pyodide.mjs`` and awaits ``loadPyodide`` with its defaults
   (so it also fetches ``pyodide-lock.json``, served beside the site's Pyodide files at ``/__bench/pyodide/``); the
   page records ``performance.now()`` when the worker reports back.
2. Widget live: on ``explainers/mla-kv-cache/#calc-kv-cache`` (the page opened at its widget, so Python starts at
   once under widgets.js's start-up policy), ``performance.now()`` when the first ``.calc`` element gets
   ``data-calc-engine="ready"`` (recorded by a MutationObserver injected before the page's own scripts run).
   ``--also NAME=DIR`` adds the same measurement on other builds of the site (e.g. before a change), interleaved
   with the others in the same run, each with its own ratio to the same bare baseline.
3. The ratio live/bare, cold and warm; the target is <= 1.0 (aim: 0.8).
4. Recompute latency: on a live widget, ``--changes`` (default 200) sequential edits of the context-length field,
   each timed in the page from dispatching the ``input`` event to the moment the bytes-per-sequence cell's text
   changes (a MutationObserver on the cell). Targets: median <= 10 ms, p95 <= 30 ms. Without cross-origin isolation
   ``performance.now()`` is coarsened to 0.1 ms, so the mean is printed too.
5. Bytes: on a cold load of the widget page, every request of the page and its workers (Playwright's context-level
   ``requestfinished`` events include dedicated workers' requests in Chromium), with Playwright's wall-clock request
   timing. "Before Pyodide starts" sums the requests that finished before the first request for a file of
   ``assets/vendor/pyodide-<version>/`` or ``assets/py/``; the total covers the whole load, with its five largest
   files.

How:

- Times 1-2 are ``performance.now()`` in the page, i.e. milliseconds since its navigation started: one clock for
  both pages. Each figure is the median of ``--runs`` (default 5) samples. Each sample runs in a new Chromium with a
  fresh profile (a persistent context in a temporary folder, so the disk cache and code cache work as for a real
  visitor); the bare page and the widget are interleaved, alternating which goes first, so drift hits both alike.
- Caching. Cold: the first visit in a fresh profile, served with ``Cache-Control: no-cache`` (nothing is cached yet
  anyway). Warm: a second server on another port (so other cache keys) sends ``Cache-Control: max-age=3600``; a
  fresh profile visits the page once, stays on it ``WARM_SETTLE_S`` seconds (as a reader would; Chromium finishes
  writing its caches meanwhile), closes the tab, and the timed second visit in a new tab is served from the cache
  without revalidation: a repeat visit within the hour on a static host. The bare page and the widget get exactly the
  same servers and steps, so the ratio is like for like.
- The latency and byte figures come from one extra cold load of the widget, after the start-up samples.

Usage, from the repository root:
``.venv/bin/python scripts/bench_widget.py [--runs N] [--changes N] [--site DIR] [--also NAME=DIR ...] [--json]``.
Without ``--site`` it builds the site with ``mkdocs build --strict`` into a temporary folder. Exit status 0 whatever
the figures (a benchmark, not a test); 1 with a one-line message if the site or the browser fails to run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, Playwright, Request, sync_playwright
from playwright.sync_api import Error as PlaywrightError

sys.path.insert(0, str(Path(__file__).parent))
from static_server import serve  # noqa: E402 - needs the path above

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
COLD_CACHE = "no-cache"
WARM_CACHE = "max-age=3600"
WARM_SETTLE_S = 2.0

BENCH_DIR = "__bench"
BARE_PAGE = f"/{BENCH_DIR}/blank.html"  # beside the site, not in it
WIDGET_PAGE = "explainers/mla-kv-cache/#calc-kv-cache"
PYODIDE_DIRS = ("assets/vendor/pyodide-", "assets/vendor/pyodide/")  # the folder's name carries Pyodide's version
CONTEXT_FIELD = "#calc-kv-cache-context_length"
OUTPUT_CELL = 'tr[data-output="bytes_per_sequence"] .calc-value'

LOAD_TIMEOUT_MS = 60_000
CHANGE_TIMEOUT_MS = 5_000
CHANGE_PAUSE_MS = 10  # between edits, so each one starts from an idle page
TARGET_RATIO = 1.0
TARGET_MEDIAN_MS = 10.0
TARGET_P95_MS = 30.0

# Both pages end up with `window.__benchLive = {state, t, error}`: "ready" or "failed", performance.now() then, why.

# The baseline: nothing but a module worker that loads Pyodide from the site's vendored copy.
BLANK_HTML = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Bare Pyodide start-up</title></head>
<body>
<script type="module">
  const indexURL = new URL("pyodide/", location.href).href;
  const worker = new Worker(new URL("worker.mjs", import.meta.url), { type: "module" });
  worker.onmessage = (event) => {
    window.__benchLive = { state: event.data.type, t: performance.now(), error: event.data.error };
  };
  worker.postMessage({ indexURL });
</script>
</body>
</html>
"""

BLANK_WORKER_JS = """self.onmessage = async (event) => {
  const { indexURL } = event.data;
  try {
    const { loadPyodide } = await import(indexURL + "pyodide.mjs");
    await loadPyodide({ indexURL });
    self.postMessage({ type: "ready" });
  } catch (err) {
    self.postMessage({ type: "failed", error: String(err) });
  }
};
"""

# Injected into the widget page before its scripts: notes when the engine becomes ready (or fails).
WATCH_WIDGET_JS = """(() => {
  const observer = new MutationObserver(() => {
    const el = document.querySelector('.calc[data-calc-engine="ready"], .calc[data-calc-engine="failed"]');
    if (!el || window.__benchLive) return;
    const status = el.querySelector(".calc-status-text");
    window.__benchLive = { state: el.dataset.calcEngine, t: performance.now(), error: status && status.textContent };
    observer.disconnect();
  });
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: ["data-calc-engine"] });
})();
"""

# Sequential edits, each timed from the input event to the output cell's new text; returns milliseconds.
LATENCY_JS = """async ({ field, cell, changes, timeoutMs, pauseMs }) => {
  const input = document.querySelector(field);
  const output = document.querySelector(cell);
  const pause = () => new Promise((resolve) => setTimeout(resolve, pauseMs));
  const textChange = (before) => new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (output.textContent === before) return;
      const t = performance.now();
      observer.disconnect();
      clearTimeout(timer);
      resolve(t);
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`no new result within ${timeoutMs} ms`));
    }, timeoutMs);
    observer.observe(output, { childList: true, characterData: true, subtree: true });
  });
  const latencies = [];
  for (let i = 0; i < changes; i++) {
    const landed = textChange(output.textContent);
    const start = performance.now();
    input.value = String(1000 + i);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    latencies.push((await landed) - start);
    await pause();
  }
  return latencies;
}"""

# Navigation milestones and the body sizes the page saw (Resource Timing), for the worker scripts: see `to_transfer`.
PAGE_TIMING_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    timeOrigin: performance.timeOrigin,
    domContentLoaded: nav.domContentLoadedEventStart,
    bodySizes: Object.fromEntries(
      performance.getEntriesByType("resource").map((entry) => [entry.name, entry.encodedBodySize]),
    ),
  };
}"""


class BenchError(Exception):
    """The site or the browser did not run as the benchmark needs."""


@dataclass(frozen=True)
class Transfer:
    """One finished request of a load: wall-clock times in ms since the epoch, size in bytes on the wire."""

    path: str
    kind: str
    start_ms: float
    end_ms: float
    size: int


@dataclass(frozen=True)
class Latency:
    median_ms: float
    p95_ms: float
    mean_ms: float
    max_ms: float
    samples: int


@dataclass(frozen=True)
class Bytes:
    before_pyodide: int
    before_pyodide_by_kind: dict[str, int]
    total: int
    largest: list[tuple[str, int]]


@dataclass(frozen=True)
class Timeline:
    """Milestones of the profiled cold widget load, in seconds since navigation start."""

    dom_content_loaded_s: float
    pyodide_first_request_s: float
    live_s: float


# --- the site -----------------------------------------------------------------------------------------------------


def build_site(destination: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(destination)]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"mkdocs build --strict failed: {last}")


def pyodide_dir(site: Path) -> str:
    """The site's Pyodide folder (``assets/vendor/pyodide-<version>/``; ``assets/vendor/pyodide/`` in older builds)."""
    found = sorted(p.parent for p in (site / "assets" / "vendor").glob("pyodide*/pyodide.mjs"))
    if not found:
        raise BenchError(f"{site} has no assets/vendor/pyodide*/pyodide.mjs: is it the built site?")
    return found[-1].relative_to(site).as_posix() + "/"


@contextmanager
def prepared_sites(site: Path | None, also: dict[str, Path]) -> Iterator[tuple[dict[str, Path], Path]]:
    """The built site (built now unless given) and any other builds to compare, with a folder holding the blank
    baseline page, which is served beside the site and never written into it."""
    with tempfile.TemporaryDirectory(prefix="bench-site-") as scratch:
        if site is None:
            site = Path(scratch) / "site"
            build_site(site)
        sites = {"widget": site, **also}
        for name, folder in sites.items():
            if not (folder / WIDGET_PAGE.split("#")[0] / "index.html").is_file():
                raise BenchError(f"{folder} ({name}) does not look like the built site (no {WIDGET_PAGE})")
            pyodide_dir(folder)
        bench = Path(scratch) / BENCH_DIR
        (bench / "pyodide").mkdir(parents=True)
        # Pyodide as loadPyodide's defaults want it: the site's files, and the lock file the site does not need.
        for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"):
            (bench / "pyodide" / name).symlink_to(site / pyodide_dir(site) / name)
        (bench / "pyodide" / "pyodide-lock.json").symlink_to(ROOT / "node_modules" / "pyodide" / "pyodide-lock.json")
        (bench / "blank.html").write_text(BLANK_HTML, encoding="utf-8")
        (bench / "worker.mjs").write_text(BLANK_WORKER_JS, encoding="utf-8")
        yield sites, bench


# --- the browser --------------------------------------------------------------------------------------------------


@contextmanager
def fresh_browser(playwright: Playwright) -> Iterator[BrowserContext]:
    """A new Chromium with an empty profile, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield context
        finally:
            context.close()


def open_page(context: BrowserContext, url: str, *, widget: bool) -> Page:
    """Opens `url` in a new tab and waits until Python is live; see `live_ms` for when that happened."""
    page = context.new_page()
    if widget:
        page.add_init_script(WATCH_WIDGET_JS)
    page.goto(url, wait_until="commit")
    page.wait_for_function("() => window.__benchLive", polling=50, timeout=LOAD_TIMEOUT_MS)
    return page


def live_ms(page: Page) -> float:
    """When Python became live on `page`, in ms since navigation start; raises if it failed instead."""
    live = page.evaluate("() => window.__benchLive")
    if live["state"] != "ready":
        raise BenchError(f"Pyodide failed on {page.url}: {live.get('error')}")
    return float(live["t"])


def cold_start_ms(playwright: Playwright, url: str, *, widget: bool) -> float:
    with fresh_browser(playwright) as context:
        return live_ms(open_page(context, url, widget=widget))


def warm_start_ms(playwright: Playwright, url: str, *, widget: bool) -> float:
    with fresh_browser(playwright) as context:
        first = open_page(context, url, widget=widget)
        live_ms(first)
        time.sleep(WARM_SETTLE_S)
        first.close()
        return live_ms(open_page(context, url, widget=widget))


Samples = dict[str, dict[str, list[float]]]  # page ("bare", "widget", other builds) -> "cold"/"warm" -> seconds
Bases = dict[str, tuple[str, str]]  # the same names -> (cold URL, warm URL)


def start_up_samples(playwright: Playwright, urls: Bases, runs: int) -> Samples:
    """Seconds to live for each page and cache state, `runs` samples each, the pages interleaved (rotating which
    goes first, so drift hits all alike)."""
    samples: Samples = {name: {"cold": [], "warm": []} for name in urls}
    names = list(urls)
    for run in range(runs):
        order = names[run % len(names):] + names[: run % len(names)]
        for name in order:
            widget = name != "bare"
            cold, warm = urls[name]
            samples[name]["cold"].append(cold_start_ms(playwright, cold, widget=widget) / 1000)
            samples[name]["warm"].append(warm_start_ms(playwright, warm, widget=widget) / 1000)
    return samples


def profile_widget(
    playwright: Playwright, cold_base: str, changes: int
) -> tuple[list[Transfer], Timeline, list[float]]:
    """One cold load of the widget page: its requests, its milestones, then the recompute latencies (ms)."""
    with fresh_browser(playwright) as context:
        finished: list[Request] = []
        context.on("requestfinished", lambda request: finished.append(request))
        page = open_page(context, cold_base + WIDGET_PAGE, widget=True)
        live = live_ms(page)
        latencies = page.evaluate(
            LATENCY_JS,
            {
                "field": CONTEXT_FIELD,
                "cell": OUTPUT_CELL,
                "changes": changes,
                "timeoutMs": CHANGE_TIMEOUT_MS,
                "pauseMs": CHANGE_PAUSE_MS,
            },
        )
        timing = page.evaluate(PAGE_TIMING_JS)
        transfers = [to_transfer(request, timing["bodySizes"]) for request in finished]
    timeline = Timeline(
        dom_content_loaded_s=timing["domContentLoaded"] / 1000,
        pyodide_first_request_s=(pyodide_start_ms(transfers) - timing["timeOrigin"]) / 1000,
        live_s=live / 1000,
    )
    return transfers, timeline, latencies


def to_transfer(request: Request, page_body_sizes: dict[str, int]) -> Transfer:
    """Playwright reports 0 body bytes for worker scripts; the page's Resource Timing has their size."""
    sizes = request.sizes()
    body = sizes["responseBodySize"] or page_body_sizes.get(request.url, 0)
    timing = request.timing
    return Transfer(
        path=urlsplit(request.url).path.lstrip("/"),
        kind=request.resource_type,
        start_ms=timing["startTime"],
        end_ms=timing["startTime"] + timing["responseEnd"],
        size=sizes["responseHeadersSize"] + body,
    )


def pyodide_start_ms(transfers: list[Transfer]) -> float:
    """When the first request for one of Pyodide's files started (wall clock, ms since the epoch)."""
    return min(t.start_ms for t in transfers if t.path.startswith(PYODIDE_DIRS) or t.path.startswith("assets/py/"))


# --- the figures --------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def summarize_latency(latencies: list[float]) -> Latency:
    return Latency(
        median_ms=statistics.median(latencies),
        p95_ms=percentile(latencies, 0.95),
        mean_ms=statistics.fmean(latencies),
        max_ms=max(latencies),
        samples=len(latencies),
    )


KIND_LABELS = {"document": "html", "stylesheet": "css", "script": "js", "font": "fonts", "xhr": "data", "fetch": "data"}


def summarize_bytes(transfers: list[Transfer]) -> Bytes:
    pyodide_start = pyodide_start_ms(transfers)
    by_kind: dict[str, int] = {}
    for transfer in transfers:
        if transfer.end_ms <= pyodide_start:
            label = KIND_LABELS.get(transfer.kind, "other")
            by_kind[label] = by_kind.get(label, 0) + transfer.size
    largest = sorted(transfers, key=lambda t: t.size, reverse=True)[:5]
    return Bytes(
        before_pyodide=sum(by_kind.values()),
        before_pyodide_by_kind=dict(sorted(by_kind.items(), key=lambda item: -item[1])),
        total=sum(t.size for t in transfers),
        largest=[(Path(t.path.rstrip("/")).name or t.path, t.size) for t in largest],
    )


def run_benchmark(sites: dict[str, Path], bench: Path, runs: int, changes: int) -> dict:
    """`sites`: "widget" (the build under test) and other builds by name. Each gets a cold and a warm server, with
    the blank baseline page mounted beside the site; the baseline runs against the build under test."""
    with ExitStack() as stack:
        urls: Bases = {}
        for name, site in sites.items():
            cold, warm = (stack.enter_context(serve(site, cache_control=cache, mounts={BENCH_DIR: bench}))
                          for cache in (COLD_CACHE, WARM_CACHE))
            urls[name] = (cold + WIDGET_PAGE, warm + WIDGET_PAGE)
            if name == "widget":
                urls = {"bare": (cold.rstrip("/") + BARE_PAGE, warm.rstrip("/") + BARE_PAGE), **urls}
                cold_base = cold
        playwright = stack.enter_context(sync_playwright())
        samples = start_up_samples(playwright, urls, runs)
        transfers, timeline, latencies = profile_widget(playwright, cold_base, changes)
    medians = {
        name: {state: statistics.median(seconds) for state, seconds in by_state.items()}
        for name, by_state in samples.items()
    }
    return {
        "runs": runs,
        "start_up_s": medians,
        "ratio": {state: medians["widget"][state] / medians["bare"][state] for state in ("cold", "warm")},
        "ratios": {name: {state: medians[name][state] / medians["bare"][state] for state in ("cold", "warm")}
                   for name in medians if name != "bare"},
        "start_up_samples_s": samples,
        "cold_widget_timeline": asdict(timeline),
        "latency": asdict(summarize_latency(latencies)),
        "bytes": asdict(summarize_bytes(transfers)),
    }


# --- the report ---------------------------------------------------------------------------------------------------


def format_bytes(size: float) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"


def format_report(result: dict) -> str:
    bare, widget, ratio = result["start_up_s"]["bare"], result["start_up_s"]["widget"], result["ratio"]
    lat, size, line = result["latency"], result["bytes"], result["cold_widget_timeline"]
    kinds = ", ".join(f"{kind} {format_bytes(n)}" for kind, n in size["before_pyodide_by_kind"].items())
    largest = ", ".join(f"{name} {format_bytes(n)}" for name, n in size["largest"])
    rows = [
        (
            "bare Pyodide start-up (blank page, worker):",
            f"cold {bare['cold']:.2f} s  warm {bare['warm']:.2f} s   (median of {result['runs']})",
        ),
        (
            f"widget live ({WIDGET_PAGE}):",
            f"cold {widget['cold']:.2f} s  warm {widget['warm']:.2f} s   (median of {result['runs']})",
        ),
        ("ratio live/bare:", f"cold {ratio['cold']:.2f}    warm {ratio['warm']:.2f}     (target <= {TARGET_RATIO})"),
        *[
            (
                f"  {name} (--also):",
                f"cold {result['start_up_s'][name]['cold']:.2f} s  warm {result['start_up_s'][name]['warm']:.2f} s"
                f"   ratio cold {r['cold']:.2f}  warm {r['warm']:.2f}",
            )
            for name, r in result["ratios"].items() if name != "widget"
        ],
        (
            f"recompute latency over {lat['samples']} changes:",
            f"median {lat['median_ms']:.1f} ms  p95 {lat['p95_ms']:.1f} ms  mean {lat['mean_ms']:.2f} ms"
            f"  max {lat['max_ms']:.1f} ms  (targets: median <= {TARGET_MEDIAN_MS:g} ms, p95 <= {TARGET_P95_MS:g} ms)",
        ),
        ("bytes before Pyodide starts:", f"{format_bytes(size['before_pyodide'])} ({kinds})"),
        ("cold load total:", f"{format_bytes(size['total'])}; largest: {largest}"),
        (
            "cold widget load timeline:",
            f"DOMContentLoaded {line['dom_content_loaded_s']:.2f} s, Pyodide's first request"
            f" {line['pyodide_first_request_s']:.2f} s, live {line['live_s']:.2f} s",
        ),
    ]
    width = max(len(label) for label, _ in rows) + 1
    return "\n".join(f"{label:<{width}}{text}" for label, text in rows)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="samples per start-up figure (default 5)")
    parser.add_argument("--changes", type=int, default=200, help="edits for the recompute latency (default 200)")
    parser.add_argument("--site", type=Path, help="an already built site (default: build one now)")
    parser.add_argument("--also", action="append", default=[], metavar="NAME=DIR",
                        help="another build of the site to time in the same run (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    try:
        args.also = {name: Path(folder) for name, _, folder in (a.partition("=") for a in args.also) if folder}
    except ValueError:
        parser.error("--also takes NAME=DIR")
    if args.runs < 1 or args.changes < 1:
        parser.error("--runs and --changes must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with prepared_sites(args.site, args.also) as (sites, bench):
            result = run_benchmark(sites, bench, args.runs, args.changes)
    except (BenchError, PlaywrightError) as err:
        message = (str(err).strip().splitlines() or [type(err).__name__])[0]
        print(f"bench_widget: {message}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
