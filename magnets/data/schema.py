"""The library's schema: families and routes, column lists, and the tolerances of the checks.

One place for what a grade, composition, family, element or rule row holds; the loaders
(:mod:`magnets.data.loaders`, :mod:`magnets.data.grades`) and the faces read it from here.
"""

from __future__ import annotations

import re

FAMILY_ROUTES: dict[str, frozenset[str]] = {
    "ndfeb-sintered": frozenset({"bulk", "gbd-dy", "gbd-tb", "dy-free"}),
    "ndfeb-hot-deformed": frozenset({"bulk", "gbd-dy", "gbd-tb", "dy-free"}),
    "ndfeb-bonded": frozenset({"bonded"}),
    "smco5": frozenset({"sintered", "bonded"}),
    "sm2co17": frozenset({"sintered", "bonded"}),
    "smco-tc": frozenset({"sintered", "bonded"}),
    "ferrite": frozenset({"sintered", "bonded"}),
}
FAMILIES = tuple(FAMILY_ROUTES)
ROUTES = ("bulk", "gbd-dy", "gbd-tb", "dy-free", "bonded", "sintered")
SMCO_FAMILIES = frozenset({"smco5", "sm2co17", "smco-tc"})
NDFEB_FAMILIES = frozenset({"ndfeb-sintered", "ndfeb-hot-deformed", "ndfeb-bonded"})

ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")
BASES = frozenset({"min", "typ"})
COMPOSITION_BASES = frozenset({"sourced", "derived", "estimate", "model"})
#: Elements whose content may carry a low/high band (``<El>_wt_pct_low``/``_high`` columns of
#: compositions.csv, written by scripts/gen_compositions.py for `model` rows).
BAND_ELEMENTS = ("Dy", "Tb")

GRADE_TEXT = [
    "id",
    "name",
    "manufacturer",
    "family",
    "route",
    "Br_basis",
    "HcB_basis",
    "HcJ_basis",
    "BHmax_basis",
    "coef_range_C",
    "max_temp_condition",
    "composition",
    "source",
    "coef_source",
    "notes",
]
GRADE_NUMERIC = [
    "max_temp_pc",
    "Br_T",
    "HcB_kA_m",
    "HcJ_kA_m",
    "BHmax_kJ_m3",
    "alpha_Br_pct_per_K",
    "beta_HcJ_pct_per_K",
    "max_temp_C",
    "curie_C",
    "density_g_cm3",
    "mu_rec",
    "squareness",
]
GRADE_REQUIRED = ["id", "name", "family", "route", "Br_T", "HcJ_kA_m", "composition", "source"]
FAMILY_NUMERIC = [
    "T0_C",
    "mu_rec",
    "squareness",
    "alpha_Br_pct_per_K",
    "curie_C",
    "density_g_cm3",
    "structural_limit_C",
    "beta_min_pct_per_K",
    "beta_max_pct_per_K",
]
#: grade columns filled from the family where the grade leaves them empty
FAMILY_DEFAULTED = ["alpha_Br_pct_per_K", "curie_C", "density_g_cm3", "mu_rec", "squareness"]
ELEMENT_NUMERIC = [
    "production_t",
    "production_year",
    "china_mining_share_pct",
    "china_refining_share_pct",
    "china_share_year",
    "price_usd_per_kg",
]
RULE_COLUMNS = [
    "id",
    "authority",
    "announcement",
    "elements",
    "forms",
    "effective",
    "status",
    "suspended_from",
    "suspended_until",
    "status_after_suspension",
    "source",
]

MASS_SUM_TOLERANCE_WT_PCT = 0.5
BHMAX_TOLERANCE = 0.03
SMCO_RE_RANGE_WT_PCT = (20.0, 40.0)
