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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from magnets.context import Context


@dataclass
class Session:
    """What the app loaded once: the run's :class:`magnets.context.Context` (library, as-of
    date, fitted models) and the tables derived from it for display.

    ``lib``, ``date``, ``default_pc`` and ``calibration`` are the context's parts, kept as
    fields so screens read them directly.
    """

    lib: Any
    date: dt.date
    default_pc: float | None
    exposure: Any  # DataFrame [grade]: controlled_kg_per_kg, unknown_kg_per_kg, *_elements
    problems: list[Any] = field(default_factory=list)
    calibration: Any = None
    #: what depends only on the load line (Pc, Hd, family), reused while the temperature steps
    condition_cache: dict = field(default_factory=dict)
    #: the run's context (library, date and the models fitted to the library)
    context: Context | None = None


def session_for(ctx: Context) -> Session:
    """A session around a context: the date's export flags, the calibration, warm fits."""
    from magnets import rating_table
    from magnets.data import controls

    lib = ctx.library
    exposure = controls.exposure(lib.grades, lib.rules, ctx.date)
    calibration = ctx.condition
    ctx.coercivity_model  # noqa: B018  (warm the fit so the first trade-off update is quick)
    rating_table.grade_table(lib, ctx.date)
    return Session(
        lib=lib,
        date=ctx.date,
        default_pc=float(calibration.pc),
        exposure=exposure,
        problems=list(lib.problems),
        calibration=calibration,
        context=ctx,
    )


def load_session(library_dirs: Iterable[Path] | None, date: dt.date) -> Session:
    """Build the run's context once (built-in + MAGNETS_LIBRARY + ``library_dirs``, as of
    ``date``) and the session around it. Problems stay in ``session.problems`` for display."""
    from magnets.context import build_context

    return session_for(build_context(library_dirs, date, require_clean=False))


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
    from magnets.data import catalog

    view = catalog.listing(session.lib, session.date).set_index("id", drop=False)
    view.index = view.index.astype(str).rename(None)
    rated = rate(session, pc=pc, hd_kA_m=hd_kA_m)
    view["t_max_C"] = rated["t_max_C"].reindex(view.index).to_numpy()
    view["limited_by"] = rated["limited_by"].reindex(view.index).to_numpy()
    view["export"] = _export_text(view)
    return view


def filter_grades(
    view: Any,
    *,
    text: str = "",
    family: str | None = None,
    route: str | None = None,
    max_dy_tb: float | None = None,
    min_rating: float | None = None,
) -> Any:
    """Rows of ``view`` passing the filter bar: the catalogue's own filter, then min rating."""
    from magnets.data import catalog

    out = catalog.filter_listing(
        view, family=family, route=route, max_dy_tb=max_dy_tb, search=(text or "").strip() or None
    )
    if min_rating is not None:
        out = out[out["t_max_C"] >= min_rating]
    return out


def grade_detail(session: Session, grade_id: str) -> dict:
    """Everything about one grade (the same dict as ``magnets show``)."""
    from magnets.data import catalog

    return catalog.detail(session.lib, grade_id, session.date)


def grade_curves(
    session: Session, grade_id: str, *, temps_C: tuple[float, ...], pc: float, hd_kA_m: float
) -> dict:
    """Demagnetisation curves, load line, working points and knees of one grade, for the plot.

    All numbers come from :mod:`magnets.physics.thermal` (demag_curves, br_at, hcj_at,
    operating_point) with the beta the rating uses (rate_library's beta_used); the knee is
    Hk = s*HcJ(T) by the definition of squareness. Returns plain lists keyed by temperature.
    """
    import numpy as np

    from magnets.physics import thermal

    lib = session.lib
    row = lib.grades.iloc[[lib.position(grade_id)]]
    g = row.iloc[0]
    rated = rate(session, pc=pc, hd_kA_m=hd_kA_m).loc[str(row.index[0])]
    beta = float(rated["beta_used"])
    alpha = float(g["alpha_Br_pct_per_K"])
    temps = np.asarray(temps_C, dtype=float)
    curie = g["curie_C"] if np.isfinite(g["curie_C"]) else None
    curves = thermal.demag_curves(
        g["Br_T"],
        g["HcJ_kA_m"],
        g["HcB_kA_m"] if np.isfinite(g["HcB_kA_m"]) else None,
        g["mu_rec"],
        g["squareness"],
        temps,
        alpha=alpha,
        beta=beta,
        T0_C=g["T0_C"],
        curie_C=curie,
        n_points=161,
    )
    br_t = np.asarray(thermal.br_at(g["Br_T"], alpha, temps, g["T0_C"], curie), dtype=float)
    hcj_t = np.asarray(thermal.hcj_at(g["HcJ_kA_m"], beta, temps, g["T0_C"], curie), dtype=float)
    h_op, b_op = thermal.operating_point(br_t, pc, hd_kA_m, g["mu_rec"])
    knee_h = g["squareness"] * hcj_t  # Hk = s * HcJ(T): the definition of squareness
    out: dict[str, Any] = {
        "beta": beta,
        "alpha": alpha,
        "beta_source": str(rated["beta_source"]),
        "beta_is_own": str(rated["beta_source"]) == "grade",
        "temps": [float(t) for t in temps],
        "curves": [],
    }
    for i, t in enumerate(temps):
        h = curves.H_kA_m[i]
        jj = curves.J_T[i]
        # J at the knee, read off the domain's curve (nearest sampled point)
        k = int(np.nanargmin(np.abs(-h - knee_h[i]))) if np.isfinite(knee_h[i]) else None
        out["curves"].append(
            {
                "temp_C": float(t),
                "H_kA_m": h.tolist(),
                "B_T": curves.B_T[i].tolist(),
                "J_T": jj.tolist(),
                "Br_T": float(br_t[i]),
                "HcJ_kA_m": float(hcj_t[i]),
                "H_op_kA_m": float(np.asarray(h_op)[i]),
                "B_op_T": float(np.asarray(b_op)[i]),
                "knee_H_kA_m": float(knee_h[i]),
                "knee_J_T": float(jj[k]) if k is not None and np.isfinite(jj[k]) else float("nan"),
            }
        )
    return out


