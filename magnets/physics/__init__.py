"""Physics of one magnet: Br(T) and HcJ(T), load line, knee and rating (thermal),
coercivity against Dy/Tb per route (coercivity), the reference condition fitted to
catalogue ratings (calibration) and permeance coefficients from dimensions (geometry).

Pure functions over arrays; nothing here reads files or knows about BOMs or fleets.
"""
