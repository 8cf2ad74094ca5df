r"""Formulas with the reader's numbers in them: each formula is declared once, in the docstring of the function that
computes it, and shown with the values of one run substituted.

A domain function marks itself with `formula`, naming the TeX symbol of each keyword argument; its formula is the
first inline formula of its docstring that has an equals sign (``$\text{GPU-hours} = \dfrac{C}{3600 \cdot P \cdot
\mathrm{MFU}}$``). While `tracing` is on (`calculators.run` turns it on around a calculator's compute), each call of
a marked function is recorded with its arguments and its result; `explain` then finds, for each main output, the
call whose result is that output (or whose result's `total` is, for a breakdown by parts) and writes the formula
three times: with symbols, with the numbers, and the result.

Symbols follow `calculators.notation`; tests/test_formulas.py checks that every declared symbol occurs in its formula
and is on the Notation page.

Outside a trace a marked function costs one attribute check per call; its doctests, signature and docstring are
its own (the wrapper keeps the function's module globals, so doctest still finds it).
"""

from __future__ import annotations

import functools
import math
import re
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["STEP_SEPARATOR", "Call", "Formula", "explain", "formula", "formulas", "tex_number", "tracing"]

STEP_SEPARATOR = r" \\[0.4em] "
"""What separates the steps `explain` writes (each a formula, its numbers and its result) in one aligned block."""

MAX_STEPS = 3
"""Formulas shown before an output's own at most: those that computed its arguments and those it calls."""

MAX_CALLS = 5000
"""Calls one trace records at most; later ones run untraced (a chart may call a formula hundreds of times)."""

_SPACING = re.compile(r"(?:\\[,;:! ]|\s)+$")  # trailing spaces and TeX's spacing commands
_COMMAND = re.compile(r"\\[A-Za-z]+$")  # a trailing command (\cdot, \times, \left): an operator, not a factor
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$([^$]+)\$", re.S)


@dataclass(frozen=True)
class Formula:
    """A formula as a function's docstring states it: the left side, the right side, and the TeX symbol of each
    keyword argument that appears in it."""

    function: str
    lhs: str
    rhs: str
    symbols: Mapping[str, str]

    def substitute(self, values: Mapping[str, Any]) -> str:
        """The right side with each argument's symbol replaced by its value (`tex_number`), and a multiplication
        sign written where two numbers would otherwise stand side by side."""
        return _substitute(self.rhs, {self.symbols[k]: v for k, v in values.items() if k in self.symbols})

    def missing_symbols(self) -> list[str]:
        """Symbols declared for arguments that the right side does not contain (a declaration to fix)."""
        found = _substitute(self.rhs, dict.fromkeys(self.symbols.values()), render=lambda s: f"\x00{s}\x00")
        return [s for s in self.symbols.values() if f"\x00{s}\x00" not in found]


@dataclass
class Call:
    """One recorded call of a formula: its arguments, its result, and the index of the call it happened inside."""

    formula: Formula
    arguments: dict[str, Any]
    result: Any = None
    parent: int | None = None


