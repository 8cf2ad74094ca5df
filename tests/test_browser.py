"""Layer 4: Debian's Chromium, driven by Playwright, uses the built site as a reader would.

Every test records console errors, uncaught page errors and requests; each must end with none of the first two
and no request outside the local origin.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from calculators import run

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGE = "explainers/mla-kv-cache/"
W = "#calc-kv-cache"
LIVE = f'{W}[data-calc-engine="ready"]'
LOAD_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def base_url(built_site: Path, site_port: int, site_url: str):
    from static_server import serve

    with serve(built_site, port=site_port) as url:
        assert url == site_url
        yield url


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Chromium is missing: ./scripts/test installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def watched_page(browser, base_url: str):
    """A page in a new context that records its requests, console errors and page errors; on leaving, asserts there
    was no error and no request outside `base_url`. `page.base` is the site's address."""
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    offsite: list[str] = []
    page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    # with the script's stack, so that an intermittent error says where it came from
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}\n{(e.stack or '')[:1500]}"))
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    context.on("request", lambda r: offsite.append(r.url) if not r.url.startswith((base_url, "data:", "blob:")) else None)
    page.base = base_url  # type: ignore[attr-defined]
    page.requests = requests  # type: ignore[attr-defined]
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    context.close()
    assert not offsite, f"requests outside {base_url}: {offsite}"
    assert not problems, problems


@pytest.fixture
def page(browser, base_url):
    yield from watched_page(browser, base_url)


def open_live(page, path: str = PAGE):
    page.goto(page.base + path + W)  # opened at the widget, the page starts Python at once (see widgets.js)
    page.wait_for_selector(LIVE, timeout=LOAD_TIMEOUT_MS)


def output(page, name: str) -> str:
    return page.text_content(f'{W} tr[data-output="{name}"] .calc-value').strip()


def field(name: str) -> str:
    return f"{W}-{name}"


def wait_output(page, name: str, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.textContent.trim() === text",
        arg=[f'{W} tr[data-output="{name}"] .calc-value', text],
        timeout=10_000,
    )


def cpython(inputs: dict, name: str) -> str:
    result = run("kv-cache", inputs)
    assert result["errors"] == []
    return result["outputs"][name]["text"]


WIDGET_INPUTS = {"preset": "deepseek-v3", "bits_per_element": 16, "context_length": 131072,
                 "accelerator": "h800", "accelerator_count": 16}


def test_prerendered_numbers_then_live_recompute(page) -> None:
    page.goto(page.base + PAGE + W)
    assert output(page, "bytes_per_sequence") == cpython(WIDGET_INPUTS, "bytes_per_sequence")
    page.wait_for_selector(LIVE, timeout=LOAD_TIMEOUT_MS)
    assert "Live" in page.text_content(f"{W} .calc-status-text")
    page.fill(field("context_length"), "65536")
    wait_output(page, "bytes_per_sequence", cpython({**WIDGET_INPUTS, "context_length": 65536}, "bytes_per_sequence"))
    chart = run("kv-cache", {**WIDGET_INPUTS, "context_length": 65536})["charts"][0]["svg"]
    points = page.get_attribute(f"{W} .calc-chart polyline", "points")
    assert f'points="{points}"' in chart  # the live chart is the one CPython draws
    assert "T = 65,536" in page.text_content(f"{W} .calc-chart")
    page.fill(field("batch_size"), "8")
    expected = cpython({**WIDGET_INPUTS, "context_length": 65536, "batch_size": 8}, "cache_bytes")
    wait_output(page, "cache_bytes", expected)
    page.select_option(field("attention"), "mha")
    expected = cpython({**WIDGET_INPUTS, "context_length": 65536, "batch_size": 8, "attention": "mha"}, "bytes_per_token")
    wait_output(page, "bytes_per_token", expected)
    assert page.is_hidden(f'{W} [data-field="kv_lora_rank"]')  # irrelevant to MHA


def test_preset_fills_model_fields(page) -> None:
    open_live(page)
    page.select_option(f"{W}-preset", "llama-3.1-405b")
    inputs = {**WIDGET_INPUTS, "preset": "llama-3.1-405b"}
    wait_output(page, "bytes_per_token", cpython(inputs, "bytes_per_token"))
    assert page.input_value(field("layers")) == "126"
    assert page.input_value(field("kv_heads")) == "8"
    assert page.input_value(field("attention")) == "gqa"
    assert page.is_visible(f'{W} [data-field="kv_heads"]')
    page.fill(field("layers"), "100")  # editing a model field makes the preset custom
    assert page.input_value(f"{W}-preset") == "custom"
    wait_output(page, "bytes_per_token", cpython({**inputs, "layers": 100}, "bytes_per_token"))


