"""The claim audit: office and tenure claims of articles checked against the actor knowledge base.

A claim (read by ``detente.analysis.claims``) is checked on the dates it speaks of: the article's
publication date for a bare title ("Defence Minister Shoigu"), every date the sentence names too (a
title inside "in March 2023, Defence Minister Shoigu ..." is checked in March 2023 as well), the
claim's own date for a tenure ("became defence minister in May 2023"). The outcome is one of

- consistent: the knowledge base agrees (not reported);
- unchecked: the knowledge base does not know the office for that person, so it can neither confirm
  nor refute (counted in `AuditStats`, never reported as an error: an incomplete KB is not a text error);
  so are titles of offices several people hold at once (spokespeople) that the KB does not show the
  person holding that day, undated articles' bare titles, and a lone word read as a known surname
  only through a spelling correction ("Anderson" may be anyone, not a misspelt Andersson);
- contradicted: a `Finding`, with what the knowledge base says and a severity.

Precision is the claim's: "in May 2024" agrees with a term that began on 2024-05-14; a start a few
days outside the stated period agrees too, more for appointments and elections, which come before
the term (the ``slack_days`` of the verb groups in ``claims.yaml``).
A knowledge-base start of YYYY-01-01 is taken as "some time in YYYY" (how the people tables mark a
year-only date).

Severity: ``high`` when the knowledge base is specific and the text is far off (a start half a year
or more away, "former" for someone in office, the office given to the wrong state, the title given to
someone when the KB knows who else held it that day); ``medium`` for nearer misses and for titles of
people who held the office before, with no date in the sentence (often a loose historical mention);
``low`` for names found only through a spelling correction.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from detente.actors import ActorResolver, default_resolver
from detente.actors.kb import Person, Term
from detente.analysis.claims import Claim, ClaimReader, Role
from detente.records import Article, InputError

Severity = Literal["high", "medium", "low"]
Status = Literal["consistent", "contradicted", "unchecked"]
FAR_DAYS = 180  # a start half a year or more from the stated one is a plain error, not a nomination/inauguration gap
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(slots=True)
class Finding:
    """One claim of an article that the knowledge base contradicts (or a name read through a
    spelling correction). ``sentence`` is the sentence index of ``detente code`` output."""

    kind: Literal["tenure", "role", "former", "spelling"]
    article_id: str
    sentence: int
    text: str  # the sentence as written
    claim: str  # what the article says, in plain words
    kb_says: str  # what the knowledge base says
    person: str | None
    wikidata: str | None
    severity: Severity
    confidence: float  # how sure the audit is that the claim was read right (0-1)
    checked_on: dt.date | None = None  # the date the claim was checked on
    quote: str | None = None  # the words of the sentence that make the claim
    similarity: float | None = None  # spelling findings: written vs known name (0-1)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["checked_on"] = self.checked_on.isoformat() if self.checked_on else None
        return out


@dataclass(slots=True)
class AuditStats:
    """Counts over an audit run: claims read, and how each was settled (by kind)."""

    articles: int = 0
    claims: Counter = field(default_factory=Counter)  # kind -> claims read
    status: Counter = field(default_factory=Counter)  # (kind, status) -> claims
    errors: list[InputError] = field(default_factory=list)

    def add(self, claim: Claim, status: Status) -> None:
        self.claims[claim.kind] += 1
        self.status[(claim.kind, status)] += 1

    def count(self, status: Status) -> int:
        return sum(n for (_, s), n in self.status.items() if s == status)

    def summary(self) -> str:
        return (f"{self.articles} articles, {sum(self.claims.values())} claims: {self.count('consistent')} consistent, "
                f"{self.count('contradicted')} contradicted, {self.count('unchecked')} not checkable"
                + (f"; {len(self.errors)} articles could not be read" if self.errors else ""))


@dataclass(slots=True)
class Verdict:
    status: Status
    kb_says: str = ""
    severity: Severity = "medium"
    checked_on: dt.date | None = None


# ---------------------------------------------------------------------------------- the checker
class Auditor:
    """Checks claims against the knowledge base of a resolver (people and their office terms)."""

    def __init__(self, resolver: ActorResolver | None = None) -> None:
        self.resolver = resolver or default_resolver()
        self.reader = ClaimReader(self.resolver)
        self._by_name: dict[str, list[Person]] = {}
        for p in self.resolver.kb.people:
            self._by_name.setdefault(p.name, []).append(p)
        self._holders: dict[str, list[tuple[Person, Term]]] = {}

    # -- the knowledge base --------------------------------------------------------------------------
    def person(self, name: str | None, wikidata: str | None) -> Person | None:
        people = self._by_name.get(name or "", [])
        if wikidata:
            people = [p for p in people if p.wikidata == wikidata] or people
        return people[0] if people else None

    def holders(self, role: Role, where: str | None, start: dt.date, end: dt.date) -> list[tuple[Person, Term]]:
        """Who held an office of this kind in this state or organisation between two dates."""
        if role.name not in self._holders:
            self._holders[role.name] = [(p, t) for p in self.resolver.kb.people for t in p.terms if role.fits(t.office)]
        return [(p, t) for p, t in self._holders[role.name]
                if where in (t.country, t.org) and _overlaps(t, start, end)]

    # -- one article ---------------------------------------------------------------------------------
    def audit(self, article: Article, stats: AuditStats | None = None) -> list[Finding]:
        stats = stats if stats is not None else AuditStats()
        stats.articles += 1
        findings: list[Finding] = []
        for claim in self.reader.read(article):
            if claim.kind == "spelling":
                if not claim.corroborated:
                    stats.add(claim, "unchecked")
                    continue
                stats.add(claim, "contradicted")
                findings.append(Finding(
                    "spelling", article.id, claim.sentence.index, claim.sentence.text,
                    claim.describe(), f"no known person is written {claim.mention!r}; closest: {claim.person.name}"
                    f" (similarity {claim.similarity:.2f})", claim.person.name, claim.person.wikidata, "low",
                    claim.similarity or 0.0, article.date, claim.text, claim.similarity))
                continue
            verdict = self.check(claim, article.date)
            stats.add(claim, verdict.status)
            if verdict.status == "contradicted":
                findings.append(Finding(
                    claim.kind, article.id, claim.sentence.index, claim.sentence.text, claim.describe(),
                    verdict.kb_says, claim.person.name, claim.person.wikidata, verdict.severity, claim.confidence,
                    verdict.checked_on, claim.text))
        return findings

    def check(self, claim: Claim, day: dt.date | None) -> Verdict:
        """Settle one claim on the article's date `day`."""
        person = self.person(claim.person.name, claim.person.wikidata)
        if person is None or claim.role is None and claim.edge is None:
            return Verdict("unchecked")
        if day is None and claim.date is None:
            return Verdict("unchecked")  # an undated article: only dated claims can be checked
        terms = [t for t in person.terms if claim.role is None or claim.role.fits(t.office)]
        if not terms:
            return Verdict("unchecked")
        if claim.country:
            here = [t for t in terms if claim.country in (t.country, t.org)]
            if not here:
                where = ", ".join(sorted({t.country or t.org or "?" for t in terms}))
                return Verdict("contradicted", f"{person.name} held {_offices(terms)} ({where}); no such office of "
                               f"{claim.country}", "high", day)
            terms = here
        if claim.edge is not None:
            return self._check_edge(claim, person, terms, day)
        if claim.qualifier == "former":
            return self._check_former(claim, person, terms, day)
        if claim.qualifier == "then":
            if day is None or any(t.start is None or t.start <= day for t in terms):
                return Verdict("consistent")
            first = min(t.start for t in terms if t.start)
            return Verdict("contradicted", f"{person.name} became {_offices(terms)} only on {first.isoformat()}",
                           "high", day)
        return self._check_current(claim, person, terms, day)

    def _check_current(self, claim: Claim, person: Person, terms: list[Term], day: dt.date | None) -> Verdict:
        periods = [(d.start, d.end) for d in claim.sentence_dates]
        if day is not None:
            periods.append((day, day))
        if any(_overlaps(t, a, b) for t in terms for a, b in periods):
            return Verdict("consistent")
        if day is None:
            return Verdict("unchecked")  # an undated article: a bare title has no date to be checked on
        others = self._others(claim, person, terms, day)
        held = "; ".join(_term_text(t) for t in sorted(terms, key=_start_key))
        if all(t.start and t.start > day for t in terms):
            return Verdict("contradicted", f"{person.name} became {_offices(terms)} only later: {held}", "high", day)
        if claim.role is not None and claim.role.shared:
            return Verdict("unchecked")  # several hold it at once; the KB may miss this person's turn
        said = f"{person.name} was not {claim.role.name if claim.role else 'in office'} on {day.isoformat()} ({held})"
        if others:
            said += f"; on that date the office was held by {others}"
        # no other date in the sentence and the KB knows who held it: a plain error; else perhaps history
        severity: Severity = "high" if others and not claim.sentence_dates else "medium"
        return Verdict("contradicted", said, severity, day)

    def _check_former(self, claim: Claim, person: Person, terms: list[Term], day: dt.date | None) -> Verdict:
        if day is None:
            return Verdict("unchecked")
        now = [t for t in terms if t.covers(day)]
        if now:
            return Verdict("contradicted", f"{person.name} was still in office on {day.isoformat()}: {_term_text(now[0])}",
                           "high", day)
        if any(t.start and t.start <= day for t in terms):
            return Verdict("consistent")
        first = min(t.start for t in terms if t.start)
        return Verdict("contradicted", f"{person.name} became {_offices(terms)} only on {first.isoformat()}", "high", day)

    def _check_edge(self, claim: Claim, person: Person, terms: list[Term], day: dt.date | None) -> Verdict:
        """A dated start ("became ... in May 2023", "since 2004") or end ("until 2020") of a term."""
        date = claim.date
        assert date is not None
        slack = dt.timedelta(days=claim.slack_days)
        lo, hi = date.start - slack, date.end + slack
        edges = [(t, _edge_interval(t, claim.edge)) for t in terms]
        edges = [(t, e) for t, e in edges if e is not None]
        if claim.edge == "end" and day is not None:
            now = [t for t in terms if t.covers(day)]
            if now and not any(e[0] <= hi and lo <= e[1] for _, e in edges):
                return Verdict("contradicted", f"{person.name} was still in office on {day.isoformat()}: "
                               f"{_term_text(now[0])}", "high", day)
        if not edges:
            return Verdict("unchecked")
        if any(a <= hi and lo <= b for _, (a, b) in edges):
            return Verdict("consistent")
        # the nearest edge says how far off the text is
        def distance(e: tuple[dt.date, dt.date]) -> int:
            return min(abs((e[0] - date.end).days), abs((date.start - e[1]).days))

        term, nearest = min(edges, key=lambda te: distance(te[1]))
        verb = "took office as" if claim.edge == "start" else "left office as"
        when = term.start if claim.edge == "start" else term.end
        said = f"{person.name} {verb} {term.office} on {when.isoformat() if when else '?'}"
        if claim.edge == "start" and claim.role is not None:
            where = claim.country or term.country or term.org
            others = self.holders(claim.role, where, date.start, date.end) if where else []
            names = sorted({p.name for p, _ in others if p is not person})
            if names:
                said += f"; in {date.describe()} the office was held by {', '.join(names)}"
        severity: Severity = "high" if distance(nearest) >= FAR_DAYS else "medium"
        return Verdict("contradicted", said, severity, date.start)

    def _others(self, claim: Claim, person: Person, terms: list[Term], day: dt.date) -> str:
        """Who else held the office on the day (empty for offices several people share)."""
        if claim.role is None or claim.role.shared:
            return ""
        where = claim.country or terms[0].country or terms[0].org
        if where is None:
            return ""
        names = sorted({p.name for p, _ in self.holders(claim.role, where, day, day) if p is not person})
        return ", ".join(names)


