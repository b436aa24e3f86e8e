"""The record types every stage speaks: Article, Sentence, Actor, Location, Event, Mention.

Defined once here so that ingest, coding, the store and the analysis agree on field names; the
JSON shape of an Event (``Event.to_json``) is the output contract of ``detente code`` that external
tools read, so its keys must not change.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

Modality = Literal["asserted", "negated", "hypothetical"]
DateSource = Literal["text", "publication", "none"]


@dataclass(slots=True)
class Article:
    """One document to code. ``date`` is the publication date, the anchor for relative dates."""

    id: str
    text: str
    date: date | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    language: str | None = None

    def content_hash(self) -> str:
        """Hash of the story's prose, so the same story is one article whatever page carried it.

        Two copies of a story differ in what is not the story: case, spacing, typographic quotes and
        dashes, a title line (plain-text files carry it, HTML extraction puts it in ``title``), slide
        headings and lists of them, page furniture, paragraphs printed twice. The hash covers the
        normalised prose paragraphs only (``detente.ingest.pages.canonical_key``); the furniture
        markers of ``data/page_furniture.yaml`` are part of that definition.
        """
        from detente.ingest.pages import canonical_key  # ingest builds on records, not the reverse

        return hashlib.sha256(canonical_key(self.text, self.title).encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Sentence:
    """A sentence of an article; ``start``/``end`` are character offsets into ``Article.text``."""

    doc_id: str
    index: int
    text: str
    start: int = 0
    end: int = 0


@dataclass(slots=True)
class Actor:
    """A resolved actor: a state (``country``), an IGO (``org``) or a person/group with a sector.

    ``sector`` is the primary sector code (GOV, MIL, ...); ``sectors`` keeps every code found, primary
    first, so "Britain's Defence Ministry" is GOV + MIL. ``office`` is the office a known person held on
    the query date. ``matched`` says how the name was found ("exact", "alias", "fuzzy", "title", ...),
    which the claim audit uses to flag names found only through a spelling correction.
    """

    text: str
    name: str | None = None
    country: str | None = None
    org: str | None = None
    sector: str | None = None
    sectors: list[str] = field(default_factory=list)
    wikidata: str | None = None
    office: str | None = None
    kind: Literal["state", "igo", "person", "group", "unknown"] = "unknown"
    matched: str | None = None

    def code(self) -> str:
        """A CAMEO-style actor code: country or org followed by the sector (``RUSGOV``, ``NATO``)."""
        return (self.country or self.org or "") + (self.sector or "")

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "name": self.name,
            "country": self.country,
            "org": self.org,
            "sector": self.sector,
            "wikidata": self.wikidata,
        }


@dataclass(slots=True)
class Location:
    text: str
    country: str | None = None
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Event:
    """One coded event. ``to_json`` is the ``detente code`` output contract."""

    doc_id: str
    sentence: int
    text: str
    event: str
    actor: Actor | None
    recipient: Actor | None
    mode: str | None = None
    context: list[str] = field(default_factory=list)
    cameo: str | None = None
    goldstein: float | None = None
    quad_class: int | None = None
    date: date | None = None
    date_source: DateSource = "none"
    location: Location | None = None
    modality: Modality = "asserted"
    attribution: str | None = None
    confidence: float = 0.5
    cue: str | None = None
    cue_span: tuple[int, int] | None = None
    rule: str | None = None
    char_start: int | None = None
    """Offsets of the event's sentence in ``Article.text`` (the store's mention offsets)."""
    char_end: int | None = None

    def key(self) -> tuple:
        """What makes two events 'the same event' inside one document."""
        a = self.actor.code() if self.actor else ""
        r = self.recipient.code() if self.recipient else ""
        return (self.event, self.mode, a, r, self.date, self.modality)

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "sentence": self.sentence,
            "text": self.text,
            "event": self.event,
            "mode": self.mode,
            "context": list(self.context),
            "cameo": self.cameo,
            "goldstein": self.goldstein,
            "quad_class": self.quad_class,
            "actor": self.actor.to_json() if self.actor else None,
            "recipient": self.recipient.to_json() if self.recipient else None,
            "date": self.date.isoformat() if self.date else None,
            "date_source": self.date_source,
            "location": self.location.to_json() if self.location else None,
            "modality": self.modality,
            "attribution": self.attribution,
            "confidence": round(self.confidence, 3),
            "cue": self.cue,
            "cue_span": list(self.cue_span) if self.cue_span else None,
            "rule": self.rule,
        }


@dataclass(slots=True)
class Mention:
    """An event as reported by one article sentence (GDELT's event/mentions split); used by the store."""

    event_id: str
    doc_id: str
    sentence: int
    confidence: float
    char_start: int
    char_end: int


@dataclass(slots=True)
class InputError:
    """A bad input: named, with a reason, so a batch can go on and the error can be stored."""

    input: str
    stage: str
    reason: str

    def __str__(self) -> str:
        return f"{self.input}: {self.stage}: {self.reason}"
