"""Layer 3: the site builds strictly, every widget shows CPython's numbers, and nothing leaves the origin."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from calculators import run

pytestmark = pytest.mark.site

VENDORED = ("assets/vendor/", "assets/javascripts/", "search/")  # third-party code, checked by the browser test


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Element | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element] = []
        self.text = ""

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()

    def find_all(self, predicate) -> list[Element]:
        found = [self] if predicate(self) else []
        for child in self.children:
            found += child.find_all(predicate)
        return found

    def all_text(self) -> str:
        return self.text + "".join(c.all_text() for c in self.children)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Tree(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self.current = self.root
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text += data


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def widgets(site: Path) -> list[tuple[Path, Element]]:
    out = []
    for page in pages(site):
        tree = Tree(page.read_text()).root
        out += [(page, w) for w in tree.find_all(lambda e: e.has_class("calc") and "data-calc" in e.attrs)]
    return out


def test_site_has_the_pages(built_site: Path) -> None:
    for path in ["index.html", "explainers/mla-kv-cache/index.html", "explainers/moe/index.html",
                 "explainers/cost/index.html", "reference/training/index.html", "reference/pricing/index.html",
                 "notation/index.html",
                 "explainers/grpo/index.html", "reference/grpo/index.html", "reference/rl/index.html",
                 "reference/parameters/index.html", "reference/flops/index.html", "reference/moe/index.html",
                 "running-locally/index.html", "reference/attention/index.html", "search/search_index.json"]:
        assert (built_site / path).is_file(), path


def test_every_widget_shows_cpythons_numbers(built_site: Path) -> None:
    found = widgets(built_site)
    assert found, "no widget in the built site"
    for page, widget in found:
        request = json.loads(widget.attrs["data-calc-request"])
        result = run(request["id"], request["inputs"])
        assert result["errors"] == [], (page, request)
        rows = widget.find_all(lambda e: e.tag == "tr" and "data-output" in e.attrs)
        assert {r.attrs["data-output"] for r in rows} == set(result["outputs"])
        for row in rows:
            output = result["outputs"][row.attrs["data-output"]]
            [cell] = row.find_all(lambda e: e.has_class("calc-value"))
            if output["value"] is None:
                assert "hidden" in row.attrs
                continue
            assert "hidden" not in row.attrs
            assert cell.all_text().strip() == output["text"], (page.name, row.attrs["data-output"])
            assert float(cell.attrs["data-value"]) == output["value"]
        figures = widget.find_all(lambda e: e.has_class("calc-chart"))
        assert len(figures) == len(result["charts"])
        for figure, chart in zip(figures, result["charts"]):
            drawings = figure.find_all(lambda e: e.tag == "svg")
            variants = [d.attrs["class"].split()[-1] for d in drawings]
            assert variants == ["calc-chart-svg--wide", "calc-chart-svg--narrow"]
            for drawing, svg in zip(drawings, (chart["svg"], chart["svg_narrow"])):
                marks = drawing.find_all(lambda e: e.tag in ("polyline", "rect"))
                assert marks
                for mark in marks:
                    if mark.tag == "polyline":
                        assert f'points="{mark.attrs["points"]}"' in svg
                    else:
                        assert f'width="{mark.attrs["width"]}" height="{mark.attrs["height"]}"' in svg
        tables = widget.find_all(lambda e: e.has_class("calc-table"))
        assert len(tables) == len(result["tables"])
        for table, expected in zip(tables, result["tables"]):
            cells = [[c.all_text() for c in row.children] for row in table.find_all(lambda e: e.tag == "tr")]
            assert cells == [expected["columns"], *expected["rows"]]
        for control in widget.find_all(lambda e: e.tag in ("input", "select", "textarea")
                                       and e.attrs.get("name") not in (None, "preset")):
            used = result["inputs"][control.attrs["name"]]
            if control.tag == "textarea":
                assert control.all_text().strip() == used.strip()
            elif control.tag == "input":
                assert float(control.attrs["value"]) == float(used), control.attrs["name"]
            else:
                [selected] = control.find_all(lambda e: e.tag == "option" and "selected" in e.attrs)
                assert selected.attrs["value"] == used


CHART = re.compile(r"<svg\b[^>]*\bclass=\"calc-chart-svg[^\"]*\"[^>]*>.*?</svg>", re.S)


def test_every_chart_in_the_site_is_well_formed_svg_drawn_twice(built_site: Path) -> None:
    """Every chart on every page (widgets and page macros) parses as XML on its own, as the browser's DOMParser
    must parse the live ones, holds no script, and comes as a wide and a narrow drawing in one figure."""
    import xml.etree.ElementTree as ET

    count = 0
    for page in pages(built_site):
        html = page.read_text()
        for match in CHART.finditer(html):
            root = ET.fromstring(match.group(0))
            assert root.tag == "{http://www.w3.org/2000/svg}svg", page
            assert not [e for e in root.iter() if e.tag.endswith(("script", "foreignObject"))]
            assert not [a for e in root.iter() for a in e.attrib if a.lower().startswith("on")]
            count += 1
        tree = Tree(html).root
        for figure in tree.find_all(lambda e: e.has_class("calc-chart")):
            variants = [d.attrs.get("class", "").split()[-1] for d in figure.find_all(lambda e: e.tag == "svg")]
            assert variants == ["calc-chart-svg--wide", "calc-chart-svg--narrow"], page
    assert count >= 2 * 10, count  # the site's pages hold at least ten charts


def test_widget_assets_exist(built_site: Path) -> None:
    """Every widget says where Python is; the files are there; what changes with our code is named by its hash."""
    runtimes = set()
    for page, widget in widgets(built_site):
        base = page.parent.as_uri() + "/"
        runtime = json.loads(widget.attrs["data-calc-runtime"])
        local = {key: Path(urlparse(urljoin(base, runtime[key])).path)
                 for key in ("pyodide", "stdlib", "stdlibFull", "package")}
        pyodide = local["pyodide"]
        assert re.fullmatch(r"pyodide-\d+\.\d+\.\d+", pyodide.name), pyodide  # a folder per Pyodide version
        for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"):
            assert (pyodide / name).is_file(), name
        assert local["stdlibFull"] == pyodide / "python_stdlib.zip"
        for key in ("stdlib", "package"):
            digest = hashlib.sha256(local[key].read_bytes()).hexdigest()[:16]
            assert local[key].name.endswith(f"-{digest}.zip"), local[key].name
        assert runtime["lock"]["abi_version"] and runtime["lock"]["python"].startswith("3.14")
        sizes = sum((pyodide / name).stat().st_size for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm"))
        assert runtime["bytes"] == sizes + local["stdlib"].stat().st_size + local["package"].stat().st_size
        runtimes.add((runtime["stdlib"].split("/")[-1], runtime["package"].split("/")[-1]))
    assert len(runtimes) == 1  # one build, one bundle
    [(stdlib_name, package_name)] = runtimes
    with zipfile.ZipFile(built_site / "assets" / "py" / package_name) as package:
        names = package.namelist()
    assert "calculators/registry.pyc" in names and "calculators/_data/accelerators.toml" in names
    assert not [n for n in names if n.endswith(".py")]  # bytecode only
    with zipfile.ZipFile(built_site / "assets" / "py" / stdlib_name) as stdlib:
        names = stdlib.namelist()
    assert {"dataclasses.pyc", "json/__init__.pyc", "tomllib/_parser.pyc", "_stdlib_fallback.pyc"} <= set(names)
    assert all(n.endswith(".pyc") for n in names)
    for path in ("assets/calc/widgets.js", "assets/calc/worker.js", "assets/calc/widgets.css",
                 "assets/vendor/katex/katex.min.js", "assets/vendor/katex/contrib/auto-render.min.js"):
        assert (built_site / path).is_file(), path


def test_scripts_and_stylesheets_carry_their_content_hash(built_site: Path) -> None:
    """Our scripts and stylesheets are requested with ?v=<hash of the content>, so a new build is never paired with
    a cached old file; widgets.js is loaded only on pages with widgets, right after the first one."""
    html = (built_site / "explainers/mla-kv-cache/index.html").read_text()
    calc = sorted((built_site / "assets" / "calc").iterdir())
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in calc)).hexdigest()[:10]
    assert f'<script type="module" async src="../../assets/calc/widgets.js?v={digest}"></script>' in html
    assert html.index('id="calc-kv-cache"') < html.index("widgets.js?v=") < html.index("javascripts/bundle.")
    assert f'href="../../assets/calc/widgets.css?v={digest}"' in html
    katex = (built_site / "assets/vendor/katex/katex.min.js").read_bytes()
    assert f'src="../../assets/vendor/katex/katex.min.js?v={hashlib.sha256(katex).hexdigest()[:10]}"' in html
    home = (built_site / "index.html").read_text()
    assert "widgets.js" not in home and "widgets.css?v=" in home


def test_numbers_in_prose_come_from_the_package(built_site: Path) -> None:
    """The explainer's worked example is rendered at build time: the ISCA Table 1 values appear, no braces remain."""
    html = (built_site / "explainers/mla-kv-cache/index.html").read_text()
    for printed in ("70.272 kB", "327.680 kB", "516.096 kB", "93.3%", "82.2%", "2.25 groups"):
        assert printed in html, printed
    assert "{{" not in html and "{%" not in html
    assert "linearly" in html and "exponentially" in html