def _overlaps(t: Term, start: dt.date, end: dt.date) -> bool:
    return (t.start is None or t.start <= end) and (t.end is None or start <= t.end)


def _edge_interval(t: Term, edge: str | None) -> tuple[dt.date, dt.date] | None:
    """When a term began (or ended), as an interval: a YYYY-01-01 start means "some time in YYYY"."""
    d = t.start if edge == "start" else t.end
    if d is None:
        return None
    if edge == "start" and d.month == 1 and d.day == 1:
        return d, dt.date(d.year, 12, 31)
    return d, d


def _start_key(t: Term) -> dt.date:
    return t.start or dt.date.min


def _term_text(t: Term) -> str:
    start = t.start.isoformat() if t.start else "?"
    end = t.end.isoformat() if t.end else "in office"
    return f"{t.office} {start} to {end}"


def _offices(terms: Sequence[Term]) -> str:
    return " / ".join(sorted({t.office for t in terms}))


# ---------------------------------------------------------------------------------- public API
_AUDITORS: dict[int, Auditor] = {}


def _auditor(resolver: ActorResolver | None) -> Auditor:
    """One auditor per resolver (building one indexes the people's names)."""
    resolver = resolver or default_resolver()
    found = _AUDITORS.get(id(resolver))
    if found is None or found.resolver is not resolver:
        found = _AUDITORS[id(resolver)] = Auditor(resolver)
    return found


