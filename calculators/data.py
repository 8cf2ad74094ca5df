"""The one module that reads `data/`: model records and accelerators, with their sources.

In a source checkout the files are read from the repository's `data/` folder; in an installed wheel (and in the
browser) from `calculators/_data`, where the wheel build puts the same files.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Accelerator", "ModelRecord", "PublishedFigure", "accelerators", "data_dir", "models"]


def data_dir() -> Path:
    """The folder holding the TOML facts: `calculators/_data` when installed, else the checkout's `data/`."""
    packaged = Path(__file__).parent / "_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True, kw_only=True)
class PublishedFigure:
    """A number a model's authors printed, with where they printed it."""

    what: str
    value: float
    source: str
    as_of: str
    embedding_counted: bool | None = None
    """For an active-parameter figure: whether the authors count the token-embedding table in it (None: not
    applicable or not known). DeepSeek-V2/V3 leave it out; DeepSeekMoE and Mistral AI count it."""


@dataclass(frozen=True, kw_only=True)
class ModelRecord:
    """A model as published: the keys of its `config.json` and the figures its authors gave."""

    key: str
    name: str
    family: str
    config: dict[str, Any]
    published: tuple[PublishedFigure, ...]
    source: str
    as_of: str
    note: str = ""
    verified: bool = True

    def figure(self, what: str) -> float | None:
        """The published value named `what` (e.g. ``"total_params"``), or None if the authors gave none."""
        for fig in self.published:
            if fig.what == what:
                return fig.value
        return None


@dataclass(frozen=True, kw_only=True)
class Accelerator:
    """An accelerator's memory (decimal bytes) with its source."""

    key: str
    name: str
    memory_bytes: float
    source: str
    as_of: str
    note: str = ""
    verified: bool = True


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


@functools.cache
def models() -> dict[str, ModelRecord]:
    """All model records, keyed by file name (``"deepseek-v3"``), in a stable order."""
    out: dict[str, ModelRecord] = {}
    for path in sorted((data_dir() / "models").glob("*.toml")):
        raw = _read(path)
        out[path.stem] = ModelRecord(
            key=path.stem,
            name=raw["name"],
            family=raw.get("family", ""),
            config=dict(raw["config"]),
            published=tuple(PublishedFigure(**fig) for fig in raw.get("published", [])),
            source=raw["source"],
            as_of=raw["as_of"],
            note=raw.get("note", ""),
            verified=raw.get("verified", True),
        )
    return out


@functools.cache
def accelerators() -> dict[str, Accelerator]:
    """All accelerators, keyed as in `data/accelerators.toml` (``"h800"``)."""
    raw = _read(data_dir() / "accelerators.toml")
    return {key: Accelerator(key=key, **record) for key, record in raw.items()}
