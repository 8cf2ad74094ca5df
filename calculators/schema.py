"""What a calculator declares to the outside world: typed inputs, outputs, examples; and how inputs are read.

Inputs arrive as strings (a form, a URL, a command line) or numbers (Python, JSON). Reading never raises for bad
user input: each problem becomes a `FieldError` naming the field and saying what is wrong in plain words.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Calculator",
    "ChoiceField",
    "Example",
    "FieldError",
    "NumberField",
    "Output",
    "Plausible",
    "Result",
    "TextField",
    "Verdict",
    "grouped",
    "read_inputs",
]

_MAX_TEXT = 40  # characters of a bad value quoted back in a message
_NUMBER = re.compile(r"^[+-]?(\d+(_\d+)*|\d{1,3}(,\d{3})+)?(\.\d*)?([eE][+-]?\d+)?$")


@dataclass(frozen=True, kw_only=True)
class FieldError:
    """A problem with one input (`field` is None when it concerns the request as a whole)."""

    field: str | None
    message: str

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "message": self.message}


def _common_schema(f: Any) -> dict[str, Any]:
    """What every kind of input says about itself."""
    return {
        "name": f.name,
        "kind": f.kind,
        "label": f.label,
        "unit": f.unit,
        "symbol": f.symbol,
        "help": f.help,
        "default": f.default,
        "relevant_when": {k: list(v) for k, v in f.relevant_when.items()},
        "group": f.group,
        "advanced": f.advanced,
    }


@dataclass(frozen=True, kw_only=True)
class Plausible:
    """The range a numeric input plausibly takes, with where that range comes from: what a sensitivity analysis
    (`calculators.sensitivity`) varies the input over.

    `low` and `high` are values of the input, or, when `relative` is true, factors of its current value (0.8 and
    1.2 for ±20%): relative suits an input whose scale depends on the model or the accelerator chosen.
    `source` says where the range comes from ("an assumption" is an honest source).

    Examples:
        >>> Plausible(low=0.3, high=0.5, source="x").bounds(0.4)
        (0.3, 0.5)
        >>> Plausible(low=0.8, high=1.25, relative=True).bounds(2.0)
        (1.6, 2.5)
    """

    low: float
    high: float
    relative: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"a plausible range needs finite low < high, got {self.low}, {self.high}")

    def bounds(self, value: float) -> tuple[float, float]:
        """(low, high) for an input whose current value is `value`."""
        if self.relative:
            return value * self.low, value * self.high
        return self.low, self.high

    def schema(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "relative": self.relative, "source": self.source}


@dataclass(frozen=True, kw_only=True)
class NumberField:
    """A numeric input with its unit, bounds and help.

    `relevant_when` maps another field's name to the values for which this one matters; a field that does not
    matter is neither validated nor used, and the widget hides it. `group` names the heading the widget shows the
    field under (fields of one group need not be adjacent); `advanced` puts it among the inputs a widget folds away.
    `plausible` is the range a sensitivity analysis varies it over (without one: a stated ± percentage).
    """

    name: str
    label: str
    default: float
    unit: str = ""
    symbol: str = ""
    help: str = ""
    integer: bool = False
    minimum: float | None = None
    exclusive_minimum: bool = False
    maximum: float | None = None
    suggestions: tuple[tuple[float, str], ...] = ()
    relevant_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    group: str = ""
    advanced: bool = False
    plausible: Plausible | None = None
    kind: str = "number"

    def schema(self) -> dict[str, Any]:
        return {
            **_common_schema(self),
            "integer": self.integer,
            "minimum": self.minimum,
            "exclusive_minimum": self.exclusive_minimum,
            "maximum": self.maximum,
            "suggestions": [{"value": v, "label": label} for v, label in self.suggestions],
            "plausible": self.plausible.schema() if self.plausible else None,
        }

    def clamp(self, value: float) -> float | int:
        """`value` brought within the field's bounds (just inside an exclusive minimum), whole if the field is."""
        if self.maximum is not None:
            value = min(value, self.maximum)
        if self.minimum is not None:
            if self.exclusive_minimum and value <= self.minimum:
                value = math.nextafter(self.minimum, math.inf) if not self.integer else math.floor(self.minimum) + 1
            value = max(value, self.minimum)
        if self.integer:
            value = round(value)
            below = self.minimum is not None and (value < self.minimum or (self.exclusive_minimum and value <= self.minimum))
            if below:
                value = math.floor(self.minimum) + 1
            if self.maximum is not None and value > self.maximum:
                value = math.floor(self.maximum)
            return int(value)
        return value

    def _too_large(self) -> str:
        return f"Must be at most {_plain(self.maximum)}." if self.maximum is not None else "Enter a smaller number."

    def read(self, raw: Any) -> tuple[float | int | None, str | None]:
        """The value in `raw`, or an error message."""
        if isinstance(raw, bool):
            return None, "Enter a number, not true/false."
        if isinstance(raw, (int, float)):
            try:
                value = float(raw)
            except OverflowError:  # a Python int beyond the float range
                return None, self._too_large()
        elif isinstance(raw, str):
            text = raw.strip().replace("\u2009", "").replace(" ", "")
            if not text:
                return None, "Enter a number."
            if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
                return None, "Enter a finite number."
            if not _NUMBER.match(text) or not any(c.isdigit() for c in text):
                shown = raw.strip()
                if len(shown) > _MAX_TEXT:
                    shown = shown[:_MAX_TEXT] + "…"
                return None, f"“{shown}” is not a number."
            try:
                value = float(text.replace(",", "").replace("_", ""))
            except (ValueError, OverflowError):
                return None, "Enter a number."
            if not math.isfinite(value):  # digits too many for a float: too large, not "not a number"
                return None, self._too_large()
        else:
            return None, "Enter a number."
        if not math.isfinite(value):
            return None, "Enter a finite number."
        if self.integer:
            if value != math.floor(value):
                return None, "Enter a whole number."
        if self.minimum is not None:
            if self.exclusive_minimum and value <= self.minimum:
                return None, f"Must be greater than {_plain(self.minimum)}."
            if not self.exclusive_minimum and value < self.minimum:
                return None, f"Must be at least {_plain(self.minimum)}."
        if self.maximum is not None and value > self.maximum:
            return None, self._too_large()
        return (int(value) if self.integer else value), None


