"""Old import path, kept for existing code: the names live in :mod:`magnets.fleet.spec`
and the modules it uses (:mod:`magnets.fleet.segment`, ``checks``, ``toml_lines``)."""

from magnets._compat import forward

__getattr__, __dir__ = forward(
    "magnets.fleet.spec",
    "magnets.fleet.segment",
    "magnets.fleet.checks",
    "magnets.fleet.toml_lines",
)
