"""How numbers are written for readers: one place, so the prerendered page and the live widget agree.

Decimal (SI) and binary (IEC) prefixes are kept apart and named: 1 kB = 1000 B, 1 KiB = 1024 B.
"""

from __future__ import annotations

import math

__all__ = [
    "CARRIED_UNITS",
    "DIMENSIONLESS",
    "FORMATS",
    "format_bytes",
    "format_count",
    "format_flops",
    "format_hours",
    "format_number",
    "format_params",
    "format_percent",
    "format_price",
    "format_usd",
    "format_value",
    "with_unit",
]

_SI = ("B", "kB", "MB", "GB", "TB", "PB", "EB")
_IEC = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def _scaled(value: float, base: int, units: tuple[str, ...]) -> tuple[float, str]:
    magnitude = abs(value)
    step = 0
    while magnitude >= base and step < len(units) - 1:
        magnitude /= base
        step += 1
    return math.copysign(magnitude, value), units[step]


def format_number(value: float, significant: int = 4) -> str:
    """A number to `significant` digits, with thousands separators and no exponent below 10^15.

    Examples:
        >>> format_number(2.25)
        '2.25'
        >>> format_number(1234567.8)
        '1,235,000'
        >>> format_number(0.000123456)
        '0.0001235'
    """
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e15:
        return f"{value:.{significant - 1}e}"
    digits = significant - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, digits)
    if digits <= 0:
        return f"{int(rounded):,}"
    text = f"{rounded:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_count(value: float) -> str:
    """A whole count with thousands separators.

    Examples:
        >>> format_count(34560)
        '34,560'
    """
    return f"{round(value):,}"


def format_bytes(value: float) -> str:
    """Bytes with a decimal prefix, then the same with a binary prefix.

    Examples:
        >>> format_bytes(70272)
        '70.27 kB (68.62 KiB)'
        >>> format_bytes(576)
        '576 B'
    """
    si, si_unit = _scaled(value, 1000, _SI)
    if si_unit == "B":
        return f"{format_number(value)} B"
    iec, iec_unit = _scaled(value, 1024, _IEC)
    return f"{format_number(si)} {si_unit} ({format_number(iec)} {iec_unit})"


def format_percent(fraction: float) -> str:
    """A fraction as a percentage to one decimal place.

    Examples:
        >>> format_percent(0.93338)
        '93.3%'
    """
    return f"{fraction * 100:.1f}%"


def format_params(value: float) -> str:
    """A parameter count the way model cards write it: M for million, B for billion, T for trillion.

    Examples:
        >>> format_params(671_026_404_352), format_params(926_679_040), format_params(4096)
        ('671B', '926.7M', '4,096')
    """
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(value) >= scale:
            return f"{format_number(value / scale)}{suffix}"
    return format_number(value)


def format_flops(value: float) -> str:
    """Floating-point operations with a decimal prefix up to peta; beyond, as a power of ten (few readers know
    exa, zetta and yotta by heart).

    Examples:
        >>> format_flops(7.5e10), format_flops(3.3e24), format_flops(2.5e15)
        ('75 GFLOP', '3.3 × 10²⁴ FLOP', '2.5 PFLOP')
    """
    prefixes = ("", "k", "M", "G", "T", "P")
    magnitude = abs(value)
    if magnitude >= 1e18:
        exponent = math.floor(math.log10(magnitude))
        mantissa = value / 10**exponent
        if abs(float(format_number(mantissa))) >= 10:  # 9.9996e20 rounds to 10
            exponent += 1
            mantissa /= 10
        superscript = str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
        return f"{format_number(mantissa)} × 10{superscript} FLOP"
    step = 0
    while magnitude >= 1000 and step < len(prefixes) - 1:
        magnitude /= 1000
        step += 1
    return f"{format_number(math.copysign(magnitude, value))} {prefixes[step]}FLOP"