def audit_article(article: Article, resolver: ActorResolver | None = None,
                  stats: AuditStats | None = None) -> list[Finding]:
    """Contradicted claims and corrected spellings of one article, in sentence order.

    Pass an `AuditStats` to also count the claims that were consistent or could not be checked."""
    findings = _auditor(resolver).audit(article, stats)
    return sorted(findings, key=lambda f: (f.sentence, _SEVERITY_ORDER[f.severity]))


def audit_articles(articles: Iterable[Article | InputError], resolver: ActorResolver | None = None,
                   stats: AuditStats | None = None) -> list[Finding]:
    """`audit_article` over many articles; an article that fails is recorded in ``stats.errors``
    (named, with the reason) and the others go on."""
    stats = stats if stats is not None else AuditStats()
    out: list[Finding] = []
    for art in articles:
        if isinstance(art, InputError):
            stats.errors.append(art)
            continue
        try:
            out += audit_article(art, resolver, stats)
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
            stats.errors.append(InputError(art.id, "audit", f"{type(exc).__name__}: {exc}"))
    return out


_SQL = """
SELECT article_id, doc_id, text, published, title, url, outlet, language
FROM articles
WHERE (? IS NULL OR published >= ?) AND (? IS NULL OR published <= ?)
ORDER BY published NULLS LAST, article_id
"""


