"""Invariants every replication must keep, on the bundled scenarios and on random small ones.

Checked on every replication: records in time order and each incident's starting with
``occurred``; detect ≤ acknowledge ≤ engage ≤ contain/resolve (with the metrics equal to what the
records say, all measured from detection but time_to_detect); censored metrics None, never NaN;
each task started once, after its task_ready, its predecessors' task_done and its decision, by
someone able, engaged and not kept away; nobody doing two tasks at once; every page, escalation
and exhaustion exactly at its step's start or timeout; the same seed giving the same records; any
number of workers giving the same summary.

Random scenarios come from ``scenario_strategies.small_scenarios`` (shared with the loader's fuzz
tests); ``make soak`` checks many more of them (see fuzzing.py).
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import by_incident, model_from
from fuzzing import fuzz
from hypothesis import strategies as st
from scenario_strategies import small_scenarios

from drillsim import facts as T
from drillsim.engine.complications import Complications
from drillsim.engine.model import KindModel, Model, compile_scenario
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.replicate import Replication, replications, run_replication
from drillsim.metrics import METRICS, notify_metric
from drillsim.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
BUNDLED = sorted(SCENARIOS.glob("*.yaml"))  # organisations/ is a folder below: not matched
REPLICATIONS = 60
SEED = 11


# --- the invariants ----------------------------------------------------------------------------


def _depends_on(kind: KindModel, task: int) -> set[int]:
    """Every task that ``task`` waits for, directly or not."""
    seen: set[int] = set()
    stack = list(kind.tasks[task].after)
    while stack:
        t = stack.pop()
        if t not in seen:
            seen.add(t)
            stack.extend(kind.tasks[t].after)
    return seen


def _resolve_implies_contain(kind: KindModel) -> bool:
    """Whether the playbook makes resolution wait for containment (then contain ≤ resolve): every
    containing task is a resolving task or one a resolving task waits for."""
    if not kind.contained_by:
        return False
    before_resolved = {d for r in kind.resolved_by for d in _depends_on(kind, r) | {r}}
    return set(kind.contained_by) <= before_resolved


def decided_at(rs: list[Any], authority: str) -> float | None:
    return next((r.time for r in rs if r.kind == T.DECISION and r.detail == authority), None)


def _check_escalation_timing(
    kind: KindModel, number: int, rs: list[Any], label: str, begin: float | None, answered: float | None
) -> None:
    """Steps of an escalation (incident levels, or an authority's tiers with the levels' timeouts):
    each page at its step's start, each escalation and exhaustion when the step's timeout runs out.
    An authority nobody answers is asked again one cycle (the sum of its step timeouts) later."""
    if begin is None:
        return
    levels = kind.policy.levels

    def timeout(step: int) -> float:
        return levels[min(step, len(levels)) - 1].timeout

    if label == "level":
        steps = len(levels)
    else:
        authority = next(
            t.decision for t in kind.tasks if t.decision and f"authority {t.decision.id}" == label
        )
        steps = len(authority.tiers)
    cycle = sum(timeout(i + 1) for i in range(steps))
    current: tuple[float, int] = (begin, 1)
    count = 1
    for r in rs:
        if r.detail is None or (r.kind not in (T.PAGED, T.ESCALATED, T.EXHAUSTED)):
            continue
        head, _, tail = r.detail.rpartition(" ")
        if r.kind == T.EXHAUSTED and r.detail == label:
            at, step = current
            assert r.time == pytest.approx(at + timeout(step), abs=1e-9), (
                f"#{number} {label} exhausted at {r.time}"
            )
            assert label != "level" or count == steps * (kind.policy.repeat + 1)
            current, count = (r.time + cycle, 1), 1
        elif r.kind == T.ESCALATED and head == label:
            at, step = current
            assert r.time == pytest.approx(at + timeout(step), abs=1e-9), (
                f"#{number} {label}: step {step} from {at} escalated at {r.time}"
            )
            assert answered is None or r.time <= answered  # (a page sent at an escalation may answer at once)
            current, count = (r.time, int(tail)), count + 1
        elif r.kind == T.PAGED and head == label:
            assert (r.time, int(tail)) == (pytest.approx(current[0], abs=1e-9), current[1]), (
                f"#{number} {label}: page {r.detail} at {r.time}, step {current}"
            )
    if label == "level":
        assert count <= steps * (kind.policy.repeat + 1)


def check_replication(model: Model, rep: Replication) -> None:
    records = rep.records
    assert records is not None
    horizon = model.horizon
    assert all(a.time <= b.time for a, b in itertools.pairwise(records)), "records out of time order"
    assert all(0.0 <= r.time < horizon for r in records)
    grouped = by_incident(records)
    scenario_facts = grouped.pop(T.SCENARIO, [])  # conditional injects released or withheld
    assert all(r.kind in (T.RELEASED, T.WITHHELD) for r in scenario_facts)
    metrics = {m.number: m for m in rep.incidents}
    assert set(grouped) == set(metrics)
    in_force = model.in_force(r.detail for r in scenario_facts if r.kind == T.RELEASED)
    busy: dict[str, list[tuple[float, float, int, str]]] = defaultdict(list)
    for number, rs in grouped.items():
        m = metrics[number]
        kind = model.kinds[m.kind]
        _check_incident(model, kind, number, rs, m, busy, in_force)
    for who, spans in busy.items():  # nobody does two things at once, across incidents
        spans.sort()
        for (s1, e1, i1, t1), (s2, _, i2, t2) in itertools.pairwise(spans):
            assert e1 <= s2, f"{who} works on #{i1} {t1} [{s1}, {e1}) and #{i2} {t2} from {s2}"


def _check_incident(
    model: Model,
    kind: KindModel,
    number: int,
    rs: list[Any],
    m: Any,
    busy: dict[str, list[tuple[float, float, int, str]]],
    in_force: Complications,
) -> None:
    horizon, index = model.horizon, model.index
    assert rs[0].kind == T.OCCURRED, f"#{number} begins with {rs[0].kind}"
    assert [r.kind for r in rs].count(T.OCCURRED) == 1
    assert m.occurred == rs[0].time

    def once(kind_: str, detail: str | None = None) -> float | None:
        found = [r.time for r in rs if r.kind == kind_ and (detail is None or r.detail == detail)]
        assert len(found) <= 1, f"#{number}: {kind_} {detail} {len(found)} times"
        return found[0] if found else None

    occurred = rs[0].time
    detected = once(T.DETECTED)
    acked = once(T.ACKNOWLEDGED)
    contained = once(T.MILESTONE, "contained")
    resolved = once(T.MILESTONE, "resolved")
    for clock in kind.clocks:
        once(T.NOTIFIED, clock)
    if detected is None:  # a trigger may still fire on it, and its severity change
        assert [r.kind for r in rs if r.kind not in (T.BRANCHED, T.SEVERITY)] == [T.OCCURRED]
    else:
        assert occurred <= detected
        assert all(r.time >= detected for r in rs[1:])
    if acked is not None:
        assert detected is not None and acked >= detected
        pages = [r.time for r in rs if r.kind == T.PAGED and r.detail.startswith("level")]
        assert pages and min(pages) <= acked

    # escalations happen exactly when a step's timeout runs out, and never after the answer
    _check_escalation_timing(kind, number, rs, "level", detected, acked)
    for r in rs:
        if r.kind == T.DECISION_NEEDED:
            _check_escalation_timing(
                kind, number, rs, f"authority {r.detail}", r.time, decided_at(rs, r.detail)
            )

    # tasks: once each, after ready, predecessors and decisions; by an able, engaged, present person
    tasks = {t.id: t for t in kind.tasks}
    ready = {r.detail: r.time for r in rs if r.kind == T.TASK_READY}
    started = {r.detail: (r.time, r.who) for r in rs if r.kind == T.TASK_STARTED}
    done = {r.detail: (r.time, r.who) for r in rs if r.kind == T.TASK_DONE}
    for kind_ in (T.TASK_READY, T.TASK_STARTED, T.TASK_DONE):
        ids = [r.detail for r in rs if r.kind == kind_]
        assert len(ids) == len(set(ids)), f"#{number}: a task {kind_} twice"
    decided = {r.detail: r.time for r in rs if r.kind == T.DECISION}
    engaged = {r.who: r.time for r in reversed(rs) if r.kind == T.ENGAGED}
    assert len([r for r in rs if r.kind == T.ENGAGED]) == len(engaged), "engaged twice"
    for tid, at in ready.items():
        task = tasks[tid]
        assert acked is not None and at >= acked
        for before in task.after:
            pred = kind.tasks[before].id
            assert pred in done and done[pred][0] <= at, f"#{number} {tid} ready before {pred} done"
        assert bool(task.after) or at == acked
    for tid, (at, who) in started.items():
        task = tasks[tid]
        assert tid in ready and ready[tid] <= at, f"#{number} {tid} started before ready"
        if task.decision is not None:
            assert task.decision.id in decided and decided[task.decision.id] <= at
        person = model.people[index[who]]
        assert person.index in task.candidates, f"{who} cannot do {tid}"
        assert who in engaged and engaged[who] <= at, f"{who} works on #{number} without acknowledging"
        assert not in_force.unavailable(person.index, at), f"{who} starts {tid} while kept away"
        end = done[tid][0] if tid in done else horizon
        assert tid not in done or done[tid][1] == who
        busy[who].append((at, end, number, tid))
    assert set(done) <= set(started)
    for r in rs:
        if r.kind == T.DECISION_NEEDED:
            assert any(
                t.decision and t.decision.id == r.detail and t.id in ready and ready[t.id] <= r.time
                for t in kind.tasks
            )
    if contained is not None:
        assert all(
            kind.tasks[t].id in done and done[kind.tasks[t].id][0] <= contained for t in kind.contained_by
        )
        assert contained == max(done[kind.tasks[t].id][0] for t in kind.contained_by)
    if resolved is not None:
        assert resolved == max(done[kind.tasks[t].id][0] for t in kind.resolved_by)

    # metrics: None or finite, equal to what the records say, in order, censored consistently
    values = m.values
    expected_keys = {*METRICS, *(notify_metric(c) for c in kind.clocks)}
    if not kind.contained_by:
        expected_keys.discard("time_to_contain")
    if not any(t.decision for t in kind.tasks):
        expected_keys.discard("time_to_authority")
    assert set(values) == expected_keys, f"#{number}: metrics {sorted(values)}"
    for name, value in values.items():
        assert value is None or (isinstance(value, float) and math.isfinite(value) and value >= 0), (
            name,
            value,
        )
    for part, value in m.breakdown.items():
        assert math.isfinite(value) and value >= -1e-9, (part, value)

    def since(at: float | None) -> float | None:
        return None if at is None or detected is None else at - detected

    assert values["time_to_detect"] == (None if detected is None else detected - occurred)
    assert values["time_to_acknowledge"] == since(acked)
    first_start = min((at for at, _ in started.values()), default=None)
    assert values["time_to_engage"] == since(first_start)
    assert values["time_to_resolve"] == since(resolved)
    if "time_to_contain" in values:
        assert values["time_to_contain"] == since(contained)
    chain = [values["time_to_acknowledge"], values["time_to_engage"]]
    for later in ("time_to_contain", "time_to_resolve", "time_to_mobilize", "time_to_authority"):
        if values.get(later) is not None:
            assert values["time_to_engage"] is not None or later == "time_to_authority"
    for a, b in itertools.pairwise(chain):
        assert a is None or b is None or a <= b
    if values["time_to_acknowledge"] is None:  # nothing after an acknowledgement can have happened
        assert all(v is None for k, v in values.items() if k not in ("time_to_detect", "time_to_acknowledge"))
    if values["time_to_detect"] is None:
        assert all(v is None for v in values.values())
        assert m.deadlines == {}
    eng = values["time_to_engage"]
    for later in ("time_to_contain", "time_to_resolve"):
        if values.get(later) is not None:
            assert eng is not None and eng <= values[later]
            assert values["time_to_acknowledge"] <= values[later]
    if _resolve_implies_contain(kind) and values["time_to_resolve"] is not None:
        assert (
            values["time_to_contain"] is not None and values["time_to_contain"] <= values["time_to_resolve"]
        )
    if values["time_to_mobilize"] is not None:
        assert len(started) == len(kind.tasks)
        assert values["time_to_acknowledge"] <= values["time_to_mobilize"]
    # counts add up: pages and escalations are the records', the breakdown's parts are times spent
    assert m.pages == sum(1 for r in rs if r.kind == T.PAGED)
    assert m.escalations == sum(1 for r in rs if r.kind == T.ESCALATED)
    assert all(part >= 0 for part in m.breakdown.values())
    for clock, deadline in kind.clocks.items():
        taken = values[notify_metric(clock)]
        if detected is not None and taken is None and detected + deadline > model.horizon:
            assert clock not in m.deadlines  # still running when the run ended: neither met nor missed
        elif detected is not None:
            assert m.deadlines[clock] == (taken is not None and taken <= deadline)


def same_records(model: Model, seed: int, index: int, first: Replication) -> None:
    again = run_replication(model, seed, index, trace=True)
    exact = [(r.time, r.incident, r.kind, r.who, r.detail) for r in first.records]
    assert [(r.time, r.incident, r.kind, r.who, r.detail) for r in again.records] == exact
    assert [
        (m.number, m.values, m.deadlines, m.pages, m.escalations, m.breakdown) for m in again.incidents
    ] == [(m.number, m.values, m.deadlines, m.pages, m.escalations, m.breakdown) for m in first.incidents]


def summary(model: Model, seed: int, count: int, workers: int, chunk: int) -> str:
    aggregate = Aggregate(model, seed)
    for rep in replications(model, seed, count, workers=workers, chunk=chunk):
        aggregate.add(rep)
    return json.dumps(aggregate.summary(), sort_keys=True)


# --- the bundled scenarios ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_models() -> dict[str, Model]:
    return {path.name: compile_scenario(load_scenario(path)) for path in BUNDLED}


def test_there_are_bundled_scenarios() -> None:
    assert BUNDLED, "no scenarios/*.yaml"


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_scenario_invariants(path: Path, bundled_models: dict[str, Model]) -> None:
    model = bundled_models[path.name]
    for index in range(REPLICATIONS):
        rep = run_replication(model, SEED, index, trace=True)
        check_replication(model, rep)
        if index < 3:
            same_records(model, SEED, index, rep)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_contain_before_resolve(path: Path, bundled_models: dict[str, Model]) -> None:
    """In the bundled playbooks resolution always comes after containment."""
    model = bundled_models[path.name]
    for index in range(20):
        for m in run_replication(model, SEED, index).incidents:
            c, r = m.values.get("time_to_contain"), m.values.get("time_to_resolve")
            if r is not None and "time_to_contain" in m.values:
                assert c is not None and c <= r, f"{m.kind} #{m.number}: contained {c} resolved {r}"


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_summary_does_not_depend_on_workers(path: Path, bundled_models: dict[str, Model]) -> None:
    model = bundled_models[path.name]
    serial = summary(model, SEED, 24, workers=1, chunk=8)
    assert summary(model, SEED, 24, workers=2, chunk=8) == serial  # 3 chunks on a 2-process pool
    assert json.loads(serial)["replications"] == 24


# --- random small scenarios --------------------------------------------------------------------


def random_scenario_invariants(tmp_path: Path, data: dict[str, Any], seed: int) -> None:
    """A random small scenario keeps every invariant, and occurs when it says, on three replications."""
    model = model_from(tmp_path, json.dumps(data))  # JSON is YAML
    for index in range(3):
        rep = run_replication(model, seed, index, trace=True)
        check_replication(model, rep)
        injects = {i.id: i.at for i in model.scenario.injects}
        for r in rep.records:  # arrivals and injects occur when the scenario says
            if r.kind == T.OCCURRED:
                origin, _, key = r.detail.partition(" ")
                if origin == "inject":
                    assert r.time == injects[key]
                else:
                    arrival = model.arrivals[int(key)]
                    assert arrival.start <= r.time < arrival.end
        if index == 0:
            same_records(model, seed, index, rep)
    counts_add_up(model, seed)


def counts_add_up(model: Model, seed: int) -> None:
    """In a summary, every incident is counted once in time to detect (``n`` reached, or censored),
    and for every metric the kinds' counts add up to the whole."""
    aggregate = Aggregate(model, seed)
    incidents_by_kind: dict[str, int] = defaultdict(int)
    for rep in replications(model, seed, 3):
        aggregate.add(rep)
        for m in rep.incidents:
            incidents_by_kind[m.kind] += 1
    summary = aggregate.summary()
    for name, whole in summary["metrics"].items():
        kinds = [k["metrics"][name] for k in summary["incidents"].values() if name in k["metrics"]]
        assert whole["n"] == sum(k["n"] for k in kinds) and whole["censored"] == sum(
            k["censored"] for k in kinds
        )
    for kind, data in summary["incidents"].items():
        detect = data["metrics"].get("time_to_detect", {"n": 0, "censored": 0})
        assert detect["n"] + detect["censored"] == incidents_by_kind[kind]


test_random_scenario_invariants, test_random_scenario_invariants_soak = fuzz(
    random_scenario_invariants, data=small_scenarios(), seed=st.integers(0, 2**32 - 1), examples=40
)
