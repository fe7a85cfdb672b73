"""Old import path, kept for existing code: the names live in :mod:`magnets.data.library`."""

from magnets._compat import forward

__getattr__, __dir__ = forward(
    "magnets.data.library",
    "magnets.data.schema",
    "magnets.data.tables",
    "magnets.data.loaders",
    "magnets.data.grades",
    "magnets.data.rating_columns",
)