BAD_INPUTS = [
    ("context_length", "", "Enter a number."),
    ("context_length", "abc", "“abc” is not a number."),
    ("layers", "-4", "Must be at least 1."),
    ("batch_size", "0", "Must be at least 1."),
    ("bits_per_element", "0", "Must be greater than 0."),
    ("bits_per_element", "NaN", "Enter a finite number."),
    ("context_length", "Infinity", "Enter a finite number."),
    ("context_length", "1e30", "Must be at most 1,000,000,000."),
    ("layers", "<img src=x onerror=alert(1)>", "“<img src=x onerror=alert(1)>” is not a number."),
]


def test_bad_input_gets_a_message_and_keeps_the_last_good_results(page) -> None:
    open_live(page)
    good = output(page, "bytes_per_sequence")
    for name, value, message in BAD_INPUTS:
        page.fill(field(name), value)
        error = f"{field(name)}-error"
        page.wait_for_function("([sel, m]) => document.querySelector(sel)?.textContent === m",
                               arg=[error, message], timeout=10_000)
        assert page.get_attribute(field(name), "aria-invalid") == "true"
        assert "calc-stale" in page.get_attribute(f"{W} .calc-outputs", "class")
        assert output(page, "bytes_per_sequence") == good  # last good numbers stay
        assert page.locator(f"{W} img").count() == 0  # user text never becomes HTML
        page.fill(field(name), str(run("kv-cache", WIDGET_INPUTS)["inputs"][name]))
        page.wait_for_selector(f"{error}[hidden]", state="attached", timeout=10_000)
    assert "calc-stale" not in page.get_attribute(f"{W} .calc-outputs", "class")


def test_kv_heads_must_divide_heads(page) -> None:
    open_live(page)
    page.select_option(field("attention"), "gqa")
    page.fill(field("heads"), "64")
    page.fill(field("kv_heads"), "7")
    page.wait_for_function("(sel) => document.querySelector(sel)?.textContent.includes('divide')",
                           arg=f"{field('kv_heads')}-error", timeout=10_000)
    page.fill(field("kv_heads"), "8")
    expected = cpython({**WIDGET_INPUTS, "attention": "gqa", "heads": 64, "kv_heads": 8}, "bytes_per_token")
    wait_output(page, "bytes_per_token", expected)


def test_edit_before_python_is_ready_is_computed_when_it_is(page) -> None:
    page.route("**/pyodide.asm.wasm", lambda route: (page.wait_for_timeout(1500), route.continue_()))
    page.goto(page.base + PAGE)
    page.fill(field("context_length"), "1000")
    assert page.get_attribute(W, "data-calc-engine") in ("idle", "loading")
    page.wait_for_selector(LIVE, timeout=LOAD_TIMEOUT_MS)
    wait_output(page, "bytes_per_sequence", cpython({**WIDGET_INPUTS, "context_length": 1000}, "bytes_per_sequence"))


def test_instant_navigation_keeps_widgets_working(page) -> None:
    open_live(page)
    page.evaluate("window.__sameDocument = true")
    page.click("nav.md-nav--primary a[href$='notation/']")
    page.wait_for_url("**/notation/")
    page.click("nav.md-nav--primary a[href$='explainers/mla-kv-cache/']")
    page.wait_for_url(f"**/{PAGE}")
    assert page.evaluate("window.__sameDocument === true"), "navigation reloaded the page: not instant"
    page.wait_for_selector(LIVE, timeout=LOAD_TIMEOUT_MS)
    page.fill(field("context_length"), "2048")
    wait_output(page, "bytes_per_sequence", cpython({**WIDGET_INPUTS, "context_length": 2048}, "bytes_per_sequence"))
    assert page.locator(".katex").count() > 10  # formulas rendered again after the page change
    page.go_back()
    page.wait_for_url("**/notation/")
    page.go_forward()
    page.wait_for_url(re.compile(rf".*/{PAGE}\?kv-cache\.context_length=2048$"))  # the edit is in the URL
    page.wait_for_selector(LIVE, timeout=LOAD_TIMEOUT_MS)
    assert page.input_value(field("context_length")) == "2048"  # and back in the form
    page.fill(field("context_length"), "4096")
    wait_output(page, "bytes_per_sequence", cpython({**WIDGET_INPUTS, "context_length": 4096}, "bytes_per_sequence"))


def test_without_pyodide_the_prerendered_numbers_stay_with_a_notice(page) -> None:
    page.route("**/pyodide.mjs", lambda route: route.fulfill(status=404, body="missing"))
    page.goto(page.base + PAGE + W)
    page.wait_for_selector(f'{W}[data-calc-engine="failed"]', timeout=LOAD_TIMEOUT_MS)
    assert "Live recomputation is unavailable" in page.text_content(f"{W} .calc-status-text")
    assert output(page, "bytes_per_sequence") == cpython(WIDGET_INPUTS, "bytes_per_sequence")
    page.problems.clear()  # the 404 we caused is logged by the browser as a console error


