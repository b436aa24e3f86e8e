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


def _parse_date(value: str | None, what: str = "--date") -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{what}: expected YYYY-MM-DD, got {value!r}")


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
    from detente.pipeline import Coder

    anchor = _parse_date(date_)
    coder = Coder()
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
