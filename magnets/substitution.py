"""Ratings of the whole library at a condition, and substitutes that meet a requirement
with less Dy+Tb, less export-controlled material, or at a lower price.

A requirement is (T, Pc, Hd, cold end, optional minimum Br). A candidate qualifies when its
rated temperature at (Pc, Hd) is at least T and it still holds at the cold end (ferrite
loses coercivity in the cold). Candidates are compared at equal flux, not equal mass:

    mass_factor = (B_op_ref(T) / B_op_cand(T)) * (density_cand / density_ref)

at (Pc, Hd): the volume scales with the flux ratio and the mass with density. A bigger
magnet changes the circuit's Pc; the first-order comparison ignores that (say so to users).

Everything is vectorised: the library is rated as arrays, and :func:`substitute_many`
evaluates a (combinations x grades) matrix at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from magnets.errors import InputError

RANK_BY = ("dy_tb", "controlled", "price")
#: Elements whose missing price is ignored in the price ranking (commodities, a few USD/kg at most,
#: against tens to thousands for rare earths).
CHEAP_ELEMENTS = frozenset(
    {"B", "C", "O", "Al", "Si", "Ti", "Fe", "Ni", "Cu", "Sr", "Ba", "Zr", "Nb"}
)
#: An unpriced non-commodity element above this share (e.g. 1 wt% Co in NdFeB passes, 50 wt% Co in
#: SmCo does not) makes the grade's price unknown; any unpriced rare earth does too.
UNPRICED_LIMIT_KG_PER_KG = 0.02
_EPS = 1e-12  # kg/kg or USD/kg: differences below this are ties
_T_TOL = 1e-9  # degC tolerance when comparing a rating with the requirement

#: JSON keys of ``magnets substitute`` (issue 3), in order.
SUBSTITUTE_KEYS = [
    "id",
    "family",
    "route",
    "t_max_C",
    "B_op_T_at_temp",
    "mass_factor",
    "Dy_Tb_kg_per_kg",
    "controlled_kg_per_kg",
    "Dy_Tb_kg_equal_flux",
    "controlled_kg_equal_flux",
    "pareto",
]


# ----------------------------------------------------------------------------- per-grade table
_TABLE_CACHE: dict[tuple, pd.DataFrame] = {}


def grade_table(lib, date=None) -> pd.DataFrame:
    """Per-grade inputs of ratings and rankings, indexed by grade id (cached per library and date).

    Columns: family, route, Br_T, HcJ_kA_m, alpha, beta, beta_source, mu_rec, squareness, T0_C,
    curie_C, structural_C, density_g_cm3, Dy_Tb_kg_per_kg, controlled_kg_per_kg, unknown_kg_per_kg,
    controlled_elements, unknown_elements, price_usd_per_kg (priced elements only), unpriced_elements.
    """
    from magnets.data.chemistry import ELEMENTS, element_kg_per_kg
    from magnets.data.controls import exposure
    from magnets.physics import coercivity
    from magnets.physics.calibration import rating_inputs

    key = (getattr(lib, "version", id(lib)), str(date))
    if key in _TABLE_CACHE:
        return _TABLE_CACHE[key]
    g = lib.grades
    t = rating_inputs(g, coercivity.default_beta_model(lib))
    t.insert(0, "route", g["route"].astype(str))
    t.insert(0, "family", g["family"].astype(str))
    t["Dy_Tb_kg_per_kg"] = (
        pd.to_numeric(g["Dy_wt_pct"], errors="coerce").fillna(0.0)
        + pd.to_numeric(g["Tb_wt_pct"], errors="coerce").fillna(0.0)
    ) / 100.0
    exp = exposure(g, lib.rules, date)
    for c in (
        "controlled_kg_per_kg",
        "unknown_kg_per_kg",
        "controlled_elements",
        "unknown_elements",
    ):
        t[c] = exp[c]
    kg = element_kg_per_kg(g, list(ELEMENTS))
    price = pd.to_numeric(lib.elements["price_usd_per_kg"], errors="coerce").reindex(kg.columns)
    priced = price.notna().to_numpy()
    unpriced = (kg.to_numpy() > 0) & ~priced
    # commodity elements without a price in elements.csv cost little next to rare earths; an unpriced
    # rare earth, or another unpriced element above UNPRICED_LIMIT, makes the price unknown (NaN, ranked last)
    from magnets.data.chemistry import RARE_EARTHS

    cols_arr = np.array(kg.columns, dtype=object)
    is_re = np.isin(cols_arr, list(RARE_EARTHS))
    cheap = np.isin(cols_arr, list(CHEAP_ELEMENTS))
    big = kg.to_numpy() > UNPRICED_LIMIT_KG_PER_KG
    unknown_price = (unpriced & (is_re[None, :] | (big & ~cheap[None, :]))).any(axis=1)
    t["price_usd_per_kg"] = np.where(
        unknown_price, np.nan, kg.to_numpy()[:, priced] @ price.to_numpy()[priced]
    )
    cols = np.array(kg.columns, dtype=object)
    pat, inv = np.unique(unpriced, axis=0, return_inverse=True)
    t["unpriced_elements"] = np.array([" ".join(cols[p]) for p in pat], dtype=object)[inv.ravel()]
    _TABLE_CACHE[key] = t
    return t


def _default_pc(lib, pc):
    if pc is None or (np.ndim(pc) == 0 and np.isnan(float(pc))):
        from magnets.physics.calibration import default_condition

        return default_condition(lib).pc
    return pc


def _rate_arrays(t: pd.DataFrame, pc, hd, sl=slice(None)):
    """rated_temperature over table rows (broadcast against pc/hd shapes)."""
    from magnets.physics.thermal import rated_temperature

    col = lambda c: t[c].to_numpy(dtype=float)[sl]  # noqa: E731
    return rated_temperature(
        col("Br_T"),
        col("HcJ_kA_m"),
        col("alpha"),
        col("beta"),
        pc=pc,
        hd_kA_m=hd,
        mu_rec=col("mu_rec"),
        squareness=col("squareness"),
        T0_C=col("T0_C"),
        curie_C=col("curie_C"),
        structural_C=col("structural_C"),
    )


def _b_op_at(t: pd.DataFrame, temp, pc, hd, sl=slice(None)):
    from magnets.physics.thermal import br_at, operating_point

    col = lambda c: t[c].to_numpy(dtype=float)[sl]  # noqa: E731
    br = br_at(col("Br_T"), col("alpha"), temp, col("T0_C"), col("curie_C"))
    return operating_point(br, pc, hd, col("mu_rec"))


def _holds_cold(t: pd.DataFrame, cold, pc, hd, sl=slice(None)):
    from magnets.physics.thermal import holds_cold

    col = lambda c: t[c].to_numpy(dtype=float)[sl]  # noqa: E731
    return holds_cold(
        col("Br_T"),
        col("HcJ_kA_m"),
        col("alpha"),
        col("beta"),
        pc=pc,
        hd_kA_m=hd,
        mu_rec=col("mu_rec"),
        squareness=col("squareness"),
        cold_C=cold,
        T0_C=col("T0_C"),
    )


def rate_library(lib, pc=None, hd_kA_m=0.0, temp_C=None, *, cold_C=None, date=None) -> pd.DataFrame:
    """Rate every grade of the library at (Pc, Hd).

    Parameters
    ----------
    pc : permeance coefficient (default: the calibrated reference Pc).
    hd_kA_m : applied demagnetising field, kA/m (the magnet sees Pc/(Pc+mu_rec) of it).
    temp_C : optional temperature at which to report the working point.
    cold_C : optional cold end, adds ``holds_cold``.

    Returns
    -------
    DataFrame indexed by grade id: family, route, t_max_C (NaN: unsafe at T0), limited_by,
    H_op_kA_m, B_op_T (at t_max), pc, hd_kA_m, squareness, mu_rec, beta_used, beta_source;
    with temp_C: B_op_T_at_temp, H_op_kA_m_at_temp, meets_temp; with cold_C: holds_cold.
    """
    pc = float(_default_pc(lib, pc))
    t = grade_table(lib, date)
    r = _rate_arrays(t, pc, float(hd_kA_m))
    out = pd.DataFrame(
        {
            "family": t["family"],
            "route": t["route"],
            "t_max_C": r.t_max_C,
            "limited_by": r.limited_by,
            "H_op_kA_m": r.H_op_kA_m,
            "B_op_T": r.B_op_T,
            "pc": pc,
            "hd_kA_m": float(hd_kA_m),
            "squareness": t["squareness"],
            "mu_rec": t["mu_rec"],
            "beta_used": t["beta"],
            "beta_source": t["beta_source"],
        },
        index=t.index,
    )
    if temp_C is not None:
        H, B = _b_op_at(t, float(temp_C), pc, float(hd_kA_m))
        out["B_op_T_at_temp"] = B
        out["H_op_kA_m_at_temp"] = H
        out["meets_temp"] = out["t_max_C"].to_numpy() >= float(temp_C) - _T_TOL
    if cold_C is not None:
        out["holds_cold"] = _holds_cold(t, float(cold_C), pc, float(hd_kA_m))
    return out


# ----------------------------------------------------------------------------- ranking keys
def _keys(t: pd.DataFrame, rank_by: str, sl=slice(None)) -> list[np.ndarray]:
    """Ranking keys per kg of magnet, most significant first (lower is leaner; unknown = +inf)."""
    if rank_by not in RANK_BY:
        raise InputError(
            f"expected --rank-by one of {', '.join(RANK_BY)}, instead received {rank_by!r}"
        )
    col = lambda c: np.nan_to_num(t[c].to_numpy(dtype=float)[sl], nan=np.inf)  # noqa: E731
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


# ----------------------------------------------------------------------------- one requirement
def _family_filter(families: np.ndarray, family, ref_family: str | None) -> np.ndarray:
    if family is None:
        return families == ref_family if ref_family is not None else np.ones(families.shape, bool)
    if str(family).casefold() == "any":
        return np.ones(families.shape, bool)
    return families == str(family)


def find_substitutes(
    lib,
    *,
    reference=None,
    temp_C=None,
    pc=None,
    hd_kA_m=0.0,
    cold_C=-40.0,
    min_br_T=None,
    family=None,
    route=None,
    max_mass_factor=1.2,
    rank_by="dy_tb",
    date=None,
    top=None,
) -> pd.DataFrame:
    """Grades that meet a requirement, leanest first at equal flux.

    Parameters
    ----------
    reference : grade id or name. The requirement is its rating at (Pc, Hd) unless temp_C is given.
    temp_C : required temperature. Without a reference, the reference becomes the qualifying grade
        with the highest B_op at temp_C (ties by id), within ``family`` when one is given.
    pc, hd_kA_m : condition (default: the calibrated Pc, Hd = 0). The magnet sees Pc/(Pc+mu_rec) of Hd.
    cold_C : minimum operating temperature; candidates must hold there too.
    min_br_T : minimum datasheet Br (at T0) of a candidate.
    family : None (the reference's family), 'any', or a family id. route : a route or comma list.
    max_mass_factor : the largest mass at equal flux, relative to the reference (default 1.2).
    rank_by : 'dy_tb' (kg Dy+Tb), 'controlled' (kg export-controlled; unknown-status elements rank
        worse than controlled ones) or 'price' (USD, priced elements only), all at equal flux.
    top : keep the first N rows (pareto is computed before the cut).

    Returns
    -------
    DataFrame, best first, with the columns of SUBSTITUTE_KEYS plus limited_by, name,
    unknown_kg_per_kg, unknown_kg_equal_flux, price_usd_per_kg, price_usd_equal_flux, is_reference.
    ``attrs`` holds reference, temp_C, pc, hd_kA_m, cold_C, rank_by, n_qualifying.
    """
    if reference is None and temp_C is None:
        raise InputError("expected a reference grade or --temp (or both), instead received neither")
    if rank_by not in RANK_BY:
        raise InputError(
            f"expected --rank-by one of {', '.join(RANK_BY)}, instead received {rank_by!r}"
        )
    pc = float(_default_pc(lib, pc))
    hd = float(hd_kA_m)
    t = grade_table(lib, date)
    fams = t["family"].to_numpy(dtype=object)
    if family is not None and str(family).casefold() != "any" and str(family) not in set(fams):
        raise InputError(
            f"expected --family 'any' or one of {', '.join(sorted(set(fams)))}, "
            f"instead received {family!r}"
        )
    rating = _rate_arrays(t, pc, hd)
    tmax = np.asarray(rating.t_max_C, dtype=float)
    cold = _holds_cold(t, float(cold_C), pc, hd) if cold_C is not None else np.ones(len(t), bool)
    ids = t.index.astype(str).to_numpy()

    if reference is not None:
        ref = lib.position(reference)
        if temp_C is None:
            if np.isnan(tmax[ref]):
                raise InputError(
                    f"grade {ids[ref]} is unsafe at Pc={pc:g}, Hd={hd:g} kA/m even at its reference "
                    "temperature, so it sets no requirement; give --temp"
                )
            temp = float(tmax[ref])
        else:
            temp = float(temp_C)
    else:
        temp = float(temp_C)
        _, b_all = _b_op_at(t, temp, pc, hd)
        ok = (tmax >= temp - _T_TOL) & cold & _family_filter(fams, family, None)
        if not ok.any():
            raise InputError(
                f"no grade{'' if family in (None, 'any') else ' of family ' + str(family)} "
                f"holds {temp:g} degC at Pc={pc:g}, Hd={hd:g} kA/m and the cold end {cold_C} degC; "
                "lower --temp or --hd, or raise --pc"
            )
        b = np.where(ok, b_all, -np.inf)
        best = np.max(b)
        ref = int(np.flatnonzero(b >= best)[np.argmin(ids[b >= best])])  # ties by id

    _H, B = _b_op_at(t, temp, pc, hd)
    B = np.asarray(B, dtype=float)
    rho = t["density_g_cm3"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mf = (B[ref] / B) * (rho / rho[ref])
    qual = (tmax >= temp - _T_TOL) & cold & _family_filter(fams, family, fams[ref])
    qual &= np.isfinite(mf) & (mf > 0) & (mf <= float(max_mass_factor) + 1e-12)
    if route:
        routes = [r.strip() for r in str(route).split(",") if r.strip()]
        qual &= np.isin(t["route"].to_numpy(dtype=object), routes)
    if min_br_T is not None:
        qual &= t["Br_T"].to_numpy(dtype=float) >= float(min_br_T)

    idx = np.flatnonzero(qual)
    keys = [k[idx] * mf[idx] for k in _keys(t, rank_by)]
    # Pareto front on (t_max higher, leaner): j dominates i if t_j >= t_i and keys_j <= keys_i, one strictly
    ti = tmax[idx]
    kj = [k[None, :] for k in keys]
    ki = [k[:, None] for k in keys]
    geq = ti[None, :] >= ti[:, None] - _T_TOL
    gt = ti[None, :] > ti[:, None] + _T_TOL
    dominated = (geq & _lex_less(kj, ki, strict=False) & (gt | _lex_less(kj, ki, strict=True))).any(
        axis=1
    )
    order = np.lexsort([ids[idx], mf[idx], *keys[::-1]])
    sel = idx[order]
    g = lib.grades
    out = pd.DataFrame(
        {
            "id": ids[sel],
            "name": g["name"].to_numpy(dtype=object)[sel] if "name" in g.columns else ids[sel],
            "family": fams[sel],
            "route": t["route"].to_numpy(dtype=object)[sel],
            "t_max_C": tmax[sel],
            "limited_by": np.asarray(rating.limited_by, dtype=object)[sel],
            "B_op_T_at_temp": B[sel],
            "mass_factor": mf[sel],
            "Dy_Tb_kg_per_kg": t["Dy_Tb_kg_per_kg"].to_numpy(dtype=float)[sel],
            "controlled_kg_per_kg": t["controlled_kg_per_kg"].to_numpy(dtype=float)[sel],
            "unknown_kg_per_kg": t["unknown_kg_per_kg"].to_numpy(dtype=float)[sel],
            "price_usd_per_kg": t["price_usd_per_kg"].to_numpy(dtype=float)[sel],
        }
    )
    out["Dy_Tb_kg_equal_flux"] = out["Dy_Tb_kg_per_kg"] * out["mass_factor"]
    out["controlled_kg_equal_flux"] = out["controlled_kg_per_kg"] * out["mass_factor"]
    out["unknown_kg_equal_flux"] = out["unknown_kg_per_kg"] * out["mass_factor"]
    out["price_usd_equal_flux"] = out["price_usd_per_kg"] * out["mass_factor"]
    out["pareto"] = ~dominated[order]
    out["is_reference"] = sel == ref
    out.attrs.update(
        reference=str(ids[ref]),
        temp_C=temp,
        pc=pc,
        hd_kA_m=hd,
        cold_C=cold_C,
        rank_by=rank_by,
        n_qualifying=len(idx),
        reference_t_max_C=float(tmax[ref]),
        reference_B_op_T_at_temp=float(B[ref]),
    )
    if top is not None:
        out = out.head(int(top))
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------- many requirements
def _substitute_many(
    lib,
    ref_pos,
    temp_C,
    pc,
    hd_kA_m,
    cold_C,
    *,
    rank_by="dy_tb",
    date=None,
    max_mass_factor=1.2,
    family="same",
) -> pd.DataFrame:
    """Rating, cold check and the leanest qualifying substitute for many (reference, condition) combos.

    Parameters (1-D arrays of one length C, one entry per distinct combination)
    ----------
    ref_pos : int64 row positions of the reference grades in lib.grades (-1: unknown, gives NaN/-1).
    temp_C : required temperature; NaN = no requirement: the reference's own rating at (pc, hd) is used.
    pc, hd_kA_m : condition per combo (the magnet sees Pc/(Pc+mu_rec) of Hd); NaN Pc = the calibrated
        reference Pc, NaN Hd = 0. cold_C : cold end per combo (NaN = no cold requirement).
    rank_by : 'dy_tb' | 'controlled' | 'price'. family : 'same' (the reference's family) or 'any'.

    Returns
    -------
    DataFrame with C rows: t_max_C (the reference's rating), limited_by, holds_cold (bool, reference at
    the cold end), ref_B_op_T (reference at the required temperature), required_temp_C, suggested_pos
    (int64, -1 when no leaner qualifying grade), suggested_t_max_C, suggested_mass_factor.
    "Leaner" = strictly lower ranking metric at equal flux than the reference.

    Notes
    -----
    One (C x G) matrix per quantity: a few hundred combos x a few hundred grades is ~1e5 cells.
    """
    t = grade_table(lib, date)
    G = len(t)
    pos = np.asarray(ref_pos, dtype=np.int64).ravel()
    C = pos.size
    temp = np.asarray(temp_C, dtype=float).ravel() * np.ones(C)
    pcs = np.asarray(pc, dtype=float).ravel() * np.ones(C)
    if np.isnan(pcs).any():  # NaN Pc = the calibrated reference Pc
        pcs = np.where(np.isnan(pcs), float(_default_pc(lib, None)), pcs)
    hds = np.nan_to_num(
        np.asarray(hd_kA_m, dtype=float).ravel() * np.ones(C), nan=0.0
    )  # NaN Hd = 0
    colds = np.asarray(cold_C, dtype=float).ravel() * np.ones(C)
    known = (pos >= 0) & (pos < G)
    p = np.where(known, pos, 0)

    # reference: rating and cold end (per combo)
    r_ref = _rate_arrays(t, pcs, hds, sl=p)
    t_ref = np.where(known, np.asarray(r_ref.t_max_C, dtype=float), np.nan)
    lim_ref = np.where(known, np.asarray(r_ref.limited_by, dtype=object), "").astype(
        object
    )  # "" for an unknown grade
    cold_ok = np.where(
        np.isnan(colds), True, np.asarray(_holds_cold(t, colds, pcs, hds, sl=p), dtype=bool)
    )
    cold_ref = known & cold_ok
    req = np.where(np.isnan(temp), t_ref, temp)

    # candidates: (C, G) matrices
    r_all = _rate_arrays(t, pcs[:, None], hds[:, None])
    t_all = np.asarray(r_all.t_max_C, dtype=float)
    hold_all = (
        np.asarray(
            _holds_cold(
                t, np.where(np.isnan(colds), 20.0, colds)[:, None], pcs[:, None], hds[:, None]
            ),
            dtype=bool,
        )
        | np.isnan(colds)[:, None]
    )
    _, B_all = _b_op_at(t, req[:, None], pcs[:, None], hds[:, None])
    B_all = np.asarray(B_all, dtype=float)
    B_ref = np.where(known, B_all[np.arange(C), p], np.nan)
    rho = t["density_g_cm3"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mf = (B_ref[:, None] / B_all) * (rho[None, :] / rho[p][:, None])
    fams = t["family"].to_numpy(dtype=object)
    fam_ok = (fams[None, :] == fams[p][:, None]) if family == "same" else np.ones((C, G), bool)
    qual = (
        known[:, None]
        & (t_all >= req[:, None] - _T_TOL)
        & hold_all
        & fam_ok
        & np.isfinite(mf)
        & (mf > 0)
        & (mf <= float(max_mass_factor) + 1e-12)
    )
    k = _keys(t, rank_by)
    keys = [kk[None, :] * mf for kk in k]
    ref_keys = [kk[p][:, None] for kk in k]
    qual &= _lex_less(keys, ref_keys, strict=True)
    best = _lex_argmin([*keys, mf], qual)
    has = best >= 0
    bsafe = np.where(has, best, 0)
    rows = np.arange(C)
    return pd.DataFrame(
        {
            "t_max_C": t_ref,
            "limited_by": lim_ref,
            "holds_cold": cold_ref,
            "ref_B_op_T": B_ref,
            "required_temp_C": req,
            "suggested_pos": best,
            "suggested_t_max_C": np.where(has, t_all[rows, bsafe], np.nan),
            "suggested_mass_factor": np.where(has, mf[rows, bsafe], np.nan),
        }
    )


def substitute_many(*args, **kwargs):
    """Vectorised substitution over many requirement combos (see :func:`_substitute_many`).

    NaN inputs (unknown grades, no requirement) are expected and propagate as NaN, so
    numpy's invalid/divide warnings are silenced here, at the source, and nowhere else.
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return _substitute_many(*args, **kwargs)


substitute_many.__doc__ = (substitute_many.__doc__ or "") + "\n" + (_substitute_many.__doc__ or "")
