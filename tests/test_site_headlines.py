"""Layer 3, the headlines, home and validation pages: built from `data/claims.toml` and `data/validation.toml`, their
numbers are the package's, their counts are the data's, their links reach sections that exist, and the navigation
follows the home page's reading order."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from calculators import data, run
from sitebuild import claims, nav, validation

pytestmark = pytest.mark.site


def html_of(built_site: Path, page: str) -> str:
    html = (built_site / page / "index.html").read_text() if page else (built_site / "index.html").read_text()
    assert "{{" not in html and "{%" not in html, page
    return html


def prose(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def squash(text: str) -> str:
    """Text without whitespace, where tags may have split it or not."""
    return re.sub(r"\s+", "", text)


def card(html: str, key: str) -> str:
    m = re.search(rf'<div class="claim [^"]*" id="claim-{re.escape(key)}">(.*?)\n</div>\s*(?=<div class="claim |<h2)',
                  html, re.S)
    assert m, key
    return m.group(1)


def test_summary_counts_equal_the_data(built_site: Path) -> None:
    html = html_of(built_site, "headlines")
    rows = re.findall(r'<td><span class="claim-verdict claim-verdict--[\w-]+">([^<]+)</span></td>\s*'
                      r'<td[^>]*>(\d+)</td>', html)
    assert [(v, int(n)) for v, n in rows] == [(v, sum(1 for c in data.claims() if c.verdict == v))
                                             for v in data.claim_verdicts()]
    assert sum(int(n) for _, n in rows) == len(data.claims())
    assert f"takes {len(data.claims())} of them" in prose(html)


def test_every_claim_is_on_the_page_with_the_packages_numbers(built_site: Path) -> None:
    html = html_of(built_site, "headlines")
    for claim in data.claims():
        text = squash(prose(card(html, claim.key)))
        assert text.startswith(squash(f"{claim.verdict} {claim.claim}")), claim.key
        assert squash(claims.settle(claim).finding) in text, claim.key
        for calc in claim.calculations:
            result = run(calc.calculator, dict(calc.inputs))
            assert result["errors"] == [], claim.key
            for name in calc.outputs:
                assert squash(result["outputs"][name]["text"]) in text, (claim.key, name)
            assert squash(claims.command(calc)) in text, claim.key
        assert squash(claim.source) in text and claim.as_of in text, claim.key
    assert html.count('class="claim claim--') == len(data.claims())


def _anchor_exists(built_site: Path, page_file: Path, href: str) -> bool:
    base = page_file.parent.as_uri() + "/"
    target = urlparse(urljoin(base, href))
    path = Path(target.path)
    path = path / "index.html" if path.is_dir() else path
    assert path.is_file(), href
    return not target.fragment or f'id="{target.fragment}"' in path.read_text()


def test_every_claim_links_to_a_section_that_exists(built_site: Path) -> None:
    page_file = built_site / "headlines" / "index.html"
    html = page_file.read_text()
    for claim in data.claims():
        links = re.findall(r'Explained in <a href="([^"]+)">', card(html, claim.key))
        assert len(links) == 1, claim.key
        assert _anchor_exists(built_site, page_file, links[0]), (claim.key, links[0])
        assert links[0].split("#")[1] == claim.link.split("#")[1]
    for topic in data.claim_topics().values():
        assert f'id="{claims.topic_anchor(topic)}"' in html


def test_home_page_starts_from_the_headlines(built_site: Path) -> None:
    page_file = built_site / "index.html"
    html = page_file.read_text()
    text = squash(prose(html))
    numbers = text.index("Thenumbersreadersbring")
    positions = []
    for s in claims.home("index.md"):
        item = squash(f"{s.claim.headline}: {s.claim.verdict} {s.summary} {unescape(s.section)}")
        assert item in text, item
        positions.append(text.index(item))
    assert numbers < positions[0] and positions == sorted(positions)
    for s in claims.home("index.md"):
        assert _anchor_exists(built_site, page_file, s.href.replace(".md#", "/#"))
    counts = ", ".join(f"{n} {v}" for v, _, n in claims.counts())
    assert squash(f"all {len(data.claims())} cost headlines of this kind, one by one: {counts}.") in text
    assert "ontheway" not in text


def test_home_lists_the_explainers_in_the_navigations_order(built_site: Path) -> None:
    html = html_of(built_site, "")
    listed = re.findall(r'<li><strong><a href="(explainers/[\w-]+/)">', html)
    in_nav = [p.page.removesuffix(".md") + "/" for p in nav.section("Explainers", "index.md")]
    assert listed == in_nav
    # the reading order: the cost page first, MLA after MoE, serving and API prices after cost, GRPO last
    order = [p.removeprefix("explainers/").removesuffix("/") for p in in_nav]
    assert order[0] == "cost" and order.index("mla-kv-cache") > order.index("moe")
    assert order.index("serving") > 0 and order.index("api-prices") > 0 and order[-1] == "grpo"


def test_navigation_puts_headlines_near_the_top_and_validation_near_the_end(built_site: Path) -> None:
    titles = [next(iter(item)) if isinstance(item, dict) else item for item in nav.nav()]
    assert titles[:3] == ["Home", "The headlines, checked", "Explainers"]
    assert titles.index("Validation") >= len(titles) - 2
    html = html_of(built_site, "headlines")
    assert 'href="../validation/"' in html


def test_home_page_commands_run() -> None:
    """The commands the home page shows work as shown."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "index.md").read_text()
    commands = re.findall(r"`python -m calculators run ([^`]+)`", text)
    assert commands
    from calculators.cli import main

    for command in commands:
        args = ["run", *command.split()]
        if "--config" in args:
            continue  # a path of the reader's
        assert main(args) == 0, command


def test_validation_page_shows_every_figure_as_the_tests_check_it(built_site: Path) -> None:
    text = squash(prose(html_of(built_site, "validation")))
    checked = validation.checked()
    assert squash(f"All {len(checked)} figures") in text
    for c in checked:
        row = squash(f"{c.record.printed} {c.ours_text} {c.difference_text} {c.tolerance_text}")
        assert row in text, row
        assert squash(c.record.what) in text and c.record.as_of in text
    for group, _ in validation.groups():
        assert f'<h2 id="{group.lower().replace(" ", "-")}">' in html_of(built_site, "validation")


def test_no_unit_is_written_twice(built_site: Path) -> None:
    """Output text carries its unit ("27.4×"): a page that adds its own after it shows "27.4××"."""
    for page in built_site.rglob("*.html"):
        text = prose(page.read_text())
        assert not re.search(r"\d(××|%%| GFLOP GFLOP)", text), page.relative_to(built_site)
