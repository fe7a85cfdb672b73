"""One scenario's projection kernel: per-sample coefficients, columns, statistics.

:class:`Scenario` holds what one scenario's segments need whatever the samples (packed
arrays, content series, cohort matrices) and computes, for a block of segments and the
samples it is given, every column as ``series @ coefficients``. How the per-sample values
become statistics is left to two hooks, :meth:`Scenario.linear` and :meth:`Scenario.clipped`:
here they sort all samples at once (:func:`project_arrays`, exact quantiles);
:mod:`magnets.fleet.stream` overrides them to feed mergeable sketches block by block.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from magnets.fleet.arrays import SegmentArrays
from magnets.fleet.cohort import cohort_matrix, lifetime_tables
from magnets.fleet.sampling import (
    QUANTILES,
    STATS,
    Workspace,
    affine_stats,
    clipped_stats,
    draw,
    linear_stats,
)


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


class Scenario:
    """One scenario's projection, run block by block of segments (threads share the result).

    Built once per scenario (:meth:`__init__`: what does not depend on the samples), then
    given samples with :meth:`set_samples` (all of them for :func:`project_arrays`, one block
    at a time for :mod:`magnets.fleet.stream`) and run over blocks of segments (:meth:`run`).
    The statistics are made by the hooks :meth:`linear` and :meth:`clipped`.
    """

    def __init__(self, arr: SegmentArrays, report: slice, local: threading.local):
        S, Y = arr.units_low.shape
        self.arr, self.report, self.local = arr, report, local
        self.S, self.E = S, arr.frac.shape[2]
        self.fser = np.concatenate([arr.frac[..., None], arr.frac_up, arr.frac_dn], axis=3)
        # (E,) elements whose content varies with the route draws in this scenario
        self.banded = np.asarray((arr.frac_up != 0).any(axis=(0, 1, 3)))
        self.banded |= np.asarray((arr.frac_dn != 0).any(axis=(0, 1, 3)))
        pmf, surv = lifetime_tables(arr.life_code, arr.life_p1, arr.life_p2, Y)
        self.outm, self.stockm = cohort_matrix(pmf), cohort_matrix(surv)
        self.Yr = len(np.arange(Y)[report])
        self.lock = threading.Lock()
        # (S, E): element occurs in some grade the segment builds
        self.present = np.asarray((self.fser > 0).any(axis=(1, 3)))
        self.res: ProjectionArrays | None = None

    def set_samples(self, u: np.ndarray, content: np.ndarray | None) -> None:
        """The draws to run with: u (6, S, N), content (R, N) route draws (None: values).
        Resets ``totals`` (3, Yr, E, N), the per-sample sums over segments."""
        self.u, self.N = u, u.shape[2]
        t = np.zeros((len(self.arr.routes), self.N)) if content is None else content
        # content coefficients (1, max(t_r, 0).., min(t_r, 0)..) of the series (frac, up, dn)
        self.w = np.concatenate([np.ones((1, self.N)), np.maximum(t, 0.0), np.minimum(t, 0.0)])
        self.totals = np.zeros((3, self.Yr, self.E, self.N))

    def exact_result(self) -> ProjectionArrays:
        """Allocate the result of an all-samples run (:func:`project_arrays`): statistics by
        sorting, and the statistics of u_units the unit columns need."""
        u, N = self.u, self.N
        K = 1 if N == 1 else len(STATS)
        self.res = ProjectionArrays.zeros(K, self.S, self.Yr, self.E, N)
        self.totals = self.res.totals
        if N == 1:
            self.qu_all = u[0][None, :, 0]
        else:  # statistics of u_units per segment, for the affine unit columns
            self.qu_all = np.concatenate(
                [u[0].mean(axis=1)[None], np.quantile(u[0], QUANTILES, axis=1)]
            )
        return self.res

    def linear(
        self,
        key: tuple,
        X: np.ndarray,
        A: np.ndarray,
        ws: Workspace,
        varies: bool,
        hook: Callable[[np.ndarray], None] | None = None,
    ) -> np.ndarray | None:
        """Statistics of X @ A over samples (:func:`linear_stats`); ``key`` names the cells:
        ("mass_demand" | "mass_scrap", block) or (name, block, bi, ei) for pairs."""
        return linear_stats(X, A, ws, varies, hook)

    def clipped(
        self,
        key: tuple,
        X: np.ndarray,
        A: np.ndarray,
        ws: Workspace,
        hook: Callable[[np.ndarray, np.ndarray], None],
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Statistics of primary and surplus (:func:`clipped_stats`); key (block, bi, ei)."""
        return clipped_stats(X, A, ws, hook)

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
            st = self.linear((f"mass_{name}", block), Cr, coef, ws, b.varies, hook)
            if st is not None:  # (K, B, Yr) magnet mass
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

        def write(name: str, st: np.ndarray | None) -> None:
            if st is not None:
                getattr(self.res, name)[:, block][:, bi, :, ei] = np.moveaxis(st, 0, 1)

        def key(name: str) -> tuple:
            return (name, block, bi, ei)

        def prim_total(q: np.ndarray, sur: np.ndarray) -> None:
            add_total(0, q)
            add_total(2, sur)

        if banded:
            dem_hook = lambda q: add_total(1, q)  # noqa: E731
            write("demand", self.linear(key("demand"), Xr, kron(b.a_dem), ws, varies, dem_hook))
            write("scrap", self.linear(key("scrap"), Xr, kron(b.a_scr), ws, varies))
        write("eol", self.linear(key("eol"), EB, kron(b.a), ws, varies))
        write("recovered", self.linear(key("recovered"), EB, kron(b.a_rec), ws, varies))
        out = self.clipped(
            (block, bi, ei),
            np.concatenate([Xr, -EB], axis=2),
            np.concatenate([kron(b.a_net), kron(b.a_rec)], axis=1),
            ws,
            prim_total,
        )
        if out is not None:
            write("primary", out[0])
            write("surplus", out[1])

    def run(self, block: slice) -> None:
        """Every column of one block of segments; its totals (3, Yr, E, N) are added to
        ``totals`` (under a lock: blocks never hold their totals all at once)."""
        ws = getattr(self.local, "ws", None)
        if ws is None:
            ws = self.local.ws = Workspace()
        b = self.coefficients(block)
        if self.res is not None:
            self.unit_columns(block)
        tot = np.zeros((3, self.Yr, self.E, self.N))
        self.mass_columns(block, b, ws, tot)
        self.element_columns(block, b, ws, tot)
        with self.lock:
            self.totals += tot


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
    sc = Scenario(arr, report, threading.local() if local is None else local)
    sc.set_samples(u, content)
    res = sc.exact_result()
    run_segments(sc, chunk, workers, executor)
    return res


def run_segments(
    sc: Scenario,
    chunk: int | None = None,
    workers: int | None = None,
    executor: ThreadPoolExecutor | None = None,
) -> None:
    """:meth:`Scenario.run` over every block of ``chunk`` segments (default: about 2 M values
    per (pairs, Yr, N) buffer), on ``executor`` or up to ``workers`` threads."""
    S, N = sc.S, sc.N
    if chunk is None:
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
