"""Validation of the people knowledge base ``people/world.csv`` (Africa, Latin America, Asia-Pacific,
the rest of Europe, the Gulf, and well-known armed groups).

The shared shape and consistency checks of every people table live in ``people_checks``; this file
runs them on world.csv and adds its own: it answers only for countries no other people file covers,
has a sitting leader for each of them (coverage), records the Taliban's change from armed group to
government on 2021-08-15, and agrees with a handful of well-known facts.
"""

from __future__ import annotations

from datetime import date

from tests.people_checks import active, end, holders, table_tests

TABLE = "people/world.csv"
rows, test_shared_checks, test_known_office_holders = table_tests(TABLE)
TALIBAN_TAKEOVER = date(2021, 8, 15)

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


def test_no_country_of_another_file(rows):
    for r in rows:
        assert r["country"] not in OTHER_FILES, f"covered by another people file: {r}"


def test_every_covered_country_has_a_leader(rows):
    """Coverage: someone from each responsible country is in office on 2024-06-01 and on 2015-06-01."""
    for on in (date(2024, 6, 1), date(2015, 6, 1)):
        present = {r["country"] for r in rows if r["sector"] == "GOV" and active(r, on)}
        missing = sorted(set(COVERED) - present)
        assert not missing, f"no one in office on {on}: {missing}"


def test_taliban_armed_group_then_government(rows):
    """Taliban offices are REB up to the fall of Kabul; Afghan state offices after it are GOV."""
    for r in rows:
        if "Taliban" in r["office"]:
            assert r["sector"] == "REB" and end(r) <= TALIBAN_TAKEOVER, r
    akhundzada = {(r["office"], r["sector"]) for r in rows if r["name"] == "Hibatullah Akhundzada"}
    assert akhundzada == {("Leader of the Taliban", "REB"), ("Supreme Leader of Afghanistan", "GOV")}


def test_rebel_rows_carry_a_country(rows):
    rebels = {r["name"]: r["country"] for r in rows if r["sector"] == "REB"}
    assert rebels["Mohamed Hamdan Dagalo"] == "SDN"
    assert rebels["Ahmad Umar"] == "SOM"
    assert rebels["Sultani Makenga"] == "COD"
    assert len(rebels) >= 15


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
