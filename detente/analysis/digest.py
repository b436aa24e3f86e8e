"""The digest: a brief of a period in which every sentence cites the stored events it rests on.

"Is the ice between the Kremlin and the White House thawing?" is answered in prose, and prose is where
event data usually loses its evidence. So the brief is assembled, not written: each sentence is a
template of ``data/digest.yaml`` filled with numbers and names read from the store by the other
analysis modules (dyad index, gaps, surprises, claim audit), and carries the citations of the rows it
was filled from -- ``[e41]`` for stored event 41, ``[s1]`` for an article sentence the claim audit
contradicted. The Sources list quotes, for each citation, the sentences that reported it with outlet,
URL and publication date, so a reader can check every claim against the text, and a section with
nothing to say says so instead of staying blank. A number that is not in the store cannot get into the
brief, because there is no free text to put it in.

Markdown and HTML are rendered from the same structure. Article text is untrusted: in HTML every
string is escaped and only http(s) links are made; in Markdown, characters that would start markup,
raw HTML or a fake citation are escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import numpy as np

from detente.analysis.dyad import (
    ActorSpec,
    AnalysisError,
    beta_temperature,
    connection,
    dyad_filter,
    dyad_index,
    modalities,
    parse_actor,
    settings,
)
from detente.records import InputError

CITATION = re.compile(r"(?<!\\)\[([es]\d+)\]")
"""A citation as it appears in the Markdown: [e41] (a stored event) or [s1] (an audited sentence)."""

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@lru_cache(maxsize=1)
def wording() -> dict[str, Any]:
    """Templates, titles and thresholds of ``data/digest.yaml``."""
    from detente.data import load_yaml

    return load_yaml("digest.yaml")


# ---------------------------------------------------------------------------------- the structure
@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a sentence and the citations that back exactly this piece."""

    text: str
    cites: tuple[str, ...] = ()


@dataclass
class Line:
    """One sentence of the brief: segments rendered in order, each followed by its citations."""

    segments: list[Segment]

    @property
    def cites(self) -> list[str]:
        return [c for s in self.segments for c in s.cites]

    def plain(self) -> str:
        return " ".join(s.text for s in self.segments)


@dataclass
class Section:
    key: str
    title: str
    lines: list[Line] = field(default_factory=list)
    empty: str = ""
    """What the section says when it has no lines."""


@dataclass(frozen=True, slots=True)
class Quote:
    """A sentence of a stored article, with where and when it was published."""

    text: str
    article_id: str | None
    doc_id: str | None
    sentence: int | None
    outlet: str | None
    url: str | None
    title: str | None
    published: dt.date | None

    def where_parts(self) -> list[tuple[str, bool]]:
        """Outlet, title, address and date, each flagged True when it is the article's URL."""
        parts = [(self.outlet or "no outlet named", False)]
        if self.title:
            parts.append((f"“{self.title}”", False))
        parts.append((self.url, True) if self.url else (f"document {self.doc_id or self.article_id}", False))
        parts.append((f"published {self.published.isoformat()}" if self.published else "publication date unknown",
                      False))
        if self.article_id is not None and self.sentence is not None:
            parts.append((f"article {self.article_id}, sentence {self.sentence}", False))
        return parts

    def where(self) -> str:
        """Outlet, title, address and date as one reference (the parts the store has)."""
        return ", ".join(text for text, _ in self.where_parts())


@dataclass
class Source:
    """The target of one citation: a stored event with its reports, or one audited sentence."""

    key: str
    heading: str
    quotes: list[Quote]
    more: int = 0
    """Reports of the event that are not quoted."""
    event_id: int | None = None


