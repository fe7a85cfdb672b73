"""Lazy re-exports (PEP 562) that keep the old flat import paths working.

Each old module (``magnets.library``, ``magnets.thermal``...) is now a few lines that
forward attribute look-ups to the module where the code lives, importing it only when a
name is first asked for.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any


def forward(
    *targets: str, package: str | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a module whose names live in ``targets``.

    Names are looked up in the target modules in order; the first that has one wins.
    ``package`` is the name of the package whose ``__init__`` forwards: a name that is
    one of its submodules is imported as that submodule, so that ``from pkg import sub``
    inside ``pkg.other`` does not first import every target (a cycle when a target
    imports ``pkg.other``).
    """

    found: dict[str, Any] = {}  # names already resolved: one search per name, not per access

    def __getattr__(name: str) -> Any:
        if name in found:
            return found[name]
        if name.startswith("__"):
            raise AttributeError(name)
        if package is not None and importlib.util.find_spec(f"{package}.{name}") is not None:
            found[name] = importlib.import_module(f"{package}.{name}")
            return found[name]
        for target in targets:
            module = importlib.import_module(target)
            if hasattr(module, name):
                found[name] = getattr(module, name)
                return found[name]
        raise AttributeError(f"module {targets[0]!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        names: set[str] = set()
        for target in targets:
            names.update(n for n in dir(importlib.import_module(target)) if not n.startswith("__"))
        return sorted(names)

    return __getattr__, __dir__
