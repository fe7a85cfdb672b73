"""The data layer: the library loaded from materials/ and validated (every problem as
file, line, column, message), chemistry through pymatgen, export-control rules, supply.

Nothing here computes physics: figures that come from a model are generated into the
CSV files by a script, so loading stays a pure read.
"""
