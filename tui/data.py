"""The TUI's one door to the domain.

Every number shown on screen comes from a ``magnets.*`` function called here; this
module only selects, joins and labels their results for display (no physics). Heavy
modules (pandas, the domain, pymatgen) are imported inside the functions so importing
the app stays cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Elements reported per grade and per BOM line (magnets.chemistry.REPORTED).
REPORTED = ("Nd", "Pr", "Dy", "Tb", "Sm", "Gd", "Co")


@dataclass
class Session:
    """What the app loaded once: the library and the as-of date, plus derived tables."""

    lib: Any
    date: dt.date
    default_pc: float | None
    exposure: Any  # DataFrame [grade]: controlled_kg_per_kg, unknown_kg_per_kg, *_elements
    problems: list[Any] = field(default_factory=list)
    calibration: Any = None


def load_session(library_dirs: Iterable[Path] | None, date: dt.date) -> Session:
    """Load the library (built-in + MAGNETS_LIBRARY + ``library_dirs``) and the date's flags."""
    from magnets import controls
    from magnets.library import load_library, user_dirs_from_env

    lib = load_library(user_dirs_from_env(list(library_dirs or [])))
    exposure = controls.exposure(lib.grades, lib.rules, date)
    default_pc = None
    calibration = None
    try:
        from magnets import calibration as cal

        calibration = cal.default_condition(lib)
        default_pc = float(calibration.pc)
    except ImportError:  # the calibration module is optional while the domain grows
        pass
    try:  # warm the fitted models so the first trade-off update is quick
        from magnets import coercivity, substitution

        coercivity.default_coercivity_model(lib)
        substitution.grade_table(lib, date)
    except ImportError:
        pass
    return Session(lib=lib, date=date, default_pc=default_pc, exposure=exposure,
                   problems=list(lib.problems), calibration=calibration)


def _export_text(frame: Any) -> Any:
    """'● Dy Tb' for controlled content, '? Ho' for unknown status, '' for none."""
    ctrl = frame["controlled_elements"].fillna("").astype(str)
    unk = frame["unknown_elements"].fillna("").astype(str)
    text = ("● " + ctrl).where(ctrl != "", "")
    both = (text + "  ? " + unk).where(text != "", "? " + unk)
    return both.where(unk != "", text)


def rate(session: Session, *, pc: float, hd_kA_m: float, temp_C: float | None = None) -> Any:
    """Ratings of every grade at (Pc, Hd) from the domain, indexed by grade id.

    Columns include ``t_max_C`` and ``limited_by`` (and, with ``temp_C``, the working
    point at that temperature), as :func:`magnets.substitution.rate_library` returns them.
    """
    from magnets import substitution

    return substitution.rate_library(session.lib, pc, hd_kA_m, temp_C, date=session.date)


def library_view(session: Session, *, pc: float, hd_kA_m: float) -> Any:
    """The Library table: the catalogue listing plus the rating at (Pc, Hd) and the export mark.

    Indexed by grade id (str).
    """
    from magnets import catalog

    view = catalog.listing(session.lib, session.date).set_index("id", drop=False)
    view.index = view.index.astype(str).rename(None)
    rated = rate(session, pc=pc, hd_kA_m=hd_kA_m)
    view["t_max_C"] = rated["t_max_C"].reindex(view.index).to_numpy()
    view["limited_by"] = rated["limited_by"].reindex(view.index).to_numpy()
    view["export"] = _export_text(view)
    return view


def filter_grades(view: Any, *, text: str = "", family: str | None = None, route: str | None = None,
                  max_dy_tb: float | None = None, min_rating: float | None = None) -> Any:
    """Rows of ``view`` passing the filter bar: the catalogue's own filter, then min rating."""
    from magnets import catalog

    out = catalog.filter_listing(view, family=family, route=route, max_dy_tb=max_dy_tb,
                                 search=(text or "").strip() or None)
    if min_rating is not None:
        out = out[out["t_max_C"] >= min_rating]
    return out


