"""Several uvicorn worker processes with their connections dealt out evenly by the parent.

uvicorn's own ``--workers`` lets every worker accept from one shared listening socket, and the worker
that wakes first takes every connection waiting (asyncio and libuv accept in a loop). Clients that
keep their connections alive (a dashboard, the load benchmark's 50 clients) then stay wherever that
race put them: in the benchmark all 50 landed on one of two workers, which served every request
while the other idled; a 32/18 split makes one half of the clients wait nearly twice as long as the
other, and that is the latency tail. ``SO_REUSEPORT`` would spread them by a hash of the address:
random, off by several connections as often as not.

Here the parent accepts, and hands each connection (its file descriptor, over a Unix socket pair)
to the ready worker holding the fewest open connections; a worker reports each connection it
closes. A worker is the normal uvicorn ``Server`` (same HTTP protocol, loop, lifespan, signals and
graceful shutdown) that listens on nothing and serves the sockets it is given. The parent only
accepts and passes descriptors: it never reads a request, so it costs nothing per request. A worker
that dies is started again; the others keep serving.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import selectors
import signal
import socket
import time
from dataclasses import dataclass
from typing import Any

import uvicorn

log = logging.getLogger("uvicorn.error")

_READY = b"r"
_CLOSED = b"-"
_CONNECTION = b"c"
_spawn = multiprocessing.get_context("spawn")  # as uvicorn's workers: no state inherited by fork


class _Worker(uvicorn.Server):
    """A uvicorn server whose connections come from the parent over ``channel``, not from a listener."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel
        self.pending: set[asyncio.Task[Any]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # no listening socket of its own
        loop = asyncio.get_running_loop()
        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), self._take, loop)
        self._tell(_READY)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            asyncio.get_running_loop().remove_reader(self.channel.fileno())
        except (OSError, ValueError):
            pass
        await super().shutdown(sockets=[])

    def _tell(self, message: bytes) -> None:
        try:
            self.channel.send(message)
        except OSError:  # the parent is gone (it is shutting down): nothing to tell
            pass

    def _take(self, loop: asyncio.AbstractEventLoop) -> None:
        """Serve the connections the parent sent; its end closing means it is gone: shut down."""
        try:
            message, fds, _, _ = socket.recv_fds(self.channel, 16, 64)
        except BlockingIOError:
            return
        except OSError:
            message, fds = b"", []
        if not message and not fds:
            loop.remove_reader(self.channel.fileno())
            self.should_exit = True
            return
        for fd in fds:
            sock = socket.socket(fileno=fd)
            sock.setblocking(False)
            task = loop.create_task(loop.connect_accepted_socket(self._protocol, sock))
            self.pending.add(task)
            task.add_done_callback(self._connected)

    def _connected(self, task: asyncio.Task[Any]) -> None:
        self.pending.discard(task)
        if not task.cancelled() and task.exception() is not None:  # reset before it was served
            log.debug("connection lost before serving: %s", task.exception())
            self._tell(_CLOSED)

    def _protocol(self) -> asyncio.Protocol:
        """uvicorn's HTTP protocol for one connection, which reports its end to the parent."""
        protocol = self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state)
        lost = protocol.connection_lost

        def connection_lost(exc: Exception | None) -> None:
            lost(exc)
            self._tell(_CLOSED)

        protocol.connection_lost = connection_lost  # type: ignore[method-assign]
        return protocol


def _work(config: uvicorn.Config, channel: socket.socket) -> None:
    """A worker process's body (spawned)."""
    config.configure_logging()
    try:
        _Worker(config, channel).run()
    except KeyboardInterrupt:  # Ctrl+C reaches the whole process group: the parent handles it
        pass


@dataclass
class _Slot:
    """One worker process as the parent sees it."""

    index: int
    channel: socket.socket | None = None
    process: Any = None
    ready: bool = False
    served: bool = False
    """Was ever ready: a worker that dies before that (a bad store, a port in use) is not restarted."""
    open: int = 0


