"""Calibration: fit acknowledgement delays and task durations from recorded drills.

Each finished drill's journal says when the room acknowledged each page and finished each task.
Replaying it gives the page and start times, hence the observed delays. Acknowledgement delays are
pooled per role (every role of the person who answered), task durations per playbook task; each
is fitted with a lognormal by maximum likelihood and written as the scenario language writes it
(median and 95th percentile). With fewer than ``MIN_OBSERVATIONS`` values nothing is fitted.
The fits are written as an overrides file (``write_overrides``) that simulate, compare and sweep accept.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillsim.drill.session import DrillSession
from drillsim.experiments.rundir import folder_label
from drillsim.fsutil import write_file
from drillsim.scenario.distributions import Z95
from drillsim.scenario.model import Scenario
from drillsim.scenario.units import format_duration

MIN_OBSERVATIONS = 5


@dataclass
class Fit:
    """One fitted delay: what it is, what the scenario assumes, the observations and the lognormal fit."""

    what: str  # "ack role:safety-engineer" or "task weight-exfil/triage"
    assumed: str
    n: int
    median: float | None = None
    p95: float | None = None

    @property
    def fitted(self) -> bool:
        return self.median is not None


def observations(folders: list[Path]) -> tuple[dict[str, list[float]], dict[tuple[str, str], list[float]]]:
    """Acknowledgement delays per role and task durations per (incident kind, task), in minutes."""
    acks: dict[str, list[float]] = defaultdict(list)
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    for folder in folders:
        session = DrillSession.resume(folder)
        try:
            people = session.scenario.organisation.people
            for entry in session.journal.entries:
                if entry.action == "acknowledge" and (page := session.page(entry.args["page"])) is not None:
                    for role in people[page.person].roles:
                        acks[role].append(entry.time - page.at)
                elif entry.action == "complete" and (task := session.task(entry.args["task"])) is not None:
                    kind = session.world.incidents[task.incident].kind.id
                    durations[(kind, task.task)].append(entry.time - task.started)
        finally:
            session.close()
    return acks, durations


def fit_lognormal(values: list[float]) -> tuple[float, float] | None:
    """(median, p95) of the maximum-likelihood lognormal, or None when it cannot be fitted."""
    positive = [v for v in values if v > 0]
    if len(positive) < MIN_OBSERVATIONS:
        return None
    logs = [math.log(v) for v in positive]
    mu, sigma = statistics.fmean(logs), statistics.stdev(logs)
    if sigma <= 0:
        return None
    return math.exp(mu), math.exp(mu + Z95 * sigma)


def calibrate(scenario: Scenario, folders: list[Path]) -> tuple[list[Fit], dict[str, Any]]:
    """The fits (fitted or not, with what the scenario assumed) and the overrides they make."""
    acks, durations = observations(folders)
    org = scenario.organisation
    fits: list[Fit] = []
    overrides: dict[str, Any] = {}
    for role in sorted({r for p in org.people.values() for r in p.roles}):
        values = acks.get(role, [])
        assumed = ", ".join(sorted({org.ack_delay_of(p).describe() for p in org.holders(role)}))
        fits.append(_fit(f"acknowledgement · role {role}", assumed, values))
        if fits[-1].fitted:
            for person in org.holders(role):
                overrides.setdefault(f"people.{person}.ack_delay", _lognormal(fits[-1]))
    for kind_id, kind in scenario.incidents.items():
        for task_id, task in kind.playbook.items():
            values = durations.get((kind_id, task_id), [])
            fits.append(_fit(f"duration · {kind_id}/{task_id}", task.duration.describe(), values))
            if fits[-1].fitted:
                overrides[f"incidents.{kind_id}.playbook.{task_id}.duration"] = _lognormal(fits[-1])
    return fits, overrides


def _fit(what: str, assumed: str, values: list[float]) -> Fit:
    fitted = fit_lognormal(values)
    return Fit(what, assumed, len(values), *(fitted or (None, None)))


def _lognormal(fit: Fit) -> dict[str, Any]:
    assert fit.median is not None and fit.p95 is not None
    median = format_duration(round(fit.median * 60) / 60)
    p95 = format_duration(max(round(fit.p95 * 60), round(fit.median * 60) + 1) / 60)
    return {"lognormal": {"median": median, "p95": p95}}


def overrides_yaml(overrides: dict[str, Any], scenario: Scenario, drills: int) -> str:
    """The overrides as a file ``simulate`` and ``compare`` accept with ``--overrides``."""
    lines = [
        f"# drillsim calibrate: fitted from {drills} recorded drill(s) of organisation "
        f"{scenario.organisation.id}.",
        "# Use with: drillsim simulate SCENARIO --overrides THIS_FILE (or compare, sweep).",
    ]
    for path, value in overrides.items():
        inner = value["lognormal"]
        lines.append(f"{path}: {{lognormal: {{median: {inner['median']}, p95: {inner['p95']}}}}}")
    return "\n".join(lines) + "\n"


def overrides_path(results: Path, scenario: Scenario) -> Path:
    """Where the overrides go when the user names no file: ``RESULTS/ID.calibrated.yaml``, ID being the
    scenario id made fit for a file name (``folder_label``)."""
    return results / f"{folder_label(scenario.id)}.calibrated.yaml"


def write_overrides(path: Path, overrides: dict[str, Any], scenario: Scenario, drills: int) -> None:
    """Write ``overrides_yaml`` to ``path`` atomically, creating its folder; WriteError naming the file
    and the reason when it cannot be written."""
    write_file(path, overrides_yaml(overrides, scenario, drills), parents=True)
