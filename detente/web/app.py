"""The web application: the JSON API, the dashboard page and its static files, behind the security
middleware, over one event store opened read-only.

``create_app(db)`` builds it (tests use it with FastAPI's TestClient); ``serve(db)`` runs it with
uvicorn on 127.0.0.1 unless a host is given. The coder for ``POST /api/code`` is loaded on first use
only (spaCy and the knowledge base take seconds), once per process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente.store import Store
from detente.web import api, pages
from detente.web.memory import Memory
from detente.web.memory import enabled as memory_enabled
from detente.web.memory import fits as fits_in_memory
from detente.web.security import MAX_BODY_BYTES, SecurityMiddleware, cors_options

log = logging.getLogger("detente.web")

DEFAULT_CACHE = 1024
"""GET answers kept (rendered JSON; a few KB each, a dyad series of three years weekly ~30 KB)."""


@dataclass
class WebState:
    """What the routes share: the read-only store, the lazily built coder, cached audits."""

    store: Store
    coder_factory: Any = None
    coder_lock: threading.Lock = field(default_factory=threading.Lock)
    audits: dict = field(default_factory=dict)
    cache: api.ResponseCache = field(default_factory=lambda: api.ResponseCache(DEFAULT_CACHE))
    memory: Any = None
    """``detente.web.memory.Memory`` of a read-only store, else None (every answer from SQL)."""
    _coder: Any = None
    _coder_load: threading.Lock = field(default_factory=threading.Lock)

    def coder(self) -> Any:
        if self._coder is None:
            with self._coder_load:
                if self._coder is None:
                    if self.coder_factory is not None:
                        self._coder = self.coder_factory()
                    else:
                        from detente.pipeline import Coder

                        self._coder = Coder()
        return self._coder


def _reason(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def create_app(db: str | PathLike[str] | Store, *, cors_origins: list[str] | None = None,
               coder: Any = None, max_body: int = MAX_BODY_BYTES, cache_size: int = DEFAULT_CACHE) -> FastAPI:
    """The application over the store at ``db`` (opened read-only) or an open ``Store``.

    ``cors_origins``: origins allowed to call the API from other sites (default: none, no CORS
    headers). ``coder``: a loaded ``Coder`` (or a callable returning one) for ``POST /api/code``.
    ``cache_size``: GET answers remembered (the store is read-only, so they stay true); 0 turns it off.
    A store opened read-only is also read into memory (``detente.web.memory``) for dyad series and
    event pages, unless ``DETENTE_WEB_MEMORY=0``.
    """
    from detente.analysis.dyad import AnalysisError

    store = db if isinstance(db, Store) else Store(Path(db), read_only=True)
    owned = not isinstance(db, Store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:  # a store passed in belongs to the caller
            store.close()

    app = FastAPI(lifespan=lifespan, title="detente", version="0.1.0",
                  description="Political event data (PLOVER + CAMEO) from news: events, dyads, surprises, "
                              "audit, actors. Errors are JSON: {\"error\": reason}.",
                  docs_url=None, redoc_url=None)  # the docs pages load scripts from a CDN: not under this CSP
    factory = coder if callable(coder) and not hasattr(coder, "code") else (lambda: coder) if coder else None
    memory = None
    if store.read_only and memory_enabled() and fits_in_memory(store):
        memory = Memory.build(store, api.LIST_COLUMNS)
    app.state.web = WebState(store=store, coder_factory=factory, cache=api.ResponseCache(cache_size), memory=memory)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> api.Json:
        reason = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and reason == "Not Found":
            reason = f"not found: {request.url.path}"
        return api.Json({"error": reason}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> api.Json:
        return api.Json({"error": _reason(exc)}, status_code=422)

    @app.exception_handler(AnalysisError)
    async def analysis_error(request: Request, exc: AnalysisError) -> api.Json:
        return api.Json({"error": exc.error.reason, "input": exc.error.input}, status_code=422)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> api.Json:
        log.exception("%s %s failed", request.method, request.url.path)
        return api.Json({"error": f"internal error ({type(exc).__name__})"}, status_code=500)

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    cors = cors_options(cors_origins)
    if cors:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, **cors)
    app.add_middleware(SecurityMiddleware, max_body=max_body)

    return app


def serve(db: str | PathLike[str], host: str = "127.0.0.1", port: int = 8000,
          cors_origins: list[str] | None = None, workers: int = 1, log_level: str = "info",
          access_log: bool = True) -> None:
    """Run the dashboard (blocking). Binds loopback unless ``host`` says otherwise.

    uvicorn runs on uvloop with the httptools parser (both in the lock; uvicorn's "auto" falls back
    to asyncio and h11 without them): about 0.6 ms less CPU per request than h11 on asyncio.
    With ``workers > 1`` that many processes each open the store read-only (the app is then built by
    ``app_from_env``) and the parent deals the connections out evenly (``detente.web.workers``)."""
    import os

    import uvicorn

    if not Path(db).exists():
        raise FileNotFoundError(f"{db}: no such event store (run detente ingest first)")
    options: dict[str, Any] = dict(host=host, port=port, log_level=log_level, access_log=access_log,
                                   server_header=False, http="auto", loop="auto")
    if workers > 1:
        from detente.web import workers as balanced

        os.environ["DETENTE_WEB_DB"] = str(db)
        if cors_origins:
            os.environ["DETENTE_WEB_CORS"] = ",".join(cors_origins)
        balanced.run(uvicorn.Config("detente.web.app:app_from_env", factory=True, workers=workers, **options),
                     workers)
        return
    uvicorn.run(create_app(db, cors_origins=cors_origins, cache_size=_cache_size()), **options)


def app_from_env() -> FastAPI:
    """The app of a uvicorn worker process (``serve(..., workers=N)``)."""
    import os

    cors = os.environ.get("DETENTE_WEB_CORS")
    return create_app(os.environ["DETENTE_WEB_DB"], cors_origins=cors.split(",") if cors else None,
                      cache_size=_cache_size())


def _cache_size() -> int:
    """``DETENTE_WEB_CACHE``: GET answers remembered per process (0: none, as the load benchmark's
    cold runs need), else ``DEFAULT_CACHE``."""
    import os

    raw = os.environ.get("DETENTE_WEB_CACHE", "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_CACHE
