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
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np

from magnets.data.chemistry import REPORTED
from magnets.fleet.arrays import SegmentArrays, content_routes, model_years, pack_segments
from magnets.fleet.cohort import cohort_matrix, lifetime_tables
from magnets.fleet.result import FleetResult, long_table, refuse_infinite, summary_table
from magnets.fleet.sampling import (
    QUANTILES,
    STATS,
    Workspace,
    affine_stats,
    clipped_stats,
    draw,
    linear_stats,
    sample_content,
    sample_inputs,
)
from magnets.fleet.shares import fleet_supply, oxide_factors, supply_frame
from magnets.fleet.spec import BASELINE

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library
    from magnets.fleet.spec import FleetSpec

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


@dataclass
class ProjectionArrays:
    """Statistics of one scenario on the reported years.

    Element quantities (K, S, Yr, E) and unit quantities (K, S, Yr), K = 1 without samples
    (the value at the midpoints) or 4 (STATS). ``totals`` holds every sample's primary,
    demand and surplus scrap summed over segments, (3, Yr, E, N), for the summary.
    """

    demand: np.ndarray
    scrap: np.ndarray
    eol: np.ndarray
    recovered: np.ndarray
    primary: np.ndarray
    surplus: np.ndarray
    stock_units: np.ndarray
    inflow_units: np.ndarray
    outflow_units: np.ndarray
    totals: np.ndarray

    @classmethod
    def zeros(cls, K: int, S: int, Yr: int, E: int, N: int) -> ProjectionArrays:
        el = {n: np.zeros((K, S, Yr, E)) for n in ("demand", "scrap", "eol", "recovered")}
        units = {n: np.zeros((K, S, Yr)) for n in ("stock_units", "inflow_units", "outflow_units")}
        return cls(
            **el,
            primary=np.zeros((K, S, Yr, E)),
            surplus=np.zeros((K, S, Yr, E)),
            **units,
            totals=np.zeros((3, Yr, E, N)),
        )


@dataclass
class _Block:
    """The per-sample coefficients of one block of segments (see :func:`project_arrays`).

    C (B, Y, 4) t of magnet built: the series (low-low, du-low, low-dk, du-dk) of units x kg;
    a (B, 4, N) their coefficients (1, u, v, uv); a_dem, a_scr, a_net, a_rec the coefficients
    of demand (/ yield), scrap fed back, demand - scrap and recovered end-of-life content.
    """

    C: np.ndarray
    a: np.ndarray
    a_dem: np.ndarray
    a_scr: np.ndarray
    a_net: np.ndarray
    a_rec: np.ndarray
    varies: bool