def grade_detail(session: Session, grade_id: str) -> dict:
    """Everything about one grade (the same dict as ``magnets show``)."""
    from magnets import catalog

    return catalog.detail(session.lib, grade_id, session.date)


def grade_curves(session: Session, grade_id: str, *, temps_C: tuple[float, ...], pc: float,
                 hd_kA_m: float) -> dict:
    """Demagnetisation curves, load line, working points and knees of one grade, for the plot.

    All numbers come from :mod:`magnets.thermal` (demag_curves, br_at, hcj_at,
    operating_point) with the beta the rating uses (rate_library's beta_used); the knee is Hk = s*HcJ(T) by the definition of
    squareness. Returns plain lists keyed by temperature.
    """
    import numpy as np

    from magnets import thermal

    lib = session.lib
    row = lib.grades.iloc[[lib.position(grade_id)]]
    g = row.iloc[0]
    rated = rate(session, pc=pc, hd_kA_m=hd_kA_m).loc[str(row.index[0])]
    beta = float(rated["beta_used"])
    alpha = float(g["alpha_Br_pct_per_K"])
    temps = np.asarray(temps_C, dtype=float)
    curie = g["curie_C"] if np.isfinite(g["curie_C"]) else None
    curves = thermal.demag_curves(
        g["Br_T"], g["HcJ_kA_m"], g["HcB_kA_m"] if np.isfinite(g["HcB_kA_m"]) else None,
        g["mu_rec"], g["squareness"], temps, alpha=alpha, beta=beta, T0_C=g["T0_C"],
        curie_C=curie, n_points=161,
    )
    br_t = np.asarray(thermal.br_at(g["Br_T"], alpha, temps, g["T0_C"], curie), dtype=float)
    hcj_t = np.asarray(thermal.hcj_at(g["HcJ_kA_m"], beta, temps, g["T0_C"], curie), dtype=float)
    h_op, b_op = thermal.operating_point(br_t, pc, hd_kA_m, g["mu_rec"])
    knee_h = g["squareness"] * hcj_t  # Hk = s * HcJ(T): the definition of squareness
    out = {"beta": beta, "alpha": alpha, "beta_source": str(rated["beta_source"]),
           "beta_is_own": str(rated["beta_source"]) == "grade",
           "temps": [float(t) for t in temps], "curves": []}
    for i, t in enumerate(temps):
        h = curves.H_kA_m[i]
        jj = curves.J_T[i]
        # J at the knee, read off the domain's curve (nearest sampled point)
        k = int(np.nanargmin(np.abs(-h - knee_h[i]))) if np.isfinite(knee_h[i]) else None
        out["curves"].append({
            "temp_C": float(t),
            "H_kA_m": h.tolist(), "B_T": curves.B_T[i].tolist(), "J_T": jj.tolist(),
            "Br_T": float(br_t[i]), "HcJ_kA_m": float(hcj_t[i]),
            "H_op_kA_m": float(np.asarray(h_op)[i]), "B_op_T": float(np.asarray(b_op)[i]),
            "knee_H_kA_m": float(knee_h[i]),
            "knee_J_T": float(jj[k]) if k is not None and np.isfinite(jj[k]) else float("nan"),
        })
    return out


def oxide_formulas(elements: list[str], oxides: list[str]) -> dict[str, str]:
    """Element -> its oxide's formula among ``oxides`` (the keys ``catalog.detail`` gives)."""
    from magnets.chemistry import DEFAULT_OXIDES

    present = set(oxides)
    return {el: DEFAULT_OXIDES[el] for el in elements if DEFAULT_OXIDES.get(el) in present}


# ----------------------------------------------------------------------------- trade-off
RANK_LABELS = {"dy_tb": "Dy+Tb", "controlled": "export-controlled", "price": "price"}
TRADEOFF_ROUTES = ("bulk", "gbd-dy", "gbd-tb", "dy-free")


