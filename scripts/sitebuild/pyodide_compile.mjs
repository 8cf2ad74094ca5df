// Compiles, inside the site's own Pyodide under Node.js, what the browser worker loads, so that the bytecode's
// magic number is Pyodide's (CPython 3.14), not the build machine's Python:
//
//   calculators.zip    the package from the wheel: every .py as a sourceless .pyc, the data files as they are
//   python_stdlib.zip  the standard-library modules that Pyodide's start-up, unpacking a zip and the calculators
//                      import, as .pyc (found by importing every module of the package and running every
//                      calculator at its defaults, presets, examples and bad inputs), plus _stdlib_fallback, which
//                      fetches Pyodide's full python_stdlib.zip the first time another standard-library module is
//                      imported
//
// Usage: node scripts/sitebuild/pyodide_compile.mjs <pyodide-dir> <wheel> <out-dir>
// Writes the two zips into <out-dir> and prints JSON: {python, stdlib_modules: [...], fallback_modules: N}.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pyodideDir, wheelPath, outDir] = process.argv.slice(2);
process.on("uncaughtException", (err) => {
  process.stderr.write(`pyodide_compile: ${String(err).slice(0, 4000)}\n`);
  process.exit(1);
});
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });
// The package is installed as the worker installs its zip (a wheel is a zip), so the modules that takes count too.
pyodide.unpackArchive(new Uint8Array(readFileSync(wheelPath)), "zip", { extractDir: "/tmp/pkg" });
pyodide.FS.writeFile("/tmp/_stdlib_fallback.py", readFileSync(new URL("_stdlib_fallback.py", import.meta.url)));
const summary = pyodide.runPython(String.raw`
import importlib, json, os, sys

# Import every module the browser can import (not the command line), and run everything.
sys.path.insert(0, "/tmp/pkg")
import calculators
from calculators import registry

for folder, _, files in os.walk("/tmp/pkg/calculators"):
    package = folder[len("/tmp/pkg/"):].replace("/", ".")
    for file in sorted(files):
        if file.endswith(".py") and file not in ("cli.py", "__main__.py"):
            importlib.import_module(package if file == "__init__.py" else f"{package}.{file[:-3]}")
for calculator_id in registry.calculator_ids():
    calc = registry.get_calculator(calculator_id)
    requests = [{}] + [{"preset": name} for name in calc.presets()] + [dict(e.inputs) for e in calc.examples]
    requests += [{f.name: bad} for f in calc.fields for bad in ("", "abc", "-1")]  # the error paths too
    for inputs in requests:
        json.loads(registry.run_json(calculator_id, json.dumps(inputs)))

# The standard-library modules loaded from Pyodide's zip so far: Pyodide's start-up, the unpacking, the package.
STDLIB_ZIP = f"/lib/python{sys.version_info.major}{sys.version_info.minor}.zip"
prefix = STDLIB_ZIP + "/"
loaded = sorted({m.__spec__.origin[len(prefix):] for m in list(sys.modules.values())
                 if getattr(m, "__spec__", None) and (m.__spec__.origin or "").startswith(prefix)})

import importlib.util, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same input gives the same bytes


def pyc(source: bytes, filename: str) -> bytes:
    """Unchecked hash-based bytecode: loaded as is, whatever the source's date (there is no source beside it)."""
    code = compile(source, filename, "exec", dont_inherit=True)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))


def write(out: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    out.writestr(info, data, compresslevel=9)


package_files = sorted(os.path.join(folder, file)[len("/tmp/pkg/"):]
                       for folder, _, files in os.walk("/tmp/pkg/calculators") for file in files)
with zipfile.ZipFile("/tmp/out-calculators.zip", "w") as out:
    for name in package_files:
        data = open(f"/tmp/pkg/{name}", "rb").read()
        if name.endswith(".py"):
            write(out, name + "c", pyc(data, name))
        else:
            write(out, name, data)

# The standard library: the modules loaded above, compiled, and the fallback for all the others.
def module_name(file: str) -> str:
    return file.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


with zipfile.ZipFile(STDLIB_ZIP) as full:
    everything = [n for n in full.namelist() if n.endswith(".py")]
    missing = sorted({module_name(n) for n in everything} - {module_name(n) for n in loaded})
    fallback = open("/tmp/_stdlib_fallback.py", "rb").read()
    fallback += f"\nMODULE_NAMES = frozenset({missing!r})\n".encode()
    with zipfile.ZipFile("/tmp/out-stdlib.zip", "w") as out:
        for name in loaded:
            write(out, name + "c", pyc(full.read(name), name))
        write(out, "_stdlib_fallback.pyc", pyc(fallback, "_stdlib_fallback.py"))

json.dumps({"python": sys.version.split()[0], "stdlib_modules": loaded, "fallback_modules": len(missing)})
`);
writeFileSync(path.join(outDir, "calculators.zip"), pyodide.FS.readFile("/tmp/out-calculators.zip"));
writeFileSync(path.join(outDir, "python_stdlib.zip"), pyodide.FS.readFile("/tmp/out-stdlib.zip"));
process.stdout.write(summary);
