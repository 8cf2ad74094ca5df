// Runs calculator requests inside real Pyodide under Node.js, with the built wheel, the way the browser worker
// does (unpack the wheel, import calculators.registry, call run_json), and prints the results as JSON.
// Usage: node tests/pyodide_runner.mjs <pyodide-dir> <wheel> <requests.json>
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pyodideDir, wheelPath, requestsPath] = process.argv.slice(2);
process.on("uncaughtException", (err) => {
  process.stderr.write(`pyodide_runner: ${String(err).slice(0, 2000)}\n`);
  process.exit(1);
});
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });
pyodide.unpackArchive(new Uint8Array(readFileSync(wheelPath)), "wheel", { extractDir: "/home/pyodide/calculators-wheel" });
pyodide.pyimport("sys").path.insert(0, "/home/pyodide/calculators-wheel");
const registry = pyodide.pyimport("calculators.registry");
const requests = JSON.parse(readFileSync(requestsPath, "utf8"));
// Python's JSON text is passed through unparsed: a JavaScript round trip would write a float such as 1.728e19 as
// the integer 17281879425364787000, which Python then reads as a different number.
// A request with a `tool` calls tool_json (the widget's sensitivity and reproduce requests) instead of run_json.
const results = requests.map(({ id, inputs, tool, options }) =>
  tool ? registry.tool_json(tool, id, JSON.stringify(inputs), JSON.stringify(options || {}))
    : registry.run_json(id, JSON.stringify(inputs)));
const version = pyodide.runPython("import sys; sys.version.split()[0]");
process.stdout.write(`{"python": ${JSON.stringify(version)}, "results": [${results.join(",")}]}`);