@dataclass
class Digest:
    """A cited brief of ``since``..``until`` (inclusive), optionally of one dyad."""

    since: dt.date
    until: dt.date
    dyad: str | None
    sections: list[Section]
    sources: dict[str, Source]
    errors: list[InputError] = field(default_factory=list)
    """Inputs a section could not read (an article the audit failed on), named with the reason."""

    @property
    def title(self) -> str:
        head = f"{wording()['titles']['digest']}: {self.since.isoformat()} to {self.until.isoformat()}"
        return head + (f" · {self.dyad}" if self.dyad else "")

    @property
    def empty(self) -> bool:
        return not any(s.lines for s in self.sections)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def lines(self) -> Iterator[Line]:
        for s in self.sections:
            yield from s.lines

    def event_ids(self) -> list[int]:
        """Every stored event the brief cites, in order of first citation."""
        return [src.event_id for src in self.sources.values() if src.event_id is not None]

    # -- Markdown ---------------------------------------------------------------------------------
    def to_markdown(self) -> str:
        out = [f"# {md_escape(self.title)}", ""]
        for sec in self.sections:
            out += [f"## {md_escape(sec.title)}", ""]
            if not sec.lines:
                out.append(f"_{md_escape(sec.empty)}_")
            for line in sec.lines:
                out.append("- " + _md_line(line))
            out.append("")
        if self.sources:
            out += [f"## {md_escape(wording()['titles']['sources'])}", ""]
            for src in self.sources.values():
                out.append(f"- **[{src.key}]** {md_escape(src.heading)}")
                for q in src.quotes:
                    out.append(f"  - “{md_escape(q.text)}” — {md_escape(q.where())}")
                if src.more:
                    out.append(f"  - {md_escape(_plural(src.more, 'more report'))} not quoted")
            out.append("")
        return "\n".join(out)

    # -- HTML -------------------------------------------------------------------------------------
    def to_html(self) -> str:
        e = html.escape
        out = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            # no script, no remote resource: article text is untrusted, so nothing in it may run or load
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
            f"<title>{e(self.title)}</title>",
            f"<style>{_STYLE}</style>",
            "</head><body><main>",
            f"<h1>{e(self.title)}</h1>",
        ]
        for sec in self.sections:
            out.append(f'<section class="{e(sec.key)}"><h2>{e(sec.title)}</h2>')
            if not sec.lines:
                out.append(f'<p class="empty">{e(sec.empty)}</p>')
            else:
                out.append("<ul>")
                out += [f"<li>{_html_line(line)}</li>" for line in sec.lines]
                out.append("</ul>")
            out.append("</section>")
        if self.sources:
            out.append(f'<section class="sources"><h2>{e(wording()["titles"]["sources"])}</h2><ol>')
            for src in self.sources.values():
                out.append(f'<li id="{e(src.key)}"><b>[{e(src.key)}]</b> {e(src.heading)}<ul>')
                for q in src.quotes:
                    out.append(f"<li><q>{e(q.text)}</q> — {_html_where(q)}</li>")
                if src.more:
                    out.append(f"<li>{e(_plural(src.more, 'more report'))} not quoted</li>")
                out.append("</ul></li>")
            out.append("</ol></section>")
        out.append("</main></body></html>")
        return "\n".join(out) + "\n"

    def save(self, path: str | PathLike[str]) -> Path:
        """Write the brief as HTML (``.html``/``.htm``) or Markdown (anything else)."""
        p = Path(path)
        text = self.to_html() if p.suffix.lower() in (".html", ".htm") else self.to_markdown()
        p.write_text(text, encoding="utf-8")
        return p


_STYLE = ("body{font-family:Georgia,serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45;"
          "color:#222}h1{font-size:1.5rem}h2{font-size:1.15rem;border-bottom:1px solid #ccc}"
          "a.cite{font-family:monospace;font-size:.85em;text-decoration:none}.empty{font-style:italic;color:#555}"
          ".sources{font-size:.9em}.sources q{font-style:italic}")

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")


def md_escape(text: str) -> str:
    """Data text made inert in Markdown: no markup, no raw HTML, no fake citation, one line.

    Every text is inside a list item, so characters that only matter at the start of a line (#, >,
    +, -) are harmless; ``<`` could open raw HTML and ``&`` an entity, so both become entities."""
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _join(parts: list[tuple[str, str]]) -> str:
    """Rendered (segment text, citations) pairs as one sentence: a segment that opens with a comma
    or semicolon follows the previous citations directly."""
    out = ""
    for text, cites in parts:
        if out and not text[:1] in (",", ";", "."):
            out += " "
        out += text + (f" {cites}" if cites else "")
    return out


def _md_line(line: Line) -> str:
    return _join([(md_escape(s.text), " ".join(f"[{c}]" for c in s.cites)) for s in line.segments])