class _Scenario:
    """One scenario's projection, run block by block of segments (threads share ``res``)."""

    def __init__(
        self,
        arr: SegmentArrays,
        u: np.ndarray,
        report: slice,
        local: threading.local,
        content: np.ndarray | None = None,
    ):
        S, Y = arr.units_low.shape
        self.arr, self.u, self.report, self.local = arr, u, report, local
        self.E, self.N = arr.frac.shape[2], u.shape[2]
        t = np.zeros((len(arr.routes), self.N)) if content is None else content
        # content coefficients (1, max(t_r, 0).., min(t_r, 0)..) of the series (frac, up, dn)
        self.w = np.concatenate([np.ones((1, self.N)), np.maximum(t, 0.0), np.minimum(t, 0.0)])
        self.fser = np.concatenate([arr.frac[..., None], arr.frac_up, arr.frac_dn], axis=3)
        # (E,) elements whose content varies with the route draws in this scenario
        self.banded = np.asarray((arr.frac_up != 0).any(axis=(0, 1, 3)))
        self.banded |= np.asarray((arr.frac_dn != 0).any(axis=(0, 1, 3)))
        pmf, surv = lifetime_tables(arr.life_code, arr.life_p1, arr.life_p2, Y)
        self.outm, self.stockm = cohort_matrix(pmf), cohort_matrix(surv)
        self.Yr = len(np.arange(Y)[report])
        K = 1 if self.N == 1 else len(STATS)
        self.res = ProjectionArrays.zeros(K, S, self.Yr, self.E, self.N)
        self.lock = threading.Lock()
        # (S, E): element occurs in some grade the segment builds
        self.present = np.asarray((self.fser > 0).any(axis=(1, 3)))
        if self.N == 1:
            self.qu_all = u[0][None, :, 0]
        else:  # statistics of u_units per segment, for the affine unit columns
            self.qu_all = np.concatenate(
                [u[0].mean(axis=1)[None], np.quantile(u[0], QUANTILES, axis=1)]
            )

    def coefficients(self, block: slice) -> _Block:
        arr, uu = self.arr, self.u[:, block]
        lo_u = arr.units_low[block]
        d_u = arr.units_high[block] - lo_u
        lo_k = arr.kg_low[block]
        d_k = arr.kg_high[block] - lo_k
        yld = draw(arr.yield_low[block], arr.yield_high[block], uu[2])  # (B, N)
        scrap_rec = draw(arr.scrap_low[block], arr.scrap_high[block], uu[3])
        cr = draw(arr.collection_low[block], arr.collection_high[block], uu[4]) * draw(
            arr.recovery_low[block], arr.recovery_high[block], uu[5]
        )
        varies = bool(
            np.any(d_u != 0)
            or np.any(d_k != 0)
            or np.any(arr.yield_low[block] != arr.yield_high[block])
            or np.any(arr.scrap_low[block] != arr.scrap_high[block])
            or np.any(arr.collection_low[block] != arr.collection_high[block])
            or np.any(arr.recovery_low[block] != arr.recovery_high[block])
        )
        # magnet content built: four series (t of finished magnet) x coefficients (1, u, v, uv)
        C = np.stack([lo_u * lo_k, d_u * lo_k, lo_u * d_k, d_u * d_k], axis=2) * 1e-3  # (B, Y, 4)
        a = np.stack([np.ones_like(uu[0]), uu[0], uu[1], uu[0] * uu[1]], axis=1)  # (B, 4, N)
        a_dem = a / yld[:, None, :]  # demand = content / yield
        a_scr = a_dem * ((1.0 - yld) * scrap_rec)[:, None, :]  # scrap fed back
        a_net = a_dem - a_scr  # demand - scrap
        a_rec = a * cr[:, None, :]  # recovered share of end-of-life content
        return _Block(C, a, a_dem, a_scr, a_net, a_rec, varies)

    def unit_columns(self, block: slice) -> None:
        """Inflow, outflow and stock in units: affine in u_units, statistics without sorting."""
        lo_u = self.arr.units_low[block]
        d_u = self.arr.units_high[block] - lo_u
        qu = self.qu_all[:, block]
        U = np.stack([lo_u, d_u], axis=2)  # (B, Y, 2)
        for name, basis in (
            ("inflow_units", U),
            ("outflow_units", np.matmul(self.outm[block], U)),
            ("stock_units", np.matmul(self.stockm[block], U)),
        ):
            br = basis[:, self.report]
            getattr(self.res, name)[:, block] = affine_stats(br[..., 0], br[..., 1], qu)

    def mass_columns(self, block: slice, b: _Block, ws: Workspace, tot: np.ndarray) -> None:
        """Demand and scrap per element from the magnet mass (exact where the fraction does not
        vary by sample; the banded elements are redone per pair in :meth:`pair_columns`)."""
        frac_r = self.arr.frac[block, self.report]  # (B, Yr, E)
        fixed_r = np.where(self.banded[None, None, :], 0.0, frac_r)
        Cr = b.C[:, self.report]

        def dem_total(q: np.ndarray) -> None:
            # (Yr, E, B) @ (Yr, B, N): element demand summed over the block's segments
            tot[1] = np.matmul(fixed_r.transpose(1, 2, 0).astype(q.dtype), q.transpose(1, 0, 2))

        for name, coef, hook in (("demand", b.a_dem, dem_total), ("scrap", b.a_scr, None)):
            st = linear_stats(Cr, coef, ws, b.varies, hook)  # (K, B, Yr) magnet mass
            getattr(self.res, name)[:, block] = st[..., None] * frac_r[None]

    def element_columns(self, block: slice, b: _Block, ws: Workspace, tot: np.ndarray) -> None:
        """The (segment, element) pairs present: fixed-content elements with one fraction
        series, banded ones with the route series (frac, up, dn) and their coefficients."""
        for banded in (False, True):
            bi, ei = np.nonzero(self.present[block] & (self.banded[None, :] == banded))
            if len(bi) == 0:
                continue
            if banded:
                fp, w = self.fser[block][bi, :, ei], self.w  # (P, Y, R1), (R1, N)
            else:
                fp, w = self.arr.frac[block][bi, :, ei][..., None], np.ones((1, self.N))
            self.pair_columns(block, b, ws, tot, (bi, ei, fp, w), banded)

    def pair_columns(
        self, block: slice, b: _Block, ws: Workspace, tot: np.ndarray, pairs: tuple, banded: bool
    ) -> None:
        """End of life, recovered and primary (and, when banded, demand and scrap) of P pairs.

        Each quantity is series (P, T, R1 x 4) @ coefficients (P, R1 x 4, N): the fraction
        series times the four units x kg series, and the content coefficients times the
        per-sample ones (a Kronecker product, never a loop over samples or years).
        """
        bi, ei, fp, w = pairs
        P, R1, E, Yr, N, report = len(bi), fp.shape[2], self.E, self.Yr, self.N, self.report
        XC = (fp[:, :, :, None] * b.C[bi][:, :, None, :]).reshape(P, -1, R1 * 4)  # (P, Y, J)
        EB = np.matmul(self.outm[block][bi], XC)[:, report]  # (P, Yr, J) cohort sums
        Xr = XC[:, report]
        onehot = (ei[None, :] == np.arange(E)[:, None]).astype("float32")  # (E, P)
        varies = b.varies or (banded and N > 1)

        def kron(a: np.ndarray) -> np.ndarray:
            return (w[None, :, None, :] * a[bi][:, None, :, :]).reshape(P, R1 * 4, N)

        def add_total(k: int, x: np.ndarray) -> None:
            flat = x.reshape(P, Yr * N)
            tot[k] += np.moveaxis((onehot.astype(flat.dtype) @ flat).reshape(E, Yr, N), 0, 1)

        def write(name: str, st: np.ndarray) -> None:
            getattr(self.res, name)[:, block][:, bi, :, ei] = np.moveaxis(st, 0, 1)

        def prim_total(q: np.ndarray, sur: np.ndarray) -> None:
            add_total(0, q)
            add_total(2, sur)

        if banded:
            write("demand", linear_stats(Xr, kron(b.a_dem), ws, varies, lambda q: add_total(1, q)))
            write("scrap", linear_stats(Xr, kron(b.a_scr), ws, varies))
        write("eol", linear_stats(EB, kron(b.a), ws, varies))
        write("recovered", linear_stats(EB, kron(b.a_rec), ws, varies))
        prim, surplus = clipped_stats(
            np.concatenate([Xr, -EB], axis=2),
            np.concatenate([kron(b.a_net), kron(b.a_rec)], axis=1),
            ws,
            prim_total,
        )
        write("primary", prim)
        write("surplus", surplus)

    def run(self, block: slice) -> None:
        """Every column of one block of segments; its totals (3, Yr, E, N) are added to
        ``res.totals`` (under a lock: blocks never hold their totals all at once)."""
        ws = getattr(self.local, "ws", None)
        if ws is None:
            ws = self.local.ws = Workspace()
        b = self.coefficients(block)
        self.unit_columns(block)
        tot = np.zeros((3, self.Yr, self.E, self.N))
        self.mass_columns(block, b, ws, tot)
        self.element_columns(block, b, ws, tot)
        with self.lock:
            self.res.totals += tot


