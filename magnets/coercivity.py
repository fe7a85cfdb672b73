"""Old import path, kept for existing code: the names live in :mod:`magnets.physics.coercivity`."""

from magnets._compat import forward

__getattr__, __dir__ = forward(
    "magnets.physics.coercivity", "magnets.physics.beta", "magnets.physics.hree"
)
