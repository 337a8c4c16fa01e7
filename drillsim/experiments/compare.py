"""Paired comparison of scenario variants with common random numbers.

Every variant runs replication r with the same seed as the base, so the same people draw the same
delays for the same purposes and the difference between variants is measured with far less noise
than with independent runs. Each replication contributes, per variant, the totals behind each
compared measure:

- ``objective:<id>`` and ``deadline:<clock>``: incidents meeting it, and incidents it applies to;
- ``metric:<name>``: the sum of the metric's restricted values, and their count — a time not
  reached by the horizon counts as the time to the horizon, so censored runs weigh in as "at least
  this long" instead of vanishing (metrics measured from detection leave out incidents never
  detected);
- ``readiness``: built from the objectives' totals (the score simulate prints).

Each measure is the pooled ratio over every replication (what ``drillsim simulate`` prints for the
same seed and count), and the difference variant − base gets a 95% interval over replications by
the delta method on the paired totals (:mod:`drillsim.experiments.totals`), Student's t on R − 1
degrees of freedom. The verdict is *better* or *worse* when the interval excludes zero (lower times
and higher shares are better), else *no significant difference*.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from drillsim.engine.model import Model
from drillsim.experiments.aggregate import Scores, metric_names
from drillsim.experiments.replicate import Backend, Replication, replication_sets
from drillsim.experiments.stats import round4, rounded_interval
from drillsim.experiments.totals import Layout, Linear, ReplicationTotals, interval, ratio
from drillsim.metrics import IncidentMetrics

BETTER, WORSE, SAME = "better", "worse", "no significant difference"
INDEPENDENT_SEED_STEP = 1_000_003  # seed offset per variant when common random numbers are turned off


@dataclass
class Variant:
    """A named, compiled scenario to compare. ``recorded`` keeps, per seed, the totals of its
    replications 0…k−1 run so far (by a :class:`Profile` of ``model``: every Profile of one model lays
    its totals out the same), so that comparing it again with the same seed reuses them instead of
    running them again (:func:`paired_totals`)."""

    name: str
    model: Model
    recorded: dict[int, list[list[float]]] = field(default_factory=dict)

    def known(self, seed: int, end: int) -> bool:
        """Whether replications 0…end−1 with ``seed`` are recorded."""
        return len(self.recorded.get(seed, ())) >= end

    def record(self, seed: int, index: int, vector: list[float]) -> None:
        """Keep replication ``index``'s totals, when it extends the recorded ones."""
        recorded = self.recorded.setdefault(seed, [])
        if len(recorded) == index:
            recorded.append(vector)


class Profile:
    """What one model contributes per replication to a comparison: the totals of every measure."""

    def __init__(self, model: Model) -> None:
        self.horizon = model.horizon
        self.layout = Layout()
        self.scores = Scores(model, self.layout)
        self.metric_at = {name: self.layout.declare(f"metric:{name}") for name in metric_names(model)}

    def totals(self, replication: Replication) -> list[float]:
        """The replication's totals, in layout order."""
        vector = [0.0] * self.layout.size
        for row in replication.incidents:
            self.scores.fold(row, vector)
            for name, at in self.metric_at.items():
                if name in row.values and (value := _restricted(row, name, self.horizon)) is not None:
                    vector[at] += value
                    vector[at + 1] += 1
        return vector

    def estimates(self, totals: ReplicationTotals, offset: int) -> dict[str, Linear]:
        """Every measure with observations, from ``totals`` (where this profile's layout starts at
        ``offset``)."""
        found: dict[str, Linear] = {}
        if (score := self.scores.readiness(totals, offset)) is not None:
            found["readiness"] = score
        for key, at in self.layout.index.items():
            if (estimate := ratio(totals, offset + at, offset + at + 1)) is not None:
                found[key] = estimate
        return found


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


def compare(
    base: Variant,
    variants: list[Variant],
    *,
    seed: int,
    count: int,
    workers: int,
    independent: bool = False,
    backend: Backend | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] = lambda done: None,
) -> dict[str, Any]:
    """Run base and variants side by side and return the comparison (JSON-ready, deterministic)."""
    results = compare_pairs(
        [base, *variants],
        [(0, i) for i in range(1, len(variants) + 1)],
        seed=seed,
        count=count,
        workers=workers,
        independent=independent,
        backend=backend,
        scheduler=scheduler,
        progress=progress,
    )
    return {
        "base": base.name,
        "seed": seed,
        "replications": count,
        "common_random_numbers": not independent,
        "variants": results,
    }