def _html_line(line: Line) -> str:
    return _join([(html.escape(s.text),
                   " ".join(f'<a class="cite" href="#{html.escape(c)}">[{html.escape(c)}]</a>' for c in s.cites))
                  for s in line.segments])


def _safe_url(url: str | None) -> str | None:
    """An address that may become a link: http(s) only (never javascript:, data: ...)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def _html_where(q: Quote) -> str:
    out = []
    for text, is_url in q.where_parts():
        link = _safe_url(text) if is_url else None
        if link:
            out.append(f'<a href="{html.escape(link, quote=True)}" rel="noopener noreferrer nofollow">'
                       f"{html.escape(text)}</a>")
        else:
            out.append(html.escape(text))
    return ", ".join(out)


# ---------------------------------------------------------------------------------- small helpers
def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _signed(x: float) -> str:
    return f"{x:+.2f}"


def _band(low: float, high: float) -> str:
    return f"[{low:+.2f}, {high:+.2f}]"


def _as_date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise AnalysisError(repr(value), f"{name} is not a date (YYYY-MM-DD)") from None


def _dyad_specs(dyad: Any) -> tuple[ActorSpec, ActorSpec] | None:
    """'RUS-USA', 'RUS USA', 'RUS MIL-USA MIL', ('RUS', 'USA') -> two actor specs."""
    if dyad is None:
        return None
    if isinstance(dyad, str):
        text = dyad.replace("->", "-")
        parts = [p.strip() for p in text.split("-")] if "-" in text else text.split()
        parts = [p for p in parts if p]
    else:
        try:
            parts = list(dyad)
        except TypeError:
            parts = []
    if len(parts) != 2:
        raise AnalysisError(repr(dyad), "a dyad is two actor codes ('RUS-USA', 'RUS MIL-USA MIL')")
    a, b = parse_actor(parts[0]), parse_actor(parts[1])
    if a == b:
        raise AnalysisError(repr(dyad), "a dyad needs two different actors")
    return a, b


def _side(country: Any, org: Any, sector: Any, name: Any) -> str:
    """'Andrey Belousov (RUS GOV)', 'RUS', or 'unknown' -- the names and codes the store holds."""
    code = " ".join(str(x) for x in (country or org, sector) if isinstance(x, str) and x) or "unknown"
    if isinstance(name, str) and name and name != code:
        return f"{name} ({code})"
    return code


def _event_label(event: str, mode: Any) -> str:
    return event + (f"/{mode}" if isinstance(mode, str) and mode else "")


def _direction(text: str) -> str:
    return text.replace("->", " → ")


_DYAD_SIDES = ("coalesce(e.actor_country, e.actor_org) IS NOT NULL AND coalesce(e.recipient_country, e.recipient_org)"
               " IS NOT NULL AND coalesce(e.actor_country, e.actor_org) <> coalesce(e.recipient_country, e.recipient_org)")


# ---------------------------------------------------------------------------------- the builder
class _Builder:
    """Collects the sections and, for every citation made, what it points to."""

    def __init__(self, con: duckdb.DuckDBPyConnection, since: dt.date, until: dt.date,
                 dyad: tuple[ActorSpec, ActorSpec] | None, limit: int) -> None:
        self.con = con
        self.since, self.until, self.dyad, self.limit = since, until, dyad, limit
        self.cfg = wording()
        self.mods = modalities()
        self.cited_events: list[int] = []
        self.sentences: dict[str, Quote] = {}
        self.errors: list[InputError] = []

    # -- citations --------------------------------------------------------------------------------
    def cite(self, ids: Iterable[int]) -> tuple[str, ...]:
        keys = []
        for i in ids:
            i = int(i)
            if i not in self.cited_events:
                self.cited_events.append(i)
            keys.append(f"e{i}")
        return tuple(dict.fromkeys(keys))

    def cite_sentence(self, quote: Quote) -> str:
        for key, q in self.sentences.items():
            if (q.article_id, q.sentence) == (quote.article_id, quote.sentence):
                return key
        key = f"s{len(self.sentences) + 1}"
        self.sentences[key] = quote
        return key

    # -- shared SQL -------------------------------------------------------------------------------
    def _where(self, since: dt.date, until: dt.date, dyad: tuple[ActorSpec, ActorSpec] | None,
               require_dyad: bool = True) -> tuple[str, list[Any]]:
        """Asserted events dated in since..until, of the dyad (or of any two different actors)."""
        sql = (f"e.modality IN ({', '.join('?' * len(self.mods))})"
               " AND coalesce(e.date, e.anchor_date) BETWEEN ? AND ?")
        params: list[Any] = [*self.mods, since, until]
        if dyad is not None:
            where, dparams, _, _ = dyad_filter(dyad[0], dyad[1], directed=False)
            sql += f" AND {where}"
            params += dparams
        elif require_dyad:
            sql += f" AND {_DYAD_SIDES}"
        return sql, params

    def _active_dyads(self, types: Sequence[str] | None = None) -> list[tuple[ActorSpec, ActorSpec]]:
        """The dyads with most asserted events in the period (only the requested one when given)."""
        if self.dyad is not None:
            return [self.dyad]
        where, params = self._where(self.since, self.until, None)
        if types:
            where += f" AND e.event IN ({', '.join('?' * len(types))})"
            params += list(types)
        rows = self.con.execute(f"""
            SELECT least(s, t) AS lo, greatest(s, t) AS hi, count(*) AS n
            FROM (SELECT coalesce(e.actor_country, e.actor_org) AS s, coalesce(e.recipient_country, e.recipient_org) AS t
                  FROM events e WHERE {where})
            GROUP BY lo, hi ORDER BY n DESC, lo, hi LIMIT ?""", params + [int(self.cfg["active_dyads"])]).fetchall()
        out = []
        for lo, hi, _ in rows:
            try:
                out.append((parse_actor(lo), parse_actor(hi)))
            except AnalysisError:
                continue  # a stored code the analysis cannot address is left out, not guessed
        return out

    def _event_ids(self, since: dt.date, until: dt.date, dyad: tuple[ActorSpec, ActorSpec]) -> list[int]:
        """The dyad's asserted events in a window, most reported (then most confident) first."""
        where, params = self._where(since, until, dyad)
        return [int(r[0]) for r in self.con.execute(
            f"SELECT e.event_id FROM events e WHERE {where} ORDER BY e.num_mentions DESC, e.confidence DESC, e.event_id",
            params).fetchall()]

    def _store_start(self) -> dt.date | None:
        """The date of the store's earliest counted event: no silence is known before it."""
        where = f"e.modality IN ({', '.join('?' * len(self.mods))})"
        return self.con.execute(f"SELECT min(coalesce(e.date, e.anchor_date)) FROM events e WHERE {where}",
                                self.mods).fetchone()[0]

    # -- sections ---------------------------------------------------------------------------------
    def headlines(self) -> Section:
        cfg = self.cfg["headlines"]
        sec = Section("headlines", self.cfg["titles"]["headlines"], empty=self.cfg["empty"]["headlines"])
        where, params = self._where(self.since, self.until, self.dyad, bool(cfg["require_dyad"]))
        rows = self.con.execute(f"""
            SELECT e.event_id, coalesce(e.date, e.anchor_date) AS day, e.date_source, e.event, e.mode,
                   e.goldstein, e.actor_country, e.actor_org, e.actor_sector, e.actor_name,
                   e.recipient_country, e.recipient_org, e.recipient_sector, e.recipient_name,
                   e.num_mentions, e.num_articles, e.num_sources
            FROM events e WHERE {where}
            ORDER BY e.num_mentions DESC, e.num_sources DESC, abs(coalesce(e.goldstein, 0)) DESC, day, e.event_id
            LIMIT ?""", params + [self.limit]).fetchall()
        for (eid, day, source, event, mode, goldstein, ac, ao, asec, aname, rc, ro, rsec, rname,
             n_mentions, n_articles, n_sources) in rows:
            text = cfg["template"].format(
                day=day.isoformat(),
                date_note=cfg["date_note_publication"] if source == "publication" else "",
                source=_side(ac, ao, asec, aname), target=_side(rc, ro, rsec, rname),
                event=_event_label(event, mode),
                goldstein="unknown" if goldstein is None else f"{goldstein:+.1f}",
                mentions=_plural(int(n_mentions), "sentence"), articles=_plural(int(n_articles), "article"),
                sources=_plural(int(n_sources), "source"))
            sec.lines.append(Line([Segment(text, self.cite([eid]))]))
        return sec

    def climate(self) -> Section:
        cfg = self.cfg["climate"]
        sec = Section("climate", self.cfg["titles"]["climate"], empty=self.cfg["empty"]["climate"])
        days = (self.until - self.since).days + 1
        before_end = self.since - dt.timedelta(days=1)
        temp = settings()["temperature"]
        prior, band = float(temp["prior"]), float(temp["band"])
        found: list[tuple[float, Line]] = []
        compared = 0
        for a, b in self._active_dyads():
            now_ids = self._event_ids(self.since, self.until, (a, b))
            if not now_ids:
                continue
            start = self.since - dt.timedelta(days=days)
            window = cfg["window_previous"].format(days=days)
            before_ids = self._event_ids(start, before_end, (a, b))
            lookback = int(cfg["lookback_days"])
            if len(before_ids) < int(cfg["min_baseline_events"]) and lookback > days:
                start = self.since - dt.timedelta(days=lookback)
                window = cfg["window_lookback"].format(days=lookback, short=days,
                                                       min_events=int(cfg["min_baseline_events"]))
                before_ids = self._event_ids(start, before_end, (a, b))
            if not before_ids:
                continue  # nothing before the period: no change can be read
            compared += 1
            frame = dyad_index(self.con, a, b, by="day", since=start, until=self.until).frame
            periods = np.array([p for p in frame["period"]])
            in_now = periods >= self.since
            coop, conflict = frame["coop"].to_numpy(float), frame["conflict"].to_numpy(float)
            (t_now, t_before), (lo_now, lo_before), (hi_now, hi_before) = beta_temperature(
                np.array([coop[in_now].sum(), coop[~in_now].sum()]),
                np.array([conflict[in_now].sum(), conflict[~in_now].sum()]), prior, band)
            change = float(t_now - t_before)
            if abs(change) < float(cfg["min_change"]):
                continue
            label = f"{a.label}-{b.label}"
            cap = int(cfg["max_citations"])
            head = cfg["warmed" if change > 0 else "cooled"].format(
                dyad=label, now=_signed(t_now), now_band=_band(lo_now, hi_now), n_now=_plural(len(now_ids), "event"))
            base = cfg["baseline"].format(before=_signed(t_before), before_band=_band(lo_before, hi_before),
                                          window=window, n_before=_plural(len(before_ids), "event"))
            overlap = lo_now <= hi_before and lo_before <= hi_now
            tail = [cfg["overlap" if overlap else "disjoint"]]
            for ids in (now_ids, before_ids):
                if len(ids) > cap:
                    tail.append(cfg["cited_part"].format(cited=cap, total=len(ids)))
            segs = [Segment(head, self.cite(now_ids[:cap])), Segment(base, self.cite(before_ids[:cap])),
                    Segment("; " + "; ".join(tail))]
            found.append((abs(change), Line(segs)))
        if compared and not found:
            sec.empty = self.cfg["empty"]["climate_steady"].format(min_change=cfg["min_change"])
        found.sort(key=lambda x: -x[0])
        sec.lines = [line for _, line in found[: self.limit]]
        return sec

    def surprises(self) -> Section:
        from detente.analysis.surprises import surprises

        sec = Section("surprises", self.cfg["titles"]["surprises"], empty=self.cfg["empty"]["surprises"])
        for s in surprises(self.con, since=self.since, until=self.until, dyad=self.dyad, limit=self.limit):
            head = f"{s.source}->{s.target} {s.event}: "
            why = s.explanation[len(head):] if s.explanation.startswith(head) else s.explanation
            text = self.cfg["surprises"]["template"].format(
                day=s.day.isoformat(), source=s.source, target=s.target, event=_event_label(s.event, s.mode),
                score=f"{s.score:.2f}", why=_direction(why))
            sec.lines.append(Line([Segment(text, self.cite([s.event_id]))]))
        return sec

    def gaps(self) -> Section:
        from detente.analysis.gaps import gaps, span_phrase

        cfg = self.cfg["gaps"]
        sec = Section("gaps", self.cfg["titles"]["gaps"], empty=self.cfg["empty"]["gaps"])
        event = cfg.get("event") or settings()["gaps"]["default_event"]
        threshold = int(cfg["min_silence_days"])
        found: list[tuple[tuple, Line]] = []
        start = self._store_start()
        seen = 0
        for a, b in self._active_dyads([event]):
            contacts = gaps(self.con, a, b, event=event, until=self.until).contacts
            for i, c in enumerate(contacts):
                if c.day < self.since:
                    continue
                seen += 1
                fields = dict(dyad=c.dyad, what=c.what, day=c.day.isoformat(),
                              directions=", ".join(_direction(d) for d in sorted(set(c.directions))))
                head = Segment(cfg["contact"].format(**fields), self.cite(c.event_ids))
                if c.previous is None:
                    if start is None or (c.day - start).days < threshold:
                        continue  # the store begins too shortly before: no silence can be read
                    tail = cfg["first"].format(start=start.isoformat(), phrase=span_phrase(start, c.day))
                    found.append(((1, 0, c.day.isoformat(), c.dyad), Line([head, Segment(tail)])))
                    continue
                prev = contacts[i - 1]
                when = dict(phrase=c.since_phrase, previous=c.previous.isoformat())
                if (c.days_since or 0) >= threshold:
                    line = Line([head, Segment(cfg["closed"].format(**when), self.cite(prev.event_ids))])
                    found.append(((0, -(c.days_since or 0), c.day.isoformat(), c.dyad), line))
                elif prev.previous is not None and (prev.days_since or 0) >= threshold:
                    line = Line([head, Segment(cfg["soon"].format(**when), self.cite(prev.event_ids)),
                                 Segment(cfg["chain"].format(phrase=prev.since_phrase, previous=prev.previous.isoformat()),
                                         self.cite(contacts[i - 2].event_ids))])
                    found.append(((2, -(prev.days_since or 0), c.day.isoformat(), c.dyad), line))
        if seen and not found:
            sec.empty = self.cfg["empty"]["gaps_routine"].format(days=threshold)
        found.sort(key=lambda x: x[0])
        sec.lines = [line for _, line in found[: self.limit]]
        return sec

    def audit(self) -> Section:
        from detente.analysis.audit import AuditStats, audit_store

        cfg = self.cfg["audit"]
        sec = Section("audit", self.cfg["titles"]["audit"], empty=self.cfg["empty"]["audit"])
        stats = AuditStats()
        findings = audit_store(self.con, self.since, self.until, stats=stats)
        self.errors += stats.errors
        if self.dyad is not None and findings:
            where, params, _, _ = dyad_filter(self.dyad[0], self.dyad[1], directed=False)
            keep = {r[0] for r in self.con.execute(
                f"SELECT DISTINCT m.article_id FROM mentions m JOIN events e USING (event_id) WHERE {where}",
                params).fetchall()}
            findings = [f for f in findings if f.article_id in keep]
        articles = {r[0]: r for r in self.con.execute(
            "SELECT article_id, doc_id, outlet, url, title, published FROM articles WHERE article_id IN "
            "(SELECT unnest(?::VARCHAR[]))", [sorted({f.article_id for f in findings})]).fetchall()} if findings else {}
        findings.sort(key=lambda f: (_SEVERITY_ORDER.get(f.severity, 3), str(articles.get(f.article_id, ("",) * 6)[5]),
                                     f.article_id, f.sentence))
        for f in findings[: self.limit]:
            _, doc_id, outlet, url, title, published = articles.get(f.article_id, (f.article_id, None, None, None, None, None))
            quote = Quote(f.text, f.article_id, doc_id, f.sentence, outlet, url, title, published)
            template = cfg["spelling"] if f.kind == "spelling" else cfg["template"]
            text = template.format(published=published.isoformat() if published else "undated",
                                   outlet=outlet or doc_id or f.article_id, claim=f.claim, kb_says=f.kb_says,
                                   severity=f.severity)
            segs = [Segment(text, (self.cite_sentence(quote),))]
            coded = [r[0] for r in self.con.execute(
                "SELECT DISTINCT event_id FROM mentions WHERE article_id = ? AND sentence = ? ORDER BY event_id",
                [f.article_id, f.sentence]).fetchall()]
            if coded:
                segs.append(Segment("; " + cfg["coded"], self.cite(coded)))
            sec.lines.append(Line(segs))
        return sec

    # -- the sources ------------------------------------------------------------------------------
    def sources(self) -> dict[str, Source]:
        out: dict[str, Source] = {}
        max_quotes = int(self.cfg["sources"]["max_quotes"])
        ids = self.cited_events
        if ids:
            events = {r[0]: r for r in self.con.execute("""
                SELECT e.event_id, coalesce(e.date, e.anchor_date), e.event, e.mode, e.cameo,
                       e.actor_country, e.actor_org, e.actor_sector, e.recipient_country, e.recipient_org,
                       e.recipient_sector, e.text, e.article_id, e.sentence, e.source_url,
                       a.doc_id, a.outlet, a.url, a.title, a.published
                FROM events e LEFT JOIN articles a ON a.article_id = e.article_id
                WHERE e.event_id IN (SELECT unnest(?::BIGINT[]))""", [ids]).fetchall()}
            reports: dict[int, list[Quote]] = {}
            for r in self.con.execute("""
                SELECT m.event_id, m.text, m.article_id, m.sentence, a.doc_id, a.outlet, a.url, a.title, a.published
                FROM mentions m LEFT JOIN articles a ON a.article_id = m.article_id
                WHERE m.event_id IN (SELECT unnest(?::BIGINT[]))
                ORDER BY m.event_id, m.seen, a.doc_id, m.sentence""", [ids]).fetchall():
                reports.setdefault(int(r[0]), []).append(
                    Quote(r[1] or "", r[2], r[4], r[3], r[5], r[6], r[7], r[8]))
            for eid in ids:
                ev = events.get(eid)
                if ev is None:
                    continue  # cannot happen: every id came from the events table
                (_, day, event, mode, cameo, ac, ao, asec, rc, ro, rsec, text, art, sent, src_url,
                 doc_id, outlet, url, title, published) = ev
                heading = " · ".join([day.isoformat(), f"{_side(ac, ao, asec, None)} → {_side(rc, ro, rsec, None)}",
                                      _event_label(event, mode) + (f" (CAMEO {cameo})" if cameo else "")])
                quotes = reports.get(eid) or [
                    # a store written without mentions: the event's own representative sentence
                    Quote(text or "", art, doc_id, sent, outlet, url or src_url, title, published)]
                out[f"e{eid}"] = Source(f"e{eid}", heading, quotes[:max_quotes], max(0, len(quotes) - max_quotes), eid)
        for key, q in self.sentences.items():
            heading = f"claim audit: {q.doc_id or q.article_id}, sentence {q.sentence}"
            out[key] = Source(key, heading, [q])
        return out


