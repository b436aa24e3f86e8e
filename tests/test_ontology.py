"""The ontology files agree with the reference codebooks and with themselves."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from detente.events.ontology import Ontology, OntologyError, default_ontology

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return default_ontology()


def test_sixteen_plover_types(onto: Ontology) -> None:
    assert sorted(onto.types()) == sorted(
        "AGREE CONSULT SUPPORT CONCEDE COOPERATE AID RETREAT REQUEST ACCUSE REJECT THREATEN PROTEST "
        "SANCTION MOBILIZE COERCE ASSAULT".split()
    )


def test_cameo_table_has_every_code(onto: Ontology) -> None:
    codes = onto.cameo_codes()
    assert len(codes) > 290
    assert {f"{i:02d}" for i in range(1, 21)} <= set(codes)
    for code in codes:
        c = onto.cameo(code)
        assert -10 <= c.goldstein <= 10 and c.quad_class in (1, 2, 3, 4)


def test_quad_class_follows_root(onto: Ontology) -> None:
    """QuadClass is a function of the root: 01-05 verbal coop, 06-08 material coop, 09-13 verbal, 14-20 material conflict."""
    expected = {**{f"{i:02d}": 1 for i in range(1, 6)}, **{f"{i:02d}": 2 for i in range(6, 9)},
                **{f"{i:02d}": 3 for i in range(9, 14)}, **{f"{i:02d}": 4 for i in range(14, 21)}}
    for code in onto.cameo_codes():
        assert onto.cameo(code).quad_class == expected[code[:2]], code


@pytest.mark.skipif(not (REFERENCE / "cameo_codebook.tsv").exists(), reason="reference codebook absent")
def test_goldstein_equals_reference() -> None:
    onto = default_ontology()
    with (REFERENCE / "cameo_codebook.tsv").open(encoding="utf-8", errors="replace") as fh:
        rows = [r for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#")]
    assert len(rows) == len(onto.cameo_codes())
    for r in rows:
        ref = float(r[4] or r[3])  # GDELT value; ICEWS where GDELT has none
        assert onto.cameo(r[0]).goldstein == ref, r[0]
        assert onto.cameo(r[0]).quad_class == int(r[6]), r[0]


def test_unknown_four_digit_code_falls_back_to_parent(onto: Ontology) -> None:
    assert onto.cameo("1949").goldstein == onto.cameo("194").goldstein
    with pytest.raises(OntologyError):
        onto.cameo("999")


def test_modes_and_defaults(onto: Ontology) -> None:
    assert {"phone", "visit", "third-party", "multilateral"} <= set(onto.modes("CONSULT"))
    assert {"firearms", "aerial", "heavy-weapons", "drone", "explosives"} <= set(onto.modes("ASSAULT"))
    assert {"demo", "riot", "strike", "hunger"} <= set(onto.modes("PROTEST"))
    assert onto.default_cameo("CONSULT", "phone") == "041"
    assert onto.default_cameo("ASSAULT", "aerial") == "195"
    assert onto.default_cameo("AGREE") == "030"
    for t in onto.types():  # every default fits its own type
        onto.validate(t, None, onto.default_cameo(t))
        for m in onto.modes(t):
            onto.validate(t, m, onto.default_cameo(t, m))


def test_scores(onto: Ontology) -> None:
    assert onto.score("ACCUSE") < 0  # the reference table's +3 is a sign slip
    assert onto.score("CONSULT", "phone") == 1.5
    assert onto.score("THREATEN", "ban") == onto.score("THREATEN")  # no own score -> type score


def test_validate_rejects_inconsistent_data(onto: Ontology) -> None:
    with pytest.raises(OntologyError):
        onto.validate("CONSULT", "firearms", "040")
    with pytest.raises(OntologyError):
        onto.validate("ASSAULT", None, "040")
    with pytest.raises(OntologyError):
        onto.validate("BOGUS", None, None)
    with pytest.raises(OntologyError):
        onto.validate("ASSAULT", None, "1999")


def test_contexts_match_reference(onto: Ontology) -> None:
    ctx = onto.contexts()
    assert {"military", "economic", "diplomatic", "legal", "human_rights", "health", "migration"} <= set(ctx)
    ref = REFERENCE / "plover_contexts.tsv"
    if ref.exists():
        names = [l.split("\t")[0] for l in ref.read_text(encoding="utf-8").splitlines()[2:] if l.strip()]
        assert sorted(names) == sorted(ctx)


@pytest.mark.skipif(not (REFERENCE / "CAMEO2PLOVER-2021.txt").exists(), reason="reference table absent")
def test_mode_defaults_follow_cameo2plover(onto: Ontology) -> None:
    """Every default CAMEO code the conversion table maps belongs to the same PLOVER type there,
    except the two documented in plover.yaml (no CAMEO code exists for resignations or convictions)."""
    import re

    ref = {}
    for line in (REFERENCE / "CAMEO2PLOVER-2021.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\d{2,4}):\s*([A-Z]+)\s*,", line)
        if m:
            ref.setdefault(m.group(1), m.group(2))
    exceptions = {("RETREAT", "resign"), ("SANCTION", "convict")}
    checked = 0
    for t in onto.types():
        for mode in [None, *onto.modes(t)]:
            code = onto.default_cameo(t, mode)
            if code in ref and (t, mode) not in exceptions:
                assert ref[code] == t, (t, mode, code, ref[code])
                checked += 1
    assert checked > 60


def test_legacy_gold_modes_map_to_plover_2021_modes() -> None:
    from detente.data import load_yaml
    from detente.evaluation.plover_gold import gold_mode

    onto = default_ontology()
    for etype, renames in load_yaml("ontology/plover.yaml")["legacy_modes"].items():
        for old, new in renames.items():
            onto.validate(etype, new, None)
            assert gold_mode(etype, old) == new
    assert gold_mode("PROTEST", "riot-spon") == "riot" and gold_mode("PROTEST", "riot") == "riot"
    assert gold_mode("ASSAULT", "") is None
