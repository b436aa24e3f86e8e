"""The store's SQL: the statements of a batch write and the filters of the query API.

User values only ever travel as parameters (``?``); the only text formatted into SQL is placeholders
and column names chosen here, so a hostile actor string is just a string that matches nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

# What a more confident report replaces. The actor descriptions (name, text, Wikidata id) stay those of
# the first report: the codes are equal by construction, and every UPDATEd column costs write time.
_REPRESENTATIVE = ["context", "cameo", "goldstein", "quad_class", "attribution", "text", "cue", "rule"]
_LOCATION = ["location_text", "location_country", "location_geonameid", "location_lat", "location_lon"]

MERGE_EVENTS = [
    # the description of a more confident report
    "UPDATE events AS e SET " + ", ".join(f"{c} = u.{c}" for c in _REPRESENTATIVE)
    + ", confidence = u.confidence FROM _upd AS u WHERE e.event_id = u.event_id AND u.confidence > e.confidence",
    # a better date (decided in Python, where the date ranks are indexed)
    "UPDATE events AS e SET date = u.date, date_source = u.date_source, anchor_date = u.anchor_date"
    " FROM _upd AS u WHERE e.event_id = u.event_id AND u.new_date",
    # a place it lacked
    "UPDATE events AS e SET " + ", ".join(f"{c} = u.{c}" for c in _LOCATION)
    + " FROM _upd AS u WHERE e.event_id = u.event_id AND e.location_text IS NULL AND u.location_text IS NOT NULL",
    # counts from the mentions (distinct outlets cannot be counted incrementally); the id range lets
    # DuckDB skip the row groups of older mentions
    """UPDATE events AS e SET num_mentions = s.n, num_articles = s.na, num_sources = s.ns,
           first_seen = s.fs, last_seen = s.ls
    FROM (SELECT m.event_id, count(*) AS n, count(DISTINCT m.article_id) AS na,
                 count(DISTINCT m.source) AS ns, min(m.seen) AS fs, max(m.seen) AS ls
          FROM mentions AS m
          WHERE m.event_id BETWEEN (SELECT min(event_id) FROM _upd) AND (SELECT max(event_id) FROM _upd)
            AND m.event_id IN (SELECT event_id FROM _upd)
          GROUP BY m.event_id) AS s
    WHERE e.event_id = s.event_id""",
]
"""What a merged (already stored) event takes from this batch's reports of it, one statement per kind of
change so each touches only the rows it changes."""

UPSERT_ACTORS = """
INSERT INTO actors BY NAME SELECT * FROM _stage
ON CONFLICT (actor_id) DO UPDATE SET
    n_mentions = actors.n_mentions + excluded.n_mentions,
    n_as_source = actors.n_as_source + excluded.n_as_source,
    n_as_target = actors.n_as_target + excluded.n_as_target,
    first_seen = least(actors.first_seen, excluded.first_seen),
    last_seen = greatest(actors.last_seen, excluded.last_seen),
    name = coalesce(actors.name, excluded.name),
    kind = coalesce(actors.kind, excluded.kind)
"""

MENTIONS_OF = """
SELECT m.event_id, m.article_id, a.doc_id, a.url, a.outlet, a.title, a.published, m.sentence, m.char_start,
       m.char_end, m.confidence, m.attribution, m.text, m.cue, m.date, m.date_source, m.source, m.seen
