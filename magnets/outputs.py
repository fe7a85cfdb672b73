"""Output files that cannot hurt: one writer and one set of path checks for every command.

- :func:`write_atomic` writes through a temporary file. A regular file (new or existing) is
  replaced by a rename, so a crash, a bad input or SIGTERM never leaves it half written;
  the new file gets the mode the umask allows, an existing file keeps its mode, and a
  symbolic link keeps pointing where it did (its target is replaced). A special file (a
  device such as ``/dev/null``, a FIFO, a socket) and ``-`` (stdout) are never renamed
  over: the finished bytes are copied into them.
- :func:`check_outputs` refuses, before anything is written, an output that is a folder,
  in a missing or unwritable folder, the input file, or named twice (``-o f --summary f``).
- Messages name the user's path, never the temporary file.
- :func:`printable` makes text safe for a terminal (control characters shown as escapes);
  :class:`EscapingStdout` does the same to every text byte a command writes to stdout
  (tables, CSV, JSON, messages), while binary output (Parquet, XLSX, PNG to ``-o -``) goes
  to the real stdout unchanged.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from magnets.errors import InputError

#: ``-o -``: the output goes to stdout.
STDOUT = "-"
#: C0 controls except newline, DEL and C1 controls (ESC starts terminal escape sequences).
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
#: Exit status of a process ended by SIGTERM (128 + 15), as a shell reports it.
SIGTERM_EXIT = 128 + 15


def printable(text: object) -> str:
    r"""``text`` with every control character (ESC, BEL, CR, tab, ...) written as ``\xNN``,
    so a cell value cannot move the cursor, recolour or retitle the user's terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


#: The same controls as UTF-8 bytes (C1 controls are \xc2\x80-\xc2\x9f in UTF-8), less tab
#: (harmless on a terminal, and data in a cell): what stdout escapes.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def _escape_bytes(m: re.Match[bytes]) -> bytes:
    code = m.group()[-1]
    return f"\\x{code:02x}".encode("ascii")


class EscapingStdout(io.BufferedIOBase):
    """A byte stream over stdout's buffer that writes every control character but tab as
    ``\\xNN`` (as :func:`printable`), so no cell of a user's file can drive the terminal. A trailing
    ``\\xc2`` is held until the next write, so a C1 control split across two writes is
    still caught. ``raw`` is the stream underneath, for binary output."""

    def __init__(self, raw: Any) -> None:
        super().__init__()
        self.raw = raw
        self._held = b""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = self._held + bytes(data)
        self._held = b""
        if chunk.endswith(b"\xc2"):
            chunk, self._held = chunk[:-1], b"\xc2"
        if _CONTROL_BYTES.search(chunk):
            chunk = _CONTROL_BYTES.sub(_escape_bytes, chunk)
        self.raw.write(chunk)
        return len(data)

    def flush(self) -> None:
        if self._held:
            self.raw.write(self._held)
            self._held = b""
        self.raw.flush()

    def fileno(self) -> int:
        return int(self.raw.fileno())

    def isatty(self) -> bool:
        return bool(self.raw.isatty())

    def close(self) -> None:  # the real stdout stays open
        if not self.closed:
            self.flush()
        super().close()


@contextlib.contextmanager
def escaping_stdout() -> Iterator[None]:
    """While a command runs, ``sys.stdout`` escapes control characters (see
    :class:`EscapingStdout`); afterwards the original stdout is back, open."""
    original = sys.stdout
    buffer = getattr(original, "buffer", None)
    if buffer is None:  # an unusual stdout (no bytes underneath): leave it alone
        yield
        return
    wrapper = io.TextIOWrapper(
        EscapingStdout(buffer),  # type: ignore[type-var]  # a BufferedIOBase is a buffer
        encoding=getattr(original, "encoding", None) or "utf-8",
        errors=getattr(original, "errors", None) or "strict",
        newline="\n",
        line_buffering=bool(getattr(original, "line_buffering", False)),
        write_through=True,
    )
    original.flush()
    sys.stdout = wrapper
    try:
        yield
    finally:
        sys.stdout = original
        try:
            wrapper.flush()
        finally:
            wrapper.detach()


def binary_stdout() -> Any:
    """stdout's own byte stream, below any :class:`EscapingStdout` (for binary output)."""
    sys.stdout.flush()
    buffer = sys.stdout.buffer
    return buffer.raw if isinstance(buffer, EscapingStdout) else buffer


