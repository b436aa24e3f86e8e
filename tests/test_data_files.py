"""The language data files as detente reads them."""

from __future__ import annotations

import yaml

from detente.data import DATA_DIR, load_yaml


def test_every_yaml_file_reads_as_the_reference_parser_reads_it() -> None:
    """load_yaml uses libyaml's parser when PyYAML has it: each file a political scientist edits must
    mean the same under it as under PyYAML's own parser (and parse at all)."""
    names = sorted(str(p.relative_to(DATA_DIR)) for p in DATA_DIR.rglob("*.yaml"))
    assert len(names) >= 10
    for name in names:
        with (DATA_DIR / name).open(encoding="utf-8") as fh:
            reference = yaml.load(fh, Loader=yaml.SafeLoader)
        assert load_yaml(name) == reference, name
