"""Old import path, kept for existing code: the names live in :mod:`magnets.data.library`."""

from magnets._compat import forward

__getattr__, __dir__ = forward("magnets.data.library")
