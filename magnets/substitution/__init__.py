"""Substitutes that meet a requirement with less Dy+Tb, less export-controlled material, or
at a lower price; the library's ratings live in :mod:`magnets.rating_table`.

A requirement is (T, Pc, Hd, cold end, optional minimum Br). A candidate qualifies when its
rated temperature at (Pc, Hd) is at least T and it still holds at the cold end (ferrite
loses coercivity in the cold). Candidates are compared at equal flux, not equal mass:

    mass_factor = (B_op_ref(T) / B_op_cand(T)) * (density_cand / density_ref)

at (Pc, Hd): the volume scales with the flux ratio and the mass with density. A bigger
magnet changes the circuit's Pc; the first-order comparison ignores that (say so to users).

Everything is vectorised: the library is rated as arrays, and :func:`substitute_many`
evaluates a (combinations x grades) matrix at once.

Modules: :mod:`.ranking` (what "leaner" means), :mod:`.single` (one requirement,
:func:`find_substitutes`, whose table is documented in ``SUBSTITUTE_COLUMNS``), :mod:`.many`
(:func:`substitute_many`). The unknown-price rule is :mod:`magnets.data.prices`.
"""

from __future__ import annotations

from magnets.data.prices import CHEAP_ELEMENTS, UNPRICED_LIMIT_KG_PER_KG
from magnets.rating_table import default_pc, grade_table, rate_library
from magnets.substitution.many import substitute_many
from magnets.substitution.ranking import RANK_BY, default_rank_by
from magnets.substitution.single import (
    SUBSTITUTE_ATTRS,
    SUBSTITUTE_COLUMNS,
    SUBSTITUTE_KEYS,
    find_substitutes,
)

_default_pc = default_pc  # old private name
__all__ = [
    "CHEAP_ELEMENTS",
    "RANK_BY",
    "SUBSTITUTE_ATTRS",
    "SUBSTITUTE_COLUMNS",
    "SUBSTITUTE_KEYS",
    "UNPRICED_LIMIT_KG_PER_KG",
    "default_rank_by",
    "find_substitutes",
    "grade_table",
    "rate_library",
    "substitute_many",
]
