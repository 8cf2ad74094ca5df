// Calculator widgets. The page arrives with numbers computed at build time; this script makes them live: it
// mounts every .calc element (again after each instant-navigation page change), starts one Web Worker running
// Pyodide and the calculators package, and sends each edit to it. One request per widget is in flight; edits made
// meanwhile coalesce into the next one, and only the answer to the newest request is applied. Values are written
// with textContent, never as HTML.
//
// When Python starts (12.5 MB to download, 5.4 MB compressed, once per visitor while the browser caches it; see
// "How a widget comes alive" in docs/running-locally.md for the figures):
// - never on a page without widgets;
// - on a page with widgets, as soon as one comes within two screen heights of the viewport (it is then live before
//   a reader who scrolls there reaches it: start-up takes 1-3 s after the download), when the page opens at a
//   widget (a link to #calc-...), or at the first interaction with a widget, whichever comes first;
// - with the browser's data saver on (Save-Data), only at the first interaction with a widget.
// A reader who reads a page's opening and leaves downloads nothing beyond the page; the numbers on the page are
// correct without Python (computed at build time by the same package).
//
// The build puts this script (async) right after a page's first widget; pages without widgets do not load it. It
// runs once the theme's scripts have run; when the policy already says "start" while the page is being parsed, a
// small script the build inlines after the first widget (scripts/sitebuild/templates/early_start.js) starts the
// worker then (its first request came 0.17 s sooner in the median of 12 cold loads), and this script adopts it.
//
// Time limits: none while downloading (a slow connection is not a failure; the status shows the download moving,
// file by file); once every file has arrived, Python must start within START_TIMEOUT_MS. A failure is shown in
// the status, and the next interaction with a widget tries again with a new worker.

const START_TIMEOUT_MS = Number(globalThis.calcStartTimeoutMs) || 30000; // a page (a test) may set a shorter one
const NEAR_VIEWPORT = "200% 0px"; // two screen heights above and below
const selfURL = new URL(import.meta.url);
const workerURL = new URL("worker.js" + selfURL.search, selfURL); // same ?v= version as this file

const engine = {
  state: "idle", // idle -> loading -> ready | failed (-> loading again at the next interaction)
  worker: null,
  failure: "",
  loaded: 0,
  total: 0,
  stage: "",
  timer: null,
  seq: 0,
  waiting: new Map(), // seq -> widget
  widgets: new Set(),
};

function broadcast() {
  for (const w of engine.widgets) w.showStatus();
}

function startEngine(el) {
  if (engine.state === "loading" || engine.state === "ready") return;
  // A worker the page started while it was being parsed (the build's early start, see hooks.py), if any.
  const early = window.calcEarlyStart;
  window.calcEarlyStart = null;
  window.calcEngineStarted = true;
  let runtime = early && early.runtime;
  if (!runtime) {
    try {
      runtime = JSON.parse(el.dataset.calcRuntime);
      for (const key of ["pyodide", "stdlib", "stdlibFull", "package"]) {
        runtime[key] = new URL(runtime[key], document.baseURI).href;
      }
    } catch (err) {
      fail("the page does not say where Python is");
      return;
    }
  }
  engine.state = "loading";
  engine.stage = "download";
  engine.loaded = 0;
  engine.total = Number(runtime.bytes) || 0;
  engine.failure = "";
  broadcast();
  let worker = early && early.worker;
  if (!worker) {
    try {
      worker = new Worker(workerURL, { type: "module" });
    } catch (err) {
      fail(`this browser cannot start a module worker (${err.message})`);
      return;
    }
  }
  engine.worker = worker;
  const receive = (event) => {
    if (engine.worker !== worker) return; // a worker given up on
    const msg = event.data || {};
    if (msg.type === "progress") {
      engine.stage = msg.stage;
      if (msg.stage === "download") engine.loaded = msg.loaded;
      if (msg.stage === "start" && engine.timer === null) {
        engine.timer = setTimeout(() => fail("Python did not start in time"), START_TIMEOUT_MS);
      }
      broadcast();
    } else if (msg.type === "ready") {
      clearTimeout(engine.timer);
      engine.timer = null;
      if (engine.state !== "loading") return;
      engine.state = "ready";
      broadcast();
      for (const w of engine.widgets) w.flush();
    } else if (msg.type === "failed") {
      fail(msg.error && msg.error.message);
    } else if (msg.type === "result" || msg.type === "error") {
      // "error": the worker could not handle a message; for a request, that request's widget shows it as an
      // internal error, as it would a failed computation.
      const widget = engine.waiting.get(msg.seq);
      engine.waiting.delete(msg.seq);
      if (widget) widget.receive(msg);
      else if (msg.type === "error") console.warn("calculators worker:", msg.error && msg.error.message);
    }
  };
  const stopped = (message) => {
    if (engine.worker === worker) fail(message || "the worker stopped");
  };
  worker.onmessage = receive;
  worker.onerror = (event) => stopped(event.message);
  worker.onmessageerror = () => stopped("the worker sent a message that could not be read");
  if (early) {
    for (const event of early.messages) {
      if (event.type === "workererror") stopped(event.message);
      else receive(event);
    }
  } else {
    worker.postMessage({ type: "init", runtime, ids: pageCalculatorIds() });
  }
}

