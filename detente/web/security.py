"""What makes the dashboard safe to expose: response headers, a request-body cap, JSON errors.

The page shows article text, which is untrusted HTML scraped from anywhere. Escaping in the page's
JavaScript (DOM built with ``textContent``) is the first line; the Content-Security-Policy is the
second: even if some string did reach the DOM as markup, no inline script, no inline event handler and
no script from another origin may run, and ``eval`` is off (the charts use Vega's expression
interpreter instead). The body cap is enforced while the body streams in, so a client that lies about
(or omits) ``Content-Length`` cannot make the server buffer more than the cap.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable

from starlette.exceptions import HTTPException

MAX_BODY_BYTES = 100 * 1024
"""Largest request body accepted (``POST /api/code`` takes one article's text)."""

MAX_PAGE_SIZE = 500
"""Largest ``limit`` of a listing; larger requests are refused with 422, not silently cut."""

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
"""No 'unsafe-inline', no 'unsafe-eval': every script and style is a file served by this app."""

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


def json_body(reason: str) -> bytes:
    return json.dumps({"error": reason}).encode()


class SecurityMiddleware:
    """ASGI middleware: security headers on every HTTP response, and the request-body cap (413).

    Written as plain ASGI rather than Starlette's ``BaseHTTPMiddleware`` so that it wraps static
    files and errors alike and does not buffer responses.
    """

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]],
                       send: Callable[[dict], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_body
            except ValueError:
                await _reply(send, 400, "Content-Length is not a number")
                return
            if too_big:
                await _reply(send, 413, f"request body over {self.max_body} bytes")
                return

        seen = 0
        started = False

        async def capped_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def send_with_headers(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, capped_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await _reply(send, 413, f"request body over {self.max_body} bytes")


class BodyTooLarge(HTTPException):
    """Raised inside the app when a streamed body passes the cap. An HTTPException, so FastAPI's body
    reader passes it on (it turns other exceptions into a 400) and the JSON error handler answers 413."""

    def __init__(self, limit: int = MAX_BODY_BYTES) -> None:
        super().__init__(status_code=413, detail=f"request body over {limit} bytes")


async def _reply(send: Callable[[dict], Awaitable[None]], status: int, reason: str) -> None:
    body = json_body(reason)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


def cors_options(origins: list[str] | None) -> dict[str, Any] | None:
    """CORS settings for the given origins, or None (no CORS headers at all: same-origin only)."""
    if not origins:
        return None
    return {"allow_origins": list(origins), "allow_methods": ["GET", "POST"], "allow_headers": ["content-type"],
            "allow_credentials": False, "max_age": 600}