def _open(store_or_con: Any) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """A connection from a Store, a connection, or a database path (opened read-only here)."""
    if isinstance(store_or_con, (str, PathLike)):
        path = Path(store_or_con)
        if not path.exists():
            raise AnalysisError(str(path), "no such database")
        return duckdb.connect(str(path), read_only=True), True
    return connection(store_or_con), False


def digest(store_or_con: Any, *, since: dt.date | str, until: dt.date | str, dyad: Any = None,
           limit: int | None = None, audit: bool = True) -> Digest:
    """The cited brief of the events dated ``since``..``until`` (inclusive).

    ``dyad`` ("RUS-USA", ("RUS", "USA"), "RUS MIL-USA MIL") narrows every section to one pair (the
    audit to articles that reported the pair). ``limit`` caps the items of each section (default
    from ``digest.yaml``). ``audit=False`` leaves the claim audit out (it reads every article of the
    period and is the slowest section).
    """
    lo, hi = _as_date(since, "since"), _as_date(until, "until")
    if lo > hi:
        raise AnalysisError(f"{lo}..{hi}", "since is after until")
    n = int(wording()["limit"]) if limit is None else int(limit)
    if n < 1:
        raise AnalysisError(repr(limit), "limit must be at least 1")
    specs = _dyad_specs(dyad)
    con, opened = _open(store_or_con)
    try:
        b = _Builder(con, lo, hi, specs, n)
        sections = [b.headlines(), b.climate(), b.surprises(), b.gaps()]
        if audit:
            sections.append(b.audit())
        label = f"{specs[0].label}-{specs[1].label}" if specs else None
        return Digest(lo, hi, label, sections, b.sources(), b.errors)
    finally:
        if opened:
            con.close()
