"""Fleet element demand: the TOML spec, the cohort stock-flow model, world shares, the result.

Modules, by idea: ``spec`` (with ``segment``, ``checks``, ``toml_lines``) reads the input;
``cohort`` is the dynamic stock model; ``sampling`` the Monte Carlo draws and statistics;
``arrays`` packs a scenario; ``flows`` is the plain per-sample model; ``shares`` the world
supply; ``result`` the FleetResult and its tables; ``model`` runs it all (``project_fleet``).

The old flat module ``magnets.fleet`` lived here; its public names are re-exported lazily
(``plot_fleet`` from the command line's :mod:`magnets.cli.fleet_plot`, imported only when
asked for).
"""

from magnets._compat import forward

FLEET_MODULES = (
    "magnets.fleet.model",
    "magnets.fleet.cohort",
    "magnets.fleet.sampling",
    "magnets.fleet.arrays",
    "magnets.fleet.flows",
    "magnets.fleet.shares",
    "magnets.fleet.result",
    "magnets.fleet.spec",
    "magnets.fleet.segment",
    "magnets.fleet.checks",
    "magnets.fleet.toml_lines",
)

__getattr__, __dir__ = forward(*FLEET_MODULES, "magnets.cli.fleet_plot", package=__name__)