def test_moe_page_numbers_and_comparison_table(built_site: Path) -> None:
    """The MoE page's figures come from the package; its comparison table has every preset model."""
    from calculators import data

    html = (built_site / "explainers/moe/index.html").read_text()
    assert "{{" not in html and "{%" not in html
    v3 = run("model-params", {"preset": "deepseek-v3"})["outputs"]
    for name in ("total_params", "active_params", "active_params_without_embeddings", "checkpoint_params",
                 "moe_flops_saving", "dense_forward_flops_per_token"):
        assert v3[name]["text"] in html, name
    assert "4,426,165,368" in html  # C(64, 8), DeepSeekMoE Sec. 3.1
    for key, model in data.models().items():
        total = run("model-params", {"preset": key})["outputs"]["total_params"]["text"]
        assert re.search(rf"<td>{re.escape(model.name)}</td>\s*<td[^>]*>{re.escape(total)}</td>", html), key
    notation = (built_site / "notation/index.html").read_text()
    assert notation.count("<tr>") >= len(data.models()) + 10  # the models table is a table, not loose lines


def test_cost_page_numbers_come_from_the_package(built_site: Path) -> None:
    """The cost page's headline table and prose are the package's numbers: V3 Table 1, the R1 bill, Llama 3.1."""
    html = (built_site / "explainers/cost/index.html").read_text()
    assert "{{" not in html and "{%" not in html
    head = run("headline-costs", {})["outputs"]
    head4 = run("headline-costs", {"usd_per_gpu_hour": 4})["outputs"]
    for printed in (head["v3_usd"]["text"], head["r1_usd"]["text"], head["llama_usd"]["text"],
                    head4["llama_usd"]["text"], head["r1_with_base_usd"]["text"]):
        assert printed in html, printed
    assert "$5.576M" in html and "$294K" in html and "$61.68M" in html and "$123.4M" in html
    for preset in ("deepseek-v3", "llama-3.1-405b"):
        assert run("training-cost", {"preset": preset})["outputs"]["implied_mfu"]["text"] in html, preset
    r1 = run("run-bill", {"preset": "deepseek-r1"})["outputs"]
    assert r1["total_usd"]["text"] in html and r1["share_of_total"]["text"] in html
    fleet = run("full-cost", {"preset": "semianalysis-fleet"})["outputs"]
    assert fleet["total_usd"]["text"] in html and fleet["headline_share"]["text"] in html
    assert "outside estimate" in html.lower()
    # dollar amounts in prose are text, not TeX (an unescaped "$22k-$30k" would become a math span)
    for span in re.findall(r'<span class="arithmatex">(.*?)</span>', html, re.S):
        assert not any(amount in span for amount in ("22k", "60M", "5.576M", "26,000", "294K")), span


