"""Old import path, kept for existing code: the names live in :mod:`magnets.physics.thermal`."""

from magnets._compat import forward

__getattr__, __dir__ = forward("magnets.physics.thermal", "magnets.physics.beta")
