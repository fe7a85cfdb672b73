"""Bills of materials: read (columns, units, aliases), evaluate (one pass) and write.

The old flat module ``magnets.bom`` lived here; its public names are re-exported lazily.
"""

from magnets._compat import forward

__getattr__, __dir__ = forward("magnets.bom.evaluate")