def _prose(html: str) -> str:
    """A page's text without tags, widgets or scripts, whitespace collapsed."""
    html = re.sub(r'<div class="calc".*?<ul class="calc-notes">.*?</ul>\s*</div>', " ", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    from html import unescape
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_content_fixes_of_issue_10_are_on_the_pages(built_site: Path) -> None:
    """Each figure the fact-check found wrong is now right on the page, with the package's numbers."""
    mla = _prose((built_site / "explainers/mla-kv-cache/index.html").read_text())
    # 82.2% is MLA and 60 layers instead of 95; per layer MLA saves 71.9% against the 67B's GQA (576 vs 2,048)
    assert "Per layer, both in BF16: MLA against the 67B's GQA with 8 KV heads 4,096 B 1,152 B 71.9%" in mla
    assert "Per token, both in BF16: MLA and 60 layers instead of 95 389,120 B 69,120 B 82.2%" in mla
    assert "MLA alone, at equal precision" not in mla and "seed articles" not in mla

    moe = _prose((built_site / "explainers/moe/index.html").read_text())
    v3 = run("model-params", {"preset": "deepseek-v3"})["outputs"]
    assert f"gives {v3['six_n_flops_per_token']['text']}" in moe and v3['six_n_flops_per_token']['text'] == "219.8 GFLOP"
    assert "would give 225.3 GFLOP" in moe  # the count with the embedding table, named as such
    assert "93.1%" in moe and "94.5%" in moe and "a few large experts" not in moe
    assert "up to 2,048 experts" in moe and "Sec. 3.1.2" in moe
    assert "In its technical report (December 2024)" in moe and "18 nodes" in moe

    cost = _prose((built_site / "explainers/cost/index.html").read_text())
    assert "pre-training $5.328M, context extension $238K, post-training $10K" in cost
    assert "this site's reconstruction" in cost and "this site's reading" in cost
    assert "$5.566M" in cost and "DeepSeek owns its GPUs" not in cost

    grpo = _prose((built_site / "explainers/grpo/index.html").read_text())
    assert "most of the bill" not in grpo and "final pre-training run" not in grpo
    assert "comparable size as the policy model" in grpo and "6B reward model" in grpo
    pg = run("ppo-vs-grpo", {"preset": "deepseek-v3", "reward": "rule"})["outputs"]
    assert f"only {pg['generation_flops_share']['text']} of a GRPO step's FLOPs" in grpo
    # Dr. GRPO drops the 1/|o_i| length normalisation as well as the std
    assert "It also drops the \\(1/\\lvert o_i \\rvert\\)" in grpo and "by the same constant" in grpo

    home = _prose((built_site / "index.html").read_text())
    assert "on the way" not in home and "primary source with a date" not in home
    for page in ("explainers/cost/", "explainers/grpo/"):
        assert f'href="{page}"' in (built_site / "index.html").read_text(), page


def test_reference_lists_every_calculator_and_its_page(built_site: Path) -> None:
    from calculators import calculator_ids

    html = (built_site / "reference/index.html").read_text()
    for calc_id in calculator_ids():
        row = re.search(rf"<td><code>{re.escape(calc_id)}</code></td>(.*?)</tr>", html, re.S)
        assert row, calc_id
        assert 'href="../explainers/' in row.group(1), calc_id


def test_grpo_page_numbers_come_from_the_package(built_site: Path) -> None:
    """The GRPO page's worked group, PPO-vs-GRPO figures, length table and R1 bill are the package's numbers."""
    html = (built_site / "explainers/grpo/index.html").read_text()
    assert "{{" not in html and "{%" not in html
    four = run("grpo-advantages", {"rewards": "1, 0, 0, 1", "std_kind": "sample", "std_epsilon": 0})["outputs"]
    assert f"that is {four['reward_std']['text']}, and the advantages become ±{four['advantage_max']['text']}" in html
    adv = run("grpo-advantages", {"preset": "r1-zero"})["outputs"]
    for name in ("advantage_max", "advantage_min", "surrogate_best", "surrogate_worst", "kl_k3", "kl_penalty"):
        assert adv[name]["text"] in html, name
    pg = run("ppo-vs-grpo", {"preset": "deepseek-v3", "reward": "rule"})["outputs"]
    for name in ("ppo_memory_bytes", "grpo_memory_bytes", "value_model_bytes", "memory_saving", "critic_flops_share",
                 "generation_flops_share", "generation_time_share", "critic_time_share"):
        assert pg[name]["text"] in html, name
    for length in (1000, 4000, 8000, 16000):
        bill = run("rl-run-bill", {"preset": "deepseek-r1-zero", "response_tokens": length})["outputs"]
        row = (f"<td[^>]*>{re.escape(f'{length:,}')}</td>\\s*<td[^>]*>{re.escape(bill['generated_tokens']['text'])}</td>"
               f"\\s*<td[^>]*>{re.escape(bill['total_flops']['text'])}</td>\\s*<td[^>]*>{re.escape(bill['gpu_hours']['text'])}</td>")
        assert re.search(row, html), length
        assert bill["implied_tokens_per_second_per_gpu"]["text"] in html
    assert "5,324,800" in html  # 10,400 x 32 x 16 answers
    r1 = run("run-bill", {"preset": "deepseek-r1"})["outputs"]
    assert f"{r1['total_gpu_hours']['text']}, {r1['total_usd']['text']}" in html
    assert html.count('class="arithmatex"') >= 5


# TeX that is really prose: a price ("5.576M to train ..."), a quotation mark, or words that are not TeX commands.
_TEX_TEXT = re.compile(r"\\(text|mathrm|operatorname|textbf|mathbf|mathit|boldsymbol)\{[^{}]*\}")
_PRICE = re.compile(r"(^|[^\w.])\d[\d,]*(\.\d+)?[KMBk]\b")
_WORDS = re.compile(r"(?<![\\\w])[A-Za-z]{3,}\s+[A-Za-z]{3,}(?!\w)")


def prose_in_tex(tex: str) -> str | None:
    """Why `tex` (the content of an arithmatex span) looks like prose a dollar sign turned into math, or None."""
    body = _TEX_TEXT.sub(" ", tex.strip().removeprefix("\\(").removesuffix("\\)").removeprefix("\\[")
                         .removesuffix("\\]"))
    if re.search("[\"“”]", body):
        return "a quotation mark"
    if _PRICE.search(body):
        return "a price"
    if _WORDS.search(body):
        return f"words: {_WORDS.search(body).group(0)!r}"
    return None


def test_prose_in_tex_recognises_the_home_pages_headline() -> None:
    """The check below, on the span the home page produced before its dollars were escaped (issue 10)."""
    assert prose_in_tex('\\(5.576M to train DeepSeek-V3", "\\)') is not None
    for formula in ("\\(C = 6\\,N_\\text{active}\\,T_\\text{train}\\)", "\\(2 L H T (d_{qk} + d_v)\\)",
                    "\\(\\min\\big(\\rho_{i,t}\\hat A_{i,t}\\big)\\)", "\\(576 \\times 61 \\times 2 = 70{,}272\\)",
                    "\\(\\$_\\text{owned} = \\frac{\\$_\\text{cap}}{8760 \\cdot u}\\)", "\\(10^{-4}\\)"):
        assert prose_in_tex(formula) is None, formula


def test_no_dollar_sign_in_prose_becomes_math(built_site: Path) -> None:
    """Every formula on every page is TeX, not a sentence between two dollar signs (the home page's first line
    was); the widgets' text holds no TeX delimiter that KaTeX would render."""
    problems = []
    for page in pages(built_site):
        tree = Tree(page.read_text()).root
        for span in tree.find_all(lambda e: e.has_class("arithmatex")):
            why = prose_in_tex(span.all_text())
            if why:
                problems.append((page.relative_to(built_site).as_posix(), why, span.all_text()[:80]))
        for widget in tree.find_all(lambda e: e.has_class("calc") and "data-calc" in e.attrs):
            text = widget.all_text()
            for delimiter in ("$$", "\\(", "\\["):
                if delimiter in text:
                    problems.append((page.relative_to(built_site).as_posix(), "TeX in a widget", delimiter))
    assert not problems, problems


def test_dollars_followed_by_a_digit_are_escaped_in_the_markdown() -> None:
    """In the pages' Markdown a "$" before a digit is a price, so it must be written "\\$" (a formula that starts
    with a digit is written \\( ... \\)); front matter is not Markdown and takes a plain "$"."""
    problems = []
    for path in sorted(Path(__file__).resolve().parents[1].joinpath("docs").rglob("*.md")):
        text = path.read_text()
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
        fenced = False
        for n, line in enumerate(body.splitlines(), 1):
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            if not fenced and re.search(r"(?<!\\)\$\d", line):
                problems.append((path.name, n, line.strip()[:80]))
    assert not problems, problems


def test_what_a_page_macro_writes_has_its_dollars_escaped() -> None:
    """An output's text, a filter and a note from data/ alike: no "$" reaches the Markdown unescaped."""
    from sitebuild.render import render_page_macros

    page = ('{{ calc("headline-costs").v3_usd }} | {{ 294000 | usd }} | {{ runs["deepseek-r1"].note }} | '
            '{{ calc("buy-vs-rent").owned_usd_per_used_hour }}')
    written = render_page_macros(page, "test.md")
    assert "\\$5.576M" in written and "\\$294K" in written
    assert not re.search(r"(?<!\\)\$", written), written


def test_meta_descriptions_are_the_front_matters(built_site: Path) -> None:
    """Each page's <meta name="description"> is its front matter's description, whole: no quotation mark cut it
    short, no backslash shows."""
    docs = Path(__file__).resolve().parents[1] / "docs"
    for path in sorted(docs.rglob("*.md")):
        text = path.read_text()
        match = re.search(r"^description: (.*)$", text.split("\n---\n", 1)[0], re.M) if text.startswith("---") else None
        if not match:
            continue
        rel = path.relative_to(docs).with_suffix("")
        html_path = built_site / ("index.html" if rel.name == "index" else f"{rel.as_posix()}/index.html")
        tree = Tree(html_path.read_text()).root
        [meta] = tree.find_all(lambda e: e.tag == "meta" and e.attrs.get("name") == "description")
        assert meta.attrs["content"] == match.group(1).strip().strip("'"), path.name
        assert "\\" not in meta.attrs["content"], path.name


def test_formulas_are_marked_for_katex(built_site: Path) -> None:
    html = (built_site / "explainers/mla-kv-cache/index.html").read_text()
    assert html.count('class="arithmatex"') >= 10
    attention_ref = (built_site / "reference/attention/index.html").read_text()
    assert 'class="arithmatex"' in attention_ref  # docstring LaTeX survives into the API reference


RESOURCE_ATTRS = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"),
                  ("audio", "src"), ("embed", "src"), ("object", "data"), ("form", "action"), ("img", "srcset"),
                  ("source", "srcset")}
