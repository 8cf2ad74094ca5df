// The calculators worker: one Pyodide with our package, shared by every widget of the site.
// Protocol (messages are plain objects):
//   page -> worker  {type: "init", runtime, ids}   once; runtime: the widget's data-calc-runtime (URLs relative to
//                                                  the page made absolute), ids: the calculators on the page
//   page -> worker  {type: "prepare", ids}         after a page change: import these calculators now
//   worker -> page  {type: "progress", stage: "download", loaded, total}   as each file of the download arrives
//   worker -> page  {type: "progress", stage: "start"}       the runtime has arrived and compiled; Python starts
//   worker -> page  {type: "ready"} | {type: "failed", error: {name, message}}
//   page -> worker  {type: "run", seq, id, inputs}
//   worker -> page  {type: "result", seq, result} | {type: "result", seq, error: {name, message}}
//   worker -> page  {type: "error", seq, error}    a message the worker cannot handle (seq: the request's, if any)
//   page -> worker  {type: "tool", seq, tool, id, inputs, options}  tool: "sensitivity" | "reproduce"
//   worker -> page  {type: "tool", seq, result} | {type: "tool", seq, error: {name, message}}
// The worker calls only calculators.registry.run_json and tool_json (which names its tools); it never evaluates
// code it is sent.
//
// What loads, and why it is quick: Pyodide's loader, runtime (pyodide.asm.*) and a small standard library holding
// only the modules that start-up and the calculators import, compiled to bytecode at build time by this same
// Pyodide (so nothing is compiled from source here); our package as bytecode in a zip unpacked into
// site-packages. Pyodide's lock file is not fetched: its `info` comes inline and no packages are loaded. Any other
// standard-library module is fetched on first import (Pyodide's full zip, see _stdlib_fallback.py).

let runJson = null;
let toolJson = null;
let registry = null;

function post(message) {
  self.postMessage(message);
}

// A plain {name, message}, never a traceback: for a Python exception, its type and its last line.
function plainError(err) {
  const text = String((err && err.message) || err);
  if (err && err.name === "PythonError") {
    const last = text.trim().split("\n").pop() || "";
    const match = /^([A-Za-z_][\w.]*)(?::\s*(.*))?$/.exec(last);
    if (match) return { name: match[1].split(".").pop(), message: (match[2] || "").slice(0, 300) };
  }
  return { name: (err && err.name) || "Error", message: text.split("\n")[0].slice(0, 300) };
}

// Progress without touching fetch: the worker's own Resource Timing entries say when each file of the download has
// arrived, and its size. Pyodide fetches most of them itself and has no progress hook for its own start-up, so a
// file counts when it is complete. Returns a function that stops watching.
function watchDownload(urls, total) {
  const pending = new Set(urls);
  let loaded = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!pending.delete(entry.name)) continue;
      loaded += entry.decodedBodySize || entry.encodedBodySize || 0;
      post({ type: "progress", stage: "download", loaded, total });
    }
  });
  observer.observe({ type: "resource", buffered: true });
  return () => observer.disconnect();
}

// Import the modules of these calculators now, so the first edit does not wait for them. A module that fails to
// import is reported by run_json when that calculator is used (and retried then); nothing else depends on it.
function prepare(ids) {
  if (!registry || !Array.isArray(ids)) return;
  for (const id of ids) {
    try {
      registry.get_calculator(String(id));
    } catch (err) {
      // reported on use
    }
  }
}

// The bytes of a file, synchronously (allowed in a worker): for a standard-library module imported mid-computation.
function fetchSync(url) {
  const request = new XMLHttpRequest();
  request.open("GET", url, false);
  request.responseType = "arraybuffer";
  request.send();
  if (request.status !== 200) throw new Error(`${url}: HTTP ${request.status}`);
  return new Uint8Array(request.response);
}

async function init({ runtime, ids }) {
  const indexURL = runtime.pyodide;
  const stopWatching = watchDownload(
    [indexURL + "pyodide.mjs", indexURL + "pyodide.asm.mjs", indexURL + "pyodide.asm.wasm", runtime.stdlib, runtime.package],
    runtime.bytes,
  );
  const pkg = fetch(runtime.package).then((r) => {
    if (!r.ok) throw new Error(`${runtime.package.split("/").pop()}: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  pkg.catch(() => {}); // reported when awaited below
  const { loadPyodide } = await import(indexURL + "pyodide.mjs");
  const pyodide = await loadPyodide({
    indexURL,
    stdLibURL: runtime.stdlib,
    lockFileContents: { info: runtime.lock, packages: {} },
    packageBaseUrl: indexURL,
    // Called once the runtime is downloaded and compiled, just before the interpreter starts (synchronously,
    // about a second in which this worker can post nothing): the page's start-up time limit begins now.
    fsInit: () => {
      stopWatching();
      post({ type: "progress", stage: "start" });
    },
  });
  const sitePackages = pyodide.pyimport("sys").path.toJs().find((p) => p.endsWith("/site-packages"));
  pyodide.unpackArchive(await pkg, "zip", { extractDir: sitePackages });
  pyodide.pyimport("_stdlib_fallback").install(() => fetchSync(runtime.stdlibFull));
  registry = pyodide.pyimport("calculators.registry");
  prepare(ids); // only this page's calculators, not the whole catalog
  runJson = registry.run_json;
  toolJson = registry.tool_json;
}

self.onmessage = async (event) => {
  const msg = event.data || {};
  switch (msg.type) {
    case "init":
      try {
        await init(msg);
        post({ type: "ready" });
      } catch (err) {
        post({ type: "failed", error: plainError(err) });
      }
      break;
    case "prepare":
      prepare(msg.ids);
      break;
    case "run":
      if (!runJson) {
        post({ type: "result", seq: msg.seq, error: { name: "NotReady", message: "Python is not loaded yet." } });
        break;
      }
      try {
        const text = runJson(String(msg.id), JSON.stringify(msg.inputs || {}));
        post({ type: "result", seq: msg.seq, result: JSON.parse(text) });
      } catch (err) {
        post({ type: "result", seq: msg.seq, error: plainError(err) });
      }
      break;
    case "tool":
      if (!toolJson) {
        post({ type: "tool", seq: msg.seq, error: { name: "NotReady", message: "Python is not loaded yet." } });
        break;
      }
      try {
        const text = toolJson(String(msg.tool), String(msg.id), JSON.stringify(msg.inputs || {}), JSON.stringify(msg.options || {}));
        post({ type: "tool", seq: msg.seq, result: JSON.parse(text) });
      } catch (err) {
        post({ type: "tool", seq: msg.seq, error: plainError(err) });
      }
      break;
    default:
      post({ type: "error", seq: msg.seq, error: { name: "UnknownMessage", message: `unknown message type ${String(msg.type)}` } });
  }
};
