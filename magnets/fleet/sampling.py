"""Monte Carlo inputs and statistics over samples: draws, mean and P10/P50/P90.

Every ``{ low, high }`` input is ``low + u * (high - low)`` with one uniform u per segment
and sample (:func:`sample_inputs`). Statistics are the mean and the quantiles of
:data:`STATS`, interpolated linearly between order statistics (numpy's default method);
:func:`affine_stats` and :func:`linear_stats` get them without sorting, or with one sort
into a reused float32 buffer (see docs/fleet.md, Performance).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import cast

import numpy as np

#: Inputs that may be given as { low, high } and are drawn per segment per sample, in draw order.
SAMPLED_INPUTS: tuple[str, ...] = (
    "units",
    "magnet_kg_per_unit",
    "manufacturing_yield",
    "scrap_recycling",
    "collection",
    "recovery",
)
#: Statistics reported with --samples, in row order.
STATS: tuple[str, ...] = ("mean", "p10", "p50", "p90")
#: Quantiles of STATS[1:].
QUANTILES: tuple[float, ...] = (0.10, 0.50, 0.90)


#: Memory a Monte Carlo run may use (issue 12: what fits in 2 GB).
MEMORY_LIMIT_BYTES = 2e9
#: Resident memory besides the samples (interpreter, numpy, pandas, the library, the table).
_BASE_BYTES = 0.25e9


def samples_bytes(samples: int, n_scenarios: int, n_years: int, n_elements: int, S: int) -> float:
    """Peak resident memory of a run with ``samples`` draws, estimated.

    Per sample: the totals kept per scenario (3 x Yr x E float64), the per-thread block totals
    and buffers (about 10 more such planes, measured), and the draws of every segment (6 x S).
    Measured on the example (6 segments, 23 years, 7 elements): 0.49 GB for 20,000 samples
    of the baseline, 1.55 GB for 50,000 samples of its four scenarios.
    """
    plane = 8.0 * n_years * n_elements
    return _BASE_BYTES + samples * (plane * (3 * n_scenarios + 10) + 48.0 * S)


def max_samples(n_scenarios: int, n_years: int, n_elements: int, S: int) -> int:
    """The most samples whose estimated memory stays within MEMORY_LIMIT_BYTES."""
    per = samples_bytes(1, n_scenarios, n_years, n_elements, S) - _BASE_BYTES
    return int((MEMORY_LIMIT_BYTES - _BASE_BYTES) // per)


#: Samples per random stream. Sample block b (samples b x SAMPLE_BLOCK onwards) draws its
#: inputs from ``SeedSequence(seed, spawn_key=(b, 0))`` and its content from ``(b, 1)``, so
#: the draws of a sample depend on the seed and its index only: never on how many samples
#: are run, nor on how many blocks a computation (or a Dask task) takes at a time.
SAMPLE_BLOCK = 4096


def block_generator(seed: int, block: int, stream: int) -> np.random.Generator:
    """The generator of sample block ``block``: stream 0 the inputs, 1 the content."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, stream)))


def block_draws(
    n_segments: int, n_routes: int, seed: int, start: int, stop: int
) -> tuple[np.ndarray, np.ndarray]:
    """Draws of samples start..stop-1 (start a multiple of SAMPLE_BLOCK): u (6, S, n) in
    [0, 1) as :func:`sample_inputs`, content t (R, n) in [-1, 1) as :func:`sample_content`."""
    if start % SAMPLE_BLOCK:
        raise ValueError(f"block_draws: start {start} is not a multiple of {SAMPLE_BLOCK}")
    u, t = [], []
    for b0 in range(start, stop, SAMPLE_BLOCK):  # a few sample blocks per call
        n = min(SAMPLE_BLOCK, stop - b0)
        b = b0 // SAMPLE_BLOCK
        # sample-major: sample i's draws are the i-th row whatever the block's length
        ub = block_generator(seed, b, 0).random((n, len(SAMPLED_INPUTS), n_segments))
        u.append(np.moveaxis(ub, 0, 2))
        t.append((2.0 * block_generator(seed, b, 1).random((n, n_routes)) - 1.0).T)
    return np.ascontiguousarray(np.concatenate(u, axis=2)), np.ascontiguousarray(
        np.concatenate(t, axis=1)
    )


