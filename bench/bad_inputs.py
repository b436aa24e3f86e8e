"""Generate many bad inputs, ingest them all, check each one is in ``errors`` with a reason.

Kinds (round-robin, seeded): binary files named .txt/.html, truncated HTML, malformed HTML without
text, 50 MB pages, undecodable text, broken RSS/Atom feeds, broken JSONL lines (not JSON, not an
object, no text, bad dates, wrong types), and URLs to refused addresses: a local HTTP test server on
127.0.0.1 that must receive no request at all, plus private, link-local, metadata and non-HTTP URLs.

    .venv/bin/python bench/bad_inputs.py --n 10000      # the issue's figure; prints Markdown
The test suite runs the same generator on a few hundred inputs (tests/test_bad_inputs.py).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HUGE_BYTES = 50 * 1024 * 1024

_PAGE = ("<!doctype html><html lang='en'><head><title>Talks resume</title></head><body><article>"
         + "".join(f"<p>Paragraph {i}: the ministers of both countries met again in Geneva on Tuesday and "
                   f"agreed to continue talks on prisoner exchanges next month.</p>" for i in range(12))
         + "</article></body></html>")


class CountingServer:
    """A loopback HTTP server that counts the requests it gets (a refused URL must send none)."""

    def __init__(self) -> None:
        hits = self.hits = [0]

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                hits[0] += 1
                body = _PAGE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "CountingServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _binary(rng: random.Random, folder: Path, i: int) -> list[str]:
    p = folder / f"binary-{i}{rng.choice(['.txt', '.html', '.htm'])}"
    p.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randint(64, 4096))) + b"\x00\x01")
    return [str(p)]


def _truncated_html(rng: random.Random, folder: Path, i: int) -> list[str]:
    p = folder / f"truncated-{i}.html"
    cut = rng.randint(40, len(_PAGE) // 3)  # cut inside the head or the first paragraphs
    p.write_text(_PAGE[:cut], encoding="utf-8")
    return [str(p)]


def _malformed_html(rng: random.Random, folder: Path, i: int) -> list[str]:
    p = folder / f"malformed-{i}.html"
    junk = "".join(rng.choice(["<div", "<<", "</p>", "<script>var x=1;</script>", "<!--", "&#xFFFF;", "<b><i>",
                               "<style>p{}</style>", "\"'", "<img src=x onerror=1>"]) for _ in range(rng.randint(5, 60)))
    p.write_text(f"<html><body>{junk}</body></html>", encoding="utf-8")
    return [str(p)]


def _huge_page(rng: random.Random, folder: Path, i: int) -> list[str]:
    p = folder / f"huge-{i}.html"
    para = b"<p>" + b"word " * 200 + b"</p>\n"
    with p.open("wb") as fh:
        fh.write(b"<html><body>")
        written = 0
        while written < HUGE_BYTES:
            fh.write(para)
            written += len(para)
        fh.write(b"</body></html>")
    return [str(p)]


def _undecodable(rng: random.Random, folder: Path, i: int) -> list[str]:
    p = folder / f"encoding-{i}.txt"
    # high bytes scattered through ASCII words: neither UTF-8 nor any single code page reads it cleanly
    parts = []
    for _ in range(rng.randint(40, 200)):
        parts.append(b"talks ")
        parts.append(bytes(rng.randrange(0x80, 0x100) for _ in range(rng.randint(1, 4))))
    p.write_bytes(b"".join(parts))
    return [str(p)]


def _broken_feed(rng: random.Random, folder: Path, i: int) -> list[str]:
    p = folder / f"feed-{i}{rng.choice(['.rss', '.atom', '.xml'])}"
    kind = rng.randrange(3)
    if kind == 0:  # cut in the middle of the channel
        p.write_text("<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title><item><title>Tal",
                     encoding="utf-8")
    elif kind == 1:  # not XML at all
        p.write_text("this is not a feed { ] < >" * rng.randint(1, 20), encoding="utf-8")
    else:  # a valid feed with no entries
        p.write_text("<?xml version='1.0'?><rss version='2.0'><channel><title>Empty</title></channel></rss>",
                     encoding="utf-8")
    return [str(p)]


_BAD_LINES = [
    "{not json",
    "[1, 2, 3]",
    '"just a string"',
    '{"id": "x", "title": "no text"}',
    '{"id": "x", "text": 42}',
    '{"id": "x", "text": "Talks resumed.", "date": "yesterday"}',
    '{"id": "x", "text": "Talks resumed.", "date": "2024-13-45"}',
    '{"id": "x", "text": "   "}',
]


def _broken_jsonl(rng: random.Random, folder: Path, i: int, lines: int = 4) -> tuple[list[str], int]:
    p = folder / f"broken-{i}.jsonl"
    with p.open("w", encoding="utf-8") as fh:
        for _ in range(lines):
            fh.write(rng.choice(_BAD_LINES) + "\n")
    return [str(p)], lines


def _refused_urls(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/article", f"http://localhost:{port}/article", f"http://[::1]:{port}/a",
        f"http://127.1:{port}/a", f"http://2130706433:{port}/a", "http://10.0.0.1/a", "http://192.168.1.1/a",
        "http://172.16.0.1/a", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/a",
        "http://0.0.0.0/a", "file:///etc/passwd", "ftp://127.0.0.1/a", "gopher://127.0.0.1/a",
        "javascript:alert(1)", "http://100.64.0.1/a",
    ]


FILE_KINDS = [_binary, _truncated_html, _malformed_html, _undecodable, _broken_feed]


def make_bad_inputs(folder: Path, n: int, port: int, seed: int = 0, huge: int = 3) -> tuple[list[str], int, dict]:
    """Write about ``n`` bad inputs under ``folder``; returns (ingest arguments, expected error count,
    count per kind). JSONL files count one input per line."""
    rng = random.Random(seed)
    inputs: list[str] = []
    kinds: dict[str, int] = {}
    expected = 0
    for i in range(huge):
        inputs += _huge_page(rng, folder, i)
        expected += 1
        kinds["50 MB page"] = kinds.get("50 MB page", 0) + 1
    urls = _refused_urls(port)
    i = 0
    while expected < n:
        slot = i % (len(FILE_KINDS) + 2)
        if slot < len(FILE_KINDS):
            fn = FILE_KINDS[slot]
            inputs += fn(rng, folder, i)
            expected += 1
            kinds[fn.__name__.strip("_")] = kinds.get(fn.__name__.strip("_"), 0) + 1
        elif slot == len(FILE_KINDS):
            paths, lines = _broken_jsonl(rng, folder, i, lines=min(4, max(1, n - expected)))
            inputs += paths
            expected += lines
            kinds["broken_jsonl_line"] = kinds.get("broken_jsonl_line", 0) + lines
        else:
            inputs.append(urls[(i // (len(FILE_KINDS) + 2)) % len(urls)])
            expected += 1
            kinds["refused_url"] = kinds.get("refused_url", 0) + 1
        i += 1
    return inputs, expected, kinds


def run(n: int, folder: Path, seed: int = 0, huge: int = 3, workers: int = 2) -> dict:
    """Ingest the bad inputs into a fresh store; figures as a dict."""
    from detente.ingestion import ingest
    from detente.store import open as open_store

    with CountingServer() as server:
        inputs, expected, kinds = make_bad_inputs(folder, n, server.port, seed=seed, huge=huge)
        db = folder / "bad.duckdb"
        t0 = time.perf_counter()
        summary = ingest(inputs, db, workers=workers, progress=False)
        wall = time.perf_counter() - t0
        hits = server.hits[0]
    with open_store(db) as store:
        errors = store.errors()
        articles = store.stats().get("articles", 0)
    blank = int((errors["reason"].fillna("").str.strip() == "").sum())
    return {"inputs": expected, "kinds": kinds, "errors_stored": len(errors), "failed": summary.failed,
            "ok": summary.ok, "articles_stored": articles, "blank_reasons": blank, "server_hits": hits,
            "wall": wall, "reasons": errors["reason"].str.slice(0, 60).value_counts().head(12).to_dict()}


def main(argv: list[str] | None = None) -> int:
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--huge", type=int, default=5, help="How many 50 MB pages.")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="detente-bad-") as tmp:
        r = run(args.n, Path(tmp), seed=args.seed, huge=args.huge)
    print(json.dumps(r, indent=1, default=str))
    ok = r["errors_stored"] == r["inputs"] and r["blank_reasons"] == 0 and r["server_hits"] == 0
    print(f"\n{r['inputs']:,} bad inputs in {r['wall']:.1f} s: {r['errors_stored']:,} errors stored, "
          f"{r['articles_stored']} articles, {r['server_hits']} requests reached the test server: "
          f"{'all recorded' if ok else 'NOT all recorded'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
