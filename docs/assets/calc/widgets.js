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
//
// Reader tools (issue 13), built once for every widget:
// - The URL holds each widget's inputs that differ from where the page started, under the widget's stable name
//   (`?kv-cache.context_length=65536&kv-cache.preset=llama-3.1-405b`); they are restored when the widget mounts
//   (on load and after each instant-navigation page change) and on back/forward within the page. Edits replace
//   the current history entry rather than adding one, so Back still leaves the page. A pasted config.json travels
//   deflated (`name.config=z.<base64url>`). Values from a URL go through the same validation as typed ones; a
//   name or a choice the widget does not know is ignored with a note.
// - Copy link, Copy as Python and Copy as a command (both from calculators.reproduce, in the worker), CSV and
//   JSON of the outputs and tables, a chart as SVG, Reset, and "Which inputs matter?" (calculators.sensitivity).

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
  calls: new Map(), // seq -> {resolve} of a tool call (sensitivity, reproduce)
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
      else if (msg.type === "error" && engine.calls.has(msg.seq)) {
        // a tool request the worker could not handle: its caller gets the error
        const call = engine.calls.get(msg.seq);
        engine.calls.delete(msg.seq);
        call.resolve(msg);
      } else if (msg.type === "error") console.warn("calculators worker:", msg.error && msg.error.message);
    } else if (msg.type === "tool") {
      const call = engine.calls.get(msg.seq);
      engine.calls.delete(msg.seq);
      if (call) call.resolve(msg);
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
  for (const call of engine.calls.values()) call.resolve({ error: { name: "Unavailable", message: engine.failure } });
  engine.calls.clear();
  broadcast();
}

// A tool of calculators.registry.tool_json (by name; the worker evaluates no code), once Python is ready.
function callTool(el, tool, id, inputs, options = {}) {
  startEngine(el);
  return whenReady().then(
    () =>
      new Promise((resolve) => {
        const seq = ++engine.seq;
        engine.calls.set(seq, { resolve });
        engine.worker.postMessage({ type: "tool", seq, tool, id, inputs, options });
      }),
    (reason) => ({ error: { name: "Unavailable", message: reason } }),
  );
}

function whenReady() {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (engine.state === "ready") resolve();
      else if (engine.state === "failed") reject(engine.failure);
      else setTimeout(check, 100);
    };
    check();
  });
}

// A widget's name in URLs: its calculator's id, unless the page has two widgets of one calculator.
function widgetName(el) {
  return el.dataset.calcName || el.dataset.calc;
}

function formatMB(bytes) {
  return (bytes / 1e6).toFixed(1);
}

