"""A cache of the validated library, so every command does not re-read and re-check it.

:func:`cached_library` returns what :func:`magnets.data.library.load_library` would, from a
file in the user cache folder (``platformdirs.user_cache_dir("magnets")``, or
``MAGNETS_CACHE_DIR``) when one matches. The key is a SHA-256 over:

* the package version and the Python and pandas versions (the pickle format);
* the source of the loader itself (``magnets/data/*.py``), so an edited checkout never reads a
  library its old code built;
* every library file in use, built-in and user, by name and full content.

Anything that changes any of these gives a new key, so the cache is rebuilt; nothing is ever
served stale. A library with problems is never cached (its messages must come from a fresh
read). A cache file that cannot be read (truncated, from another version, not a library) is
ignored and replaced; a folder that cannot be written is ignored too: the cache only ever
saves time. ``MAGNETS_NO_CACHE=1`` turns it off. The file is a pickle written by this
package into the user's own cache folder, read by nothing else; a folder other users can
write to should not be used as ``MAGNETS_CACHE_DIR``.

Only the loaded library is cached (frames and problems, a few hundred KB); what is fitted to
it is still fitted per run. Reading it needs no pymatgen: the molar masses and oxide factors
it holds were computed when it was built.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from magnets.data.library import Library

#: Cache files kept per folder (the newest ones; older keys are removed when a new one is written).
KEEP = 8
_PREFIX = "library-"


def cache_dir() -> Path | None:
    """The folder for cache files, or None when caching is off."""
    if os.environ.get("MAGNETS_NO_CACHE", "").strip() not in ("", "0"):
        return None
    env = os.environ.get("MAGNETS_CACHE_DIR", "").strip()
    if env:
        return Path(env)
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return Path(platformdirs.user_cache_dir("magnets", appauthor=False))


def _files(dirs: tuple[Path, ...]) -> list[tuple[str, Path]] | None:
    """(label, path) of every file the library would read; None when a layer is not readable
    as a library (the loader reports that, so there is nothing to cache)."""
    from magnets.data.layers import _layer_files, _layers

    problems: list = []
    out = [(label, path) for root, builtin in _layers(dirs) for _, path, label in
           _layer_files(root, builtin, problems)]  # fmt: skip
    return None if problems else out


def content_key(dirs: tuple[Path, ...]) -> str | None:
    """A key over the package version, the loader's source and every library file in use
    (no pandas needed: the fast ``show`` path uses it), or None when it cannot be cached."""
    from magnets import __version__

    files = _files(dirs)
    if files is None:
        return None
    h = hashlib.sha256()
    for part in (__version__, sys.version):
        h.update(part.encode() + b"\0")
    for src in sorted(Path(__file__).parent.glob("*.py")):
        h.update(src.name.encode() + b"\0" + src.read_bytes() + b"\0")
    try:
        for label, path in files:
            data = path.read_bytes()
            h.update(f"{label}\0{len(data)}\0".encode() + data)
    except OSError:
        return None  # unreadable: the loader says why
    return h.hexdigest()[:32]


def library_key(dirs: tuple[Path, ...]) -> str | None:
    """The cache key of the library these layers make (the content key and the pandas
    version, which fixes the pickle format), or None when it cannot be cached."""
    import pandas

    key = content_key(dirs)
    if key is None:
        return None
    return hashlib.sha256(f"{key}\0{pandas.__version__}".encode()).hexdigest()[:32]


def _read(path: Path) -> Library | None:
    from magnets.data.library import Library

    try:
        with path.open("rb") as fh:
            lib = pickle.load(fh)
    except Exception:  # any unreadable cache is ignored and rebuilt
        return None
    return lib if isinstance(lib, Library) and not lib.problems else None


def replace_file(folder: Path, path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` in ``folder`` atomically (temp file, then rename); a folder
    that cannot be written is ignored (the cache only ever saves time)."""
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _write(folder: Path, path: Path, lib: Library) -> None:
    replace_file(folder, path, pickle.dumps(lib, protocol=pickle.HIGHEST_PROTOCOL))
    with contextlib.suppress(OSError):
        old = sorted(folder.glob(f"{_PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-KEEP]:
            stale.unlink()


def _pymatgen_version() -> str:
    from importlib import metadata

    for dist in ("pymatgen-core", "pymatgen"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            return f"{dist}-{metadata.version(dist)}"
    return "unknown"


def chemistry_table(compute: Callable[[], dict]) -> dict:
    """The pymatgen figures of :func:`magnets.data.chemistry.pymatgen_table`, from the cache
    when this pymatgen version computed them before, else ``compute()`` (then cached)."""
    folder = cache_dir()
    if folder is None:
        return compute()
    key = hashlib.sha256(
        f"{_pymatgen_version()}\0{(Path(__file__).parent / 'chemistry.py').read_bytes()!r}".encode()
    ).hexdigest()[:16]
    path = folder / f"chemistry-{key}.json"
    with contextlib.suppress(Exception):
        table = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(table, dict) and {"mass", "oxide"} <= set(table):
            return table
    table = compute()
    replace_file(folder, path, json.dumps(table).encode("utf-8"))
    return table


def cached_library(user_dirs: Iterable[str | Path] | None = None) -> Library:
    """The library of these layers: from the cache when it matches, else loaded and cached."""
    from magnets.data.library import load_library

    dirs = tuple(Path(d).resolve() for d in (user_dirs or ()))
    folder = cache_dir()
    key = library_key(dirs) if folder is not None else None
    if folder is None or key is None:
        return load_library(dirs)
    path = folder / f"{_PREFIX}{key}.pickle"
    lib = _read(path)
    if lib is not None:
        return lib
    lib = load_library(dirs)
    if not lib.problems:
        _write(folder, path, lib)
    return lib


__all__ = [
    "KEEP",
    "cache_dir",
    "cached_library",
    "chemistry_table",
    "content_key",
    "library_key",
    "replace_file",
]
