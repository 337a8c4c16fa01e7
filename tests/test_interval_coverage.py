"""The printed 95% intervals cover the truth 95% of the time: checked against queueing theory.

The scenario is an M/M/c queue with Poisson arrivals (``engine_helpers.mmc_yaml``): incidents of a
replication share the servers, so they are correlated — the case where an interval that treats
incidents as independent is far too narrow. Its true values are closed-form (Gross & Harris,
*Fundamentals of Queueing Theory*, §2.3):

- the mean of ``time_to_engage`` (the wait in queue) is Wq = C(c, a) / (cμ − λ), C Erlang's C;
- the objective "engage within T" is met with probability P(Wq ≤ T) = 1 − C e^{−(cμ−λ)T};
- the deadline of a clock notified when the work is done is met with probability P(W ≤ D), W the
  sojourn time: P(W > t) = e^{−μt} [1 + C (1 − e^{−μt(c−1−a)}) / (c−1−a)] (for c = 1: e^{−(μ−λ)t}).

Each seed is one whole ``drillsim simulate`` run: R replications aggregated exactly as summary.json
is, and the test counts how often the printed ci95 of the metric mean, the objective's share met
and the deadline's probability met contain the true value. With S seeds the count of a correct 95%
interval is Binomial(S, 0.95): the test accepts a coverage down to three standard deviations below
95%. It also checks that the intervals are not simply wide: their standard error matches the spread
of the estimates across the independent runs. And it checks that it can fail: the interval of the
mean computed as if incidents were independent (what drillsim printed before) misses far more often.

The horizons are long against the queue's relaxation time (about 12 h at ρ = 0.5), so the empty
start matters little against the intervals' width (on the M/M/3 case, 60 runs' estimates averaged
26.81 min against the true 26.67). The seeds were fixed before the first run and never changed.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytest
from engine_helpers import erlang_c, mmc_mean_wait, mmc_yaml, model_from

from drillsim.confidence import t_quantile_975
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.replicate import replications

FIRST_SEED = 20261206
TARGET = 30.0  # minutes: the objective "engage within 30 minutes"
DEADLINE = 120.0  # minutes: the clock's deadline


def scenario_text(c: int, rate_per_hour: float, horizon: str) -> str:
    """The M/M/c scenario with an objective on the wait and a clock notified when the work is done."""
    text = mmc_yaml(c, rate_per_hour, horizon)
    text = text.replace("milestone: resolved}", "milestone: resolved, notifies: [sla/notice]}")
    text = text.replace("    playbook:", "    regulatory: [sla/notice]\n    playbook:")
    return (
        text
        + f"""\
regimes:
  sla:
    title: Service agreement
    clocks:
      notice: {{title: Notice, deadline: {DEADLINE:g}m, to: Customer}}
objectives:
  engage: {{text: Work starts within {TARGET:g} minutes, metric: time_to_engage, target: {TARGET:g}m}}