def sample_inputs(n_segments: int, samples: int | None, seed: int | None) -> np.ndarray:
    """Uniform draws u in [0, 1), one per sampled input per segment per sample.

    Returns (len(SAMPLED_INPUTS), S, N); without samples a single column of 0.5, so every
    ``{ low, high }`` input takes its midpoint. The same draws are used for every scenario
    (common random numbers), so differences between scenarios are paired sample by sample.
    Drawn block by block of SAMPLE_BLOCK samples (:func:`block_draws`).
    """
    if samples is None:
        return np.full((len(SAMPLED_INPUTS), n_segments, 1), 0.5)
    return block_draws(n_segments, 0, _seed(seed), 0, samples)[0]


def sample_content(n_routes: int, samples: int | None, seed: int | None) -> np.ndarray:
    """Content draws t in [-1, 1), one per route per sample: (R, N); without samples one
    column of 0 (every grade at its content value).

    A grade of route r has content value + max(t_r, 0) (high - value) + min(t_r, 0)
    (value - low): its value is the median, half the draws lie below it and half above
    (uniform on each side). One draw per route is shared by every grade and segment of that
    route (a systematic error of the estimate), and by every scenario. Its own random stream
    (stream 1 of each sample block), so adding routes never changes the draws of the inputs.
    """
    if samples is None:
        return np.zeros((n_routes, 1))
    return block_draws(0, n_routes, _seed(seed), 0, samples)[1]


def _seed(seed: int | None) -> int:
    """The seed, or fresh entropy when None."""
    return cast(int, np.random.SeedSequence().entropy) % (2**32) if seed is None else seed


def draw(low: np.ndarray, high: np.ndarray, u: np.ndarray) -> np.ndarray:
    """low + u*(high-low); low/high (B,) or (B, Y), u (B, N) -> (B, N) or (B, Y, N)."""
    if low.ndim == 2:
        return low[:, :, None] + u[:, None, :] * (high - low)[:, :, None]
    return low[:, None] + u * (high - low)[:, None]


def _interpolate_sorted(ordered: np.ndarray, q: float) -> np.ndarray:
    """Quantile q of samples sorted along the last axis, linear between order statistics."""
    n = ordered.shape[-1]
    h = (n - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    w = h - lo
    return ordered[..., lo] * (1.0 - w) + ordered[..., hi] * w


def sample_stats(x: np.ndarray) -> np.ndarray:
    """mean, P10, P50, P90 over the last axis (samples); returns (4, ...) float64.

    Quantiles interpolate linearly between order statistics (numpy's default method).
    The sort runs in float32 on the deviations from the float64 mean (twice as fast as a
    float64 sort); the rounding error is ~1e-7 of the spread between samples, not of the
    value, and a quantity that does not vary between samples comes out exact.
    """
    n = x.shape[-1]
    out = np.empty((len(STATS), *x.shape[:-1]))
    mean = x.mean(axis=-1)
    out[0] = mean
    if n == 1:
        out[1:] = x[..., 0]
        return out
    dev = np.empty(x.shape, dtype="float32")
    np.subtract(x, mean[..., None], out=dev, casting="unsafe")
    dev.sort(axis=-1)
    for i, q in enumerate(QUANTILES, start=1):
        out[i] = mean + _interpolate_sorted(dev, q)
    return out


def affine_stats(a: np.ndarray, b: np.ndarray, qu: np.ndarray) -> np.ndarray:
    """Statistics of a + b*u for one random u per segment, without sorting.

    a, b : (B, T) intercept and slope; qu : (K, B) statistics of u per segment (K = 1: the
    value of u; K = 4: mean, P10, P50, P90). An affine map keeps the order of the samples
    (b >= 0) or reverses it (b < 0), so Q_p(a + b u) = a + b Q_p(u), or a + b Q_(1-p)(u):
    exactly what sorting would give with linear interpolation between order statistics.
    """
    if qu.shape[0] == 1:
        return (a + b * qu[0][:, None])[None]
    out = np.empty((len(STATS), *a.shape))
    out[0] = a + b * qu[0][:, None]
    neg = b < 0
    out[1] = a + b * np.where(neg, qu[3][:, None], qu[1][:, None])
    out[2] = a + b * qu[2][:, None]
    out[3] = a + b * np.where(neg, qu[1][:, None], qu[3][:, None])
    return out


class Workspace:
    """Per-thread buffers reused across blocks: fresh multi-MB arrays cost a page fault per
    4 kB page on every block, which on small VMs costs more than the arithmetic."""

    def __init__(self) -> None:
        self.buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: str = "float64") -> np.ndarray:
        size = int(np.prod(shape))
        buf = self.buffers.get(name)
        if buf is None or buf.size < size or buf.dtype != np.dtype(dtype):
            buf = np.empty(size, dtype=dtype)
            self.buffers[name] = buf
        return buf[:size].reshape(shape)


