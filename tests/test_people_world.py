"""Validation of the people knowledge base ``people/world.csv`` (Africa, Latin America, Asia-Pacific,
the rest of Europe, the Gulf, and well-known armed groups).

The actor resolver trusts these rows for date-aware answers ("who led Sudan on 2019-06-01?"), so the
file is checked for shape (columns, dates, codes), for internal consistency (one holder per single-seat
office at a time, no one-word alias shared by two people, the Taliban's change from armed group to
government on 2021-08-15), for coverage (a sitting leader for each country it is responsible for) and
against a handful of well-known facts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import pycountry
import pytest

from detente.data import load_table

TABLE = "people/world.csv"
COLUMNS = ["name", "aliases", "country", "org", "office", "sector", "start", "end", "wikidata"]
SECTORS = {"GOV", "MIL", "LEG", "JUD", "SPY", "COP", "IGO", "PTY", "OPP", "REB"}
MIN_ROWS = 1000
FAR_FUTURE = date(9999, 12, 31)
TALIBAN_TAKEOVER = date(2021, 8, 15)

# Offices with several seats, or a genuinely disputed term (Gbagbo and Ouattara both claimed the
# presidency from December 2010 until Gbagbo's arrest in April 2011).
MULTI_SEAT = {
    ("BIH", "Member of the Presidency of Bosnia and Herzegovina"),
    ("CIV", "President of Ivory Coast"),
}

# Countries covered by other people files: this file must not duplicate them.
OTHER_FILES = set(
    "USA CAN GBR FRA DEU ITA ESP POL TUR NLD BEL NOR DNK SWE FIN EST LVA LTU ROU BGR CZE HUN GRC PRT "
    "SVK RUS UKR BLR CHN TWN JPN KOR PRK IND PAK AUS IDN BRA MEX ARG SAU ZAF ISR PSE IRN IRQ SYR LBN "
    "YEM EGY QAT ARE JOR GEO ARM AZE KAZ VEN".split()
)

# Countries this file answers for: each must have someone in office on the check date.
COVERED = (
    "NGA KEN ETH SDN SSD SOM COD RWA UGA BDI TZA GHA SEN MLI BFA NER TCD CMR DZA MAR TUN LBY ZWE MOZ "
    "AGO NAM BWA ZMB MWI CAF MRT ERI DJI CIV GIN GAB COG GNQ TGO SLE LBR GMB MUS LSO SWZ "
    "COL PER CHL ECU BOL PRY URY CUB NIC SLV GTM HND HTI DOM CRI PAN JAM TTO GUY SUR "
    "AFG BGD LKA NPL MDV MMR THA VNM PHL MYS SGP KHM LAO MNG NZL UZB KGZ TJK TKM PNG FJI TLS BRN BTN "
    "AUT CHE IRL ISL LUX SVN HRV SRB BIH MNE MKD ALB XKX MDA CYP MLT KWT BHR OMN "
    "WSM TON LIE VAT HKG PLW MCO ATG BHS BLZ DMA GRD KNA LCA".split()
)


@pytest.fixture(scope="module")
def rows() -> tuple[dict[str, str], ...]:
    return load_table(TABLE)


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _end(row: dict[str, str]) -> date:
    return _day(row["end"]) if row["end"] else FAR_FUTURE


def _active(row: dict[str, str], day: date) -> bool:
    """A term covers [start, end): on the handover day the successor holds the office."""
    return _day(row["start"]) <= day < _end(row)


def holders(rows, office: str, on: str) -> list[str]:
    day = _day(on)
    return sorted(r["name"] for r in rows if r["office"] == office and _active(r, day))


def test_columns_and_volume(rows):
    assert len(rows) >= MIN_ROWS
    assert list(rows[0].keys()) == COLUMNS


def test_required_fields_and_dates(rows):
    for r in rows:
        assert r["name"] and r["office"] and r["start"], r
        start = _day(r["start"])  # raises on a malformed date
        assert date(1940, 1, 1) <= start <= date(2026, 12, 31), r
        if r["end"]:
            assert start <= _day(r["end"]), r


def test_codes(rows):
    qid = re.compile(r"^Q[0-9]+$")
    for r in rows:
        assert r["sector"] in SECTORS, r
        assert r["country"], f"every row of this file belongs to a country: {r}"
        assert r["country"] == "XKX" or pycountry.countries.get(alpha_3=r["country"]), r
        assert r["country"] not in OTHER_FILES, f"covered by another people file: {r}"
        if r["wikidata"]:
            assert qid.match(r["wikidata"]), r


def test_no_duplicates_and_sorted(rows):
    keys = [tuple(r[c] for c in COLUMNS) for r in rows]
    assert len(keys) == len(set(keys))
    order = [(r["country"], r["org"], r["office"], r["start"]) for r in rows]
    assert order == sorted(order)


def test_one_holder_at_a_time(rows):
    """Two people cannot hold the same single-seat office on the same day (catches date typos)."""
    by_office = defaultdict(list)
    for r in rows:
        if (r["country"], r["office"]) not in MULTI_SEAT:
            by_office[(r["country"], r["office"])].append(r)
    for office, terms in by_office.items():
        terms.sort(key=lambda r: r["start"])
        for a, b in zip(terms, terms[1:]):
            assert _end(a) <= _day(b["start"]), f"{office}: {a['name']} overlaps {b['name']}"


def test_person_consistency(rows):
    """One spelling per QID, one QID per name, and a one-word alias names one person only."""
    qid_names, name_qids, word_alias = defaultdict(set), defaultdict(set), defaultdict(set)
    for r in rows:
        if r["wikidata"]:
            qid_names[r["wikidata"]].add(r["name"])
            name_qids[r["name"]].add(r["wikidata"])
        for alias in r["aliases"].split(";") if r["aliases"] else []:
            assert alias and alias.strip() == alias and alias != r["name"], r
            if " " not in alias:
                word_alias[alias].add(r["name"])
    assert all(len(v) == 1 for v in qid_names.values())
    assert all(len(v) == 1 for v in name_qids.values())
    shared = {a: n for a, n in word_alias.items() if len(n) > 1}
    assert not shared, f"one-word aliases shared by several people: {shared}"


def test_plain_ascii_spelling_available(rows):
    """News often drops diacritics: every accented name also carries an ASCII alias."""
    for r in rows:
        if not r["name"].isascii():
            assert any(a.isascii() for a in r["aliases"].split(";")), r["name"]


def test_every_covered_country_has_a_leader(rows):
    """Coverage: someone from each responsible country is in office on 2024-06-01 and on 2015-06-01."""
    for on in (date(2024, 6, 1), date(2015, 6, 1)):
        present = {r["country"] for r in rows if r["sector"] == "GOV" and _active(r, on)}
        missing = sorted(set(COVERED) - present)
        assert not missing, f"no one in office on {on}: {missing}"


def test_taliban_armed_group_then_government(rows):
    """Taliban offices are REB up to the fall of Kabul; Afghan state offices after it are GOV."""
    for r in rows:
        if "Taliban" in r["office"]:
            assert r["sector"] == "REB" and _end(r) <= TALIBAN_TAKEOVER, r
    akhundzada = {(r["office"], r["sector"]) for r in rows if r["name"] == "Hibatullah Akhundzada"}
    assert akhundzada == {("Leader of the Taliban", "REB"), ("Supreme Leader of Afghanistan", "GOV")}


def test_rebel_rows_carry_a_country(rows):
    rebels = {r["name"]: r["country"] for r in rows if r["sector"] == "REB"}
    assert rebels["Mohamed Hamdan Dagalo"] == "SDN"
    assert rebels["Ahmad Umar"] == "SOM"
    assert rebels["Sultani Makenga"] == "COD"
    assert len(rebels) >= 15


@pytest.mark.parametrize(
    ("office", "on", "expected"),
    [
        ("President of Nigeria", "2020-01-01", "Muhammadu Buhari"),
        ("President of Nigeria", "2024-01-01", "Bola Tinubu"),
        ("Prime Minister of Ethiopia", "2010-01-01", "Meles Zenawi"),
        ("Prime Minister of Ethiopia", "2021-01-01", "Abiy Ahmed"),
        ("President of Kenya", "2015-01-01", "Uhuru Kenyatta"),
        ("President of Sudan", "2015-01-01", "Omar al-Bashir"),
        ("Chairman of the Transitional Sovereignty Council of Sudan", "2024-01-01", "Abdel Fattah al-Burhan"),
        ("President of the Democratic Republic of the Congo", "2015-01-01", "Joseph Kabila"),
        ("President of Somalia", "2019-01-01", "Mohamed Abdullahi Mohamed"),
        ("President of Zimbabwe", "2016-01-01", "Robert Mugabe"),
        ("Brotherly Leader and Guide of the Revolution of Libya", "2011-03-01", "Muammar Gaddafi"),
        ("President of Tunisia", "2020-01-01", "Kais Saied"),
        ("President of Mali", "2022-01-01", "Assimi Goïta"),
        ("President of Colombia", "2015-01-01", "Juan Manuel Santos"),
        ("President of Peru", "2019-01-01", "Martín Vizcarra"),
        ("President of Bolivia", "2015-01-01", "Evo Morales"),
        ("President of Cuba", "2010-01-01", "Raúl Castro"),
        ("President of Chile", "2019-01-01", "Sebastián Piñera"),
        ("President of Afghanistan", "2016-01-01", "Ashraf Ghani"),
        ("President of Afghanistan", "2010-01-01", "Hamid Karzai"),
        ("Supreme Leader of Afghanistan", "2022-01-01", "Hibatullah Akhundzada"),
        ("Prime Minister of Bangladesh", "2020-01-01", "Sheikh Hasina"),
        ("Prime Minister of Thailand", "2012-01-01", "Yingluck Shinawatra"),
        ("Prime Minister of Thailand", "2018-01-01", "Prayut Chan-o-cha"),
        ("State Counsellor of Myanmar", "2018-01-01", "Aung San Suu Kyi"),
        ("President of the Philippines", "2018-01-01", "Rodrigo Duterte"),
        ("Prime Minister of Malaysia", "2019-01-01", "Mahathir Mohamad"),
        ("Prime Minister of Singapore", "2015-01-01", "Lee Hsien Loong"),
        ("Prime Minister of New Zealand", "2020-01-01", "Jacinda Ardern"),
        ("Chancellor of Austria", "2018-06-01", "Sebastian Kurz"),
        ("Taoiseach", "2018-01-01", "Leo Varadkar"),
        ("President of the Swiss Confederation", "2023-06-01", "Alain Berset"),
        ("President of Serbia", "2020-01-01", "Aleksandar Vučić"),
        ("President of Kosovo", "2018-01-01", "Hashim Thaçi"),
        ("Prime Minister of Kosovo", "2022-01-01", "Albin Kurti"),
        ("President of Moldova", "2022-01-01", "Maia Sandu"),
        ("Emir of Kuwait", "2022-01-01", "Nawaf Al-Ahmad Al-Jaber Al-Sabah"),
        ("Sultan of Oman", "2015-01-01", "Qaboos bin Said"),
    ],
)
def test_known_office_holders(rows, office, on, expected):
    assert holders(rows, office, on) == [expected]


def test_term_boundaries_are_exclusive(rows):
    """On the handover day the successor, not the predecessor, holds the office."""
    assert holders(rows, "President of Ecuador", "2023-11-22") == ["Guillermo Lasso"]
    assert holders(rows, "President of Ecuador", "2023-11-23") == ["Daniel Noboa"]


def test_one_person_several_offices(rows):
    """Hemedti commanded the RSF as a state force until the April 2023 war, then as a rebel leader."""
    terms = sorted((r["start"], r["office"], r["sector"]) for r in rows if r["name"] == "Mohamed Hamdan Dagalo")
    sectors = [s for start, office, s in terms if office == "Commander of the Rapid Support Forces"]
    assert sectors == ["MIL", "REB"]
    ranil = {r["office"] for r in rows if r["name"] == "Ranil Wickremesinghe"}
    assert {"Prime Minister of Sri Lanka", "President of Sri Lanka"} <= ranil


def test_aliases_and_qids(rows):
    by_alias = {a: r["name"] for r in rows for a in r["aliases"].split(";") if a}
    assert by_alias["Hemedti"] == "Mohamed Hamdan Dagalo"
    assert by_alias["Farmaajo"] == "Mohamed Abdullahi Mohamed"
    assert by_alias["Mohammed Omar"] == "Mullah Omar"
    assert by_alias["Felix Tshisekedi"] == "Félix Tshisekedi"
    qids = {r["name"]: r["wikidata"] for r in rows if r["wikidata"]}
    assert qids["Muammar Gaddafi"] == "Q19878"
    assert qids["Fidel Castro"] == "Q11256"
