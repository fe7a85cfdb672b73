"""magnets: a permanent-magnet material-substitution explorer.

The domain (this package) is pure functions over numpy/pandas plus the command line.
It never imports Textual; the terminal app lives in :mod:`magnets.tui`.
"""

__version__ = "0.1.0"
