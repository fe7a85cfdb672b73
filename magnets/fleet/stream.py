"""Monte Carlo in sample blocks: memory independent of the number of samples.

A run of N samples is cut into sample blocks (:data:`magnets.fleet.sampling.SAMPLE_BLOCK`
samples each, one ``SeedSequence`` child per block, see :func:`block_draws`) and computed
``sample_block`` samples at a time (a multiple of SAMPLE_BLOCK). For each block every
scenario runs the same kernel as the exact path (:class:`magnets.fleet.scenario.Scenario`),
but its per-sample values go into mergeable sketches (:class:`magnets.fleet.sketch.Sketch`)
instead of being kept and sorted: exact sums (the mean), exact min/max and a fixed-bin
histogram per output cell. The summary (peak, cumulative, shares, difference from the
baseline, per sample) and the fleet totals per year are sketched the same way, from each
block's per-sample totals. What a run holds is one block's values plus the sketches, whose
size depends on the output cells (scenarios x segments x years x elements), not on N.

:class:`StreamRun` is the whole state of a run: :meth:`StreamRun.run` adds the samples
start..stop, :meth:`StreamRun.merge` adds another run's sketches (other samples, e.g. from
a Dask worker), :meth:`StreamRun.finish` gives the statistics. The bin ranges come from
the first sample block (:meth:`StreamRun.ranges`); runs that share them merge exactly.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from magnets.data.chemistry import REPORTED
from magnets.fleet.arrays import content_routes, model_years, pack_segments
from magnets.fleet.result import SUMMARY_GROUPS, VALUE_COLUMNS, group_values
from magnets.fleet.sampling import SAMPLE_BLOCK, STATS, Workspace, block_draws
from magnets.fleet.scenario import ProjectionArrays, Scenario, run_segments
from magnets.fleet.shares import fleet_supply
from magnets.fleet.sketch import Sketch, bins_for

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from magnets.data.library import Library
    from magnets.fleet.arrays import SegmentArrays
    from magnets.fleet.spec import FleetSpec

#: Samples computed at a time by default (a multiple of SAMPLE_BLOCK).
DEFAULT_SAMPLE_BLOCK = 2 * SAMPLE_BLOCK
#: Quantities sketched per (segment, element) pair present; the banded ones (content varies
#: by route draw) also per pair for demand and scrap, the others via the magnet mass.
PAIR_NAMES = ("eol", "recovered", "primary", "surplus")
BANDED_NAMES = ("demand", "scrap")


class StreamScenario(Scenario):
    """A :class:`Scenario` whose hooks feed sketches, one sample block at a time."""

    def __init__(self, arr: SegmentArrays, report: slice, local: threading.local, rows: list):
        super().__init__(arr, report, local)
        self.rows = rows  # arr.routes' rows in the content draws
        self.index: dict[str, np.ndarray] = {}
        band = self.present & self.banded[None, :]
        for names, mask in ((PAIR_NAMES, self.present), (BANDED_NAMES, band)):
            idx = np.full(mask.shape, -1, dtype=np.intp)
            idx[mask] = np.arange(int(mask.sum()))
            for n in names:
                self.index[n] = idx
        self.sizes = {n: int((self.index[n] >= 0).sum()) * self.Yr for n in self.index}
        self.sizes |= {"mass_demand": self.S * self.Yr, "mass_scrap": self.S * self.Yr}
        self.sizes["u_units"] = self.S
        self.sk: dict[str, Sketch] = {}

    def make_sketches(self, bins: int, samples: int) -> None:
        self.sk = {n: Sketch(size, bins, samples) for n, size in self.sizes.items()}

    def _cells(self, key: tuple) -> tuple[str, np.ndarray]:
        yr = np.arange(self.Yr)
        if len(key) == 2:  # (mass_demand | mass_scrap, block of segments)
            name, block = key
            rows = np.arange(block.start, block.stop)
        else:
            name, block, bi, ei = key
            rows = self.index[name][block.start + bi, ei]
        return name, (rows[:, None] * self.Yr + yr).ravel()

    def linear(
        self,
        key: tuple,
        X: np.ndarray,
        A: np.ndarray,
        ws: Workspace,
        varies: bool,
        hook: Callable[[np.ndarray], None] | None = None,
    ) -> None:
        name, cells = self._cells(key)
        N = A.shape[2]
        sums = np.matmul(X, A.sum(axis=2)[..., None])[..., 0].ravel()  # exact, float64
        if not varies and hook is None:
            self.sk[name].add_sums(cells, sums, N)
            return None
        buf = ws.get("samples", (*X.shape[:2], N), "float32")
        np.matmul(X.astype("float32"), A.astype("float32"), out=buf)
        if hook is not None:
            hook(buf)
        if varies:
            self.sk[name].add(cells, buf.reshape(len(cells), N), sums)
        else:
            self.sk[name].add_sums(cells, sums, N)
        return None

    def clipped(
        self,
        key: tuple,
        X: np.ndarray,
        A: np.ndarray,
        ws: Workspace,
        hook: Callable[[np.ndarray, np.ndarray], None],
    ) -> None:
        block, bi, ei = key
        N = A.shape[2]
        buf = ws.get("samples", (*X.shape[:2], N), "float32")
        np.matmul(X.astype("float32"), A.astype("float32"), out=buf)
        sur = ws.get("surplus", buf.shape, "float32")
        np.negative(buf, out=sur)
        np.maximum(sur, 0.0, out=sur)
        np.maximum(buf, 0.0, out=buf)
        hook(buf, sur)
        for name, b in (("primary", buf), ("surplus", sur)):
            _, cells = self._cells((name, block, bi, ei))
            flat = b.reshape(len(cells), N)
            self.sk[name].add(cells, flat, flat.sum(axis=1, dtype="float64"))
        return None

    def run_block(
        self,
        u: np.ndarray,
        content: np.ndarray,
        chunk: int | None,
        workers: int | None,
        executor: ThreadPoolExecutor | None,
    ) -> np.ndarray:
        """Sketch one block of samples; returns its totals (3, Yr, E, n)."""
        self.set_samples(u, content[self.rows])
        u0 = u[0]
        self.sk["u_units"].add(np.arange(self.S), u0.astype("float32"), u0.sum(axis=1))
        run_segments(self, chunk, workers, executor)
        return self.totals

    def finish(self) -> tuple[ProjectionArrays, ProjectionArrays]:
        """Statistics (4, ...) of every column, and the error bound of each (0 for means).

        Unit columns are affine in u_units (:func:`affine_stats` of u's statistics); their
        bound, |slope| times u's, is not reported (0).
        """
        S, Yr, E = self.S, self.Yr, self.E
        res = ProjectionArrays.zeros(len(STATS), S, Yr, E, 0)
        err = ProjectionArrays.zeros(len(STATS), S, Yr, E, 0)
        self.res, self.qu_all = res, self.sk["u_units"].stats()[0]
        self.unit_columns(slice(0, S))
        frac_r = self.arr.frac[:, self.report]
        for name in ("demand", "scrap"):
            st, e = self.sk[f"mass_{name}"].stats()
            getattr(res, name)[:] = st.reshape(-1, S, Yr)[..., None] * frac_r[None]
            getattr(err, name)[:] = e.reshape(-1, S, Yr)[..., None] * frac_r[None]
        for name in (*BANDED_NAMES, *PAIR_NAMES):
            si, ei = np.nonzero(self.index[name] >= 0)  # in pair-index order
            if len(si) == 0:
                continue
            st, e = self.sk[name].stats()
            getattr(res, name)[:, si, :, ei] = np.moveaxis(st.reshape(-1, len(si), Yr), 0, 1)
            getattr(err, name)[:, si, :, ei] = np.moveaxis(e.reshape(-1, len(si), Yr), 0, 1)
        return res, err


class StreamRun:
    """Every sketch of a blocked Monte Carlo run over the scenarios ``names``.

    Build it, then :meth:`run` sample ranges (in any order after the first block, which
    sets the bin ranges) or :meth:`merge` runs of other ranges, then :meth:`finish`.
    """

    def __init__(
        self,
        spec: FleetSpec,
        lib: Library,
        names: list[str],
        samples: int,
        report: slice,
        bins: int | None = None,
    ):
        from magnets.errors import InputError

        years = model_years(spec)
        routes = content_routes(lib)
        self.names, self.samples, self.n_routes = names, samples, len(routes)
        self.n_segments = len(spec.segments)
        self.local = threading.local()  # per-thread buffers, shared by the scenarios
        self.scen: list[StreamScenario] = []
        for name in names:  # scenarios: a handful
            arr = pack_segments(spec.scenarios[name], lib, years, routes)
            rows = [routes.index(r) for r in arr.routes]
            self.scen.append(StreamScenario(arr, report, self.local, rows))
        self.years = years[report]
        self.supply = fleet_supply(lib, self.years)
        Yr, E = len(self.years), self.scen[0].E
        self.n_summary = len(SUMMARY_GROUPS) * len(VALUE_COLUMNS)
        cells = sum(sum(sc.sizes.values()) for sc in self.scen)
        cells += len(names) * (self.n_summary + 3 * Yr * E)
        self.cells = cells
        self.bins = bins_for(cells) if bins is None else bins
        if self.bins == 0:
            raise InputError(
                f"{spec.path}: {cells:,} output cells ({len(names)} scenario(s) x "
                f"{self.n_segments} segments x {Yr} years x elements) are too many for "
                "--samples in bounded memory; run fewer scenarios, segments or years"
            )
        for sc in self.scen:
            sc.make_sketches(self.bins, samples)
        self.summary = {n: Sketch(self.n_summary, self.bins, samples) for n in names}
        self.total = {n: Sketch(3 * Yr * E, self.bins, samples) for n in names}

    def sketches(self) -> list[Sketch]:
        """Every sketch, in a fixed order (for ranges and merging)."""
        out = [sk for sc in self.scen for _, sk in sorted(sc.sk.items())]
        return out + [self.summary[n] for n in self.names] + [self.total[n] for n in self.names]

    def ranges(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        return [sk.ranges() for sk in self.sketches()]

    def use_ranges(self, ranges: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
        for sk, r in zip(self.sketches(), ranges, strict=True):
            sk.use_ranges(r)

    def merge(self, other: StreamRun) -> None:
        self.merge_sketches(other.sketches())

    def merge_sketches(self, sketches: list[Sketch]) -> None:
        """Add the sketches of another run of other samples (same cells and ranges)."""
        for a, b in zip(self.sketches(), sketches, strict=True):
            a.merge(b)

    def run(
        self,
        seed: int,
        start: int,
        stop: int,
        chunk: int | None = None,
        workers: int | None = None,
        executor: ThreadPoolExecutor | None = None,
    ) -> None:
        """Add samples start..stop-1 (start a multiple of SAMPLE_BLOCK) to every sketch."""
        u, t = block_draws(self.n_segments, self.n_routes, seed, start, stop)
        base = None
        for name, sc in zip(self.names, self.scen):  # baseline first
            tot = sc.run_block(u, t, chunk, workers, executor)
            base = tot if base is None else base
            self._summarise(name, tot, base)

    def _summarise(self, name: str, tot: np.ndarray, base: np.ndarray) -> None:
        """Per-sample summary values and yearly totals of one scenario into its sketches."""
        idx = {el: i for i, el in enumerate(REPORTED)}
        vals = np.stack(
            [
                np.stack(group_values(tot, base, [idx[m] for m in members], self.supply))
                for members in SUMMARY_GROUPS.values()
            ]
        ).reshape(self.n_summary, -1)
        with np.errstate(invalid="ignore"):
            self.summary[name].add(
                np.arange(self.n_summary), vals.astype("float32"), vals.sum(axis=1)
            )
        flat = tot.reshape(-1, tot.shape[-1])
        self.total[name].add(np.arange(len(flat)), flat.astype("float32"), flat.sum(axis=1))

    def finish(self) -> StreamStats:
        """The statistics of every sketch (see :class:`StreamStats`)."""
        proj, err = zip(*(sc.finish() for sc in self.scen))
        Yr, E = len(self.years), self.scen[0].E
        summary, summary_err, totals = {}, {}, {}
        for n in self.names:
            st, e = self.summary[n].stats()  # (4, groups x values)
            summary[n] = st.reshape(len(STATS), len(SUMMARY_GROUPS), -1)
            summary_err[n] = e.reshape(len(STATS), len(SUMMARY_GROUPS), -1)
            totals[n] = self.total[n].stats()[0].reshape(len(STATS), 3, Yr, E)
        return StreamStats(list(proj), list(err), summary, totals, summary_err)


class StreamStats:
    """What :meth:`StreamRun.finish` gives.

    proj, err : per scenario the statistics (4, ...) of every column and their error
    bounds. summary : scenario -> (4, groups, values) statistics of the summary values
    (:data:`magnets.fleet.result.VALUE_COLUMNS`). totals : scenario -> (4, 3, Yr, E)
    statistics of primary, demand and surplus summed over segments. summary_err : the
    bounds of ``summary``.
    """

    def __init__(self, proj: list, err: list, summary: dict, totals: dict, summary_err: dict):
        self.proj, self.err, self.summary, self.totals = proj, err, summary, totals
        self.summary_err = summary_err


def stream_bytes(run: StreamRun, sample_block: int | None = None) -> float:
    """Peak resident memory of a blocked run, estimated: the interpreter and libraries, the
    histograms, two scenarios' per-sample totals of one block, the per-thread buffers
    (about 2 M values each, a few per thread) and the long table (about 200 B a row)."""
    block = DEFAULT_SAMPLE_BLOCK if sample_block is None else sample_block
    Yr, E = len(run.years), run.scen[0].E
    hist = run.cells * (run.bins + 2) * 4.0
    totals = 2 * 3 * Yr * E * block * 8.0 * 2
    rows = len(run.names) * Yr * run.n_segments * E * len(STATS)
    return 0.3e9 + hist + totals + 2 * 5 * 8e6 + 200.0 * rows


def check_stream_memory(run: StreamRun, sample_block: int | None = None) -> None:
    """InputError before any work when the run would not fit MEMORY_LIMIT_BYTES (what
    still grows: scenarios, segments and years; never the number of samples)."""
    from magnets.errors import InputError
    from magnets.fleet.sampling import MEMORY_LIMIT_BYTES

    need = stream_bytes(run, sample_block)
    if need > MEMORY_LIMIT_BYTES:
        raise InputError(
            f"--samples: about {need / 1e9:,.1f} GB for {len(run.names)} scenario(s) x "
            f"{len(run.years)} years x {run.n_segments} segments (whatever the number of "
            f"samples), more than {MEMORY_LIMIT_BYTES / 1e9:.0f} GB; run fewer scenarios, "
            "segments or years at a time"
        )


def stream_fleet(
    run: StreamRun,
    seed: int,
    sample_block: int | None = None,
    chunk: int | None = None,
    workers: int | None = None,
) -> StreamRun:
    """Run every sample of ``run`` in process, ``sample_block`` samples at a time."""
    import os

    block = DEFAULT_SAMPLE_BLOCK if sample_block is None else sample_block
    if block <= 0 or block % SAMPLE_BLOCK:
        raise ValueError(f"sample_block {block} is not a positive multiple of {SAMPLE_BLOCK}")
    workers = min(2, os.cpu_count() or 1) if workers is None else workers
    with ThreadPoolExecutor(max_workers=max(1, workers)) as ex:
        for start in range(0, run.samples, block):  # sample blocks
            stop = min(start + block, run.samples)
            run.run(seed, start, stop, chunk, workers, ex if workers > 1 else None)
    return run
