"""A live drill: the simulator's World stepped by a wall clock, with some people played in the room.

The people listed as players answer pages and finish tasks when the coordinator records it; everyone
else is simulated exactly as in a Monte Carlo replication (same engine, same seed, same streams).
Every action is journaled (and on disk) before it takes effect; replaying the journal's actions at
their scenario times on a fresh World rebuilds the same state, which is how a drill is resumed.

Everything the console shows is derived from the World's records and the session's open pages and
tasks: see the ``*_view`` methods.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import simpy

from drillsim import facts as T
from drillsim.drill.clock import Clock, DrillClock, FollowedClock, TimeSource
from drillsim.drill.journal import COORDINATOR, Entry, Journal, JournalError
from drillsim.drill.seats import EVALUATOR, OBSERVER, Seat, refusal, seats_for
from drillsim.engine.model import Model, TaskModel, compile_scenario
from drillsim.engine.world import Answer, Incident, SimulatedCast, World
from drillsim.experiments.rundir import RunFolderError, create_run_folder
from drillsim.experiments.streams import Streams
from drillsim.facts import PageReason, ReasonKind, Record, Timeline
from drillsim.fsutil import write_atomically
from drillsim.metrics import IncidentMetrics, Tally
from drillsim.scenario.model import IncidentInject, Scenario
from drillsim.scenario.organisation import (
    AnyTarget,
    Organisation,
    PersonTarget,
    RoleTarget,
    TeamTarget,
    people_for,
)
from drillsim.workspace import Workspace


class DrillError(Exception):
    """A drill that cannot start or go on: an unknown player, a bad speed, an action that is not open."""


def players_of(org: Organisation, names: Iterable[str]) -> frozenset[str]:
    """The people a ``--players`` list names: person ids, roles or teams (in that order of precedence),
    resolved as escalation targets are. DrillError for unknown names."""
    roles = {r for p in org.people.values() for r in p.roles}
    people: set[str] = set()
    for name in names:
        target: AnyTarget
        if name in org.people:
            target = PersonTarget(person=name)
        elif name in roles:
            target = RoleTarget(role=name)
        elif name in org.teams:
            target = TeamTarget(team=name)
        else:
            from drillsim.scenario.messages import did_you_mean

            raise DrillError(
                f"--players {name}: no person, role or team '{name}' in {org.id}"
                f"{did_you_mean(name, [*org.people, *roles, *org.teams])}"
            )
        people.update(people_for(org, target))
    return frozenset(people)


@dataclass
class Page:
    """A page to a player, open until they acknowledge it or it no longer matters."""

    id: int
    person: str
    incident: int
    why: PageReason
    at: float
    event: simpy.Event


@dataclass
class PlayerTask:
    """A task a player is working on, open until the coordinator records it done."""

    id: int
    person: str
    incident: int
    task: str
    title: str
    started: float
    event: simpy.Event


@dataclass
class PlayerCast(SimulatedCast):
    """Simulates everyone but the players; the players' answers and work come from the console."""

    players: frozenset[int]
    pages: list[Page] = field(default_factory=list)
    tasks: list[PlayerTask] = field(default_factory=list)
    noticed: dict[int, simpy.Event] = field(default_factory=dict)  # by incident number, until detected

    def noticing(self, world: World, incident: Incident) -> simpy.Event:
        """The event the room's "detect" succeeds: the room noticed the incident before any source."""
        event = self.noticed[incident.number] = world.env.event()
        return event

    def acknowledgement(self, world: World, incident: Incident, person: int, why: PageReason) -> Answer:
        """A player's page stays open (one per person, incident and reason) until the coordinator
        records the answer; everyone else is simulated."""
        if person not in self.players:
            return super().acknowledgement(world, incident, person, why)
        if world.complications.unavailable(person, world.env.now):
            return None  # a complication keeps them away, player or not
        pid = world.model.people[person].id
        repeat = next(
            (
                p
                for p in self.pages
                if (p.person, p.incident, p.why) == (pid, incident.number, why) and not p.event.triggered
            ),
            None,
        )
        if repeat is not None:
            return repeat.event  # paged again for the same thing: still the one open page
        event = world.env.event()
        self.pages.append(Page(len(self.pages) + 1, pid, incident.number, why, world.env.now, event))
        return event

    def work(self, world: World, incident: Incident, task: TaskModel, person: int) -> simpy.Event:
        """A player's task runs until the coordinator records it done; everyone else is simulated."""
        if person not in self.players:
            return super().work(world, incident, task, person)
        event = world.env.event()
        self.tasks.append(
            PlayerTask(
                len(self.tasks) + 1,
                world.model.people[person].id,
                incident.number,
                task.id,
                task.title,
                world.env.now,
                event,
            )
        )
        return event


