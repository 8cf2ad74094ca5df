"""How numbers are written for readers: one place, so the prerendered page and the live widget agree.

Decimal (SI) and binary (IEC) prefixes are kept apart and named: 1 kB = 1000 B, 1 KiB = 1024 B.
"""

from __future__ import annotations

import math

__all__ = [
    "FORMATS",
    "format_bytes",
    "format_count",
    "format_flops",
    "format_number",
    "format_params",
    "format_percent",
    "format_value",
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

    >>> format_count(34560)
    '34,560'
    """
    return f"{round(value):,}"


def format_bytes(value: float) -> str:
    """Bytes with a decimal prefix, then the same with a binary prefix.

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

    >>> format_percent(0.93338)
    '93.3%'
    """
    return f"{fraction * 100:.1f}%"


def format_params(value: float) -> str:
    """A parameter count the way model cards write it: M for million, B for billion, T for trillion.

    >>> format_params(671_026_404_352), format_params(926_679_040), format_params(4096)
    ('671B', '926.7M', '4,096')
    """
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(value) >= scale:
            return f"{format_number(value / scale)}{suffix}"
    return format_number(value)


def format_flops(value: float) -> str:
    """Floating-point operations with a decimal prefix.

    >>> format_flops(7.5e10), format_flops(3.3e24)
    ('75 GFLOP', '3.3 YFLOP')
    """
    prefixes = ("", "k", "M", "G", "T", "P", "E", "Z", "Y")
    step = 0
    magnitude = abs(value)
    while magnitude >= 1000 and step < len(prefixes) - 1:
        magnitude /= 1000
        step += 1
    return f"{format_number(math.copysign(magnitude, value))} {prefixes[step]}FLOP"


FORMATS = {
    "number": format_number,
    "count": format_count,
    "bytes": format_bytes,
    "percent": format_percent,
    "params": format_params,
    "flops": format_flops,
}


def format_value(value: float | None, kind: str) -> str:
    """Format `value` by the display `kind` of an output: a key of `FORMATS`."""
    if value is None:
        return "n/a"
    return FORMATS[kind](value)