def tradeoff_view(session: Session, *, temp_C: float, pc: float, hd_kA_m: float, rank_by: str,
                  family: str | None, max_mass_factor: float, cold_C: float = -40.0) -> dict:
    """Everything the trade-off screen shows for one requirement, from the domain.

    Returns a dict: ``ranked`` (find_substitutes' frame indexed by id, or an empty frame),
    ``message`` ('' or why nothing qualifies), ``attrs`` (the requirement and reference),
    ``points`` (every grade: id, family, route, t_max_C, Dy_Tb_kg_per_kg, qualifies),
    ``front`` (points on the plot's Pareto front, hottest for its Dy+Tb), and
    ``routes`` (coercivity.tradeoff rows: route, temp_C, hree_wt_pct).
    """
    import numpy as np
    import pandas as pd

    from magnets import coercivity, substitution
    from magnets.errors import MagnetsError

    lib = session.lib
    message = ""
    try:
        ranked = substitution.find_substitutes(
            lib, temp_C=temp_C, pc=pc, hd_kA_m=hd_kA_m, cold_C=cold_C, family=family or "any",
            max_mass_factor=max_mass_factor, rank_by=rank_by, date=session.date,
        )
        attrs = dict(ranked.attrs)
        ranked = ranked.set_index("id", drop=False)
        ranked.index = ranked.index.astype(str).rename(None)
    except MagnetsError as exc:
        message = str(exc)
        ranked = pd.DataFrame(columns=["id"])
        attrs = {"temp_C": temp_C, "pc": pc, "hd_kA_m": hd_kA_m, "cold_C": cold_C, "rank_by": rank_by,
                 "n_qualifying": 0}
    rated = rate(session, pc=pc, hd_kA_m=hd_kA_m)
    table = substitution.grade_table(lib, session.date)
    points = pd.DataFrame({
        "family": rated["family"], "route": rated["route"], "t_max_C": rated["t_max_C"],
        "Dy_Tb_kg_per_kg": table["Dy_Tb_kg_per_kg"].reindex(rated.index),
    })
    points.index = points.index.astype(str)
    points["qualifies"] = points.index.isin(ranked.index)
    # Plot's Pareto front: grades no other grade beats on both axes (hotter and leaner).
    # A selection over the domain's numbers: sort leanest first, keep new running maxima.
    # Over all families the front is only the hottest Dy/Tb-free SmCo grade, so with "any
    # family" it is drawn over NdFeB (where Dy and Tb buy temperature).
    rated_pts = points[np.isfinite(points["t_max_C"])]
    if family:
        rated_pts = rated_pts[rated_pts["family"] == family]
    else:
        rated_pts = rated_pts[rated_pts["family"].str.startswith("ndfeb")]
    order = rated_pts.sort_values(["Dy_Tb_kg_per_kg", "t_max_C"], ascending=[True, False])
    best_before = order["t_max_C"].cummax().shift(1, fill_value=-np.inf)
    front = order[order["t_max_C"].to_numpy() > best_before.to_numpy()]
    cal = session.calibration
    fam = "ndfeb-sintered"
    kwargs = {}
    if cal is not None and getattr(cal, "squareness", None) is not None:
        kwargs = {"squareness": cal.squareness_for(fam), "mu_rec": cal.mu_rec_for(fam)}
    routes = coercivity.tradeoff(
        TRADEOFF_ROUTES, np.arange(40.0, 300.0 + 1e-9, 5.0), pc=pc, hd_kA_m=hd_kA_m,
        model=coercivity.default_coercivity_model(lib), beta=coercivity.default_beta_model(lib), **kwargs,
    )
    return {"ranked": ranked, "message": message, "attrs": attrs, "points": points, "front": front,
            "front_scope": family or "NdFeB",
            "routes": routes[["route", "temp_C", "hree_wt_pct"]]}
