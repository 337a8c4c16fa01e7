"""Seats in a drill room: who is at the table, and what each may do.

A drill has one **coordinator** seat (the whole console: clock, skips, ending, the hot wash), one
**player** seat per ``--players`` entry (a role, a team or a person: the people it plays answer their
own pages and finish their own tasks), an **evaluator** seat (sees everything, writes observations
and suggests ratings in the hot wash) and an **observer** seat (read-only). Every journaled action
names the seat that took it; the room refuses an action a seat may not take, before it is journaled.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from drillsim.drill.journal import COORDINATOR, Entry
from drillsim.facts import MILESTONE, Record

EVALUATOR, OBSERVER = "evaluator", "observer"


class SeatKind(enum.StrEnum):
    """What a seat is for (see the module's docstring)."""

    COORDINATOR = "coordinator"
    PLAYER = "player"
    EVALUATOR = "evaluator"
    OBSERVER = "observer"


@dataclass(frozen=True)
class Seat:
    """A seat at the drill: its id (``coordinator``, ``evaluator``, ``observer``, or the ``--players``
    entry a player seat plays), its kind, and for a player seat the people it plays."""

    id: str
    kind: SeatKind
    people: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """How the seat is named on screen: ``player: soc-analyst (chloe, arjun)``, ``player: chloe``."""
        if self.kind is SeatKind.PLAYER and self.people != {self.id}:
            return f"player: {self.id} ({', '.join(sorted(self.people))})"
        if self.kind is SeatKind.PLAYER:
            return f"player: {self.id}"
        return self.kind.value

    @property
    def sees_all(self) -> bool:
        """Whether the seat sees the whole drill (the controllers: coordinator, evaluator, observer) or
        only what its players would know (a player seat: see :func:`shows_record`)."""
        return self.kind is not SeatKind.PLAYER

    def concerns(self, person: str) -> bool:
        """Whether a page or task for ``person`` belongs on this seat's screen."""
        return self.sees_all or person in self.people


# What a player seat sees of the coordinator's actions: the clock, which the whole room shares.
CLOCK_ACTIONS = frozenset({"pause", "resume", "speed", "skip", "end"})


def shows_record(seat: Seat, record: Record) -> bool:
    """Whether ``record`` goes in the seat's event log: for a player seat, what happened to its own
    people and the incidents' milestones, which the room is told; for the others, everything."""
    return seat.sees_all or record.who in seat.people or record.kind is MILESTONE


def shows_entry(seat: Seat, entry: Entry) -> bool:
    """Whether a journal entry goes in the seat's event log: for a player seat its own actions and the
    clock's (an evaluator's observations and ratings are not for the players)."""
    return seat.sees_all or entry.seat == seat.id or entry.action in CLOCK_ACTIONS


def shown_injects(
    seat: Seat, released: list[dict[str, Any]], upcoming: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The MSEL as the seat sees it: for a player seat the injects released to the players so far,
    without what the controllers expect of them (incident injects are the simulation's ground truth,
    and the script ahead is the controllers'); for the others the whole script."""
    if seat.sees_all:
        return released, upcoming
    told = [dict(i, expected_action=None, objectives=[]) for i in released if i["kind"] != "incident"]
    return told, []


class Actionable(Protocol):
    """What a permission check needs to read about a drill's pages and tasks (a DrillSession)."""

    def page(self, page_id: int) -> Any: ...

    def task(self, task_id: int) -> Any: ...


# What each kind of seat may do; players are further limited to their own people's pages and tasks.
MAY: dict[SeatKind, frozenset[str]] = {
    SeatKind.COORDINATOR: frozenset(
        {
            "acknowledge",
            "complete",
            "observe",
            "pause",
            "resume",
            "speed",
            "skip",
            "end",
            "rate",
            "detect",
            "suggest",
        }
    ),
    SeatKind.PLAYER: frozenset({"acknowledge", "complete"}),
    SeatKind.EVALUATOR: frozenset({"observe", "suggest"}),
    SeatKind.OBSERVER: frozenset(),
}


def seats_for(players: Mapping[str, Iterable[str]]) -> dict[str, Seat]:
    """Every seat of a drill whose player seats are ``players`` (entry → the people it plays)."""
    seats = {COORDINATOR: Seat(COORDINATOR, SeatKind.COORDINATOR)}
    seats |= {name: Seat(name, SeatKind.PLAYER, frozenset(people)) for name, people in players.items()}
    seats[EVALUATOR] = Seat(EVALUATOR, SeatKind.EVALUATOR)
    seats[OBSERVER] = Seat(OBSERVER, SeatKind.OBSERVER)
    return seats


def refusal(seat: Seat, action: str, args: dict[str, Any], drill: Actionable) -> str | None:
    """Why ``seat`` may not take ``action`` (with ``args``) now, or None when it may."""
    if action not in MAY[seat.kind]:
        return f"the {seat.kind.value} seat cannot {action}"
    if seat.kind is SeatKind.PLAYER:
        if action == "acknowledge":
            page = drill.page(args.get("page", 0)) if isinstance(args.get("page"), int) else None
            if page is not None and page.person not in seat.people:
                return f"page {args['page']} is for {page.person}, not for seat {seat.id}"
        if action == "complete":
            task = drill.task(args.get("task", 0)) if isinstance(args.get("task"), int) else None
            if task is not None and task.person not in seat.people:
                return f"task {args['task']} is {task.person}'s, not seat {seat.id}'s"
    return None
