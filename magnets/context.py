"""The one explicit context a face builds once and passes down: library, date, fitted models.

Each face (the CLI command, the TUI session) calls :func:`build_context` once; everything
below it receives the :class:`Context` or its parts (``ctx.library``, ``ctx.date``,
``ctx.condition``...). No domain function loads a library on its own and there are no
module-level caches: what is fitted to a library (the beta(HcJ0) model, the HcJ0/Br0
model, the calibrated rating condition, the per-grade rating table) is memoised on that
library object (:meth:`magnets.data.library.Library.derived`), so it lives exactly as long
as the library and a user library can never be served the built-in library's fits.

The fitted models are properties rather than fields filled at construction so that
commands that never rate (``grades``, ``data check`` on a broken library) do not pay for,
or fail on, a fit; once asked for, each is computed once per library. Code that only
holds ``ctx.library`` (the BOM, the fleet model) reaches the very same objects through
:func:`magnets.physics.calibration.fitted_condition` and friends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library
    from magnets.physics.beta import BetaModel
    from magnets.physics.calibration import Condition
    from magnets.physics.coercivity import CoercivityModel


@dataclass(frozen=True)
class Context:
    """What one run works with.

    library : the loaded :class:`~magnets.data.library.Library` (built-in + user layers).
    date : the as-of date of export-control status (``--date``; today by default).

    Derived, memoised on ``library``: ``condition`` (the calibrated rating
    :class:`~magnets.physics.calibration.Condition`: Pc, Hd = 0, squareness and mu_rec per
    family), ``beta_model`` (:class:`~magnets.physics.beta.BetaModel`), ``coercivity_model``
    (:class:`~magnets.physics.coercivity.CoercivityModel`) and ``default_pc``.
    """

    library: Library
    date: dt.date

    @property
    def condition(self) -> Condition:
        from magnets.physics.calibration import fitted_condition

        return fitted_condition(self.library)

    @property
    def beta_model(self) -> BetaModel:
        from magnets.physics.beta import fitted_beta_model

        return fitted_beta_model(self.library)

    @property
    def coercivity_model(self) -> CoercivityModel:
        from magnets.physics.coercivity import fitted_coercivity_model

        return fitted_coercivity_model(self.library)

    @property
    def default_pc(self) -> float:
        """The calibrated reference permeance coefficient."""
        return float(self.condition.pc)

    def on(self, date: dt.date) -> Context:
        """The same library (and its fits) as of another date."""
        return replace(self, date=date)


def context_for(library: Library, date: dt.date | None = None) -> Context:
    """A context around a library already loaded (tests, notebooks); ``date`` defaults to today."""
    return Context(library=library, date=date or dt.date.today())


def build_context(
    library_dirs: Iterable[str | Path] | None = None,
    date: dt.date | None = None,
    *,
    require_clean: bool = True,
    use_env: bool = True,
) -> Context:
    """Load the library once and wrap it with the as-of date.

    library_dirs : user library folders or files, layered over the built-in library after
        those of ``MAGNETS_LIBRARY`` (when ``use_env``).
    date : as-of date (default: today).
    require_clean : raise :class:`~magnets.errors.DataError` when the library has problems
        (``magnets data check`` passes False to list them instead).
    """
    from magnets.data.cache import cached_library
    from magnets.data.layers import user_dirs_from_env

    extra = list(library_dirs or [])
    dirs = user_dirs_from_env(extra) if use_env else tuple(Path(d) for d in extra)
    lib = cached_library(dirs)  # the validated library, from the user cache when unchanged
    if require_clean:
        lib.raise_for_problems(extra)  # the hint repeats the user's --library folders
    return context_for(lib, date)


__all__ = ["Context", "build_context", "context_for"]
