"""magnets.scale and the --engine/--scheduler options: the Dask client, lazily imported."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from magnets.cli._engine import ENGINES, add_engine_arguments, check_engine_arguments
from magnets.errors import InputError
from magnets.scale import ENGINES as SCALE_ENGINES
from magnets.scale import get_client, local_workers, require_dask


def test_engine_choices_written_out_in_the_cli_equal_the_domain_ones():
    assert ENGINES == SCALE_ENGINES


def test_engine_options_default_to_inprocess_and_no_scheduler():
    p = argparse.ArgumentParser()
    add_engine_arguments(p)
    args = p.parse_args([])
    assert (args.engine, args.scheduler) == ("inprocess", None)
    args = p.parse_args(["--engine", "dask", "--scheduler", "tcp://10.0.0.5:8786"])
    assert (args.engine, args.scheduler) == ("dask", "tcp://10.0.0.5:8786")


def test_scheduler_without_engine_dask_is_refused():
    args = argparse.Namespace(engine="inprocess", scheduler="tcp://10.0.0.5:8786")
    with pytest.raises(InputError, match="--scheduler applies to --engine dask only"):
        check_engine_arguments(args)


def test_local_workers_one_per_core_at_least_one_at_most_four():
    # a 2-core machine: 2 single-threaded workers; 64 cores are capped at MAX_LOCAL_WORKERS
    assert [local_workers(c) for c in (0, 1, 2, 64)] == [1, 1, 2, 4]


def test_missing_dask_names_the_extra_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "distributed" else real(n, *a)
    )
    with pytest.raises(InputError, match=r"install 'magnets\[scale\]'"):
        require_dask()


def test_an_unreachable_scheduler_is_one_message_not_a_traceback():
    # port 9 (discard) on localhost: nothing listens there in a test run
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        get_client("tcp://127.0.0.1:9", timeout="1s")


def test_local_client_runs_a_task_and_closes_its_cluster():
    with get_client(n_workers=1, processes=False) as client:
        assert client.submit(sum, [1, 2, 3]).result() == 6  # 1 + 2 + 3
        cluster = client.cluster
    assert cluster.status.name == "closed"


def test_everyday_commands_and_the_parser_import_no_dask(tmp_path):
    probe = (
        "import sys\n"
        "from magnets.cli.entry import main\n"
        "from magnets.cli import build_parser\n"
        "build_parser()\n"
        "main(['show', 'N38EH'])\n"
        "print('IMPORTED', sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'}))\n"
    )
    env = {**os.environ, "MAGNETS_CACHE_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "IMPORTED []" in out, out
