"""What a change costs: people added, and on-call hours a week added or removed, person by person.

On-call hours are :func:`drillsim.coverage.on_call_load`'s (on call and shadowing, averaged over whole
rotations), compared between the base scenario and the changed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drillsim.coverage import on_call_load
from drillsim.scenario.model import Scenario

SMALLEST = 0.05  # hours a week: a smaller change of someone's load is rounding


@dataclass(frozen=True)
class LoadChange:
    """A person's on-call hours a week before and after a change (shadowing included)."""

    person: str
    name: str
    before: float
    after: float


@dataclass(frozen=True)
class Cost:
    """People the change adds (ids), on-call hours a week it adds in all (negative: removes), and whose
    load changes."""

    people_added: tuple[str, ...]
    on_call_hours: float
    load: tuple[LoadChange, ...]

    def words(self) -> str:
        """``1 person added; +84 h on call a week (Ann Ash +84)``, or ``nobody added; no on-call hours``."""
        people = len(self.people_added)
        head = f"{people} {'person' if people == 1 else 'people'} added" if people else "nobody added"
        if not self.load:
            return f"{head}; no on-call hours"
        who = ", ".join(f"{c.name} {c.after - c.before:+.0f}" for c in self.load[:3])
        more = ", …" if len(self.load) > 3 else ""
        return f"{head}; {self.on_call_hours:+.0f} h on call a week ({who}{more})"

    def to_json(self) -> dict[str, Any]:
        return {
            "people_added": list(self.people_added),
            "on_call_hours_per_week": round(self.on_call_hours, 2),
            "load": [
                {"person": c.person, "name": c.name, "before": round(c.before, 2), "after": round(c.after, 2)}
                for c in self.load
            ],
            "words": self.words(),
        }


def cost(base: Scenario, changed: Scenario) -> Cost:
    """What ``changed`` costs against ``base``."""
    before = {p.person: p.on_call + p.shadow for p in on_call_load(base)}
    after = {p.person: p.on_call + p.shadow for p in on_call_load(changed)}
    people = changed.organisation.people
    load = [
        LoadChange(pid, people[pid].name, before.get(pid, 0.0), after.get(pid, 0.0))
        for pid in people
        if abs(after.get(pid, 0.0) - before.get(pid, 0.0)) >= SMALLEST
    ]
    load.sort(key=lambda c: (-abs(c.after - c.before), c.person))
    return Cost(
        tuple(pid for pid in people if pid not in base.organisation.people),
        sum(after.values()) - sum(before.values()),
        tuple(load),
    )
