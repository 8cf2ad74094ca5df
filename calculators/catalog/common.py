"""Inputs several calculators share: the accelerator list and the config.json field."""

from __future__ import annotations

from .. import data
from ..model_config import MAX_CONFIG_CHARS
from ..schema import TextField


def _accelerator_choices() -> tuple[tuple[str, str], ...]:
    return (("none", "None"),) + tuple((key, acc.name) for key, acc in data.accelerators().items())


ACCELERATOR_CHOICES = _accelerator_choices()
WITH_ACCELERATOR = {"accelerator": tuple(key for key, _ in ACCELERATOR_CHOICES if key != "none")}
WEIGHT_PRECISIONS = ((16, "BF16"), (8, "FP8"), (4, "4-bit"))


def config_field(*, fills: str, rows: int = 3) -> TextField:
    """The ``config`` input: the text of a Hugging Face config.json, pasted or read from a file in the browser."""
    return TextField(
        name="config",
        label="Import a config.json",
        help=f"Paste a Hugging Face config.json or choose the file: it {fills}. It is read in your browser; "
             "nothing is uploaded.",
        placeholder='{"hidden_size": 4096, "num_hidden_layers": 32, ...}',
        max_chars=MAX_CONFIG_CHARS,
        rows=rows,
        accept=".json,application/json",
    )
