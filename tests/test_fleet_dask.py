"""`magnets fleet --engine dask` (issue 13 item 5): the sample blocks on a Dask cluster give
the in-process statistics, statistic for statistic. An in-process cluster (one worker
thread) keeps these fast."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from magnets.fleet.model import project_fleet
from magnets.fleet.sampling import SAMPLE_BLOCK
from magnets.fleet.spec import load_fleet

pytest.importorskip("distributed")

EXAMPLE = Path(__file__).resolve().parents[1] / "materials" / "examples" / "fleet.toml"


@pytest.fixture(scope="module")
def client():
    from magnets.scale import get_client

    with get_client(n_workers=1, processes=False) as c:
        yield c


def test_dask_equals_in_process_statistic_for_statistic(lib, client):
    spec = load_fleet(EXAMPLE, lib)
    # two blocks of 4,096 and a short one: the first here, two tasks on the cluster
    kw = {"samples": 2 * SAMPLE_BLOCK + 37, "seed": 11}
    here = project_fleet(spec, lib, sample_block=SAMPLE_BLOCK, **kw)
    there = project_fleet(spec, lib, sample_block=SAMPLE_BLOCK, client=client, **kw)
    a, b = here.table, there.table
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for col in a.columns[5:]:
        # same draws, same values, equal histograms; float64 sums may differ in the last bits
        np.testing.assert_allclose(b[col], a[col], rtol=1e-9, atol=1e-12, err_msg=col)
    for col in here.summary.columns[3:]:
        np.testing.assert_allclose(
            there.summary[col], here.summary[col], rtol=1e-9, atol=1e-12, err_msg=col
        )
    for sc in here.scenarios:
        np.testing.assert_allclose(there.total_stats[sc], here.total_stats[sc], rtol=1e-9)
        np.testing.assert_array_equal(there.errors[sc].primary, here.errors[sc].primary)


def test_one_block_runs_here_only(lib, client):
    spec = load_fleet(EXAMPLE, lib)
    here = project_fleet(spec, lib, samples=500, seed=2)
    there = project_fleet(spec, lib, samples=500, seed=2, client=client)
    np.testing.assert_allclose(there.table["primary_t"], here.table["primary_t"], rtol=1e-12)


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "magnets", "fleet", str(EXAMPLE), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_engine_dask_without_samples_is_one_message():
    r = _run("--engine", "dask")
    assert r.returncode == 2 and "give --samples N" in r.stderr
    assert "Traceback" not in r.stderr


def test_scheduler_without_engine_dask_is_refused():
    r = _run("--samples", "10", "--scheduler", "tcp://127.0.0.1:9")
    assert r.returncode == 2 and "--scheduler applies to --engine dask only" in r.stderr


def test_fleet_in_process_imports_no_dask(tmp_path):
    probe = (
        "import sys\n"
        "from magnets.cli.entry import main\n"
        f"main(['fleet', {str(EXAMPLE)!r}, '--samples', '20', '--seed', '1', "
        f"'-o', {str(tmp_path / 'f.csv')!r}])\n"
        "print('IMPORTED', sorted({m.split('.')[0] for m in sys.modules} & "
        "{'dask', 'distributed'}))\n"
    )
    env = {**os.environ, "MAGNETS_CACHE_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "IMPORTED []" in out, out
