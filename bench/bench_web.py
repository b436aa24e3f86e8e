"""Load on the HTTP API: 50 concurrent clients against a store of 1 million events.

    .venv/bin/python bench/bench_web.py                      # build /tmp/detente_bench_web.duckdb once, then run
    .venv/bin/python bench/bench_web.py --events 1000000 --requests 3000 --clients 50 --workers 1 2

The server reads the store's dyad and event tables into memory at start-up (``detente.web.memory``;
``--sql`` turns that off and every request queries DuckDB). The store is generated directly in the store's schema with DuckDB SQL (no coding): a skewed mix of
states, IGOs and sectors (a few busy dyads, a long tail), PLOVER types with their CAMEO/Goldstein,
dates over three years, inserted in date order as an ingest over time would write them. The server is
``detente.web.serve`` (what ``detente serve`` runs: uvicorn on uvloop and httptools; with ``--workers 2``
the parent deals connections out evenly) in a child process, or with ``--server uvicorn`` uvicorn's own
``--workers`` (``--http h11 --loop asyncio``: the server before httptools and uvloop). Reported also:
each process's CPU and how the connections were split between the workers. The
clients are one asyncio process keeping ``--clients`` keep-alive connections busy (a minimal HTTP/1.1
client: httpx costs several times what the server does per request). Requests mix
``/api/dyad`` (weekly series of a busy or a sparse pair) and ``/api/events?...&limit=50`` (dyad,
actor or type filters, a random page). Reported per endpoint: p50/p95/p99 latency and throughput.

Client and server share the machine's cores, so the figures are a lower bound for the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (code, kind, weight): states and IGOs in rough proportion to news volume
ACTORS = [
    ("USA", "state", 30), ("RUS", "state", 25), ("CHN", "state", 18), ("UKR", "state", 16), ("ISR", "state", 12),
    ("IRN", "state", 10), ("GBR", "state", 9), ("FRA", "state", 8), ("DEU", "state", 8), ("TUR", "state", 7),
    ("IND", "state", 7), ("PAK", "state", 5), ("SYR", "state", 5), ("PRK", "state", 5), ("KOR", "state", 4),
    ("JPN", "state", 4), ("SAU", "state", 4), ("EGY", "state", 3), ("POL", "state", 3), ("BLR", "state", 3),
    ("VEN", "state", 2), ("BRA", "state", 2), ("ZAF", "state", 2), ("AFG", "state", 2), ("IRQ", "state", 2),
    ("NATO", "igo", 8), ("UNO", "igo", 6), ("EU", "igo", 6), ("IAEA", "igo", 2), ("AU", "igo", 1),
]
SECTORS = ["GOV", "GOV", "GOV", "MIL", "MIL", "", "", "", "BUS", "CVL", "OPP", "SPY"]
TYPES = [  # PLOVER type, CAMEO, Goldstein, QuadClass, weight
    ("CONSULT", "040", 1.0, 1, 20), ("ACCUSE", "112", -2.0, 3, 14), ("AGREE", "030", 4.0, 1, 8),
    ("SUPPORT", "051", 3.4, 1, 8), ("REQUEST", "020", 3.0, 1, 8), ("COOPERATE", "060", 6.0, 2, 6),
    ("AID", "070", 7.0, 2, 5), ("REJECT", "120", -4.0, 3, 6), ("THREATEN", "130", -4.4, 3, 5),
    ("PROTEST", "140", -6.5, 3, 3), ("SANCTION", "163", -8.0, 4, 4), ("MOBILIZE", "150", -7.2, 4, 3),
    ("COERCE", "170", -7.0, 4, 4), ("ASSAULT", "190", -10.0, 4, 5), ("CONCEDE", "080", 5.0, 2, 2),
    ("RETREAT", "087", 6.0, 2, 1),
]
DAYS = 3 * 365
START = "2023-01-01"


def _weighted_sql(items: list[tuple], weight_index: int, value_sql, u: str) -> str:
    """A CASE expression picking an item by the uniform random column ``u`` and the items' weights."""
    total = sum(i[weight_index] for i in items)
    acc = 0.0
    parts = []
    for item in items:
        acc += item[weight_index] / total
        parts.append(f"WHEN {u} < {acc!r} THEN {value_sql(item)}")
    return "CASE " + " ".join(parts) + f" ELSE {value_sql(items[-1])} END"