FROM mentions AS m JOIN articles AS a USING (article_id)
WHERE m.event_id = ? ORDER BY m.seen, a.doc_id, m.sentence
"""


def as_limit(limit: Any) -> int:
    n = int(limit)
    if n < 0:
        raise ValueError(f"limit must be >= 0, not {limit}")
    return n


def as_date(value: date | str, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _codes(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: expected an actor code such as RUS, NATO or RUSGOV, got {value!r}")
    return value.strip().upper()


def _side(prefix: str, code: str) -> tuple[str, list[Any]]:
    """One side of an event matches a country, an organisation or a full actor code."""
    return (f"({prefix}_code = ? OR {prefix}_country = ? OR {prefix}_org = ?)", [code, code, code])


def _one_or_many(value: str | Sequence[str], name: str, upper: bool) -> list[str]:
    vals = [value] if isinstance(value, str) else list(value)
    if not vals or not all(isinstance(v, str) and v.strip() for v in vals):
        raise ValueError(f"{name}: expected a name or a list of names, got {value!r}")
    return [v.strip().upper() if upper else v.strip().lower() for v in vals]


def event_filters(actor: str | None = None, recipient: str | None = None,
                  dyad: tuple[str, str] | None = None, country: str | None = None,
                  event: str | Sequence[str] | None = None, since: date | str | None = None,
                  until: date | str | None = None, modality: str | Sequence[str] | None = None,
                  min_mentions: int | None = None) -> tuple[str, list[Any]]:
    """A WHERE clause (or '') and its parameters; dates filter on the event's best date."""
    where: list[str] = []
    params: list[Any] = []

    def add(sql: str, ps: list[Any]) -> None:
        where.append(sql)
        params.extend(ps)

    if actor is not None:
        add(*_side("actor", _codes(actor, "actor")))
    if recipient is not None:
        add(*_side("recipient", _codes(recipient, "recipient")))
    if dyad is not None:
        if isinstance(dyad, str) or len(dyad) != 2:
            raise ValueError(f"dyad: expected two actor codes, got {dyad!r}")
        a, b = _codes(dyad[0], "dyad"), _codes(dyad[1], "dyad")
        (sa, pa), (sb, pb) = _side("actor", a), _side("recipient", b)
        (ra, qa), (rb, qb) = _side("actor", b), _side("recipient", a)
        add(f"(({sa} AND {sb}) OR ({ra} AND {rb}))", pa + pb + qa + qb)
    if country is not None:
        c = _codes(country, "country")
        add("(actor_country = ? OR recipient_country = ?)", [c, c])
    if event is not None:
        types = _one_or_many(event, "event", upper=True)
        add(f"event IN ({', '.join('?' * len(types))})", types)
    if modality is not None:
        mods = _one_or_many(modality, "modality", upper=False)
        add(f"modality IN ({', '.join('?' * len(mods))})", mods)
    if since is not None:
        add("anchor_date >= ?", [as_date(since, "since")])
    if until is not None:
        add("anchor_date <= ?", [as_date(until, "until")])
    if min_mentions is not None:
        add("num_mentions >= ?", [int(min_mentions)])
    return (" WHERE " + " AND ".join(where)) if where else "", params


def select_events(limit: int | None = None, columns: str = "*", **filters: Any) -> tuple[str, list[Any]]:
    where, params = event_filters(**filters)
    sql = f"SELECT {columns} FROM events{where} ORDER BY anchor_date, event_id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(as_limit(limit))
    return sql, params


def select_articles(since: date | str | None = None, until: date | str | None = None,
                    outlet: str | None = None, status: str | None = None, language: str | None = None,
                    with_text: bool = False, limit: int | None = None) -> tuple[str, list[Any]]:
    cols = ("article_id, doc_id, url, outlet, title, author, published, language, status, skip_reason,"
            " n_events, source_input, ingested_at, content_hash") + (", text" if with_text else "")
    where: list[str] = []
    params: list[Any] = []
    if since is not None:
        where.append("published >= ?")
        params.append(as_date(since, "since"))
    if until is not None:
        where.append("published <= ?")
        params.append(as_date(until, "until"))
    for col, val in (("outlet", outlet), ("status", status), ("language", language)):
        if val is not None:
            where.append(f"lower({col}) = lower(?)")
            params.append(str(val))
    sql = f"SELECT {cols} FROM articles" + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY published NULLS LAST, ingested_at, doc_id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(as_limit(limit))
    return sql, params
