"""What "leaner" means: ranking keys per kg of magnet and their lexicographic comparisons.

``rank_by`` is one of :data:`RANK_BY`: 'dy_tb' (kg Dy+Tb), 'controlled' (unknown-status
kg first, then export-controlled kg: unknown ranks worse than controlled) or 'price' (USD,
priced elements only; an unknown price ranks last). Differences below ``_EPS`` are ties.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from magnets.errors import InputError

RANK_BY = ("dy_tb", "controlled", "price")
_EPS = 1e-12  # kg/kg or USD/kg: differences below this are ties


def default_rank_by(family: Any, ref_family: Any) -> str:
    """The ranking metric when none is asked for, the same for every face (CLI, TUI, BOM).

    Within the reference's own NdFeB family (``family`` None or equal to ``ref_family``)
    grades are ranked by kg Dy+Tb, the content that buys temperature there. Once the family
    is widened ('any', or another family), or when the candidates are not NdFeB (SmCo,
    ferrite: no Dy or Tb, every Dy+Tb key ties at zero), they are ranked by kg of
    export-controlled elements, so that the Sm of a SmCo magnet counts against it as Dy and
    Tb count against NdFeB.
    """
    own = family is None or (ref_family is not None and str(family) == str(ref_family))
    if own and ref_family is not None and str(ref_family).startswith("ndfeb"):
        return "dy_tb"
    return "controlled"


# ----------------------------------------------------------------------------- ranking keys
def _keys(t: pd.DataFrame, rank_by: str, sl: Any = slice(None)) -> list[np.ndarray]:
    """Ranking keys per kg of magnet, most significant first (lower is leaner; unknown = +inf)."""
    if rank_by not in RANK_BY:
        raise InputError(
            f"expected --rank-by one of {', '.join(RANK_BY)}, instead received {rank_by!r}"
        )

    def col(c: str) -> np.ndarray:
        return np.nan_to_num(t[c].to_numpy(dtype=float)[sl], nan=np.inf)

    if rank_by == "dy_tb":
        return [col("Dy_Tb_kg_per_kg")]
    if rank_by == "controlled":  # unknown status ranks worse than controlled
        return [col("unknown_kg_per_kg"), col("controlled_kg_per_kg")]
    return [col("price_usd_per_kg")]


def _lex_less(a: list[np.ndarray], b: list[np.ndarray], strict: bool) -> np.ndarray:
    """Elementwise lexicographic a < b (strict) or a <= b, with ties within _EPS."""
    out = np.zeros(np.broadcast_shapes(*(x.shape for x in a + b)), dtype=bool)
    equal_so_far = np.ones_like(out)
    for x, y in zip(a, b):
        lt = x < y - _EPS
        with np.errstate(invalid="ignore"):  # inf - inf
            eq = (x == y) | (np.abs(x - y) <= _EPS)
        out |= equal_so_far & lt
        equal_so_far &= eq
    return out if strict else out | equal_so_far


def _lex_argmin(keys: list[np.ndarray], mask: np.ndarray) -> np.ndarray:
    """Row-wise argmin over the last axis of lexicographic keys where mask; -1 where none."""
    alive = mask.copy()
    for k in keys:
        kk = np.where(alive, k, np.inf)
        best = np.min(kk, axis=-1, keepdims=True)
        alive &= kk <= best + _EPS
    pos = np.argmax(alive, axis=-1)  # first alive = lowest position (ties by library order)
    return np.where(alive.any(axis=-1), pos, -1).astype(np.int64)
