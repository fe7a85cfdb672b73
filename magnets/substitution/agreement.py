"""Whether a candidate's heavy-rare-earth estimate is physical at the requirement.

A grade that qualifies on its datasheet figures holds at least the Dy+Tb its process route
needs there. :func:`route_need_wt_pct` is that need, by the same inverse coercivity model
``magnets tradeoff`` prints (:func:`magnets.physics.hree.hree_needed`, with the sintered
NdFeB family's squareness, mu_rec, T0 and Curie temperature, and the same diffusion-depth
limit). :func:`composition_check` compares it with the high bound of each candidate's
estimate: where even the high bound is below the need, the estimate is implausible there, so
the candidate says so and ranks after the plausible ones (its real content is higher than the
library says, so "leanest" would be a claim the physics does not support).

Thickness: GBD gains reach about :data:`magnets.physics.coercivity.THICKNESS_LIMIT_MM` into a
magnet; without a thickness the GBD figures assume a magnet no thicker than that, and
:func:`thickness_notes` says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from magnets.physics.coercivity import ROUTES, fitted_coercivity_model
from magnets.physics.hree import hree_needed

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

#: The family the coercivity model (and so ``tradeoff``) describes.
MODEL_FAMILY = "ndfeb-sintered"
_GBD = ("gbd-dy", "gbd-tb")
_WT_TOL = 1e-6  # wt%: a high bound this close to the need agrees with it


def model_condition(lib: Library) -> dict[str, float]:
    """squareness, mu_rec, T0_C and curie_C of the modelled family, as ``tradeoff`` uses them."""
    fam = lib.families.loc[MODEL_FAMILY]
    return {k: float(fam[k]) for k in ("squareness", "mu_rec", "T0_C", "curie_C")}


def route_need_wt_pct(
    lib: Library, route: Any, temp_C: Any, pc: Any, hd_kA_m: Any, thickness_mm: Any = None
) -> np.ndarray:
    """Dy + Tb (wt% of the magnet) a route needs to rate at ``temp_C`` at (Pc, Hd).

    What ``magnets tradeoff --pc P --hd H --from T --to T [--thickness MM]`` prints as
    hree_wt_pct. Arrays broadcast; NaN where the route cannot reach T (or is not a modelled
    route); a NaN or absent thickness is a magnet diffusion reaches through (<= 6 mm).
    """
    from magnets.physics.beta import fitted_beta_model

    r = np.asarray(route, dtype=object)
    known = np.isin(r, list(ROUTES))
    out = hree_needed(
        np.where(known, r, "bulk"),
        temp_C,
        pc,
        hd_kA_m,
        thickness_mm=thickness_mm,
        model=fitted_coercivity_model(lib),
        beta=fitted_beta_model(lib),
        **model_condition(lib),
    )
    return np.where(known, out["hree_wt_pct"], np.nan)


def composition_check(
    family: Any, route: Any, dy_tb_high_wt_pct: Any, need_wt_pct: Any
) -> np.ndarray:
    """True where the estimate is plausible: not a modelled grade, a need the model cannot
    give (NaN), or a high bound at least the need. Arrays broadcast."""
    fam = np.asarray(family, dtype=object)
    modelled = (fam == MODEL_FAMILY) & np.isin(np.asarray(route, dtype=object), list(ROUTES))
    need = np.asarray(need_wt_pct, dtype=float)
    with np.errstate(invalid="ignore"):
        below = np.asarray(dy_tb_high_wt_pct, dtype=float) < need - _WT_TOL
    return ~(modelled & np.isfinite(need) & below)


def composition_notes(
    plausible: np.ndarray, route: np.ndarray, dy_tb_high_wt_pct: np.ndarray, need: np.ndarray
) -> np.ndarray:
    """One note per candidate: empty where plausible, else what is below what."""
    text = np.array(
        [
            f"Dy+Tb estimate (high {h:.2f} wt%) below the {n:.2f} wt% {r} needs here (tradeoff): "
            "implausible, real content higher; ranked after plausible grades"
            for r, h, n in zip(route, dy_tb_high_wt_pct, need, strict=True)
        ],
        dtype=object,
    )  # one per candidate of a single requirement (tens of rows), not per BOM line
    return np.where(plausible, "", text)


def thickness_notes(route: Any, thickness_mm: Any, limit_mm: float) -> np.ndarray:
    """What a GBD figure assumes about thickness; empty for other routes. Arrays broadcast."""
    r = np.asarray(route, dtype=object)
    t = np.asarray(np.nan if thickness_mm is None else thickness_mm, dtype=float)
    gbd = np.isin(r, _GBD)
    given = np.char.add(np.char.add("at ", np.char.mod("%g", t)), " mm")
    thick = np.char.add(given, f" (diffusion reaches {limit_mm:g} mm; gain scaled)")
    text = np.where(
        np.isnan(t), f"assumes <= {limit_mm:g} mm", np.where(t > limit_mm, thick, given)
    )
    return np.where(gbd, text, "").astype(object)
