"""The engine against queueing theory: M/M/1 and M/M/c, whose answers nobody on the team wrote.

The scenario (``engine_helpers.mmc_yaml``) is an M/M/c queue: c people with role ``server``, every
page answered at once (reachability 1, ack delay 0, detection delay 0), Poisson arrivals and one
exponential task per incident. An incident's ``time_to_engage`` is then its waiting time in queue.

Method: independent replications. Each replication discards a warm-up (incidents occurring in the
first ``WARMUP`` minutes) and the last ``TAIL`` minutes of arrivals (so no counted incident can be
censored by the horizon), and contributes one mean per statistic; the analytic value must lie in
the 95% Student t interval of those means.

Confidence: the mean wait, the headline result, is checked against the 95% t interval. The twelve
secondary checks (P(wait > 0), Lq, λ, utilisation, service, time to resolve, for both queues) are a
family: at 95% each, a correct engine would fail one of them for almost half of all seeds, so each
uses the Bonferroni level 1 − 0.05/12 and the family's false-alarm rate stays under 5%.

Seed: ``SEED`` was fixed before the first run and never changed. (On the first run, with every
interval at 95%, M/M/3's P(wait > 0) missed: analytic 0.64719 vs [0.64721, 0.67370], a 2.0 SE
event; that is what led to the family-wise level, not a seed change.) The run lengths make the
mean-wait intervals about ±5% (M/M/1) and ±6% (M/M/3) wide. (M/M/3 had 25 replications, ±8% on
average, until random streams were re-keyed by hash: its interval then came out ±10.7%, over the
±10% this file asks for while still holding the analytic value; 40 replications fixed the width,
not the verdict.) Checked once by hand over 100 seeds
(M/M/1, 10 × 1000 h) and 60 seeds (M/M/3, 10 × 1000 h): the analytic mean wait was inside 94% and
92% of the 95% intervals (P(wait > 0): 95% and 92%), and the grand means were 60.1 min (analytic
60.0) and 64.2 min (64.7) — what a correct engine gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from engine_helpers import (
    T975,
    erlang_c,
    mmc_mean_wait,
    mmc_yaml,
    model_from,
    overlap,
    run,
    t_interval,
    t_quantile,
)

from drillsim import facts as T
from drillsim.engine.model import Model

SEED = 20260105
WARMUP = 100 * 60.0  # minutes
TAIL = 24 * 60.0  # minutes: arrivals in the last day are not counted (their wait might be censored)
MEAN_WORK = 60.0  # minutes
SECONDARY = 1 - 0.05 / 12  # Bonferroni: twelve secondary intervals share a 5% false-alarm rate


@dataclass
class RepStats:
    mean_wait: float  # over counted incidents, minutes
    p_wait: float  # fraction of counted incidents that waited at all
    mean_service: float
    mean_resolve: float  # time_to_resolve: wait + service
    queue_length: float  # time-average number of tasks ready but not started, on [WARMUP, horizon]
    little_rhs: float  # λ̂ × W̄ on the same window, from the same records
    utilisation: float  # time-average busy servers / c, on [WARMUP, horizon]
    arrival_rate: float  # per minute, on [WARMUP, horizon]


@dataclass
class QueueRun:
    c: int
    lam: float  # per minute
    mu: float  # per minute
    reps: list[RepStats]


def _simulate(model: Model, c: int, replications: int) -> list[RepStats]:
    horizon = model.horizon
    window = horizon - WARMUP
    out = []
    for index in range(replications):
        rep = run(model, SEED, index)
        ready: dict[int, float] = {}
        started: dict[int, float] = {}
        done: dict[int, float] = {}
        for r in rep.records:
            if r.kind == T.TASK_READY:
                ready[r.incident] = r.time
            elif r.kind == T.TASK_STARTED:
                started[r.incident] = r.time
            elif r.kind == T.TASK_DONE:
                done[r.incident] = r.time
        counted = [row for row in rep.incidents if WARMUP <= row.occurred < horizon - TAIL]
        waits = [row.values["time_to_engage"] for row in counted]
        assert None not in waits, "an incident that arrived a day before the horizon was never served"
        for row in counted:  # the metric is what the records say: start − detection (= ready here)
            assert row.values["time_to_engage"] == started[row.number] - ready[row.number]
            assert row.values["time_to_detect"] == 0.0
            assert row.values["time_to_acknowledge"] == 0.0
        area_queue = sum(overlap(at, started.get(i, horizon), WARMUP, horizon) for i, at in ready.items())
        in_window = [i for i, at in ready.items() if WARMUP <= at < horizon]
        truncated_waits = [min(started.get(i, horizon), horizon) - ready[i] for i in in_window]
        area_busy = sum(overlap(at, done.get(i, horizon), WARMUP, horizon) for i, at in started.items())
        services = [done[i] - started[i] for i in done]
        resolves = [
            row.values["time_to_resolve"] for row in counted if row.values["time_to_resolve"] is not None
        ]
        out.append(
            RepStats(
                mean_wait=sum(waits) / len(waits),
                p_wait=sum(w > 0 for w in waits) / len(waits),
                mean_service=sum(services) / len(services),
                mean_resolve=sum(resolves) / len(resolves),
                queue_length=area_queue / window,
                little_rhs=len(in_window) / window * (sum(truncated_waits) / len(truncated_waits)),
                utilisation=area_busy / (c * window),
                arrival_rate=len(in_window) / window,
            )
        )
    return out


@pytest.fixture(scope="module")
def mm1(tmp_path_factory: pytest.TempPathFactory) -> QueueRun:
    """M/M/1, λ = 0.5/h, mean work 1 h: ρ = 0.5, Wq = ρ/(μ − λ) = 60 min. 25 × 4000 h."""
    model = model_from(tmp_path_factory.mktemp("mm1"), mmc_yaml(1, 0.5, "4000h"))
    return QueueRun(1, 0.5 / 60, 1 / 60, _simulate(model, 1, 25))


@pytest.fixture(scope="module")
def mm3(tmp_path_factory: pytest.TempPathFactory) -> QueueRun:
    """M/M/3, λ = 2.4/h, mean work 1 h: ρ = 0.8, Erlang C Wq = 64.72 min. 40 × 2000 h."""
    model = model_from(tmp_path_factory.mktemp("mm3"), mmc_yaml(3, 2.4, "2000h"))
    return QueueRun(3, 2.4 / 60, 1 / 60, _simulate(model, 3, 40))


QUEUES = ["mm1", "mm3"]


def test_erlang_c_formula_matches_known_values() -> None:
    """The reference itself: M/M/1 waits with probability ρ; M/M/3 at a = 2.4 is 0.6472 (11.52/17.8)."""
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert mmc_mean_wait(1, 0.5, 1.0) == pytest.approx(1.0)  # hours
    assert erlang_c(3, 2.4) == pytest.approx(11.52 / 17.8)
    assert mmc_mean_wait(3, 2.4 / 60, 1 / 60) == pytest.approx(64.7191, abs=1e-3)  # minutes
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)  # M/M/2, a = 1: (1/2 · 1/0.5) / (1 + 1 + 1) = 1/3


def test_t_quantiles_match_printed_tables() -> None:
    for df, value in T975.items():
        assert t_quantile(0.975, df) == pytest.approx(value, abs=2e-6)
    assert t_quantile(0.9975, 24) == pytest.approx(3.0905, abs=1e-4)


def test_mmc_scenario_compiles_as_intended(tmp_path: Path) -> None:
    model = model_from(tmp_path, mmc_yaml(3, 2.4, "10h"))
    assert [p.id for p in model.people] == ["s0", "s1", "s2"]
    assert model.arrivals[0].rate == pytest.approx(2.4 / 60)  # per minute
    kind = model.kinds["job"]
    assert [t.candidates for t in kind.tasks] == [(0, 1, 2)]


@pytest.mark.parametrize("queue", QUEUES)
def test_mean_wait_matches_erlang_c(queue: str, request: pytest.FixtureRequest) -> None:
    q: QueueRun = request.getfixturevalue(queue)
    expected = mmc_mean_wait(q.c, q.lam, q.mu)
    mean, low, high = t_interval([r.mean_wait for r in q.reps])
    assert low <= expected <= high, (
        f"Wq: analytic {expected:.2f} min, simulated {mean:.2f} [{low:.2f}, {high:.2f}]"
    )
    assert (high - low) / 2 < 0.10 * expected  # the interval is tight enough to mean something


@pytest.mark.parametrize("queue", QUEUES)
def test_probability_of_waiting_matches_erlang_c(queue: str, request: pytest.FixtureRequest) -> None:
    q: QueueRun = request.getfixturevalue(queue)
    expected = erlang_c(q.c, q.lam / q.mu)
    mean, low, high = t_interval([r.p_wait for r in q.reps], SECONDARY)
    assert low <= expected <= high, (
        f"P(wait>0): analytic {expected:.4f}, simulated {mean:.4f} [{low:.4f}, {high:.4f}]"
    )


@pytest.mark.parametrize("queue", QUEUES)
def test_littles_law_on_the_sample_path(queue: str, request: pytest.FixtureRequest) -> None:
    """Time-average queue length (integrated from task_ready → task_started) = λ̂ × W̄ on each
    sample path (up to who was already waiting at the end of the warm-up), and ≈ λ Wq."""
    q: QueueRun = request.getfixturevalue(queue)
    # The two sides differ only by those already waiting when the warm-up ends (≲ 1% of a run).
    for r in q.reps:
        assert r.queue_length == pytest.approx(r.little_rhs, rel=0.03)
    assert sum(r.queue_length for r in q.reps) == pytest.approx(sum(r.little_rhs for r in q.reps), rel=0.005)
    expected = q.lam * mmc_mean_wait(q.c, q.lam, q.mu)  # Lq = λ Wq
    mean, low, high = t_interval([r.queue_length for r in q.reps], SECONDARY)
    assert low <= expected <= high, (
        f"Lq: analytic {expected:.3f}, simulated {mean:.3f} [{low:.3f}, {high:.3f}]"
    )
    _, rate_low, rate_high = t_interval([r.arrival_rate for r in q.reps], SECONDARY)
    assert rate_low <= q.lam <= rate_high


@pytest.mark.parametrize("queue", QUEUES)
def test_utilisation_and_service(queue: str, request: pytest.FixtureRequest) -> None:
    """Busy servers / c ≈ λ/(cμ); work lasts 1 h on average; time_to_resolve ≈ Wq + 1/μ."""
    q: QueueRun = request.getfixturevalue(queue)
    rho = q.lam / (q.c * q.mu)
    mean, low, high = t_interval([r.utilisation for r in q.reps], SECONDARY)
    assert low <= rho <= high, (
        f"utilisation: analytic {rho:.4f}, simulated {mean:.4f} [{low:.4f}, {high:.4f}]"
    )
    mean, low, high = t_interval([r.mean_service for r in q.reps], SECONDARY)
    assert low <= MEAN_WORK <= high
    expected = mmc_mean_wait(q.c, q.lam, q.mu) + 1 / q.mu
    mean, low, high = t_interval([r.mean_resolve for r in q.reps], SECONDARY)
    assert low <= expected <= high, (
        f"W: analytic {expected:.2f}, simulated {mean:.2f} [{low:.2f}, {high:.2f}]"
    )
