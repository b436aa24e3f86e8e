"""The JSON API over a read-only event store: events, dyads, gaps, surprises, audit, actors, articles.

Every parameter is checked by FastAPI before any query runs (actor codes, ISO dates, PLOVER types,
page sizes), so junk gets a 422 naming the parameter; whatever passes travels into SQL only as a
bound parameter (``?``) through ``detente.store.queries`` and ``detente.analysis``. DuckDB connections
are not thread-safe and FastAPI runs plain ``def`` routes in a thread pool, so each request works on
its own cursor (``store.con.cursor()``: a connection of its own to the same database).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal

import duckdb
import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from detente.store import queries
from detente.web import render
from detente.web.security import MAX_PAGE_SIZE

CODE = r"^[A-Za-z]{2,10}( [A-Za-z]{3})?$"
"""An actor: a country or IGO code, optionally with a sector ("RUS", "NATO", "USA MIL", "RUSGOV")."""
DYAD = r"^[A-Za-z]{2,10}( [A-Za-z]{3})?[,-][A-Za-z]{2,10}( [A-Za-z]{3})?$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
TYPES = r"^[A-Za-z]{3,12}(,[A-Za-z]{3,12}){0,15}$"
CURSOR = r"^\d{4}-\d{2}-\d{2}\.\d{1,18}$"
ACTOR_KEY = r"^(Q[0-9]{1,12}|[A-Za-z]{2,10}( [A-Za-z]{3})?)$"
ARTICLE_ID = r"^[0-9a-f]{8,64}$"
MAX_EVENT_ID = 2**62

LIST_COLUMNS = (
    "event_id, event, mode, modality, context, cameo, goldstein, quad_class, actor_code, actor_name, actor_country,"
    " actor_org, actor_sector, recipient_code, recipient_name, recipient_country, recipient_org, recipient_sector,"
    " date, date_source, anchor_date, location_text, location_country, num_mentions, num_articles, num_sources,"
    " confidence, text, cue, attribution, article_id, source_url"
)


class Json(JSONResponse):
    """JSON without FastAPI's per-value encoder walk (rows are plain values already); NaN -> null."""

    def render(self, content: Any) -> bytes:
        return render.dumps(content).encode("utf-8")


def rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


class Unprocessable(HTTPException):
    """A parameter that passed its pattern but means nothing (2024-02-30, since after until)."""

    def __init__(self, reason: str) -> None:
        super().__init__(status_code=422, detail=reason)


