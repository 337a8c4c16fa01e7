"""Ctrl-C in the middle of a run, as a terminal sends it: SIGINT to the whole foreground process
group (the command and its process-pool workers), with a progress bar on the terminal."""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import SCENARIOS
from typer.testing import CliRunner

from drillsim.cli import INTERRUPTED, app

TUTORIAL = str(SCENARIOS / "tutorial.yaml")
MANY = "1000000"  # replications: far more than finish before the interrupt
TIMEOUT_GRID = "escalation.all-incidents.levels[0].timeout"
COMMANDS = {
    "simulate": ["simulate", TUTORIAL, "-n", MANY, "--workers", "2"],
    "sweep": ["sweep", TUTORIAL, "--grid", f"{TIMEOUT_GRID}=2m,5m", "-n", MANY, "--workers", "2"],
    "compare": ["compare", TUTORIAL, "--set", f"{TIMEOUT_GRID}=2m", "-n", MANY, "--workers", "2"],
}
PROGRESS = re.compile(rb" [1-9][0-9]*/" + MANY.encode())  # the progress bar past zero


class Terminal:
    """A pseudo-terminal for a command's stderr, so that it draws its progress bar as it would for a user."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self.output = b""

    def read(self, until: re.Pattern[bytes] | None = None, timeout: float = 60.0) -> str:
        """Read what the command wrote, until ``until`` appears, or (without it) until it closes the
        terminal."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (until and until.search(self.output)):
            if select.select([self.master], [], [], 0.1)[0]:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the command has exited and closed its end
                    break
                if not chunk:
                    break
                self.output += chunk
        return self.output.decode("utf-8", errors="replace")

    def close(self) -> None:
        os.close(self.master)


def press_ctrl_c_during(
    arguments: list[str], cwd: Path, stop: signal.Signals = signal.SIGINT
) -> tuple[int, str]:
    """Run ``drillsim ARGUMENTS``, press Ctrl-C (or send ``stop`` to the terminal's process group, as
    closing the terminal sends SIGHUP) once its progress bar has moved, and return its exit code and
    what it wrote on the terminal. Fails if it does not exit within a minute of the signal."""
    terminal = Terminal()
    process = subprocess.Popen(
        [sys.executable, "-m", "drillsim", *arguments],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal.slave,
        start_new_session=True,
    )
    os.close(terminal.slave)
    try:
        assert PROGRESS.search(terminal.read(until=PROGRESS).encode()), terminal.output
        os.killpg(process.pid, stop)  # what the terminal does on Ctrl-C (or on closing)
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("still running a minute after Ctrl-C")
        return code, terminal.read()
    finally:
        terminal.close()


def files(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize(
    ("command", "stop"),
    [
        *((command, signal.SIGINT) for command in COMMANDS),
        ("simulate", signal.SIGHUP),  # the terminal was closed
        ("simulate", signal.SIGTERM),  # kill, or a scheduler stopping the job
    ],
    ids=lambda value: value.name if isinstance(value, signal.Signals) else value,
)
def test_ctrl_c_stops_a_run_cleanly_keeping_what_finished(
    command: str, stop: signal.Signals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit code 130, no traceback, one line saying what was kept; simulate and sweep leave a new folder
    whose run.json says "interrupted" with the replications that finished; nothing that was there before
    (an earlier run, the history database) changes. Closing the terminal (SIGHUP) and SIGTERM stop a run
    the same way."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DRILLSIM_DB", str(tmp_path / "history.db"))  # among the files that must not change
    earlier = CliRunner().invoke(app, ["simulate", TUTORIAL, "-n", "20", "--workers", "1"])
    assert earlier.exit_code == 0, earlier.output
    before = files(tmp_path)

    code, terminal = press_ctrl_c_during(COMMANDS[command], tmp_path, stop)

    assert code == INTERRUPTED == 130
    assert "Traceback" not in terminal and "Error" not in terminal
    assert "interrupted:" in terminal
    assert files(tmp_path).items() >= before.items(), "something that was there before changed"
    new = {path.parent for path in files(tmp_path)} - {path.parent for path in before}
    if command == "compare":
        assert not new and "nothing was written" in terminal
        return
    (folder,) = new
    assert str(folder.name) in terminal.replace("\r\n", "")
    run = json.loads((folder / "run.json").read_text())
    assert run["status"] == "interrupted"
    assert 0 < run["replications_completed"] < run["replications_requested"] == int(MANY)
    if command == "simulate":
        assert (
            json.loads((folder / "summary.json").read_text())["replications"] == run["replications_completed"]
        )
        with (folder / "metrics.csv").open() as rows:
            finished = {int(row["replication"]) for row in csv.DictReader(rows)}
        assert finished == set(range(run["replications_completed"]))
    else:
        assert len((folder / "sweep.csv").read_text().splitlines()) == 1 + 2  # header and both combinations


def test_workers_forked_by_the_command_ignore_ctrl_c() -> None:
    """The mechanism behind the clean stop, deterministically: a pool worker that gets SIGINT while it
    waits for work would die (and the pool could wait for it for ever); forked under the command's
    handler it ignores it and goes on serving."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from drillsim.cli import ctrl_c_stops_this_process_only

    with ctrl_c_stops_this_process_only(), ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
        worker = pool.submit(os.getpid).result()
        os.kill(worker, signal.SIGINT)
        time.sleep(0.2)  # delivered while the worker waits for its next task
        assert pool.submit(os.getpid).result() == worker