@dataclass(frozen=True, kw_only=True)
class ChoiceField:
    """An input that takes one of a fixed set of values."""

    name: str
    label: str
    default: str
    choices: tuple[tuple[str, str], ...]
    help: str = ""
    relevant_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    group: str = ""
    advanced: bool = False
    kind: str = "choice"
    unit: str = ""
    symbol: str = ""

    def schema(self) -> dict[str, Any]:
        return {**_common_schema(self), "choices": [{"value": v, "label": label} for v, label in self.choices]}

    def read(self, raw: Any) -> tuple[str | None, str | None]:
        text = raw.strip() if isinstance(raw, str) else raw
        for value, label in self.choices:
            if text == value or (isinstance(text, str) and text.lower() in (value.lower(), label.lower())):
                return value, None
        names = ", ".join(label for _, label in self.choices[:8])
        more = ", …" if len(self.choices) > 8 else ""
        return None, f"Choose one of: {names}{more}."


@dataclass(frozen=True, kw_only=True)
class TextField:
    """A free-text input: a pasted config.json, a list of numbers. Read as text up to `max_chars`; what the text
    must contain is checked by the calculator (its `check`, or `Calculator.from_config`).

    `accept` names the file types a widget's file chooser offers (empty: no chooser).
    """

    name: str
    label: str
    default: str = ""
    help: str = ""
    placeholder: str = ""
    max_chars: int = 200_000
    rows: int = 6
    accept: str = ""
    relevant_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    group: str = ""
    advanced: bool = False
    kind: str = "text"
    unit: str = ""
    symbol: str = ""

    def schema(self) -> dict[str, Any]:
        return {**_common_schema(self), "placeholder": self.placeholder, "max_chars": self.max_chars,
                "rows": self.rows, "accept": self.accept}

    def read(self, raw: Any) -> tuple[str | None, str | None]:
        if raw is None:
            return "", None
        if not isinstance(raw, str):
            return None, "Enter text."
        if len(raw) > self.max_chars:
            return None, f"Too long: {len(raw):,} characters; the limit is {self.max_chars:,}."
        return raw, None


