"""``detente eval DIR``: score the coder on every gold set found in DIR and print per-set figures.

Each gold set has its own small module (``plover_gold``, ``petrarch_gold``, ``ngec_synthetic``,
``actor_cases``) with ``score(path, coder_or_resolver, ...) -> dict``; this module finds the files, runs
the scorers, times them and renders the figures. Nothing is written to disk: the result is a dict (for
``--json``) and a plain-text report. A missing file or scorer is reported as skipped, not a crash.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from detente.evaluation import ngec_synthetic, petrarch_gold, plover_gold

ACTOR_CASES_FILE = "ngec_actor_cases_dev.jsonl"
SET_NAMES = ("plover", "petrarch", "ngec", "actors")

# (set name, file name, metric keys shown in the report with their labels)
REPORT_FIELDS: dict[str, list[tuple[str, str]]] = {
    "plover": [("type_found", "event type found"), ("top1_type", "top-1 type"),
               ("full_triple", "full triple (type+actor+recipient)"),
               ("events_per_sentence", "events per sentence"),
               ("mode_accuracy", "mode accuracy (gold has mode)")],
    "petrarch": [("cameo_root_accuracy", "CAMEO root accuracy"), ("dyad_accuracy", "dyad accuracy"),
                 ("recall", "event recall"), ("precision", "event precision"),
                 ("false_positive_rate", "false positives on no-event sentences"),
                 ("false_positive_rate_asserted", "  ... counting asserted events only")],
    "ngec": [("accuracy", "document type accuracy"), ("macro_f1", "macro-F1"),
             ("mode_accuracy", "mode accuracy (type right, gold has mode)")],
    "actors": [("country", "country accuracy"), ("sector", "sector accuracy"),
               ("name", "name accuracy"), ("office", "office accuracy"),
               ("none", "non-actors left unresolved"), ("pass_rate", "cases passed")],
}
TITLES = {
    "plover": f"PLOVER gold records ({plover_gold.FILENAME})",
    "petrarch": f"PETRARCH gold sentences ({petrarch_gold.FILENAME})",
    "ngec": f"NGEC synthetic stories ({ngec_synthetic.FILENAME})",
    "actors": f"NGEC actor cases ({ACTOR_CASES_FILE})",
}


def default_eval_dir() -> Path | None:
    """``../shared/eval`` next to the repository, or ``/work/shared/eval``; ``None`` if neither exists."""
    for cand in (Path(__file__).resolve().parents[3] / "shared" / "eval", Path("/work/shared/eval")):
        if cand.is_dir():
            return cand
    return None


def _resolver_of(coder: Any) -> Any:
    """The coder's own actor resolver when it exposes one, so actor cases test what coding uses."""
    for name in ("resolver", "actor_resolver"):
        if getattr(coder, name, None) is not None:
            return getattr(coder, name)
    from detente.actors import default_resolver  # only needed when the coder does not carry one

    return default_resolver()


Scorer = Callable[[Path, Any, "int | None", int, int], dict[str, Any]]


def _sentences(module: Any) -> Scorer:
    """Sentence-level gold sets take no ``workers``: each record is one short coder call."""
    def run(d: Path, coder: Any, limit: int | None, seed: int, workers: int) -> dict[str, Any]:
        return module.score(d / module.FILENAME, coder, limit, seed)

    return run


def _stories(d: Path, coder: Any, limit: int | None, seed: int, workers: int) -> dict[str, Any]:
    return ngec_synthetic.score(d / ngec_synthetic.FILENAME, coder, limit, seed, workers)


def _actors(d: Path, coder: Any, limit: int | None, seed: int, workers: int) -> dict[str, Any]:
    """Actor cases are few and fast: always scored in full, through the other helper's scorer."""
    module = importlib.import_module("detente.evaluation.actor_cases")
    return module.score(d / ACTOR_CASES_FILE, _resolver_of(coder))


def _plan(eval_dir: Path) -> dict[str, tuple[Path, Scorer]]:
    return {
        "plover": (eval_dir / plover_gold.FILENAME, _sentences(plover_gold)),
        "petrarch": (eval_dir / petrarch_gold.FILENAME, _sentences(petrarch_gold)),
        "ngec": (eval_dir / ngec_synthetic.FILENAME, _stories),
        "actors": (eval_dir / ACTOR_CASES_FILE, _actors),
    }