def linear_stats(
    X: np.ndarray,
    A: np.ndarray,
    ws: Workspace,
    varies: bool,
    on_samples: Callable[[np.ndarray], None] | None = None,
) -> np.ndarray:
    """Statistics over samples of Q[m, t, n] = sum_j X[m, t, j] * A[m, j, n].

    X (M, T, J) deterministic series, A (M, J, N) per-sample coefficients. The mean is exact
    (X @ mean(A)); quantiles sort the per-sample values, computed straight into a reused
    float32 buffer (one matrix product, one sort: the cheapest passes over memory).
    ``on_samples(Q)`` sees the per-sample values before the sort (for totals).
    Returns (K, M, T) float64, K = 1 for N = 1 (the value itself, computed in float64).
    """
    N = A.shape[2]
    if N == 1:
        q = np.matmul(X, A)[..., 0]
        if on_samples is not None:
            on_samples(q[..., None])
        return q[None]
    out = np.empty((len(STATS), *X.shape[:2]))
    out[0] = np.matmul(X, A.mean(axis=2)[..., None])[..., 0]
    if not varies and on_samples is None:
        out[1:] = out[0]
        return out
    buf = ws.get("samples", (*X.shape[:2], N), "float32")
    np.matmul(X.astype("float32"), A.astype("float32"), out=buf)
    if on_samples is not None:
        on_samples(buf)
    if not varies:
        out[1:] = out[0]
        return out
    buf.sort(axis=-1)
    for i, q in enumerate(QUANTILES, start=1):
        out[i] = _interpolate_sorted(buf, q)
    return out


def clipped_stats(
    X: np.ndarray,
    A: np.ndarray,
    ws: Workspace,
    on_samples: Callable[[np.ndarray, np.ndarray], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Statistics of max(Q, 0) and of max(-Q, 0), Q = X @ A as in :func:`linear_stats`.

    Primary demand cannot be negative: where scrap and end-of-life returns exceed the demand
    of a sample, primary is 0 and the excess is surplus scrap. The clip is per sample, so
    the mean is the mean of what is reported (computed from the per-sample values, not from
    the mean coefficients). ``on_samples(primary, surplus)`` sees the per-sample values.
    Returns (primary, surplus), each (K, M, T) float64.
    """
    N = A.shape[2]
    if N == 1:
        q = np.matmul(X, A)[..., 0]
        pos, neg = np.maximum(q, 0.0), np.maximum(-q, 0.0)
        if on_samples is not None:
            on_samples(pos[..., None], neg[..., None])
        return pos[None], neg[None]
    buf = ws.get("samples", (*X.shape[:2], N), "float32")
    np.matmul(X.astype("float32"), A.astype("float32"), out=buf)
    sur = ws.get("surplus", buf.shape, "float32")
    np.negative(buf, out=sur)
    np.maximum(sur, 0.0, out=sur)
    np.maximum(buf, 0.0, out=buf)
    if on_samples is not None:
        on_samples(buf, sur)
    out = []
    for b in (buf, sur):
        st = np.empty((len(STATS), *X.shape[:2]))
        st[0] = b.mean(axis=-1, dtype="float64")
        b.sort(axis=-1)
        for i, qq in enumerate(QUANTILES, start=1):
            st[i] = _interpolate_sorted(b, qq)
        out.append(st)
    return out[0], out[1]
