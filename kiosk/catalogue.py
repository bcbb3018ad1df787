"""The label and printer catalogue (``assets/printers/catalogue.toml``): one list, read by the
config (which names are allowed) and by the printers (what each label measures)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from kiosk import assets


@cache
def _catalogue() -> Mapping[str, Any]:
    import tomllib  # here, not at the top: the config imports this module, a check-in reads none

    return tomllib.loads(assets.read_text("printers", "catalogue.toml"))


def label_rows() -> tuple[Mapping[str, Any], ...]:
    """Each label as its table in the catalogue, in catalogue order."""
    return tuple(_catalogue()["labels"])


def label_names() -> tuple[str, ...]:
    return tuple(str(row["name"]) for row in label_rows())


def brother_models() -> tuple[str, ...]:
    return tuple(str(model) for model in _catalogue()["brother_models"])
