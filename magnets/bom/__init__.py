"""Bills of materials: read, read_csv and raw (files into a RawBom), columns (aliases,
units), checks and messages (row defects), grades (per-grade arrays), evaluate (the one
pass), output, result and summary (what comes out), write (the files).

The old flat module ``magnets.bom`` lived here; its public names are re-exported lazily.
"""

from magnets._compat import forward

__getattr__, __dir__ = forward(
    "magnets.bom.evaluate",
    "magnets.bom.result",
    "magnets.bom.summary",
    "magnets.bom.write",
    "magnets.bom.messages",
    "magnets.bom.checks",
    "magnets.bom.grades",
    "magnets.bom.output",
    "magnets.bom.read",
    "magnets.bom.read_csv",
    "magnets.bom.raw",
    "magnets.bom.columns",
    package=__name__,
)