def python_requests(page) -> list[str]:
    """Every request for Pyodide or our compiled package this page has made so far (see the `page` fixture)."""
    return [url for url in page.requests if "/assets/vendor/pyodide-" in url or "/assets/py/" in url]


def test_python_starts_only_near_a_widget_or_at_an_interaction(page) -> None:
    """The start-up policy (widgets.js's header): a page without widgets never loads Python; on a page with one,
    a reader who stays at the top downloads nothing; scrolling near the widget starts Python."""
    page.goto(page.base)
    page.wait_for_timeout(1500)
    assert python_requests(page) == [] and page.locator("script[src*='widgets.js']").count() == 0
    page.goto(page.base + PAGE)  # the widget is several screens down
    page.wait_for_timeout(2000)
    assert page.get_attribute(W, "data-calc-engine") == "idle"
    assert python_requests(page) == []
    page.eval_on_selector(W, "e => e.scrollIntoView()")
    page.wait_for_selector(LIVE, timeout=LOAD_TIMEOUT_MS)
    # The compiled standard library had every module needed: Pyodide's full one was never fetched.
    page.fill(field("context_length"), "12345")
    wait_output(page, "bytes_per_sequence", cpython({**WIDGET_INPUTS, "context_length": 12345}, "bytes_per_sequence"))
    assert not [url for url in python_requests(page) if url.endswith("/python_stdlib.zip")]
    assert not [url for url in page.requests if url.endswith("pyodide-lock.json")]


def test_with_data_saver_python_waits_for_an_interaction(page) -> None:
    page.add_init_script("Object.defineProperty(navigator, 'connection', {value: {saveData: true}})")
    page.goto(page.base + PAGE + W)
    page.wait_for_timeout(2000)
    assert page.get_attribute(W, "data-calc-engine") == "idle" and python_requests(page) == []
    page.fill(field("context_length"), "4000")
    page.wait_for_selector(LIVE, timeout=LOAD_TIMEOUT_MS)
    wait_output(page, "bytes_per_sequence", cpython({**WIDGET_INPUTS, "context_length": 4000}, "bytes_per_sequence"))


def test_a_slow_download_is_not_a_time_out_and_shows_progress(page) -> None:
    """The start-up time limit counts from the moment every file has arrived: a download slower than the limit
    (here 10 s against a limit of 6 s) still ends live, and the status shows the download moving."""
    page.add_init_script("globalThis.calcStartTimeoutMs = 6000")
    page.route("**/pyodide.asm.wasm", lambda route: (page.wait_for_timeout(10_000), route.continue_()))
    statuses: list[str] = []
    page.expose_function("noteStatus", lambda text: statuses.append(text))
    page.add_init_script("""new MutationObserver(() => {
      const s = document.querySelector('#calc-kv-cache .calc-status-text');
      if (s && s.textContent !== window.__lastStatus) { window.__lastStatus = s.textContent; noteStatus(s.textContent); }
    }).observe(document, { subtree: true, childList: true, characterData: true });""")
    page.goto(page.base + PAGE + W)
    page.wait_for_selector(LIVE, timeout=LOAD_TIMEOUT_MS)
    loading = [s for s in statuses if s.startswith("Python loading: ") and " of " in s]
    assert len(set(loading)) >= 2, statuses  # the MB count moves
    assert "Python loading: starting the interpreter" in statuses, statuses


def test_after_a_failure_the_next_edit_tries_again(page) -> None:
    """A failed start is not final: the prerendered numbers stay, and editing a field starts a new worker."""
    failing = {"on": True}
    page.route("**/pyodide.asm.mjs",
               lambda route: route.fulfill(status=503, body="busy") if failing["on"] else route.continue_())
    page.goto(page.base + PAGE + W)
    page.wait_for_selector(f'{W}[data-calc-engine="failed"]', timeout=LOAD_TIMEOUT_MS)
    assert "edit a field to try again" in page.text_content(f"{W} .calc-status-text")
    failing["on"] = False
    page.fill(field("context_length"), "3000")
    page.wait_for_selector(LIVE, timeout=LOAD_TIMEOUT_MS)
    wait_output(page, "bytes_per_sequence", cpython({**WIDGET_INPUTS, "context_length": 3000}, "bytes_per_sequence"))
    page.problems.clear()  # the 503 we caused is logged by the browser as a console error


def test_light_and_dark_palettes(page) -> None:
    page.goto(page.base)
    scheme = page.get_attribute("body", "data-md-color-scheme")
    page.click("label.md-header__button[for^='__palette']:visible")
    assert page.get_attribute("body", "data-md-color-scheme") != scheme


MOE_PAGE = "explainers/moe/"
M = "#calc-model-params"  # model-params: preset, config.json, table, chart
R = "#calc-moe-router"  # moe-router