function fail(reason) {
  if (engine.state === "failed") return;
  clearTimeout(engine.timer);
  engine.timer = null;
  engine.state = "failed";
  engine.failure = reason || "unknown error";
  if (engine.worker) engine.worker.terminate();
  engine.worker = null;
  // Requests in flight will get no answer: their widgets send their newest edit again once Python is back.
  for (const widget of engine.waiting.values()) widget.lost();
  engine.waiting.clear();
  broadcast();
}

function formatMB(bytes) {
  return (bytes / 1e6).toFixed(1);
}

class Widget {
  constructor(el) {
    this.el = el;
    this.form = el.querySelector(".calc-form");
    this.statusText = el.querySelector(".calc-status-text");
    this.progress = el.querySelector(".calc-progress");
    this.table = el.querySelector(".calc-outputs");
    this.notes = el.querySelector(".calc-notes");
    this.formError = el.querySelector(".calc-error--form");
    this.presetSelect = this.form.querySelector("select[name=preset]");
    this.presetFields = new Set((el.dataset.calcPresetFields || "").split(" ").filter(Boolean));
    // The calculator reads a pasted config.json the way it reads a preset: the config fills the preset fields.
    this.configControl = "calcConfigFills" in el.dataset ? this.form.querySelector("textarea[name=config]") : null;
    // Where the preset fields' values come from, one state (the preset select shows it):
    //   "preset": the selected preset; "config": the pasted config.json; "own": what the reader typed.
    // `refill`: the fields still show an older source's values, so requests leave them out (Python fills them
    // from the preset or the config; a pasted config itself is sent) and the answer writes them back.
    const preset = this.presetSelect ? this.presetSelect.value : "custom";
    this.source = { kind: preset !== "custom" ? "preset" : "own", refill: false };
    this.id = el.dataset.calc;
    this.dirty = false; // an edit is waiting for Python
    this.inFlight = null; // seq of the request being computed
    this.sentRefill = false; // whether the request in flight lets Python fill the preset fields
    this.queued = null; // inputs of the newest edit made while one was in flight
    this.form.addEventListener("input", (e) => this.onEdit(e));
    for (const chooser of this.form.querySelectorAll("input.calc-file")) {
      chooser.addEventListener("change", () => this.onFile(chooser));
    }
    this.form.addEventListener("submit", (e) => e.preventDefault());
    this.updateRelevance();
    this.showStatus();
  }

  controls() {
    return Array.from(this.form.querySelectorAll("input[name], select[name], textarea[name]"));
  }

  collect() {
    const inputs = {};
    for (const control of this.controls()) {
      if (control.name === "preset") continue;
      const pasted = this.source.kind === "config" && control === this.configControl;
      if (!(this.source.refill && this.presetFields.has(control.name) && !pasted)) inputs[control.name] = control.value;
    }
    if (this.source.kind === "preset") inputs.preset = this.presetSelect.value;
    return inputs;
  }

  setSource(kind, refill) {
    this.source = { kind, refill };
    if (this.presetSelect && kind !== "preset") this.presetSelect.value = "custom";
  }

