// Times calculator recomputation inside real Pyodide under Node.js, the way the browser worker runs it: the wheel
// unpacked, calculators.registry imported, run_json called with the inputs as JSON text.
// Usage: node scripts/bench_recompute.mjs <pyodide-dir> <wheel> <requests.json> <runs>
// Each request is {"id": ..., "inputs": {...}, "vary": {"field": [values...]}}: the timed runs cycle through the
// values of `vary` so that no two consecutive runs see the same inputs. Prints JSON: per request, the times in ms.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { performance } from "node:perf_hooks";

const [pyodideDir, wheelPath, requestsPath, runsText] = process.argv.slice(2);
const runs = Number(runsText) || 500;
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });
pyodide.unpackArchive(new Uint8Array(readFileSync(wheelPath)), "wheel", { extractDir: "/home/pyodide/calculators-wheel" });
pyodide.pyimport("sys").path.insert(0, "/home/pyodide/calculators-wheel");
const registry = pyodide.pyimport("calculators.registry");
const requests = JSON.parse(readFileSync(requestsPath, "utf8"));
const out = [];
for (const { id, inputs, vary } of requests) {
  const [field, values] = Object.entries(vary || {})[0] || [null, [null]];
  const text = (i) => JSON.stringify(field ? { ...inputs, [field]: values[i % values.length] } : inputs);
  for (let i = 0; i < 20; i++) registry.run_json(id, text(i)); // warm-up: first import, presets built once
  const times = [];
  let errors = 0;
  for (let i = 0; i < runs; i++) {
    const request = text(i);
    const start = performance.now();
    const answer = registry.run_json(id, request);
    times.push(performance.now() - start);
    if (!answer.includes('"errors": []')) errors++;
  }
  out.push({ id, inputs, field, times, errors });
}
process.stdout.write(JSON.stringify(out));
