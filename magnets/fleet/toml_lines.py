"""Line numbers for TOML key paths: ``tomllib`` reports none, so the text is scanned.

:class:`TomlLines` finds the table header of a key path (``[[segment]]`` number k,
``[scenario.NAME]``, ``[scenario.NAME.SEGMENT]`` or a ``[scenario]`` with dotted keys),
then the key inside that table, then nested keys on or after that line. Best effort:
None when unsure, and a message then names the key path alone.
"""

from __future__ import annotations

import re


class TomlLines:
    """Find the 1-based line of a key path in TOML text (best effort; None when unsure)."""

    _header = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str]] = []  # (0-based line, normalised dotted path)
        for i, line in enumerate(self.lines):
            m = self._header.match(line)
            if m:
                self.headers.append((i, self._norm(m.group(2))))

    @staticmethod
    def _norm(path: str) -> str:
        parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', path)
        return ".".join(next(p for p in part if p) if any(part) else "" for part in parts)

    def _block(self, header_index: int) -> tuple[int, int]:
        start = self.headers[header_index][0]
        end = (
            self.headers[header_index + 1][0]
            if header_index + 1 < len(self.headers)
            else len(self.lines)
        )
        return start, end

    def _find_key(self, key: str, start: int, end: int) -> int | None:
        pat = re.compile(r'(?:^|[\s{,.])["\']?' + re.escape(str(key)) + r'["\']?\s*[=.]')
        for i in range(start, end):
            if pat.search(code_part(self.lines[i])):
                return i
        return None

    def _walk(self, keys: tuple, start: int, end: int) -> int | None:
        found = None
        pos = start
        for key in keys:
            hit = self._find_key(str(key), pos, end)
            if hit is None:
                break
            found = pos = hit
        return found

    def line(self, path: tuple) -> int | None:
        if not path:
            return None
        if path[0] == "segment" and len(path) >= 2 and isinstance(path[1], int):
            segs = [k for k, (_, p) in enumerate(self.headers) if p == "segment"]
            if path[1] >= len(segs):
                return None
            start, end = self._block(segs[path[1]])
            hit = self._walk(path[2:], start, end)
            return (hit if hit is not None else start) + 1
        if path[0] == "scenario" and len(path) >= 2:
            name = str(path[1])
            for k, (_, p) in enumerate(self.headers):  # [scenario.NAME] or [scenario.NAME.SEGMENT]
                if p == f"scenario.{name}" or p.startswith(f"scenario.{name}."):
                    start, end = self._block(k)
                    rest = path[2:]
                    if (
                        p.startswith(f"scenario.{name}.")
                        and rest
                        and p == f"scenario.{name}.{rest[0]}"
                    ):
                        rest = rest[1:]
                    hit = self._walk(rest, start, end)
                    return (hit if hit is not None else start) + 1
            for k, (_, p) in enumerate(self.headers):  # [scenario] with dotted keys
                if p == "scenario":
                    start, end = self._block(k)
                    hit = self._walk(path[1:], start, end)
                    return None if hit is None else hit + 1
            hit = self._walk(path, 0, len(self.lines))
            return None if hit is None else hit + 1
        end = self.headers[0][0] if self.headers else len(self.lines)
        hit = self._walk(path, 0, end)
        return None if hit is None else hit + 1


def code_part(line: str) -> str:
    """The line without its comment (a # outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line
