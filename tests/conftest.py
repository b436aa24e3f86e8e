"""Shared fixtures: one Coder per test session (the model and knowledge base load once)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


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
