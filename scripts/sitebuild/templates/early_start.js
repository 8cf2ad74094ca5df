// Inlined by the build right after a page's first widget (scripts/sitebuild/hooks.py), so that it runs while the
// page is still being parsed: widgets.js, a module, runs only once the theme's and KaTeX's scripts have run, a few
// tenths of a second later. When widgets.js's start-up policy (see its header) already says "start" (no data
// saver, and the page opened at a widget or the first widget is within two screen heights of the viewport), this
// starts the worker now and leaves it, with the messages it sends meanwhile, in window.calcEarlyStart for
// widgets.js to adopt.
(function (el, worker, ids) {
  try {
    if (!el || window.calcEarlyStart || window.calcEngineStarted) return; // (again after an instant navigation)
    if (navigator.connection && navigator.connection.saveData) return;
    var id = location.hash.length > 1 ? decodeURIComponent(location.hash.slice(1)) : "";
    var target = id && document.getElementById(id);
    var box = el.getBoundingClientRect();
    var near = box.top < 3 * innerHeight && box.bottom > -2 * innerHeight;
    if (!near && !(target && target.closest(".calc[data-calc]"))) return;
    var runtime = JSON.parse(el.dataset.calcRuntime);
    ["pyodide", "stdlib", "stdlibFull", "package"].forEach(function (key) {
      runtime[key] = new URL(runtime[key], document.baseURI).href;
    });
    var early = { worker: new Worker(worker, { type: "module" }), runtime: runtime, messages: [] };
    early.worker.onmessage = function (event) { early.messages.push(event); };
    early.worker.onerror = function (event) { early.messages.push({ type: "workererror", message: event.message }); };
    early.worker.postMessage({ type: "init", runtime: runtime, ids: ids });
    window.calcEarlyStart = early;
  } catch (err) {
    // widgets.js starts Python as usual
  }
})(document.currentScript.previousElementSibling, WORKER_URL, CALCULATOR_IDS);
