"""How a ``drillsim`` command ends: one table from the project's errors to exit codes, applied in one place.

Exit codes: 0 success, 2 bad input (with a message naming file, line and field), 130 stopped by Ctrl-C
(128 + SIGINT, what shells report for an interrupted command), 1 an internal failure (a traceback).

Commands do not catch the errors below: they raise, and ``ExitCodeGroup`` (the root command group)
prints the error on stderr and ends the command with its code. Any other exception is a bug and
keeps its traceback.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import typer
from typer.core import TyperGroup

from drillsim.cli.console import errors
from drillsim.fsutil import STOP_SIGNALS
from drillsim.scenario.errors import ScenarioError

BAD_INPUT = 2
INTERRUPTED = 128 + signal.SIGINT  # 130: the shells' code for a command stopped by Ctrl-C


class CommandError(Exception):
    """Bad input that a command finds itself (options that do not go together, nothing to work on);
    the message says what is wrong and what to do."""


# Each error by its qualified class name (so that a command's start does not import every module
# that defines one), with the exit code it ends the command with. A subclass is found through its
# bases: NoHistory is a StoreError, RunInterrupted a KeyboardInterrupt.
EXIT_CODES: dict[str, int] = {
    "drillsim.scenario.errors.ScenarioError": BAD_INPUT,  # printed as its problems, one a line
    "drillsim.experiments.sweep.GridError": BAD_INPUT,
    "drillsim.experiments.rundir.RunFolderError": BAD_INPUT,
    "drillsim.experiments.replicate.BackendError": BAD_INPUT,
    "drillsim.experiments.advise.AdviceError": BAD_INPUT,
    "drillsim.engine.world.EventBudgetError": BAD_INPUT,
    "drillsim.store.StoreError": BAD_INPUT,
    "drillsim.plans.PlanError": BAD_INPUT,
    "drillsim.report.writer.ReportError": BAD_INPUT,
    "drillsim.drill.session.DrillError": BAD_INPUT,
    "drillsim.drill.journal.JournalError": BAD_INPUT,
    "drillsim.calibration.history.HistoryError": BAD_INPUT,
    "drillsim.serve.ServeError": BAD_INPUT,
    "drillsim.room.client.RoomError": BAD_INPUT,
    "drillsim.room.protocol.ProtocolError": BAD_INPUT,
    "drillsim.fsutil.WriteError": BAD_INPUT,
    "drillsim.importers.common.ImportRefused": BAD_INPUT,
    "drillsim.cli.exits.CommandError": BAD_INPUT,
    "drillsim.experiments.rundir.RunInterrupted": INTERRUPTED,  # "interrupted: FOLDER keeps ..."
    "builtins.KeyboardInterrupt": INTERRUPTED,  # "interrupted", or "interrupted: " and its message
}


def exit_code(error: BaseException) -> int | None:
    """The exit code EXIT_CODES gives ``error`` (its most specific listed class), or None when it is not
    one of the project's errors."""
    for cls in type(error).__mro__:
        code = EXIT_CODES.get(f"{cls.__module__}.{cls.__qualname__}")
        if code is not None:
            return code
    return None


def explain(error: BaseException) -> None:
    """Print on stderr what stopped the command: a scenario's problems one a line, ``interrupted`` for
    Ctrl-C (followed by what was kept, when the interrupt says so), else ``error: MESSAGE``."""
    if isinstance(error, ScenarioError):
        for problem in error.problems:
            errors.print(str(problem), markup=False)
    elif isinstance(error, KeyboardInterrupt):
        errors.print(f"interrupted: {error}" if str(error) else "interrupted")
    else:
        errors.print(f"[red]error:[/] {error}")


class ExitCodeGroup(TyperGroup):
    """The ``drillsim`` command group: runs the command asked for and turns the errors in EXIT_CODES
    into their message and exit code (``typer.Exit``). Applies under ``CliRunner`` as on a terminal."""

    def invoke(self, ctx: Any) -> Any:  # a click Context: Typer's own click since 0.2x, click's before
        try:
            return super().invoke(ctx)
        except (Exception, KeyboardInterrupt) as error:
            code = exit_code(error)
            if code is None:
                raise
            explain(error)
            raise typer.Exit(code) from None


@contextmanager
def ctrl_c_stops_this_process_only() -> Iterator[None]:
    """Make Ctrl-C interrupt this process and not the workers it forks; closing the terminal (SIGHUP)
    and SIGTERM stop it the same way, so a run stopped by either still writes its run.json.

    Ctrl-C sends SIGINT to every process in the terminal's foreground group, process-pool workers
    included. A worker that gets it fails its chunk or dies with a traceback, and the pool can be left
    waiting for it for ever. Workers forked while this is in place inherit a handler that does nothing
    in them; this process gets KeyboardInterrupt as usual, cancels what is queued and lets the workers
    finish their chunk and exit. (Workers started by spawn or forkserver, and Dask's, do not inherit it.)
    """
    main_process = os.getpid()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if os.getpid() == main_process:
            raise KeyboardInterrupt

    previous = {stop: signal.signal(stop, interrupt) for stop in STOP_SIGNALS}
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