class _Tracer:
    """The one trace in progress (Pyodide and the CLI run one calculation at a time)."""

    def __init__(self) -> None:
        self.calls: list[Call] | None = None
        self.open: list[int] = []

    def call(self, fn: Callable[..., Any], spec: Formula, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        calls = self.calls
        if calls is None or len(calls) >= MAX_CALLS:
            return fn(*args, **kwargs)
        index = len(calls)
        arguments = {**(fn.__kwdefaults__ or {}), **kwargs}  # an argument left at its default shows its value
        calls.append(Call(spec, arguments, None, self.open[-1] if self.open else None))
        self.open.append(index)
        try:
            result = fn(*args, **kwargs)
        finally:
            self.open.pop()
        calls[index].result = result
        return result


_TRACER = _Tracer()
_REGISTERED: dict[str, Callable[..., Any]] = {}


def formula(**symbols: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    r"""Mark a keyword-only function as a formula; `symbols` maps each of its arguments to its TeX symbol (as
    `calculators.notation` writes it). The formula is the first ``$...$`` or ``$$...$$`` of its docstring with an
    ``=`` in it.

    Examples:
        >>> @formula(gpu_hours="\\text{GPU-hours}", gpus="n_\\text{GPU}")
        ... def hours(*, gpu_hours, gpus):
        ...     r'''$\text{hours} = \text{GPU-hours} / n_\text{GPU}$'''
        ...     return gpu_hours / gpus
        >>> with tracing() as calls:
        ...     hours(gpu_hours=180_000, gpus=2048)
        87.890625
        >>> explain(calls, 87.890625)
        '\\text{hours} &= \\text{GPU-hours} / n_\\text{GPU} \\\\ &= 180{,}000 / 2{,}048 \\\\ &= 87.89'
    """

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        spec = _parse(fn, symbols)
        tracer = _TRACER

        def traced(*args: Any, **kwargs: Any) -> Any:
            if tracer.calls is None:
                return fn(*args, **kwargs)
            return tracer.call(fn, spec, args, kwargs)

        # The wrapper runs in the marked function's module globals (it reads only its closure), so that doctest,
        # which looks for a module's functions by their globals, still finds the marked function and its examples.
        wrapper = types.FunctionType(traced.__code__, fn.__globals__, fn.__name__, traced.__defaults__,
                                     traced.__closure__)
        functools.update_wrapper(wrapper, fn)
        wrapper.formula = spec  # type: ignore[attr-defined]
        _REGISTERED[f"{fn.__module__}.{fn.__qualname__}"] = wrapper
        return wrapper

    return mark


def formulas() -> dict[str, Callable[..., Any]]:
    """Every function marked with `formula` so far (qualified name -> function); each carries ``.formula``."""
    return dict(_REGISTERED)


@contextmanager
def tracing() -> Iterator[list[Call]]:
    """Record the calls of marked functions made inside the ``with`` block into the list it yields."""
    saved, saved_open = _TRACER.calls, _TRACER.open
    calls: list[Call] = []
    _TRACER.calls, _TRACER.open = calls, []
    try:
        yield calls
    finally:
        _TRACER.calls, _TRACER.open = saved, saved_open


def explain(calls: Sequence[Call], value: Any) -> str | None:
    r"""The formula that produced `value`, as the body of a TeX ``aligned`` block: the formula, the same with the
    numbers in it, and the result; preceded by the formulas that computed its arguments (an earlier call whose
    result is an argument's value) and those called inside it. None if no recorded call returned exactly `value`
    (an output computed some other way has no formula to show).

    The first call at the outermost level whose result equals `value` is chosen (a chart may call the formula again
    with other numbers; those results differ).
    """
    chosen = _call_returning(calls, value, len(calls))
    if chosen is None:
        return None
    steps: list[int] = []
    for argument in calls[chosen].arguments.values():  # where its inputs came from, one step back
        feeder = _call_returning(calls, argument, chosen)
        if feeder is not None and feeder not in steps and len(steps) < MAX_STEPS:
            steps.append(feeder)
    for index, call in enumerate(calls):  # what it called itself
        if call.parent == chosen and _number(_value(call.result)) and index not in steps and len(steps) < MAX_STEPS:
            steps.append(index)
    steps.append(chosen)
    return STEP_SEPARATOR.join(_lines(calls[i]) for i in steps)


def _call_returning(calls: Sequence[Call], value: Any, before: int) -> int | None:
    """The first outermost call before index `before` that returned exactly `value` (else the first nested one);
    None for a value that is not a number, or is 0 or ±1 (too common to say where it came from)."""
    if not _number(value) or value in (0, 1, -1):
        return None
    found = None
    for index in range(min(before, len(calls))):
        call = calls[index]
        if _number(_value(call.result)) and _value(call.result) == value:
            if call.parent is None:
                return index
            if found is None:
                found = index
    return found


def _number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _value(result: Any) -> Any:
    """A formula's result as a number: itself, or the `total` of a breakdown (a request's cost by token class)."""
    return getattr(result, "total", result) if not _number(result) else result


def _lines(call: Call) -> str:
    spec = call.formula
    return (rf"{spec.lhs} &= {spec.rhs} \\ &= {spec.substitute(call.arguments)} \\ "
            rf"&= {tex_number(_value(call.result))}")


def tex_number(value: float) -> str:
    r"""A number as TeX, to 4 significant digits: thousands grouped (``{,}``), from 1,000 up to 10^9 rounded to a
    whole number, 10^9 and beyond, and below 10^-3, as a power of ten.

    Examples:
        >>> tex_number(2282801.3), tex_number(3.252e24), tex_number(0.4), tex_number(989.4e12), tex_number(-2)
        ('2{,}282{,}801', '3.252 \\times 10^{24}', '0.4', '9.894 \\times 10^{14}', '-2')
        >>> tex_number(0.000123), tex_number(0)
        ('1.23 \\times 10^{-4}', '0')
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return r"\text{?}"
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return r"\infty" if value > 0 else r"-\infty"
    magnitude = abs(value)
    if magnitude >= 1e9 or magnitude < 1e-3:
        mantissa, exponent = f"{value:.3e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    if magnitude >= 1000:
        return f"{round(value):,}".replace(",", "{,}")
    digits = 3 - math.floor(math.log10(magnitude))
    text = f"{round(value, digits):.{max(digits, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _parse(fn: Callable[..., Any], symbols: Mapping[str, str]) -> Formula:
    """The formula stated in `fn`'s docstring: its first formula (``$...$`` or ``$$...$$``) with an equals sign at
    the top level."""
    doc = fn.__doc__ or ""
    name = f"{fn.__module__}.{fn.__qualname__}"
    for match in _MATH.finditer(doc):
        tex = " ".join((match.group(1) or match.group(2)).split())
        split = _top_level_equals(tex)
        if split is not None:
            rhs = tex[split + 1:]
            again = _top_level_equals(rhs)  # "a = b = c": the formula is a = b
            return Formula(name, tex[:split].strip(), (rhs if again is None else rhs[:again]).strip(), dict(symbols))
    raise ValueError(f"{name}: its docstring states no formula ($... = ...$)")


def _top_level_equals(tex: str) -> int | None:
    depth = 0
    for i, ch in enumerate(tex):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "=" and depth == 0:
            return i
    return None


def _substitute(tex: str, values: Mapping[str, Any], render: Callable[[str], str] | None = None) -> str:
    r"""Replace each symbol (a key of `values`) where it stands as a whole symbol: not inside a command's name or a
    word, not followed by a letter or a subscript (``N`` is not ``N_\text{active}``). Each value is written by
    `tex_number` (in braces as an exponent, so ``^Y`` becomes ``^{4}``; in parentheses when raised to a power),
    with a multiplication sign where two numbers would stand side by side. `render` writes a symbol some other way
    (to find which symbols occur)."""
    order = sorted(values, key=len, reverse=True)
    out = ""
    value_end = -1  # len(out) right after the last value written
    i, n = 0, len(tex)
    while i < n:
        symbol = None
        if i == 0 or not (tex[i - 1].isalpha() or tex[i - 1] == "\\"):
            for candidate in order:
                end = i + len(candidate)
                if tex.startswith(candidate, i) and (end >= n or not (tex[end].isalpha() or tex[end] == "_")):
                    symbol = candidate
                    break
        if symbol is None:
            j = i + 1
            if tex[i] == "\\":  # a command's name is copied whole, so that no symbol matches inside it
                while j < n and tex[j].isalpha():
                    j += 1
                j = max(j, i + 2)
            out += tex[i:j]
            i = j
            continue
        if render is not None:
            text = render(symbol)
        else:
            text = tex_number(values[symbol])
            if text.startswith("-"):
                text = f"({text})"
        before = _SPACING.sub("", out)
        if before and (len(before) == value_end or (not _COMMAND.search(before) and (
                before[-1].isdigit() or before[-1] in ")}" or before[-1].isalpha()))):
            out = before + r" \times "  # a number after a number, a bracket or a symbol: a product
        after = tex[i + len(symbol):].lstrip()[:1]
        if out[-1:] in ("^", "_"):
            text = "{" + text + "}"  # an exponent: ^Y becomes ^{4}
        elif after == "^" and render is None and (" " in text or "." in text or text.startswith("(")):
            text = f"({text})"  # a number raised to a power: (0.08)^2
        out += text
        value_end = len(out)
        i += len(symbol)
        if after == "(" or after.isdigit():
            out += r" \times "
            while i < n and tex[i] == " ":
                i += 1
    return out
