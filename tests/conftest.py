"""Shared fixtures: the built-in library (loaded once) and paths to test data."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def lib():
    from magnets.data.library import load_library

    return load_library()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
