"""Write report.md and report.html into a run or drill folder, from the folder alone."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from drillsim.fsutil import write_atomically
from drillsim.plans import PlanItem
from drillsim.report.document import Document
from drillsim.scenario.errors import ScenarioError
from drillsim.scenario.loader import load_scenario


class ReportError(Exception):
    """The folder is not a complete run or drill (missing or damaged files)."""


def write_report(folder: Path, history: Sequence[Any] | None = None, plan: Sequence[PlanItem] = ()) -> Path:
    """A readiness report for a simulation run folder, an AAR/IP for a finished drill folder, with the
    scenario's recorded runs (``history``, for the trend) and its improvement items still to do
    (``plan``). Returns the HTML report's path."""
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such folder")
    if not any((folder / name).is_file() for name in ("journal.jsonl", "metrics.csv", "summary.json")):
        raise ReportError(
            f"{folder}: not a run folder (from drillsim simulate) nor a drill folder (from drillsim drill)"
        )
    scenario = _scenario(folder)
    try:
        if (folder / "journal.jsonl").is_file():
            document = _drill(folder, scenario, plan)
        else:
            from drillsim.report.readiness import readiness_report

            if not (folder / "metrics.csv").is_file():
                raise ReportError(
                    f"{folder}: not a run folder (no metrics.csv) nor a drill folder (no journal.jsonl)"
                )
            document = readiness_report(
                folder,
                scenario,
                _json(folder / "summary.json"),
                _json_or_empty(folder / "run.json"),
                history or [],
                _json(folder / "coverage.json") if (folder / "coverage.json").is_file() else None,
                plan,
                _json(folder / "advice.json") if (folder / "advice.json").is_file() else None,
            )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ReportError(
            f"{folder}: damaged results ({type(exc).__name__}: {exc}); "
            "regenerate the run with drillsim simulate"
        ) from None
    return _write(folder, document)


def _drill(folder: Path, scenario: Any, plan: Sequence[PlanItem]) -> Document:
    from drillsim.report.aar import aar_report

    if not (folder / "hotwash.json").is_file():
        raise ReportError(
            f"{folder}: the drill has not been through its hot wash yet (no hotwash.json); "
            f"finish it with: drillsim drill --resume {folder.name}"
        )
    hotwash = _json(folder / "hotwash.json")
    if "seed" not in hotwash:  # a hot wash written before hotwash.json carried the seed and start time
        hotwash |= _journal_start(folder / "journal.jsonl")
    return aar_report(folder, scenario, hotwash, plan)


def _journal_start(path: Path) -> dict[str, Any]:
    """The seed (from the header line) and the first action's wall time of a drill journal: the two
    facts older hotwash.json files lack. The journal's format is its header line then one JSON
    object per action (see drill/journal.py)."""
    try:
        with path.open(encoding="utf-8") as stream:
            header, first = json.loads(stream.readline()), stream.readline()
        return {
            "seed": header.get("seed"),
            "started": json.loads(first).get("wall") if first.strip() else None,
        }
    except (OSError, ValueError, AttributeError) as exc:
        raise ReportError(f"{path}: damaged ({exc})") from None


def _write(folder: Path, document: Document) -> Path:
    write_atomically(folder / "report.md", document.markdown())
    write_atomically(folder / "report.html", document.html())
    return folder / "report.html"


def _scenario(folder: Path) -> Any:
    try:
        return load_scenario(folder / "scenario.yaml")
    except ScenarioError as exc:
        raise ReportError(f"{folder}/scenario.yaml: {exc.problems[0].message}") from None


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: damaged ({exc})") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: damaged (not a JSON object)")
    return data


def _json_or_empty(path: Path) -> dict[str, Any]:
    return _json(path) if path.is_file() else {}
