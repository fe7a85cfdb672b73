"""The cache of the validated library (magnets/data/cache.py): same library, fewer imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from conftest import edited_user_library

from magnets.data import cache as libcache
from magnets.data import chemistry
from magnets.data import library as libmod


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("MAGNETS_CACHE_DIR", str(d))
    monkeypatch.delenv("MAGNETS_NO_CACHE", raising=False)
    return d


def _user_lib(tmp_path, hcj: float):
    """A user library that changes one grade's HcJ (as in tests/test_context.py)."""
    return edited_user_library(tmp_path / f"user-{hcj:g}", hcj)


def test_second_load_comes_from_the_cache_and_equals_a_fresh_load(folder, monkeypatch):
    first = libcache.cached_library()
    assert len(list(folder.glob("library-*.pickle"))) == 1
    fresh = libmod.load_library()

    def fail(*a, **k):
        raise AssertionError("the loader ran although the cache matched")

    monkeypatch.setattr(libmod, "load_library", fail)
    again = libcache.cached_library()
    for name in ("grades", "compositions", "families", "elements"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(fresh, name))
    pd.testing.assert_frame_equal(again.grades, first.grades)


def test_a_changed_user_file_is_a_new_key_never_a_stale_library(folder, tmp_path):
    a = _user_lib(tmp_path, 1100.0)
    b = _user_lib(tmp_path, 1200.0)
    assert libcache.library_key((a,)) != libcache.library_key((b,))
    assert libcache.cached_library([a]).grades.loc["KJ-N38SH", "HcJ_kA_m"] == 1100.0
    # rewrite the same folder in place: the key follows the content, not the path
    (a / "grades.csv").write_text((b / "grades.csv").read_text(encoding="utf-8"), encoding="utf-8")
    assert libcache.cached_library([a]).grades.loc["KJ-N38SH", "HcJ_kA_m"] == 1200.0


def test_an_unreadable_cache_file_is_ignored_and_replaced(folder):
    libcache.cached_library()
    (path,) = folder.glob("library-*.pickle")
    path.write_bytes(b"not a pickle")
    lib = libcache.cached_library()
    assert len(lib.grades) > 0 and not lib.problems
    assert path.read_bytes() != b"not a pickle"


def test_an_unwritable_cache_folder_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("MAGNETS_CACHE_DIR", str(blocker / "cache"))  # under a file: mkdir fails
    assert len(libcache.cached_library().grades) == len(libmod.load_library().grades)


def test_a_library_with_problems_is_never_cached(folder, tmp_path):
    missing = tmp_path / "no-such-folder"
    lib = libcache.cached_library([missing])
    assert lib.problems
    assert not list(folder.glob("library-*.pickle"))


def test_no_cache_switch(folder, monkeypatch):
    monkeypatch.setenv("MAGNETS_NO_CACHE", "1")
    libcache.cached_library()
    assert not folder.exists()


def test_chemistry_table_is_pymatgens_own_numbers(folder):
    table = libcache.chemistry_table(chemistry.pymatgen_table)
    (path,) = folder.glob("chemistry-*.json")
    assert json.loads(path.read_text()) == table
    # Dy: 162.5 g/mol; Dy2O3 = 2*162.5 + 3*15.9994 = 372.998 g/mol -> 372.998/325 = 1.14769 kg/kg
    assert table["mass"]["Dy"] == pytest.approx(chemistry._pymatgen_mass("Dy"), rel=1e-15)
    assert table["oxide"]["Dy"] == pytest.approx(1.14769, rel=1e-5)


def test_show_with_a_warm_cache_imports_no_pandas_numpy_pymatgen_scipy_or_matplotlib(folder):
    # issue 13: `show` reads the pandas-free view of the cache (magnets/data/view.py)
    probe = (
        "import sys\n"
        "from magnets.cli.entry import main\n"
        "main(['show', 'N38EH'])\n"
        "heavy = {'pandas', 'numpy', 'pyarrow', 'pymatgen', 'scipy', 'matplotlib', 'textual',"
        " 'openpyxl'}\n"
        "print('IMPORTED', sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    env = {**os.environ, "MAGNETS_CACHE_DIR": str(folder)}
    for _ in range(2):  # the first run fills the cache and the view, the second reads the view
        out = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
        ).stdout
    assert "IMPORTED []" in out, out
