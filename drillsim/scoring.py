"""Objectives and deadlines scored from simulated (or live) response times.

An objective is met by an incident when its metric is at most its target; a censored metric (not
reached by the end of the run) or an undetected incident is not met. Incidents the objective does
not apply to (another kind, or a kind without that milestone) are left out.

- ``p_met``: the share of applicable incidents that met the objective.
- Rating (HSEEP): P when p_met ≥ the P threshold (default 0.90), S ≥ 0.75, M ≥ 0.50, else U.
- Readiness: 100 × the weighted mean of the objectives' p_met.

Their intervals are computed over replications in :mod:`drillsim.experiments.totals`.
"""

from __future__ import annotations

from dataclasses import dataclass

from drillsim.metrics import IncidentMetrics, notify_metric
from drillsim.scenario.model import Objective, RatingThresholds, Scenario

RATINGS = ("P", "S", "M", "U")  # HSEEP, best first
RATING_WORDS = {
    "P": "performed without challenges",
    "S": "performed with some challenges",
    "M": "performed with major challenges",
    "U": "unable to be performed",
}


@dataclass(frozen=True)
class ScoredObjective:
    """An objective resolved for scoring: which metric key, which incident kinds, the target."""

    id: str
    metric: str  # a key of IncidentMetrics.values, e.g. time_to_contain or time_to_notify:REGIME/CLOCK
    target: float
    kinds: frozenset[str]
    weight: float

    def outcome(self, incident: IncidentMetrics) -> bool | None:
        """Met (True), not met (False), or None when the objective does not apply to this incident."""
        if incident.kind not in self.kinds or self.metric not in incident.values:
            return None
        value = incident.values[self.metric]
        return value is not None and value <= self.target


def scored_objectives(scenario: Scenario) -> list[ScoredObjective]:
    return [_scored(oid, objective, scenario) for oid, objective in scenario.objectives.items()]


def _scored(oid: str, objective: Objective, scenario: Scenario) -> ScoredObjective:
    metric = notify_metric(objective.clock) if objective.clock else objective.metric
    kinds = frozenset(objective.incidents or scenario.incidents)
    return ScoredObjective(oid, metric, objective.target, kinds, objective.weight)


def rating(p_met: float | None, thresholds: RatingThresholds) -> str | None:
    """The HSEEP rating of a probability of meeting an objective."""
    if p_met is None:
        return None
    if p_met >= thresholds.P:
        return "P"
    if p_met >= thresholds.S:
        return "S"
    return "M" if p_met >= thresholds.M else "U"


def readiness(p_met: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """100 × the weighted mean of the objectives' p_met (objectives with no incidents left out)."""
    scored = [(weights[oid], p) for oid, p in p_met.items() if p is not None]
    total = sum(w for w, _ in scored)
    return 100.0 * sum(w * p for w, p in scored) / total if total else None
