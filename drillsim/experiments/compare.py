"""Paired comparison of scenario variants with common random numbers.

Every variant runs replication r with the same seed as the base, so the same people draw the same
delays for the same purposes and the difference between variants is measured with far less noise
than with independent runs. For each replication a profile is computed per variant:

- ``readiness``: the replication's readiness score (0–100);
- ``objective:<id>`` and ``deadline:<clock>``: the share of the replication's incidents meeting it;
- ``metric:<name>``: the restricted mean of the metric over the replication's incidents — a time
  not reached by the horizon counts as the time to the horizon, so censored runs weigh in as
  "at least this long" instead of vanishing (metrics measured from detection leave out incidents
  never detected).

The paired differences (variant − base) over replications give a mean with a 95% t-interval; the
verdict is *better* or *worse* when the interval excludes zero (lower times and higher shares are
better), else *no significant difference*.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drillsim.engine.model import Model
from drillsim.experiments.aggregate import metric_names
from drillsim.experiments.replicate import Backend, Replication, replication_sets
from drillsim.experiments.stats import MetricStats, _round
from drillsim.metrics import IncidentMetrics
from drillsim.scoring import ScoredObjective, readiness, scored_objectives

BETTER, WORSE, SAME = "better", "worse", "no significant difference"
INDEPENDENT_SEED_STEP = 1_000_003  # seed offset per variant when common random numbers are turned off


@dataclass
class Variant:
    name: str
    model: Model


def profile(model: Model, objectives: list[ScoredObjective], metrics: list[str],
            replication: Replication) -> dict[str, float]:
    """One replication summarised as the numbers compared across variants (``metrics``: the model's
    metric names, from aggregate.metric_names)."""
    values: dict[str, float] = {}
    rows = replication.incidents
    shares: dict[str, float | None] = {}
    for objective in objectives:
        outcomes = [o for o in (objective.outcome(row) for row in rows) if o is not None]
        shares[objective.id] = sum(outcomes) / len(outcomes) if outcomes else None
        if shares[objective.id] is not None:
            values[f"objective:{objective.id}"] = shares[objective.id]  # type: ignore[assignment]
    score = readiness(shares, {o.id: o.weight for o in objectives})
    if score is not None:
        values["readiness"] = score
    for name in metrics:
        restricted = [r for r in (_restricted(row, name, model.horizon) for row in rows if name in row.values)
                      if r is not None]
        if restricted:
            values[f"metric:{name}"] = sum(restricted) / len(restricted)
    clocks: dict[str, list[bool]] = {}
    for row in rows:
        for clock, met in row.deadlines.items():
            clocks.setdefault(clock, []).append(met)
    for clock, outcomes in clocks.items():
        values[f"deadline:{clock}"] = sum(outcomes) / len(outcomes)
    return values


def _restricted(row: IncidentMetrics, name: str, horizon: float) -> float | None:
    """The metric, or when censored the time from its start to the horizon; None for a metric
    measured from detection on an incident never detected (it has no start)."""
    value = row.values[name]
    if value is not None:
        return value
    detected = row.values.get("time_to_detect")
    if name == "time_to_detect":
        return max(0.0, horizon - row.occurred)
    return None if detected is None else max(0.0, horizon - row.occurred - detected)


def compare(base: Variant, variants: list[Variant], *, seed: int, count: int, workers: int,
            independent: bool = False, backend: Backend | None = None, scheduler: str | None = None,
            progress: Callable[[int], None] = lambda done: None) -> dict[str, Any]:
    """Run base and variants side by side and return the comparison (JSON-ready, deterministic)."""
    models = [base.model, *(v.model for v in variants)]
    seeds = [seed + (i * INDEPENDENT_SEED_STEP if independent else 0) for i in range(len(models))]
    objectives = [scored_objectives(m.scenario) for m in models]
    metrics = [metric_names(m) for m in models]
    base_stats: dict[str, MetricStats] = {}
    variant_stats: list[dict[str, MetricStats]] = [{} for _ in variants]
    differences: list[dict[str, MetricStats]] = [{} for _ in variants]
    done = 0
    for replications in replication_sets(models, seeds, count, workers, backend=backend, scheduler=scheduler):
        profiles = [profile(m, o, n, r) for m, o, n, r in zip(models, objectives, metrics, replications, strict=True)]
        for key, value in profiles[0].items():
            base_stats.setdefault(key, MetricStats()).add(value)
        for i, variant_profile in enumerate(profiles[1:]):
            for key, value in variant_profile.items():
                variant_stats[i].setdefault(key, MetricStats()).add(value)
                if key in profiles[0]:
                    differences[i].setdefault(key, MetricStats()).add(value - profiles[0][key])
        done += 1
        progress(done)
    return {
        "base": base.name,
        "seed": seed,
        "replications": count,
        "common_random_numbers": not independent,
        "variants": [_variant_result(v.name, base_stats, variant_stats[i], differences[i])
                     for i, v in enumerate(variants)],
    }


def _variant_result(name: str, base: dict[str, MetricStats], variant: dict[str, MetricStats],
                    differences: dict[str, MetricStats]) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = {}
    for key in sorted(differences, key=_order):
        diff = differences[key]
        if diff.n < 2:  # one pair says nothing about significance
            rows[key] = {"base": _round(base[key].mean), "variant": _round(variant[key].mean),
                         "difference": _round(diff.mean), "ci95": [None, None], "n": diff.n, "verdict": SAME}
            continue
        low, high = diff.ci95()
        lower_is_better = key.startswith("metric:")
        if low > 0 or high < 0:
            improved = (high < 0) == lower_is_better
            verdict = BETTER if improved else WORSE
        else:
            verdict = SAME
        rows[key] = {"base": _round(base[key].mean), "variant": _round(variant[key].mean),
                     "difference": _round(diff.mean), "ci95": [_round(low), _round(high)], "n": diff.n,
                     "verdict": verdict}
    return {"name": name, "results": rows}


def _order(key: str) -> tuple[int, str]:
    kinds = ("readiness", "objective:", "deadline:", "metric:")
    return next(i for i, k in enumerate(kinds) if key.startswith(k)), key