"""
    )


def sojourn_tail(c: int, lam: float, mu: float, t: float) -> float:
    """P(W > t) for the sojourn time W of an M/M/c queue."""
    offered, wait = lam / mu, erlang_c(c, lam / mu)
    gap = c - 1 - offered
    spread = mu * t if abs(gap) < 1e-12 else (1 - math.exp(-mu * t * gap)) / gap
    return math.exp(-mu * t) * (1 + wait * spread)


@dataclass
class Coverage:
    seeds: int
    mean: int  # runs whose printed interval of the mean wait holds Wq
    share: int  # ... of the objective's share met holds P(Wq ≤ T)
    deadline: int  # ... of the deadline's probability met holds P(W ≤ D)
    naive_mean: int  # runs whose incident-level t interval of the mean wait holds Wq
    estimates: list[float]  # the printed mean wait of each run
    standard_errors: list[float]  # its printed half-width / t(R − 1)

    def lowest_accepted(self) -> float:
        """Three binomial standard deviations below 95%."""
        return 0.95 - 3 * math.sqrt(0.95 * 0.05 / self.seeds)


def coverage(
    tmp_path: Path, c: int, rate_per_hour: float, horizon: str, replication_count: int, seeds: int
) -> Coverage:
    model = model_from(tmp_path, scenario_text(c, rate_per_hour, horizon))
    lam, mu = rate_per_hour / 60, 1 / 60
    true_wait = mmc_mean_wait(c, lam, mu)
    true_share = 1 - erlang_c(c, lam / mu) * math.exp(-(c * mu - lam) * TARGET)
    true_deadline = 1 - sojourn_tail(c, lam, mu, DEADLINE)
    found = Coverage(seeds, 0, 0, 0, 0, [], [])
    for seed in range(FIRST_SEED, FIRST_SEED + seeds):
        aggregate, waits = Aggregate(model, seed), []
        for replication in replications(model, seed, replication_count):
            aggregate.add(replication)
            waits += [row.values["time_to_engage"] for row in replication.incidents]
        summary = aggregate.summary()
        mean = summary["metrics"]["time_to_engage"]
        found.mean += mean["ci95"][0] <= true_wait <= mean["ci95"][1]
        found.share += (
            summary["objectives"][0]["ci95"][0] <= true_share <= summary["objectives"][0]["ci95"][1]
        )
        deadline = summary["deadlines"]["sla/notice"]["ci95"]
        found.deadline += deadline[0] <= true_deadline <= deadline[1]
        found.estimates.append(mean["mean"])
        found.standard_errors.append(
            (mean["ci95"][1] - mean["ci95"][0]) / 2 / t_quantile_975(replication_count - 1)
        )
        served = [w for w in waits if w is not None]
        half = t_quantile_975(len(served) - 1) * statistics.stdev(served) / math.sqrt(len(served))
        found.naive_mean += abs(statistics.mean(served) - true_wait) <= half
    return found


def check(found: Coverage) -> None:
    lowest = found.lowest_accepted()
    for name in ("mean", "share", "deadline"):
        rate = getattr(found, name) / found.seeds
        assert rate >= lowest, f"{name}: the printed 95% interval held the true value in {rate:.1%} of runs"
    spread = statistics.stdev(found.estimates)
    printed = statistics.mean(found.standard_errors)
    assert 0.75 < printed / spread < 1.33, (
        f"printed standard error {printed:.2f} vs spread of estimates {spread:.2f}"
    )
    assert found.naive_mean / found.seeds < 0.8, "the test would not have caught intervals over incidents"


def test_printed_intervals_cover_the_truth_on_an_mm1_queue(tmp_path: Path) -> None:
    """M/M/1 at ρ = 0.5 (λ = 0.5/h, mean work 1 h): 100 runs of 10 replications × 600 h."""
    check(coverage(tmp_path, 1, 0.5, "600h", 10, 100))


@pytest.mark.soak
def test_printed_intervals_cover_the_truth_on_an_mm1_queue_soak(tmp_path: Path) -> None:
    """M/M/1 at ρ = 0.5: 400 runs of 20 replications × 1000 h."""
    check(coverage(tmp_path, 1, 0.5, "1000h", 20, 400))


@pytest.mark.soak
def test_printed_intervals_cover_the_truth_on_an_mm3_queue_soak(tmp_path: Path) -> None:
    """M/M/3 at ρ = 2/3 (λ = 2/h, mean work 1 h): 200 runs of 10 replications × 1500 h."""
    check(coverage(tmp_path, 3, 2.0, "1500h", 10, 200))


def test_sojourn_tail_matches_the_single_server_formula() -> None:
    """The reference itself: with one server the sojourn time is exponential with rate μ − λ, and the
    three-server formula is continuous where c − 1 − a crosses zero."""
    assert sojourn_tail(1, 0.5, 1.0, 2.0) == pytest.approx(math.exp(-1.0))
    assert sojourn_tail(3, 2.0, 1.0, 1.5) == pytest.approx(sojourn_tail(3, 2.0 + 1e-7, 1.0, 1.5), rel=1e-5)