def is_special(path: str | os.PathLike[str]) -> bool:
    """True for ``-`` and for an existing file that is not a regular file or a folder
    (character or block device, FIFO, socket): those are written into, never replaced."""
    if str(path) == STDOUT:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _umask() -> int:
    """The process umask (read by setting and restoring it; under a lock for threads)."""
    with _UMASK_LOCK:
        old = os.umask(0o022)
        os.umask(old)
    return old


_UMASK_LOCK = threading.Lock()


def check_output(
    path: str | os.PathLike[str],
    option: str = "",
    input_path: str | os.PathLike[str] | None = None,
) -> None:
    """InputError (one line, the user's path, the fix) when ``path`` cannot be written."""
    if str(path) == STDOUT or is_special(path):
        return
    target = Path(path)
    label = f"{option} {target}" if option else str(target)
    if input_path is not None and _same_file(target, Path(input_path)):
        raise InputError(
            f"{label} is the input file; choose another output name so the input is not overwritten"
        )
    if target.is_dir():
        raise InputError(f"cannot write {label}: it is a folder; give a file name")
    folder = target.resolve().parent
    if not folder.is_dir():
        raise InputError(
            f"cannot write {label}: folder {target.parent} does not exist; create it first"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(
            f"cannot write {label}: folder {target.parent} is not writable; choose another folder"
        )
    if target.exists() and not os.access(target, os.W_OK):
        raise InputError(f"cannot write {label}: the file is read-only; choose another name")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def check_outputs(
    outputs: Iterable[tuple[str, str | os.PathLike[str] | None]],
    input_path: str | os.PathLike[str] | None = None,
) -> None:
    """Check every ``(option, path)`` before any is written: each one writable, none the
    input, no two the same file (``-o f --summary f`` would overwrite the table)."""
    seen: list[tuple[str, str | os.PathLike[str]]] = []
    for option, path in outputs:
        if path is None:
            continue
        check_output(path, option, input_path)
        for other_option, other in seen:
            both_stdout = str(path) == STDOUT and str(other) == STDOUT
            same = both_stdout or (
                str(path) != STDOUT
                and str(other) != STDOUT
                and (
                    Path(path).resolve() == Path(other).resolve()
                    or _same_file(Path(path), Path(other))
                )
            )
            if same and not (is_special(path) and str(path) != STDOUT):
                raise InputError(
                    f"{option} and {other_option} both name {path}; give each output its own file"
                )
        seen.append((option, path))


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While writing, SIGTERM raises SystemExit(143), so the temporary file is removed on
    the way out (only the main thread can install a handler; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(SIGTERM_EXIT)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _os_error(exc: OSError, target: str | os.PathLike[str]) -> InputError:
    where = "stdout" if str(target) == STDOUT else str(target)
    return InputError(
        f"cannot write {where}: {exc.strerror or exc}; check the path, its permissions and "
        "free space"
    )


def _copy_into(tmp: Path, target: str | os.PathLike[str], binary: bool) -> None:
    """Copy the finished temporary file into ``-`` (stdout) or a special file; text to
    stdout has its control characters escaped, binary goes below the escaping."""
    with open(tmp, "rb") as src:
        if str(target) == STDOUT:
            sys.stdout.flush()
            out = binary_stdout() if binary else sys.stdout.buffer
            shutil.copyfileobj(src, out)
            out.flush()
            return
        with open(target, "wb") as dst:  # a device or FIFO: opened, never created or renamed
            shutil.copyfileobj(src, dst)


def write_atomic(
    path: str | os.PathLike[str], writer: Callable[[Path], Any], binary: bool = False
) -> Path:
    """Call ``writer(tmp_path)`` on a temporary file, then put the bytes at ``path``.

    A regular file is replaced by a rename (its mode kept; a new file gets 0666 less the
    umask; a symbolic link's target is the file replaced). ``-`` and special files get the
    bytes copied in. If anything fails, or SIGTERM arrives, the temporary file is removed and
    ``path`` is untouched. An OSError becomes an InputError naming ``path``. ``binary``
    output (Parquet, XLSX, PNG) sent to ``-`` bypasses the control-character escaping.
    """
    special = is_special(path)
    target = Path(path) if special else Path(os.path.realpath(path))
    if not special:
        check_output(path)
    folder = None if special else target.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _os_error(exc, path) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        with _sigterm_raises():
            writer(tmp_path)
            if special:
                _copy_into(tmp_path, path, binary)
            else:
                try:
                    mode = stat.S_IMODE(os.stat(target).st_mode)
                except FileNotFoundError:
                    mode = 0o666 & ~_umask()
                os.chmod(tmp_path, mode)
                os.replace(tmp_path, target)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _os_error(exc, path) from None
    finally:
        tmp_path.unlink(missing_ok=True)
    return Path(path)
