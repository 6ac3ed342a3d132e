"""Fixtures every test room shares."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BANTIN_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`../shared` beside the checkout: the seed story, the 60 pages, VietNews."""
    if not SHARED.is_dir():
        pytest.fail(f"shared data not found at {SHARED}; set BANTIN_SHARED")
    return SHARED
