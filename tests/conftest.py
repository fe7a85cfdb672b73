"""Shared fixtures: the built-in library (loaded once) and paths to test data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"

# The library cache (magnets/data/cache.py) of a test run lives in a folder of its own, never in
# the user's cache folder; each xdist worker gets its own.
os.environ["MAGNETS_CACHE_DIR"] = tempfile.mkdtemp(prefix="magnets-test-cache-")


@pytest.fixture(scope="session")
def lib():
    from magnets.data.library import load_library

    return load_library()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