def compare_pairs(
    variants: list[Variant],
    pairs: list[tuple[int, int]],
    *,
    seed: int,
    count: int,
    workers: int,
    independent: bool = False,
    backend: Backend | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] = lambda done: None,
) -> list[dict[str, Any]]:
    """Run every variant once per replication, side by side, and compare each pair ``(reference,
    other)`` of indices into ``variants``: one :func:`variant_result` per pair, named after ``other``,
    in the order of ``pairs``. A variant in several pairs runs once: with common random numbers a
    variant's replication r is the same whatever runs beside it, so each pair's result is exactly what
    :func:`compare` of the two alone gives."""
    seeds = [seed + (i * INDEPENDENT_SEED_STEP if independent else 0) for i in range(len(variants))]
    profiles = [Profile(v.model) for v in variants]
    totals = [
        ReplicationTotals(profiles[a].layout.size + profiles[b].layout.size) for a, b in pairs
    ]  # the reference's totals, then the other's
    sets = paired_totals(variants, profiles, seeds, 0, count, workers, backend, scheduler)
    for done, (vectors, _) in enumerate(sets, start=1):
        for pair, (a, b) in zip(totals, pairs, strict=True):
            pair.add(np.array(vectors[a] + vectors[b]))
        progress(done)
    return [
        variant_result(variants[b].name, pair, profiles[a], profiles[b], profiles[a].layout.size)
        for pair, (a, b) in zip(totals, pairs, strict=True)
    ]


def paired_totals(
    variants: list[Variant],
    profiles: list[Profile],
    seeds: list[int],
    start: int,
    end: int,
    workers: int,
    backend: Backend | None = None,
    scheduler: str | None = None,
) -> Iterator[tuple[list[list[float]], int]]:
    """For each replication start…end−1 in order: every variant's totals (by its profile, run with its
    seed) and how many variants were run for it. A variant whose replications are recorded for its
    seed is not run again; the others run side by side and are recorded."""
    fresh = [i for i, v in enumerate(variants) if not v.known(seeds[i], end)]
    sets: Iterator[list[Replication]] = (
        replication_sets(
            [variants[i].model for i in fresh],
            [seeds[i] for i in fresh],
            end - start,
            workers,
            backend=backend,
            scheduler=scheduler,
            first=start,
        )
        if fresh
        else iter([[]] * (end - start))
    )
    for index, replications in enumerate(sets, start=start):
        vectors = [[] if i in fresh else v.recorded[seeds[i]][index] for i, v in enumerate(variants)]
        for i, replication in zip(fresh, replications, strict=True):
            vectors[i] = profiles[i].totals(replication)
            variants[i].record(seeds[i], index, vectors[i])
        yield vectors, len(fresh)


def variant_result(
    name: str, totals: ReplicationTotals, base: Profile, variant: Profile, offset: int
) -> dict[str, Any]:
    """One variant's comparison with the base from their paired ``totals`` (the base's layout first,
    the variant's from ``offset``): every measure both have, with the difference, its 95% interval
    and verdict."""
    base_estimates = base.estimates(totals, 0)
    variant_estimates = variant.estimates(totals, offset)
    rows: dict[str, dict[str, Any]] = {}
    for key in sorted(set(base_estimates) & set(variant_estimates), key=_order):
        difference = variant_estimates[key] - base_estimates[key]
        bounds = interval(totals, difference)
        verdict = SAME
        if bounds is not None and (bounds[0] > 0 or bounds[1] < 0):
            lower_is_better = key.startswith("metric:")
            verdict = BETTER if (bounds[1] < 0) == lower_is_better else WORSE
        rows[key] = {
            "base": round4(base_estimates[key].value),
            "variant": round4(variant_estimates[key].value),
            "difference": round4(difference.value),
            "ci95": rounded_interval(bounds),
            "n": totals.replications,
            "verdict": verdict,
        }
    return {"name": name, "results": rows}


def _order(key: str) -> tuple[int, str]:
    kinds = ("readiness", "objective:", "deadline:", "metric:")
    return next(i for i, k in enumerate(kinds) if key.startswith(k)), key
