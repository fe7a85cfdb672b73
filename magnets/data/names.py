"""Filter values that refuse typos: ``--family``, ``--route`` (and the TUI's filters).

:func:`pick` reads a comma list, matches each item case-insensitively to a known name and
returns the canonical names; an unknown item is an InputError with the closest names
(``unknown --route 'gdb-tb'; did you mean gbd-tb?``) instead of a silent empty result.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from magnets.errors import InputError


def pick(option: str, text: object, known: Iterable[str], extra: Iterable[str] = ()) -> list[str]:
    """Canonical names for the comma list ``text`` (each one of ``known`` or ``extra``, any
    case); InputError naming ``option``, the unknown item, did-you-mean and the choices."""
    names = [*known, *extra]
    by_fold = {n.casefold(): n for n in names}
    out = []
    for item in (s.strip() for s in str(text).split(",")):
        if not item:
            continue
        hit = by_fold.get(item.casefold())
        if hit is None:
            near = difflib.get_close_matches(item.casefold(), list(by_fold), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(by_fold[n] for n in near)}?" if near else ""
            raise InputError(
                f"unknown {option} {item!r}{hint} (expected one of {', '.join(names)})"
            )
        out.append(hit)
    if not out:
        raise InputError(f"expected {option} to name one of {', '.join(names)}, received none")
    return out
