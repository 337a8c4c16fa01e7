"""From pages and task durations to fits, and the overrides they make.

``calibrate`` takes what the readers produced — pages from drills, PagerDuty, CSV (``History``) and
task durations from drills — fits the acknowledgement model per organisation, role and person
(``hierarchy``) and each playbook task's duration, and turns the fits into overrides: for each
person the fit they were given (their own, or their role's), as ``ack_delay`` and, where pages said
anything about it, ``reachability``; for each task with enough completions, its ``duration``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from drillsim.calibration.fitting import Fit, Intervals, Sample, fit, intervals
from drillsim.calibration.hierarchy import MIN_ANSWERS, PRIOR_PAGES, Hierarchy, fit_hierarchy
from drillsim.calibration.history import History
from drillsim.calibration.overrides import lognormal, reachability
from drillsim.scenario.model import Scenario

TaskKey = tuple[str, str]  # (incident kind, playbook task)


@dataclass(frozen=True)
class TaskFit:
    """A playbook task's durations (completed, or censored: unfinished when the drill ended), what the
    scenario assumes, and the lognormal fit when at least MIN_ANSWERS were completed."""

    kind: str
    task: str
    assumed: str
    sample: Sample
    fit: Fit | None
    intervals: Intervals | None


@dataclass
class Calibration:
    """Everything a calibration found: the histories read, the acknowledgement fits, the task fits and
    the overrides they make (``PATH → VALUE``, in the scenario's order)."""

    scenario: Scenario
    histories: list[History]
    hierarchy: Hierarchy
    tasks: list[TaskFit]
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def provenance(self) -> str:
        """What it was fitted from, for people: ``2 recorded drill(s) and PagerDuty (3 files, …)``."""
        return " and ".join(h.described for h in self.histories) or "nothing"


def calibrate(
    scenario: Scenario,
    histories: Sequence[History],
    durations: dict[TaskKey, Sample] | None = None,
    *,
    weight: float = PRIOR_PAGES,
    samples: int = 199,
    seed: int = 0,
) -> Calibration:
    """Fit acknowledgements (shrinkage worth ``weight`` pages; goodness of fit over ``samples``
    bootstrap samples from ``seed``) and task durations, and make their overrides."""
    org = scenario.organisation
    pages = [page for history in histories for page in history.pages]
    hierarchy = fit_hierarchy(org, pages, weight=weight, samples=samples, seed=seed)
    tasks = []
    for kind_id, kind in scenario.incidents.items():
        for task_id, task in kind.playbook.items():
            sample = (durations or {}).get((kind_id, task_id))
            if sample is None or not len(sample):
                continue
            found = fit(sample) if sample.answers >= MIN_ANSWERS else None
            span = intervals(sample, found) if found is not None else None
            tasks.append(TaskFit(kind_id, task_id, task.duration.describe(), sample, found, span))
    result = Calibration(scenario, list(histories), hierarchy, tasks)
    for pid in org.people:
        if pid in hierarchy.people:
            estimate, _ = hierarchy.people[pid]
            result.overrides[f"people.{pid}.ack_delay"] = lognormal(estimate)
            reach = reachability(estimate, org.reachability_of(pid))
            if reach is not None:
                result.overrides[f"people.{pid}.reachability"] = reach
    for task_fit in tasks:
        if task_fit.fit is not None:
            path = f"incidents.{task_fit.kind}.playbook.{task_fit.task}.duration"
            result.overrides[path] = lognormal(task_fit.fit.estimate)
    return result