  onEdit(event) {
    const target = event.target;
    if (!target || !target.name) return;
    if (target.name === "preset") {
      const chosen = target.value !== "custom";
      this.setSource(chosen ? "preset" : "own", chosen);
      if (chosen && this.configControl) this.configControl.value = ""; // the preset replaces a pasted config
    } else if (target === this.configControl) {
      const pasted = target.value.trim() !== "";
      this.setSource(pasted ? "config" : "own", pasted);
    } else if (this.presetFields.has(target.name)) {
      this.setSource("own", false);
    }
    if (target.tagName === "SELECT") this.updateRelevance();
    startEngine(this.el);
    this.request();
  }

  onFile(chooser) {
    // Read a chosen file as text into its textarea, refusing one far larger than the calculator accepts.
    const file = chooser.files && chooser.files[0];
    const target = this.form.querySelector(`[name="${CSS.escape(chooser.dataset.calcFileFor)}"]`);
    if (!file || !target) return;
    const limit = Number(chooser.dataset.calcMaxChars) || 200000;
    if (file.size > limit * 4) {
      this.showErrors([{ field: target.name, message: `That file is ${file.size.toLocaleString("en")} bytes; a config.json is a few kB (the limit is ${limit.toLocaleString("en")} characters).` }]);
      chooser.value = "";
      return;
    }
    file.text().then(
      (text) => {
        target.value = text;
        chooser.value = "";
        target.dispatchEvent(new Event("input", { bubbles: true }));
      },
      () => this.showErrors([{ field: target.name, message: "The file could not be read as text." }]),
    );
  }

  updateRelevance() {
    const values = {};
    for (const control of this.controls()) values[control.name] = control.value;
    for (const field of this.form.querySelectorAll("[data-relevant-when]")) {
      let rule = {};
      try {
        rule = JSON.parse(field.dataset.relevantWhen);
      } catch (err) {
        rule = {};
      }
      const relevant = Object.entries(rule).every(([name, allowed]) => allowed.includes(values[name]));
      field.hidden = !relevant;
    }
  }

  request() {
    this.el.dataset.calcPending = "true"; // until the answer to the newest edit is shown
    if (engine.state !== "ready") {
      this.dirty = true;
      this.showStatus();
      return;
    }
    const inputs = this.collect();
    if (this.inFlight !== null) {
      this.queued = { inputs, refill: this.source.refill };
      return;
    }
    this.send(inputs, this.source.refill);
  }

  flush() {
    if (this.dirty) {
      this.dirty = false;
      this.request();
    }
  }

  send(inputs, refill) {
    const seq = ++engine.seq;
    this.inFlight = seq;
    this.sentRefill = refill;
    engine.waiting.set(seq, this);
    engine.worker.postMessage({ type: "run", seq, id: this.id, inputs });
  }

  // The worker went away with this widget's request unanswered: send the newest edit again when Python is back.
  lost() {
    this.inFlight = null;
    this.queued = null;
    this.dirty = this.el.dataset.calcPending === "true";
  }

  // Navigation removed this widget: nothing it asked for is sent or applied any more.
  forget() {
    this.queued = null;
    this.dirty = false;
    for (const [seq, widget] of engine.waiting) {
      if (widget === this) engine.waiting.delete(seq);
    }
  }

  receive(msg) {
    this.inFlight = null;
    if (!this.el.isConnected) {
      this.forget();
      return;
    }
    if (this.queued) {
      const next = this.queued;
      this.queued = null;
      this.send(next.inputs, next.refill); // a newer edit exists: this answer is already stale
      return;
    }
    this.el.dataset.calcPending = "false";
    if (msg.error) {
      // A bug, not bad input: say so plainly, by the error's name; the worker sends no traceback.
      const name = String(msg.error.name || "Error").replace(/[^\w.]/g, "").slice(0, 60) || "Error";
      this.showErrors([{ field: null, message: `This calculator hit an internal error (${name}); the numbers shown are the last good ones.` }], "failed");
      return;
    }
    const result = msg.result;
    if (result.errors && result.errors.length) {
      this.showErrors(result.errors);
      return;
    }
    if (this.sentRefill && this.source.refill) {
      this.fillPresetFields(result.inputs);
      this.source = { kind: this.source.kind, refill: false };
    }
    this.showResult(result);
  }

