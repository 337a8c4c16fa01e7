"""Writing files so that a crash never leaves a half-written one: temporary file, fsync, rename."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

# The signals that stop a command the way Ctrl-C does, leaving what it wrote whole: Ctrl-C, the
# terminal closed, kill.
STOP_SIGNALS = (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)


class WriteError(Exception):
    """A file cannot be written where it was asked for; the message names it and says why."""


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` in one piece; OSError when it cannot."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_file(path: Path, text: str, *, parents: bool = False) -> None:
    """``write_atomically``, first creating ``path``'s folder (and its parents) when ``parents``, and
    raising WriteError ("PATH: cannot be written: REASON") instead of OSError: for a file named by the
    user, whom the reason is for."""
    try:
        if parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text)
    except OSError as exc:
        raise WriteError(f"{path}: cannot be written: {exc.strerror or exc}") from None