Field = NumberField | ChoiceField | TextField


def grouped(group: str, *fields: Field, advanced: bool = False) -> tuple[Field, ...]:
    """`fields` (made by a shared helper) placed under the heading `group`, and folded away if `advanced`."""
    return tuple(dataclasses.replace(f, group=group, advanced=advanced or f.advanced) for f in fields)


@dataclass(frozen=True, kw_only=True)
class Output:
    """A computed quantity: how it is labelled and written (`format` is a key of `formatting.FORMATS`).

    `unit` is shown with every value: written after the number ("989.4 TFLOPS", "1.54×", "41.78 months"), or, for
    a format that writes its own unit, one of `formatting.CARRIED_UNITS` ("B", "FLOP", "USD", ...). A pure number
    has `formatting.DIMENSIONLESS`.

    `main` marks the few outputs a reader comes for: the widget shows their formulas with the numbers in them, and
    a sensitivity analysis looks at the first of them unless the calculator names another.
    """

    name: str
    label: str
    unit: str
    format: str = "number"
    help: str = ""
    main: bool = False

    def schema(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "unit": self.unit, "format": self.format, "help": self.help,
                "main": self.main}


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """A yes-or-no answer a result gives ("Does not fit"), shown as a verdict rather than left in a note.

    `ok` is True for the good answer, False for the bad one; `title` is the answer in a few words, `text` says why
    with the numbers.
    """

    ok: bool
    title: str
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "title": self.title, "text": self.text}


@dataclass(frozen=True, kw_only=True)
class Example:
    """A worked example: inputs (optionally over a preset) and the published values they reproduce."""

    title: str
    inputs: Mapping[str, Any]
    expected: Mapping[str, float] = field(default_factory=dict)
    source: str = ""

    def schema(self) -> dict[str, Any]:
        return {"title": self.title, "inputs": dict(self.inputs), "expected": dict(self.expected), "source": self.source}


@dataclass(frozen=True, kw_only=True)
class Result:
    """What a calculator's compute function returns: outputs by name (None where not applicable), notes, and
    chart specs (see `calculators.charts`), tables: ``{"title": str, "columns": [str, ...], "rows": [[str, ...],
    ...]}`` of text already formatted (written into the page as text, never as HTML), and verdicts (`Verdict`)."""

    values: Mapping[str, float | None]
    notes: tuple[str, ...] = ()
    charts: tuple[Mapping[str, Any], ...] = ()
    tables: tuple[Mapping[str, Any], ...] = ()
    verdicts: tuple[Verdict, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Calculator:
    """A calculator as the registry knows it.

    `compute` takes the validated inputs and returns a `Result`; `check` adds errors that involve several fields;
    `presets` maps a preset name to the inputs it fills; `preset_fields` lists which inputs a preset sets.
    `from_config`, for a calculator that takes a model, maps a `ModelArchitecture` read from the text of its
    ``config`` input to the inputs it fills, as a preset would. `groups` orders the fields' groups as the widget
    shows them (groups it leaves out follow in the order the fields name them): the first holds the few inputs that
    matter most, and on a phone the results come right after it. `sensitivity_output` names the output a
    sensitivity analysis looks at unless told otherwise (default: the first main output).
    """

    id: str
    title: str
    summary: str
    fields: tuple[Field, ...]
    outputs: tuple[Output, ...]
    compute: Callable[[Mapping[str, Any]], Result]
    check: Callable[[Mapping[str, Any]], list[FieldError]] = lambda values: []
    presets: Callable[[], Mapping[str, tuple[str, Mapping[str, Any]]]] = lambda: {}
    preset_fields: tuple[str, ...] = ()
    default_preset: str | None = None
    examples: tuple[Example, ...] = ()
    from_config: Callable[[Any], Mapping[str, Any]] | None = None
    groups: tuple[str, ...] = ()
    sensitivity_output: str = ""

    def __post_init__(self) -> None:
        # Presets are built once per process (they read data/ and may count a model), not on every run.
        object.__setattr__(self, "presets", functools.cache(self.presets))

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def schema(self) -> dict[str, Any]:
        """The JSON-able description the CLI, the docs build and the browser read."""
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "inputs": [f.schema() for f in self.fields],
            "outputs": [o.schema() for o in self.outputs],
            "presets": [{"name": name, "label": label} for name, (label, _) in self.presets().items()],
            "preset_fields": list(self.preset_fields),
            "default_preset": self.default_preset,
            "examples": [e.schema() for e in self.examples],
            "groups": self.group_order(),
            "sensitivity_output": self.default_sensitivity_output(),
        }

    def default_sensitivity_output(self) -> str:
        """The output a sensitivity analysis looks at unless told otherwise."""
        if self.sensitivity_output:
            return self.sensitivity_output
        return next((o.name for o in self.outputs if o.main), self.outputs[0].name)

    def group_order(self) -> list[str]:
        """The fields' groups in the order the widget shows them (see `groups`); "" for fields without one."""
        order = [g for g in self.groups if any(f.group == g for f in self.fields)]
        for f in self.fields:
            if f.group not in order:
                order.append(f.group)
        return order