  fillPresetFields(inputs) {
    for (const control of this.controls()) {
      if (this.presetFields.has(control.name) && inputs[control.name] !== undefined && inputs[control.name] !== null) {
        control.value = String(inputs[control.name]);
      }
    }
    this.updateRelevance();
  }

  clearErrors() {
    for (const node of this.form.querySelectorAll(".calc-error")) {
      node.textContent = "";
      node.hidden = true;
    }
    for (const control of this.controls()) control.removeAttribute("aria-invalid");
  }

  // state: "error" (bad input; the status says whether a field is marked) or "failed" (an internal error).
  showErrors(errors, state = "error") {
    this.clearErrors();
    let marked = false;
    for (const error of errors) {
      const control = error.field ? this.form.querySelector(`[name="${CSS.escape(error.field)}"]`) : null;
      const slot = control ? this.form.querySelector(`#${CSS.escape(control.id)}-error`) : null;
      if (control) control.setAttribute("aria-invalid", "true");
      if (slot) marked = true;
      const target = slot || this.formError;
      target.textContent = target.textContent ? `${target.textContent} ${error.message}` : error.message;
      target.hidden = false;
    }
    this.markStale(true);
    this.el.dataset.calcState = state;
    this.fieldMarked = marked;
    this.showStatus();
  }

  showResult(result) {
    this.clearErrors();
    for (const row of this.table.querySelectorAll("tr[data-output]")) {
      const output = result.outputs[row.dataset.output];
      const cell = row.querySelector(".calc-value");
      if (!output || output.value === null) {
        row.hidden = true;
        continue;
      }
      row.hidden = false;
      cell.textContent = output.text;
      cell.dataset.value = String(output.value);
    }
    this.notes.replaceChildren(
      ...result.notes.map((note) => {
        const li = document.createElement("li");
        li.textContent = note;
        return li;
      }),
    );
    this.showCharts(result.charts || []);
    this.showTables(result.tables || []);
    this.markStale(false);
    this.el.dataset.calcState = "live";
    this.showStatus();
  }

  markStale(stale) {
    for (const node of [this.table, this.notes, ...this.el.querySelectorAll(".calc-chart, .calc-table")]) {
      node.classList.toggle("calc-stale", stale);
    }
  }

  showTables(tables) {
    // Cells are text from Python, written with textContent.
    tables.forEach((table, index) => {
      const node = this.el.querySelector(`.calc-table[data-table="${index}"]`);
      if (!node) return;
      node.querySelector("caption").textContent = table.title;
      const head = document.createElement("tr");
      for (const column of table.columns) {
        const th = document.createElement("th");
        th.scope = "col";
        th.textContent = column;
        head.append(th);
      }
      node.querySelector("thead").replaceChildren(head);
      node.querySelector("tbody").replaceChildren(
        ...table.rows.map((row) => {
          const tr = document.createElement("tr");
          row.forEach((cell, i) => {
            const td = document.createElement(i === 0 ? "th" : "td");
            if (i === 0) td.scope = "row";
            td.textContent = cell;
            tr.append(td);
          });
          return tr;
        }),
      );
    });
  }

  showCharts(charts) {
    // Each chart comes drawn twice by calculators.charts (our Python, the same code that drew the prerendered
    // chart), for a wide and for a narrow box; CSS shows one. Each SVG is parsed as an XML document, never assigned
    // to innerHTML, and must be a lone <svg> element; unless both are good, the figure keeps its last drawings.
    charts.forEach((chart, index) => {
      const figure = this.el.querySelector(`.calc-chart[data-chart="${index}"]`);
      if (!figure) return;
      const drawings = [chart.svg, chart.svg_narrow].map((text) => {
        if (typeof text !== "string") return null;
        const doc = new DOMParser().parseFromString(text, "image/svg+xml");
        const svg = doc.documentElement;
        if (svg.localName !== "svg" || doc.getElementsByTagName("parsererror").length) return null;
        return document.importNode(svg, true);
      });
      if (!drawings.includes(null)) figure.replaceChildren(...drawings);
    });
  }

