"""Layer 4: on a fresh load of every page with widgets, edit every visible field of every widget once (as a reader
would, by typing or choosing) and check each answer: computed, equal to CPython's for the same form, and never an
internal error or a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calculators import data, get_calculator, run
from calculators.schema import ChoiceField, NumberField, TextField
from roundtrip import other_values, page_text
from test_browser import LOAD_TIMEOUT_MS, base_url, browser, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def widget_pages(site: Path) -> list[str]:
    """Site paths ("explainers/moe/") of the built pages that hold a widget."""
    pages = []
    for html in sorted(site.rglob("index.html")):
        if 'class="calc" id="' in html.read_text():
            rel = html.parent.relative_to(site).as_posix()
            pages.append("" if rel == "." else rel + "/")
    return pages


def form_inputs(page, widget: str) -> dict[str, str]:
    """The inputs the widget sends for its form as it stands (the preset unless "custom")."""
    values = page.eval_on_selector_all(
        f"#{widget} .calc-form [name]", "els => els.map(e => [e.name, e.value])")
    inputs = dict(values)
    if inputs.get("preset") == "custom":
        inputs.pop("preset")
    return inputs


def new_value(calc_id: str, name: str, inputs: dict[str, str]) -> str | None:
    """A different value for field `name` that CPython computes with the rest of the form (else any other)."""
    calc = get_calculator(calc_id)
    f = calc.field(name)
    current = inputs.get(name, "")
    if name == "preset":
        candidates = [p for p in calc.presets() if p != current]
    elif isinstance(f, ChoiceField):
        candidates = [v for v, _ in f.choices if v != current]
    elif isinstance(f, NumberField):
        value, message = f.read(current)
        candidates = [page_text(v) for v in other_values(f, value if message is None else f.default)]
    elif isinstance(f, TextField) and name == "config":
        candidates = [json.dumps(m.config, indent=2) for m in data.models().values()
                      if json.dumps(m.config, indent=2) != current][:3]
    elif isinstance(f, TextField):
        candidates = [text for text in (f.default, "1, 0, 0, 1, 1") if text != current]
    else:
        return None
    for candidate in candidates:
        if not run(calc_id, {**inputs, name: candidate})["errors"]:
            return candidate
    return candidates[0] if candidates else None


def test_every_field_of_every_widget_once(page, built_site: Path) -> None:
    pages = widget_pages(built_site)
    assert len(pages) >= 4, pages
    edits = 0
    for path in pages:
        page.goto(page.base + path)
        widgets = page.eval_on_selector_all(".calc[data-calc]", "els => els.map(e => [e.id, e.dataset.calc])")
        page.eval_on_selector(".calc[data-calc]", "e => e.scrollIntoView()")  # Python starts near a widget
        page.wait_for_function("() => [...document.querySelectorAll('.calc[data-calc]')]"
                               ".every(e => e.dataset.calcEngine === 'ready')", timeout=LOAD_TIMEOUT_MS)
        for widget, calc_id in widgets:
            names = page.eval_on_selector_all(f"#{widget} .calc-form [name]", "els => els.map(e => e.name)")
            for name in names:
                control = f"#{widget} .calc-form [name='{name}']"
                if not page.is_visible(control):
                    continue  # hidden: it does not matter for the chosen options
                value = new_value(calc_id, name, form_inputs(page, widget))
                if value is None:
                    continue
                tag = page.eval_on_selector(control, "e => e.tagName")
                if tag == "SELECT":
                    page.select_option(control, value)
                else:
                    page.fill(control, value)
                page.wait_for_function("sel => document.querySelector(sel).dataset.calcPending === 'false'",
                                       arg=f"#{widget}", timeout=30_000)
                edits += 1
                where = f"{path} {calc_id}: {name} = {value[:40]!r}"
                state = page.get_attribute(f"#{widget}", "data-calc-state")
                text = page.text_content(f"#{widget}")
                assert state != "failed", f"{where}: {page.text_content(f'#{widget} .calc-error--form')}"
                assert "Traceback" not in text, where
                expected = run(calc_id, form_inputs(page, widget))
                if expected["errors"]:
                    assert state == "error", where
                    continue
                shown_errors = page.eval_on_selector_all(f"#{widget} .calc-error:not([hidden])",
                                                         "els => els.map(e => e.textContent)")
                assert state == "live", f"{where}: the page shows {shown_errors}"
                for out_name, out in expected["outputs"].items():
                    if out["value"] is None:
                        continue
                    shown = page.text_content(f"#{widget} tr[data-output='{out_name}'] .calc-value").strip()
                    assert shown == out["text"], f"{where}: {out_name} shows {shown!r}, CPython {out['text']!r}"
    assert edits >= 100, edits
    assert not page.problems, page.problems  # type: ignore[attr-defined]
    # Every edit ran on the site's compiled standard library: Pyodide's full one was never needed.
    assert not [url for url in page.requests if url.endswith("/python_stdlib.zip")]  # type: ignore[attr-defined]


def tampered_package(package: Path, tmp: Path, module: str) -> bytes:
    """The site's package zip with one catalog module's compute replaced by one that raises, as a bug in it would:
    its source, with the bug, beside its bytecode (Python prefers a module's source to a .pyc beside it)."""
    import zipfile

    source = (Path(__file__).resolve().parents[1] / "calculators" / "catalog" / f"{module}.py").read_bytes()
    source += (b"\n\ndef _broken(values):\n    return 1 / 0\n\n\n"
               b"import dataclasses\nCALCULATOR = dataclasses.replace(CALCULATOR, compute=_broken)\n")
    out = tmp / package.name
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr(f"calculators/catalog/{module}.py", source)
    return out.read_bytes()


def test_an_internal_error_is_named_plainly_without_a_traceback(page, built_site: Path, tmp_path: Path) -> None:
    """A bug gets a short message naming the error; no traceback; the last good results stay; the status does not
    ask to fix a field; the page's other widgets keep working."""
    package = next((built_site / "assets" / "py").glob("calculators-*.zip"))
    body = tampered_package(package, tmp_path, "model_params")
    page.route("**/assets/py/calculators-*.zip", lambda route: route.fulfill(body=body, content_type="application/zip"))
    page.goto(page.base + "explainers/moe/#calc-model-params")
    widgets = page.eval_on_selector_all(".calc[data-calc]", "els => els.map(e => [e.id, e.dataset.calc])")
    broken = next(w for w, c in widgets if c == "model-params")
    other, other_id = next((w, c) for w, c in widgets if c == "moe-design")
    page.wait_for_selector(f'#{broken}[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)
    before = page.text_content(f"#{broken} .calc-outputs")
    page.select_option(f"#{broken} [name='preset']", "llama-3.1-8b")
    page.wait_for_function("sel => document.querySelector(sel).dataset.calcPending === 'false'", arg=f"#{broken}")
    assert page.get_attribute(f"#{broken}", "data-calc-state") == "failed"
    message = page.text_content(f"#{broken} .calc-error--form")
    assert message == ("This calculator hit an internal error (ZeroDivisionError); the numbers shown are the last "
                       "good ones.")
    assert page.text_content(f"#{broken} .calc-status-text").startswith("Internal error")
    assert "Traceback" not in page.text_content(f"#{broken}")
    assert page.text_content(f"#{broken} .calc-outputs") == before  # the last good results stay (marked stale)
    assert "calc-stale" in page.get_attribute(f"#{broken} .calc-outputs", "class")
    # Another widget on the page still computes.
    name = next(f.name for f in get_calculator(other_id).fields if isinstance(f, NumberField))
    inputs = form_inputs(page, other)
    value = new_value(other_id, name, inputs)
    page.fill(f"#{other} [name='{name}']", value)
    page.wait_for_function("sel => document.querySelector(sel).dataset.calcPending === 'false'", arg=f"#{other}")
    assert page.get_attribute(f"#{other}", "data-calc-state") == "live"