def build_store(path: Path, n: int, seed: float = 0.42) -> None:
    """A store of ``n`` synthetic events in the real schema (migrated by ``Store``)."""
    import duckdb

    from detente.store import Store

    if path.exists():
        path.unlink()
    Store(path).close()  # creates the schema (all migrations)
    con = duckdb.connect(str(path))
    con.execute(f"SELECT setseed({seed})")
    idx = {code: i for i, (code, _, _) in enumerate(ACTORS)}
    def actor_pick(u: str) -> str:
        return _weighted_sql(ACTORS, 2, lambda a: str(idx[a[0]]), u)

    type_pick = _weighted_sql(TYPES, 4, lambda t: str(TYPES.index(t)), "ut")
    codes = "[" + ", ".join(f"'{a[0]}'" for a in ACTORS) + "]"
    kinds = "[" + ", ".join(f"'{a[1]}'" for a in ACTORS) + "]"
    sectors = "[" + ", ".join(f"'{s}'" for s in SECTORS) + "]"
    tnames = "[" + ", ".join(f"'{t[0]}'" for t in TYPES) + "]"
    cameo = "[" + ", ".join(f"'{t[1]}'" for t in TYPES) + "]"
    gold = "[" + ", ".join(str(t[2]) for t in TYPES) + "]"
    quad = "[" + ", ".join(str(t[3]) for t in TYPES) + "]"
    t0 = time.perf_counter()
    con.execute(f"""
    CREATE TEMP TABLE draws AS
    SELECT i, {actor_pick("ua")} AS ai, {actor_pick("ub")} AS bi, {type_pick} AS ti, sa, sb, d, r1, r2, r3
    FROM (SELECT i, random() AS ua, random() AS ub, random() AS ut,
                 1 + floor(random() * {len(SECTORS)})::INT AS sa, 1 + floor(random() * {len(SECTORS)})::INT AS sb,
                 floor(random() * {DAYS})::INT AS d, random() AS r1, random() AS r2, random() AS r3
          FROM range({n}) t(i))
    """)
    con.execute(f"""
    INSERT INTO events BY NAME
    SELECT row_number() OVER (ORDER BY d, i) AS event_id,
           {tnames}[ti + 1] AS event, NULL AS mode, [] AS context, {cameo}[ti + 1] AS cameo,
           {gold}[ti + 1] AS goldstein, {quad}[ti + 1]::TINYINT AS quad_class,
           a || s_a AS actor_code, a AS actor_name,
           CASE WHEN ka = 'state' THEN a END AS actor_country, CASE WHEN ka = 'igo' THEN a END AS actor_org,
           nullif(s_a, '') AS actor_sector, ka AS actor_kind,
           CASE WHEN r3 < 0.12 THEN NULL ELSE b || s_b END AS recipient_code,
           CASE WHEN r3 < 0.12 THEN NULL ELSE b END AS recipient_name,
           CASE WHEN r3 >= 0.12 AND kb = 'state' THEN b END AS recipient_country,
           CASE WHEN r3 >= 0.12 AND kb = 'igo' THEN b END AS recipient_org,
           CASE WHEN r3 >= 0.12 THEN nullif(s_b, '') END AS recipient_sector,
           CASE WHEN r3 >= 0.12 THEN kb END AS recipient_kind,
           CASE WHEN r1 < 0.88 THEN 'asserted' WHEN r1 < 0.95 THEN 'negated' ELSE 'hypothetical' END AS modality,
           DATE '{START}' + d AS date, 'text' AS date_source, DATE '{START}' + d AS anchor_date,
           CASE WHEN r2 < 0.4 THEN a END AS location_text, CASE WHEN r2 < 0.4 AND ka = 'state' THEN a END AS location_country,
           1 + floor(pow(r2, 4) * 12)::INT AS num_mentions, 1 AS num_articles, 1 AS num_sources,
           DATE '{START}' + d AS first_seen, DATE '{START}' + d AS last_seen, now()::TIMESTAMP AS added_at,
           0.5 + r1 / 2 AS confidence, 'synthetic sentence ' || i AS text, 'cue' AS cue, 'bench' AS rule,
           printf('%016x', i // 8) AS article_id, (i % 8)::INT AS sentence, 'https://bench.example/' || (i // 8) AS source_url
    FROM (SELECT *, {codes}[ai + 1] AS a, {kinds}[ai + 1] AS ka,
                 {codes}[CASE WHEN bi = ai THEN (bi + 1) % {len(ACTORS)} ELSE bi END + 1] AS b,
                 {kinds}[CASE WHEN bi = ai THEN (bi + 1) % {len(ACTORS)} ELSE bi END + 1] AS kb,
                 {sectors}[sa] AS s_a, {sectors}[sb] AS s_b, {tnames}[ti + 1] AS t
          FROM draws)
    ORDER BY d, i
    """)
    con.execute("""
    INSERT INTO actors
    SELECT actor_id, any_value(code), any_value(name), any_value(country), any_value(org), any_value(sector),
           NULL, any_value(kind), sum(n)::INTEGER, sum(src)::INTEGER, sum(tgt)::INTEGER, min(d), max(d)
    FROM (SELECT actor_code || '|' || lower(actor_name) AS actor_id, actor_code AS code, actor_name AS name,
                 actor_country AS country, actor_org AS org, actor_sector AS sector, actor_kind AS kind,
                 num_mentions AS n, num_mentions AS src, 0 AS tgt, anchor_date AS d FROM events
          UNION ALL
          SELECT recipient_code || '|' || lower(recipient_name), recipient_code, recipient_name, recipient_country,
                 recipient_org, recipient_sector, recipient_kind, num_mentions, 0, num_mentions, anchor_date
          FROM events WHERE recipient_code IS NOT NULL)
    GROUP BY actor_id
    """)
    con.execute("CHECKPOINT")
    n_stored = con.execute("SELECT count(*) FROM events").fetchone()[0]
    con.close()
    print(f"store: {n_stored:,} events in {path} ({path.stat().st_size / 2**20:.0f} MiB), "
          f"built in {time.perf_counter() - t0:.1f} s", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, workers: int, port: int, cache: int | None = None, memory: bool = True,
                 server: str = "detente", http: str = "auto", loop: str = "auto") -> subprocess.Popen:
    """``server``: "detente" runs ``detente.web.serve`` (what ``detente serve`` runs: the parent deals
    connections out to the workers evenly); "uvicorn" runs uvicorn's own ``--workers`` (one shared
    listening socket) with the given ``http`` parser and ``loop``."""
    env = {**os.environ, "DETENTE_WEB_DB": str(db), "DETENTE_WEB_MEMORY": "1" if memory else "0"}
    if cache is not None:
        env["DETENTE_WEB_CACHE"] = str(cache)
    if server == "detente":
        command = [sys.executable, "-c", "import sys; from detente.web import serve; serve(sys.argv[1], port=int("
                   "sys.argv[2]), workers=int(sys.argv[3]), log_level='warning', access_log=False)",
                   str(db), str(port), str(workers)]
    else:
        command = [sys.executable, "-m", "uvicorn", "detente.web.app:app_from_env", "--factory", "--host", "127.0.0.1",
                   "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log",
                   "--http", http, "--loop", loop]
    proc = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    import httpx

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/meta", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError("server did not start")


