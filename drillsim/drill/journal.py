"""The drill journal: every action, appended as one JSON line and fsynced before it is shown.

``journal.jsonl`` starts with a header line (scenario, seed, players, speed) and holds one line per
action with its scenario time. Replaying the actions at their scenario times on the same seeded
engine rebuilds the exact state. A crash can tear the last line; reading recovers everything before
it. A damaged line elsewhere is reported with its line number.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class JournalError(Exception):
    """A journal that cannot be read back (missing, not a drill journal, damaged in the middle)."""


@dataclass(frozen=True)
class Entry:
    """One journaled action: its sequence number, scenario time, name, arguments and wall time."""

    seq: int
    time: float  # scenario minutes
    action: str
    args: dict[str, Any]
    wall: str  # ISO wall-clock time, for the report

    def as_json(self) -> str:
        return json.dumps(
            {"seq": self.seq, "time": self.time, "action": self.action, "args": self.args, "wall": self.wall},
            ensure_ascii=False,
        )


class Journal:
    """Append-only. ``append`` returns once the line is on disk."""

    def __init__(self, path: Path, header: dict[str, Any], entries: list[Entry]) -> None:
        self.path, self.header, self.entries = path, header, entries
        self._file = path.open("a", encoding="utf-8")
        try:  # one console per drill: a second writer would interleave entries
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._file.close()
            raise JournalError(f"{path}: the drill is open in another console") from None

    @classmethod
    def create(cls, path: Path, header: dict[str, Any]) -> Journal:
        with path.open("x", encoding="utf-8") as stream:  # never overwrite a journal
            stream.write(
                json.dumps({"journal": "drillsim", "version": 1, **header}, ensure_ascii=False) + "\n"
            )
            stream.flush()
            os.fsync(stream.fileno())
        return cls(path, header, [])

    @classmethod
    def open(cls, path: Path) -> Journal:
        """Read an existing journal for resuming; a torn last line is cut off the file."""
        header, entries, good_bytes = read_journal(path)
        with path.open("r+b") as stream:
            stream.truncate(good_bytes)
        return cls(path, header, entries)

    def append(self, time: float, action: str, args: dict[str, Any], wall: str) -> Entry:
        """Write one entry and wait until it is on disk; JournalError if it cannot be written."""
        entry = Entry(len(self.entries) + 1, time, action, args, wall)
        try:
            self._file.write(entry.as_json() + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise JournalError(
                f"{self.path}: the action could not be saved ({exc.strerror or exc}); it did not take effect"
            ) from None
        self.entries.append(entry)
        return entry

    def close(self) -> None:
        self._file.close()


def read_journal(path: Path) -> tuple[dict[str, Any], list[Entry], int]:
    """(header, entries, bytes of whole lines). Raises JournalError for anything but a torn tail."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise JournalError(f"{path}: no journal here") from None
    except OSError as exc:
        raise JournalError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    lines = raw.split(b"\n")
    complete = lines[:-1]  # the part after the last newline is torn (or empty)
    if not complete:
        raise JournalError(f"{path}:1: not a drillsim journal (no header line)")
    header = _parse(complete[0], path, 1)
    if header.get("journal") != "drillsim":
        raise JournalError(f"{path}:1: not a drillsim journal")
    entries = []
    for number, line in enumerate(complete[1:], start=2):
        data = _parse(line, path, number)
        try:
            entries.append(
                Entry(
                    int(data["seq"]),
                    float(data["time"]),
                    str(data["action"]),
                    dict(data["args"]),
                    str(data["wall"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise JournalError(
                f"{path}:{number}: damaged entry (expected seq, time, action, args, wall)"
            ) from None
        if entries[-1].seq != len(entries):
            raise JournalError(
                f"{path}:{number}: entry {entries[-1].seq} out of order (expected {len(entries)})"
            )
    return header, entries, sum(len(line) + 1 for line in complete)


def _parse(line: bytes, path: Path, number: int) -> dict[str, Any]:
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise JournalError(f"{path}:{number}: damaged line (not JSON)") from None
    if not isinstance(data, dict):
        raise JournalError(f"{path}:{number}: damaged line (not a JSON object)")
    return data
