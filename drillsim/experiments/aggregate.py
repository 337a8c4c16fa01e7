"""Aggregate replications into summary.json: per metric, per incident kind, deadlines, time."""

from __future__ import annotations

from typing import Any

from drillsim.engine.model import Model
from drillsim.experiments.replicate import Replication
from drillsim.experiments.stats import MetricStats, _round
from drillsim.metrics import BREAKDOWN, METRICS, notify_metric
from drillsim.confidence import wilson
from drillsim.scoring import ObjectiveTally, rating, scored_objectives


def metric_names(model: Model) -> list[str]:
    """Every metric column this model can produce, in a stable order."""
    clocks = sorted({clock for kind in model.kinds.values() for clock in kind.clocks})
    return [*METRICS, *(notify_metric(c) for c in clocks)]


class Aggregate:
    """Streaming: memory depends on the number of metrics and kinds, not of replications."""

    def __init__(self, model: Model, seed: int, replications: int) -> None:
        self.model, self.seed = model, seed
        self.objectives = ObjectiveTally(scored_objectives(model.scenario), replications)
        self.names = metric_names(model)
        self.replications = 0
        self.incidents = 0
        self.overall = {name: MetricStats() for name in self.names}
        self.by_kind = {kid: {name: MetricStats() for name in self.names} for kid in model.kinds}
        self.deadlines: dict[str, list[int]] = {}  # clock → [n, met]
        self.breakdown = dict.fromkeys(BREAKDOWN, 0.0)
        self.pages = 0
        self.escalations = 0

    def add(self, replication: Replication) -> None:
        self.replications += 1
        self.objectives.add(replication.index, replication.incidents)
        for row in replication.incidents:
            self.incidents += 1
            self.pages += row.pages
            self.escalations += row.escalations
            for name, value in row.values.items():
                self.overall[name].add(value)
                self.by_kind[row.kind][name].add(value)
            for clock, met in row.deadlines.items():
                counts = self.deadlines.setdefault(clock, [0, 0])
                counts[0] += 1
                counts[1] += met
            for part, minutes in row.breakdown.items():
                self.breakdown[part] += minutes

    def summary(self, replications: int) -> dict[str, Any]:
        """summary.json: only what the inputs determine (no timings, versions or clock)."""
        per_incident = max(self.incidents, 1)
        thresholds = self.model.scenario.ratings
        p_met = self.objectives.p_met()
        score, interval = self.objectives.readiness()
        objectives = [
            {"id": o.id, "metric": o.metric, "target": o.target, "n": self.objectives.n[o.id],
             "p_met": _round(p_met[o.id]) if p_met[o.id] is not None else None,
             "ci95": _interval(wilson(self.objectives.met[o.id], self.objectives.n[o.id])),
             "rating": rating(p_met[o.id], thresholds)}
            for o in self.objectives.objectives
        ]
        return {
            "scenario": self.model.scenario.id,
            "replications": replications,
            "seed": self.seed,
            "unit": "minutes",
            "horizon": self.model.horizon,
            "incidents_per_replication": _round(self.incidents / max(self.replications, 1)),
            "readiness": {"score": _round(score) if score is not None else None, "ci95": _interval(interval),
                          "rating": rating(None if score is None else score / 100, thresholds)},
            "objectives": objectives,
            "metrics": _stats(self.overall),
            "incidents": {kid: {"metrics": _stats(stats)} for kid, stats in self.by_kind.items()},
            "deadlines": {clock: {"n": n, "p_met": _round(met / n) if n else None, "ci95": _interval(wilson(met, n)),
                                  "rating": rating(met / n if n else None, thresholds)}
                          for clock, (n, met) in sorted(self.deadlines.items())},
            "time_breakdown": {part: _round(total / per_incident) for part, total in self.breakdown.items()},
            "pages_per_incident": _round(self.pages / per_incident),
            "escalations_per_incident": _round(self.escalations / per_incident),
        }


def _interval(interval: tuple[float, float] | None) -> list[float | None]:
    return [_round(interval[0]), _round(interval[1])] if interval else [None, None]


def _stats(stats: dict[str, MetricStats]) -> dict[str, Any]:
    return {name: s.summary() for name, s in stats.items() if s.n or s.censored}
