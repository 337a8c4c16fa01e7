"""Simulated response times per objective, for placing a live drill among simulated runs.

The hot wash and the after-action report both ask where the room's time falls among simulated
incidents of the same scenario and seed (everyone simulated). This is that sample: for each
objective, its metric over every incident it applies to in ``count`` replications, pooled; a
milestone not reached counts as infinitely late.
"""

from __future__ import annotations

from drillsim.engine.model import Model, compile_scenario
from drillsim.experiments.replicate import replications
from drillsim.metrics import IncidentMetrics
from drillsim.scenario.model import Scenario
from drillsim.scoring import ScoredObjective, scored_objectives

NOT_REACHED = float("inf")


def objective_values(objective: ScoredObjective, rows: list[IncidentMetrics]) -> list[float]:
    """The objective's metric for each incident it applies to; not reached counts as infinite."""
    values = []
    for row in rows:
        if objective.outcome(row) is not None:
            value = row.values[objective.metric]
            values.append(NOT_REACHED if value is None else value)
    return values


def objective_samples(model: Model, seed: int, count: int) -> dict[str, list[float]]:
    """Each objective's values over ``count`` simulated replications (run serially, reproducible)."""
    objectives = scored_objectives(model.scenario)
    samples: dict[str, list[float]] = {o.id: [] for o in objectives}
    for replication in replications(model, seed, count, workers=1):
        for objective in objectives:
            samples[objective.id].extend(objective_values(objective, replication.incidents))
    return samples


def scenario_samples(scenario: Scenario, seed: int, count: int) -> dict[str, list[float]]:
    """:func:`objective_samples` of a scenario not yet compiled."""
    return objective_samples(compile_scenario(scenario), seed, count)
