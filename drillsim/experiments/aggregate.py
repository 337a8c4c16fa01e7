"""Aggregate replications into summary.json: per metric, per incident kind, objectives, deadlines, time.

Point values are pooled over every incident of every replication (a metric's mean is the mean of
all its uncensored values; a share met is met / applicable over all incidents). Every interval is
computed over replications (:mod:`drillsim.experiments.totals`): each replication contributes its
totals, so incidents that shared people and queues are never counted as independent observations.
Percentiles, the standard deviation and the maximum describe the pooled distribution.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from drillsim.engine.model import Model
from drillsim.experiments.branches import BranchTotals, has_branches
from drillsim.experiments.causes import CauseTotals
from drillsim.experiments.replicate import Replication
from drillsim.experiments.stats import MetricStats, round4, rounded_interval
from drillsim.experiments.totals import (
    Layout,
    Linear,
    ReplicationTotals,
    interval,
    ratio,
    share_interval,
    weighted_shares,
)
from drillsim.metrics import BREAKDOWN, METRICS, IncidentMetrics, notify_metric
from drillsim.scoring import rating, scored_objectives

ALL_KINDS = "*"  # the layout key prefix of a metric over every incident kind


def metric_names(model: Model) -> list[str]:
    """Every metric column this model can produce, in a stable order."""
    return [*METRICS, *model.extra_metrics, *(notify_metric(c) for c in model_clocks(model))]


def model_clocks(model: Model) -> list[str]:
    """Every regulatory clock of the model's incident kinds, sorted."""
    return sorted({clock for kind in model.kinds.values() for clock in kind.clocks})


class Scores:
    """The objectives and regulatory deadlines of a model, declared in a :class:`Layout`: for each, a
    replication's total of incidents meeting it and of incidents it applies to."""

    def __init__(self, model: Model, layout: Layout) -> None:
        self.objectives = scored_objectives(model.scenario)
        self.objective_at = [layout.declare(f"objective:{o.id}") for o in self.objectives]
        self.deadline_at = {clock: layout.declare(f"deadline:{clock}") for clock in model_clocks(model)}
        # clocks that start at a task or a decision → how they start, and how many detected incidents
        # ended the run with the clock not started (neither met nor missed)
        self.starts = {
            clock: f"{what}:{name}"
            for kind in model.kinds.values()
            for clock, (what, name) in kind.clock_starts.items()
        }
        self.not_started = dict.fromkeys(sorted(self.starts), 0)

    def fold(self, row: IncidentMetrics, vector: list[float]) -> None:
        """Add one incident's outcomes to a replication's totals."""
        for objective, at in zip(self.objectives, self.objective_at, strict=True):
            outcome = objective.outcome(row)
            if outcome is not None:
                vector[at] += outcome
                vector[at + 1] += 1
        for clock, met in row.deadlines.items():
            at = self.deadline_at[clock]
            vector[at] += met
            vector[at + 1] += 1
        for clock in row.not_started:
            self.not_started[clock] += 1

    def readiness(self, totals: ReplicationTotals, offset: int = 0) -> Linear | None:
        """The readiness score (0–100) from ``totals``, where the layout starts at ``offset``."""
        return weighted_shares(
            totals,
            [
                (offset + at, offset + at + 1, o.weight)
                for o, at in zip(self.objectives, self.objective_at, strict=True)
            ],
        )