class DrillSession:
    """One live drill. Create with :meth:`start` or :meth:`resume`."""

    def __init__(
        self,
        folder: Path,
        scenario: Scenario,
        journal: Journal,
        clock: Clock,
        seed: int,
        seats: dict[str, Seat],
    ) -> None:
        self.folder, self.scenario, self.journal, self.clock = folder, scenario, journal, clock
        self.seed, self.seats = seed, seats
        self.players = frozenset(p for seat in seats.values() for p in seat.people)
        self.model: Model = compile_scenario(scenario)
        self.cast = PlayerCast(players=frozenset(self.model.index[p] for p in self.players))
        self.timeline, self.tally = Timeline([p.id for p in self.model.people]), Tally(self.model.kinds)
        self.world = World(self.model, Streams(seed, 0), self.cast)
        self.ended = False

    # --- starting and resuming -------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        scenario: Scenario,
        snapshot: str,
        *,
        players: Iterable[str],
        speed: float,
        seed: int,
        results: Path,
        time_source: TimeSource = time.monotonic,
    ) -> DrillSession:
        """A new drill in a new folder under the workspace ``results`` (its drills folder), its journal
        started with the scenario, seed, players and speed; DrillError for bad players or speed."""
        if not (math.isfinite(speed) and speed > 0):
            raise DrillError(
                f"--speed {speed}: the speed must be a number above 0 (1 is real time, 60 a minute per "
                "second)"
            )
        names = list(players)
        for reserved in (COORDINATOR, EVALUATOR, OBSERVER):
            if reserved in names:
                raise DrillError(
                    f"--players {reserved}: '{reserved}' names a seat of its own; name the people it plays"
                )
        seated = {name: players_of(scenario.organisation, [name]) for name in names}
        people = frozenset(p for group in seated.values() for p in group)
        try:
            folder = create_run_folder(
                None, Workspace(root=results).drills, scenario.id, dt.datetime.now(dt.UTC)
            )
        except RunFolderError as exc:
            raise DrillError(str(exc)) from None
        write_atomically(folder / "scenario.yaml", snapshot)
        header = {
            "scenario": scenario.id,
            "seed": seed,
            "players": sorted(people),
            "speed": speed,
            "seats": {name: sorted(group) for name, group in seated.items()},
        }
        journal = Journal.create(folder / "journal.jsonl", header)
        return cls(folder, scenario, journal, DrillClock(speed, time_source), seed, seats_for(seated))

    @classmethod
    def resume(cls, folder: Path, time_source: TimeSource = time.monotonic) -> DrillSession:
        """Rebuild a drill from its folder: the scenario it ran and its journal, replayed. The clock
        resumes paused at the last recorded time."""
        from drillsim.scenario.errors import ScenarioError
        from drillsim.scenario.loader import load_scenario

        if not (folder / "journal.jsonl").is_file():
            raise JournalError(f"{folder}: no drill here (no journal.jsonl)")
        try:
            scenario = load_scenario(folder / "scenario.yaml")
        except ScenarioError as exc:
            raise JournalError(f"{folder}/scenario.yaml: cannot be loaded: {exc.problems[0]}") from None
        journal = Journal.open(folder / "journal.jsonl")
        header = journal.header
        try:
            seed, players, speed = int(header["seed"]), frozenset(header["players"]), float(header["speed"])
            # journals written before seats were recorded had one player seat for everyone in the room
            seated = {str(k): frozenset(v) for k, v in header.get("seats", {"players": players}).items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            journal.close()
            raise JournalError(f"{folder}/journal.jsonl:1: damaged header") from None
        unknown = sorted(players - set(scenario.organisation.people))
        if unknown or not (math.isfinite(speed) and speed > 0):
            journal.close()
            raise JournalError(
                f"{folder}/journal.jsonl:1: damaged header (players not in the scenario: "
                f"{', '.join(unknown)})"
                if unknown
                else f"{folder}/journal.jsonl:1: damaged header (speed)"
            )
        session = cls(folder, scenario, journal, DrillClock(speed, time_source), seed, seats_for(seated))
        try:
            for entry in journal.entries:
                session._replay(entry)
        except BaseException:
            session.close()  # release the journal for the next attempt
            raise
        session.clock.pause()
        return session

    @classmethod
    def replica(cls, snapshot: str, header: dict[str, Any], folder: Path) -> DrillSession:
        """A console's copy of a drill run by a drill room elsewhere: the scenario it ran (its text),
        its journal header; entries arrive with :meth:`receive`, the clock with :meth:`follow`.
        DrillError when the scenario cannot be read (the room sent something else than a drill)."""
        from drillsim.scenario.errors import ScenarioError
        from drillsim.scenario.yamlsource import parse_yaml

        try:
            from drillsim.scenario.loader import Sources, validate_sources

            result = validate_sources(Sources(parse_yaml(snapshot.encode(), f"{folder.name}/scenario.yaml")))
        except ScenarioError as exc:
            raise DrillError(
                f"the drill room sent a scenario that cannot be read: {exc.problems[0]}"
            ) from None
        if result.errors or not isinstance(result.model, Scenario):
            raise DrillError("the drill room sent a scenario that cannot be read")
        seated = {str(k): frozenset(v) for k, v in header["seats"].items()}
        journal = Journal.replica(folder / "journal.jsonl", header)
        clock = FollowedClock(float(header["speed"]))
        return cls(folder, result.model, journal, clock, int(header["seed"]), seats_for(seated))

    def receive(self, entry: Entry) -> None:
        """A replica: apply the next entry the drill room journaled, as a resume replays it."""
        self.journal.receive(entry)
        self._replay(entry)

    def follow(self, now: float, speed: float, paused: bool) -> None:
        """A replica: the drill room's clock now reads ``now``; run the world there."""
        assert isinstance(self.clock, FollowedClock)
        self.clock.follow(now, speed, paused)
        self.tick()

    def _replay(self, entry: Entry) -> None:
        self.clock.jump_to(entry.time)
        self.world.run(entry.time)
        try:
            self._check(entry.action, entry.args)
            self._apply(entry.action, entry.args)
        except DrillError as exc:
            raise JournalError(f"{self.journal.path}:{entry.seq + 1}: cannot be replayed: {exc}") from None
        self.world.settle()

    # --- the clock ---------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Scenario minutes, never past the horizon."""
        return min(self.clock.now(), self.model.horizon)

    def tick(self) -> float:
        """Advance the simulation to the clock's time and return that time. Cheap when nothing happened."""
        now = self.now
        self.world.run(now)
        return now

    # --- actions: journaled, then applied -------------------------------------------------------

    def act(self, action: str, **args: Any) -> None:
        """The coordinator's ``action``: see :meth:`act_as`."""
        self.act_as(COORDINATOR, action, args)

    def act_as(self, seat: str, action: str, args: dict[str, Any]) -> Entry:
        """Record ``action``, taken from ``seat``, in the journal (on disk) and apply it at the current
        scenario time; DrillError, before anything is journaled, when the seat may not take it or it
        cannot apply."""
        if seat not in self.seats:
            raise DrillError(f"no seat '{seat}' in this drill")
        if self.ended and action not in ("rate", "observe", "suggest"):
            raise DrillError("the drill has ended")
        now = self.tick()
        if action == "skip" and "to" not in args:  # to the next inject, or the first page before it
            args = {"to": self._next_stop()}
        self._check(action, args)
        refused = refusal(self.seats[seat], action, args, self)
        if refused:
            raise DrillError(refused)
        wall = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            entry = self.journal.append(now, action, args, wall, seat)
        except JournalError as exc:
            raise DrillError(str(exc)) from None
        self._apply(action, args)
        self.world.settle()
        return entry

    ARGUMENTS: ClassVar[dict[str, dict[str, tuple[type, ...]]]] = {
        "acknowledge": {"page": (int,)},
        "complete": {"task": (int,)},
        "observe": {"text": (str,)},
        "pause": {},
        "resume": {},
        "speed": {"speed": (int, float)},
        "skip": {"to": (int, float)},
        "end": {},
        "rate": {"objective": (str,), "rating": (str,)},
        "suggest": {"objective": (str,), "rating": (str,)},
        "detect": {"incident": (int,)},
    }

    def _check(self, action: str, args: dict[str, Any]) -> None:
        """Refuse an action that cannot apply — before it is journaled, and when a journal is replayed."""
        expected = self.ARGUMENTS.get(action)
        if expected is None:
            raise DrillError(f"unknown action '{action}'")
        for name, types in expected.items():
            if not isinstance(args.get(name), types) or isinstance(args.get(name), bool):
                raise DrillError(f"{action} needs {name}")
        if action == "acknowledge" and self._open_page(args["page"]) is None:
            raise DrillError(f"page {args['page']} is not open")
        if action == "complete" and self._open_task(args["task"]) is None:
            raise DrillError(f"task {args['task']} is not in progress")
        if action == "speed" and not (math.isfinite(args["speed"]) and args["speed"] > 0):
            raise DrillError("the speed must be a number above 0")
        if action == "skip" and not math.isfinite(args["to"]):
            raise DrillError("skip needs a scenario time")
        if action == "detect":
            number = args["incident"]
            if not 0 <= number < len(self.world.incidents):
                raise DrillError(f"no incident #{number} has occurred")
            if any(r.kind is T.DETECTED and r.incident == number for r in self.records):
                raise DrillError(f"incident #{number} is already detected")

    def _apply(self, action: str, args: dict[str, Any]) -> None:
        if action == "acknowledge":
            page = self._open_page(args["page"])
            if page is None:
                raise DrillError(f"page {args['page']} is not open")
            page.event.succeed(self.model.index[page.person])
        elif action == "complete":
            task = self._open_task(args["task"])
            if task is None:
                raise DrillError(f"task {args['task']} is not in progress")
            task.event.succeed()
        elif action == "pause":
            self.clock.pause()
        elif action == "resume":
            self.clock.resume()
        elif action == "speed":
            self.clock.set_speed(float(args["speed"]))
        elif action == "skip":
            self.clock.jump_to(float(args["to"]))
            self.world.run(float(args["to"]))  # what happens up to then, happens now (then settles)
        elif action == "detect":
            self.cast.noticed[args["incident"]].succeed()
        elif action == "end":
            self.clock.pause()
            self.ended = True
        elif action not in ("observe", "rate", "suggest"):
            raise DrillError(f"unknown action '{action}'")

    def acknowledge(self, page: int) -> None:
        self.act("acknowledge", page=page)

    def complete(self, task: int) -> None:
        self.act("complete", task=task)

    def observe(self, text: str, objective: str | None = None) -> None:
        self.act("observe", text=text, objective=objective)

    def pause(self) -> None:
        self.act("pause")

    def resume_clock(self) -> None:
        self.act("resume")

    def set_speed(self, speed: float) -> None:
        self.act("speed", speed=speed)

    def skip_to_next_inject(self) -> bool:
        """Jump to the next inject, or to the first page to a player before it; False when no inject is
        left (see :meth:`_next_stop`)."""
        if not self.msel_view()[1]:
            return False
        self.act("skip")
        return True

    def _next_stop(self) -> float:
        """Where a skip goes: the next inject's time — or the first page to a player before it, so that
        the room gets to answer it (a skip past open pages once cost a drill 14 hours). The world runs
        up to that page (what the skip would run anyway). DrillError when no inject is left."""
        upcoming = self.msel_view()[1]
        if not upcoming:
            raise DrillError("no inject left to skip to")
        target, pages, env = upcoming[0]["at"], len(self.cast.pages), self.world.env
        while env.peek() < target and len(self.cast.pages) == pages:
            env.step()
        return env.now if len(self.cast.pages) > pages else target

    def detect(self, incident: int) -> None:
        """The room noticed incident ``incident`` before any detection source fired."""
        self.act("detect", incident=incident)

    def end(self) -> None:
        self.act("end")

    # --- what the console shows -------------------------------------------------------------------

    @property
    def records(self) -> list[Record]:
        return self.timeline.update(self.world.facts)

    def live_metrics(self) -> list[IncidentMetrics]:
        """The drill's incidents measured like a replication, up to the present."""
        self.tally.update(self.world.facts)
        return self.tally.metrics(self.now)

    def page(self, page_id: int) -> Page | None:
        """Any page to a player, open or closed, by id."""
        return self.cast.pages[page_id - 1] if 0 < page_id <= len(self.cast.pages) else None

    def task(self, task_id: int) -> PlayerTask | None:
        """Any player task, in progress or done, by id."""
        return self.cast.tasks[task_id - 1] if 0 < task_id <= len(self.cast.tasks) else None

    def _open_page(self, page_id: int) -> Page | None:
        return next((p for p in self.open_pages() if p.id == page_id), None)

    def _open_task(self, task_id: int) -> PlayerTask | None:
        return next((t for t in self.cast.tasks if t.id == task_id and not t.event.triggered), None)

    def open_pages(self) -> list[Page]:
        """Pages to players still waiting for an answer and still mattering: a level's page until the
        incident is acknowledged, an authority's until the decision is taken, a task's until it starts."""
        acknowledged = {r.incident for r in self.records if r.kind is T.ACKNOWLEDGED}
        decided = {(r.incident, r.subject) for r in self.records if r.kind is T.DECISION}
        started = {(r.incident, r.subject) for r in self.records if r.kind is T.TASK_STARTED}
        open_pages = []
        for page in self.cast.pages:
            if page.event.triggered:
                continue
            why = page.why
            if why.kind is ReasonKind.LEVEL and page.incident in acknowledged:
                continue
            if why.kind is ReasonKind.AUTHORITY and (page.incident, why.authority) in decided:
                continue
            if why.kind is ReasonKind.TASK and (page.incident, why.task) in started:
                continue
            open_pages.append(page)
        return open_pages

    def open_tasks(self) -> list[PlayerTask]:
        return [t for t in self.cast.tasks if not t.event.triggered]

    def incidents_view(self) -> list[dict[str, Any]]:
        """One row per incident that has occurred: state, owner, escalation level (the number of the
        policy's level paging now, while nobody owns it), and time since detection."""
        rows: dict[int, dict[str, Any]] = {}
        for incident in self.world.incidents:
            rows[incident.number] = {
                "number": incident.number,
                "kind": incident.kind.id,
                "title": incident.kind.title,
                "severity": incident.kind.severity,
                "state": "not yet",
                "owner": None,
                "level": None,
                "detected": None,
            }
        now = self.now
        for r in self.records:
            if r.incident == T.SCENARIO:  # a conditional inject's outcome: the MSEL view shows it
                continue
            row, kind, reason = rows[r.incident], r.kind, r.reason
            if kind is T.OCCURRED:
                row["state"] = "undetected"
            elif kind is T.DETECTED:
                row["state"], row["detected"], row["level"] = "paging", r.time, 1
            elif (
                kind is T.ESCALATED
                and row["owner"] is None
                and reason is not None
                and reason.kind is ReasonKind.LEVEL
            ):
                row["level"] = reason.step
            elif kind is T.EXHAUSTED and reason is not None and reason.kind is ReasonKind.LEVEL:
                row["state"] = "unanswered"
            elif kind is T.ACKNOWLEDGED:
                row["state"], row["owner"] = "responding", r.who
            elif kind is T.MILESTONE:
                row["state"] = r.subject
            elif kind is T.SEVERITY:
                row["severity"] = r.subject
        for row in rows.values():
            row["elapsed"] = None if row["detected"] is None else now - row["detected"]
        return [row for row in rows.values() if row["state"] != "not yet"]

    def clocks_view(self) -> list[dict[str, Any]]:
        """Regulatory clocks running for detected incidents: deadline, time left, and when notified. A
        clock that starts at a task or a decision runs once that has happened."""
        detected = {r.incident: r.time for r in self.records if r.kind is T.DETECTED}
        notified = {(r.incident, r.subject): r.time for r in self.records if r.kind is T.NOTIFIED}
        events = {
            (r.incident, "task" if r.kind is T.TASK_DONE else "decision", r.subject): r.time
            for r in self.records
            if r.kind is T.TASK_DONE or r.kind is T.DECISION
        }
        kinds = {i.number: i.kind for i in self.world.incidents}
        rows = []
        for number, detected_at in sorted(detected.items()):
            kind = kinds[number]
            for clock, deadline in kind.clocks.items():
                start = kind.clock_starts.get(clock)
                at = detected_at if start is None else events.get((number, *start))
                if at is None:
                    continue  # its start event has not happened yet
                rows.append(
                    {
                        "incident": number,
                        "clock": clock,
                        "started": at,
                        "deadline": at + deadline,
                        "left": at + deadline - self.now,
                        "notified": notified.get((number, clock)),
                    }
                )
        return rows

    def msel_view(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(released, upcoming) injects in time order, with what the players are expected to do. A
        conditional inject whose condition did not hold at its time is in neither (the event log
        says it was withheld)."""
        now = self.now
        withheld = {r.subject for r in self.records if r.kind is T.WITHHELD}
        injects = sorted((i for i in self.scenario.injects if i.id not in withheld), key=lambda i: i.at)
        view: list[dict[str, Any]] = [
            {
                "id": i.id,
                "at": i.at,
                "kind": i.kind,
                "text": i.text,
                "from": i.from_,
                "to": i.to,
                "expected_action": i.expected_action,
                "objectives": i.objectives,
                "incident": i.incident if isinstance(i, IncidentInject) else None,
                "condition": i.condition.describe() if i.condition is not None else None,
            }
            for i in injects
        ]
        return [v for v in view if v["at"] <= now], [v for v in view if v["at"] > now]

    def objectives_view(self) -> list[dict[str, Any]]:
        """Each objective's live result so far: met, missed, or running (with time left)."""
        from drillsim.scoring import scored_objectives

        rows = self.live_metrics()
        view: list[dict[str, Any]] = []
        for objective, spec in zip(
            scored_objectives(self.scenario), self.scenario.objectives.values(), strict=True
        ):
            outcomes = [(row, objective.outcome(row)) for row in rows]
            applicable = [(row, met) for row, met in outcomes if met is not None]
            values = [row.values[objective.metric] for row, _ in applicable]
            met = sum(1 for _, m in applicable if m)
            missed = sum(
                1
                for (row, m), v in zip(applicable, values, strict=True)
                if not m and (v is not None or self.running_for(row, objective.metric) > objective.target)
            )
            view.append(
                {
                    "id": objective.id,
                    "text": spec.text,
                    "metric": objective.metric,
                    "target": objective.target,
                    "incidents": len(applicable),
                    "met": met,
                    "missed": missed,
                    "running": len(applicable) - met - missed,
                    "values": values,
                }
            )
        return view

    def running_for(self, row: IncidentMetrics, metric: str) -> float:
        """How long ``metric`` has been running for an incident: from occurrence for time to detect,
        from detection for the others (0 while the incident is undetected)."""
        detected = row.values.get("time_to_detect")
        if metric == "time_to_detect":
            return self.now - row.occurred
        return 0.0 if detected is None else self.now - row.occurred - detected

    def close(self) -> None:
        self.journal.close()
