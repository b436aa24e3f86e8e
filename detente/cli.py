"""The ``detente`` command: each command parses its arguments, builds library objects and calls them."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from detente.records import Actor, InputError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="News about international affairs in, political event data out.")


def _parse_date(value: str | None, what: str = "--date", publication: bool = False) -> date | None:
    """``publication``: the date every undated input is published on, so it gets the same check as a
    record's own date (not in the future, not before the modern press)."""
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{what}: expected YYYY-MM-DD, got {value!r}")
    if publication:
        from detente.ingest.readers import plausible_publication_date

        try:
            plausible_publication_date(day)
        except ValueError as exc:
            raise typer.BadParameter(f"{what}: {exc}")
    return day


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


@app.command()
def code(
    inputs: list[str] = typer.Argument(..., help="Files (.txt, .html, .jsonl, .jsonl.gz) or - for JSONL on stdin."),
    date_: Optional[str] = typer.Option(None, "--date", help="Publication date (YYYY-MM-DD) for inputs without one."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write JSON Lines here instead of stdout."),
    workers: int = typer.Option(1, help="Worker processes."),
    pretty: bool = typer.Option(False, help="Print a readable table instead of JSON Lines."),
) -> None:
    """Code articles into events, one JSON object per event (JSON Lines)."""
    from detente.ingest import read_inputs
    from detente.pipeline import Coder, settle

    anchor = _parse_date(date_, publication=True)
    coder = Coder()
    settle()
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    n_ok = n_err = n_events = 0
    rows = []
    try:
        for item, result in coder.code_many(read_inputs(inputs, default_date=anchor), workers=workers):
            if isinstance(result, InputError):
                n_err += 1
                _err(f"detente: error: {result}")
                continue
            n_ok += 1
            for ev in result:
                n_events += 1
                if pretty:
                    rows.append(ev)
                else:
                    out.write(json.dumps(ev.to_json(), ensure_ascii=False) + "\n")
    finally:
        if output:
            out.close()
    if pretty:
        from detente.report import print_events

        print_events(rows)
    _err(f"detente: {n_ok} article(s) coded, {n_events} event(s), {n_err} input error(s)")
    if n_ok == 0:
        raise typer.Exit(1)


@app.command()
def actor(
    text: str = typer.Argument(..., help="An actor phrase, or - for JSONL {text, date?} on stdin."),
    date_: Optional[str] = typer.Option(None, "--date", help="Date for date-bounded offices (YYYY-MM-DD)."),
) -> None:
    """Resolve an actor phrase: country, org, sector, name, office, Wikidata id."""
    from detente.actors import default_resolver

    resolver = default_resolver()

    def answer(phrase: str, when: date | None) -> dict:
        a = resolver.resolve(phrase, when) or Actor(text=phrase)
        return {**a.to_json(), "text": phrase, "office": a.office}

    if text != "-":
        print(json.dumps(answer(text, _parse_date(date_)), ensure_ascii=False))
        return
    default = _parse_date(date_)
    bad = 0
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise ValueError("expected an object with a string 'text'")
            when = _parse_date(rec.get("date"), "date") if rec.get("date") else default
            print(json.dumps(answer(rec["text"], when), ensure_ascii=False))
        except (ValueError, typer.BadParameter) as exc:
            bad += 1
            _err(f"detente: error: stdin:{n}: {exc}")
            print(json.dumps({"error": str(exc), "line": n}))
    if bad:
        raise typer.Exit(1)


@app.command("eval")
def eval_(
    directory: Path = typer.Argument(..., help="Folder with the gold sets (e.g. ../shared/eval)."),
    limit: Optional[int] = typer.Option(None, help="Score a seeded, stratified sample of N items per set."),
    seed: int = typer.Option(0, help="Seed of the sample."),
    sets: Optional[str] = typer.Option(None, help="Comma-separated subset: plover,petrarch,ngec,actors."),
    workers: int = typer.Option(1, help="Worker processes for the synthetic stories."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    markdown: bool = typer.Option(False, help="Print the figures as a Markdown table."),
) -> None:
    """Score detente on the gold sets and print per-set figures."""
    from detente.evaluation.runner import main as run_eval

    argv = [str(directory), "--seed", str(seed), "--workers", str(workers)]
    argv += ["--limit", str(limit)] if limit else []
    argv += ["--sets", sets] if sets else []
    argv += ["--json"] if as_json else ["--markdown"] if markdown else []
    code_ = run_eval(argv)
    if code_:
        raise typer.Exit(code_)


# -- the store ----------------------------------------------------------------------------------------

DB_OPTION = typer.Option(Path("detente.duckdb"), "--db", help="The DuckDB event store (created when missing).")


@app.command()
def ingest(
    inputs: list[str] = typer.Argument(..., help="Files, folders, feeds (.rss/.atom/.xml), OPML lists, URLs, JSONL (.jsonl, .jsonl.gz) or - for JSONL on stdin."),
    db: Path = DB_OPTION,
    date_: Optional[str] = typer.Option(None, "--date", help="Publication date (YYYY-MM-DD) for inputs without one."),
    workers: Optional[int] = typer.Option(None, help="Coding processes (default: every core)."),
    window_days: int = typer.Option(1, help="Reports of the same event this many days apart are one event."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Let URLs reach loopback and private addresses."),
    fetch_entries: bool = typer.Option(True, help="Fetch each feed entry's page when the feed has only a summary."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no per-input error lines."),
    engine: str = typer.Option("local", "--engine", help="local (process pool, into --db) or dask (a cluster, Parquet into --out)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786); default: a LocalCluster of --workers processes on 127.0.0.1."),
    out: Optional[Path] = typer.Option(None, "--out", help="Parquet folder of --engine dask (load it with detente merge)."),
    partition_mb: float = typer.Option(4.0, "--partition-mb", help="Input megabytes per Dask partition."),
) -> None:
    """Read, code and store articles; the same article twice is stored once, and a rerun resumes."""
    from detente.ingestion import ingest as run_ingest

    if engine not in ("local", "dask"):
        raise typer.BadParameter("--engine is local or dask")
    if engine == "dask":
        if out is None:
            raise typer.BadParameter("--engine dask writes Parquet: give --out FOLDER (then detente merge)")
        from detente.scale import ingest_dask

        dsum = ingest_dask(inputs, out, scheduler=scheduler, workers=workers or 2, default_date=_parse_date(date_, publication=True),
                           partition_size=int(partition_mb * 1024 * 1024), progress=None if not quiet else False,
                           on_error=None if quiet else lambda e: _err(f"detente: error: {e}"))
        _err(f"detente: {dsum.line()}")
        if dsum.failed and not (dsum.coded or dsum.skipped or dsum.duplicate):
            raise typer.Exit(1)
        return

    summary = run_ingest(inputs, db, workers=workers, default_date=_parse_date(date_, publication=True), allow_private=allow_private,
                         fetch_entries=fetch_entries, window_days=window_days, progress=None if not quiet else False,
                         on_error=None if quiet else lambda e: _err(f"detente: error: {e}"))
    _err(f"detente: {db}: {summary.line()}")
    if summary.failed and not (summary.ok or summary.duplicate or summary.skipped):
        raise typer.Exit(1)


@app.command()
def merge(
    parquet_dir: Path = typer.Argument(..., help="The --out folder of a dask ingest."),
    db: Path = DB_OPTION,
    window_days: int = typer.Option(1, help="Reports of the same event this many days apart are one event."),
) -> None:
    """Load a dask ingest's Parquet into the store; the store's deduplication applies (merging twice adds nothing)."""
    from detente.scale import merge as run_merge

    try:
        msum = run_merge(parquet_dir, db, window_days=window_days, command="merge")
    except FileNotFoundError as exc:
        _err(f"detente: error: {exc}")
        raise typer.Exit(2)
    _err(f"detente: {db}: {msum.line()}")


def _filters(actor, recipient, dyad, country, type_, since, until, modality, min_mentions) -> dict:
    dyad = dyad if dyad and all(dyad) else None
    if dyad is not None and len(dyad) != 2:
        raise typer.BadParameter("--dyad takes two actors, e.g. --dyad RUS USA")
    return {
        "actor": actor, "recipient": recipient, "dyad": tuple(dyad) if dyad else None, "country": country,
        "event": [t.strip().upper() for t in type_.split(",")] if type_ else None,
        "since": _parse_date(since, "--since"), "until": _parse_date(until, "--until"),
        "modality": modality, "min_mentions": min_mentions,
    }


ACTOR_OPT = typer.Option(None, "--actor", help="Source actor: country (RUS), organisation (NATO) or code (RUSGOV).")
RECIPIENT_OPT = typer.Option(None, "--recipient", help="Target actor, as --actor.")
COUNTRY_OPT = typer.Option(None, "--country", help="Either side's country.")
TYPE_OPT = typer.Option(None, "--type", help="PLOVER type(s), comma-separated: CONSULT,AGREE.")
SINCE_OPT = typer.Option(None, "--since", help="First event date (YYYY-MM-DD).")
UNTIL_OPT = typer.Option(None, "--until", help="Last event date (YYYY-MM-DD).")
MODALITY_OPT = typer.Option(None, "--modality", help="asserted, negated or hypothetical.")
MIN_MENTIONS_OPT = typer.Option(None, "--min-mentions", help="Only events reported at least this often.")


def _open_existing(db: Path):
    """The store, read-only: queries and analysis never write."""
    from detente.store import SchemaError
    from detente.store import open as open_store

    if not db.exists():
        _err(f"detente: error: {db}: no such event store (run detente ingest first)")
        raise typer.Exit(2)
    try:
        return open_store(db, read_only=True)
    except SchemaError as exc:
        _err(f"detente: error: {exc}")
        raise typer.Exit(2)


@app.command()
def events(
    db: Path = DB_OPTION,
    actor: Optional[str] = ACTOR_OPT,
    recipient: Optional[str] = RECIPIENT_OPT,
    dyad: Optional[tuple[str, str]] = typer.Option(None, "--dyad", help="Two actors, either direction: --dyad RUS USA."),
    country: Optional[str] = COUNTRY_OPT,
    type_: Optional[str] = TYPE_OPT,
    since: Optional[str] = SINCE_OPT,
    until: Optional[str] = UNTIL_OPT,
    modality: Optional[str] = MODALITY_OPT,
    min_mentions: Optional[int] = MIN_MENTIONS_OPT,
    limit: Optional[int] = typer.Option(200, help="At most this many events (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines instead of a table."),
) -> None:
    """Query stored events: a table in the terminal, or JSON Lines."""
    filters = _filters(actor, recipient, dyad, country, type_, since, until, modality, min_mentions)
    with _open_existing(db) as store:
        frame = store.events(**filters, limit=limit or None)
    if as_json:
        text = frame.to_json(orient="records", lines=True, date_format="iso", force_ascii=False) if len(frame) else ""
        sys.stdout.write(text if not text or text.endswith("\n") else text + "\n")
    else:
        from detente.report import print_event_frame

        print_event_frame(frame)
    _err(f"detente: {len(frame)} event(s)")


@app.command()
def export(
    db: Path = DB_OPTION,
    fmt: str = typer.Option(..., "--format", help="plover-json, gdelt, parquet or csv."),
    output: Path = typer.Option(..., "-o", "--output", help="Output file; for parquet and csv a folder (no suffix) gets every table."),
    actor: Optional[str] = ACTOR_OPT,
    recipient: Optional[str] = RECIPIENT_OPT,
    dyad: Optional[tuple[str, str]] = typer.Option(None, "--dyad", help="Two actors, either direction."),
    country: Optional[str] = COUNTRY_OPT,
    type_: Optional[str] = TYPE_OPT,
    since: Optional[str] = SINCE_OPT,
    until: Optional[str] = UNTIL_OPT,
    modality: Optional[str] = MODALITY_OPT,
    min_mentions: Optional[int] = MIN_MENTIONS_OPT,
) -> None:
    """Export stored events as PLOVER JSON, a GDELT 2.0 event table, Parquet or CSV."""
    from detente.store.export import FORMATS, export as run_export, export_tables

    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    filters = _filters(actor, recipient, dyad, country, type_, since, until, modality, min_mentions)
    every_table = fmt in ("parquet", "csv") and (output.is_dir() or not output.suffix)
    with _open_existing(db) as store:
        if every_table:  # a folder: one file per table (articles, events, mentions, actors, errors)
            counts = export_tables(store, fmt, output, **filters)
            _err(f"detente: written to {output}/: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
            return
        n = run_export(store, fmt, output, **filters)
    _err(f"detente: {n} event(s) written to {output}")


# -- relations analysis -------------------------------------------------------------------------------

def _analysis_error(exc: Exception) -> None:
    _err(f"detente: error: {exc}")
    raise typer.Exit(2)


def _print_rows(as_json: bool, rows, render) -> None:
    """An analysis' answer: one JSON object per row of ``rows()`` with ``--json``, else ``render()``
    (which prints or returns the text)."""
    if as_json:
        for row in rows():
            print(json.dumps(row, ensure_ascii=False, default=str))
        return
    text = render()
    if text is not None:
        print(text)


@app.command()
def dyad(
    a: str = typer.Argument(..., help="First actor: RUS, NATO, or with a sector: 'RUS MIL'."),
    b: str = typer.Argument(..., help="Second actor."),
    db: Path = DB_OPTION,
    since: Optional[str] = SINCE_OPT,
    until: Optional[str] = UNTIL_OPT,
    by: str = typer.Option("week", help="Period: day, week or month."),
    directed: bool = typer.Option(False, help="Only events from the first actor to the second."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write the chart here (.svg or .png)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per period."),
) -> None:
    """Relations of a pair of actors over time: counts, Goldstein, temperature, trend, change points."""
    from detente.analysis.dyad import AnalysisError, dyad_index

    with _open_existing(db) as store:
        try:
            index = dyad_index(store, a, b, by=by, since=_parse_date(since, "--since"),
                               until=_parse_date(until, "--until"), directed=directed)
        except AnalysisError as exc:
            _analysis_error(exc)
    _print_rows(as_json, index.to_rows, index.render)
    if plot:
        from detente.analysis.plots import plot_dyad

        _err(f"detente: chart written to {plot_dyad(index, plot)}")


@app.command()
def gaps(
    a: str = typer.Argument(..., help="First actor (RUS, NATO, 'RUS MIL')."),
    b: str = typer.Argument(..., help="Second actor."),
    db: Path = DB_OPTION,
    type_: Optional[str] = typer.Option(None, "--type", help="Contact type(s), comma-separated (default CONSULT)."),
    level: Optional[str] = typer.Option(None, help="Sector on both sides, e.g. MIL for defence-level contacts."),
    since: Optional[str] = SINCE_OPT,
    until: Optional[str] = UNTIL_OPT,
    as_json: bool = typer.Option(False, "--json", help="One JSON object per contact."),
) -> None:
    """Silences between two actors: every contact with the time since the one before, the longest gaps."""
    from detente.analysis.dyad import AnalysisError
    from detente.analysis.gaps import gaps as find_gaps

    types = [t.strip().upper() for t in type_.split(",")] if type_ else None
    with _open_existing(db) as store:
        try:
            report = find_gaps(store, a, b, event=types, level=level, since=_parse_date(since, "--since"),
                               until=_parse_date(until, "--until"))
        except AnalysisError as exc:
            _analysis_error(exc)
    _print_rows(as_json, report.to_rows, report.render)


@app.command()
def surprises(
    db: Path = DB_OPTION,
    since: Optional[str] = SINCE_OPT,
    until: Optional[str] = UNTIL_OPT,
    dyad_: Optional[tuple[str, str]] = typer.Option(None, "--dyad", help="Only this pair, either direction."),
    limit: int = typer.Option(20, help="How many to list."),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines."),
) -> None:
    """Events ranked by how unexpected they were given their dyad's own history, with the reasons."""
    from detente.analysis.dyad import AnalysisError
    from detente.analysis.surprises import render, surprises as rank, to_rows

    pair = dyad_ if dyad_ and all(dyad_) else None
    with _open_existing(db) as store:
        try:
            found = rank(store, since=_parse_date(since, "--since"), until=_parse_date(until, "--until"),
                         dyad=pair, limit=limit)
        except AnalysisError as exc:
            _analysis_error(exc)
    _print_rows(as_json, lambda: to_rows(found), lambda: render(found))


@app.command()
def audit(
    db: Path = DB_OPTION,
    since: Optional[str] = typer.Option(None, "--since", help="First publication date (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, "--until", help="Last publication date (YYYY-MM-DD)."),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines."),
) -> None:
    """Claims in stored articles that contradict the knowledge base (tenure, role, 'former'), and
    names found only through a spelling correction."""
    from detente.analysis.audit import AuditStats, audit_store, render, to_rows

    stats = AuditStats()
    with _open_existing(db) as store:
        findings = audit_store(store, _parse_date(since, "--since"), _parse_date(until, "--until"), stats=stats)
    _print_rows(as_json, lambda: to_rows(findings), lambda: render(findings, stats))
    for err in stats.errors:
        _err(f"detente: error: {err}")


@app.command()
def digest(
    db: Path = DB_OPTION,
    since: str = typer.Option(..., "--since", help="First day of the period (YYYY-MM-DD)."),
    until: str = typer.Option(..., "--until", help="Last day of the period (YYYY-MM-DD)."),
    dyad_: Optional[str] = typer.Option(None, "--dyad", help="Only this pair, e.g. RUS-USA."),
    limit: Optional[int] = typer.Option(None, help="Items per section (default from digest.yaml)."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Write the brief here (.md or .html)."),
) -> None:
    """A cited brief of a period: headline events, warming and cooling, surprises, gaps closed, failed claims."""
    from detente.analysis.digest import digest as make_digest
    from detente.analysis.dyad import AnalysisError

    with _open_existing(db) as store:
        try:
            brief = make_digest(store, since=_parse_date(since, "--since"), until=_parse_date(until, "--until"),
                                dyad=dyad_, limit=limit)
        except AnalysisError as exc:
            _analysis_error(exc)
    for err in brief.errors:
        _err(f"detente: error: {err}")
    if out:
        _err(f"detente: digest written to {brief.save(out)}")
    else:
        print(brief.to_markdown())


# -- the web face -------------------------------------------------------------------------------------

@app.command()
def serve(
    db: Path = DB_OPTION,
    host: str = typer.Option("127.0.0.1", help="Address to bind (loopback unless given)."),
    port: int = typer.Option(8000, help="Port."),
    cors_origin: Optional[list[str]] = typer.Option(None, "--cors-origin", help="Allow this origin (repeatable); default: no CORS."),
    workers: int = typer.Option(1, help="uvicorn processes."),
) -> None:
    """The web dashboard and JSON API over the store (opened read-only)."""
    from detente.web import serve as run

    if not db.exists():
        _err(f"detente: error: {db}: no such event store (run detente ingest first)")
        raise typer.Exit(2)
    run(db, host=host, port=port, cors_origins=cors_origin or None, workers=workers)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
