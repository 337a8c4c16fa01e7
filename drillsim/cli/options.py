"""Options and arguments that several commands share, each defined once with its help text.

Each is an ``Annotated`` type to give a command parameter, with the default beside it:
``seed: Seed = 0``. The option's name comes from the parameter's name unless given here, so keep
the parameter names (``seed``, ``workers``, ``backend``, ``scheduler``) as they are. Options whose
help differs by command (--replications, --seed of simulate) are made by the functions below.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from drillsim.cli.exits import CommandError
from drillsim.workspace import DB_ENV, HISTORY_FILE, RESULTS

if TYPE_CHECKING:
    from drillsim.experiments import replicate

SEED_HELP = "Random seed; the same seed gives the same results"


def replications_option(help: str, *, minimum: int = 2, maximum: int = 10_000_000) -> Any:
    """--replications/-n, between ``minimum`` and ``maximum``."""
    return typer.Option("--replications", "-n", min=minimum, max=maximum, help=help)


def seed_option(help: str = f"{SEED_HELP} (variants run with it share random numbers).") -> Any:
    """--seed, any 63-bit number (the keyed streams hash it)."""
    return typer.Option(min=0, max=2**63 - 1, help=help)


class BackendChoice(StrEnum):
    """Where replications run (--backend)."""

    serial = "serial"
    process = "process"
    dask = "dask"


def backend_name(choice: BackendChoice | None) -> replicate.Backend | None:
    """The backend asked for with --backend, as the experiments take it (None: their default)."""
    return choice.value if choice else None


def worker_count(workers: int | None) -> int:
    """--workers, else every core."""
    from drillsim.experiments.replicate import default_workers

    return workers or default_workers()


def time_zone_name(name: str | None) -> str | None:
    """--timezone checked: an IANA time zone name, or None for the organisation's."""
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CommandError(
            f"--timezone '{name}' is not a time zone (expected an IANA name such as Europe/London or UTC)"
        ) from None
    return name


ScenarioFile = Annotated[Path, typer.Argument(help="A scenario file.")]
Replications = Annotated[int, replications_option("Replications per variant.")]
Seed = Annotated[int, seed_option()]
Workers = Annotated[
    int | None, typer.Option(min=1, max=1024, help="Processes to run on (default: every core).")
]
Backend = Annotated[
    BackendChoice | None,
    typer.Option(
        help="Where replications run: serial, process (a pool on this machine) or dask (a local Dask "
        "cluster, or --scheduler ADDRESS). Default: serial for one worker, else process."
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(metavar="ADDRESS", help="With --backend dask: join this Dask scheduler (tcp://host:8786)."),
]
OverridesFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--overrides",
        metavar="FILE",
        help="A file of PATH: VALUE overrides (as drillsim calibrate writes) to apply first.",
    ),
]
TimeZoneName = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        metavar="TZ",
        help="With --coverage: the time zone of the week, an IANA name (default: the organisation's).",
    ),
]
Db = Annotated[
    Path | None,
    typer.Option(
        "--db", help=f"History database (default: ${DB_ENV}, else {(RESULTS / HISTORY_FILE).as_posix()})."
    ),
]
NoHistoryFlag = Annotated[
    bool, typer.Option("--no-history", help="Keep this run out of the history (a smoke test, a trial).")
]
# One folder per use, rather than a switch that opens every path: a scenario file can then pull in the
# shared organisation file its coordinator meant, and nothing else (see docs/scenarios.md, Files).
OrganisationFrom = Annotated[
    list[Path] | None,
    typer.Option(
        "--allow-organisation-from",
        metavar="DIR",
        exists=True,
        file_okay=False,
        help="Also read the organisation file a scenario names (organisation: PATH) from DIR and its "
        "subfolders. Without it, only files in the scenario's own folder and its subfolders are read. "
        "Repeat for several folders.",
    ),
]
