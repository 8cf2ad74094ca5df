// Runs calculator requests inside real Pyodide under Node.js, loaded the way the browser worker loads it: the
// site's compiled standard-library zip instead of Pyodide's, no lock file, the package's bytecode zip unpacked
// into site-packages; then calls run_json and prints the results as JSON. The worker's fallback for other
// standard-library modules is not installed, so a request that needs one fails here instead of fetching 2.5 MB.
// Usage: node tests/pyodide_runner.mjs <pyodide-dir> <python_stdlib-*.zip> <calculators-*.zip> <requests.json>
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pyodideDir, stdlibPath, packagePath, requestsPath] = process.argv.slice(2);
process.on("uncaughtException", (err) => {
  process.stderr.write(`pyodide_runner: ${String(err).slice(0, 2000)}\n`);
  process.exit(1);
});
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const lock = JSON.parse(readFileSync(path.join(pyodideDir, "pyodide-lock.json"), "utf8"));
const pyodide = await loadPyodide({
  indexURL: pyodideDir + path.sep,
  stdLibURL: stdlibPath,
  lockFileContents: { info: lock.info, packages: {} },
  packageBaseUrl: pyodideDir + path.sep,
});
const sitePackages = pyodide.pyimport("sys").path.toJs().find((p) => p.endsWith("/site-packages"));
pyodide.unpackArchive(new Uint8Array(readFileSync(packagePath)), "zip", { extractDir: sitePackages });
const registry = pyodide.pyimport("calculators.registry");
const requests = JSON.parse(readFileSync(requestsPath, "utf8"));
// Python's JSON text is passed through unparsed: a JavaScript round trip would write a float such as 1.728e19 as
// the integer 17281879425364787000, which Python then reads as a different number.
// A request with a `tool` calls tool_json (the widget's sensitivity and reproduce requests) instead of run_json.
const results = requests.map(({ id, inputs, tool, options }) =>
  tool ? registry.tool_json(tool, id, JSON.stringify(inputs), JSON.stringify(options || {}))
    : registry.run_json(id, JSON.stringify(inputs)));
const info = JSON.parse(pyodide.runPython(`
import json, sys
json.dumps({"version": sys.version.split()[0],
            "calculators": sys.modules["calculators"].__file__,
            "from_source": sorted(n for n, m in list(sys.modules.items())
                                  if (getattr(getattr(m, "__spec__", None), "origin", None) or "").endswith(".py"))})
`));
process.stdout.write(`{"python": ${JSON.stringify(info.version)}, "calculators": ${JSON.stringify(info.calculators)}, `
  + `"from_source": ${JSON.stringify(info.from_source)}, "results": [${results.join(",")}]}`);