class Dispatcher:
    """Accepts on ``config``'s address and deals the connections out to ``workers`` uvicorn processes."""

    def __init__(self, config: uvicorn.Config, workers: int) -> None:
        self.config = config
        self.slots = [_Slot(i) for i in range(workers)]
        self.selector = selectors.DefaultSelector()
        self.listener: socket.socket | None = None
        self.should_exit = False
        self.failed = False
        self.turn = 0

    def run(self) -> None:
        self.listener = self.config.bind_socket()  # bound, not yet listening (asyncio's server would)
        self.listener.listen(self.config.backlog)
        self.listener.setblocking(False)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._stop)
        try:
            for slot in self.slots:
                self._start(slot)
            listening = False
            while not self.should_exit:
                # accept only once every worker is ready: a connection given to a worker still
                # reading the store into memory would wait for it while the others idle
                if not listening and all(s.ready for s in self.slots):
                    self.selector.register(self.listener, selectors.EVENT_READ, None)
                    listening = True
                for key, _ in self.selector.select(timeout=0.5):
                    if key.data is None:
                        self._accept()
                    else:
                        self._hear(key.data)
                self._check()
        finally:
            self._stop_all()

    # -- the parent's events ---------------------------------------------------------------------

    def _stop(self, signum: int, frame: Any) -> None:
        self.should_exit = True

    def _start(self, slot: _Slot) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        slot.process = _spawn.Process(target=_work, args=(self.config, child), name=f"detente-web-{slot.index}")
        slot.process.start()
        child.close()
        parent.setblocking(False)
        slot.channel, slot.ready, slot.open = parent, False, 0
        self.selector.register(parent, selectors.EVENT_READ, slot)

    def _hear(self, slot: _Slot) -> None:
        try:
            message = slot.channel.recv(16) if slot.channel else b""
        except BlockingIOError:
            return
        except OSError:
            message = b""
        if not message:  # the worker ended: its connections went with it
            self._drop(slot)
            return
        if message == _READY:
            slot.ready = slot.served = True
            log.info("worker %d (pid %d) ready", slot.index, slot.process.pid)
        elif message == _CLOSED:
            slot.open = max(0, slot.open - 1)

    def _accept(self) -> None:
        assert self.listener is not None
        while True:
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # out of descriptors ...: the connection waits in the queue
                log.warning("accept failed: %s", exc)
                time.sleep(0.05)
                return
            try:
                if conn.family in (socket.AF_INET, socket.AF_INET6):
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._deal(conn)
            finally:
                conn.close()  # the worker holds its own descriptor now

    def _deal(self, conn: socket.socket) -> None:
        """To the ready worker with the fewest open connections (ties in turn)."""
        n = len(self.slots)
        order = sorted((s for s in self.slots if s.ready and s.channel is not None),
                       key=lambda s: (s.open, (s.index - self.turn) % n))
        self.turn = (self.turn + 1) % n
        for slot in order:
            try:
                socket.send_fds(slot.channel, [_CONNECTION], [conn.fileno()])
            except OSError:  # its queue is full or it is gone: the next one
                continue
            slot.open += 1
            return
        log.warning("no worker could take a connection: closed")

    def _check(self) -> None:
        """Start again the workers that died after serving; one that died starting stops the server."""
        for slot in self.slots:
            if slot.process is not None and not slot.process.is_alive() and not self.should_exit:
                if not slot.served:
                    log.error("worker %d exited with %s while starting", slot.index, slot.process.exitcode)
                    self.should_exit = True
                    self.failed = True
                    return
                log.warning("worker %d (pid %s) exited with %s: starting it again", slot.index, slot.process.pid,
                            slot.process.exitcode)
                self._drop(slot)
                self._start(slot)

    def _drop(self, slot: _Slot) -> None:
        if slot.channel is not None:
            self.selector.unregister(slot.channel)
            slot.channel.close()
        slot.channel, slot.ready, slot.open = None, False, 0

    def _stop_all(self) -> None:
        if self.listener is not None:
            self.listener.close()
        for slot in self.slots:
            if slot.process is not None and slot.process.is_alive():
                slot.process.terminate()  # SIGTERM: uvicorn's graceful shutdown
        deadline = time.monotonic() + 30
        for slot in self.slots:
            if slot.process is not None:
                slot.process.join(max(0.0, deadline - time.monotonic()))
                if slot.process.is_alive():
                    slot.process.kill()
                    slot.process.join()
            if slot.channel is not None:
                slot.channel.close()


def run(config: uvicorn.Config, workers: int) -> None:
    """Serve ``config``'s application (an import string) with ``workers`` processes (blocking)."""
    if os.name != "posix":
        raise RuntimeError("balanced workers need Unix sockets (file descriptor passing)")
    dispatcher = Dispatcher(config, workers)
    dispatcher.run()
    if dispatcher.failed:
        raise SystemExit(3)  # uvicorn's exit status for a failed start