def open_moe(page, widget: str) -> None:
    page.goto(page.base + MOE_PAGE + widget)
    page.wait_for_selector(f'{widget}[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)


def widget_output(page, widget: str, name: str) -> str:
    return page.text_content(f'{widget} tr[data-output="{name}"] .calc-value').strip()


def wait_widget_output(page, widget: str, name: str, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.textContent.trim() === text",
        arg=[f'{widget} tr[data-output="{name}"] .calc-value', text], timeout=10_000)


def test_paste_a_config_get_the_numbers_and_the_table(page) -> None:
    import json

    from calculators import data

    open_moe(page, M)
    mixtral = json.dumps(data.models()["mixtral-8x7b"].config)
    summary = f"{M} .calc-config > summary"
    assert page.text_content(summary).strip() == "DeepSeek-V3 config loaded (edit)"  # not a textarea of JSON
    assert page.is_hidden(f"{M}-config")
    page.click(summary)  # "(edit)" opens it
    page.fill(f"{M}-config", mixtral)
    expected = run("model-params", {"config": mixtral})
    wait_widget_output(page, M, "total_params", expected["outputs"]["total_params"]["text"])
    assert widget_output(page, M, "active_params") == expected["outputs"]["active_params"]["text"]
    assert page.input_value(f"{M}-preset") == "custom"
    assert page.text_content(f"{M} .calc-config-state") == "Your config loaded (MixtralForCausalLM)"
    rows = page.locator(f"{M} .calc-table tbody tr")
    assert rows.count() == len(expected["tables"][0]["rows"])
    assert [c.strip() for c in rows.nth(0).locator("th, td").all_text_contents()] == expected["tables"][0]["rows"][0]
    assert page.locator(f"{M} .calc-chart svg rect").count() > 0
    # garbage: one message at the field, the last good numbers stay, marked stale
    page.fill(f"{M}-config", '{"hidden_size": 4096, "oops": <img src=x onerror=alert(1)>}')
    page.wait_for_function("(sel) => document.querySelector(sel)?.textContent.startsWith('This is not valid JSON')",
                           arg=f"{M}-config-error", timeout=10_000)
    assert widget_output(page, M, "total_params") == expected["outputs"]["total_params"]["text"]
    assert "calc-stale" in page.get_attribute(f"{M} .calc-outputs", "class")
    assert "calc-stale" in page.get_attribute(f"{M} .calc-table", "class")
    assert page.locator(f"{M} img").count() == 0
    page.fill(f"{M}-config", '{"hidden_size": 4096}')
    page.wait_for_function("(sel) => document.querySelector(sel)?.textContent.includes('lacks num_hidden_layers')",
                           arg=f"{M}-config-error", timeout=10_000)
    # a preset brings its config back
    page.select_option(f"{M}-preset", "deepseek-v3")
    wait_widget_output(page, M, "total_params", run("model-params", {"preset": "deepseek-v3"})["outputs"]["total_params"]["text"])
    assert json.loads(page.input_value(f"{M}-config")) == data.models()["deepseek-v3"].config


def test_choose_a_config_file(page, tmp_path) -> None:
    import json

    from calculators import data

    open_moe(page, M)
    config = tmp_path / "config.json"
    config.write_text(json.dumps(data.models()["llama-3.1-70b"].config, indent=2))
    page.set_input_files(f"{M} input.calc-file", str(config))
    wait_widget_output(page, M, "total_params", run("model-params", {"preset": "llama-3.1-70b"})["outputs"]["total_params"]["text"])
    huge = tmp_path / "huge.json"
    huge.write_text(" " * 1_000_000)
    page.set_input_files(f"{M} input.calc-file", str(huge))
    page.wait_for_function("(sel) => document.querySelector(sel)?.textContent.includes('a config.json is a few kB')",
                           arg=f"{M}-config-error", timeout=10_000)


def test_kv_cache_widget_imports_a_config_and_a_preset_replaces_it(page) -> None:
    import json

    from calculators import data

    open_live(page)
    llama = json.dumps(data.models()["llama-3.1-8b"].config)
    assert page.text_content(f"{W} .calc-config-state") == "Import a config.json"
    page.click(f"{W} .calc-config > summary")
    page.fill(field("config"), llama)
    expected = run("kv-cache", {**WIDGET_INPUTS, "preset": None, "config": llama})
    wait_output(page, "bytes_per_token", expected["outputs"]["bytes_per_token"]["text"])
    assert page.input_value(field("attention")) == "gqa" and page.input_value(field("layers")) == "32"
    assert page.input_value(field("preset")) == "custom"
    page.select_option(field("preset"), "deepseek-v3")
    wait_output(page, "bytes_per_token", cpython(WIDGET_INPUTS, "bytes_per_token"))
    assert page.input_value(field("config")) == ""


def test_router_widget_recomputes_and_bounds_work(page) -> None:
    open_moe(page, R)
    assert page.is_hidden(f"{R}-seed")  # a less-used input, folded under "More inputs"
    page.click(f"{R} .calc-advanced > summary")
    page.fill(f"{R}-seed", "11")
    expected = run("moe-router", {"seed": 11})["outputs"]
    wait_widget_output(page, R, "imbalance_after", expected["imbalance_after"]["text"])
    page.fill(f"{R}-balancing_steps", "1000")
    page.fill(f"{R}-tokens", "4096")
    page.wait_for_function("(sel) => document.querySelector(sel)?.textContent.includes('responsive')",
                           arg=f"{R}-balancing_steps-error", timeout=10_000)


COST_PAGE = "explainers/cost/"
H = "#calc-headline-costs"   # headline-costs
T = "#calc-training-cost"   # training-cost
B = "#calc-run-bill"   # run-bill (DeepSeek-V3)


def open_cost(page, widget: str) -> None:
    page.goto(page.base + COST_PAGE + widget)
    page.wait_for_selector(f'{widget}[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)


def test_cost_widgets_recompute_prices_and_bills(page) -> None:
    open_cost(page, H)
    page.fill(f"{H}-usd_per_gpu_hour", "3.5")
    expected = run("headline-costs", {"usd_per_gpu_hour": 3.5})
    wait_widget_output(page, H, "llama_usd", expected["outputs"]["llama_usd"]["text"])
    assert page.text_content(f"{H} .calc-table").count("$3.5") >= 1
    # the V3 bill widget switches to the R1 preset and shows the $294K bill, stage by stage
    page.wait_for_selector(f'{B}[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)
    page.select_option(f"{B}-preset", "deepseek-r1")
    r1 = run("run-bill", {"preset": "deepseek-r1"})
    wait_widget_output(page, B, "total_usd", r1["outputs"]["total_usd"]["text"])
    cells = page.eval_on_selector_all(f"{B} .calc-table tr", "rows => rows.map(r => [...r.children].map(c => c.textContent))")
    assert cells == [r1["tables"][0]["columns"], *r1["tables"][0]["rows"]]


def test_cost_widget_refuses_bad_inputs_and_keeps_the_last_good_results(page) -> None:
    open_cost(page, T)
    good = widget_output(page, T, "gpu_hours")
    for name, bad, says in (("gpus", "0", "at least 1"), ("mfu", "1.5", "at most 1"),
                            ("usd_per_gpu_hour", "-2", "at least 0"), ("tokens_trillion", "1e999", "at most")):
        page.fill(f"{T}-{name}", bad)
        page.wait_for_function("([sel, says]) => document.querySelector(sel)?.textContent.includes(says)",
                               arg=[f"{T}-{name}-error", says], timeout=10_000)
        assert widget_output(page, T, "gpu_hours") == good
        assert "calc-stale" in page.get_attribute(f"{T} .calc-outputs", "class")
        page.fill(f"{T}-{name}", str(run("training-cost", {"preset": "deepseek-v3"})["inputs"][name]))
        page.wait_for_function("(sel) => !document.querySelector(sel)?.textContent", arg=f"{T}-{name}-error",
                               timeout=10_000)
    # the other widgets on the page still work
    page.fill(f"{H}-usd_per_gpu_hour", "1")
    wait_widget_output(page, H, "v3_usd", run("headline-costs", {"usd_per_gpu_hour": 1})["outputs"]["v3_usd"]["text"])


GRPO_PAGE = "explainers/grpo/"
G = "#calc-grpo-advantages"  # grpo-advantages: the rewards list
P = "#calc-ppo-vs-grpo"  # ppo-vs-grpo
RB = "#calc-rl-run-bill"  # rl-run-bill


GRPO_BAD = [
    ("1, 0, <img src=x onerror=alert(1)>", "Reward 3, “<img”, is not a number."),
    ("", "Enter at least two rewards, separated by commas, spaces or semicolons."),
    ("1", "A group needs at least two answers: enter two or more rewards."),
    ("1, NaN", "Reward 2, “NaN”, is not a finite number."),
    ("1, 1e30", "Reward 2, “1e30”, is out of range: rewards must lie between −1,000,000 and 1,000,000."),
    (" ".join(["1"] * 1100), "At most 1,024 rewards, one per answer in the group; this list has 1,100."),
]


def test_grpo_rewards_list_recomputes_and_refuses_garbage(page) -> None:
    page.goto(page.base + GRPO_PAGE + G)
    page.wait_for_selector(f'{G}[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)
    page.fill(f"{G}-rewards", "1, 0, 0, 1")
    expected = run("grpo-advantages", {"rewards": "1, 0, 0, 1"})
    assert expected["errors"] == []
    wait_widget_output(page, G, "advantage_max", expected["outputs"]["advantage_max"]["text"])
    for name in ("answers", "reward_mean", "reward_std", "advantage_min", "surrogate_best", "kl_k3"):
        assert widget_output(page, G, name) == expected["outputs"][name]["text"], name
    assert page.input_value(f"{G}-preset") == "custom"
    rows = page.locator(f"{G} .calc-table tbody tr")
    assert rows.count() == 4
    assert [[c.strip() for c in rows.nth(i).locator("th, td").all_text_contents()] for i in range(4)] == \
        expected["tables"][0]["rows"]
    # the live chart is the one CPython draws: two bars per answer, and the legend
    assert page.locator(f"{G} .calc-chart svg.calc-chart-svg--wide rect").count() == \
        expected["charts"][0]["svg"].count("<rect") == 10
    good = widget_output(page, G, "advantage_max")
    for text, message in GRPO_BAD:
        page.fill(f"{G}-rewards", text)
        page.wait_for_function("([sel, m]) => document.querySelector(sel)?.textContent === m",
                               arg=[f"{G}-rewards-error", message], timeout=10_000)
        assert page.get_attribute(f"{G}-rewards", "aria-invalid") == "true"
        assert "calc-stale" in page.get_attribute(f"{G} .calc-outputs", "class")
        assert "calc-stale" in page.get_attribute(f"{G} .calc-table", "class")
        assert widget_output(page, G, "advantage_max") == good  # the last good results stay
        assert page.locator(f"{G} img").count() == 0  # user text never becomes HTML
    # a group of equal rewards is not an error: every advantage is 0 and a note says why
    page.fill(f"{G}-rewards", "1 1 1 1")
    wait_widget_output(page, G, "advantage_max", "0")
    page.wait_for_selector(f"{G}-rewards-error[hidden]", state="attached", timeout=10_000)
    assert "teaches nothing" in page.text_content(f"{G} > .calc-notes")
    assert page.is_hidden(f'{G} tr[data-output="surrogate_best"]')
    page.select_option(f"{G}-advantage_scaling", "none")
    assert page.is_hidden(f'{G} [data-field="std_kind"]')  # no std, no choice of std
    page.fill(f"{G}-rewards", "1, 0, 0, 1")
    wait_widget_output(page, G, "advantage_max", "0.5")
    # the other widgets on the page keep working
    page.fill(f"{P}-response_tokens", "8000")
    expected = run("ppo-vs-grpo", {"preset": "deepseek-v3", "reward": "rule", "response_tokens": 8000})["outputs"]
    wait_widget_output(page, P, "generation_time_share", expected["generation_time_share"]["text"])
    assert widget_output(page, P, "grpo_memory_bytes") == expected["grpo_memory_bytes"]["text"]
    page.fill(f"{RB}-response_tokens", "8000")
    expected = run("rl-run-bill", {"preset": "deepseek-r1-zero", "response_tokens": 8000})["outputs"]
    wait_widget_output(page, RB, "gpu_hours", expected["gpu_hours"]["text"])
    assert widget_output(page, RB, "implied_tokens_per_second_per_gpu") == \
        expected["implied_tokens_per_second_per_gpu"]["text"]
    assert page.input_value(f"{RB}-preset") == "deepseek-r1-zero"


PRICES_PAGE = "explainers/api-prices/"
A = "#calc-api-cost"  # api-cost, R1 against o1


def test_api_cost_recomputes_and_a_date_before_any_list_gets_a_message(page) -> None:
    page.goto(page.base + PRICES_PAGE + A)
    page.wait_for_selector(f'{A}[data-calc-engine="ready"]', timeout=LOAD_TIMEOUT_MS)
    assert widget_output(page, A, "ratio_output") == "27.4×"
    page.fill(f"{A}-time_utc", "20:00")
    page.fill(f"{A}-date", "2025-03-03")  # DeepSeek's off-peak hours: R1 at a quarter of its price
    inputs = {"preset": "r1-vs-o1", "date": "2025-03-03", "time_utc": "20:00"}
    expected = run("api-cost", inputs)
    assert expected["errors"] == []
    wait_widget_output(page, A, "ratio_output", expected["outputs"]["ratio_output"]["text"])
    assert widget_output(page, A, "a_month_usd") == expected["outputs"]["a_month_usd"]["text"]
    cells = page.eval_on_selector_all(f"{A} .calc-table tr", "rows => rows.map(r => [...r.children].map(c => c.textContent))")
    assert cells[:4] == [expected["tables"][0]["columns"], *expected["tables"][0]["rows"]]
    good = widget_output(page, A, "a_month_usd")
    page.fill(f"{A}-date", "2024-12-01")  # before R1's first list
    page.wait_for_function("([sel, says]) => document.querySelector(sel)?.textContent.includes(says)",
                           arg=[f"{A}-date-error", "No deepseek-reasoner price list before 2025-01-20"], timeout=10_000)
    assert "calc-stale" in page.get_attribute(f"{A} .calc-outputs", "class")
    assert widget_output(page, A, "a_month_usd") == good  # the last good results stay
    page.fill(f"{A}-cache_hit_percent", "150")
    page.wait_for_function("(sel) => document.querySelector(sel)?.textContent.includes('at most 100')",
                           arg=f"{A}-cache_hit_percent-error", timeout=10_000)
    page.fill(f"{A}-cache_hit_percent", "50")
    page.fill(f"{A}-date", "2025-03-03")
    wait_widget_output(page, A, "a_month_usd", good)
    page.select_option(f"{A}-timing", "spread")
    assert page.is_hidden(f'{A} [data-field="time_utc"]')
    spread = run("api-cost", {**inputs, "timing": "spread"})["outputs"]
    wait_widget_output(page, A, "ratio_output", spread["ratio_output"]["text"])


# --- Charts: legible at 390 px, never wider than the screen, colours that hold in both schemes

CHART_PAGES = ["explainers/mla-kv-cache/", "explainers/moe/", "explainers/cost/", "explainers/grpo/"]
MEASURE_CHARTS = """() => {
  const out = {charts: 0, minPx: Infinity, maxPx: 0, minBoxPx: Infinity, shown: [], problems: [],
               viewport: document.documentElement.clientWidth};
  for (const figure of document.querySelectorAll("figure.calc-chart")) {
    const shown = [...figure.querySelectorAll("svg")].filter((s) => getComputedStyle(s).display !== "none");
    out.shown.push(shown.map((s) => s.getAttribute("class").split(" ").pop()));
    if (figure.scrollWidth > figure.clientWidth + 1) out.problems.push("figure scrolls: " + figure.scrollWidth);
    for (const svg of shown) {
      out.charts += 1;
      const box = svg.getBoundingClientRect();
      const scale = box.width / svg.viewBox.baseVal.width;
      if (box.left < -0.5 || box.right > out.viewport + 0.5) out.problems.push("svg past the screen: " + box.right);
      for (const t of svg.querySelectorAll("text")) {
        if (!t.textContent.trim()) continue;
        const px = parseFloat(getComputedStyle(t).fontSize) * scale;
        out.minPx = Math.min(out.minPx, px);
        out.maxPx = Math.max(out.maxPx, px);
        const r = t.getBoundingClientRect();
        out.minBoxPx = Math.min(out.minBoxPx, r.height);
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
          out.problems.push(`text outside its chart: ${t.textContent} ${r.left}-${r.right} / ${box.left}-${box.right}`);
      }
    }
  }
  const width = () => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  out.scrollWidth = width();
  const figures = [...document.querySelectorAll("figure.calc-chart")];
  figures.forEach((f) => { f.style.display = "none"; });
  out.scrollWidthWithoutCharts = width();  // what else may overflow (a wide table) is not the charts' doing
  figures.forEach((f) => { f.style.display = ""; });
  return out;
}"""


def test_charts_legible_at_390px_and_no_sideways_scroll(page) -> None:
    """At a 390 x 844 viewport every chart shows its narrow drawing with text of at least 11 px (computed font size
    times the SVG's scale; the text boxes' rendered heights too), every text inside its chart, nothing wider than
    the screen."""
    page.set_viewport_size({"width": 390, "height": 844})
    total = 0
    for path in CHART_PAGES:
        page.goto(page.base + path)
        m = page.evaluate(MEASURE_CHARTS)
        assert m["charts"] >= 1, path
        print(f"390 px, {path}: {m['charts']} charts, text {m['minPx']:.2f} to {m['maxPx']:.2f} px, "
              f"text boxes at least {m['minBoxPx']:.2f} px tall")
        assert all(shown == ["calc-chart-svg--narrow"] for shown in m["shown"]), (path, m["shown"])
        assert m["minPx"] >= 11, (path, m["minPx"])
        assert m["minBoxPx"] >= 11, (path, m["minBoxPx"])
        assert not m["problems"], (path, m["problems"])
        assert m["scrollWidth"] <= max(390, m["scrollWidthWithoutCharts"]), (path, m["scrollWidth"])
        total += m["charts"]
    assert total >= 10


def test_charts_on_a_desktop_are_the_wide_drawing_and_not_oversized(page) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    for path in CHART_PAGES:
        page.goto(page.base + path)
        m = page.evaluate(MEASURE_CHARTS)
        print(f"1280 px, {path}: text {m['minPx']:.2f} to {m['maxPx']:.2f} px")
        assert all(shown == ["calc-chart-svg--wide"] for shown in m["shown"]), (path, m["shown"])
        assert 11 <= m["minPx"] and m["maxPx"] <= 16, (path, m["minPx"], m["maxPx"])
        assert not m["problems"], (path, m["problems"])


def test_live_chart_on_a_phone_is_the_narrow_drawing_cpython_draws(page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_live(page)
    page.fill(field("context_length"), "65536")
    wait_output(page, "bytes_per_sequence", cpython({**WIDGET_INPUTS, "context_length": 65536}, "bytes_per_sequence"))
    chart = run("kv-cache", {**WIDGET_INPUTS, "context_length": 65536})["charts"][0]
    narrow = f"{W} .calc-chart svg.calc-chart-svg--narrow"
    page.wait_for_function("([sel, text]) => document.querySelector(sel)?.textContent.includes(text)",
                           arg=[narrow, "T = 65,536"], timeout=10_000)
    assert f'points="{page.get_attribute(f"{narrow} polyline", "points")}"' in chart["svg_narrow"]
    assert page.is_visible(narrow) and page.is_hidden(f"{W} .calc-chart svg.calc-chart-svg--wide")
    m = page.evaluate(MEASURE_CHARTS)
    assert m["minPx"] >= 11 and not m["problems"]


def _rgba(css: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in css[css.index("(") + 1: css.index(")")].replace("/", ",").split(",")]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of a CSS colour (its alpha blended over the background) against the background."""
    *bg, _ = _rgba(background)
    *fg, alpha = _rgba(foreground)
    fg = [alpha * f + (1 - alpha) * b for f, b in zip(fg, bg)]
    lighter, darker = sorted((_luminance(tuple(fg)), _luminance(tuple(bg))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The colour each part of a chart is drawn in: (CSS selector in a chart, property), and the ratio it must reach.
CHART_COLOURS = {
    "title": (".calc-chart-title", "fill", 4.5), "axis label": (".calc-chart-label", "fill", 4.5),
    "tick": (".calc-chart-tick", "fill", 4.5), "legend": (".calc-chart-legend", "fill", 4.5),
    "note": (".calc-chart-note", "fill", 4.5), "grid": (".calc-chart-grid", "stroke", 3),
    "axis": (".calc-chart-axis", "stroke", 3), "rule": (".calc-chart-rule", "stroke", 3),
    "base": (".calc-chart-base", "stroke", 3), "region edge": (".calc-chart-region-edge", "stroke", 3),
    "point": (".calc-chart-point", "fill", 3),
    **{f"series {n}": (f"polyline.calc-chart-c{n}", "stroke", 3) for n in range(6)},
    "bar": ("rect.calc-chart-bar.calc-chart-c1", "fill", 3),
}


def chart_colour_sample() -> list[str]:
    """Drawings that use every chart class: six series, a region, a point, rules, markers, bars, a tornado."""
    from calculators.charts import bar_chart, chart_svg, line_chart, tornado_chart

    line = line_chart(title="t", x_label="x", y_label="y", series=[(f"s{n}", [[0, n], [1, n + 1]]) for n in range(6)],
                      rules=[{"y": 3, "label": "rule"}], markers=[{"x": 0.5, "label": "marker"}],
                      points=[{"x": 0.5, "y": 2, "label": "point"}], regions=[{"x0": 0.8, "label": "region"}])
    bars = bar_chart(title="t", categories=["a"], series=[("s", [1]), ("t", [2])], value_label="v")
    tornado = tornado_chart(title="t", value_label="v", base=1, base_label="base", bars=[("a", 0, 2, "low", "high")])
    return [chart_svg(spec) for spec in (line, bars, tornado)]


def measure_chart_colours(page) -> dict[str, float]:
    ratios = page.evaluate("""([svgs, parts]) => {
      const figure = document.createElement("figure");
      figure.className = "calc-chart";
      for (const text of svgs) {
        const doc = new DOMParser().parseFromString(text, "image/svg+xml");
        figure.append(document.importNode(doc.documentElement, true));
      }
      document.querySelector(".md-content__inner").prepend(figure);
      let node = figure, background = "rgba(0, 0, 0, 0)";
      while (node && ["rgba(0, 0, 0, 0)", "transparent"].includes(background)) {
        background = getComputedStyle(node).backgroundColor;
        node = node.parentElement;
      }
      const out = {background};
      for (const [name, [selector, property]] of Object.entries(parts)) {
        const element = figure.querySelector(selector);
        out[name] = element ? getComputedStyle(element)[property] : null;
      }
      figure.remove();
      return out;
    }""", [chart_colour_sample(), {k: v[:2] for k, v in CHART_COLOURS.items()}])
    background = ratios.pop("background")
    assert all(ratios.values()), ratios  # every part was found
    return {name: round(contrast(colour, background), 2) for name, colour in ratios.items()}


def test_chart_colours_reach_3_to_1_in_both_schemes(page) -> None:
    """Measured in the browser (computed colours against the computed page background). Text is held to 4.5:1,
    lines, points and bars to 3:1; a region's fill is a light tint under the data, its edges carry the 3:1."""
    page.goto(page.base + CHART_PAGES[0])
    measured = {}
    for scheme in ("default", "slate"):
        if page.get_attribute("body", "data-md-color-scheme") != scheme:
            page.click("label.md-header__button[for^='__palette']:visible")
        assert page.get_attribute("body", "data-md-color-scheme") == scheme
        measured[scheme] = measure_chart_colours(page)
        print(f"chart contrast ({scheme}):", measured[scheme])
        for name, ratio in measured[scheme].items():
            assert ratio >= CHART_COLOURS[name][2], (scheme, name, ratio)
