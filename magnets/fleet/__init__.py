"""Fleet element demand: the TOML spec (spec), the cohort stock-flow model and its result.

The old flat module ``magnets.fleet`` lived here; its public names are re-exported lazily.
"""

from magnets._compat import forward

__getattr__, __dir__ = forward("magnets.fleet.model")