def iso(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Unprocessable(f"{name}: {value!r} is not a valid date (YYYY-MM-DD)") from None


def period(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    lo, hi = iso(since, "since"), iso(until, "until")
    if lo and hi and lo > hi:
        raise Unprocessable("since is after until")
    return lo, hi


def store_code(code: str) -> str:
    """'RUS MIL' -> 'RUSMIL': the store's filters match a full code, a country or an organisation."""
    return code.replace(" ", "").upper()


def pair(dyad: str) -> tuple[str, str]:
    a, b = re.split(r"[,-]", dyad, maxsplit=1)
    return a.strip().upper(), b.strip().upper()


@lru_cache(maxsize=1)
def event_types() -> frozenset[str]:
    from detente.analysis.dyad import event_types as types

    return frozenset(types())


def type_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    types = [t.strip().upper() for t in value.split(",") if t.strip()]
    bad = [t for t in types if t not in event_types()]
    if bad:
        raise Unprocessable(f"type: {', '.join(bad)} is not a PLOVER event type")
    return types


# -- shared parameters ----------------------------------------------------------------------------

Code = Annotated[str | None, Query(pattern=CODE, max_length=14, description="Country or IGO code, optionally with a sector: RUS, NATO, 'USA MIL'.")]
Since = Annotated[str | None, Query(pattern=ISO_DATE, description="First date (YYYY-MM-DD), inclusive.")]
Until = Annotated[str | None, Query(pattern=ISO_DATE, description="Last date (YYYY-MM-DD), inclusive.")]
TypeParam = Annotated[str | None, Query(alias="type", pattern=TYPES, max_length=200, description="PLOVER type(s), comma-separated.")]
Modality = Annotated[Literal["asserted", "negated", "hypothetical"] | None, Query()]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Page size, at most {MAX_PAGE_SIZE}.")]


class CodeRequest(BaseModel):
    """Text to code without storing it."""

    text: str = Field(min_length=1, max_length=100_000)
    date: str | None = Field(default=None, pattern=ISO_DATE, description="Publication date, the anchor of relative dates.")
    title: str | None = Field(default=None, max_length=1_000)


# -- response cache -------------------------------------------------------------------------------

class ResponseCache:
    """Rendered JSON of recent GET answers, least recently used out first.

    Sound because ``serve`` opens the store read-only: while the server runs, the same query always
    has the same answer. A dashboard asks the same few dyads and first pages over and over, and a dyad
    series costs a full scan plus the trend and change-point fits, so repeats are served from here.
    """

    MAX_BYTES = 64 * 2**20
    """Total size of the remembered bodies (a flood of distinct queries cannot grow it further)."""
    MAX_BODY = 2**20
    """Larger answers (a 500-event page of long sentences) are not remembered."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.bytes = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[str, threading.Lock] = {}
        self.hits = self.misses = 0

    @staticmethod
    def key(request: Request) -> str:
        return request.url.path + "?" + "&".join(f"{k}={v}" for k, v in sorted(request.query_params.multi_items()))

    def get(self, key: str) -> bytes | None:
        if self.size <= 0:
            return None
        with self._lock:
            body = self._items.get(key)
            if body is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return body

    def once(self, key: str, compute: Callable[[], bytes]) -> bytes:
        """The body for ``key`` after a missed ``get``: ``compute()``'s, computed once however many
        requests ask for it at the same moment (the others wait rather than all scanning the store)."""
        if self.size <= 0:
            return compute()
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            with self._lock:
                body = self._items.get(key)
            if body is None:
                body = compute()
                self.put(key, body)
        with self._lock:
            self._flights.pop(key, None)
        return body

    def put(self, key: str, body: bytes) -> None:
        if self.size <= 0 or len(body) > self.MAX_BODY:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self.bytes += len(body) - (len(old) if old is not None else 0)
            self._items[key] = body
            while len(self._items) > self.size or self.bytes > self.MAX_BYTES:
                _, dropped = self._items.popitem(last=False)
                self.bytes -= len(dropped)


def memory(request: Request) -> Any:
    """The in-memory tables of the store (``detente.web.memory``), or None: then SQL answers. If the
    store file changed since they were read, they are dropped, with the remembered answers."""
    web = request.app.state.web
    mem = web.memory
    if mem is not None and not mem.current():
        web.memory = mem = None
        web.cache = ResponseCache(web.cache.size)
    return mem


async def cached(request: Request, compute: Callable[[duckdb.DuckDBPyConnection], Any],
                 from_memory: Callable[[], str] | None = None) -> Response:
    """The cached answer to this GET request, else ``compute(cursor)``'s (rendered once, remembered).

    A hit is answered on the event loop; a miss runs the query in the thread pool on a cursor of
    its own (DuckDB releases the GIL while it scans). ``from_memory``: the answer's JSON text from
    the in-memory tables, made on the event loop (a few milliseconds of numpy, less than a thread hop)."""
    web = request.app.state.web
    key = ResponseCache.key(request) if web.cache.size > 0 else ""
    body = web.cache.get(key)
    if body is None and from_memory is not None:
        body = from_memory().encode("utf-8")
        web.cache.put(key, body)
    if body is None:
        def from_sql() -> bytes:
            cur = web.store.con.cursor()
            try:
                return Json(compute(cur)).body
            finally:
                cur.close()

        body = await run_in_threadpool(web.cache.once, key, from_sql)
    return Response(body, media_type="application/json")


# -- the router -----------------------------------------------------------------------------------

router = APIRouter(prefix="/api", default_response_class=Json)


def cursor(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of its own for this request (DuckDB connections are not shared across threads)."""
    cur = request.app.state.web.store.con.cursor()
    try:
        yield cur
    finally:
        cur.close()


Cur = Annotated[duckdb.DuckDBPyConnection, Depends(cursor)]


@router.get("/meta", summary="What the store holds: counts, date range, event types, busiest actors")
async def meta(request: Request) -> Response:
    return await cached(request, _meta)


def _meta(cur: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    counts = {t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "events", "mentions")}
    lo, hi = cur.execute("SELECT min(anchor_date), max(anchor_date) FROM events").fetchone()
    top = rows(cur.execute(
        "SELECT coalesce(country, org) AS code, sum(n_mentions) AS n FROM actors"
        " WHERE coalesce(country, org) IS NOT NULL GROUP BY 1 ORDER BY n DESC, code LIMIT 40"))
    return {"counts": counts, "first": lo, "last": hi, "types": sorted(event_types()), "actors": top,
            "max_page_size": MAX_PAGE_SIZE}


@router.get("/events", summary="Stored events matching every filter, oldest first, paged")
async def list_events(
    request: Request,
    actor: Code = None,
    recipient: Code = None,
    dyad: Annotated[str | None, Query(pattern=DYAD, max_length=30, description="Two actors, either direction: RUS,USA.")] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$", description="Either side's country (ISO alpha-3).")] = None,
    type_: TypeParam = None,
    since: Since = None,
    until: Until = None,
    modality: Modality = None,
    min_mentions: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    limit: Limit = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    cursor_: Annotated[str | None, Query(alias="cursor", pattern=CURSOR, description="next_cursor of the previous page.")] = None,
) -> Json:
    lo, hi = period(since, until)
    if cursor_ and offset:
        raise Unprocessable("give offset or cursor, not both")
    filters: dict[str, Any] = dict(
        actor=store_code(actor) if actor else None, recipient=store_code(recipient) if recipient else None,
        dyad=tuple(store_code(x) for x in pair(dyad)) if dyad else None,
        country=country.upper() if country else None, event=type_list(type_), since=lo, until=hi,
        modality=modality, min_mentions=min_mentions)
    where, params = queries.event_filters(**filters)
    after_key = None
    if cursor_:
        day, _, eid = cursor_.partition(".")
        after = iso(day, "cursor")
        after_key = (after, int(eid))
        where += (" AND " if where else " WHERE ") + "(anchor_date > ? OR (anchor_date = ? AND event_id > ?))"
        params += [after, after, int(eid)]
    # the page's keys first, then its columns by primary key: sorting narrow rows is several times
    # faster than sorting the wide ones when the filter selects tens of thousands of events
    sql = (f"SELECT {LIST_COLUMNS} FROM events WHERE event_id IN (SELECT event_id FROM events{where}"
           " ORDER BY anchor_date, event_id LIMIT ? OFFSET ?) ORDER BY anchor_date, event_id")

    def answer(found: list[dict[str, Any]]) -> dict[str, Any]:
        more = len(found) > limit
        found = found[:limit]
        last = found[-1] if found else None
        return {
            "events": found, "limit": limit, "offset": offset, "count": len(found),
            "next_cursor": f"{last['anchor_date'].isoformat()}.{last['event_id']}" if more and last else None,
        }

    def page(cur: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        return answer(rows(cur.execute(sql, params + [limit + 1, offset])))

    mem = memory(request)
    from_memory = None
    if mem is not None:
        def from_memory() -> str:  # answer() of the same rows, written from the columns
            found = mem.events.find(**filters, after=after_key, limit=limit + 1, offset=offset)
            more = len(found) > limit
            found = found[:limit]
            after = mem.events.key(int(found[-1])) if more and len(found) else None
            return render.obj([
                ("events", mem.events.rows_json(found)), ("limit", limit), ("offset", offset), ("count", len(found)),
                ("next_cursor", f"{after[0].isoformat()}.{after[1]}" if after else None)])

    return await cached(request, page, from_memory)


def cue_spans(text: str | None, cue: str | None) -> list[list[int]]:
    """Where the cue words are in the sentence: the whole cue if it is written as one piece, else
    each word in order ("summoned ... Antonov"); offsets into ``text``, end exclusive."""
    if not text or not cue:
        return []
    low = text.lower()
    whole = re.search(r"(?<!\w)" + re.escape(cue.lower()) + r"(?!\w)", low)
    if whole:
        return [[whole.start(), whole.end()]]
    spans: list[list[int]] = []
    pos = 0
    for word in cue.lower().split():
        m = re.compile(r"(?<!\w)" + re.escape(word) + r"\w*").search(low, pos)
        if m is None:
            m = re.compile(re.escape(word)).search(low)
            if m is None:
                continue
        spans.append([m.start(), m.end()])
        pos = m.end()
    return sorted(spans)


@router.get("/events/{event_id}", summary="One event with its mentions: the source sentences, cue highlighted")
def one_event(cur: Cur, event_id: Annotated[int, Path(ge=1, le=MAX_EVENT_ID)]) -> Json:
    found = rows(cur.execute("SELECT * FROM events WHERE event_id = ?", [event_id]))
    if not found:
        raise HTTPException(404, f"no event {event_id}")
    event = found[0]
    mentions = rows(cur.execute(queries.MENTIONS_OF, [event_id]))
    for m in mentions:
        m["cue_spans"] = cue_spans(m.get("text"), m.get("cue") or event.get("cue"))
    event["cue_spans"] = cue_spans(event.get("text"), event.get("cue"))
    return Json({"event": event, "mentions": mentions})


@router.get("/dyad", summary="The dyad index: temperature per period with its band, trend and change points")
async def dyad(
    request: Request,
    a: Annotated[str, Query(pattern=CODE, max_length=14)],
    b: Annotated[str, Query(pattern=CODE, max_length=14)],
    by: Literal["day", "week", "month"] = "week",
    since: Since = None,
    until: Until = None,
    directed: bool = False,
) -> Json:
    from detente.analysis.dyad import dyad_index

    lo, hi = period(since, until)
    mem = memory(request)
    return await cached(request, lambda cur: dict(_dyad(dyad_index(cur, a, b, by=by, since=lo, until=hi,
                                                                  directed=directed), by, directed)),
                        None if mem is None else
                        lambda: render.obj(_dyad(mem.dyads.index(a, b, by=by, since=lo, until=hi, directed=directed),
                                                 by, directed, rows=dyad_rows)))


def _dyad(index: Any, by: str, directed: bool,
          rows: Callable[[Any], Any] = lambda index: index.to_rows()) -> list[tuple[str, Any]]:
    """The answer's fields in order; ``rows``: how the series' rows are made (``to_rows``' dicts, or
    their JSON text written from the columns by ``dyad_rows``)."""
    trend = index.trend
    return [
        ("label", index.label), ("a", index.a.label), ("b", index.b.label), ("by", by), ("directed", directed),
        ("n_events", index.n_events), ("summary", index.summary()), ("rows", rows(index)),
        ("trend", None if trend is None else {
            "direction": trend.direction, "slope": trend.slope, "low": trend.low, "high": trend.high,
            "per_year": trend.per_year, "confidence": trend.confidence, "periods": trend.n_periods}),
        ("change_points", [{"period": c.period, "before": c.before, "after": c.after, "text": c.describe()}
                           for c in index.change_points]),
    ]


_DYAD_ROW = ("period", "events", "coop", "conflict", "q1", "q2", "q3", "q4", "goldstein_mean", "plover_mean",
             "temperature", "low", "high", "smoothed", "change_point")
"""The keys of ``DyadIndex.to_rows()``, in its order (``tests/test_web_memory.py`` checks they agree)."""


def dyad_rows(index: Any) -> render.Raw:
    """``dumps(index.to_rows())`` written from the index's columns: the same rounding (``round_floats``),
    periods without events give null means; about half the CPU of building the dicts and encoding them."""
    from detente.analysis.dyad import round_floats

    f = index.columns
    n = index.periods
    if not n:
        return render.Raw("[]")
    events = np.asarray(f["events"])
    two = round_floats(np.concatenate([f["coop"], f["conflict"], f["goldstein_mean"], f["plover_mean"]]), 2)
    three = round_floats(np.concatenate([f["temperature"], f["low"], f["high"], f["smoothed"]]), 3)
    two_t, three_t = render.short_floats(two), render.short_floats(three)
    gm, pm = two_t[2 * n:3 * n], two_t[3 * n:]
    for i in np.flatnonzero(events == 0).tolist():
        gm[i] = pm[i] = render.NULL
    starts = {c.period for c in index.change_points}
    periods = list(f["period"])
    return render.rows(_DYAD_ROW, [
        ['"' + p.isoformat() + '"' for p in periods], [str(x) for x in events.tolist()], two_t[:n], two_t[n:2 * n],
        *([str(x) for x in np.asarray(f[q]).tolist()] for q in ("q1", "q2", "q3", "q4")), gm, pm,
        three_t[:n], three_t[n:2 * n], three_t[2 * n:3 * n], three_t[3 * n:],
        ["true" if p in starts else "false" for p in periods]])


@router.get("/gaps", summary="Contacts of a dyad with the silences before and between them")
async def gaps(
    request: Request,
    a: Annotated[str, Query(pattern=CODE, max_length=14)],
    b: Annotated[str, Query(pattern=CODE, max_length=14)],
    type_: TypeParam = None,
    level: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}(/[A-Za-z]{3})?$")] = None,
    since: Since = None,
    until: Until = None,
) -> Json:
    from detente.analysis.gaps import gaps as find_gaps

    lo, hi = period(since, until)
    types = type_list(type_)

    def answer(cur: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        report = find_gaps(cur, a, b, event=types, level=level, since=lo, until=hi)
        return {"dyad": report.dyad, "what": report.what, "contacts": report.to_rows(),
                "longest": [{"start": s.start, "end": s.end, "days": s.days, "ongoing": s.ongoing,
                             "text": s.describe()} for s in report.longest()]}

    return await cached(request, answer)


@router.get("/surprises", summary="Events ranked by how unexpected they were given their dyad's history")
async def surprises(
    request: Request,
    since: Since = None,
    until: Until = None,
    dyad: Annotated[str | None, Query(pattern=DYAD, max_length=30)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> Json:
    from detente.analysis.surprises import surprises as rank, to_rows

    lo, hi = period(since, until)
    return await cached(request, lambda cur: {
        "surprises": to_rows(rank(cur, since=lo, until=hi, dyad=pair(dyad) if dyad else None, limit=limit))})


_AUDIT_LOCK = threading.Lock()


@router.get("/audit", summary="Claims of stored articles that contradict the knowledge base")
def audit(
    request: Request,
    cur: Cur,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
) -> Json:
    lo, hi = period(since, until)
    web = request.app.state.web
    key = (lo, hi)
    with _AUDIT_LOCK:  # the store is read-only, so a period's findings never change: audit it once
        found = web.audits.get(key)
    if found is None:
        from detente.analysis.audit import AuditStats, audit_store, to_rows

        stats = AuditStats()
        findings = to_rows(audit_store(cur, lo, hi, stats=stats))
        found = {"summary": stats.summary(), "findings": findings, "errors": [str(e) for e in stats.errors]}
        with _AUDIT_LOCK:
            if len(web.audits) > 64:
                web.audits.clear()
            web.audits[key] = found
    return Json({**found, "findings": found["findings"][:limit], "total": len(found["findings"])})


@router.get("/map", summary="Located events per country (ISO alpha-3 and numeric codes, for the map)")
async def event_map(
    request: Request,
    actor: Code = None,
    recipient: Code = None,
    type_: TypeParam = None,
    since: Since = None,
    until: Until = None,
    modality: Modality = None,
) -> Json:
    from detente.web.countries import numeric_of

    lo, hi = period(since, until)
    where, params = queries.event_filters(
        actor=store_code(actor) if actor else None, recipient=store_code(recipient) if recipient else None,
        event=type_list(type_), since=lo, until=hi, modality=modality)
    where += (" AND " if where else " WHERE ") + "location_country IS NOT NULL"

    def answer(cur: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        found = cur.execute(f"SELECT location_country, count(*) FROM events{where} GROUP BY 1 ORDER BY 2 DESC",
                            params).fetchall()
        out = []
        for iso3, n in found:
            numeric, name = numeric_of(iso3)
            out.append({"iso3": iso3, "numeric": numeric, "name": name, "events": int(n)})
        return {"countries": out}

    return await cached(request, answer)


# -- actors ---------------------------------------------------------------------------------------

@router.get("/actors", summary="Search actors: the knowledge base (people, states, IGOs) and the store")
def actors(
    request: Request,
    cur: Cur,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> Json:
    from detente.web.actors import search

    return Json({"actors": search(cur, q.strip(), limit)})


@router.get("/actors/{key}", summary="One actor: offices with dates from the knowledge base, counts and events from the store")
def actor_detail(cur: Cur, key: Annotated[str, Path(pattern=ACTOR_KEY, max_length=14)]) -> Json:
    from detente.web.actors import detail

    found = detail(cur, key)
    if found is None:
        raise HTTPException(404, f"no actor {key!r} in the knowledge base or the store")
    return Json(found)


@router.get("/articles/{article_id}", summary="One stored article with its text and the events coded from it")
def article(cur: Cur, article_id: Annotated[str, Path(pattern=ARTICLE_ID)]) -> Json:
    found = rows(cur.execute(
        "SELECT article_id, doc_id, url, outlet, title, author, published, language, status, skip_reason,"
        " n_events, text FROM articles WHERE article_id = ?", [article_id]))
    if not found:
        raise HTTPException(404, f"no article {article_id}")
    mentions = rows(cur.execute(
        "SELECT m.event_id, m.sentence, m.char_start, m.char_end, m.text, m.cue, e.event, e.mode, e.modality,"
        " e.actor_code, e.recipient_code, e.date FROM mentions m JOIN events e USING (event_id)"
        " WHERE m.article_id = ? ORDER BY m.sentence, m.event_id LIMIT 1000", [article_id]))
    for m in mentions:
        m["cue_spans"] = cue_spans(m.get("text"), m.get("cue"))
    return Json({"article": found[0], "mentions": mentions})


# -- coding posted text ---------------------------------------------------------------------------

@router.post("/code", summary="Code posted text without storing it (body at most 100 KB)")
def code(request: Request, body: CodeRequest) -> Json:
    from detente.records import Article

    when = iso(body.date, "date")
    web = request.app.state.web
    coder = web.coder()
    with web.coder_lock:  # one spaCy pipeline, one article at a time
        events = coder.code(Article(id="posted", text=body.text, date=when, title=body.title))
    return Json({"events": [e.to_json() for e in events], "count": len(events)})
