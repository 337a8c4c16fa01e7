"""Where commands print: ``console`` (stdout: results) and ``errors`` (stderr: problems, notes and the
progress bar)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

# Off a terminal (a pipe, a file, a test) tables are laid out 120 columns wide, the same everywhere.
console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 120)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr, drawn only on a terminal and erased when done; yields
    ``update(done, total=None)``, which takes the units finished (replications, runs) and, when the
    work still to do has changed, the new total."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=errors, transient=True, disable=not errors.is_terminal) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, total=None: bar.update(task, completed=done, total=total)
