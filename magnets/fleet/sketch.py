"""A mergeable quantile sketch: one fixed-bin histogram per output cell, exact mean and range.

A Monte Carlo run in sample blocks cannot sort all its samples; each output cell (a
segment, year and element of one quantity) keeps instead

- the count and the float64 sum of its values: the mean is exact (sum / count);
- the exact minimum and maximum;
- a histogram of ``bins`` equal bins plus an underflow and an overflow bin. The bins span
  the range of the first sample block (:data:`magnets.fleet.sampling.SAMPLE_BLOCK`
  samples, or all of them when fewer), widened by :data:`WIDEN` of that range on each
  side when more samples follow. The range is set once, from samples whose draws depend
  only on the seed, so it is the same however the run is split into blocks or tasks.

Sketches of the same cells and ranges merge by adding (:meth:`Sketch.merge`): counts and
sums add, minima and maxima combine, so a run split over blocks, threads or Dask workers
gives the same histogram whatever the split.

Quantile estimate and its error
-------------------------------
P10/P50/P90 interpolate linearly between the order statistics ``floor(h)`` and
``floor(h) + 1`` at ``h = (N - 1) q`` (numpy's default method, as the exact path). Each
order statistic is placed inside the bin that holds it, by its rank among that bin's
values (as if they were evenly spread over the bin); the bin's edges are clipped to the
exact minimum and maximum. The error is therefore at most the width of that bin: for an
inner bin (hi - lo) / bins of the widened range, i.e. 1.25 / bins of the first block's
range (6.1e-4 of it at 2,048 bins), 1 / bins when every sample is in the first block; for
an outer bin, its extent to the exact minimum or maximum (reported, never guessed).
:meth:`Sketch.quantiles` returns that bound with every estimate. A cell whose values never
vary (constant, or only sums given) comes out exact, and so does an order statistic among
exact zeros at the bottom of a cell (primary and surplus are clipped at 0; zeros are
counted). Binning runs in float32 (the values
are float32 products already), which adds a rounding of about 1e-4 of a bin.
"""

from __future__ import annotations

import numpy as np

from magnets.fleet.sampling import QUANTILES, SAMPLE_BLOCK, STATS

#: Histogram bins per cell, at most (fewer when the cells would not fit HIST_BUDGET_BYTES).
BINS = 2048
#: Fewest bins per cell: below this the run is refused (too many output cells).
MIN_BINS = 128
#: Memory the histograms of one run may take.
HIST_BUDGET_BYTES = 0.5e9
#: The first block's range is widened by this fraction of it on each side.
WIDEN = 0.125
#: Cells finalised at a time (the cumulative counts are (cells, bins + 2) int64).
_FINAL_CHUNK = 2048


def bins_for(n_cells: int) -> int:
    """Bins per cell for a run with ``n_cells`` cells in all: BINS, or the largest power of
    two whose histograms fit HIST_BUDGET_BYTES; 0 when even MIN_BINS do not fit."""
    b = BINS
    while b >= MIN_BINS and n_cells * (b + 2) * 4 > HIST_BUDGET_BYTES:
        b //= 2
    return b if b >= MIN_BINS else 0


