"""Objectives and deadlines scored from simulated (or live) response times.

An objective is met by an incident when its metric is at most its target; a censored metric (not
reached by the end of the run) or an undetected incident is not met. Incidents the objective does
not apply to (another kind, or a kind without that milestone) are left out.

- ``p_met``: the share of applicable incidents that met the objective, with a 95% Wilson interval.
- Rating (HSEEP): P when p_met ≥ the P threshold (default 0.90), S ≥ 0.75, M ≥ 0.50, else U.
- Readiness: 100 × the weighted mean of the objectives' p_met, with a 95% interval from batch means
  over replications (objectives measured in the same replications are correlated, so the interval
  comes from replication batches rather than from the objectives' own intervals).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from drillsim.confidence import t_quantile_975
from drillsim.metrics import IncidentMetrics, notify_metric
from drillsim.scenario.model import Objective, RatingThresholds, Scenario

BATCHES = 20


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


class ObjectiveTally:
    """Counts of incidents meeting each objective, overall and per batch of replications."""

    def __init__(self, objectives: list[ScoredObjective], replications: int) -> None:
        self.objectives = objectives
        self.replications = replications
        self.met = dict.fromkeys((o.id for o in objectives), 0)
        self.n = dict.fromkeys((o.id for o in objectives), 0)
        self.batches = min(BATCHES, max(replications, 1))
        self.batch_met = [dict.fromkeys(self.met, 0) for _ in range(self.batches)]
        self.batch_n = [dict.fromkeys(self.met, 0) for _ in range(self.batches)]

    def add(self, replication: int, incidents: Iterable[IncidentMetrics]) -> None:
        batch = replication * self.batches // max(self.replications, 1)
        for incident in incidents:
            for objective in self.objectives:
                outcome = objective.outcome(incident)
                if outcome is None:
                    continue
                self.n[objective.id] += 1
                self.batch_n[batch][objective.id] += 1
                if outcome:
                    self.met[objective.id] += 1
                    self.batch_met[batch][objective.id] += 1

    def p_met(self) -> dict[str, float | None]:
        return {oid: self.met[oid] / self.n[oid] if self.n[oid] else None for oid in self.met}

    def readiness(self) -> tuple[float | None, tuple[float, float] | None]:
        """The readiness score and its 95% interval: the score ± the t half-width of the scores of
        batches of replications."""
        weights = {o.id: o.weight for o in self.objectives}
        score = readiness(self.p_met(), weights)
        batches = [readiness({oid: (m[oid] / n[oid] if n[oid] else None) for oid in m}, weights)
                   for m, n in zip(self.batch_met, self.batch_n, strict=True)]
        values = [b for b in batches if b is not None]
        if score is None or len(values) < 2:
            return score, None
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
        half = t_quantile_975(len(values) - 1) * sd / math.sqrt(len(values))
        return score, (max(0.0, score - half), min(100.0, score + half))
