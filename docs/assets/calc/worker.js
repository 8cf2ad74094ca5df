// The calculators worker: one Pyodide with our wheel, shared by every widget of the site.
// Protocol (messages are plain objects):
//   page -> worker  {type: "init", indexURL, wheelURL, ids}  once (ids: the calculators on the page)
//   page -> worker  {type: "prepare", ids}                  after a page change: import these calculators now
//   worker -> page  {type: "progress", stage, loaded, total} while loading
//   worker -> page  {type: "ready"} | {type: "failed", error: {name, message}}
//   page -> worker  {type: "run", seq, id, inputs}
//   worker -> page  {type: "result", seq, result} | {type: "result", seq, error: {name, message}}
//   page -> worker  {type: "tool", seq, tool, id, inputs, options}  tool: "sensitivity" | "reproduce"
//   worker -> page  {type: "tool", seq, result} | {type: "tool", seq, error: {name, message}}
// The worker calls only calculators.registry.run_json and tool_json (which names its tools); it never evaluates
// code it is sent.

let runJson = null;
let toolJson = null;
let registry = null;
let loaded = 0;

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

// Count the bytes of Pyodide's big downloads as they arrive, so the page can show progress. Pyodide gets the
// original response (compiled as it streams, natively); only a clone passes through JavaScript to be counted.
const realFetch = self.fetch.bind(self);
self.fetch = async (input, init) => {
  const response = await realFetch(input, init);
  const url = typeof input === "string" ? input : input.url || String(input);
  if (response.ok && response.body && /(pyodide\.asm\.wasm|python_stdlib\.zip)$/.test(url.split("?")[0])) {
    countBytes(response.clone().body.getReader());
  }
  return response;
};

async function countBytes(reader) {
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      loaded += value.byteLength;
      post({ type: "progress", stage: "download", loaded });
    }
  } catch (err) {
    // Counting is cosmetic: a failed download reports itself through loadPyodide.
  }
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

async function init({ indexURL, wheelURL, ids }) {
  const wheel = realFetch(wheelURL).then((r) => {
    if (!r.ok) throw new Error(`wheel: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  const { loadPyodide } = await import(indexURL + "pyodide.mjs");
  const pyodide = await loadPyodide({ indexURL });
  post({ type: "progress", stage: "package", loaded });
  pyodide.unpackArchive(await wheel, "wheel", { extractDir: "/home/pyodide/calculators-wheel" });
  pyodide.pyimport("sys").path.insert(0, "/home/pyodide/calculators-wheel");
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
      post({ type: "error", error: { name: "UnknownMessage", message: `unknown message type ${String(msg.type)}` } });
  }
};
