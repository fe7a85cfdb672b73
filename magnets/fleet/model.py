"""Dynamic stock-flow model of magnet fleets: element demand, scrap, end-of-life, supply share.

The fleet package, by idea (see docs/fleet.md for the model, the discretisation and the
example's sources):

- :mod:`magnets.fleet.spec` reads and validates the TOML input into a ``FleetSpec``;
- :mod:`magnets.fleet.cohort`, the dynamic stock model: knot tables on the year grid,
  discretised lifetimes, cohort matrices, stock and outflow;
- :mod:`magnets.fleet.sampling`, Monte Carlo draws and statistics over samples;
- :mod:`magnets.fleet.arrays`, one scenario's segments packed into arrays;
- :mod:`magnets.fleet.flows`, every flow per sample, written plainly (the reference);
- :mod:`magnets.fleet.shares`, the primary supply (world, China) shares are taken of;
- :mod:`magnets.fleet.result`, ``FleetResult``, the long table and the summary;
- this module, the orchestration: :func:`project_arrays` (one scenario, fast) and
  :func:`project_fleet` (every scenario, optional Monte Carlo, the result).

Shapes and units
----------------
S segments, Y model years (first year given in any ``units`` table .. ``end_year``),
Yr reported years, N Monte Carlo samples (1 without ``--samples``), E reported elements
(:data:`magnets.data.chemistry.REPORTED`: Nd Pr Dy Tb Sm Gd Co), G grades.
Units (vehicles, MW, robots...) are counts per year; magnet masses in kg per unit;
every ``*_t`` quantity in tonnes of element (``oxide_t`` in tonnes of oxide).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from magnets.data.chemistry import REPORTED
from magnets.fleet.arrays import SegmentArrays, content_routes, model_years, pack_segments
from magnets.fleet.result import (
    SUMMARY_GROUPS,
    FleetResult,
    long_table,
    peak_year,
    refuse_infinite,
    summary_frame,
    summary_table,
)
from magnets.fleet.sampling import sample_content, sample_inputs
from magnets.fleet.scenario import ProjectionArrays, project_arrays
from magnets.fleet.shares import fleet_supply, oxide_factors, supply_frame
from magnets.fleet.spec import BASELINE

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library
    from magnets.fleet.spec import FleetSpec
    from magnets.fleet.stream import StreamStats

#: The reported elements under their old name here (magnets.tui.data reads it).
ELEMENTS: tuple[str, ...] = REPORTED

__all__ = [
    "ELEMENTS",
    "FleetResult",
    "ProjectionArrays",
    "SegmentArrays",
    "fleet_supply",
    "model_years",
    "oxide_factors",
    "pack_segments",
    "project_arrays",
    "project_fleet",
]


def _scenario_names(spec: FleetSpec, scenarios: list[str] | tuple[str, ...] | None) -> list[str]:
    """The scenarios to run, baseline first; InputError naming an unknown one."""
    from magnets.errors import InputError

    names = [BASELINE] if not scenarios else list(dict.fromkeys(scenarios))
    unknown = [n for n in names if n not in spec.scenarios]
    if unknown:
        raise InputError(
            f"{spec.path}: unknown scenario {', '.join(map(repr, unknown))}; "
            f"expected one of {', '.join(spec.scenarios)}"
        )
    if BASELINE not in names:
        names = [BASELINE, *names]
    return names


def _project_scenarios(
    spec: FleetSpec,
    lib: Library,
    names: list[str],
    u: np.ndarray,
    report: slice,
    chunk: int | None,
    workers: int | None,
    content: np.ndarray,
) -> list[ProjectionArrays]:
    """project_arrays for every scenario, sharing one thread pool and per-thread buffers.

    ``content`` (len(content_routes(lib)), N): the route draws, shared by every scenario.
    """
    years = model_years(spec)
    routes = content_routes(lib)
    proj: list[ProjectionArrays] = []
    workers = min(2, os.cpu_count() or 1) if workers is None else workers
    local = threading.local()  # per-thread buffers, reused across scenarios
    with ThreadPoolExecutor(max_workers=max(1, workers)) as ex:
        for name in names:  # scenarios: a handful
            arr = pack_segments(spec.scenarios[name], lib, years, routes)
            rows = [routes.index(r) for r in arr.routes]
            proj.append(
                project_arrays(
                    arr,
                    u,
                    report,
                    chunk=chunk,
                    workers=workers,
                    executor=ex if workers > 1 else None,
                    local=local,
                    content=content[rows],
                )
            )
    return proj


def _check_memory(samples: int, n_scenarios: int, n_years: int, n_segments: int) -> None:
    """InputError before any work when ``samples`` would not fit in MEMORY_LIMIT_BYTES."""
    from magnets.errors import InputError
    from magnets.fleet.sampling import MEMORY_LIMIT_BYTES, max_samples, samples_bytes

    limit = max_samples(n_scenarios, n_years, len(REPORTED), n_segments)
    if samples > limit:
        need = samples_bytes(samples, n_scenarios, n_years, len(REPORTED), n_segments)
        raise InputError(
            f"--samples {samples:,}: about {need / 1e9:,.1f} GB for {n_scenarios} scenario(s) x "
            f"{n_years} years x {n_segments} segments; at most {limit:,} samples fit in "
            f"{MEMORY_LIMIT_BYTES / 1e9:.0f} GB here. Run fewer samples (several runs with "
            "different --seed can be pooled) or fewer scenarios"
        )


def project_fleet(
    spec: FleetSpec,
    lib: Library,
    scenarios: list[str] | tuple[str, ...] | None = None,
    samples: int | None = None,
    seed: int | None = None,
    *,
    chunk: int | None = None,
    workers: int | None = None,
    exact: bool = False,
    sample_block: int | None = None,
    client: Any = None,
) -> FleetResult:
    """Project element demand of a fleet for the chosen scenarios.

    Parameters
    ----------
    spec : parsed input (:func:`magnets.fleet.spec.load_fleet`).
    lib : grade library (element fractions, world production).
    scenarios : names to run; None = baseline only. ``baseline`` is always run as well when
        any other scenario is asked for, so the summary can show the difference.
    samples : Monte Carlo draws of every ``{ low, high }`` input (uniform, one per segment
        per sample); None = midpoints, no ``stat`` column.
    seed : random seed; drawn (and reported in ``FleetResult.seed``) when None.
    chunk, workers : segments per block and threads (performance knobs).
    exact : keep every sample in memory and sort (exact quantiles; refused past about
        2 GB). Otherwise samples run in blocks into mergeable sketches
        (:mod:`magnets.fleet.stream`): exact means, quantiles within the bound of
        :mod:`magnets.fleet.sketch`, memory independent of ``samples``.
    sample_block : samples computed at a time (a multiple of SAMPLE_BLOCK; the results do
        not depend on it).
    client : a ``distributed.Client`` (:func:`magnets.scale.get_client`): the sample blocks
        run on its Dask cluster (:mod:`magnets.fleet.distributed`), with the same statistics.
    """
    from magnets.errors import InputError

    names = _scenario_names(spec, scenarios)
    if samples is not None and samples < 2:
        raise InputError(f"--samples: expected at least 2 samples, instead received {samples}")
    years = model_years(spec)
    report = slice(int(spec.start_year - years[0]), len(years))
    rep_years = years[report]
    if samples is not None and seed is None:
        seed = cast(int, np.random.SeedSequence().entropy) % (2**32)
    supply = fleet_supply(lib, rep_years)
    seg_names = tuple(s.name for s in spec.segments)
    errors: dict = {}
    if samples is None or exact:
        if samples is not None:
            _check_memory(samples, len(names), len(rep_years), len(spec.segments))
        proj, envelope = _exact_run(spec, lib, names, samples, seed, report, chunk, workers)
        totals = {n: p.totals for n, p in zip(names, proj)}
        summary = summary_table(names, rep_years, totals, supply, samples is not None)
        total_stats = {n: _stats_last(t) for n, t in totals.items()}
    else:
        st = _streamed(
            spec, lib, names, samples, cast(int, seed), report, chunk, workers, sample_block, client
        )
        proj, envelope, total_stats = st.proj, None, st.totals
        summary = summary_frame(names, _summary_stats(st, rep_years), True, True)
        errors = dict(zip(names, st.err))
    table = long_table(
        names, seg_names, rep_years, proj, oxide_factors(), supply, samples is not None, envelope
    )
    refuse_infinite(table, spec.path)
    return FleetResult(
        table=table,
        summary=summary,
        supply=supply_frame(supply),
        yardsticks=supply,
        scenarios=tuple(names),
        years=rep_years,
        samples=samples,
        seed=seed,
        warnings=tuple(spec.warnings),
        spec=spec,
        total_stats=total_stats,
        errors=errors,
    )


def _exact_run(
    spec: FleetSpec,
    lib: Library,
    names: list[str],
    samples: int | None,
    seed: int | None,
    report: slice,
    chunk: int | None,
    workers: int | None,
) -> tuple[list[ProjectionArrays], list[list[ProjectionArrays]] | None]:
    """Every sample at once (or the midpoints and the content envelope without samples)."""
    u = sample_inputs(len(spec.segments), samples, seed)
    content = sample_content(len(content_routes(lib)), samples, seed)
    proj = _project_scenarios(spec, lib, names, u, report, chunk, workers, content)
    envelope = None
    if samples is None:  # every grade at its low, then at its high content
        envelope = [
            _project_scenarios(spec, lib, names, u, report, chunk, workers, content + t)
            for t in (-1.0, 1.0)
        ]
    return proj, envelope


def _stats_last(x: np.ndarray) -> np.ndarray:
    """(K, ...) statistics over the last axis: the value itself (K = 1) for one sample."""
    from magnets.fleet.sampling import sample_stats

    return x[None, ..., 0] if x.shape[-1] == 1 else sample_stats(x)


def _streamed(
    spec: FleetSpec,
    lib: Library,
    names: list[str],
    samples: int,
    seed: int,
    report: slice,
    chunk: int | None,
    workers: int | None,
    sample_block: int | None,
    client: Any = None,
) -> StreamStats:
    """A blocked Monte Carlo run, in process or on ``client``'s Dask cluster (memory
    checked first)."""
    from magnets.fleet.stream import StreamRun, check_stream_memory, stream_fleet

    run = StreamRun(spec, lib, names, samples, report)
    check_stream_memory(run, sample_block)
    if client is not None:
        from magnets.fleet.distributed import dask_fleet

        dask_fleet(run, spec, lib, seed, client, report, sample_block)
    else:
        stream_fleet(run, seed, sample_block, chunk, workers)
    return run.finish()


def _summary_stats(st: StreamStats, years: np.ndarray) -> dict:
    """(scenario, group) -> (values (len(VALUE_COLUMNS), 4), peak year) from the sketches."""
    idx = {el: i for i, el in enumerate(REPORTED)}
    out = {}
    for sc, values in st.summary.items():  # (4, groups, values)
        for g, (group, members) in enumerate(SUMMARY_GROUPS.items()):
            mean_series = st.totals[sc][0, 0][:, [idx[m] for m in members]].sum(axis=1)
            out[(sc, group)] = (values[:, g, :].T, peak_year(years, mean_series))
    return out