def run_all(eval_dir: Path, coder: Any, limit: int | None = None, seed: int = 0,
            sets: list[str] | None = None, workers: int = 1) -> dict[str, Any]:
    """Score every selected gold set found in ``eval_dir``; returns ``{set: {"status": ..., figures}}``.

    ``limit`` caps each set at a stratified, seeded sample of that many records (CI runs); ``None``
    scores everything; ``workers`` processes code the (long) synthetic stories. A set whose file
    (or scorer module) is missing is ``skipped``; a scorer that raises is ``error`` with the
    message, so one broken set does not hide the others' figures.
    """
    eval_dir = Path(eval_dir)
    results: dict[str, Any] = {}
    for name, (path, scorer) in _plan(eval_dir).items():
        if sets and name not in sets:
            continue
        if not path.is_file():
            results[name] = {"status": "skipped", "reason": f"{path.name} not found in {eval_dir}"}
            continue
        if name == "actors" and importlib.util.find_spec("detente.evaluation.actor_cases") is None:
            results[name] = {"status": "skipped", "reason": "detente.evaluation.actor_cases missing"}
            continue
        started = time.perf_counter()
        try:
            figures = scorer(eval_dir, coder, limit, seed, workers)
        except Exception as exc:  # noqa: BLE001 - reported per set, the run goes on
            results[name] = {"status": "error", "reason": f"{type(exc).__name__}: {exc}",
                             "traceback": traceback.format_exc(limit=5)}
            continue
        results[name] = {"status": "ok", **figures,
                         "seconds": round(time.perf_counter() - started, 2)}
    return results


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def format_report(results: dict[str, Any]) -> str:
    """Plain-text report: one block per set with its headline figures, scored counts and timing."""
    lines: list[str] = []
    for name, res in results.items():
        lines.append(TITLES.get(name, name))
        if res.get("status") != "ok":
            lines.append(f"  {res.get('status')}: {res.get('reason')}")
            lines.append("")
            continue
        scored = res.get("scored", res.get("n", res.get("cases")))
        of = res.get("of")
        lines.append(f"  scored {scored}" + (f" of {of}" if of else "")
                     + f" in {res.get('seconds', 0):.1f} s")
        for key, label in REPORT_FIELDS.get(name, []):
            if key in res:
                lines.append(f"  {label:<45} {_fmt(res[key])}")
        if name == "ngec" and res.get("per_label"):
            per = ", ".join(f"{t} {v['f1']:.2f}" for t, v in sorted(res["per_label"].items()))
            lines.append(f"  per-type F1: {per}")
            if res.get("confusions"):
                conf = "; ".join(f"{g}->{p} x{c}" for g, p, c in res["confusions"][:6])
                lines.append(f"  top confusions (gold->predicted): {conf}")
        if name == "plover" and res.get("missed_types"):
            missed = ", ".join(f"{t} {c}" for t, c in res["missed_types"].items())
            lines.append(f"  gold types not found: {missed}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def format_markdown(results: dict[str, Any]) -> str:
    """The headline figures as one Markdown table (set, figure, value), for the README."""
    lines = ["| gold set | figure | value |", "| --- | --- | ---: |"]
    for name, res in results.items():
        title = TITLES.get(name, name)
        if res.get("status") != "ok":
            lines.append(f"| {title} | {res.get('status')} | {res.get('reason')} |")
            continue
        scored, of = res.get("scored", res.get("n", res.get("cases"))), res.get("of")
        lines.append(f"| {title} | scored | {scored}" + (f" of {of}" if of else "") + " |")
        for key, label in REPORT_FIELDS.get(name, []):
            if key in res:
                lines.append(f"| | {label.strip(' .')} | {_fmt(res[key])} |")
    return "\n".join(lines) + "\n"


def _to_jsonable(results: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(results, default=str))


def main(argv: list[str] | None = None, coder: Any = None) -> int:
    """``python -m detente.evaluation [DIR] [--limit N] [--seed S] [--sets a,b] [--workers W]
    [--json | --markdown]``."""
    ap = argparse.ArgumentParser(prog="detente eval", description=__doc__.splitlines()[0])
    ap.add_argument("eval_dir", nargs="?", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=None, help="stratified sample of N records per set")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sets", default=None, help=f"comma-separated subset of {','.join(SET_NAMES)}")
    ap.add_argument("--workers", type=int, default=1, help="processes for the synthetic stories")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--markdown", action="store_true", help="print the figures as a Markdown table")
    args = ap.parse_args(argv)
    eval_dir = args.eval_dir or default_eval_dir()
    if eval_dir is None or not Path(eval_dir).is_dir():
        print(f"detente eval: no gold-set directory {eval_dir or '(none given)'}", file=sys.stderr)
        return 2
    if coder is None:
        from detente.pipeline import Coder

        coder = Coder()
    sets = [s.strip() for s in args.sets.split(",")] if args.sets else None
    results = run_all(Path(eval_dir), coder, limit=args.limit, seed=args.seed, sets=sets,
                      workers=args.workers)
    if args.json:
        print(json.dumps(_to_jsonable(results), indent=2))
    elif args.markdown:
        print(format_markdown(results), end="")
    else:
        print(format_report(results), end="")
    return 0 if any(r.get("status") == "ok" for r in results.values()) else 1