def _connection(con_or_store: Any) -> tuple[Any, bool]:
    """A DuckDB connection from a Store, a connection or a database path: (connection, opened here)."""
    if hasattr(con_or_store, "con") and not hasattr(con_or_store, "execute"):
        return con_or_store.con, False
    if isinstance(con_or_store, (str, Path)):
        import duckdb

        if not Path(con_or_store).exists():
            raise FileNotFoundError(f"{con_or_store}: no such database")
        return duckdb.connect(str(con_or_store), read_only=True), True
    return con_or_store, False


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def audit_store(con_or_store: Any, since: dt.date | str | None = None, until: dt.date | str | None = None,
                resolver: ActorResolver | None = None, stats: AuditStats | None = None) -> list[Finding]:
    """Audit the stored articles published between `since` and `until` (inclusive; either may be
    None). Articles in another language than English are skipped (the patterns are English).
    ``Finding.article_id`` is the store's ``article_id``."""
    con, opened = _connection(con_or_store)
    stats = stats if stats is not None else AuditStats()
    lo, hi = _day(since), _day(until)
    try:
        rows = con.execute(_SQL, [lo, lo, hi, hi]).fetchall()
    finally:
        if opened:
            con.close()
    articles: list[Article | InputError] = []
    for article_id, doc_id, text, published, title, url, outlet, language in rows:
        if language and not str(language).lower().startswith("en"):
            continue
        if not text or not str(text).strip():
            articles.append(InputError(article_id, "audit", "stored article has no text"))
            continue
        articles.append(Article(id=article_id, text=text, date=_day(published), title=title, url=url, outlet=outlet,
                                language=language))
    return audit_articles(articles, resolver, stats)


# ---------------------------------------------------------------------------------- rendering
def to_rows(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Findings as JSON-ready dicts (one per finding), for JSON Lines or a DataFrame."""
    return [f.to_json() for f in findings]


def render(findings: Sequence[Finding], stats: AuditStats | None = None, console: Any = None) -> None:
    """A terminal table: most severe first within each article, then the counts."""
    from rich.console import Console
    from rich.table import Table

    width = max(140, shutil.get_terminal_size((140, 24)).columns)
    console = console or Console(width=width)
    if not findings:
        console.print("No claim contradicts the knowledge base.")
    else:
        table = Table(expand=False, show_lines=True)
        for col in ("article", "sent", "kind", "severity", "claim", "knowledge base", "sentence"):
            table.add_column(col, overflow="fold")
        colour = {"high": "bold red", "medium": "yellow", "low": "cyan"}
        for f in findings:
            table.add_row(f.article_id, str(f.sentence), f.kind, f"[{colour[f.severity]}]{f.severity}[/] ({f.confidence:.2f})",
                          f.claim, f.kb_says, f.text)
        console.print(table)
    if stats is not None:
        console.print(stats.summary())
        for err in stats.errors:
            console.print(f"[red]{err}[/]")
