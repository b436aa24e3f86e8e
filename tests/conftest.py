"""Shared fixtures: one Coder per test session (the model and knowledge base load once)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# The load cache (detente.cache) of this test run lives in a temporary folder, never in the user's
# home; set here, before any test imports detente, so the commands tests run inherit it. A folder
# (or "off") given by whoever runs the tests is kept.
if not os.environ.get("DETENTE_CACHE_DIR", "").strip():
    _cache = tempfile.mkdtemp(prefix="detente-test-cache-")
    os.environ["DETENTE_CACHE_DIR"] = _cache
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)


def shared_dir() -> Path | None:
    """../shared beside the checkout (CI lays it there); None when absent."""
    for cand in (REPO.parent / "shared", Path("/work/shared")):
        if cand.is_dir():
            return cand
    return None


@pytest.fixture(scope="session")
def coder():
    from detente.pipeline import Coder

    return Coder()
