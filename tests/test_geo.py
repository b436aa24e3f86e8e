"""Places: locative phrases resolved with the GeoNames gazetteer and places.yaml."""

from __future__ import annotations

import time

import pytest

from detente.geo import country_location, gazetteer, locate


@pytest.mark.parametrize(
    "text, name, country",
    [
        ("The foreign ministers met in Rome on Friday.", "Rome", "ITA"),
        ("Russian warships fired cruise missiles on the Black Sea.", "Black Sea", None),
        ("Shelling in Kharkiv killed two civilians.", "Kharkiv", "UKR"),
        ("Fighting near Bakhmut intensified overnight.", "Bakhmut", "UKR"),
        ("Leaders signed the declaration at the summit in Vilnius.", "Vilnius", "LTU"),
        ("An air strike in the Gaza Strip killed 12 people.", "Gaza Strip", "PSE"),
        ("Troops entered the eastern city of Kharkiv.", None, None),  # no locative preposition
        ("Troops were deployed in the eastern city of Kharkiv.", "Kharkiv", "UKR"),
        ("In Kiev, protesters gathered outside parliament.", "Kiev", "UKR"),
        ("A drone hit a depot in Russia's Kursk region.", "Kursk region", "RUS"),
        ("Talks in Geneva ended without a deal.", "Geneva", "CHE"),
        ("Officials in Washington said the talks were useful.", "Washington", "USA"),
        ("Diplomats met in New York.", "New York", "USA"),
        ("Ukraine, in the city of Odesa, hosted the ministers.", "Odesa", "UKR"),
        ("Separatists clashed with troops in Donbas.", "Donbas", "UKR"),
        ("Elections were held in Georgia.", "Georgia", "GEO"),  # the country, not the US state
        ("Protests spread in Palestine.", "Palestine", "PSE"),  # the country, not the Texas town
        ("He was arrested in the U.S. last year.", "U.S.", "USA"),
        ("A tanker was seized in the Strait of Hormuz.", "Strait of Hormuz", None),
        ("Settlers clashed with villagers in the West Bank city of Hebron.", "Hebron", "PSE"),
        ("The talks were held in Addis Ababa.", "Addis Ababa", "ETH"),
        ("Fighting continued in Avdiivka.", "Avdiivka", "UKR"),  # GeoNames spells it Avdiyivka
    ],
)
def test_locate(text: str, name: str | None, country: str | None) -> None:
    loc = locate(text)
    if name is None:
        assert loc is None
        return
    assert loc is not None and loc.text == name and loc.country == country
    assert loc.lat is not None and loc.lon is not None


@pytest.mark.parametrize(
    "text",
    [
        "Moscow said it would respond to the deployment.",
        "The US imposed new sanctions on Russia.",  # "on" + country is not a place
        "In Moscow's view, the alliance is hostile.",
        "In March, the army advanced.",
        "In a statement, the ministry condemned the attack.",
        "Talks at the White House lasted an hour.",
        "The group called on UN agencies to act.",  # "UN" is not the Indian town of Un
        "Officials met at Google's offices.",  # GeoNames lists "Google" as a nickname of Topeka
    ],
)
def test_no_place(text: str) -> None:
    assert locate(text) is None


def test_city_ids_and_population_preference() -> None:
    rome = locate("They met in Rome.")
    assert rome is not None and rome.geonameid == 3169070  # Rome, Italy, not Rome, Georgia (US)
    dc = locate("They met in Washington.")
    assert dc is not None and abs(dc.lat - 38.9) < 0.2 and abs(dc.lon + 77.0) < 0.2


def test_exclude_spans_skip_actor_mentions() -> None:
    text = "Washington said the meeting in Moscow was cancelled."
    assert locate(text).text == "Moscow"
    moscow = text.index("Moscow")
    assert locate(text, exclude_spans=[(moscow, moscow + 6)]) is None


def test_more_specific_place_later_in_sentence() -> None:
    loc = locate("Fighting flared in Ukraine overnight, with shelling reported in Kharkiv.")
    assert loc is not None and loc.text == "Kharkiv"


def test_country_location() -> None:
    ukr = country_location("UKR")
    assert ukr is not None and ukr.country == "UKR" and ukr.geonameid == 690791
    assert abs(ukr.lat - 50.45) < 0.1 and abs(ukr.lon - 30.52) < 0.1  # the capital's coordinates
    assert country_location("usa").country == "USA"
    assert country_location("PSE").text == "Palestine"  # the project's name for the country
    assert country_location("MNG").lat is not None  # capital spelled differently in GeoNames
    assert country_location("XXX") is None


def test_lookup_is_fast_after_load() -> None:
    gazetteer()  # load once
    sentences = [
        "The foreign ministers met in Rome on Friday to discuss the crisis.",
        "Protesters clashed with police outside the parliament building.",
        "Russia said the drills near the border were routine.",
    ] * 1000
    t0 = time.perf_counter()
    for s in sentences:
        locate(s)
    rate = len(sentences) / (time.perf_counter() - t0)
    assert rate >= 5000, f"{rate:.0f} sentences/s"