EXTERNAL = re.compile(r"(?:https?:)?//(?!127\.0\.0\.1[:/])[\w.-]+\.[a-z]{2,}", re.I)


def _external(url: str) -> bool:
    """Whether `url` points off the site (the site itself is served from 127.0.0.1)."""
    url = url.strip()
    if re.match(r"^https?://127\.0\.0\.1[:/]", url):
        return False
    return bool(re.match(r"^(https?:)?//", url, re.I))


def test_no_resource_is_loaded_from_another_origin(built_site: Path) -> None:
    """Every src, stylesheet, preload, icon, manifest, CSS url() and @import stays on the site's own origin.

    Plain links (<a href>) to sources are navigation, not requests, and are allowed.
    """
    problems = []
    for page in pages(built_site):
        tree = Tree(page.read_text()).root
        for element in tree.find_all(lambda e: True):
            for tag, attr in RESOURCE_ATTRS:
                if element.tag == tag and element.attrs.get(attr) and _external(element.attrs[attr].split()[0]):
                    problems.append((page.relative_to(built_site), tag, element.attrs[attr]))
            if element.tag == "link" and element.attrs.get("rel") != "canonical":
                if _external(element.attrs.get("href") or ""):
                    problems.append((page.relative_to(built_site), "link", element.attrs["href"]))
            style = element.attrs.get("style") or ""
            if "url(" in style and EXTERNAL.search(style):
                problems.append((page.relative_to(built_site), "style", style))
    for css in built_site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text()) + re.findall(r"@import\s+['\"]([^'\"]+)", css.read_text()):
            if _external(url):
                problems.append((css.relative_to(built_site), "css", url))
    assert not problems, problems