class Sketch:
    """Histogram sketches of ``n_cells`` cells of a run of ``samples`` samples."""

    def __init__(self, n_cells: int, bins: int, samples: int):
        self.bins, self.samples = bins, samples
        self.pilot = min(samples, SAMPLE_BLOCK)
        self.n = np.zeros(n_cells, dtype="int64")
        self.sum = np.zeros(n_cells)
        self.min = np.full(n_cells, np.inf, dtype="float32")
        self.max = np.full(n_cells, -np.inf, dtype="float32")
        # bin k in 1..bins holds [origin + k / scale, origin + (k + 1) / scale)
        self.origin = np.zeros(n_cells, dtype="float32")
        self.scale = np.zeros(n_cells, dtype="float32")
        self.ready = np.zeros(n_cells, dtype=bool)
        self.const = np.ones(n_cells, dtype=bool)  # no per-sample values seen: mean only
        self.zeros = np.zeros(n_cells, dtype="int64")  # values exactly 0 (clipped quantities)
        self.hist: np.ndarray | None = None

    # ------------------------------------------------------------------ adding
    def add_sums(self, cells: np.ndarray, sums: np.ndarray, n: int) -> None:
        """A quantity that does not vary by sample: only its sums (quantiles = mean)."""
        self.n[cells] += n
        self.sum[cells] += sums

    def add(self, cells: np.ndarray, x: np.ndarray, sums: np.ndarray) -> None:
        """Values x (m, n) float32 of cells (m,) for n samples, and their float64 sums (m,).

        The first call for a cell must hold the run's first samples (its first
        ``min(samples, SAMPLE_BLOCK)`` columns set the cell's range).
        """
        m, n = x.shape
        self.n[cells] += n
        self.sum[cells] += sums
        self.min[cells] = np.minimum(self.min[cells], x.min(axis=1))
        self.max[cells] = np.maximum(self.max[cells], x.max(axis=1))
        self.const[cells] = False
        self.zeros[cells] += np.count_nonzero(x == 0, axis=1)
        new = ~self.ready[cells]
        if new.any():
            self._set_range(cells[new], x[new])
        if self.hist is None:
            self.hist = np.zeros((len(self.n), self.bins + 2), dtype="int32")
        nb = self.bins + 2
        t = np.subtract(x, self.origin[cells][:, None], dtype="float32")
        t *= self.scale[cells][:, None]
        np.clip(t, 0.0, nb - 1, out=t)  # below the first edge: bin 0; past the last: nb - 1
        if not np.isfinite(x).all():  # NaN (from inf inputs): counted in the underflow bin
            np.nan_to_num(t, copy=False, nan=0.0)
        itype = np.int32 if m * nb < 2**31 else np.intp
        k = t.astype(itype)
        k += (np.arange(m, dtype=itype) * nb)[:, None]
        self.hist[cells] += np.bincount(k.ravel(), minlength=m * nb).reshape(m, nb)

    def _set_range(self, cells: np.ndarray, x: np.ndarray) -> None:
        if x.shape[1] < self.pilot:
            raise ValueError("Sketch.add: the first values of a cell must be the first block")
        xp = x[:, : self.pilot].astype("float64")
        lo, hi = xp.min(axis=1), xp.max(axis=1)
        if self.samples > self.pilot:
            pad = WIDEN * (hi - lo)
            lo, hi = lo - pad, hi + pad
        flat = ~(hi > lo)  # constant so far: a narrow range around the value
        hi = np.where(flat, lo + np.maximum(np.abs(lo) * 2.0**-10, 1e-12), hi)
        scale = self.bins / (hi - lo)
        self.origin[cells] = lo - 1.0 / scale
        self.scale[cells] = scale
        self.ready[cells] = True

    # ------------------------------------------------------------------ merging
    def ranges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(origin, scale, set) of every cell, for sketches of later blocks (:meth:`use_ranges`)."""
        return self.origin.copy(), self.scale.copy(), self.ready.copy()

    def use_ranges(self, ranges: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        self.origin[:], self.scale[:], self.ready[:] = ranges

    def merge(self, other: Sketch) -> None:
        """Add another sketch of the same cells and ranges (another set of samples)."""
        if not np.array_equal(self.scale, other.scale, equal_nan=True):
            raise ValueError("Sketch.merge: sketches with different bin ranges")
        self.n += other.n
        self.sum += other.sum
        np.minimum(self.min, other.min, out=self.min)
        np.maximum(self.max, other.max, out=self.max)
        self.const &= other.const
        self.zeros += other.zeros
        if other.hist is not None:
            if self.hist is None:
                self.hist = other.hist.copy()
            else:
                self.hist += other.hist

    # ------------------------------------------------------------------ results
    def stats(self) -> tuple[np.ndarray, np.ndarray]:
        """(STATS, cells) mean, P10, P50, P90 and their error bounds (0 for the mean)."""
        out = np.empty((len(STATS), len(self.n)))
        err = np.zeros_like(out)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[0] = self.sum / self.n
        out[1:] = out[0]
        var = np.flatnonzero(~self.const)
        for i in range(0, len(var), _FINAL_CHUNK):  # bounded temporary memory
            c = var[i : i + _FINAL_CHUNK]
            est, bound = self.quantiles(c)
            out[1:, c], err[1:, c] = est, bound
        return out, err

    def quantiles(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P10/P50/P90 (3, m) of cells with per-sample values, and the bound of each."""
        assert self.hist is not None
        hist = self.hist[cells].astype("int64")
        cum = np.cumsum(hist, axis=1)
        n = self.n[cells]
        est = np.empty((len(QUANTILES), len(cells)))
        err = np.empty_like(est)
        for i, q in enumerate(QUANTILES):
            h = (n - 1) * q
            j0 = np.floor(h).astype("int64")
            j1 = np.minimum(j0 + 1, n - 1)
            w = h - j0
            e0, r0 = self._order_stat(cells, hist, cum, j0)
            e1, r1 = self._order_stat(cells, hist, cum, j1)
            est[i] = e0 * (1.0 - w) + e1 * w
            err[i] = np.maximum(r0, r1)
        return est, err

    def _order_stat(
        self, cells: np.ndarray, hist: np.ndarray, cum: np.ndarray, j: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Estimate of the j-th smallest value (0-based) of each cell and its bound."""
        rows = np.arange(len(cells))
        # the bin holding it; clamped to the top (overflow) bin when merged counts leave j at
        # the total (seen once in CI under dask: index bins + 2 out of range)
        k = np.minimum((cum <= j[:, None]).sum(axis=1), hist.shape[1] - 1)
        before = np.where(k > 0, cum[rows, np.maximum(k - 1, 0)], 0)
        o = self.origin[cells].astype("float64")
        s = self.scale[cells].astype("float64")
        mn, mx = self.min[cells].astype("float64"), self.max[cells].astype("float64")
        a = np.where(k == 0, mn, o + k / s)
        b = np.where(k == self.bins + 1, mx, o + (k + 1) / s)
        a, b = np.clip(a, mn, mx), np.clip(b, mn, mx)
        b = np.maximum(a, b)
        frac = (j - before + 0.5) / np.maximum(hist[rows, k], 1)
        est, err = a + (b - a) * frac, b - a
        zero = (mn == 0) & (j < self.zeros[cells])  # among the exact zeros at the bottom
        return np.where(zero, 0.0, est), np.where(zero, 0.0, err)
