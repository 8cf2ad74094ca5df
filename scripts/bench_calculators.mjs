// Times calculator requests inside real Pyodide under Node.js, as the browser worker runs them (run_json on the
// unpacked wheel). Usage: node scripts/bench_calculators.mjs <pyodide-dir> <wheel> <requests.json> <rounds>
// Prints JSON: {python, times: [[ms, ...] per request]}. Requests run in order, round after round, so consecutive
// runs of a calculator see different inputs, as a reader's edits do. A request with a `tool` ("sensitivity",
// "reproduce") and `options` times tool_json instead, as the worker's tool requests do.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import path from "node:path";

const [pyodideDir, wheelPath, requestsPath, roundsText] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });
pyodide.unpackArchive(new Uint8Array(readFileSync(wheelPath)), "wheel", { extractDir: "/home/pyodide/calculators-wheel" });
pyodide.pyimport("sys").path.insert(0, "/home/pyodide/calculators-wheel");
const registry = pyodide.pyimport("calculators.registry");
const requests = JSON.parse(readFileSync(requestsPath, "utf8")).map(({ id, inputs, tool, options }) =>
  [id, JSON.stringify(inputs), tool, JSON.stringify(options || {})]);
const rounds = Number(roundsText) || 5;
for (const [id] of requests) registry.get_calculator(id); // imports are start-up, not recompute
const times = requests.map(() => []);
for (let r = 0; r < rounds; r++) {
  requests.forEach(([id, inputs, tool, options], i) => {
    const start = performance.now();
    JSON.parse(tool ? registry.tool_json(tool, id, inputs, options) : registry.run_json(id, inputs)); // as the worker does
    times[i].push(performance.now() - start);
  });
}
const version = pyodide.runPython("import sys; sys.version.split()[0]");
process.stdout.write(JSON.stringify({ python: version, times }));
