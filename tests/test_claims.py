"""The headlines readers bring (`data/claims.toml`): every claim has a verdict from the allowed set, a source with a
date, calculations that run, a finding whose numbers are the package's, and a link to a section that exists. The
headlines page and the home page are generated from the same records by `sitebuild.claims` (checked on the built
pages in tests/test_site_headlines.py)."""

from __future__ import annotations

import re

import pytest

from calculators import data, run
from sitebuild import claims

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CLAIMS = data.claims()
VERDICTS = ("right", "right but narrow", "wrong", "unsupported", "cannot be checked")


def test_the_verdicts_are_the_five_allowed_in_order() -> None:
    assert tuple(data.claim_verdicts()) == VERDICTS
    assert all(data.claim_verdicts().values())


def test_at_least_forty_claims_over_every_topic() -> None:
    assert len(CLAIMS) >= 40
    assert {c.topic for c in CLAIMS} == set(data.claim_topics())
    keys = [c.key for c in CLAIMS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.key for c in CLAIMS])
def test_each_claim_is_complete_and_settles(claim: data.Claim) -> None:
    assert claim.verdict in VERDICTS
    assert claim.claim and claim.finding and claim.source and DATE.match(claim.as_of), claim.key
    if not claim.verified:
        assert claim.note, "say how the source was read"
    assert "{" not in claim.claim, "the claim is as readers meet it: no computed numbers"
    settled = claims.settle(claim)
    assert "{" not in settled.finding and "}" not in settled.finding
    assert settled.section and settled.href == claim.link
    # every output the claim reads is the package's, and the finding shows the ones it names
    for calc_run in settled.runs:
        result = run(calc_run.calculation.calculator, dict(calc_run.calculation.inputs))
        assert result["errors"] == []
        for shown in calc_run.outputs:
            assert shown.text == result["outputs"][shown.name]["text"]
            assert shown.value == result["outputs"][shown.name]["value"]
            if f"{{{calc_run.calculation.name}.{shown.name}}}" in claim.finding:
                assert shown.text in settled.finding
        assert calc_run.command.startswith(f"python -m calculators run {calc_run.calculation.calculator}")


def test_counts_equal_the_data() -> None:
    counts = claims.counts()
    assert [v for v, _, _ in counts] == list(VERDICTS)
    assert sum(n for _, _, n in counts) == len(CLAIMS)
    for verdict, _, n in counts:
        assert n == sum(1 for c in CLAIMS if c.verdict == verdict)


def test_the_home_page_claims() -> None:
    """Five or six numbers readers bring, each with a headline and a one-line summary, in a fixed order."""
    home = claims.home("index.md")
    assert 5 <= len(home) <= 6
    assert [s.claim.headline for s in home][:3] == ["$5.576M", "$294K", "27× cheaper"]
    assert len({s.claim.home for s in home}) == len(home)
    for s in home:
        assert s.summary and "{" not in s.summary and len(s.summary) < 200


def test_links_resolve_relative_to_the_page() -> None:
    settled = claims.settle(CLAIMS[0], "deep/page.md")
    assert settled.href == "../" + CLAIMS[0].link


def test_a_wrong_link_or_placeholder_stops_the_build() -> None:
    claim = CLAIMS[0]
    bad_link = data.Claim(**{**claim.__dict__, "link": "explainers/cost.md#no-such-section"})
    with pytest.raises(claims.ClaimError, match="no heading"):
        claims.settle(bad_link)
    bad_text = data.Claim(**{**claim.__dict__, "finding": "It is {bill.no_such_output}."})
    with pytest.raises(claims.ClaimError, match="none of its runs gives"):
        claims.settle(bad_text)
    bad_verdict = data.Claim(**{**claim.__dict__, "verdict": "mostly right"})
    with pytest.raises(claims.ClaimError, match="verdict"):
        claims.settle(bad_verdict)


def test_headings_make_the_sites_anchors() -> None:
    cost = claims.headings("explainers/cost.md")
    assert cost["why-5576m-is-real-but-narrow"] == 'Why "\\$5.576M" is real but narrow'
    serving = claims.headings("explainers/serving.md")
    assert "deepseeks-disclosure-reproduced" in serving  # an explicit { #id }


def test_key_figures_of_the_verdicts() -> None:
    """The numbers the most-read verdicts turn on."""
    by_key = {s.claim.key: s for s in claims.settled()}
    assert "$5.576M" in by_key["v3-5576m"].finding
    assert "27.4×" in by_key["r1-vs-o1-27x"].finding
    assert "93.3%" in by_key["mla-93-3"].finding and "82.2%" in by_key["mla-93-3"].finding
    assert "$1.10" in by_key["o3-mini"].finding  # o3-mini's input price; $0.55 is its cached input
    assert "22.1×" in by_key["llama-22x"].finding and "11.06×" in by_key["llama-22x"].finding