def grade_loss_curve(
    session: Session, grade_id: str, *, temps_C: Any, pc: float, hd_kA_m: float
) -> dict:
    """Irreversible loss of one grade against trip temperature at (Pc, Hd), for the plot.

    :func:`magnets.physics.loss.loss_curve` on the grade's rating inputs (the beta the rating
    uses); Hd on at T and at T0. Keys: temps_C, loss_pct, rating_C, cold, loss_at_rating_pct.
    """
    from magnets.physics import calibration, loss
    from magnets.physics.beta import fitted_beta_model

    lib = session.lib
    inp = calibration.rating_inputs(
        lib.grades.iloc[[lib.position(grade_id)]], fitted_beta_model(lib)
    )
    return loss.loss_curve(inp.iloc[0], temps_C, pc=pc, hd_kA_m=hd_kA_m)


def oxide_formulas(elements: list[str], oxides: list[str]) -> dict[str, str]:
    """Element -> its oxide's formula among ``oxides`` (the keys ``catalog.detail`` gives)."""
    from magnets.data.chemistry import DEFAULT_OXIDES

    present = set(oxides)
    return {el: DEFAULT_OXIDES[el] for el in elements if DEFAULT_OXIDES.get(el) in present}


# ----------------------------------------------------------------------------- trade-off
RANK_LABELS = {"dy_tb": "Dy+Tb", "controlled": "export-controlled", "price": "price"}
TRADEOFF_ROUTES = ("bulk", "gbd-dy", "gbd-tb", "dy-free")


def tradeoff_view(
    session: Session,
    *,
    temp_C: float,
    pc: float,
    hd_kA_m: float,
    rank_by: str | None,
    family: str | None,
    max_mass_factor: float,
    cold_C: float = -40.0,
) -> dict:
    """Everything the trade-off screen shows for one requirement, from the domain.

    ``family`` None and ``rank_by`` None mean what they mean to ``magnets substitute``
    without ``--family``/``--rank-by``: the reference's family, and the domain's
    ``default_rank_by`` (Dy+Tb in that family, controlled content once widened).

    Returns a dict: ``ranked`` (find_substitutes' frame indexed by id, or an empty frame),
    ``message`` ('' or why nothing qualifies), ``attrs`` (the requirement and reference),
    ``points`` (every grade: id, family, route, t_max_C, Dy_Tb_kg_per_kg, qualifies),
    ``front`` (points on the plot's Pareto front, hottest for its Dy+Tb), and
    ``routes`` (coercivity.tradeoff rows: route, temp_C, hree_wt_pct).
    """
    import pandas as pd

    from magnets import substitution
    from magnets.errors import MagnetsError

    lib = session.lib
    message = ""
    try:
        ranked = substitution.find_substitutes(
            lib,
            temp_C=temp_C,
            pc=pc,
            hd_kA_m=hd_kA_m,
            cold_C=cold_C,
            family=family,
            max_mass_factor=max_mass_factor,
            rank_by=rank_by,
            date=session.date,
        )
        attrs = dict(ranked.attrs)
        ranked = ranked.set_index("id", drop=False)
        ranked.index = ranked.index.astype(str).rename(None)
    except MagnetsError as exc:
        message = str(exc)
        ranked = pd.DataFrame(columns=["id"])
        attrs = {
            "temp_C": temp_C,
            "pc": pc,
            "hd_kA_m": hd_kA_m,
            "cold_C": cold_C,
            "rank_by": rank_by or "dy_tb",
            "family": family or "any",
            "n_qualifying": 0,
        }
    scope = attrs.get("family") or family
    scope = None if scope in (None, "any") else str(scope)
    points, front, routes = _condition_view(session, pc=pc, hd_kA_m=hd_kA_m, family=scope)
    points = points.assign(qualifies=points.index.isin(ranked.index))
    return {
        "ranked": ranked,
        "message": message,
        "attrs": attrs,
        "points": points,
        "front": front,
        "front_scope": scope or "NdFeB",
        "routes": routes,
    }


