"""The checks every people table (``detente/data/people/*.csv``) must pass, written once.

The actor resolver trusts these rows blindly (a wrong date makes Putin a prime minister in 2022), so
each table is checked for shape (columns, dates, ISO codes, sectors, QIDs), for internal consistency
(one holder per single-seat office on any day, one spelling, alias list and QID per person, no alias
shared by two people) and, across tables, for agreement (a term lives in one file, a person has one
main name everywhere). The per-table limits and the offices exempt from the one-holder rule are data
below, in one place, and so is the table of known office holders (who held which office on which day)
that each table must agree with; the table's other fact spot-checks stay in its test file.

Each ``test_people_<table>.py`` takes its ``rows`` fixture, ``test_shared_checks`` (``TABLE_CHECKS`` on
its own table) and ``test_known_office_holders`` from ``table_tests``; ``test_people_extended.py`` also runs ``CROSS_CHECKS`` once
over all tables.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import pycountry
import pytest

from detente.data import load_table, load_yaml, table_names

Row = dict[str, str]

COLUMNS = ["name", "aliases", "country", "org", "office", "sector", "start", "end", "wikidata"]
SECTORS = {"GOV", "MIL", "LEG", "JUD", "SPY", "COP", "IGO", "PTY", "OPP", "REB"}
LATEST_START = date(2026, 12, 31)
OPEN_END = date.max
QID = re.compile(r"Q[0-9]+")
# Rows without a country are IGO officials; SACEUR-like posts make MIL the one other sector there.
IGO_ROW_SECTORS = {"IGO", "MIL"}


@dataclass(frozen=True)
class TableSpec:
    """What one people table promises beyond the common rules."""

    min_rows: int
    earliest_start: date
    # Codes accepted besides ISO 3166 alpha-3 (XKX: Kosovo, user-assigned, used by the project).
    extra_countries: frozenset[str] = frozenset({"XKX"})
    country_required: bool = False  # no IGO rows in this table
    earliest_end: date | None = None  # every term must reach into the table's period
    aliases_agree: bool = True  # all rows of a person carry the same alias list
    ascii_alias: bool = True  # an accented name also carries an ASCII alias


SPECS: dict[str, TableSpec] = {
    "people/west.csv": TableSpec(min_rows=450, earliest_start=date(1950, 1, 1)),
    # José Viegas Filho (Brazil) still lacks an ASCII alias in east.csv.
    "people/east.csv": TableSpec(min_rows=450, earliest_start=date(1960, 1, 1), ascii_alias=False),
    # Several world.csv people carry a longer alias list on one of their rows.
    "people/world.csv": TableSpec(min_rows=1000, earliest_start=date(1940, 1, 1), country_required=True,
                                  aliases_agree=False),
    # The file is about 2010-2026 and lists no Kosovo offices.
    "people/extended.csv": TableSpec(min_rows=600, earliest_start=date(1970, 1, 1), extra_countries=frozenset(),
                                     earliest_end=date(2010, 1, 1)),
}

# Offices several people hold at once: how many at the most (None: no limit). The one-holder rule
# becomes "at most that many holders on any day" within a table; a term repeated in two tables is
# always an error. Keys are (country, org, office).
MULTI_SEAT_OFFICES: dict[tuple[str, str, str], int | None] = {
    ("BIH", "", "Member of the Presidency of Bosnia and Herzegovina"): 3,  # Bosniak, Croat and Serb members
    # Gbagbo and Ouattara both claimed the presidency from December 2010 to Gbagbo's arrest in April 2011.
    ("CIV", "", "President of Ivory Coast"): 2,
    ("CHN", "", "Spokesperson of the Ministry of Foreign Affairs of China"): None,
    ("RUS", "", "Aide to the President of Russia"): None,
}
# Descriptions shared by any number of people ("Russian opposition figure") and collegial posts.
MULTI_SEAT_PATTERN = re.compile(r"opposition (leader|figure|presidential candidate)$|^(Co-leader|Vice Chairman) ")


# --- helpers shared with the fact spot-checks -------------------------------------------------


def day(value: str) -> date:
    return date.fromisoformat(value)


def end(row: Row) -> date:
    """The exclusive end of a term; an open term runs on."""
    return day(row["end"]) if row["end"] else OPEN_END


def active(row: Row, on: date) -> bool:
    """A term covers [start, end): on the handover day the successor holds the office."""
    return day(row["start"]) <= on < end(row)


def holders(rows: Iterable[Row], office: str, on: str, country: str | None = None) -> list[str]:
    """Names holding ``office`` on the ISO date ``on``, sorted."""
    when = day(on)
    return sorted(r["name"] for r in rows
                  if r["office"] == office and (country is None or r["country"] == country) and active(r, when))


def offices_of(rows: Iterable[Row], name: str, on: str) -> set[str]:
    when = day(on)
    return {r["office"] for r in rows if r["name"] == name and active(r, when)}


def aliases(row: Row) -> list[str]:
    return row["aliases"].split(";") if row["aliases"] else []


def office_key(row: Row) -> tuple[str, str, str]:
    return row["country"], row["org"], row["office"]


def seats(key: tuple[str, str, str]) -> int | None:
    """How many people may hold the office on one day (None: any number)."""
    if key in MULTI_SEAT_OFFICES:
        return MULTI_SEAT_OFFICES[key]
    return None if MULTI_SEAT_PATTERN.search(key[2]) else 1


# --- checks of one table -------------------------------------------------------------------------


def check_columns_and_volume(table: str) -> None:
    rows = load_table(table)
    assert len(rows) >= SPECS[table].min_rows, f"{table}: only {len(rows)} rows"
    assert list(rows[0].keys()) == COLUMNS, table
    # a row with a field too many or too few (a stray comma) reads as a None key or value
    for r in rows:
        assert None not in r and None not in r.values(), r


def check_required_fields_and_dates(table: str) -> None:
    spec = SPECS[table]
    for r in load_table(table):
        assert r["name"].strip() and r["office"].strip() and r["start"].strip(), r
        start = day(r["start"])  # raises on a malformed date
        assert spec.earliest_start <= start <= LATEST_START, r
        if r["end"]:
            assert start <= day(r["end"]), r
        if spec.earliest_end:
            assert end(r) >= spec.earliest_end, f"term ends before {spec.earliest_end}: {r}"


def check_codes(table: str) -> None:
    spec = SPECS[table]
    igo_codes = {g["code"] for g in load_yaml("igos.yaml")["igos"]}
    for r in load_table(table):
        assert r["sector"] in SECTORS, r
        if r["country"]:
            assert r["country"] in spec.extra_countries or pycountry.countries.get(alpha_3=r["country"]), r
        else:
            assert not spec.country_required, f"every row of {table} belongs to a country: {r}"
            assert r["org"] and r["sector"] in IGO_ROW_SECTORS, f"no country and no IGO: {r}"
        assert not r["org"] or r["org"] in igo_codes, f"unknown IGO: {r}"
        assert not r["wikidata"] or QID.fullmatch(r["wikidata"]), r


def check_no_duplicates_and_sorted(table: str) -> None:
    rows = load_table(table)
    keys = [tuple(r[c] for c in COLUMNS) for r in rows]
    assert len(keys) == len(set(keys)), f"{table}: repeated rows"
    order = [(r["country"], r["org"], r["office"], r["start"]) for r in rows]
    assert order == sorted(order), f"{table}: not sorted by country, org, office, start"


def check_one_holder_at_a_time(table: str) -> None:
    """No more people hold an office on one day than it has seats: one for nearly every office, so
    two overlapping terms of a president are a date typo."""
    by_office: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for r in load_table(table):
        by_office[office_key(r)].append(r)
    for office, terms in by_office.items():
        limit = seats(office)
        if limit is None:
            continue
        sitting: list[Row] = []
        for b in sorted(terms, key=lambda r: r["start"]):
            sitting = [a for a in sitting if end(a) > day(b["start"])]
            assert len(sitting) < limit, f"{office}: {b['name']} overlaps {[a['name'] for a in sitting]}"
            sitting.append(b)


def check_person_consistency(table: str) -> None:
    """One QID per name and one name per QID, one alias list per person, and no alias (or name) that
    names two people, whatever its case."""
    rows = load_table(table)
    qid_names, name_qids, owner = defaultdict(set), defaultdict(set), defaultdict(set)
    alias_lists = defaultdict(set)
    for r in rows:
        if r["wikidata"]:
            qid_names[r["wikidata"]].add(r["name"])
            name_qids[r["name"]].add(r["wikidata"])
        alias_lists[r["name"]].add(r["aliases"])
        owner[r["name"].casefold()].add(r["name"])
        for alias in aliases(r):
            assert alias and alias.strip() == alias and alias != r["name"], r
            owner[alias.casefold()].add(r["name"])
    several = {q: n for q, n in qid_names.items() if len(n) > 1}
    assert not several, f"a QID names several people: {several}"
    several = {n: q for n, q in name_qids.items() if len(q) > 1}
    assert not several, f"a person carries several QIDs: {several}"
    if SPECS[table].aliases_agree:
        disagree = sorted(n for n, lists in alias_lists.items() if len(lists) > 1)
        assert not disagree, f"a person's rows disagree on aliases: {disagree}"
    shared = {a: n for a, n in owner.items() if len(n) > 1}
    assert not shared, f"aliases shared by several people: {shared}"


def check_plain_ascii_spelling_available(table: str) -> None:
    """News often drops diacritics: every accented name also carries an ASCII alias."""
    if not SPECS[table].ascii_alias:
        pytest.skip(f"{table} is exempt (see SPECS)")
    for r in load_table(table):
        if not r["name"].isascii():
            assert any(a.isascii() for a in aliases(r)), r["name"]


TABLE_CHECKS: list[Callable[[str], None]] = [
    check_columns_and_volume,
    check_required_fields_and_dates,
    check_codes,
    check_no_duplicates_and_sorted,
    check_one_holder_at_a_time,
    check_person_consistency,
    check_plain_ascii_spelling_available,
]


# --- checks across tables ------------------------------------------------------------------------


def check_every_table_has_a_spec(tables: list[str]) -> None:
    """A new people table must declare its limits (and get a test file that runs TABLE_CHECKS)."""
    assert tables and set(tables) == set(SPECS), f"tables {tables} vs specs {sorted(SPECS)}"


def check_no_clash_between_tables(tables: list[str]) -> None:
    """The same office is not held by someone else in another table on the same day, nor is the
    term repeated there (each term lives in one file); multi-seat offices are no exception."""
    by_office: dict[tuple[str, str, str], list[tuple[str, Row]]] = defaultdict(list)
    for table in tables:
        for r in load_table(table):
            by_office[office_key(r)].append((table, r))
    for office, terms in by_office.items():
        for i, (ta, a) in enumerate(terms):
            for tb, b in terms[i + 1:]:
                if ta != tb:
                    overlap = max(day(a["start"]), day(b["start"])) < min(end(a), end(b))
                    assert not overlap, f"{office}: {a['name']} ({ta}) overlaps {b['name']} ({tb})"


def check_same_person_same_spelling(tables: list[str]) -> None:
    """A person listed in two tables carries the same main name in both, or the knowledge base would
    hold two people (and "Mattis" would become ambiguous)."""
    from detente.actors.names import key_tokens

    names_by_key: dict[object, set[tuple[str, str]]] = defaultdict(set)
    for table in tables:
        for r in load_table(table):
            for spelling in [r["name"], *aliases(r)]:
                names_by_key[key_tokens(spelling)].add((table, r["name"]))
    for key, owners in names_by_key.items():
        for ta, na in owners:
            other = {n for tb, n in owners if tb != ta and n != na}
            assert not other, f"{na} ({ta}) is written {other} in another people file"


CROSS_CHECKS: list[Callable[[list[str]], None]] = [
    check_every_table_has_a_spec,
    check_no_clash_between_tables,
    check_same_person_same_spelling,
]


def people_tables() -> list[str]:
    return table_names("people")


# --- who held which office on which day, per table (the fact spot-checks) ----------------------

KNOWN_HOLDERS: dict[str, list[tuple[str, str, str]]] = {
    "people/west.csv": [
        ("President of the United States", "2009-01-01", "George W. Bush"),
        ("President of the United States", "2022-03-01", "Joe Biden"),
        ("President of the United States", "2025-06-01", "Donald Trump"),
        ("United States Secretary of Defense", "2024-07-12", "Lloyd Austin"),
        ("United States Secretary of State", "2011-05-02", "Hillary Clinton"),
        ("Chairman of the Joint Chiefs of Staff", "2022-03-01", "Mark Milley"),
        ("Chancellor of Germany", "2010-06-01", "Angela Merkel"),
        ("Chancellor of Germany", "2023-01-01", "Olaf Scholz"),
        ("Prime Minister of the United Kingdom", "2022-10-01", "Liz Truss"),
        ("Prime Minister of the United Kingdom", "2019-01-01", "Theresa May"),
        ("President of France", "2010-01-01", "Nicolas Sarkozy"),
        ("Prime Minister of Italy", "2012-01-01", "Mario Monti"),
        ("Prime Minister of Turkey", "2010-01-01", "Recep Tayyip Erdoğan"),
        ("President of Turkey", "2020-01-01", "Recep Tayyip Erdoğan"),
        ("Minister of Foreign Affairs of Turkey", "2020-01-01", "Mevlüt Çavuşoğlu"),
        ("Prime Minister of Poland", "2010-01-01", "Donald Tusk"),
        ("Prime Minister of Poland", "2020-01-01", "Mateusz Morawiecki"),
        ("Secretary General of NATO", "2020-01-01", "Jens Stoltenberg"),
        ("Secretary General of NATO", "2025-01-01", "Mark Rutte"),
        ("Secretary-General of the United Nations", "2010-01-01", "Ban Ki-moon"),
        ("President of the European Commission", "2016-01-01", "Jean-Claude Juncker"),
        ("Director General of the International Atomic Energy Agency", "2022-09-01", "Rafael Grossi"),
        ("Speaker of the United States House of Representatives", "2016-01-01", "Paul Ryan"),
        ("Supreme Allied Commander Europe", "2023-01-01", "Christopher G. Cavoli"),
    ],
    "people/east.csv": [
        ("President of Russia", "2009-01-01", "Dmitry Medvedev"),
        ("Prime Minister of Russia", "2009-01-01", "Vladimir Putin"),
        ("President of Russia", "2022-03-01", "Vladimir Putin"),
        ("Minister of Defence of Russia", "2024-07-12", "Andrey Belousov"),
        ("Minister of Defence of Russia", "2022-03-01", "Sergei Shoigu"),
        ("Secretary of the Security Council of Russia", "2024-07-12", "Sergei Shoigu"),
        ("Secretary of the Security Council of Russia", "2020-01-01", "Nikolai Patrushev"),
        ("Minister of Foreign Affairs of Russia", "2014-03-01", "Sergey Lavrov"),
        ("Press Secretary of the President of Russia", "2023-05-05", "Dmitry Peskov"),
        ("Spokesperson of the Ministry of Foreign Affairs of Russia", "2022-02-24", "Maria Zakharova"),
        ("Chief of the General Staff of the Armed Forces of Russia", "2022-02-24", "Valery Gerasimov"),
        ("President of Ukraine", "2022-02-24", "Volodymyr Zelenskyy"),
        ("President of Ukraine", "2012-06-01", "Viktor Yanukovych"),
        ("Minister of Foreign Affairs of Ukraine", "2023-01-01", "Dmytro Kuleba"),
        ("Minister of Defence of Ukraine", "2024-01-01", "Rustem Umerov"),
        ("Commander-in-Chief of the Armed Forces of Ukraine", "2023-06-01", "Valerii Zaluzhnyi"),
        ("Commander-in-Chief of the Armed Forces of Ukraine", "2024-06-01", "Oleksandr Syrskyi"),
        ("Head of the Office of the President of Ukraine", "2023-01-01", "Andriy Yermak"),
        ("President of China", "2010-01-01", "Hu Jintao"),
        ("Minister of Foreign Affairs of China", "2023-05-01", "Qin Gang"),
        ("Minister of Foreign Affairs of China", "2024-01-01", "Wang Yi"),
        ("Premier of China", "2024-01-01", "Li Qiang"),
        ("President of the Republic of China", "2020-01-01", "Tsai Ing-wen"),
        ("Prime Minister of Japan", "2022-01-01", "Fumio Kishida"),
        ("Prime Minister of Japan", "2005-01-01", "Junichiro Koizumi"),
        ("President of South Korea", "2023-01-01", "Yoon Suk Yeol"),
        ("Supreme Leader of North Korea", "2015-01-01", "Kim Jong Un"),
        ("Prime Minister of India", "2010-01-01", "Manmohan Singh"),
        ("Prime Minister of Pakistan", "2020-01-01", "Imran Khan"),
        ("Prime Minister of Australia", "2011-01-01", "Julia Gillard"),
        ("President of Brazil", "2020-01-01", "Jair Bolsonaro"),
        ("President of Mexico", "2020-01-01", "Andrés Manuel López Obrador"),
        ("President of Argentina", "2024-01-01", "Javier Milei"),
        ("Crown Prince of Saudi Arabia", "2020-01-01", "Mohammed bin Salman"),
        ("President of South Africa", "2019-01-01", "Cyril Ramaphosa"),
        ("Prime Minister of Israel", "2022-09-01", "Yair Lapid"),
        ("Prime Minister of Israel", "2024-01-01", "Benjamin Netanyahu"),
        ("Minister of Defense of Israel", "2024-01-01", "Yoav Gallant"),
        ("Chief of the General Staff of the Israel Defense Forces", "2023-10-07", "Herzi Halevi"),
        ("President of Iran", "2022-01-01", "Ebrahim Raisi"),
        ("Minister of Foreign Affairs of Iran", "2016-01-01", "Mohammad Javad Zarif"),
        ("Prime Minister of Iraq", "2010-01-01", "Nouri al-Maliki"),
        ("President of Syria", "2015-01-01", "Bashar al-Assad"),
        ("Secretary-General of Hezbollah", "2020-01-01", "Hassan Nasrallah"),
        ("President of Egypt", "2012-12-01", "Mohamed Morsi"),
        ("Emir of Qatar", "2020-01-01", "Tamim bin Hamad Al Thani"),
        ("President of Georgia", "2008-08-08", "Mikheil Saakashvili"),
        ("Prime Minister of Armenia", "2020-10-01", "Nikol Pashinyan"),
        ("President of Azerbaijan", "2020-10-01", "Ilham Aliyev"),
        ("President of Kazakhstan", "2022-01-05", "Kassym-Jomart Tokayev"),
        ("President of Venezuela", "2019-01-23", "Nicolás Maduro"),
    ],
    "people/world.csv": [
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
    "people/extended.csv": [
        ("Chancellor of the Exchequer", "2022-10-01", "Kwasi Kwarteng"),
        ("Chancellor of the Exchequer", "2015-01-01", "George Osborne"),
        ("Federal Minister of Finance of Germany", "2019-01-01", "Olaf Scholz"),
        ("Minister of Finance of India", "2020-01-01", "Nirmala Sitharaman"),
        ("Minister of Finance of Russia", "2015-01-01", "Anton Siluanov"),
        ("Chair of the Federal Reserve", "2016-01-01", "Janet Yellen"),
        ("Governor of the Central Bank of Russia", "2022-03-01", "Elvira Nabiullina"),
        ("Governor of the Reserve Bank of India", "2015-01-01", "Raghuram Rajan"),
        ("Home Secretary of the United Kingdom", "2021-01-01", "Priti Patel"),
        ("Minister of the Interior of France", "2022-01-01", "Gérald Darmanin"),
        ("Minister of Public Security of China", "2020-01-01", "Zhao Kezhi"),
        ("Chief of the Defence Staff of France", "2022-01-01", "Thierry Burkhard"),
        ("Chief of the Army Staff of India", "2021-01-01", "Manoj Mukund Naravane"),
        ("Chief Minister of West Bengal", "2021-06-01", "Mamata Banerjee"),
        ("Chief Minister of Balochistan", "2021-10-01", "Jam Kamal Khan"),
        ("Governor of Borno State", "2020-01-01", "Babagana Zulum"),
        ("First Minister of Scotland", "2020-01-01", "Nicola Sturgeon"),
        ("Premier of Ontario", "2020-01-01", "Doug Ford"),
        ("Special Envoy of the United Nations for Syria", "2016-01-01", "Staffan de Mistura"),
        ("Special Envoy of the United Nations for Yemen", "2022-01-01", "Hans Grundberg"),
        ("Leader of the Opposition of Australia", "2020-01-01", "Anthony Albanese"),
    ],
}


# --- what a table's test file takes from here ------------------------------------------------------


def table_tests(table: str) -> tuple[Callable, Callable, Callable]:
    """A module-scoped ``rows`` fixture of ``table``, a test running every ``TABLE_CHECKS`` on it and a
    test of its ``KNOWN_HOLDERS``, to bind in the table's test file
    (``rows, test_shared_checks, test_known_office_holders = table_tests(TABLE)``)."""

    @pytest.fixture(scope="module")
    def rows() -> tuple[Row, ...]:
        return load_table(table)

    @pytest.mark.parametrize("check", TABLE_CHECKS, ids=lambda c: c.__name__)
    def test_shared_checks(check: Callable[[str], None]) -> None:
        check(table)

    @pytest.mark.parametrize(("office", "on", "expected"), KNOWN_HOLDERS[table])
    def test_known_office_holders(rows: tuple[Row, ...], office: str, on: str, expected: str) -> None:
        assert holders(rows, office, on) == [expected]

    return rows, test_shared_checks, test_known_office_holders
