"""How often each branch of a scenario was taken: triggers fired and conditional injects released.

Only scenarios with triggers or conditional injects have branches; for them summary.json gains a
``branches`` key (and nothing changes for the others). In the worker, :func:`replication_branches`
folds one replication's facts into counts: how many incidents each trigger fired on, which
conditional injects were released. :class:`BranchTotals` declares, for each, a (numerator,
denominator) pair in the aggregate's :class:`~drillsim.experiments.totals.Layout`, so that every
interval is over replications like every other interval in summary.json:

- a trigger's share of **replications** in which it fired at least once (Wilson);
- its share of **parent incidents** (incidents of the kind it watches) it fired on (Wilson with the
  replications' design effect);
- the mean number of times it fired per replication (t interval);
- a conditional inject's share of replications in which it was released (Wilson), among those that
  reached its time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from drillsim import facts as T
from drillsim.engine.model import Model
from drillsim.experiments.stats import round4, rounded_interval
from drillsim.experiments.totals import Layout, ReplicationTotals, interval, ratio, share_interval
from drillsim.facts import Fact
from drillsim.metrics import IncidentMetrics
from drillsim.scenario.distributions import Fixed
from drillsim.scenario.dynamics import Trigger
from drillsim.scenario.units import format_duration


@dataclass(slots=True)
class ReplicationBranches:
    """One replication's branches: trigger id → incidents it fired on; conditional inject id →
    released (present only for injects whose time came within the run)."""

    fired: Counter[str] = field(default_factory=Counter)
    released: dict[str, bool] = field(default_factory=dict)


def has_branches(model: Model) -> bool:
    """Whether the scenario has triggers or conditional injects."""
    return bool(model.triggers) or any(i.condition is not None for i in model.scripted)


def replication_branches(facts: list[Fact]) -> ReplicationBranches:
    """The branches one replication's facts took."""
    found = ReplicationBranches()
    for _, _, _, kind, _, subject, _ in facts:
        if kind is T.BRANCHED:
            found.fired[subject] += 1
        elif kind is T.RELEASED or kind is T.WITHHELD:
            found.released[subject] = kind is T.RELEASED
    return found


class BranchTotals:
    """The branch counts of a model, declared in an aggregate's :class:`Layout` (see the module)."""

    def __init__(self, model: Model, layout: Layout) -> None:
        self.model = model
        self.triggers = [
            (
                trigger,
                layout.declare(f"trigger:{trigger.id}/replication"),
                layout.declare(f"trigger:{trigger.id}/parent"),
                layout.declare(f"trigger:{trigger.id}/count"),
            )
            for trigger in model.triggers
        ]
        self.injects = [
            (inject.id, layout.declare(f"inject:{inject.id}"))
            for inject in model.scripted
            if inject.condition is not None
        ]

    def fold(self, rows: list[IncidentMetrics], branches: ReplicationBranches, vector: list[float]) -> None:
        """Add one replication's branches (``rows`` are its incidents) to its totals."""
        for trigger, once, per_parent, count in self.triggers:
            fired = branches.fired.get(trigger.id, 0)
            vector[once] += fired > 0
            vector[once + 1] += 1
            vector[per_parent] += fired
            vector[per_parent + 1] += sum(1 for row in rows if row.kind == trigger.parent)
            vector[count] += fired
            vector[count + 1] += 1
        for inject_id, at in self.injects:
            if inject_id in branches.released:
                vector[at] += branches.released[inject_id]
                vector[at + 1] += 1

    def summary(self, totals: ReplicationTotals) -> dict[str, Any]:
        """summary.json's ``branches``: ``triggers`` and ``injects``, each by id, in file order."""
        triggers = {}
        spec = self.model.scenario.triggers
        for trigger, once, per_parent, count in self.triggers:
            mean = ratio(totals, count, count + 1)
            triggers[trigger.id] = {
                "when": spec[trigger.id].describe(),
                "starts": trigger.starts,
                "severity": trigger.severity,
                "probability": trigger.probability,
                "delay": _delay(spec[trigger.id]),
                "replications": _share(totals, once),
                "parents": _share(totals, per_parent),
                "per_replication": {
                    "mean": round4(mean.value) if mean else None,
                    "ci95": rounded_interval(interval(totals, mean, (0.0, float("inf")))),
                },
            }
        injects = {}
        scripted = {i.id: i for i in self.model.scenario.injects}
        for inject_id, at in self.injects:
            inject = scripted[inject_id]
            assert inject.condition is not None
            injects[inject_id] = {
                "at": format_duration(inject.at),
                "kind": inject.kind,
                "text": inject.text,
                "condition": inject.condition.describe(),
                "released": _share(totals, at),
            }
        return {"triggers": triggers, "injects": injects}


def _delay(trigger: Trigger) -> str | None:
    """The trigger's delay in words; None when its effect is immediate."""
    delay = trigger.delay
    return None if isinstance(delay, Fixed) and delay.value == 0 else delay.describe()


def _share(totals: ReplicationTotals, at: int) -> dict[str, Any]:
    """``{"n", "p", "ci95"}`` of the share at ``at`` (numerator) over ``at + 1`` (denominator)."""
    share = ratio(totals, at, at + 1)
    return {
        "n": int(totals.sums[at + 1]),
        "p": round4(share.value) if share else None,
        "ci95": rounded_interval(share_interval(totals, at, at + 1)),
    }