def _group_stats(pgid: int) -> dict[int, list[str]]:
    """pid -> the fields after the command name of /proc/<pid>/stat, for every process of a process group."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 of stat: the process group
            out[int(stat.parent.name)] = fields
    return out


def process_cpu_seconds(pgid: int) -> dict[int, float]:
    """pid -> CPU time (user + system) used so far, for every process of the server's group (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    return {pid: (int(f[11]) + int(f[12])) / tick for pid, f in _group_stats(pgid).items()}


def group_rss_mib(pgid: int) -> float:
    """Resident memory of every process of the server's process group (Linux), in MiB."""
    page = os.sysconf("SC_PAGE_SIZE")
    return sum(int(f[21]) * page for f in _group_stats(pgid).values()) / 2**20  # field 24 of stat: rss in pages


def connections_per_process(pgid: int, port: int) -> list[int]:
    """Established connections to ``port`` held by each process of the server's group (Linux), largest
    first: how the clients' keep-alive connections were split between the worker processes."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == "01":  # local port, ESTABLISHED
                inodes.add(f[9])
    counts = []
    for pid in _group_stats(pgid):
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        n = sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in inodes)
        if n:
            counts.append(n)
    return sorted(counts, reverse=True)


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server this script started (its own process group: uvicorn and its workers)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def requests_mix(n: int, rng: random.Random, distinct: bool = False) -> list[tuple[str, str, dict]]:
    """The request list; ``distinct``: every request gets its own date window, so none is a repeat
    and the response cache never answers (the cold path: a DuckDB query per request)."""
    busy = [("RUS", "USA"), ("CHN", "USA"), ("RUS", "UKR"), ("ISR", "IRN"), ("NATO", "RUS")]
    sparse = [("BRA", "ZAF"), ("VEN", "IRQ"), ("AU", "EGY"), ("JPN", "POL")]
    types = [t[0] for t in TYPES]
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            a, b = rng.choice(busy if rng.random() < 0.7 else sparse)
            params = {"a": a, "b": b, "by": "week"}
            if distinct:
                params["since"] = f"2023-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"
            out.append(("dyad", "/api/dyad", params))
        else:
            kind = rng.random()
            if kind < 0.4:
                a, b = rng.choice(busy + sparse)
                params = {"dyad": f"{a},{b}"}
            elif kind < 0.7:
                params = {"actor": rng.choice([a[0] for a in ACTORS[:(12 if distinct else 6)]]),
                          "type": rng.choice(types if distinct else types[:4])}
            else:
                params = {"country": rng.choice(["USA", "RUS", "CHN", "UKR"]), "since": "2024-01-01",
                          "until": "2024-12-31"}
            params.update(limit=50, offset=rng.randrange(5000) if distinct else rng.choice([0, 0, 50, 500, 2000]))
            out.append(("events", "/api/events", params))
    return out


async def _fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, target: str) -> int:
    """One GET on a kept-alive connection: status code (the body is read and dropped)."""
    writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next((int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:")), None)
    if length is None:
        raise RuntimeError(f"{target}: response without Content-Length")
    await reader.readexactly(length)
    return status


async def load(base: str, reqs: list[tuple[str, str, dict]], clients: int) -> tuple[dict, float, int]:
    """``clients`` keep-alive connections, each sending its next request when the last one is answered.

    A minimal HTTP/1.1 client on asyncio streams rather than httpx: httpx's per-request cost is several
    times the server's, and on a small machine the load generator would then measure itself."""
    from urllib.parse import urlencode, urlsplit

    url = urlsplit(base)
    host = url.netloc
    lat: dict[str, list[float]] = {}
    errors = 0
    queue = list(reversed(reqs))

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        try:
            while queue:
                name, path, params = queue.pop()
                target = path + ("?" + urlencode(params) if params else "")
                t = time.perf_counter()
                status = await _fetch(reader, writer, host, target)
                dt = time.perf_counter() - t
                if status != 200:
                    errors += 1
                lat.setdefault(name, []).append(dt)
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return lat, time.perf_counter() - t0, errors


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def report(label: str, lat: dict, wall: float, errors: int) -> None:
    total = sum(len(v) for v in lat.values())
    print(f"\n{label}: {total} requests in {wall:.1f} s = {total / wall:.0f} req/s, {errors} errors")
    print(f"{'endpoint':<8} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name, xs in sorted(lat.items()):
        print(f"{name:<8} {len(xs):>6} {pct(xs, 50) * 1e3:>8.1f} {pct(xs, 95) * 1e3:>8.1f} {pct(xs, 99) * 1e3:>8.1f} "
              f"{statistics.mean(xs) * 1e3:>8.1f}")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=Path("/tmp/detente_bench_web.duckdb"))
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--rebuild", action="store_true", help="build the store even if it exists")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2], help="uvicorn processes per run (none: only build)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--mode", nargs="+", default=["repeat", "cold"], choices=["repeat", "cold"],
                    help="repeat: a dashboard's mix (9 dyads, a few pages; the response cache answers repeats); "
                         "cold: every request distinct, cache off")
    ap.add_argument("--sql", dest="memory", action="store_false",
                    help="answer from SQL only (DETENTE_WEB_MEMORY=0), not from the in-memory tables")
    ap.add_argument("--server", default="detente", choices=["detente", "uvicorn"],
                    help="detente: detente.web.serve (connections dealt out evenly to the workers); uvicorn: "
                         "uvicorn's --workers (a shared listening socket) with --http and --loop")
    ap.add_argument("--http", default="auto", choices=["auto", "h11", "httptools"],
                    help="uvicorn's HTTP parser (auto: httptools when installed)")
    ap.add_argument("--loop", default="auto", choices=["auto", "asyncio", "uvloop"],
                    help="uvicorn's event loop (auto: uvloop when installed)")
    args = ap.parse_args()
    if args.rebuild or not args.db.exists():
        build_store(args.db, args.events)
    print(f"machine: {os.cpu_count()} CPU(s); clients {args.clients}; requests {args.requests}", flush=True)
    for mode in args.mode:
        cold = mode == "cold"
        for workers in args.workers:
            port = free_port()
            t0 = time.perf_counter()
            proc = start_server(args.db, workers, port, cache=0 if cold else None, memory=args.memory,
                                server=args.server, http=args.http, loop=args.loop)
            startup = time.perf_counter() - t0
            try:
                base = f"http://127.0.0.1:{port}"
                # each worker's first queries (imports, the ontology, DuckDB's first scan)
                asyncio.run(load(base, requests_mix(20 * workers, random.Random(args.seed + 1), True), workers))
                reqs = requests_mix(args.requests, random.Random(args.seed), distinct=cold)
                if not cold:  # steady state: every distinct query of the mix asked once before timing
                    keys = {(n, p, tuple(sorted(q.items()))): (n, p, q) for n, p, q in reqs}
                    t0 = time.perf_counter()
                    asyncio.run(load(base, list(keys.values()), args.clients))
                    print(f"\nwarm-up: {len(keys)} distinct queries in {time.perf_counter() - t0:.1f} s", flush=True)
                split: list[int] = []

                def sample() -> None:  # a few times into the run: the clients may still be connecting at first
                    for _ in range(4):
                        time.sleep(1.0)
                        now = connections_per_process(proc.pid, port)
                        if sum(now) > sum(split):
                            split[:] = now

                sampler = threading.Thread(target=sample, daemon=True)
                load0 = os.getloadavg()[0]
                per0, own0 = process_cpu_seconds(proc.pid), time.process_time()
                sampler.start()
                lat, wall, errors = asyncio.run(load(base, reqs, args.clients))
                sampler.join()
                per = {pid: cpu - per0.get(pid, 0.0) for pid, cpu in process_cpu_seconds(proc.pid).items()}
                cpu, own = sum(per.values()), time.process_time() - own0
                report(f"{mode}: {'detente serve' if args.server == 'detente' else 'uvicorn'} ({args.http}, {args.loop}),"
                       f" {workers} process(es)", lat, wall, errors)
                busy = sorted((round(c, 1) for c in per.values() if c >= 0.05), reverse=True)
                print(f"server CPU {cpu:.1f} s = {cpu / len(reqs) * 1e3:.2f} ms per request (per process: {busy} s;"
                      f" connections per process: {split}); client CPU {own:.1f} s; load average {load0:.1f} before,"
                      f" {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs; server memory "
                      f"{group_rss_mib(proc.pid):.0f} MiB resident ({startup:.1f} s to start)", flush=True)
            finally:
                stop_server(proc)


if __name__ == "__main__":
    main()
