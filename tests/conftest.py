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


def edited_user_library(folder, hcj: float):
    """A user library in ``folder`` (created if needed) that changes KJ-N38SH's HcJ to ``hcj``
    (the built-in row, one cell edited); rewriting the same folder edits it in place."""
    from magnets.data import layers

    folder.mkdir(exist_ok=True)
    src = layers._builtin_root() / "grades" / "ndfeb_sintered_bulk.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    header = next(ln for ln in lines if not ln.startswith("#"))
    row = next(ln for ln in lines if ln.startswith("KJ-N38SH,"))
    cols, cells = header.split(","), row.split(",")
    cells[cols.index("HcJ_kA_m")] = f"{hcj:g}"
    (folder / "grades.csv").write_text(header + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    return folder
