"""Who the organisation can least afford to lose: readiness with each person away, ranked.

For every person, a variant of the scenario in which they cannot be reached for the whole run (an
``unavailable`` complication from time 0) is compared with the scenario itself, with common random
numbers, so the drop in readiness is measured person by person against the same draws.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drillsim.engine.model import compile_scenario
from drillsim.experiments.compare import Variant, compare
from drillsim.scenario.model import ComplicationInject, Scenario
from drillsim.scenario.organisation import PersonTarget


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


def criticality(
    scenario: Scenario,
    *,
    seed: int,
    count: int,
    workers: int,
    progress: Callable[[int], None] = lambda done: None,
) -> list[dict[str, Any]]:
    """One row per person, the largest readiness drop first: the drop (variant − base, negative is
    worse), its 95% interval and verdict, and the objectives that lost most."""
    people = list(scenario.organisation.people)
    base = Variant("base", compile_scenario(scenario))
    variants = [Variant(pid, compile_scenario(without(scenario, pid))) for pid in people]
    result = compare(base, variants, seed=seed, count=count, workers=workers, progress=progress)
    rows = []
    for pid, outcome in zip(people, result["variants"], strict=True):
        person = scenario.organisation.people[pid]
        readiness = outcome["results"].get(
            "readiness", {"difference": 0.0, "ci95": [0.0, 0.0], "verdict": "—"}
        )
        objectives = sorted(
            (
                (key.split(":", 1)[1], row["difference"])
                for key, row in outcome["results"].items()
                if key.startswith("objective:") and row["difference"] < 0
            ),
            key=lambda item: item[1],
        )
        rows.append(
            {
                "person": pid,
                "name": person.name,
                "roles": person.roles,
                "readiness_change": readiness["difference"],
                "ci95": readiness["ci95"],
                "verdict": readiness["verdict"],
                "objectives_hit": [o for o, _ in objectives[:3]],
            }
        )
    return sorted(rows, key=lambda row: (row["readiness_change"], row["person"]))
