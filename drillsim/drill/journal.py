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


COORDINATOR = "coordinator"  # the seat of every action in journals written before seats were recorded


@dataclass(frozen=True)
class Entry:
    """One journaled action: its sequence number, scenario time, name, arguments, wall time, and the
    seat that took it (see drill/seats.py)."""

    seq: int
    time: float  # scenario minutes
    action: str
    args: dict[str, Any]
    wall: str  # ISO wall-clock time, for the report
    seat: str = COORDINATOR

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "action": self.action,
            "args": self.args,
            "wall": self.wall,
            "seat": self.seat,
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        """An entry from its JSON object (a journal line, or a drill room message); KeyError, TypeError
        or ValueError when it is not one."""
        return cls(
            int(data["seq"]),
            float(data["time"]),
            str(data["action"]),
            dict(data["args"]),
            str(data["wall"]),
            str(data.get("seat", COORDINATOR)),
        )


class Journal:
    """Append-only. ``append`` returns once the line is on disk. A replica (a console joined to a drill
    room elsewhere) holds the room's entries in memory and writes nothing."""

    def __init__(
        self, path: Path, header: dict[str, Any], entries: list[Entry], *, on_disk: bool = True
    ) -> None:
        self.path, self.header, self.entries = path, header, entries
        self._file = path.open("a", encoding="utf-8") if on_disk else None
        if self._file is None:
            return
        try:  # one drill room per drill: a second writer would interleave entries
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._file.close()
            raise JournalError(f"{path}: the drill is open in another console") from None

    @classmethod
    def replica(cls, path: Path, header: dict[str, Any]) -> Journal:
        """A journal kept in memory, filled with the entries a drill room sends."""
        return cls(path, header, [], on_disk=False)

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

    def append(
        self, time: float, action: str, args: dict[str, Any], wall: str, seat: str = COORDINATOR
    ) -> Entry:
        """Write one entry and wait until it is on disk; JournalError if it cannot be written."""
        entry = Entry(len(self.entries) + 1, time, action, args, wall, seat)
        if self._file is None:
            raise JournalError(
                f"{self.path}: a joined console's copy of the journal; only the room writes it"
            )
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

    def receive(self, entry: Entry) -> None:
        """A replica: take the next entry the drill room wrote (JournalError when one is missing)."""
        if entry.seq != len(self.entries) + 1:
            raise JournalError(f"{self.path}: entry {entry.seq} arrived, expected {len(self.entries) + 1}")
        self.entries.append(entry)

    def close(self) -> None:
        if self._file is not None:
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
            entries.append(Entry.from_dict(data))
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