def test_our_own_scripts_name_no_other_origin(built_site: Path) -> None:
    for js in [*built_site.joinpath("assets/calc").glob("*.js"), built_site / "assets/katex-init.js"]:
        assert not re.search(r"https?://", js.read_text()), js.name
    for js in built_site.rglob("*.js"):
        rel = js.relative_to(built_site).as_posix()
        if rel.startswith(VENDORED):
            continue
        assert not EXTERNAL.search(js.read_text()), rel


def test_api_prices_page_numbers_come_from_the_package(built_site: Path) -> None:
    """The price page's lists are the data's, its '27×', '22×', reasoning and trend figures the package's."""
    from html import unescape

    from calculators import data
    from calculators.formatting import format_price

    html = (built_site / "explainers/api-prices/index.html").read_text()
    assert "{{" not in html and "{%" not in html
    rows = re.findall(r"<tr>.*?</tr>", html, re.S)
    for p in data.api_prices():  # every list is a row of one of the two tables, with its own prices
        if p.currency == "USD":
            cells = [p.valid_from[:16].replace("T", " "), format_price(p.input_cache_hit),
                     format_price(p.input_cache_miss), format_price(p.output)]
        else:
            cells = [p.valid_from[:16].replace("T", " "), f"¥{p.input_cache_hit:g}", f"¥{p.input_cache_miss:g}",
                     f"¥{p.output:g}"]
        pattern = r".*?".join(rf"<td[^>]*>{re.escape(c)}</td>" for c in [f"<code>{p.model}</code>", *cells])
        assert any(re.search(pattern, row, re.S) for row in rows), p.key
    r27 = run("api-cost", {"preset": "r1-vs-o1"})["outputs"]
    assert r27["ratio_output"]["text"] == "27.4×"
    for name in ("ratio_output", "ratio_input_miss", "ratio_input_hit", "ratio_workload", "a_request_usd",
                 "b_month_usd"):
        assert r27[name]["text"] in html, name
    night = run("api-cost", {"preset": "r1-vs-o1-offpeak"})["outputs"]
    assert f"{night['ratio_output']['text']} R1 on output" in html and "××" not in html  # the text carries its ×
    head = run("headline-costs", {})["outputs"]
    head4 = run("headline-costs", {"usd_per_gpu_hour": 4})["outputs"]
    twenty_two = head4["llama_usd"]["value"] / head["v3_usd"]["value"]
    assert round(twenty_two, 2) == 22.12 and "22.12×" in html and f"{head['llama_to_v3']['text']} DeepSeek-V3's" in html
    math = run("reasoning-cost", {"preset": "math-500-distillation"})["outputs"]
    for name in ("output_tokens_ratio", "answer_usd", "comparison_answer_usd", "ratio", "thinking_share"):
        assert math[name]["text"] in html, name
    trend = run("price-trend", {"preset": "o1-to-r1"})["outputs"]
    assert trend["years_to_target"]["text"] in html and trend["months_to_target"]["text"] in html
    for c in data.price_crosschecks():  # every recorded dataset difference is explained on the page
        assert unescape(c.reason) in unescape(html), c.list
    assert "serving/#deepseeks-disclosure-reproduced" in html  # 'a price is not a cost' links the margin
    for span in re.findall(r'<span class="arithmatex">(.*?)</span>', html, re.S):
        assert not any(amount in span for amount in ("2.19", "60.00", "0.28", "1.10")), span
