"""The Parquet output of a cluster job: what a partition writes, and how the merge reads it back.

Layout under the output folder (Hive-style, so DuckDB, pandas or Spark read it directly, e.g.
``SELECT * FROM read_parquet('out/mentions/*/*.parquet', hive_partitioning=true)``)::

    articles/month=2024-01/part-<pid>.parquet   one row per article read (coded, skipped or failed)
    mentions/month=2024-01/part-<pid>.parquet   one row per coded event mention, with the event's fields
    errors/part-<pid>.parquet                   bad inputs and articles the coder could not code
    _partitions/<pid>.json                      the manifest: written last, lists the files above

``month`` is the article's publication month (``unknown`` when it has none); an article and its
mentions always sit in the same month folder. The columns follow the store's ``articles``, ``events``
and ``mentions`` tables, plus what the merge needs to rebuild the exact records the coder made
(``seq``: the place in the partition's input order; ``ev``: the event's place in its article; the
actor's office, sectors and how it was matched).

Every file is written to a temporary name in its folder and renamed into place (``os.replace``), so a
reader sees a whole file or none; the manifest is removed before a partition is (re)written and
written after all its files, so a partition whose worker died is "incomplete" until its retry lands,
and a retry or a re-run replaces the same files instead of adding a second copy.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from detente.records import Actor, Article, Event, InputError, Location

_S, _I32, _I64, _F, _D = pa.string(), pa.int32(), pa.int64(), pa.float64(), pa.date32()

_ACTOR = [("code", _S), ("name", _S), ("country", _S), ("org", _S), ("sector", _S), ("sectors", pa.list_(_S)),
          ("wikidata", _S), ("text", _S), ("kind", _S), ("office", _S), ("matched", _S)]

SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema([
        ("partition", _S), ("seq", _I32), ("article_id", _S), ("content_hash", _S), ("doc_id", _S),
        ("url", _S), ("outlet", _S), ("title", _S), ("author", _S), ("published", _D), ("language", _S),
        ("text", _S), ("status", _S), ("skip_reason", _S), ("n_events", _I32), ("source_input", _S),
    ]),
    "mentions": pa.schema([
        ("partition", _S), ("seq", _I32), ("ev", _I32), ("article_id", _S), ("doc_id", _S),
        ("sentence", _I32), ("char_start", _I32), ("char_end", _I32),
        ("event", _S), ("mode", _S), ("context", pa.list_(_S)), ("cameo", _S), ("goldstein", _F),
        ("quad_class", pa.int8()),
        *[(f"actor_{c}", t) for c, t in _ACTOR], *[(f"recipient_{c}", t) for c, t in _ACTOR],
        ("date", _D), ("date_source", _S), ("location_text", _S), ("location_country", _S),
        ("location_geonameid", _I64), ("location_lat", _F), ("location_lon", _F), ("modality", _S),
        ("attribution", _S), ("confidence", _F), ("text", _S), ("cue", _S), ("cue_start", _I32),
        ("cue_end", _I32), ("rule", _S),
    ]),
    "errors": pa.schema([("partition", _S), ("seq", _I32), ("input", _S), ("stage", _S), ("reason", _S)]),
}

TABLES = ("articles", "mentions", "errors")
MANIFESTS = "_partitions"


def month_of(d: date | None) -> str:
    return d.strftime("%Y-%m") if d else "unknown"


# -- records <-> rows ---------------------------------------------------------------------------------

def article_row(pid: str, seq: int, art: Article, content_hash: str, status: str, reason: str | None,
                n_events: int, source_input: str | None) -> dict[str, Any]:
    return {"partition": pid, "seq": seq, "article_id": content_hash[:16], "content_hash": content_hash,
            "doc_id": art.id, "url": art.url, "outlet": art.outlet, "title": art.title, "author": art.author,
            "published": art.date, "language": art.language, "text": art.text, "status": status,
            "skip_reason": reason, "n_events": n_events, "source_input": source_input}


def _actor_cols(prefix: str, a: Actor | None) -> dict[str, Any]:
    if a is None:
        return {}
    return {f"{prefix}_code": a.code() or None, f"{prefix}_name": a.name, f"{prefix}_country": a.country,
            f"{prefix}_org": a.org, f"{prefix}_sector": a.sector, f"{prefix}_sectors": list(a.sectors),
            f"{prefix}_wikidata": a.wikidata, f"{prefix}_text": a.text, f"{prefix}_kind": a.kind,
            f"{prefix}_office": a.office, f"{prefix}_matched": a.matched}


def mention_row(pid: str, seq: int, ev: int, aid: str, e: Event) -> dict[str, Any]:
    loc = e.location
    return {
        "partition": pid, "seq": seq, "ev": ev, "article_id": aid, "doc_id": e.doc_id, "sentence": e.sentence,
        "char_start": e.char_start, "char_end": e.char_end, "event": e.event, "mode": e.mode,
        "context": list(e.context), "cameo": e.cameo, "goldstein": e.goldstein, "quad_class": e.quad_class,
        **_actor_cols("actor", e.actor), **_actor_cols("recipient", e.recipient),
        "date": e.date, "date_source": e.date_source,
        **({"location_text": loc.text, "location_country": loc.country, "location_geonameid": loc.geonameid,
            "location_lat": loc.lat, "location_lon": loc.lon} if loc is not None else {}),
        "modality": e.modality, "attribution": e.attribution, "confidence": e.confidence, "text": e.text,
        "cue": e.cue, "cue_start": e.cue_span[0] if e.cue_span else None,
        "cue_end": e.cue_span[1] if e.cue_span else None, "rule": e.rule,
    }


def error_row(pid: str, seq: int, err: InputError) -> dict[str, Any]:
    return {"partition": pid, "seq": seq, "input": err.input, "stage": err.stage, "reason": err.reason}


def row_article(r: dict[str, Any]) -> Article:
    return Article(id=r["doc_id"], text=r["text"], date=r["published"], title=r["title"], url=r["url"],
                   outlet=r["outlet"], author=r["author"], language=r["language"])


def _row_actor(r: dict[str, Any], prefix: str) -> Actor | None:
    text = r[f"{prefix}_text"]
    if text is None:  # Actor.text is always a string: NULL means no actor
        return None
    return Actor(text=text, name=r[f"{prefix}_name"], country=r[f"{prefix}_country"], org=r[f"{prefix}_org"],
                 sector=r[f"{prefix}_sector"], sectors=list(r[f"{prefix}_sectors"] or []),
                 wikidata=r[f"{prefix}_wikidata"], office=r[f"{prefix}_office"], kind=r[f"{prefix}_kind"],
                 matched=r[f"{prefix}_matched"])


def row_event(r: dict[str, Any]) -> Event:
    loc = None
    if r["location_text"] is not None:
        loc = Location(text=r["location_text"], country=r["location_country"], geonameid=r["location_geonameid"],
                       lat=r["location_lat"], lon=r["location_lon"])
    span = (r["cue_start"], r["cue_end"]) if r["cue_start"] is not None else None
    return Event(doc_id=r["doc_id"], sentence=r["sentence"], text=r["text"], event=r["event"],
                 actor=_row_actor(r, "actor"), recipient=_row_actor(r, "recipient"), mode=r["mode"],
                 context=list(r["context"] or []), cameo=r["cameo"], goldstein=r["goldstein"],
                 quad_class=r["quad_class"], date=r["date"], date_source=r["date_source"], location=loc,
                 modality=r["modality"], attribution=r["attribution"], confidence=r["confidence"], cue=r["cue"],
                 cue_span=span, rule=r["rule"], char_start=r["char_start"], char_end=r["char_end"])


def row_error(r: dict[str, Any]) -> InputError:
    return InputError(r["input"], r["stage"], r["reason"])


# -- files --------------------------------------------------------------------------------------------

def _replace_atomically(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_table(path: Path, table: str, rows: list[dict[str, Any]]) -> None:
    schema = SCHEMAS[table]
    data = pa.Table.from_pylist(rows, schema=schema)
    _replace_atomically(path, lambda tmp: pq.write_table(data, tmp, compression="zstd"))


def manifest_path(out_dir: Path, pid: str) -> Path:
    return out_dir / MANIFESTS / f"{pid}.json"


@dataclass
class PartitionOutput:
    """The rows one partition produced, by table; ``write`` puts them in place atomically."""

    pid: str
    articles: list[dict[str, Any]]
    mentions: list[dict[str, Any]]
    errors: list[dict[str, Any]]

    def write(self, out_dir: Path, meta: dict[str, Any]) -> dict[str, list[str]]:
        """Writes the files, removes this partition's files a previous run left in other months, then
        the manifest. Returns the files written, relative to ``out_dir``."""
        manifest = manifest_path(out_dir, self.pid)
        if manifest.exists():
            manifest.unlink()  # incomplete until the new files are all in place
        name = f"part-{self.pid}.parquet"
        files: dict[str, list[str]] = {t: [] for t in TABLES}
        for table, rows in (("articles", self.articles), ("mentions", self.mentions)):
            by_month: dict[str, list[dict[str, Any]]] = {}
            month_of_seq = {a["seq"]: month_of(a["published"]) for a in self.articles}
            for r in rows:
                by_month.setdefault(month_of_seq[r["seq"]] if table == "mentions" else month_of(r["published"]),
                                    []).append(r)
            for month, part in sorted(by_month.items()):
                rel = f"{table}/month={month}/{name}"
                write_table(out_dir / rel, table, part)
                files[table].append(rel)
        if self.errors:
            rel = f"errors/{name}"
            write_table(out_dir / rel, "errors", self.errors)
            files["errors"].append(rel)
        keep = {out_dir / rel for rels in files.values() for rel in rels}
        for table in TABLES:
            for old in (out_dir / table).glob(f"**/{name}") if (out_dir / table).exists() else ():
                if old not in keep:
                    old.unlink(missing_ok=True)
        body = json.dumps({**meta, "pid": self.pid, "files": files}, indent=1, default=str)
        _replace_atomically(manifest, lambda tmp: tmp.write_text(body, encoding="utf-8"))
        # temporary files of an attempt whose worker died while writing: never read, now swept
        for root, pattern in [(out_dir / t, f"**/.{name}.*.tmp") for t in TABLES] + \
                             [(out_dir / MANIFESTS, f".{self.pid}.json.*.tmp")]:
            for tmp in root.glob(pattern) if root.exists() else ():
                tmp.unlink(missing_ok=True)
        return files


def read_manifests(out_dir: Path) -> list[dict[str, Any]]:
    """The manifests of the complete partitions, in input order (a broken manifest is left out: its
    partition is incomplete)."""
    found = []
    for p in sorted((out_dir / MANIFESTS).glob("*.json")):
        try:
            m = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(m, dict) and "files" in m and "order" in m:
            found.append(m)
    found.sort(key=lambda m: (list(m["order"]), m["pid"]))
    return found


def incomplete_partitions(out_dir: Path, manifests: Iterable[dict[str, Any]]) -> list[str]:
    """Partition ids that have files but no manifest: a job still running, or one that was stopped."""
    done = {m["pid"] for m in manifests}
    seen: set[str] = set()
    for table in TABLES:
        root = out_dir / table
        if root.exists():
            for f in root.glob("**/part-*.parquet"):
                seen.add(f.name[len("part-"):-len(".parquet")])
    return sorted(seen - done)


def read_rows(out_dir: Path, files: Iterable[str], table: str) -> list[dict[str, Any]]:
    """The rows of one partition's files of ``table`` (all its months, read together on Arrow's
    threads; no Hive discovery, so no ``month`` column is added from the path). Order: by file."""
    import pyarrow.dataset as ds

    paths = [str(out_dir / rel) for rel in files]
    if not paths:
        return []
    return ds.dataset(paths, format="parquet", schema=SCHEMAS[table]).to_table().to_pylist()
