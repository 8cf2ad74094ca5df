"""The Notation page is the one source of symbols: each symbol has one meaning, every symbol a widget shows is
listed, and every subscripted symbol a page or a docstring writes is listed (issue 10: the cost page used D for
tokens while the notation page used it for the model width)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from calculators import calculator_ids, get_calculator
from calculators.notation import GROUPS, symbols

ROOT = Path(__file__).resolve().parents[1]
FORMS = {form: s for s in symbols() for form in s.forms}
# a symbol with a word as subscript: a letter (not part of a command or a word), \mathrm{..}, \text{..} or
# \mathbf{..}, then _\text{word} or _{word}
SUBSCRIPTED = re.compile(r"(?:(?<![\\A-Za-z])[A-Za-z]|\\(?:mathrm|text|mathbf)\{[A-Za-z-]+\})"
                         r"_(?:\\text\{[A-Za-z-]+\}|\{[A-Za-z]{2,}\})")


def _tex_in_docs() -> list[tuple[str, str]]:
    """(where, text) of every page and every docstring of the package."""
    out = [(p.relative_to(ROOT).as_posix(), p.read_text()) for p in sorted((ROOT / "docs").rglob("*.md"))]
    for path in sorted((ROOT / "calculators").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)):
                doc = ast.get_docstring(node, clean=False)
                if doc:
                    out.append((f"{path.relative_to(ROOT).as_posix()}:{getattr(node, 'name', '')}", doc))
    return out


def test_each_symbol_is_listed_once_in_a_known_group() -> None:
    forms = [form for s in symbols() for form in s.forms]
    assert len(forms) == len(set(forms)), sorted(f for f in forms if forms.count(f) > 1)
    plains = [s.plain for s in symbols() if s.plain]
    assert len(plains) == len(set(plains))
    assert {s.group for s in symbols()} == set(GROUPS)
    for s in symbols():
        assert "$" not in s.meaning and "$" not in s.key, s.tex  # a page escapes dollars: formulas are \( \)
        assert "|" not in s.meaning.replace("\\lvert", "").replace("\\rvert", ""), s.tex  # a table cell


@pytest.mark.parametrize("calculator_id", calculator_ids())
def test_every_symbol_a_widget_shows_is_on_the_notation_page(calculator_id: str) -> None:
    plains = {s.plain for s in symbols() if s.plain}
    for f in get_calculator(calculator_id).fields:
        if f.symbol:
            assert f.symbol in plains, (calculator_id, f.name, f.symbol)


def test_every_subscripted_symbol_in_pages_and_docstrings_is_listed() -> None:
    free = {form.split("_")[0] for s in symbols() if s.free_subscripts for form in s.forms}
    missing = []
    for where, text in _tex_in_docs():
        for match in SUBSCRIPTED.finditer(text):
            form = match.group(0)
            base = form.split("_")[0] if not form.startswith("\\") else form.split("}_")[0] + "}"
            if form not in FORMS and base not in free:
                missing.append((where, form))
    assert not missing, missing


def test_the_cost_symbols_no_longer_collide_with_the_models() -> None:
    """The collisions issue 10 found: D for training tokens, H for GPU-hours, K for capital, M for the node limit."""
    for where, text in _tex_in_docs():
        assert not re.search(r"N_\\text\{active\}\s*\\?,?\s*D\b", text), where  # C = 6 N_active D
        assert not re.search(r"\\frac\{C\}\{3600 \\cdot H", text), where
        assert "K \\cdot \\mathrm{CRF}" not in text, where
        assert "M_t" not in text, where