def project_arrays(
    arr: SegmentArrays,
    u: np.ndarray,
    report: slice,
    chunk: int | None = None,
    workers: int | None = None,
    executor: ThreadPoolExecutor | None = None,
    local: threading.local | None = None,
    content: np.ndarray | None = None,
) -> ProjectionArrays:
    """Run the model for one scenario over all segments; statistics on the reported years.

    Same model as :func:`magnets.fleet.flows.element_flows`, arranged for speed. Every
    sampled input is ``low + u*(high - low)`` with one u per segment and sample, so units x
    kg expands into four deterministic series with per-sample coefficients (1, u, v, u*v),
    and every column is a short sum ``series @ coefficients``: the cohort matrices act on the
    series (never on N samples), means are exact products with the mean coefficients, and
    only the quantiles need the per-sample values (one float32 product and one sort per
    column, P10/P50/P90 interpolated linearly between order statistics as numpy does).
    Stock, inflow and outflow are affine in u_units alone, so their quantiles follow from
    u's (:func:`magnets.fleet.sampling.affine_stats`). With N = 1 (no samples) everything is
    float64. Segments run in blocks (bounded memory, per-thread reused buffers) on up to
    ``workers`` threads; the loop is over blocks of segments, never over years or samples.
    ``executor`` and ``local`` (thread-local buffers) may be shared between calls, e.g.
    across scenarios, so the buffers are reused. ``content`` (R, N): the route draws t in
    [-1, 1] of ``arr.routes`` (None: every grade at its content value).
    """
    sc = _Scenario(arr, u, report, threading.local() if local is None else local, content)
    S, N = arr.units_low.shape[0], u.shape[2]
    if chunk is None:  # about 2 M values per (pairs, Yr, N) buffer
        per_seg = max(1.0, sc.present.sum(axis=1).mean()) * sc.Yr * N
        chunk = max(1, min(S, int(2e6 // per_seg)))
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    blocks = [slice(i, min(i + chunk, S)) for i in range(0, S, chunk)]
    if executor is not None and len(blocks) > 1:
        list(executor.map(sc.run, blocks))
    elif workers > 1 and len(blocks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as ex:
            list(ex.map(sc.run, blocks))
    else:
        for b in blocks:  # blocks of segments
            sc.run(b)
    return sc.res


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
    """
    from magnets.errors import InputError

    names = _scenario_names(spec, scenarios)
    if samples is not None and samples < 2:
        raise InputError(f"--samples: expected at least 2 samples, instead received {samples}")
    years = model_years(spec)
    report = slice(int(spec.start_year - years[0]), len(years))
    if samples is not None:
        _check_memory(samples, len(names), len(years[report]), len(spec.segments))
    if samples is not None and seed is None:
        seed = cast(int, np.random.SeedSequence().entropy) % (2**32)
    rep_years = years[report]
    u = sample_inputs(len(spec.segments), samples, seed)
    n_routes = len(content_routes(lib))
    content = sample_content(n_routes, samples, seed)
    proj = _project_scenarios(spec, lib, names, u, report, chunk, workers, content)
    envelope = None
    if samples is None:  # every grade at its low, then at its high content
        envelope = [
            _project_scenarios(spec, lib, names, u, report, chunk, workers, content + t)
            for t in (-1.0, 1.0)
        ]
    supply = fleet_supply(lib, rep_years)
    with_stats = samples is not None
    seg_names = tuple(s.name for s in spec.segments)
    table = long_table(
        names, seg_names, rep_years, proj, oxide_factors(), supply, with_stats, envelope
    )
    refuse_infinite(table, spec.path)
    totals = {n: p.totals for n, p in zip(names, proj)}
    return FleetResult(
        table=table,
        summary=summary_table(names, rep_years, totals, supply, with_stats),
        supply=supply_frame(supply),
        yardsticks=supply,
        scenarios=tuple(names),
        years=rep_years,
        samples=samples,
        seed=seed,
        warnings=tuple(spec.warnings),
        spec=spec,
        totals=totals,
    )
