"""One scenario's fleet packed into arrays on the model-year grid (:class:`SegmentArrays`).

:func:`pack_segments` lays the parsed segments' knot tables side by side, interpolates them
onto the model years (:func:`magnets.fleet.cohort.interp_knots`) and turns each year's grade
mix into element fractions from the library. Shapes: S segments, Y model years, K knots,
G grades, E reported elements (:data:`magnets.data.chemistry.REPORTED`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from magnets.data.bands import BAND_ELEMENTS, element_band_wt_pct
from magnets.data.chemistry import REPORTED
from magnets.fleet.cohort import DIST_CODE, interp_knots

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library
    from magnets.fleet.spec import FleetSpec, SegmentSpec


@dataclass(frozen=True)
class SegmentArrays:
    """One scenario's fleet packed into arrays on the model-year grid.

    Attributes
    ----------
    names : (S,) segment names.  years : (Y,) int model years.
    units_low, units_high : (S, Y) units built per year (equal where not uncertain).
    kg_low, kg_high : (S, Y) kg of finished magnet per unit.
    frac : (S, Y, E) kg element per kg magnet of the mix built that year (E = REPORTED), at
        each grade's content value.
    routes : (R,) route keys (``family/route``) whose grades carry a content band here.
    frac_up, frac_dn : (S, Y, E, R) the part of the mix's fraction from route r's grades
        between value and high (up) and between low and value (dn): the fraction at route
        draws t_r in [-1, 1] is frac + sum_r max(t_r, 0) up_r + min(t_r, 0) dn_r.
    life_code, life_p1, life_p2 : (S,) lifetime distribution (see
        :func:`magnets.fleet.cohort.lifetime_tables`).
    yield_low/high, scrap_low/high, collection_low/high, recovery_low/high : (S,) shares 0..1.
    """

    names: tuple[str, ...]
    years: np.ndarray
    units_low: np.ndarray
    units_high: np.ndarray
    kg_low: np.ndarray
    kg_high: np.ndarray
    frac: np.ndarray
    routes: tuple[str, ...]
    frac_up: np.ndarray
    frac_dn: np.ndarray
    life_code: np.ndarray
    life_p1: np.ndarray
    life_p2: np.ndarray
    yield_low: np.ndarray
    yield_high: np.ndarray
    scrap_low: np.ndarray
    scrap_high: np.ndarray
    collection_low: np.ndarray
    collection_high: np.ndarray
    recovery_low: np.ndarray
    recovery_high: np.ndarray

    @property
    def n_segments(self) -> int:
        return len(self.names)


def model_years(spec: FleetSpec) -> np.ndarray:
    """Model-year grid: the first year given in any units table (any scenario) .. end_year."""
    first = min(
        [spec.start_year] + [min(s.units_years) for segs in spec.scenarios.values() for s in segs]
    )
    return np.arange(first, spec.end_year + 1)


def _knots(
    segments: tuple[SegmentSpec, ...], attr_years: str, attr_low: str, attr_high: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Knot years (S, K, +inf padded) and low/high values (S, K, last value padded)."""
    S = len(segments)
    K = max(len(getattr(s, attr_years)) for s in segments)
    ky = np.full((S, K), np.inf)
    lo = np.zeros((S, K))
    hi = np.zeros((S, K))
    for i, s in enumerate(segments):  # the few segments of a file
        k = len(getattr(s, attr_years))
        ky[i, :k] = getattr(s, attr_years)
        lo[i, :k] = getattr(s, attr_low)
        hi[i, :k] = getattr(s, attr_high)
        lo[i, k:] = lo[i, k - 1]
        hi[i, k:] = hi[i, k - 1]
    return ky, lo, hi


