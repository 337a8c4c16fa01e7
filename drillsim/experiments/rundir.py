"""Run folders: ``results/<UTC time>-<scenario id>/`` holding everything needed to reproduce a run.

- ``scenario.yaml``: the exact scenario, organisation included
- ``summary.json``: what the inputs determine (same bytes for the same scenario, seed, replications)
- ``metrics.csv``: one row per replication × incident
- ``run.json``: when, how long, on what (versions, workers), and whether the run completed
- ``trace.jsonl``: every timeline record, with ``--trace``
- ``coverage.json``: on-call coverage by hour of the week and the acknowledgement heatmap, with
  ``--coverage`` (written by the command after the run; see docs/structure.md)
- ``advice.json``: the changes ``drillsim advise FOLDER`` simulated against the run's scenario, ranked
  (see docs/advise.md)
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from drillsim.experiments.replicate import Replication
from drillsim.fsutil import STOP_SIGNALS, write_atomically
from drillsim.metrics import SEVERITY_MILESTONES, IncidentMetrics


class RunFolderError(Exception):
    """The output folder cannot be used (it exists and holds files, or cannot be created)."""


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
MAX_LABEL = 100


def folder_label(text: str) -> str:
    """``text`` made fit to follow the time stamp in a folder name: letters, digits, '-', '_' and '.'
    kept, anything else (path separators, spaces, control characters, non-ASCII) replaced by '_',
    at most MAX_LABEL characters.

    Scenario ids already have this form (``scenario.base.ID_PATTERN``), so for them nothing
    changes; the run folder stays one folder inside ``results`` even if that pattern is relaxed."""
    return _UNSAFE.sub("_", text)[:MAX_LABEL]


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by Ctrl-C after writing its folder from the replications that finished (its
    run.json says ``"status": "interrupted"``). The message says so, naming the folder."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"{folder} keeps the replications that finished (run.json says so)")
        self.folder = folder


class RunStatus:
    """How a run ended, for run.json: "complete", "interrupted" (Ctrl-C) or "failed"."""

    def __init__(self) -> None:
        self.value = "complete"


@contextmanager
def run_status(folder: Path) -> Iterator[RunStatus]:
    """Track how the work inside ends. Ctrl-C becomes RunInterrupted(folder); the caller writes what
    finished (in a ``finally`` around this block) with the status it ends with."""
    status = RunStatus()
    try:
        yield status
    except KeyboardInterrupt:
        status.value = "interrupted"
        raise RunInterrupted(folder) from None
    except BaseException:
        status.value = "failed"
        raise


def run_record(
    status: RunStatus, requested: int, completed: int, seed: int, workers: int, backend: str, **more: Any
) -> dict[str, Any]:
    """What every run.json says: how the run ended, the replications asked for and finished, the
    seed, and where it ran; ``more`` adds what a kind of run knows besides."""
    return {
        "status": status.value,
        "replications_requested": requested,
        "replications_completed": completed,
        "seed": seed,
        "workers": workers,
        "backend": backend,
        **more,
    }


@contextmanager
def one_step() -> Iterator[None]:
    """Keep a stop signal (Ctrl-C, a closed terminal, SIGTERM) from landing in the middle of the block:
    one replication's bookkeeping (the aggregate, metrics.csv, the count) happens whole or not at
    all. A signal that comes meanwhile is held and stops the run as KeyboardInterrupt when the block
    ends. Outside the main thread, where signals are not delivered, it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {stop: signal.signal(stop, lambda signum, frame: held.append(signum)) for stop in STOP_SIGNALS}
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
    if held:
        raise KeyboardInterrupt


def create_run_folder(out: Path | None, results: Path, scenario_id: str, now: dt.datetime) -> Path:
    """A new, empty folder for a run. Never reuses a folder that holds anything.

    Without ``out``: ``results/<UTC time>-<scenario_id>`` (``-2``, ``-3``… when taken), always a
    single folder directly inside ``results`` (see ``folder_label``)."""
    if out is not None:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise RunFolderError(
                f"{out} already exists and is not an empty folder; nothing was written "
                "(choose another --out, or remove it yourself)"
            )
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunFolderError(f"cannot create {out}: {exc.strerror or exc}") from None
        return out
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(1, 1000):
        folder = results / (f"{stamp}-{folder_label(scenario_id)}" + (f"-{attempt}" if attempt > 1 else ""))
        try:
            folder.mkdir(parents=True, exist_ok=False)
            return folder
        except FileExistsError:
            continue
        except OSError as exc:
            raise RunFolderError(f"cannot create {folder}: {exc.strerror or exc}") from None
    raise RunFolderError(f"too many runs of {scenario_id} at {stamp}")


class MetricsWriter:
    """Streams metrics.csv, one row per replication × incident; censored metrics are empty cells.
    With ``severities`` (each incident kind's severity, given when the scenario changes severities) a
    ``severity_at_M`` column per milestone M says the severity the incident had when it reached M
    (empty when it did not). With ``origins`` (given when the scenario has triggers) an ``origin``
    column says what started each incident: ``inject 1``, ``arrival 0``, ``trigger T of #N`` (the
    incident numbered N in the same replication)."""

    def __init__(
        self,
        stream: IO[str],
        names: list[str],
        severities: dict[str, str] | None = None,
        *,
        origins: bool = False,
    ) -> None:
        self.names, self.severities, self.origins = names, severities, origins
        self.writer = csv.writer(stream, lineterminator="\n")
        extra = [f"severity_at_{m}" for m in SEVERITY_MILESTONES] if severities is not None else []
        if origins:
            extra.append("origin")
        self.writer.writerow(
            ["replication", "incident", "kind", "occurred", *names, "pages", "escalations", *extra]
        )

    def add(self, replication: Replication) -> None:
        for row in replication.incidents:
            cells = ["" if row.values.get(n) is None else f"{row.values[n]:.4f}" for n in self.names]
            self.writer.writerow(
                [
                    replication.index,
                    row.number,
                    row.kind,
                    f"{row.occurred:.4f}",
                    *cells,
                    row.pages,
                    row.escalations,
                    *self._severities(row),
                    *([row.origin] if self.origins else []),
                ]
            )

    def _severities(self, row: IncidentMetrics) -> list[str]:
        if self.severities is None:
            return []
        at = row.severities
        return [
            "" if row.values.get(metric) is None else (at or {}).get(m, self.severities[row.kind])
            for m, metric in SEVERITY_MILESTONES.items()
        ]


class TraceWriter:
    """Writes every timeline record of each replication to trace.jsonl, one JSON object per line."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def add(self, replication: Replication) -> None:
        for record in replication.records or ():
            self.stream.write(json.dumps({"replication": replication.index, **record.as_dict()}) + "\n")


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_run(folder: Path) -> dict[str, Any]:
    """The summary.json of a simulation run folder, or RunFolderError saying what the folder lacks."""
    missing = [
        name for name in ("scenario.yaml", "summary.json", "metrics.csv") if not (folder / name).is_file()
    ]
    if missing:
        what = "a drill folder" if (folder / "journal.jsonl").is_file() else "not a run folder"
        raise RunFolderError(
            f"{folder}: {what} (no {', '.join(missing)}); give a scenario file or a folder from "
            "drillsim simulate"
        )
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"{folder / 'summary.json'}: damaged ({exc})") from None
    if not isinstance(summary, dict) or not {"seed", "replications", "readiness", "objectives"} <= set(
        summary
    ):
        raise RunFolderError(f"{folder / 'summary.json'}: damaged (not a run's summary)")
    return summary
