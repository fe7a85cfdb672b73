"""Text of BOM messages, built with Arrow string kernels (no Python loop per row).

The small helpers turn number arrays into short text and join text arrays element-wise
(null = no message); :func:`combo_messages` writes the "below rating" / "fails cold"
message of each distinct (grade, Pc, Hd, temperatures) combination, with the suggestion.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

KG_DECIMALS = 9  # 1 microgram
TEMP_DECIMALS = 2
FACTOR_DECIMALS = 4


def null_str(n: int) -> pa.Array:
    """n empty (null) messages."""
    return pa.nulls(n, pa.string())


def fmt(x: np.ndarray, decimals: int = 0) -> pa.Array:
    """Numbers as short text ('150', '0.8') for messages."""
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.round(x, decimals)
    arr = pa.array(np.where(np.isfinite(r), r, x), from_pandas=True)
    return pc.cast(arr, pa.string())


def join(*parts: object) -> pa.Array:
    """Element-wise concatenation of strings/arrays (null propagates)."""
    return pc.binary_join_element_wise(*parts, "")


def join_skip(parts: Sequence[pa.Array], sep: str, n: int) -> pa.Array:
    """Join the non-null strings of each row with ``sep`` (null where all are null).

    (pyarrow's ``binary_join_element_wise(null_handling='skip')`` returns a short array when
    a whole input is null, so this pairs them up with masks instead.)
    """
    if not parts:
        return null_str(n)
    acc = parts[0]
    for p in parts[1:]:
        both = join(acc, sep, p)
        acc = pc.if_else(pc.is_null(acc), p, pc.if_else(pc.is_null(p), acc, both))
    return acc


def where(mask: np.ndarray, text: object) -> pa.Array:
    """``text`` where ``mask``, else null."""
    return pc.if_else(pa.array(mask), text, pa.scalar(None, pa.string()))


def constant(n: int, text: str) -> pa.Array:
    """The same text on n rows."""
    return pa.array(np.full(n, text, object), pa.string())


def quote(text: pa.Array) -> pa.Array:
    return join("'", text, "'")


def floats(x: np.ndarray, decimals: int | None = None) -> pa.Array:
    """float64 Arrow array, NaN -> null (an empty cell), optionally rounded for output."""
    if decimals is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            r = np.round(x, decimals)
        x = np.where(np.isfinite(r), r, x)  # astronomically large values stay as they are
    return pa.array(x, type=pa.float64(), from_pandas=True)


def combo_messages(
    grade_ids: pa.Array,
    c: dict[str, np.ndarray],
    too_hot: np.ndarray,
    no_rating: np.ndarray,
    cold_fail: np.ndarray,
) -> pa.Array:
    """Message per combination (null: none), no loop over combinations.

    ``c`` holds per-combination arrays: pos (grade position), pc, hd_kA_m, required_temp_C,
    cold_temp_C, t_max_C, sug (suggested grade position, -1 none), sug_t_max_C, and kind
    ('leaner', 'upgrade', 'none'; '' without suggestions): a failing line says which grade
    would hold, or that none of its family does.
    """
    m = c["pos"].size
    if m == 0:
        return pa.array([], pa.string())
    gname = pc.take(grade_ids, pa.array(c["pos"]))
    at = join(" at Pc ", fmt(c["pc"], 2), ", Hd ", fmt(c["hd_kA_m"], 0), " kA/m")
    sug_txt = join(
        "; ",
        pc.take(grade_ids, pa.array(np.maximum(c["sug"], 0))),
        " would hold (rated ",
        fmt(c["sug_t_max_C"], 0),
        " degC)",
    )
    kind = c.get("kind", np.full(m, "", object))
    none_txt = "; no grade of its family meets this requirement, so none is suggested"
    sug_txt = pc.if_else(pa.array(c["sug"] >= 0), sug_txt, "")
    sug_txt = pc.if_else(pa.array(kind == "none"), none_txt, sug_txt)
    fix = " choose a grade with more coercivity or raise Pc"
    hot = join(
        gname,
        " is rated to ",
        fmt(c["t_max_C"], 0),
        " degC",
        at,
        ", below the required ",
        fmt(c["required_temp_C"], 0),
        " degC:" + fix,
    )
    hot_none = join(
        gname,
        " has no safe temperature",
        at,
        " (past the knee even at the reference temperature):" + fix,
    )
    hot = pc.if_else(pa.array(np.isnan(c["t_max_C"])), hot_none, hot)
    cold = join(
        gname,
        " demagnetises at the cold end (",
        fmt(c["cold_temp_C"], 0),
        " degC)",
        at,
        ": raise Pc or choose a grade that holds in the cold",
    )
    parts = [where(too_hot | no_rating, hot), where(cold_fail, cold)]
    return join(join_skip(parts, "; ", m), sug_txt)  # null (ok) stays null