def _mix_knots(
    segments: tuple[SegmentSpec, ...], grades: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Grade-mix knot years (S, K) and shares (S, K, G) of every segment."""
    S = len(segments)
    K = max(len(s.mix_years) for s in segments)
    my = np.full((S, K), np.inf)
    mv = np.zeros((S, K, len(grades)))
    gpos = {g: i for i, g in enumerate(grades)}
    for i, s in enumerate(segments):  # the few segments of a file, their few mixes
        k = len(s.mix_years)
        my[i, :k] = s.mix_years
        for j, mix in enumerate(s.mixes):
            for g, share in mix.items():
                mv[i, j, gpos[g]] = share
        mv[i, k:] = mv[i, k - 1]
    return my, mv


def route_keys(lib: Library, grades: list[str]) -> np.ndarray:
    """(G,) ``family/route`` of each grade: the unit of the systematic content draw."""
    rows = lib.grades.loc[grades]
    fam = rows["family"].astype("string").fillna("") if "family" in rows else ""
    route = rows["route"].astype("string").fillna("") if "route" in rows else ""
    return (pd.Series(fam, index=rows.index) + "/" + pd.Series(route, index=rows.index)).to_numpy(
        dtype=object
    )


def grade_fractions(lib: Library, grades: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """kg element per kg magnet (G, E) of the grades at their content value, and the widths
    value - low and high - value (G, E), from ``<El>_wt_pct`` and, for the band elements,
    ``<El>_wt_pct_low`` / ``_high`` (:mod:`magnets.data.bands`: no band = no width)."""
    E = len(REPORTED)
    if not grades:
        return np.zeros((0, E)), np.zeros((0, E)), np.zeros((0, E))
    rows = lib.grades.loc[grades]
    value, below, above = (np.zeros((len(grades), E)) for _ in range(3))
    for e, el in enumerate(REPORTED):  # seven elements
        lo, mid, hi = element_band_wt_pct(rows, el)
        value[:, e] = mid
        if el in BAND_ELEMENTS:
            below[:, e] = np.clip(mid - lo, 0.0, None)
            above[:, e] = np.clip(hi - mid, 0.0, None)
    return value / 100.0, below / 100.0, above / 100.0


def content_routes(lib: Library) -> tuple[str, ...]:
    """Every route key of the library, sorted: the index of the content draws, the same for
    every scenario (common random numbers)."""
    return tuple(sorted(set(route_keys(lib, list(lib.grades.index)))))


def pack_segments(
    segments: tuple[SegmentSpec, ...],
    lib: Library,
    years: np.ndarray,
    routes: tuple[str, ...] | None = None,
) -> SegmentArrays:
    """Pack parsed segments into arrays on the model-year grid (knot tables, grade mixes).

    The loop here runs over the few segments of an input file to lay their knot tables
    side by side; all interpolation and the mix -> element fractions step are vectorised.
    ``routes``: the route keys of the content draws (default :func:`content_routes`); only
    those with a band in this scenario are kept.
    """
    grades = sorted({g for s in segments for mix in s.mixes for g in mix})
    uy, ulo, uhi = _knots(segments, "units_years", "units_low", "units_high")
    ky, klo, khi = _knots(segments, "kg_years", "kg_low", "kg_high")
    my, mv = _mix_knots(segments, grades)
    mix_y = interp_knots(my, mv, years, before="flat")  # (S, Y, G)
    value, below, above = grade_fractions(lib, grades)
    frac = mix_y @ value
    routes = content_routes(lib) if routes is None else routes
    keys = route_keys(lib, grades) if grades else np.zeros(0, dtype=object)
    onehot = (keys[:, None] == np.asarray(routes, dtype=object)[None, :]).astype(float)  # (G, R)
    up = np.einsum("syg,ge,gr->syer", mix_y, above, onehot)
    dn = np.einsum("syg,ge,gr->syer", mix_y, below, onehot)
    keep = np.nonzero((up != 0).any(axis=(0, 1, 2)) | (dn != 0).any(axis=(0, 1, 2)))[0]

    def vec(attr: str) -> np.ndarray:
        return np.array([getattr(s, attr) for s in segments], dtype="float64")

    return SegmentArrays(
        names=tuple(s.name for s in segments),
        years=np.asarray(years),
        units_low=interp_knots(uy, ulo, years, before="zero"),
        units_high=interp_knots(uy, uhi, years, before="zero"),
        kg_low=interp_knots(ky, klo, years),
        kg_high=interp_knots(ky, khi, years),
        frac=frac,
        routes=tuple(routes[r] for r in keep),
        frac_up=up[..., keep],
        frac_dn=dn[..., keep],
        life_code=np.array([DIST_CODE[s.lifetime[0]] for s in segments]),
        life_p1=vec("life_p1"),
        life_p2=vec("life_p2"),
        yield_low=vec("yield_low"),
        yield_high=vec("yield_high"),
        scrap_low=vec("scrap_low"),
        scrap_high=vec("scrap_high"),
        collection_low=vec("collection_low"),
        collection_high=vec("collection_high"),
        recovery_low=vec("recovery_low"),
        recovery_high=vec("recovery_high"),
    )
