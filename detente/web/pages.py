"""The dashboard's HTML: one static page (``static/index.html``) whose views are chosen by the URL
fragment (#dyad, #events, #surprises, #actor, #map, #event/ID, #article/ID) and filled by
``static/app.js`` from the JSON API. Plain files, no templates: no server-side string ever becomes
markup, so there is nothing to escape here; the page builds its DOM with ``textContent``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

STATIC_DIR = Path(__file__).resolve().parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
def index() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8",
                        headers={"cache-control": "no-cache"})


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)