class Aggregate:
    """Streaming: memory depends on the number of metrics, kinds and objectives, not of replications.
    Replications must be added in replication order (what makes summary.json byte-identical for any
    backend, worker count and chunk size). With ``causes``, replications carry their causes
    (``run_replication(..., causes=True)``) and summary.json has a ``causes`` key. A model with
    triggers or conditional injects adds a ``branches`` key (see :mod:`.branches`)."""

    def __init__(self, model: Model, seed: int, causes: bool = False) -> None:
        self.model, self.seed = model, seed
        self.causes = CauseTotals(model) if causes else None
        self.names = metric_names(model)
        self.replications = 0
        self.incidents = 0
        self.overall = {name: MetricStats() for name in self.names}
        self.by_kind = {kid: {name: MetricStats() for name in self.names} for kid in model.kinds}
        self.breakdown = dict.fromkeys(BREAKDOWN, 0.0)
        self.pages = 0
        self.escalations = 0
        self.layout = Layout()
        self.scores = Scores(model, self.layout)
        self._metric_at = {
            (kind, name): self.layout.declare(f"metric:{kind}/{name}")
            for kind in (ALL_KINDS, *model.kinds)
            for name in self.names
        }
        self.branches = BranchTotals(model, self.layout) if has_branches(model) else None
        self.totals = ReplicationTotals(self.layout.size)

    def add(self, replication: Replication) -> list[float]:
        """Fold in the next replication; returns its totals, in :attr:`layout` order."""
        self.replications += 1
        vector = [0.0] * self.layout.size
        metric_at = self._metric_at
        for row in replication.incidents:
            self.incidents += 1
            self.pages += row.pages
            self.escalations += row.escalations
            by_kind = self.by_kind[row.kind]
            for name, value in row.values.items():
                self.overall[name].add(value)
                by_kind[name].add(value)
                if value is not None:
                    for at in (metric_at[ALL_KINDS, name], metric_at[row.kind, name]):
                        vector[at] += value
                        vector[at + 1] += 1
            self.scores.fold(row, vector)
            for part, minutes in row.breakdown.items():
                self.breakdown[part] += minutes
        if self.causes is not None:
            assert replication.causes is not None, "replications run with causes=True"
            self.causes.add(replication.causes)
        if self.branches is not None:
            assert replication.branches is not None, "replications of a model with branches have them"
            self.branches.fold(replication.incidents, replication.branches, vector)
        self.totals.add(np.array(vector))
        return vector

    def summary(self) -> dict[str, Any]:
        """summary.json: only what the inputs determine (no timings, versions or clock)."""
        per_incident = max(self.incidents, 1)
        thresholds = self.model.scenario.ratings
        totals = self.totals
        score = self.scores.readiness(totals)
        objectives: list[dict[str, Any]] = []
        for o, at in zip(self.scores.objectives, self.scores.objective_at, strict=True):
            p_met = ratio(totals, at, at + 1)
            objectives.append(
                {
                    "id": o.id,
                    "metric": o.metric,
                    "target": o.target,
                    "n": int(totals.sums[at + 1]),
                    "p_met": round4(p_met.value) if p_met else None,
                    "ci95": rounded_interval(share_interval(totals, at, at + 1)),
                    "rating": rating(p_met.value if p_met else None, thresholds),
                }
            )
        deadlines: dict[str, dict[str, Any]] = {}
        starts, not_started = self.scores.starts, self.scores.not_started
        for clock, at in self.scores.deadline_at.items():
            if not totals.sums[at + 1] and not not_started.get(clock):
                continue
            p_met = ratio(totals, at, at + 1)
            deadlines[clock] = {
                "n": int(totals.sums[at + 1]),
                "p_met": round4(p_met.value) if p_met else None,
                "ci95": rounded_interval(share_interval(totals, at, at + 1)),
                "rating": rating(p_met.value if p_met else None, thresholds),
            }
            if clock in starts:  # only clocks that do not start at detection say so
                deadlines[clock]["starts"] = starts[clock]
                deadlines[clock]["not_started"] = not_started[clock]
        summary = {
            "scenario": self.model.scenario.id,
            "replications": self.replications,
            "seed": self.seed,
            "unit": "minutes",
            "horizon": self.model.horizon,
            "incidents_per_replication": round4(self.incidents / max(self.replications, 1)),
            "readiness": {
                "score": round4(score.value) if score else None,
                "ci95": rounded_interval(interval(totals, score, (0.0, 100.0))),
                "rating": rating(score.value / 100 if score else None, thresholds),
            },
            "objectives": objectives,
            "metrics": self._metrics(ALL_KINDS, self.overall),
            "incidents": {kid: {"metrics": self._metrics(kid, stats)} for kid, stats in self.by_kind.items()},
            "deadlines": deadlines,
            "time_breakdown": {part: round4(total / per_incident) for part, total in self.breakdown.items()},
            "pages_per_incident": round4(self.pages / per_incident),
            "escalations_per_incident": round4(self.escalations / per_incident),
        }
        if self.branches is not None:
            summary["branches"] = self.branches.summary(totals)
        if self.causes is not None:
            summary["causes"] = self.causes.summary({o["id"]: o["rating"] for o in objectives})
        return summary

    def _metrics(self, kind: str, stats: dict[str, MetricStats]) -> dict[str, Any]:
        result = {}
        for name, s in stats.items():
            if not (s.n or s.censored):
                continue
            at = self._metric_at[kind, name]
            mean = ratio(self.totals, at, at + 1)
            result[name] = s.summary(mean.value if mean else None, interval(self.totals, mean))
        return result
