"""Running jobs past one process: the Dask client that ``--engine dask`` uses.

Dask is an optional extra (``pip install 'magnets[scale]'``): nothing here imports it at
module level, and nothing in the everyday commands imports this module's dask paths.
:func:`get_client` starts a local cluster sized for the machine by default, or connects to
an existing scheduler (``--scheduler tcp://host:8786``); docs/scale.md says how to run one.

This module sits at the bottom of the layers (it imports only :mod:`magnets.errors`), so
that the BOM and fleet jobs can both use it without importing each other.
"""

from __future__ import annotations

import os
from typing import Any

from magnets.errors import InputError

#: The engines a job can run on: in this process (the default) or on a Dask cluster.
ENGINES = ("inprocess", "dask")
#: What to install when Dask is missing (the one message every engine path gives).
INSTALL_HINT = "install 'magnets[scale]' (pip install 'magnets[scale]')"
#: Memory each local worker may use before Dask pauses it, then restarts it.
LOCAL_WORKER_MEMORY = "2GiB"
#: Most local worker processes, whatever the core count (each holds a copy of the library).
MAX_LOCAL_WORKERS = 4


def require_dask() -> None:
    """InputError naming the extra to install when dask or distributed is not importable."""
    import importlib.util

    missing = [m for m in ("dask", "distributed") if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            f"--engine dask needs {' and '.join(missing)}, which is not installed; "
            f"{INSTALL_HINT}, or use --engine inprocess"
        )


def local_workers(cpus: int | None = None) -> int:
    """Worker processes for a local cluster: one per core, at least 1, at most
    MAX_LOCAL_WORKERS (a 2-core machine gets 2 single-threaded workers)."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = cpus or 1
    return max(1, min(int(n), MAX_LOCAL_WORKERS))


def get_client(
    scheduler: str | None = None,
    *,
    n_workers: int | None = None,
    memory_limit: str = LOCAL_WORKER_MEMORY,
    processes: bool = True,
    timeout: str = "10s",
) -> Any:
    """A ``distributed.Client``: on the scheduler at ``scheduler`` when given, else on a new
    local cluster (``n_workers`` single-threaded worker processes, default
    :func:`local_workers`; each limited to ``memory_limit``; HTTP on a free port).

    Close it when done (``with get_client() as client:``): closing a client made here also
    closes the local cluster it started (never a cluster it only connected to).
    ``processes=False`` runs the workers as threads of this process (tests; no spawn
    cost). ``timeout``: how long to try to reach ``scheduler`` before giving up with one
    message.
    """
    require_dask()
    import distributed

    if scheduler:
        try:
            return distributed.Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); start one with "
                "`dask scheduler` and workers with `dask worker ADDRESS`, or leave out "
                "--scheduler to run on a local cluster"
            ) from None
        except ValueError as exc:
            raise InputError(
                f"--scheduler {scheduler!r} is not a scheduler address ({exc}); "
                "expected e.g. tcp://10.0.0.5:8786"
            ) from None
    # a client given cluster keywords starts its own LocalCluster and closes it with itself
    return distributed.Client(
        n_workers=n_workers or local_workers(),
        threads_per_worker=1,
        processes=processes,
        memory_limit=memory_limit,
        # any free port: the scheduler serves HTTP (metrics) even without a dashboard, and
        # its fixed default, 8787, clashes with any other cluster on the machine
        dashboard_address=":0",
        silence_logs=40,  # logging.ERROR: the CLI's stderr is for the user's messages
    )
