// Calculator widgets. The page arrives with numbers computed at build time; this script makes them live:
// it mounts every .calc element (again after each instant-navigation page change), starts one Web Worker
// running Pyodide and the calculators wheel as soon as the page is parsed (or at the first interaction), and sends
// each edit to it. One request per widget is in flight; edits made meanwhile coalesce into the next one, and
// only the answer to the newest request is applied. Values are written with textContent, never as HTML.

const LOAD_TIMEOUT_MS = 60000;
const workerURL = new URL("worker.js", import.meta.url);

const engine = {
  state: "idle", // idle -> loading -> ready | failed
  worker: null,
  failure: "",
  loaded: 0,
  total: 0,
  stage: "",
  seq: 0,
  waiting: new Map(), // seq -> widget
  widgets: new Set(),
};

function broadcast() {
  for (const w of engine.widgets) w.showStatus();
}

function startEngine(el) {
  if (engine.state !== "idle") return;
  engine.state = "loading";
  engine.stage = "download";
  engine.total = Number(el.dataset.calcDownloadBytes) || 0;
  broadcast();
  let worker;
  try {
    worker = new Worker(workerURL, { type: "module" });
  } catch (err) {
    fail(`this browser cannot start a module worker (${err.message})`);
    return;
  }
  engine.worker = worker;
  const timer = setTimeout(() => fail("Python did not finish loading in time"), LOAD_TIMEOUT_MS);
  worker.onmessage = (event) => {
    const msg = event.data || {};
    if (msg.type === "progress") {
      engine.stage = msg.stage;
      engine.loaded = msg.loaded;
      broadcast();
    } else if (msg.type === "ready") {
      clearTimeout(timer);
      if (engine.state !== "loading") return;
      engine.state = "ready";
      broadcast();
      for (const w of engine.widgets) w.flush();
    } else if (msg.type === "failed") {
      clearTimeout(timer);
      fail(msg.error && msg.error.message);
    } else if (msg.type === "result") {
      const widget = engine.waiting.get(msg.seq);
      engine.waiting.delete(msg.seq);
      if (widget) widget.receive(msg);
    }
  };
  worker.onerror = (event) => {
    clearTimeout(timer);
    fail(event.message || "the worker stopped");
  };
  const pyodideURL = new URL(el.dataset.calcPyodide, document.baseURI).href;
  const wheelURL = new URL(el.dataset.calcWheel, document.baseURI).href;
  worker.postMessage({ type: "init", indexURL: pyodideURL, wheelURL, ids: pageCalculatorIds() });
}

function fail(reason) {
  if (engine.state === "failed") return;
  engine.state = "failed";
  engine.failure = reason || "unknown error";
  if (engine.worker) engine.worker.terminate();
  engine.worker = null;
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
    // A config.json pasted into a calculator that reads it like a preset fills the preset fields.
    this.configFills = "calcConfigFills" in el.dataset;
    this.configControl = this.form.querySelector("textarea[name=config]");
    this.id = el.dataset.calc;
    this.dirty = false; // an edit is waiting for Python
    this.inFlight = null; // seq of the request being computed
    this.queued = null; // inputs of the newest edit made while one was in flight
    this.presetChange = false;
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
    const preset = this.presetSelect ? this.presetSelect.value : "custom";
    for (const control of this.controls()) {
      if (control.name === "preset") continue;
      // Let the preset (or the pasted config) fill these; a pasted config is itself sent, even where a preset sets it.
      const pastedConfig = control === this.configControl && preset === "custom";
      if (this.presetChange && this.presetFields.has(control.name) && !pastedConfig) continue;
      inputs[control.name] = control.value;
    }
    if (preset !== "custom") inputs.preset = preset;
    return inputs;
  }

  onEdit(event) {
    const target = event.target;
    if (!target || !target.name) return;
    if (target.name === "preset") {
      this.presetChange = target.value !== "custom";
      if (this.presetChange && this.configFills && this.configControl) this.configControl.value = "";
    } else if (target === this.configControl && this.configFills) {
      if (this.presetSelect) this.presetSelect.value = "custom";
      this.presetChange = target.value.trim() !== ""; // let the config fill the preset fields
    } else if (this.presetFields.has(target.name) && this.presetSelect) {
      this.presetSelect.value = "custom";
      this.presetChange = false;
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
      this.queued = inputs;
      return;
    }
    this.send(inputs);
  }

  flush() {
    if (this.dirty) {
      this.dirty = false;
      this.request();
    }
  }

  send(inputs) {
    const seq = ++engine.seq;
    this.inFlight = seq;
    this.sentPresetChange = this.presetChange;
    engine.waiting.set(seq, this);
    engine.worker.postMessage({ type: "run", seq, id: this.id, inputs });
  }

  receive(msg) {
    this.inFlight = null;
    if (this.queued) {
      const next = this.queued;
      this.queued = null;
      this.send(next); // a newer edit exists: this answer is already stale
      return;
    }
    if (!this.el.isConnected) return;
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
    if (this.sentPresetChange) {
      this.fillPresetFields(result.inputs);
      this.presetChange = false;
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
      text = `Live recomputation is unavailable (${engine.failure}). The numbers shown were computed when the page was built.`;
    }
    this.statusText.textContent = text;
  }
}

function pageCalculatorIds() {
  return Array.from(new Set(Array.from(document.querySelectorAll(".calc[data-calc]"), (el) => el.dataset.calc)));
}

const mounted = new WeakMap();

function mountAll() {
  for (const w of Array.from(engine.widgets)) {
    if (!w.el.isConnected) engine.widgets.delete(w);
  }
  const elements = Array.from(document.querySelectorAll(".calc[data-calc]"));
  for (const el of elements) {
    if (mounted.has(el)) continue;
    const widget = new Widget(el);
    mounted.set(el, widget);
    engine.widgets.add(widget);
    const wake = () => startEngine(el);
    el.addEventListener("pointerdown", wake, { once: true });
    el.addEventListener("focusin", wake, { once: true });
  }
  // Start Python as soon as the page is parsed (this module runs then). The worker does its work off the main
  // thread; waiting for an idle callback measured 0.2-0.4 s later on Material pages, most of the gap between
  // a live widget and bare Pyodide start-up.
  if (elements.length && engine.state === "idle") startEngine(elements[0]);
  else if (elements.length && engine.worker) engine.worker.postMessage({ type: "prepare", ids: pageCalculatorIds() });
}

if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
  window.document$.subscribe(() => mountAll());
} else if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", mountAll);
} else {
  mountAll();
}
