"""The docs build glue, without building the site: calculator blocks and their stable names."""

from __future__ import annotations

import pytest

from sitebuild.render import WidgetError, calculator_pages, extract_widgets


def test_a_block_becomes_a_named_slot_and_its_inputs() -> None:
    text = "Intro\n\n```calculator\nid: kv-cache\npreset: deepseek-v3\n# a comment\ncontext_length: 4096\n```\n"
    markdown, specs = extract_widgets(text, "p.md")
    assert [(s.calculator_id, s.name, s.inputs) for s in specs] == [
        ("kv-cache", "kv-cache", {"preset": "deepseek-v3", "context_length": "4096"})]
    assert '<div data-calc-slot="kv-cache"></div>' in markdown and "```" not in markdown


def test_two_widgets_of_one_calculator_need_names() -> None:
    block = "```calculator\nid: run-bill\n{}```\n"
    with pytest.raises(WidgetError, match="two widgets named 'run-bill'"):
        extract_widgets(block.format("") + block.format(""), "p.md")
    _, specs = extract_widgets(block.format("") + block.format("name: r1-bill\n"), "p.md")
    assert [s.name for s in specs] == ["run-bill", "r1-bill"]


@pytest.mark.parametrize("name", ["R1", "a b", "-x", "x" * 50, "<b>"])
def test_a_widget_name_is_a_plain_slug(name: str) -> None:
    with pytest.raises(WidgetError, match="must be lower-case"):
        extract_widgets(f"```calculator\nid: run-bill\nname: {name}\n```\n", "p.md")


def test_blocks_inside_other_fences_are_left_alone() -> None:
    text = "````markdown\n```calculator\nid: kv-cache\n```\n````\n"
    assert extract_widgets(text, "p.md") == (text, [])


def test_calculator_pages_link_each_calculator_to_its_first_page() -> None:
    pages = calculator_pages("reference/index.md")
    assert pages["kv-cache"].endswith("(../explainers/mla-kv-cache.md)")  # before running-locally.md, sorted
    assert pages["run-bill"].endswith("(../explainers/cost.md)")