def _condition_view(session: Session, *, pc: float, hd_kA_m: float, family: str | None):
    """Points, plot front and route curves at (Pc, Hd): they do not depend on the temperature,
    so stepping the temperature reuses them (cached on the session, a few entries)."""
    import numpy as np
    import pandas as pd

    from magnets import rating_table
    from magnets.physics import hree
    from magnets.physics.beta import fitted_beta_model
    from magnets.physics.coercivity import fitted_coercivity_model

    key = (float(pc), float(hd_kA_m), family)
    hit = session.condition_cache.get(key)
    if hit is not None:
        return hit
    lib = session.lib
    rated = rate(session, pc=pc, hd_kA_m=hd_kA_m)
    table = rating_table.grade_table(lib, session.date)
    points = pd.DataFrame(
        {
            "family": rated["family"],
            "route": rated["route"],
            "t_max_C": rated["t_max_C"],
            "Dy_Tb_kg_per_kg": table["Dy_Tb_kg_per_kg"].reindex(rated.index),
        }
    )
    points.index = points.index.astype(str)
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
    routes = hree.tradeoff(
        TRADEOFF_ROUTES,
        np.arange(40.0, 300.0 + 1e-9, 5.0),
        pc=pc,
        hd_kA_m=hd_kA_m,
        model=fitted_coercivity_model(lib),
        beta=fitted_beta_model(lib),
        **kwargs,
    )
    result = (points, front, routes[["route", "temp_C", "hree_wt_pct"]])
    if len(session.condition_cache) > 16:
        session.condition_cache.clear()
    session.condition_cache[key] = result
    return result


def compare_view(
    session: Session, grade_ids: list[str], *, temp_C: float, pc: float, hd_kA_m: float
) -> Any:
    """The compare screen's table: :func:`magnets.substitution.compare.compare_grades` at
    the working condition, one row per grade (indexed by id, in the order marked)."""
    from magnets.substitution.compare import compare_grades

    return compare_grades(
        session.lib, grade_ids, temp_C=temp_C, pc=pc, hd_kA_m=hd_kA_m, date=session.date
    )


# ----------------------------------------------------------------------------- BOM
def example_path(name: str) -> Path:
    """A bundled example file (materials/examples/NAME)."""
    from importlib import resources

    return Path(str(resources.files("magnets.materials") / "examples" / name))


@dataclass
class BomView:
    """An evaluated BOM ready to show.

    ``table``: the domain's output (evaluate_bom), index = row position as str.
    ``grade_col``/``part_col``: the input headers the domain read as grade and part id.
    ``el_kg``: kg per line as specified, columns magnets.data.chemistry.REPORTED + ['controlled'].
    ``sug_kg``: kg per line with the suggestion taken (mass factor at equal flux included),
    NaN where the line has no suggestion (both from ``BomResult.element_kg``).
    """

    path: Path
    result: Any
    table: Any
    grade_col: str | None
    part_col: str | None
    el_kg: Any
    sug_kg: Any

    @property
    def has_suggestion(self) -> Any:
        return self.table["suggested_grade"].notna().to_numpy()


def _input_headers(table: Any) -> list[str]:
    cols = list(table.columns)
    return cols[cols.index("line") + 1 : cols.index("status")]


def load_bom(session: Session, path: Path, *, rank_by: str = "dy_tb") -> BomView:
    """Evaluate ``path`` with :func:`magnets.bom.evaluate_bom` (raises MagnetsError on bad files).

    The kg per element come from the same evaluation: ``BomResult.element_kg()`` as specified
    and ``element_kg(suggested=True)`` with each line's suggestion taken (mass factor at
    equal flux included), for the per-line toggle.
    """
    import pandas as pd

    from magnets.bom import columns as bom_input
    from magnets.bom import evaluate as bom

    result = bom.evaluate_bom(path, session.lib, date=session.date, rank_by=rank_by)
    table = result.table.copy()
    table.index = pd.Index([str(i) for i in range(len(table))])
    headers = _input_headers(table)
    found, _units, _warn = bom_input.match_columns(headers, str(path))
    grade_col = headers[found["grade"]] if "grade" in found else None
    part_col = headers[found["part_id"]] if "part_id" in found else None
    el_kg = result.element_kg().set_axis(table.index, axis=0)
    sug_kg = result.element_kg(suggested=True).set_axis(table.index, axis=0)
    return BomView(
        path=Path(path),
        result=result,
        table=table,
        grade_col=grade_col,
        part_col=part_col,
        el_kg=el_kg,
        sug_kg=sug_kg,
    )