def format_usd(value: float) -> str:
    """US dollars the way cost tables write them: K for thousand, M for million, B for billion.

    Examples:
        >>> format_usd(5_576_000), format_usd(294_672), format_usd(1.6e9), format_usd(2), format_usd(0.105)
        ('$5.576M', '$294.7K', '$1.6B', '$2', '$0.105')
    """
    sign = "-" if value < 0 else ""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= scale:
            return f"{sign}${format_number(abs(value) / scale)}{suffix}"
    return f"{sign}${format_number(abs(value))}"


def format_price(value: float) -> str:
    """A price per unit the way price lists print it: dollars and cents, more digits only where the list has them.

    >>> format_price(1.1), format_price(60), format_price(0.014), format_price(0.135), format_price(0.028)
    ('$1.10', '$60.00', '$0.014', '$0.135', '$0.028')
    """
    if round(value, 2) == value:
        return f"${value:,.2f}"
    return f"${format_number(value)}"


def format_hours(value: float) -> str:
    """Hours, with days beside them from two days up.

    Examples:
        >>> format_hours(87.890625), format_hours(1300.78125), format_hours(0.5)
        ('87.89 h (3.662 days)', '1,301 h (54.2 days)', '0.5 h')
    """
    if value >= 48:
        return f"{format_number(value)} h ({format_number(value / 24)} days)"
    return f"{format_number(value)} h"


FORMATS = {
    "number": format_number,
    "count": format_count,
    "bytes": format_bytes,
    "percent": format_percent,
    "params": format_params,
    "flops": format_flops,
    "usd": format_usd,
    "price": format_price,
    "hours": format_hours,
}


DIMENSIONLESS = "dimensionless"
"""The unit of a pure number (an advantage, a reward): written with no unit after it."""

CARRIED_UNITS: dict[str, tuple[str, ...]] = {
    "bytes": ("B", "bytes"),
    "flops": ("FLOP",),
    "usd": ("USD",),
    "percent": ("fraction",),
    "hours": ("hours",),
    "params": ("parameters",),
}
"""The units a format writes itself: `70.27 kB`, `75 GFLOP`, `$5.576M`, `93.3%`, `87.89 h`, and parameter counts as
model cards write them, `671B`. An output in one of these formats has one of these units, or one of them followed by
" per ..." (the rest is written after the number: `$2.094 per GPU-hour`)."""


def _singular(unit: str) -> str:
    """'GPUs' -> 'GPU', 'GPU-hours' -> 'GPU-hour'; 'tokens/s' and 'TFLOPS' stay."""
    if unit.endswith("s") and not unit.endswith("/s"):
        return unit[:-1]
    return unit


def with_unit(text: str, value: float, kind: str, unit: str) -> str:
    """`text` (a value written by `kind`) with its `unit`, unless the format already writes it.

    "×" follows the number without a space; a count of 1 takes the singular.

    Examples:
        >>> with_unit("989.4", 989.4, "number", "TFLOPS"), with_unit("1.539", 1.539, "number", "×")
        ('989.4 TFLOPS', '1.539×')
        >>> with_unit("1", 1, "count", "GPUs"), with_unit("$2.094", 2.094, "usd", "USD per GPU-hour")
        ('1 GPU', '$2.094 per GPU-hour')
        >>> with_unit("0.866", 0.866, "number", "dimensionless"), with_unit("93.3%", 0.933, "percent", "fraction")
        ('0.866', '93.3%')
    """
    if not unit or unit == DIMENSIONLESS:
        return text
    for carried in CARRIED_UNITS.get(kind, ()):
        if unit == carried:
            return text
        if unit.startswith(carried + " per "):
            return f"{text}{unit[len(carried):]}"
    if unit == "×":
        return f"{text}×"
    return f"{text} {_singular(unit) if value == 1 else unit}"


def format_value(value: float | None, kind: str, unit: str = "") -> str:
    """Format `value` by the display `kind` of an output (a key of `FORMATS`), with its `unit` (`with_unit`).

    Examples:
        >>> format_value(41.78, "number", "months"), format_value(None, "number", "months")
        ('41.78 months', 'n/a')
    """
    if value is None:
        return "n/a"
    return with_unit(FORMATS[kind](value), value, kind, unit)