class Widget {
  // `carried`: the inputs of the widget this one replaces, when they are newer than the URL (see mountAll).
  constructor(el, carried = null) {
    this.el = el;
    this.form = el.querySelector(".calc-form");
    this.statusText = el.querySelector(".calc-status-text");
    this.progress = el.querySelector(".calc-progress");
    this.table = el.querySelector(".calc-outputs");
    this.results = el.querySelector(".calc-results");
    this.verdicts = el.querySelector(".calc-verdicts");
    this.toolStatus = el.querySelector(".calc-tool-status");
    this.snippet = el.querySelector(".calc-snippet");
    this.linkNote = el.querySelector(".calc-link-note");
    this.notes = el.querySelector(":scope > .calc-notes"); // the results' notes; the sensitivity panel has its own
    this.formError = el.querySelector(".calc-error--form");
    this.presetSelect = this.form.querySelector("select[name=preset]");
    this.presetFields = new Set((el.dataset.calcPresetFields || "").split(" ").filter(Boolean));
    // The calculator reads a pasted config.json the way it reads a preset: the config fills the preset fields.
    this.configControl = "calcConfigFills" in el.dataset ? this.form.querySelector("textarea[name=config]") : null;
    this.configDetails = this.form.querySelector("details.calc-config");
    // Where the preset fields' values come from, one state (the preset select shows it):
    //   "preset": the selected preset; "config": the pasted config.json; "own": what the reader typed.
    // `refill`: the fields still show an older source's values, so requests leave them out (Python fills them
    // from the preset or the config; a pasted config itself is sent) and the answer writes them back.
    const preset = this.presetSelect ? this.presetSelect.value : "custom";
    this.source = { kind: preset !== "custom" ? "preset" : "own", refill: false };
    this.id = el.dataset.calc;
    this.name = widgetName(el);
    this.pathname = location.pathname;
    // Where the page started (the inputs of the widget's block), and what the preset fields were last filled
    // with: the URL holds what differs from these. `origin` is the preset (or "config") they were filled from.
    this.initial = { preset, values: this.values() };
    this.baseline = { ...this.initial.values };
    this.origin = preset;
    this.pendingOverrides = null; // inputs from a URL to apply once a preset or config has filled the fields
    this.dirty = false; // an edit is waiting for Python
    this.inFlight = null; // seq of the request being computed
    this.sentRefill = false; // whether the request in flight lets Python fill the preset fields
    this.queued = null; // inputs of the newest edit made while one was in flight
    this.sensitivity = { open: false, busy: false, again: false };
    this.form.addEventListener("input", (e) => this.onEdit(e));
    this.form.addEventListener("change", (e) => this.onCommit(e));
    for (const chooser of this.form.querySelectorAll("input.calc-file")) {
      chooser.addEventListener("change", () => this.onFile(chooser));
    }
    this.form.addEventListener("submit", (e) => e.preventDefault());
    for (const button of el.querySelectorAll("[data-calc-action]")) {
      button.addEventListener("click", () => this.onAction(button));
    }
    const formulas = el.querySelector(".calc-formulas");
    if (formulas) formulas.addEventListener("toggle", () => formulas.open && this.renderFormulas());
    for (const select of el.querySelectorAll(".calc-sensitivity select")) {
      select.addEventListener("change", () => this.requestSensitivity());
    }
    this.updateRelevance();
    this.updateConfigSummary();
    this.showStatus();
    this.urlToken = 0;
    this.urlBehind = false; // true while a write waits for its config to be deflated
    if (carried) {
      // The page was drawn again while an edit had not reached the URL yet: the edit comes over, and goes there.
      this.publishURL(carried);
      decodeConfig(carried).then((decoded) => this.applyState(decoded));
      return;
    }
    const state = readURLState(this.name);
    if (state.given) decodeConfig(state).then((decoded) => this.applyState(decoded));
  }

  controls() {
    return Array.from(this.form.querySelectorAll("input[name], select[name], textarea[name]"));
  }

