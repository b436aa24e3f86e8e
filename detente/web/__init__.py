"""The web dashboard and HTTP API over the event store (``detente serve``).

``create_app(db)`` -> a FastAPI application (JSON API under ``/api``, the page at ``/``);
``serve(db, host="127.0.0.1", port=8000, cors_origins=None)`` runs it with uvicorn.
"""

from detente.web.app import create_app, serve

__all__ = ["create_app", "serve"]
