"""Helpers for the engine tests: build scenarios from YAML text, run replications, read records.

Nothing here is clever on purpose: the tests compare the engine with results computed by hand or
by queueing theory, so the helpers only load, run and group what the engine emits.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from drillsim.engine.model import Model, compile_scenario
from drillsim.experiments.replicate import Replication, run_replication
from drillsim.facts import Record
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.model import Scenario

# An organisation of two: a two-level policy paging alice, then bob (both always reached).
TWO_LEVELS = """
teams: {ops: {name: Ops}}
people:
  alice: {name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 2m}
  bob: {name: Bob, teams: [ops], roles: [responder], reachability: 1, ack_delay: 3m}
escalation:
  main:
    levels:
      - {timeout: 5m, targets: [{person: alice}]}
      - {timeout: 10m, targets: [{person: bob}]}
"""

# alice (responder, 2m), bob (head, 3m) and carol (counsel, 4m), always reached; bob alone may halt
# the deployment or disclose; the policy pages alice, then bob after 5 minutes.
THREE_ROLES = """
teams: {ops: {name: Ops}}
people:
  alice: {name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 2m}
  bob: {name: Bob, teams: [ops], roles: [head], reachability: 1, ack_delay: 3m}
  carol: {name: Carol, teams: [ops], roles: [counsel], reachability: 1, ack_delay: 4m}
authorities:
  halt: {title: Halt the deployment, roles: [head]}
  disclose: {title: Disclose publicly, roles: [head]}
escalation:
  main:
    levels:
      - {timeout: 5m, targets: [{person: alice}]}
      - {timeout: 10m, targets: [{person: bob}]}
"""


def load_text(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Scenario:
    """Write ``text`` to ``tmp_path/name`` and load it as a validated scenario."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def model_from(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Model:
    return compile_scenario(load_text(tmp_path, text, name))


def run(model: Model, seed: int = 1, index: int = 0) -> Replication:
    """One replication with its records kept."""
    return run_replication(model, seed, index, trace=True)


def by_incident(records: Iterable[Record]) -> dict[int, list[Record]]:
    grouped: dict[int, list[Record]] = defaultdict(list)
    for r in records:
        grouped[r.incident].append(r)
    return dict(grouped)


def rows(
    records: Iterable[Record], incident: int | None = None
) -> list[tuple[float, str, str | None, str | None]]:
    """Records as plain ``(time, kind, who, detail)`` tuples (times rounded to 1e-9 minutes)."""
    return [
        (round(r.time, 9), r.kind, r.who, r.detail)
        for r in records
        if incident is None or r.incident == incident
    ]


def first(
    records: Iterable[Record], kind: str, incident: int = 0, detail: str | None = None, who: str | None = None
) -> Record | None:
    for r in records:
        if (
            r.incident == incident
            and r.kind == kind
            and (detail is None or r.detail == detail)
            and (who is None or r.who == who)
        ):
            return r
    return None


def times(records: Iterable[Record], kind: str, incident: int = 0) -> list[float]:
    return [r.time for r in records if r.incident == incident and r.kind == kind]


# --- queueing theory -------------------------------------------------------------------------


def erlang_c(c: int, offered: float) -> float:
    """Erlang C: the probability that an arrival waits in an M/M/c queue with load a = λ/μ < c."""
    rho = offered / c
    assert rho < 1
    below = sum(offered**k / math.factorial(k) for k in range(c))
    top = offered**c / math.factorial(c) / (1 - rho)
    return top / (below + top)


def mmc_mean_wait(c: int, lam: float, mu: float) -> float:
    """Mean time in queue Wq = C(c, a) / (cμ − λ), in the units of 1/λ."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_yaml(c: int, rate_per_hour: float, horizon: str, mean_work: str = "1h", timeout: str = "5m") -> str:
    """An M/M/c queue as a scenario: ``c`` servers, Poisson jobs, exponential work, no paging delays.

    Every delay before the work is zero and every page is answered, so an incident's
    ``time_to_engage`` is exactly its waiting time in the queue.
    """
    people = "\n".join(f"    s{i}: {{name: Server {i}, teams: [pool], roles: [server]}}" for i in range(c))
    return f"""\
id: mmc
title: M/M/{c} queue
start: 2026-01-05T00:00:00Z
horizon: {horizon}
organisation:
  id: queue
  name: Queue
  defaults: {{reachability: 1, ack_delay: 0}}
  teams: {{pool: {{name: Pool}}}}
  people:
{people}
  escalation:
    all:
      levels:
        - {{timeout: {timeout}, targets: [{{role: server}}]}}
incidents:
  job:
    title: Job
    risk_area: other
    severity: sev3
    detection: {{sources: {{monitor: {{probability: 1, delay: 0}}}}}}
    playbook:
      work: {{role: server, duration: {{exponential: {{mean: {mean_work}}}}}, milestone: resolved}}
arrivals:
  - {{incident: job, rate: {rate_per_hour}/h}}
"""


# 97.5% quantiles of Student's t, from printed tables: the check on ``t_quantile`` below.
T975 = {4: 2.776445, 9: 2.262157, 19: 2.093024, 24: 2.063899, 29: 2.045230, 49: 2.009575}


@functools.lru_cache
def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile (p > 0.5) of Student's t with ``df`` degrees of freedom, by integrating the
    density (Simpson's rule) and bisecting: independent of the engine's approximation in
    drillsim.experiments.stats."""
    const = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)

    def cdf(t: float, steps: int = 4000) -> float:
        h = t / steps
        total = 0.0
        for i in range(steps + 1):
            weight = 1 if i in (0, steps) else (4 if i % 2 else 2)
            total += weight * (1 + (i * h) ** 2 / df) ** (-(df + 1) / 2)
        return 0.5 + const * total * h / 3

    low, high = 0.0, 100.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if cdf(mid) < p else (low, mid)
    return (low + high) / 2


def t_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the two-sided Student t interval of the mean of ``values``."""
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(1 - (1 - confidence) / 2, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def overlap(start: float, end: float, low: float, high: float) -> float:
    """Length of [start, end] ∩ [low, high]."""
    return max(0.0, min(end, high) - max(start, low))
