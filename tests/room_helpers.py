"""A drill room served in a subprocess (``drillsim drill --serve``), as the tests of the room reach it."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from drill_helpers import TUTORIAL, TUTORIAL_SEED
from yarl import URL

from drillsim.room.client import JoinedRoom, SeatLink


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServedRoom:
    """A room process and what it printed: the drill's id and each seat's link."""

    process: subprocess.Popen[str]
    drill: str
    links: dict[str, URL]
    cwd: Path
    output: list[str] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.cwd / "results" / "drills" / self.drill

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


def serve_room(cwd: Path, *arguments: str, host: str = "127.0.0.1", port: int | None = None) -> ServedRoom:
    """``drillsim drill ARGUMENTS --serve`` in ``cwd``, once it listens and has printed the links. The
    arguments default to the tutorial with chen and dara as players (seed TUTORIAL_SEED: dara is paged
    first) at real time, so that only the coordinator's skips move the clock far."""
    arguments = arguments or (str(TUTORIAL), "--players", "chen,dara", "--seed", str(TUTORIAL_SEED))
    command = [sys.executable, "-m", "drillsim", "drill", *arguments, "--serve", "--host", host]
    command += ["--port", str(port or free_port())]
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    output, drill, links = [], "", {}
    for line in process.stdout:
        output.append(line)
        if line.startswith("drill room "):
            drill = line.split()[2].rstrip(":")
        elif line.startswith("  ") and "/seat/" in line:
            url = URL(line.rsplit(": ", 1)[1].strip())
            links[url.path.split("/")[2]] = url
        elif line.startswith("Open the coordinator's link"):
            return ServedRoom(process, drill, links, cwd, output)
    pytest.fail(f"the room did not start (exit {process.wait()}):\n{''.join(output)}")


async def join(room: ServedRoom, seat: str) -> tuple[JoinedRoom, asyncio.Task[None]]:
    """A console joined to ``seat``, listening (the task ends with RoomError when the room goes)."""
    joined = await JoinedRoom.connect(SeatLink.parse(str(room.links[seat])))
    return joined, asyncio.get_running_loop().create_task(joined.listen())


async def until(condition: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    """Wait for ``condition``; fail saying ``what`` was awaited when it does not come."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds:g} s for {what}")
        await asyncio.sleep(0.05)