def is_relevant(f: Field, values: Mapping[str, Any]) -> bool:
    """Whether field `f` matters given the (already read) values of the fields it depends on."""
    return all(values.get(dep) in allowed for dep, allowed in f.relevant_when.items())


def read_inputs(calc: Calculator, inputs: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Read `inputs` (strings or numbers; may include ``preset``) against `calc`'s fields.

    Defaults first, then the preset's inputs, then those a ``config`` text fills (calculators with
    `Calculator.from_config`), then the explicit inputs. Fields that do not matter for the chosen options get no
    message: a value they cannot read is replaced by their default. Returns the values and the errors.
    """
    errors: list[FieldError] = []
    if not isinstance(inputs, Mapping):
        return {}, [FieldError(field=None, message="Inputs must be a mapping of names to values.")]
    merged: dict[str, Any] = {f.name: f.default for f in calc.fields}
    preset_name = inputs.get("preset")
    presets = calc.presets()
    chosen = preset_name if preset_name not in (None, "", "custom") else None
    if chosen is not None:
        if not isinstance(chosen, str) or chosen not in presets:
            shown = str(chosen)[:_MAX_TEXT]
            known = ", ".join(presets)
            errors.append(FieldError(field="preset", message=f"No preset named “{shown}”. Known: {known}."))
        else:
            merged.update(presets[chosen][1])
    config_text = inputs.get("config")
    config_field = calc.field("config")
    readable = config_field is None or config_field.read(config_text)[1] is None
    if calc.from_config is not None and isinstance(config_text, str) and config_text.strip() and readable:
        from .model_config import ConfigError, architecture_from_json  # noqa: PLC0415 (schema stays model-agnostic)

        try:
            merged.update(calc.from_config(architecture_from_json(config_text)))
        except ConfigError as exc:
            errors.append(FieldError(field="config", message=str(exc)))
    for name, raw in inputs.items():
        if name == "preset":
            continue
        if calc.field(name) is None:
            errors.append(FieldError(field=name, message=f"{calc.title} has no input named “{str(name)[:_MAX_TEXT]}”."))
            continue
        merged[name] = raw
    values: dict[str, Any] = {}
    # Choice fields first: they decide which numeric fields are relevant.
    ordered = sorted(calc.fields, key=lambda f: 0 if isinstance(f, ChoiceField) else 1)
    for f in ordered:
        if not is_relevant(f, values):
            # Not validated (a field that does not matter gets no message), but still read, so that it has its
            # type whatever arrives (a form sends text): a value that cannot be read becomes the default.
            value, message = f.read(merged[f.name])
            values[f.name] = f.default if message is not None else value
            continue
        value, message = f.read(merged[f.name])
        if message is not None:
            errors.append(FieldError(field=f.name, message=message))
        else:
            values[f.name] = value
    if not errors:
        errors.extend(calc.check(values))
    values["preset"] = chosen if isinstance(chosen, str) and chosen in presets else None
    return values, errors


def _plain(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"
