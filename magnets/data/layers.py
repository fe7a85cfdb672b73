"""Which files make the library: the built-in folder and the user layers over it.

Pure path work (no pandas), so the cache key and the fast ``magnets show`` path can find
every file in use without loading any table.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from magnets.errors import Problem

#: the kinds of file a user layer may hold, by file-name prefix
USER_KINDS = ("grades", "compositions", "families", "alloys")


def _builtin_root() -> Path:
    return Path(str(resources.files("magnets.materials")))


def _collect(dirpath: Path, stem: str, subdir: str | None = None) -> list[Path]:
    files = sorted(dirpath.glob(f"{stem}*.csv"))
    if subdir and (dirpath / subdir).is_dir():
        files += sorted((dirpath / subdir).glob("*.csv"))
    return files


def _label(path: Path, root: Path, builtin: bool) -> str:
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = path
    return f"materials/{rel.as_posix()}" if builtin else str(path)


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha1()
    for p in paths:
        with contextlib.suppress(OSError):
            h.update(p.read_bytes())
    return h.hexdigest()[:10]


def _layers(user_dirs: tuple[Path, ...]) -> list[tuple[Path, bool]]:
    return [(_builtin_root(), True)] + [(Path(d), False) for d in user_dirs]


def user_dirs_from_env(extra: Iterable[str | Path] | None = None) -> tuple[Path, ...]:
    """User library folders: ``MAGNETS_LIBRARY`` (os.pathsep-separated) then ``extra``."""
    dirs: list[Path] = []
    env = os.environ.get("MAGNETS_LIBRARY", "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    dirs += [Path(p) for p in (extra or [])]
    return tuple(dirs)


def _layer_files(root: Path, builtin: bool, problems: list[Problem]) -> list[tuple[str, Path, str]]:
    """(table kind, path, label) of every file a layer contributes; problems for a bad layer."""
    if root.is_file() and not builtin:
        kind = next((k for k in USER_KINDS if root.name.startswith(k)), None)
        if kind is None or root.suffix.lower() != ".csv":
            problems.append(
                Problem(
                    str(root),
                    None,
                    None,
                    "a library file must be a CSV named grades*.csv, compositions*.csv, "
                    "families*.csv or alloys*.csv",
                )
            )
            return []
        return [(kind, root, str(root))]
    if not root.is_dir():
        problems.append(
            Problem(
                str(root),
                None,
                None,
                "library folder does not exist; give a folder holding grades*.csv files",
            )
        )
        return []
    found = {
        "grades": _collect(root, "grades", "grades"),
        "compositions": _collect(root, "compositions"),
        "families": _collect(root, "families"),
        "elements": _collect(root, "elements") if builtin else [],
        "export_controls": _collect(root, "export_controls") if builtin else [],
        "alloys": _collect(root, "alloys"),
        "supply": _collect(root, "supply") if builtin else [],
        "aliases": _collect(root, "aliases") if builtin else [],
    }
    if not builtin and not any(found.values()):
        problems.append(
            Problem(
                str(root),
                None,
                None,
                "no grades*.csv, grades/*.csv, compositions*.csv or families*.csv found here",
            )
        )
    return [(k, p, _label(p, root, builtin)) for k, paths in found.items() for p in paths]


__all__ = ["USER_KINDS", "user_dirs_from_env"]