  // Every control's value by name, the preset select's too.
  values() {
    const out = {};
    for (const control of this.controls()) out[control.name] = control.value;
    return out;
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
      if (chosen) this.origin = target.value;
      if (chosen && this.configControl) this.configControl.value = ""; // the preset replaces a pasted config
    } else if (target === this.configControl) {
      const pasted = target.value.trim() !== "";
      this.setSource(pasted ? "config" : "own", pasted);
      if (pasted) this.origin = "config";
    } else if (this.presetFields.has(target.name)) {
      this.setSource("own", false);
    }
    this.pendingOverrides = null; // the reader's edit wins over a link's inputs still waiting
    if (target.tagName === "SELECT") this.updateRelevance();
    this.updateConfigSummary();
    startEngine(this.el);
    this.request();
    this.scheduleURL();
  }

  onCommit(event) {
    if (event.target && event.target.name && this.urlTimer) this.writeURL();
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
    this.results.setAttribute("aria-busy", "true");
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
    this.sent = inputs;
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
    if (this.sentRefill && this.source.refill && msg.result && !(msg.result.errors || []).length) {
      this.fillPresetFields(msg.result.inputs);
      this.source = { kind: this.source.kind, refill: false };
    }
    if (this.pendingOverrides && !this.source.refill) {
      // A link's inputs, on top of the preset or config the answer has just filled in: compute again with them.
      const overrides = this.pendingOverrides;
      this.pendingOverrides = null;
      this.applyOverrides(overrides);
      this.request();
      return;
    }
    this.el.dataset.calcPending = "false";
    this.results.removeAttribute("aria-busy");
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
    this.showResult(result);
  }

  // Write the values a preset or a config gave into the preset fields; they become the baseline the URL is
  // measured from.
  fillPresetFields(inputs) {
    for (const control of this.controls()) {
      if (this.presetFields.has(control.name) && inputs[control.name] !== undefined && inputs[control.name] !== null) {
        control.value = pageText(inputs[control.name]);
        this.baseline[control.name] = control.value;
      }
    }
    if (this.configControl) this.baseline.config = this.configControl.value;
    this.updateRelevance();
    this.updateConfigSummary();
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
      if (control) revealControl(control);
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
    this.showVerdicts(result.verdicts || []);
    this.showFormulas(result.formulas || []);
    this.showCharts(result.charts || []);
    this.showTables(result.tables || []);
    this.markStale(false);
    this.el.dataset.calcState = "live";
    this.showStatus();
    if (this.sensitivity.open) {
      // After the reader pauses: a sensitivity run holds the worker for a few milliseconds (hundreds for the
      // router's simulation), which a recompute asked for meanwhile would wait for.
      clearTimeout(this.sensitivity.timer);
      this.sensitivity.timer = setTimeout(() => this.requestSensitivity(), SENSITIVITY_PAUSE_MS);
    }
  }

  markStale(stale) {
    const nodes = [this.table, this.notes, this.verdicts, ...this.el.querySelectorAll(".calc-chart, .calc-table, .calc-formulas")];
    for (const node of nodes) node.classList.toggle("calc-stale", stale);
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

  showVerdicts(verdicts) {
    // "Does not fit" and the like, in words first (the colour only repeats them).
    this.verdicts.replaceChildren(
      ...verdicts.map((v) => {
        const p = document.createElement("p");
        p.className = `calc-verdict calc-verdict--${v.ok ? "ok" : "no"}`;
        const title = document.createElement("strong");
        title.className = "calc-verdict-title";
        title.textContent = v.title;
        const text = document.createElement("span");
        text.className = "calc-verdict-text";
        text.textContent = v.text;
        p.append(title, " ", text);
        return p;
      }),
    );
  }

  showFormulas(formulas) {
    // TeX from calculators.formulas (numbers and symbols only), drawn by KaTeX, which builds its own DOM.
    const box = this.el.querySelector(".calc-formulas");
    if (!box) return;
    box.hidden = !formulas.length;
    box.querySelector(".calc-formula-list").replaceChildren(
      ...formulas.map((f) => {
        const item = document.createElement("div");
        item.className = "calc-formula";
        item.dataset.formula = f.output;
        const label = document.createElement("p");
        label.className = "calc-formula-label";
        label.textContent = f.label;
        const tex = document.createElement("div");
        tex.className = "calc-tex";
        tex.dataset.tex = f.tex;
        item.append(label, tex);
        return item;
      }),
    );
    if (box.open) this.renderFormulas();
  }

  // KaTeX draws the formulas when their box is first opened (it has loaded by then; the page holds no TeX that
  // the page-wide auto-render could take for its own).
  renderFormulas() {
    for (const node of this.el.querySelectorAll(".calc-tex[data-tex]:not([data-rendered])")) {
      renderTeX(node, `\\begin{aligned}${node.dataset.tex}\\end{aligned}`);
      node.dataset.rendered = "";
    }
  }

  updateConfigSummary() {
    // The config field folds to one line saying whose config is loaded; "(edit)" opens it.
    if (!this.configDetails) return;
    const control = this.configDetails.querySelector("textarea");
    const text = control.value.trim();
    let label = "Import a config.json";
    if (text) {
      const preset = this.presetSelect && this.origin !== "config" ? this.presetSelect.querySelector(`option[value="${CSS.escape(this.origin)}"]`) : null;
      if (preset && control.value === this.baseline.config) label = `${preset.textContent} config loaded`;
      else label = `Your config loaded${configName(text)}`;
    }
    this.configDetails.querySelector(".calc-config-state").textContent = label;
    this.configDetails.querySelector(".calc-config-edit").hidden = !text;
  }

  // --- Reader tools

  onAction(button) {
    const action = button.dataset.calcAction;
    if (action === "reset") this.reset();
    else if (action === "link") this.copyLink();
    else if (action === "python" || action === "command") this.copyCode(action);
    else if (action === "csv" || action === "json") this.exportData(action);
    else if (action === "svg") this.exportChart(Number(button.dataset.chart));
    else if (action === "sensitivity") this.toggleSensitivity(button);
  }

  say(text) {
    this.toolStatus.textContent = text;
  }

  showSnippet(text) {
    this.snippet.hidden = false;
    this.snippet.querySelector("code").textContent = text;
  }

  reset() {
    this.applyState({ given: true, preset: null, config: null, fields: {} });
    this.writeURL();
    this.snippet.hidden = true;
    this.say("Back to the inputs this page started with.");
  }

  copyLink() {
    this.writeURL();
    const url = new URL(location.href);
    url.hash = this.el.id;
    this.showSnippet(url.href);
    copyText(url.href).then((ok) => this.say(ok ? "Link copied." : "Copy the link below."));
  }

  copyCode(kind) {
    this.say("Writing the code…");
    callTool(this.el, "reproduce", this.id, this.collect()).then((msg) => {
      const answer = msg.result;
      if (!answer || msg.error) {
        this.say(`Python is not available (${(msg.error && msg.error.message) || "no answer"}).`);
      } else if (answer.errors && answer.errors.length) {
        this.say("These inputs have errors: fix the marked field first.");
      } else {
        const text = kind === "python" ? answer.python : answer.command;
        this.showSnippet(text);
        copyText(text).then((ok) => this.say(ok ? `Copied: ${kind === "python" ? "Python" : "a command"} that gives these numbers.` : "Copy the text below."));
      }
    });
  }

  // The outputs and tables shown, from the page itself (the prerendered numbers until Python answers).
  exportRecord() {
    const outputs = {};
    for (const row of this.table.querySelectorAll("tr[data-output]")) {
      if (row.hidden) continue;
      const cell = row.querySelector(".calc-value");
      outputs[row.dataset.output] = {
        label: row.querySelector("th").textContent.trim(),
        value: cell.dataset.value === "" ? null : Number(cell.dataset.value),
        unit: cell.dataset.unit || "",
        text: cell.textContent.trim(),
      };
    }
    const tables = Array.from(this.el.querySelectorAll(".calc-table"), (table) => ({
      title: table.querySelector("caption").textContent,
      columns: Array.from(table.querySelectorAll("thead th"), (c) => c.textContent),
      rows: Array.from(table.querySelectorAll("tbody tr"), (r) => Array.from(r.children, (c) => c.textContent)),
    }));
    const inputs = this.values();
    const url = new URL(location.href);
    url.hash = this.el.id;
    return {
      calculator: this.id,
      widget: this.name,
      link: url.href,
      inputs,
      outputs,
      verdicts: Array.from(this.verdicts.querySelectorAll(".calc-verdict"), (v) => v.textContent.trim()),
      notes: Array.from(this.notes.querySelectorAll("li"), (li) => li.textContent),
      tables,
    };
  }

  exportData(kind) {
    this.writeURL();
    const record = this.exportRecord();
    if (kind === "json") {
      download(`${this.name}.json`, "application/json", JSON.stringify(record, null, 2) + "\n");
    } else {
      const rows = [["output", "label", "value", "unit", "text"]];
      for (const [name, o] of Object.entries(record.outputs)) rows.push([name, o.label, o.value === null ? "" : String(o.value), o.unit, o.text]);
      for (const table of record.tables) rows.push([], [table.title], table.columns, ...table.rows);
      download(`${this.name}.csv`, "text/csv", rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n");
    }
    this.say(`Downloaded ${this.name}.${kind}.`);
  }

  exportChart(index) {
    const figure = this.el.querySelector(`.calc-chart[data-chart="${index}"]`);
    const svg = figure && Array.from(figure.querySelectorAll("svg")).find((s) => getComputedStyle(s).display !== "none");
    if (!svg) return;
    download(`${this.name}-chart-${index + 1}.svg`, "image/svg+xml", standaloneSVG(svg));
    this.say(`Downloaded ${this.name}-chart-${index + 1}.svg.`);
  }

  toggleSensitivity(button, scroll = true) {
    const panel = this.el.querySelector(".calc-sensitivity");
    this.sensitivity.open = panel.hidden;
    panel.hidden = !this.sensitivity.open;
    button.setAttribute("aria-expanded", String(this.sensitivity.open));
    if (this.sensitivity.open) {
      this.requestSensitivity();
      if (scroll) panel.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  // What the reader opened (the config, formulas and advanced folds, "Which inputs matter?" and its choices).
  view() {
    return {
      open: Array.from(this.el.querySelectorAll("details"), (d) => d.open),
      sensitivity: this.sensitivity.open ? Array.from(this.el.querySelectorAll(".calc-sensitivity select"), (s) => s.value) : null,
    };
  }

  // The same page drawn again shows what was open, without scrolling to it.
  restoreView(view) {
    const details = this.el.querySelectorAll("details");
    if (details.length === view.open.length) details.forEach((d, i) => { d.open = view.open[i]; });
    const button = this.el.querySelector('[data-calc-action="sensitivity"]');
    const selects = this.el.querySelectorAll(".calc-sensitivity select");
    if (!view.sensitivity || !button || selects.length !== view.sensitivity.length) return;
    selects.forEach((select, i) => {
      if (Array.from(select.options).some((o) => o.value === view.sensitivity[i])) select.value = view.sensitivity[i];
    });
    this.toggleSensitivity(button, false);
  }

  // One sensitivity run at a time; an edit made meanwhile asks for one more when it ends.
  requestSensitivity() {
    if (!this.sensitivity.open) return;
    if (this.sensitivity.busy) {
      this.sensitivity.again = true;
      return;
    }
    const panel = this.el.querySelector(".calc-sensitivity");
    const range = panel.querySelector(".calc-sensitivity-range").value;
    const options = {
      output: panel.querySelector(".calc-sensitivity-output").value,
      ranges: range === "ranges",
      percent: range === "ranges" ? null : Number(range),
    };
    const status = panel.querySelector(".calc-sensitivity-status");
    status.textContent = engine.state === "ready" ? "Moving each input over its range…" : "Waiting for Python to load…";
    panel.dataset.calcPending = "true";
    this.sensitivity.busy = true;
    const started = performance.now();
    callTool(this.el, "sensitivity", this.id, this.sent || this.collect(), options).then((msg) => {
      this.sensitivity.busy = false;
      if (this.sensitivity.again) {
        this.sensitivity.again = false;
        this.requestSensitivity();
        return;
      }
      panel.dataset.calcPending = "false";
      this.showSensitivity(msg, performance.now() - started);
    });
  }

  showSensitivity(msg, ms) {
    const panel = this.el.querySelector(".calc-sensitivity");
    const status = panel.querySelector(".calc-sensitivity-status");
    const figure = panel.querySelector(".calc-sensitivity-chart");
    const wrap = panel.querySelector(".calc-sensitivity-table").closest(".calc-table-wrap");
    const answer = msg.result;
    if (!answer || msg.error) {
      status.textContent = `Unavailable: ${(msg.error && msg.error.message) || "no answer"}.`;
      return;
    }
    if (answer.errors.length) {
      status.textContent = answer.errors.map((e) => e.message).join(" ");
      panel.classList.add("calc-stale");
      return;
    }
    panel.classList.remove("calc-stale");
    status.textContent = `${answer.output.label}: ${answer.base.text} with your inputs; each bar moves one input over its range (${Math.round(ms)} ms).`;
    const drawings = answer.chart ? [answer.chart.svg, answer.chart.svg_narrow].map(parseSVG) : [];
    figure.hidden = !answer.chart || drawings.includes(null);
    if (!figure.hidden) figure.replaceChildren(...drawings);
    wrap.hidden = false;
    panel.querySelector(".calc-sensitivity-table tbody").replaceChildren(
      ...answer.bars.map((bar) => {
        const tr = document.createElement("tr");
        tr.dataset.field = bar.field;
        const cells = [bar.label, bar.low_input_text, bar.high_input_text, bar.low_text || "refused", bar.high_text || "refused", bar.source];
        cells.forEach((text, i) => {
          const td = document.createElement(i === 0 ? "th" : "td");
          if (i === 0) td.scope = "row";
          td.textContent = text;
          if (i > 0) td.dataset.value = String([null, bar.low_input, bar.high_input, bar.low, bar.high, ""][i] ?? "");
          tr.append(td);
        });
        return tr;
      }),
    );
    const notes = [...answer.notes, ...answer.bars.flatMap((b) => b.problems.map((p) => `${b.label}, ${p}`))];
    panel.querySelector(".calc-sensitivity-notes").replaceChildren(
      ...notes.map((note) => {
        const li = document.createElement("li");
        li.textContent = note;
        return li;
      }),
    );
  }

  // --- The URL: this widget's inputs that differ from where the page started

  urlState() {
    const state = { given: true, preset: null, config: null, fields: {} };
    if (this.origin === "config" && this.configControl) state.config = this.configControl.value;
    else if (this.origin !== this.initial.preset && this.origin !== "custom") state.preset = this.origin;
    for (const control of this.controls()) {
      if (control.name === "preset" || control === this.configControl) continue;
      if (control.value !== this.baseline[control.name]) state.fields[control.name] = control.value;
    }
    return state;
  }

  // At most one history update per URL_INTERVAL_MS (browsers refuse floods of them); the first of a burst at once,
  // so that the URL is current when the reader leaves the page.
  scheduleURL() {
    const wait = (this.urlWritten || 0) + URL_INTERVAL_MS - performance.now();
    if (wait <= 0) this.writeURL();
    else if (!this.urlTimer) this.urlTimer = setTimeout(() => this.writeURL(), wait);
  }

  writeURL() {
    clearTimeout(this.urlTimer);
    this.urlTimer = null;
    this.urlWritten = performance.now();
    if (!this.el.isConnected || location.pathname !== this.pathname) return;
    this.publishURL(this.urlState());
  }

  publishURL(state) {
    const token = ++this.urlToken;
    this.urlBehind = true;
    // Written at once, unless a pasted config must first be deflated (which takes a moment).
    if (state.config === null) this.commitURL(state, { text: null, note: "" });
    else {
      encodeConfig(state.config).then((config) => {
        if (token === this.urlToken && this.el.isConnected && location.pathname === this.pathname) this.commitURL(state, config);
      });
    }
  }

  // The inputs the URL does not hold yet (an edit's write waits, or a config is being deflated), taken from a
  // widget the page no longer shows; null if the URL is current.
  unwritten() {
    if (!(this.urlTimer || this.urlBehind) || location.pathname !== this.pathname) return null;
    clearTimeout(this.urlTimer);
    this.urlTimer = null;
    return this.urlState();
  }

  commitURL(state, config) {
    this.urlBehind = false;
    const params = new URLSearchParams(location.search);
    for (const key of Array.from(params.keys())) if (key.startsWith(`${this.name}.`)) params.delete(key);
    if (state.preset) params.set(`${this.name}.preset`, state.preset);
    if (config.text !== null) params.set(`${this.name}.config`, config.text);
    for (const [name, value] of Object.entries(state.fields)) params.set(`${this.name}.${name}`, value);
    const search = params.toString();
    const url = `${location.pathname}${search ? "?" + search : ""}${location.hash}`;
    // The entry is stamped as written here, so that popstate can tell it from one an anchor made (below).
    if (url !== `${location.pathname}${location.search}${location.hash}`) {
      history.replaceState({ ...(history.state || {}), calcURL: true }, "", url);
    }
    if (config.note) this.linkNote.textContent = config.note;
    if (config.note || !this.linkProblems) this.linkNote.hidden = !config.note;
  }

  // Put the widget back where the page started, then apply `state` (from a URL, or nothing for a reset).
  applyState(state) {
    const problems = [];
    for (const control of this.controls()) {
      if (control.name in this.initial.values) control.value = this.initial.values[control.name];
    }
    this.baseline = { ...this.initial.values };
    this.origin = this.initial.preset;
    this.source = { kind: this.initial.preset !== "custom" ? "preset" : "own", refill: false };
    this.pendingOverrides = null;
    let refill = false;
    if (state.preset && state.preset !== this.initial.preset) {
      const option = this.presetSelect && Array.from(this.presetSelect.options).find((o) => o.value === state.preset);
      if (option && state.preset !== "custom") {
        this.presetSelect.value = state.preset;
        this.setSource("preset", true);
        this.origin = state.preset;
        if (this.configControl) this.configControl.value = "";
        refill = true;
      } else {
        problems.push(`no preset “${clip(state.preset)}”`);
      }
    }
    if (state.config !== null && state.config !== undefined) {
      if (!this.configControl) problems.push("“config” is not an input of this calculator");
      else if (typeof state.config !== "string") problems.push(state.config.error);
      else {
        this.configControl.value = state.config;
        this.setSource("config", true);
        this.origin = "config";
        refill = true;
      }
    }
    const overrides = {};
    for (const [name, value] of Object.entries(state.fields || {})) {
      const control = name !== "preset" ? this.form.querySelector(`[name="${CSS.escape(name)}"]`) : null;
      if (!control || control.type === "file") problems.push(`“${clip(name)}” is not an input of this calculator`);
      else if (control.tagName === "SELECT" && !Array.from(control.options).some((o) => o.value === value)) {
        const choices = Array.from(control.options, (o) => o.textContent).join(", ");
        problems.push(`“${clip(value)}” is not a choice for ${control.labels[0] ? control.labels[0].textContent.trim() : name} (${choices})`);
      } else overrides[name] = value;
    }
    if (refill) this.pendingOverrides = overrides;
    else this.applyOverrides(overrides);
    this.linkProblems = problems.length > 0;
    this.linkNote.hidden = !problems.length;
    this.linkNote.textContent = problems.length ? `This link’s inputs were read with ${problems.length === 1 ? "one problem" : `${problems.length} problems`}: ${problems.join("; ")}; ignored.` : "";
    this.updateRelevance();
    this.updateConfigSummary();
    startEngine(this.el);
    this.request();
  }

  applyOverrides(overrides) {
    for (const [name, value] of Object.entries(overrides)) {
      const control = this.form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!control) continue;
      control.value = value;
      if (this.presetFields.has(name) && control !== this.configControl) this.setSource("own", false);
    }
    this.updateRelevance();
    this.updateConfigSummary();
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

// --- Helpers of the reader tools

// What a form control holds for a value (2.0 as "2", as the build writes it).
function pageText(value) {
  if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  return value === null || value === undefined ? "" : String(value);
}

function clip(text) {
  const s = String(text);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

// Open whatever folds a control away (a closed "More inputs" or config box), so its message is seen.
function revealControl(control) {
  for (let node = control.parentElement; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
  }
}

function configName(text) {
  try {
    const config = JSON.parse(text);
    const name = (Array.isArray(config.architectures) && config.architectures[0]) || config.model_type;
    return typeof name === "string" ? ` (${clip(name)})` : "";
  } catch (err) {
    return " (not valid JSON yet)";
  }
}

function renderTeX(node, tex) {
  if (window.katex && window.katex.render) {
    try {
      window.katex.render(tex, node, { displayMode: true, throwOnError: false });
      return;
    } catch (err) {
      // fall through to the text
    }
  }
  node.textContent = tex;
}

function parseSVG(text) {
  if (typeof text !== "string") return null;
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.localName !== "svg" || doc.getElementsByTagName("parsererror").length) return null;
  return document.importNode(svg, true);
}

// This widget's inputs in the URL: `name.field=value`, `name.preset=...`, `name.config=z.<deflated>`.
const MAX_PARAM_CHARS = 200000;
const URL_INTERVAL_MS = 200;
const SENSITIVITY_PAUSE_MS = 300;

// A link followed while a URL update waits: write it first, so that Back returns to these inputs.
document.addEventListener("click", (event) => {
  if (!event.target.closest || !event.target.closest("a[href]")) return;
  for (const widget of engine.widgets) if (widget.urlTimer) widget.writeURL();
}, true);

function readURLState(name) {
  const state = { given: false, preset: null, config: null, fields: {} };
  const prefix = `${name}.`;
  for (const [key, raw] of new URLSearchParams(location.search)) {
    if (!key.startsWith(prefix)) continue;
    state.given = true;
    const field = key.slice(prefix.length);
    const value = raw.slice(0, MAX_PARAM_CHARS);
    if (field === "preset") state.preset = value;
    else if (field === "config") state.config = value;
    else state.fields[field] = value;
  }
  return state;
}

async function decodeConfig(state) {
  if (typeof state.config !== "string" || !state.config.startsWith("z.")) return state;
  try {
    const b64 = state.config.slice(2).replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return { ...state, config: await new Response(stream).text() };
  } catch (err) {
    return { ...state, config: { error: "the config in the link could not be read" } };
  }
}

// A config for the URL: deflated and base64url-encoded when the browser can (a config.json of 2 kB becomes about
// 1 kB of URL), else as it is; a config too long for a link stays out of it, with a note.
async function encodeConfig(text) {
  if (text === null || text === undefined) return { text: null, note: "" };
  if (!text) return { text: "", note: "" };
  let out = text;
  if (typeof CompressionStream !== "undefined") {
    try {
      const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
      const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
      let binary = "";
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      out = "z." + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    } catch (err) {
      out = text;
    }
  }
  if (out.length > 16000) return { text: null, note: "The pasted config is too long for a link: the link carries the other inputs; paste the config again after opening it." };
  return { text: out, note: "" };
}

function csvCell(text) {
  const s = String(text ?? "");
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function download(filename, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function copyText(text) {
  if (!navigator.clipboard || !navigator.clipboard.writeText) return Promise.resolve(false);
  return navigator.clipboard.writeText(text).then(
    () => true,
    () => false,
  );
}

// A chart as a file of its own: the drawing shown, with the colours and type the page's stylesheet gives it
// written into each element, on the page's background.
const SVG_STYLE = ["fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-linejoin", "stroke-linecap", "opacity",
  "fill-opacity", "stroke-opacity", "font-family", "font-size", "font-weight", "font-style", "paint-order", "text-anchor",
  "dominant-baseline", "color"];

function standaloneSVG(svg) {
  const copy = svg.cloneNode(true);
  const originals = [svg, ...svg.querySelectorAll("*")];
  const copies = [copy, ...copy.querySelectorAll("*")];
  originals.forEach((node, i) => {
    const style = getComputedStyle(node);
    copies[i].setAttribute("style", SVG_STYLE.map((p) => `${p}:${style.getPropertyValue(p)}`).join(";"));
  });
  let node = svg, background = "rgba(0, 0, 0, 0)";
  while (node && ["rgba(0, 0, 0, 0)", "transparent"].includes(background)) {
    background = getComputedStyle(node).backgroundColor;
    node = node.parentElement;
  }
  const box = svg.viewBox.baseVal;
  const rect = document.createElementNS(svg.namespaceURI, "rect");
  for (const [k, v] of Object.entries({ x: box.x, y: box.y, width: box.width, height: box.height })) rect.setAttribute(k, v);
  rect.setAttribute("style", `fill:${background}`);
  copy.insertBefore(rect, copy.firstChild);
  copy.setAttribute("width", String(box.width));
  copy.setAttribute("height", String(box.height));
  return new XMLSerializer().serializeToString(copy);
}

// Back and forward within a page: the URL's inputs come back. (A change of page is Material's: the widgets of the
// new page mount and read the URL then.)
// An anchor or a script changing the hash also fires popstate, into a new entry that carries the URL as it was:
// if an edit's URL write is still waiting then, the form is newer than that URL, so the write goes out instead.
window.addEventListener("popstate", (event) => {
  const written = Boolean(event.state && event.state.calcURL);
  for (const widget of engine.widgets) {
    if (!widget.el.isConnected || location.pathname !== widget.pathname) continue;
    if (widget.urlTimer && !written) {
      widget.writeURL();
      continue;
    }
    const state = readURLState(widget.name);
    const current = widget.urlState();
    const same = JSON.stringify({ p: current.preset, f: current.fields }) === JSON.stringify({ p: state.preset, f: state.fields })
      && (state.config === null) === (current.config === null);
    if (!same) decodeConfig(state).then((s) => widget.applyState({ ...s, given: true }));
  }
});

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

// Whether the parser has reached the end of this element: something follows it in the document. This script can run
// while the page is still being parsed, and a widget further down may then exist with only part of its form and
// results; it is mounted later, once it is whole (at DOMContentLoaded at the latest).
function parsed(el) {
  if (document.readyState !== "loading") return true;
  for (let node = el; node; node = node.parentNode) if (node.nextSibling) return true;
  return false;
}

// Material draws a page again when the reader stays on it, too: the first time an anchor is followed after the page
// was loaded, it fetches the same page and swaps it in. The new widgets read their inputs from the URL; an edit whose
// write was still waiting then would be lost, so the old widget hands it over, with what the reader had opened.
function mountAll() {
  const carried = new Map();
  const views = new Map();
  for (const w of Array.from(engine.widgets)) {
    if (w.el.isConnected) continue;
    if (w.pathname === location.pathname) views.set(w.name, w.view());
    const state = w.unwritten();
    if (state) carried.set(w.name, state);
    w.forget(); // its queued edits are dropped
    engine.widgets.delete(w);
  }
  const elements = Array.from(document.querySelectorAll(".calc[data-calc]"));
  for (const el of elements) {
    if (mounted.has(el) || !parsed(el)) continue;
    const name = widgetName(el);
    const widget = new Widget(el, carried.get(name) || null);
    if (views.has(name)) widget.restoreView(views.get(name));
    carried.delete(name);
    views.delete(name);
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

// This script runs as soon as it arrives, perhaps before the rest of the page is parsed: mount the widgets that are
// whole now, the rest at DOMContentLoaded, and every page after an instant navigation on Material's document$
// (defined by the theme's script at the end of the page, so subscribed to once the page is parsed if it is not
// there yet).
mountAll();
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mountAll(), { once: true });
function followPages() {
  if (!window.document$ || !window.document$.subscribe) return false;
  window.document$.subscribe(() => mountAll());
  return true;
}
if (!followPages()) document.addEventListener("DOMContentLoaded", followPages, { once: true });
