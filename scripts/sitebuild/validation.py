"""The published figures the tests reproduce (`data/validation.toml`), computed by the package: one function for the
validation page and for `tests/test_validation.py`, so the two cannot disagree."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import calculators
from calculators import data
from calculators.formatting import format_number

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("exact", "relative", "printed")


class ValidationError(ValueError):
    """A record names an unknown calculator or output, or its calculation fails: the build and the test stop."""


@dataclass(frozen=True)
class Checked:
    """One published figure against ours: the values in the output's unit, and how the page writes them."""

    record: data.Reproduction
    ours: float
    difference: float
    relative_difference: float | None
    within: bool

    @property
    def agrees(self) -> bool:
        """What the record expects: within tolerance, or (a recorded misprint) outside it."""
        return self.within if self.record.expect == "match" else not self.within

    def shown(self, value: float) -> str:
        """`value` as the page writes it: divided by `shown.scale`, to `shown.decimals` places, with the unit
        (a unit starting with "$" goes before the number)."""
        return _written(value, self.record.shown)

    @property
    def ours_text(self) -> str:
        return self.shown(self.ours)

    @property
    def difference_text(self) -> str:
        if math.isclose(self.ours, float(self.record.published), rel_tol=1e-12, abs_tol=1e-12):
            return "0"
        text = self.shown(self.difference)
        text = text if text.startswith("−") else f"+{text}"
        if self.relative_difference is not None:
            text += f" ({self.relative_difference * 100:+.3g}%)".replace("-", "−")
        return text

    @property
    def tolerance_text(self) -> str:
        kind, tolerance = self.record.tolerance_kind, self.record.tolerance
        if kind == "exact":
            return "exact"
        if kind == "relative":
            return f"±{format_number(tolerance * 100, 3)}% (relative)"
        return f"±{_written(tolerance, {**self.record.shown, 'decimals': None})} (printed precision)"


def _written(value: float, spec: Any) -> str:
    scaled = value / spec.get("scale", 1)
    decimals = spec.get("decimals")
    digits = f"{abs(scaled):,.{decimals}f}" if decimals is not None else format_number(abs(scaled), 4)
    unit = spec.get("unit", "")
    sign = "−" if scaled < 0 else ""
    if unit.startswith("$"):
        return f"{sign}${digits}{unit[1:]}"
    space = "" if unit in ("", "K", "B", "M", "%", "×") else " "
    return f"{sign}{digits}{space}{unit}"


def cell(text: str) -> str:
    """Text for a Markdown table cell: a "|" would end the cell."""
    return text.replace("|", "\\|")


def _config_text(path: str) -> str:
    full = (ROOT / path).resolve()
    if ROOT not in full.parents:
        raise ValidationError(f"config_file {path!r} is outside the repository")
    return full.read_text()


def _value(calculator_id: str, inputs: dict[str, Any], output: str, key: str) -> float:
    if calculators.get_calculator(calculator_id) is None:
        raise ValidationError(f"{key}: no calculator {calculator_id!r}")
    result = calculators.run(calculator_id, inputs)
    if result["errors"]:
        raise ValidationError(f"{key}: {calculator_id} {inputs}: {result['errors']}")
    if output not in result["outputs"]:
        raise ValidationError(f"{key}: {calculator_id} has no output {output!r}")
    value = result["outputs"][output]["value"]
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(f"{key}: {calculator_id}.{output} gave {value!r}")
    return float(value)


def inputs_of(record: data.Reproduction) -> dict[str, Any]:
    """The calculator inputs of a record, its `config_file` read in as the ``config`` input."""
    inputs = dict(record.inputs)
    if record.config_file:
        inputs["config"] = _config_text(record.config_file)
    return inputs


def check(record: data.Reproduction) -> Checked:
    """Run a record's calculation and compare it with the published figure, at the record's tolerance."""
    if record.tolerance_kind not in KINDS:
        raise ValidationError(f"{record.key}: tolerance_kind {record.tolerance_kind!r} is not one of {KINDS}")
    ours = _value(record.calculator, inputs_of(record), record.output, record.key)
    if record.over is not None:
        over = _value(record.over["calculator"], dict(record.over.get("inputs", {})), record.over["output"],
                      record.key)
        ours = 1 - ours / over if record.reduction else ours / over
    published = float(record.published)
    difference = ours - published
    relative = difference / published if published else None
    if record.tolerance_kind == "exact":
        within = math.isclose(ours, published, rel_tol=1e-12, abs_tol=1e-12)
    elif record.tolerance_kind == "relative":
        within = relative is not None and abs(relative) <= record.tolerance * (1 + 1e-9)
    else:
        within = abs(difference) <= record.tolerance * (1 + 1e-9)
    return Checked(record, ours, difference, relative, within)


@cache
def checked() -> tuple[Checked, ...]:
    """Every record of `data/validation.toml`, checked, in file order."""
    return tuple(check(record) for record in data.reproductions())


def groups() -> list[tuple[str, list[Checked]]]:
    """The checked records by group, groups in order of first appearance."""
    out: dict[str, list[Checked]] = {}
    for item in checked():
        out.setdefault(item.record.group, []).append(item)
    return list(out.items())
