"""Where detente's language data lives, and the one place that reads it.

Every table a political scientist may review or extend (countries, IGOs, people and their offices,
agent words, verb cues, the PLOVER/CAMEO ontology, the calendar of summits) is a YAML, CSV or TSV file
in this folder. Code asks for it by name through these loaders, which cache the parsed result, so no
module embeds a table of its own.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: the same documents, parsed about 9x faster (the
# data files take 1.5 s of CPU with the pure-Python parser, paid again by every worker process)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DATA_DIR = Path(__file__).resolve().parent


def data_path(*parts: str) -> Path:
    return DATA_DIR.joinpath(*parts)


@lru_cache(maxsize=None)
def load_yaml(name: str) -> Any:
    """Parse ``detente/data/<name>`` (a YAML file); a malformed file fails loudly with its path."""
    path = data_path(name)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LOADER)
    except yaml.YAMLError as exc:  # pragma: no cover - data errors must name the file
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc


@lru_cache(maxsize=None)
def load_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a CSV (``.csv``) or TSV (``.tsv``) file as dicts; lines starting with '#' are comments."""
    path = data_path(name)
    delimiter = "\t" if path.suffix == ".tsv" else ","
    with path.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if line.strip() and not line.lstrip().startswith("#"))
        return tuple(dict(row) for row in csv.DictReader(lines, delimiter=delimiter))


def table_names(folder: str, suffix: str = ".csv") -> list[str]:
    """The data files of one kind in a sub-folder (e.g. every ``people/*.csv``), sorted."""
    return sorted(f"{folder}/{p.name}" for p in data_path(folder).glob(f"*{suffix}"))