  showStatus() {
    const progress = this.progress;
    let text;
    this.el.dataset.calcEngine = engine.state;
    if (engine.state === "idle") {
      text = "Numbers computed when this page was built. Live recomputation starts when Python has loaded.";
      progress.hidden = true;
    } else if (engine.state === "loading") {
      progress.hidden = false;
      if (engine.stage === "download" && engine.total) {
        const share = Math.min(engine.loaded / engine.total, 1);
        progress.value = share * 0.8;
        text = `Python loading: ${formatMB(Math.min(engine.loaded, engine.total))} of ${formatMB(engine.total)} MB`;
      } else {
        progress.value = 0.9;
        text = "Python loading: starting the interpreter";
      }
      if (this.dirty) text += "; your edit will be computed when it is ready.";
    } else if (engine.state === "ready") {
      progress.hidden = true;
      const state = this.el.dataset.calcState;
      if (state === "failed") text = "Internal error: the results below are the last good ones.";
      else if (state === "error" && this.fieldMarked) text = "Fix the marked field: the results below are the last good ones.";
      else if (state === "error") text = "These inputs cannot be computed (see the message above the results); the results below are the last good ones.";
      else text = "Live: recomputed in Python (Pyodide) in your browser as you type.";
    } else {
      progress.hidden = true;
      text = `Live recomputation is unavailable (${engine.failure}); edit a field to try again. The numbers shown were computed when the page was built.`;
    }
    this.statusText.textContent = text;
  }
}

function pageCalculatorIds() {
  return Array.from(new Set(Array.from(document.querySelectorAll(".calc[data-calc]"), (el) => el.dataset.calc)));
}

// The widget the page's address points into (a link to #calc-kv-cache or to one of its fields), if any.
function widgetInHash() {
  try {
    const target = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    return target && target.closest(".calc[data-calc]");
  } catch (err) {
    return null; // a malformed address
  }
}

const mounted = new WeakMap();
const saveData = Boolean(navigator.connection && navigator.connection.saveData);
// Starts Python when a widget comes near the viewport (see the policy at the top of this file).
const nearby = "IntersectionObserver" in window && !saveData
  ? new IntersectionObserver((entries) => {
    const near = entries.find((entry) => entry.isIntersecting);
    if (near && engine.state === "idle") startEngine(near.target);
    if (engine.state !== "idle") nearby.disconnect();
  }, { rootMargin: NEAR_VIEWPORT })
  : null;

function mountAll() {
  for (const w of Array.from(engine.widgets)) {
    if (w.el.isConnected) continue;
    w.forget(); // its queued edits are dropped
    engine.widgets.delete(w);
  }
  const elements = Array.from(document.querySelectorAll(".calc[data-calc]"));
  for (const el of elements) {
    if (mounted.has(el)) continue;
    const widget = new Widget(el);
    mounted.set(el, widget);
    engine.widgets.add(widget);
    const wake = () => startEngine(el); // also retries after a failure
    el.addEventListener("pointerdown", wake);
    el.addEventListener("focusin", wake);
    if (nearby && engine.state === "idle") nearby.observe(el);
  }
  if (!elements.length) return;
  if (window.calcEarlyStart && engine.state === "idle") startEngine(elements[0]); // adopt the early worker
  const opened = widgetInHash();
  if (opened && engine.state === "idle" && !saveData) startEngine(opened); // the page opened at a widget
  else if (engine.worker) engine.worker.postMessage({ type: "prepare", ids: pageCalculatorIds() });
}

// This script runs as soon as it arrives, perhaps before the rest of the page is parsed: mount what is there now,
// and the rest, and every page after an instant navigation, on Material's document$ (defined by the theme's script
// at the end of the page, so subscribed to once the page is parsed if it is not there yet).
mountAll();
function followPages() {
  if (!window.document$ || !window.document$.subscribe) return false;
  window.document$.subscribe(() => mountAll());
  return true;
}
if (!followPages()) document.addEventListener("DOMContentLoaded", followPages, { once: true });
