"""The site's navigation as `mkdocs.yml` declares it, for pages that list other pages (the home page's explainers),
so that a list on a page and the navigation cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


class _Loader(yaml.SafeLoader):
    """mkdocs.yml's own tags (``!ENV``) are read as plain values: only the navigation is wanted here."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class NavPage:
    """A page in the navigation: its title there, its path under `docs/`, and its link from page `where`."""

    title: str
    page: str
    href: str


def nav() -> list[Any]:
    """The `nav` of mkdocs.yml, as written."""
    with (ROOT / "mkdocs.yml").open() as f:
        return yaml.load(f, Loader=_Loader)["nav"]  # noqa: S506 (a SafeLoader)


def section(name: str, where: str) -> list[NavPage]:
    """The pages of the navigation section `name`, in order, linked from page `where`."""
    for item in nav():
        if isinstance(item, dict) and name in item:
            prefix = "../" * where.count("/")
            return [NavPage(title, page, prefix + page) for entry in item[name] for title, page in entry.items()]
    raise KeyError(f"mkdocs.yml has no navigation section {name!r}")
