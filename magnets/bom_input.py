"""Old import path, kept for existing code: the names live in :mod:`magnets.bom.read`,
:mod:`magnets.bom.read_csv`, :mod:`magnets.bom.raw` and :mod:`magnets.bom.columns`."""

from magnets._compat import forward

__getattr__, __dir__ = forward(
    "magnets.bom.read", "magnets.bom.read_csv", "magnets.bom.raw", "magnets.bom.columns"
)
