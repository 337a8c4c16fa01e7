"""Who the organisation can least afford to lose: readiness with each person away, ranked.

For every person, a variant of the scenario in which they cannot be reached for the whole run (an
``unavailable`` complication from time 0) is compared with the scenario itself, with common random
numbers, so the drop in readiness is measured person by person against the same draws.

Two things keep it quick without changing the answer that matters:

- **Never paged, never simulated.** A person whom no escalation level, schedule, rotation, task (by
  role or skill) or authority of the scenario can ever page is never touched by the engine: with
  them away the replication produces exactly the same facts, so their change is exactly 0. They are
  reported as such without being run.
- **Early stops** (:func:`drillsim.experiments.adaptive.rank`, ranking losses): a person whose absence
  clearly makes no difference, or who is clearly not among the CRITICAL_KEEP most critical, stops
  after the first looks instead of running every replication; the row says after how many and why.
  ``adaptive=False`` runs everyone to the end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drillsim.engine.model import Model, compile_scenario
from drillsim.experiments.adaptive import rank
from drillsim.experiments.compare import SAME, Variant
from drillsim.experiments.replicate import Backend
from drillsim.scenario.model import ComplicationInject, Scenario
from drillsim.scenario.organisation import PersonTarget

CRITICAL_KEEP = 5  # the ranking is for the few most critical people: the rest may stop as "behind"
NEVER_PAGED = "never paged: no effect"


def without(scenario: Scenario, person: str) -> Scenario:
    """The scenario with ``person`` unreachable from the start to the end."""
    away = ComplicationInject(
        id=f"away-{person}",
        at=0.0,
        kind="complication",
        text=f"{person} is away",
        unavailable=PersonTarget(person=person),
    )
    return scenario.model_copy(update={"injects": [*scenario.injects, away]})


def pageable(model: Model) -> set[str]:
    """The people the engine can ever page or give work to in ``model``: everyone an escalation level
    of an incident kind's policy may page (schedules, layers and rotations: everyone they ever put on
    call), every candidate for a task (and everyone holding a role or skill a task needs), every
    holder of an authority a task waits for. Everyone else never appears in a replication's facts."""
    found: set[int] = set()
    needs: set[str] = set()
    for kind in model.kinds.values():
        for level in kind.policy.levels:
            for target in level.targets:
                found.update(target.people)
                if target.schedule is not None:
                    found.update(target.schedule.members)
        for task in kind.tasks:
            found.update(task.candidates)
            needs.add(task.need)
            if task.decision is not None:
                found.update(p for tier in task.decision.tiers for p in tier)
    found.update(p for p, wanted in enumerate(model.needs_of) if needs.intersection(wanted))
    return {model.people[p].id for p in found}


def criticality(
    scenario: Scenario,
    *,
    seed: int,
    count: int,
    workers: int,
    backend: Backend | None = None,
    scheduler: str | None = None,
    adaptive: bool = True,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> list[dict[str, Any]]:
    """One row per person, the largest readiness drop first (ties by id): the drop (variant − base,
    negative is worse), its 95% interval and verdict, the objectives that lost most, the replications
    the person ran (0 when never paged) and ``note``: None after every replication, else why fewer
    ("never paged: no effect", or the early stop's sentence). ``progress(done, total)`` counts runs
    (one model, one replication)."""
    base_model = compile_scenario(scenario)
    reachable = pageable(base_model)
    people = [pid for pid in scenario.organisation.people if pid in reachable]
    variants = [Variant(pid, compile_scenario(without(scenario, pid))) for pid in people]
    result = rank(
        Variant("base", base_model),
        variants,
        seed=seed,
        count=count,
        workers=workers,
        backend=backend,
        scheduler=scheduler,
        ranking="loss",
        keep=CRITICAL_KEEP,
        adaptive=adaptive,
        progress=progress,
    )
    outcomes = dict(zip(people, result["variants"], strict=True))
    rows = [_row(scenario, pid, outcomes.get(pid)) for pid in scenario.organisation.people]
    return sorted(rows, key=lambda row: (row["readiness_change"], row["person"]))


def _row(scenario: Scenario, pid: str, outcome: dict[str, Any] | None) -> dict[str, Any]:
    """A person's row: from their ranked outcome, or exactly no change when never paged (None)."""
    person = scenario.organisation.people[pid]
    row = {"person": pid, "name": person.name, "roles": person.roles}
    if outcome is None:
        return row | {
            "readiness_change": 0.0,
            "ci95": [0.0, 0.0],
            "verdict": SAME,
            "objectives_hit": [],
            "replications": 0,
            "note": NEVER_PAGED,
        }
    readiness = outcome["results"].get("readiness", {"difference": 0.0, "ci95": [0.0, 0.0], "verdict": "—"})
    objectives = sorted(
        (
            (key.split(":", 1)[1], entry["difference"])
            for key, entry in outcome["results"].items()
            if key.startswith("objective:") and entry["difference"] < 0
        ),
        key=lambda item: item[1],
    )
    stopped = outcome["stopped"]
    return row | {
        "readiness_change": readiness["difference"],
        "ci95": readiness["ci95"],
        "verdict": readiness["verdict"],
        "objectives_hit": [o for o, _ in objectives[:3]],
        "replications": outcome["replications"],
        "note": stopped["note"] if stopped else None,
    }
