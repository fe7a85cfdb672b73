"""``magnets fleet --engine dask``: the sample blocks of a Monte Carlo run on a Dask cluster.

The run is the blocked one of :mod:`magnets.fleet.stream`, split by sample ranges:

1. this process computes the first block (``sample_block`` samples from sample 0), exactly
   as the in-process engine does; it fixes every sketch's bin ranges;
2. the other blocks go to the cluster in contiguous groups, one task per group: a worker
   rebuilds the run (spec, library, scenarios, bins), takes the ranges, computes its blocks
   with the same seeds per block (:func:`magnets.fleet.sampling.block_draws`) and returns
   its sketches;
3. the sketches are merged here in sample order (counts, sums, min and max add).

So every sample gets the same draws and the same per-sample values as in process, and the
histograms are equal bin for bin: the statistics equal the in-process ones (the float64
sums of the means may differ in the last bits, by the order in which blocks are added).

Nothing here imports Dask: the caller passes a ``distributed.Client``
(:func:`magnets.scale.get_client`), and only its methods are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magnets.fleet.sampling import SAMPLE_BLOCK
from magnets.fleet.stream import DEFAULT_SAMPLE_BLOCK, StreamRun

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library
    from magnets.fleet.sketch import Sketch
    from magnets.fleet.spec import FleetSpec

#: Tasks per worker (a few, so a slow worker does not hold the run up).
TASKS_PER_WORKER = 4


def _groups(samples: int, block: int, n_tasks: int) -> list[list[tuple[int, int]]]:
    """The blocks after the first, (start, stop) each, in ``n_tasks`` contiguous groups."""
    blocks = [(s, min(s + block, samples)) for s in range(block, samples, block)]
    if not blocks:
        return []
    n = max(1, min(n_tasks, len(blocks)))
    size = -(-len(blocks) // n)  # ceiling
    return [blocks[i : i + size] for i in range(0, len(blocks), size)]


def run_group(
    spec: FleetSpec,
    lib: Library,
    names: list[str],
    samples: int,
    report: slice,
    bins: int,
    ranges: list,
    seed: int,
    blocks: list[tuple[int, int]],
) -> list[Sketch]:
    """One task: the sketches of ``blocks`` (on a worker; one thread, as Dask workers run)."""
    run = StreamRun(spec, lib, names, samples, report, bins=bins)
    run.use_ranges(ranges)
    for start, stop in blocks:  # a few sample blocks per task
        run.run(seed, start, stop, workers=1)
    return run.sketches()


def dask_fleet(
    run: StreamRun,
    spec: FleetSpec,
    lib: Library,
    seed: int,
    client: Any,
    report: slice,
    sample_block: int | None = None,
) -> StreamRun:
    """Compute every sample of ``run`` with the blocks spread over ``client``'s cluster."""
    block = DEFAULT_SAMPLE_BLOCK if sample_block is None else sample_block
    if block <= 0 or block % SAMPLE_BLOCK:
        raise ValueError(f"sample_block {block} is not a positive multiple of {SAMPLE_BLOCK}")
    run.run(seed, 0, min(block, run.samples), workers=1)  # the first block sets the ranges
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    groups = _groups(run.samples, block, TASKS_PER_WORKER * n_workers)
    if not groups:
        return run
    spec_f, lib_f, ranges_f = client.scatter([spec, lib, run.ranges()], broadcast=True)
    futures = [
        client.submit(
            run_group,
            spec_f,
            lib_f,
            run.names,
            run.samples,
            report,
            run.bins,
            ranges_f,
            seed,
            g,
            pure=False,
        )
        for g in groups
    ]
    for fut in futures:  # in sample order, each released once merged
        run.merge_sketches(fut.result())
        fut.release()
    return run
