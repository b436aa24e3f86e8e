"""Actor search and detail for the API: the knowledge base (people with dated offices, states, IGOs)
joined with what the store has seen of each actor.

The knowledge base is what gives an actor page its substance (who held which office when); the store
adds how often and with whom the actor appears. Search is plain case- and accent-insensitive substring
matching: the KB has a few thousand names, so a scan per request costs well under a millisecond.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb

from detente.actors.kb import Country, Igo, Person, Term
from detente.actors.names import strip_accents

_QID = re.compile(r"^Q[0-9]+$")


def _fold(text: str) -> str:
    return strip_accents(text).lower()


@dataclass(frozen=True, slots=True)
class KbIndex:
    people: tuple[Person, ...]
    countries: dict[str, Country]
    igos: dict[str, Igo]
    by_qid: dict[str, Person | Country | Igo]
    folded: tuple[tuple[str, Person | Country | Igo], ...]
    """(folded name, entry) for every name and alias, for substring search."""


@lru_cache(maxsize=1)
def kb_index() -> KbIndex:
    """The knowledge base of the default resolver, indexed for lookups by code, QID and name."""
    from detente.actors import default_resolver

    kb = default_resolver().kb
    igos: dict[str, Igo] = {}
    names: dict[tuple[str, int], Person | Country | Igo] = {}
    for bucket in kb.index.values():
        for entry in bucket:
            ref = entry.ref
            if entry.kind == "igo" and isinstance(ref, Igo):
                igos.setdefault(ref.code, ref)
                names[(_fold(entry.surface), id(ref))] = ref
            elif entry.kind == "person" and isinstance(ref, Person):
                names[(_fold(entry.surface), id(ref))] = ref
    for country in kb.countries.values():
        names[(_fold(country.name), id(country))] = country
    by_qid: dict[str, Person | Country | Igo] = {}
    for item in [*kb.people, *kb.countries.values(), *igos.values()]:
        if item.wikidata and item.wikidata not in by_qid:
            by_qid[item.wikidata] = item
    folded = tuple(sorted(((n, ref) for (n, _), ref in names.items()), key=lambda p: p[0]))
    return KbIndex(tuple(kb.people), dict(kb.countries), igos, by_qid, folded)


def term_json(t: Term) -> dict[str, Any]:
    return {"office": t.office, "country": t.country, "org": t.org, "sectors": list(t.sectors),
            "start": t.start, "end": t.end}


def _summary(item: Person | Country | Igo, today: dt.date) -> dict[str, Any]:
    if isinstance(item, Person):
        latest = item.latest()
        current = item.terms_on(today)
        shown = current[0] if current else latest
        return {"kind": "person", "key": item.wikidata, "name": item.name, "wikidata": item.wikidata,
                "country": shown.country if shown else None, "org": shown.org if shown else None,
                "office": shown.office if shown else None, "in_office": bool(current),
                "offices": [term_json(t) for t in sorted(item.terms, key=lambda t: t.start or dt.date.min)]}
    if isinstance(item, Country):
        return {"kind": "state", "key": item.iso3, "name": item.name, "wikidata": item.wikidata,
                "country": item.iso3, "org": None, "office": None}
    return {"kind": "igo", "key": item.code, "name": item.name, "wikidata": item.wikidata,
            "country": None, "org": item.code, "office": None}


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere (its wildcards escaped)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(cur: duckdb.DuckDBPyConnection, q: str, limit: int) -> list[dict[str, Any]]:
    """Actors whose code is ``q`` or whose name contains it: exact codes first, then the KB's
    names (people in office first), then store actors the KB does not know by that name."""
    idx = kb_index()
    today = dt.date.today()
    fq = _fold(q)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(item: dict[str, Any]) -> None:
        key = item.get("key") or f"{item.get('name')}|{item.get('code')}"
        if key not in seen:
            seen.add(key)
            out.append(item)

    up = q.upper()
    if up in idx.countries:
        add(_summary(idx.countries[up], today))
    if up in idx.igos:
        add(_summary(idx.igos[up], today))
    if len(fq) >= 2:
        hits = [ref for name, ref in idx.folded if fq in name]
        hits.sort(key=lambda r: (not isinstance(r, (Country, Igo)),
                                 not (isinstance(r, Person) and r.terms_on(today)), _fold(r.name)))
        for ref in hits:
            if len(out) >= limit:
                break
            add(_summary(ref, today))
    found = cur.execute(
        "SELECT code, name, country, org, sector, wikidata, kind, n_mentions FROM actors"
        " WHERE code = ? OR country = ? OR org = ? OR lower(name) LIKE lower(?) ESCAPE '\\'"
        " ORDER BY n_mentions DESC, actor_id LIMIT 500", [up, up, up, _like(q)]).fetchall()
    by_qid: dict[str, int] = {}
    by_name: dict[str, int] = {}
    by_code: dict[str, int] = {}
    for code, name, country, org, sector, qid, kind, n in found:
        if qid:
            by_qid[qid] = by_qid.get(qid, 0) + int(n)
        if name:
            by_name[_fold(name)] = by_name.get(_fold(name), 0) + int(n)
        if country or org:
            by_code[country or org] = by_code.get(country or org, 0) + int(n)
    for item in out:
        if item["kind"] == "person":
            item["n_mentions"] = by_qid.get(item["wikidata"] or "", 0) or by_name.get(_fold(item["name"]), 0)
        else:
            item["n_mentions"] = by_code.get(item["key"], 0)
    for code, name, country, org, sector, qid, kind, n in found:
        if len(out) >= limit:
            break
        if (qid and qid in seen) or (name and any(_fold(name) == _fold(o["name"] or "") for o in out)):
            continue
        add({"kind": kind or "unknown", "key": qid if qid and _QID.match(qid) else (country or org), "name": name,
             "wikidata": qid, "country": country, "org": org, "office": None, "code": code, "sector": sector,
             "n_mentions": int(n)})
    return out[:limit]


def detail(cur: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any] | None:
    """Everything about one actor: a Wikidata id (person, state or IGO) or a code ('RUS', 'NATO',
    'RUS MIL'). None when neither the knowledge base nor the store knows it."""
    idx = kb_index()
    today = dt.date.today()
    if _QID.match(key):
        item = idx.by_qid.get(key)
        where, params = "wikidata = ?", [key]
        ev_where = "(actor_wikidata = ? OR recipient_wikidata = ?)"
        ev_params: list[Any] = [key, key]
        if isinstance(item, Country):
            key = item.iso3
        elif isinstance(item, Igo):
            key = item.code
    else:
        item = None
    if not _QID.match(key):
        code, _, sector = key.upper().partition(" ")
        item = item or idx.countries.get(code) or idx.igos.get(code)
        where, params = "(country = ? OR org = ? OR code = ?)", [code, code, code]
        side = "({p}_country = ? OR {p}_org = ? OR {p}_code = ?)"
        ev_where = f"({side.format(p='actor')} OR {side.format(p='recipient')})"
        ev_params = [code] * 6
        if sector:
            where += " AND sector = ?"
            params.append(sector)
            ev_where = (f"(({side.format(p='actor')} AND actor_sector = ?) OR "
                        f"({side.format(p='recipient')} AND recipient_sector = ?))")
            ev_params = [code, code, code, sector, code, code, code, sector]
    seen = cur.execute(
        f"SELECT code, name, sector, kind, n_mentions, n_as_source, n_as_target, first_seen, last_seen"
        f" FROM actors WHERE {where} ORDER BY n_mentions DESC LIMIT 50", params).fetchall()
    if item is None and not seen:
        return None
    out: dict[str, Any] = _summary(item, today) if item is not None else {
        "kind": seen[0][3] or "unknown", "key": key, "name": seen[0][1], "wikidata": None,
        "country": None, "org": None, "office": None}
    if isinstance(item, Person):
        out["offices"] = [term_json(t) for t in sorted(item.terms, key=lambda t: t.start or dt.date.min)]
    elif isinstance(item, (Country, Igo)):
        where_p = (lambda t: t.country == item.iso3) if isinstance(item, Country) else (lambda t: t.org == item.code)
        holders = [(p, t) for p in idx.people for t in p.terms_on(today) if where_p(t)]
        out["office_holders"] = [{"name": p.name, "wikidata": p.wikidata, **term_json(t)}
                                 for p, t in sorted(holders, key=lambda h: h[1].office)[:100]]
    out["store"] = [dict(zip(("code", "name", "sector", "kind", "n_mentions", "n_as_source", "n_as_target",
                              "first_seen", "last_seen"), r)) for r in seen]
    out["events"] = [dict(zip(("event_id", "event", "mode", "modality", "actor_code", "recipient_code",
                               "date", "anchor_date", "text"), r)) for r in cur.execute(
        "SELECT event_id, event, mode, modality, actor_code, recipient_code, date, anchor_date, text FROM events"
        f" WHERE {ev_where} ORDER BY anchor_date DESC, event_id DESC LIMIT 25", ev_params).fetchall()]
    return out
