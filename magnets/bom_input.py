"""Old import path, kept for existing code: the names live in :mod:`magnets.bom.read` and
:mod:`magnets.bom.columns`."""

from magnets._compat import forward

__getattr__, __dir__ = forward("magnets.bom.read", "magnets.bom.columns")