def bom_totals(view: BomView, chosen: Any) -> Any:
    """Totals per element (kg): as specified, with the chosen suggestions, and the change.

    ``chosen``: bool per line (a suggestion is used only where the line has one).
    """
    import numpy as np
    import pandas as pd

    use = np.asarray(chosen, dtype=bool) & view.has_suggestion
    spec = view.el_kg.fillna(0.0)
    mask = np.repeat(~use[:, None], spec.shape[1], axis=1)
    mixed = spec.where(mask, view.sug_kg.fillna(0.0))
    out = pd.DataFrame({"specified": spec.sum(), "chosen": mixed.sum()}).T
    out.loc["change"] = out.loc["chosen"] - out.loc["specified"]
    return out


def bom_export_frame(view: BomView, chosen: Any) -> Any:
    """The BOM as shown: every output column, plus ``suggestion_taken`` and the kg per
    element of the line as chosen (``chosen_<El>_kg``)."""
    import numpy as np

    use = np.asarray(chosen, dtype=bool) & view.has_suggestion
    out = view.table.copy()
    out.insert(out.columns.get_loc("suggested_grade"), "suggestion_taken", use)
    mixed = view.el_kg.where(np.repeat(~use[:, None], view.el_kg.shape[1], axis=1), view.sug_kg)
    for col in mixed.columns:
        out[f"chosen_{col}_kg"] = mixed[col].to_numpy()
    return out.reset_index(drop=True)


def export_frame(frame: Any, path: Path) -> Path:
    """Write ``frame`` atomically as CSV or XLSX (by extension), spreadsheet-safe."""
    from magnets.io import format_from_path, write_frame

    fmt = format_from_path(path)
    if fmt not in ("csv", "xlsx"):
        from magnets.errors import InputError

        raise InputError(f"expected a .csv or .xlsx file name, instead received {str(path)!r}")
    write_frame(frame, path, fmt)
    return Path(path)


# ----------------------------------------------------------------------------- fleet
@dataclass
class FleetView:
    """A projected fleet: the domain's FleetResult and, per element, the primary supply of the
    first reported year in tonnes of element: world mine production, else China's separated
    output less recycled (NaN where the library has no figure of the element's own)."""

    path: Path
    result: Any
    world_t: dict[str, float]
    world_note: dict[str, str]


def load_fleet(session: Session, path: Path) -> FleetView:
    """Parse and project every scenario of a fleet file (midpoints, no Monte Carlo)."""
    import numpy as np

    from magnets.fleet import model as fleet
    from magnets.fleet import spec as fleet_input
    from magnets.fleet.shares import own_figure_metal_t

    spec = fleet_input.load_fleet(path, session.lib)
    result = fleet.project_fleet(spec, session.lib, list(spec.scenarios))

    world_t, note = {}, {}
    for name, words in (("china", "China primary"), ("world", "world mine")):  # world wins
        metal = own_figure_metal_t(result.yardsticks[name])[:, 0]  # first reported year
        ps = result.yardsticks[name]
        for i, el in enumerate(fleet.ELEMENTS):
            if np.isfinite(metal[i]):
                world_t[el] = float(metal[i])
                note[el] = f"{ps.value_t[i, 0]:,.0f} t {ps.basis[i, 0]}, {words} ({ps.year[i, 0]})"
    for el in fleet.ELEMENTS:
        world_t.setdefault(el, float("nan"))
    return FleetView(path=Path(path), result=result, world_t=world_t, world_note=note)


def fleet_series(view: FleetView, element: str, scenarios: list[str]) -> Any:
    """Primary demand of ``element`` per year (t, all segments) with one column per scenario,
    and the share of world primary supply (%) per scenario: a year-indexed DataFrame."""
    import pandas as pd

    t = view.result.table
    t = t[(t["element"] == element) & t["scenario"].isin(scenarios)]
    primary = t.pivot_table(index="year", columns="scenario", values="primary_t", aggfunc="sum")
    share = t.pivot_table(
        index="year",
        columns="scenario",
        values="share_of_world_primary_pct",
        aggfunc="sum",
        dropna=False,
    )
    cols = [s for s in scenarios if s in primary.columns]
    out = pd.DataFrame(index=primary.index)
    for s in cols:
        out[f"{s} t"] = primary[s]
    for s in cols:
        if s in share.columns and share[s].notna().any():
            out[f"{s} %"] = share[s]
    out.index = out.index.astype(int)
    out.insert(0, "year", out.index)
    out.index = out.index.astype(str)
    return out
