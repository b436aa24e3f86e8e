"""``detente serve --workers N``: uvicorn on httptools and uvloop, connections dealt out evenly.

The server runs in a process group of its own (the parent and its spawned workers) on a small
generated store; clients keep their connections open, as a dashboard and the load benchmark do.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_uvicorn_runs_on_httptools_and_uvloop() -> None:
    """Both are in the lock; uvicorn's "auto" (what ``serve`` asks for) picks them when installed."""
    from uvicorn.loops.auto import auto_loop_factory
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    assert AutoHTTPProtocol.__name__ == "HttpToolsProtocol"
    loop = auto_loop_factory()()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()


def _get(sock: socket.socket, target: str) -> tuple[int, bytes]:
    """One GET on a kept-alive connection: status and body."""
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "connection closed"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(65536)
    return int(head.split()[1]), body


def _workers(pgid: int) -> list[int]:
    from bench.bench_web import _group_stats

    return sorted(pid for pid in _group_stats(pgid) if pid != pgid)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from bench.bench_web import build_store, free_port, stop_server

    db = tmp_path_factory.mktemp("workers") / "events.duckdb"
    build_store(db, 3_000)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from detente.web import serve; serve(sys.argv[1], port=int(sys.argv[2]),"
         " workers=2, log_level='warning')", str(db), str(port)], env=env, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, "server exited"
            assert time.monotonic() < deadline, "server did not start"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                    if _get(s, "/api/meta")[0] == 200:
                        break
            except OSError:
                time.sleep(0.5)
        yield proc, port
    finally:
        stop_server(proc)


def test_connections_are_dealt_out_evenly(server) -> None:
    from bench.bench_web import connections_per_process

    proc, port = server
    conns = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(8)]
    try:
        for s in conns:
            status, body = _get(s, "/api/events?limit=2")
            assert status == 200 and body.startswith(b'{"events":[{"event_id":')
        assert connections_per_process(proc.pid, port) == [4, 4]
        # a closed connection is counted off its worker: the next one goes there
        conns.pop().close()
        time.sleep(0.5)
        assert sorted(connections_per_process(proc.pid, port)) == [3, 4]
        conns.append(socket.create_connection(("127.0.0.1", port), timeout=30))
        assert _get(conns[-1], "/api/dyad?a=RUS&b=USA")[0] == 200
        assert connections_per_process(proc.pid, port) == [4, 4]
    finally:
        for s in conns:
            s.close()


def test_a_dead_worker_is_started_again(server) -> None:
    proc, port = server
    before = _workers(proc.pid)
    assert len(before) >= 2
    victim = before[-1]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 180
    while True:  # the other worker answers meanwhile; the new one joins once it has read the store
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            assert _get(s, "/api/events?limit=1")[0] == 200
        now = _workers(proc.pid)
        if victim not in now and len(now) >= len(before):
            break
        assert time.monotonic() < deadline, "worker not restarted"
        time.sleep(0.5)
    assert proc.poll() is None
