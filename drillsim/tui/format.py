"""Plain words and colours for what the console shows. No Textual here: pure functions of the views.

Times on screen are scenario times. ``tplus`` writes elapsed scenario time the way a coordinator
reads it out ("T+1h05m"); ``calendar`` the wall-calendar time it stands for in the organisation's
time zone; ``sentence`` one timeline record in words ("T+14m Chen Li acknowledged #0 (level 1)").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from drillsim import facts as T
from drillsim.facts import PageReason, ReasonKind, Record
from drillsim.scenario.model import Scenario
from drillsim.scenario.units import humanize

AMBER = "dark_orange"
RED = "bold red"
GREEN = "green"
DIM = "dim"

# Share of an objective's target after which an incident's time since detection turns amber.
AMBER_SHARE = 0.75
# Share of a regulatory clock's span left under which it turns red.
CLOCK_RED_SHARE = 0.10


def tplus(minutes: float, seconds: bool = False) -> str:
    """Elapsed scenario time: 'T+14m', 'T+1h05m', 'T+2d03h10m'; with ``seconds``: 'T+1h05m30s'."""
    total = max(0, math.floor(minutes * 60 + 1e-6))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    mins, secs = divmod(rest, 60)
    if days:
        text = f"T+{days}d{hours:02d}h{mins:02d}m"
    elif hours:
        text = f"T+{hours}h{mins:02d}m"
    else:
        text = f"T+{mins}m"
    return text + (f"{secs:02d}s" if seconds else "")


def zone_of(scenario: Scenario) -> dt.tzinfo:
    try:
        return ZoneInfo(scenario.organisation.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return scenario.start.tzinfo or dt.UTC


def calendar(
    scenario: Scenario, minutes: float, zone: dt.tzinfo | None = None, fmt: str = "%a %d %b %H:%M:%S %Z"
) -> str:
    """The calendar time scenario time ``minutes`` stands for: 'Tue 07 Apr 11:05:30 BST'."""
    when = (scenario.start + dt.timedelta(minutes=minutes)).astimezone(zone or zone_of(scenario))
    return when.strftime(fmt).strip()


def short_name(name: str) -> str:
    """'Chen Li (Safety engineer)' → 'Chen Li'."""
    return name.split(" (", 1)[0]


def until(minutes: float) -> str:
    """Time to go: 'in 4m', 'in 1h 5m', 'now'."""
    return "now" if minutes <= 0 else f"in {humanize(minutes)}"


class Names:
    """Person id → short display name, cached; players are marked so the room can see its own."""

    def __init__(self, scenario: Scenario, players: Iterable[str]) -> None:
        self.people = scenario.organisation.people
        self.players = frozenset(players)
        self._cache: dict[str | None, str] = {None: "—"}

    def __call__(self, person: str | None) -> str:
        name = self._cache.get(person)
        if name is None:
            found = self.people.get(person)  # type: ignore[arg-type]
            name = self._cache[person] = short_name(found.name) if found else str(person)
        return name


FIRST_LEVEL = PageReason(ReasonKind.LEVEL, 1)


class Narrator:
    """Turns timeline records into sentences, remembering each incident's current escalation level."""

    SKIP = frozenset({T.TASK_READY})

    def __init__(self, names: Names) -> None:
        self.names = names
        self.level: dict[int, PageReason] = {}

    def sentence(self, r: Record) -> tuple[str, str] | None:
        """(text without the time, style) or None for records not worth a line."""
        who, n, subject, reason = self.names(r.who), f"#{r.incident}", r.subject or "", r.reason
        kind = r.kind
        if kind is T.RELEASED:
            return f"inject {subject} released: its condition held", "bold"
        if kind is T.WITHHELD:
            return f"inject {subject} withheld: its condition did not hold", DIM
        if kind is T.DETECTED:
            self.level[r.incident] = FIRST_LEVEL
            return (
                f"{n} detected ({subject})" if subject != "fallback" else f"{n} detected by the fallback"
            ), "bold"
        if kind is T.ESCALATED and reason is not None and reason.kind is ReasonKind.LEVEL:
            self.level[r.incident] = reason
        if kind in self.SKIP:
            return None
        player = r.who in self.names.players
        if kind is T.OCCURRED:
            return f"{n} occurred ({subject})", DIM
        if kind is T.PAGED:
            return f"{who} paged for {n} ({reason})", "yellow" if player else ""
        if kind is T.ESCALATED:
            if reason is not None and reason.kind is ReasonKind.AUTHORITY:
                return f"{n}: decision {reason.authority} goes to step {reason.step}", AMBER
            return f"{n} escalated to {reason}", AMBER
        if kind is T.EXHAUSTED:
            return f"{n}: nobody answered — every {reason} step ran out", RED
        if kind is T.ACKNOWLEDGED:
            return f"{who} acknowledged {n} ({self.level.get(r.incident, FIRST_LEVEL)})", "bold green"
        if kind is T.ENGAGED:
            return f"{who} joined the response to {n}", GREEN if player else ""
        if kind is T.TASK_STARTED:
            return f"{who} started {subject} on {n}", "cyan" if player else ""
        if kind is T.TASK_DONE:
            return f"{who} finished {subject} on {n}", "cyan" if player else ""
        if kind is T.DECISION_NEEDED:
            return f"{n} needs a decision: {subject}", AMBER
        if kind is T.DECISION:
            return f"{who} decided {subject} on {n}", "bold green"
        if kind is T.MILESTONE:
            return f"{n} {subject}", "bold green"
        if kind is T.NOTIFIED:
            return f"{who} notified {subject} for {n}", "bold green"
        if kind is T.BRANCHED:
            return f"{n}: branch {subject} fired", "bold " + AMBER
        if kind is T.SEVERITY:
            return f"{n} is now {subject}", AMBER
        return f"{n} {kind} {who} {r.detail or ''}".strip(), ""


def elapsed_style(elapsed: float | None, target: float | None) -> str:
    """Amber from 75% of the tightest pending target, red past it."""
    if elapsed is None or target is None:
        return ""
    if elapsed >= target:
        return RED
    return AMBER if elapsed >= AMBER_SHARE * target else ""


def clock_status(row: dict[str, Any], detected: float | None, now: float) -> tuple[str, str]:
    """A regulatory clock in words and colour: notified (green), missed or under 10% left (red)."""
    notified, deadline, left = row["notified"], row["deadline"], row["left"]
    if notified is not None:
        if notified <= deadline:
            return f"notified {tplus(notified)}", GREEN
        return f"notified late {tplus(notified)}", RED
    if left < 0:
        return f"MISSED {humanize(-left)} ago", RED
    started = row.get("started", detected)  # a clock may start after detection (a task, a decision)
    span = deadline - started if started is not None else None
    style = RED if span and left < CLOCK_RED_SHARE * span else ""
    return humanize(left), style


def readiness_so_far(
    objectives: list[dict[str, Any]], weights: dict[str, float]
) -> tuple[float | None, int, int, int]:
    """(score 0–100 or None, met, missed, running): the weighted share met among decided outcomes."""
    from drillsim.scoring import readiness

    p_met: dict[str, float | None] = {}
    met = missed = running = 0
    for row in objectives:
        met, missed, running = met + row["met"], missed + row["missed"], running + row["running"]
        decided = row["met"] + row["missed"]
        p_met[row["id"]] = row["met"] / decided if decided else None
    return readiness(p_met, {k: weights.get(k, 1.0) for k in p_met}), met, missed, running


class PendingTargets:
    """Per incident, the tightest target among the objectives it has not met or missed yet (minutes
    from detection), and how long a resolved incident took; recomputed only when new records arrived.

    Objectives on time_to_detect are left out: the board counts from detection.
    """

    def __init__(self, session: Any) -> None:
        from drillsim.scoring import scored_objectives

        self.session = session
        self.objectives = [o for o in scored_objectives(session.scenario) if o.metric != "time_to_detect"]
        self._seen = -1
        self._tightest: dict[int, float] = {}
        self._resolved_in: dict[int, float] = {}

    def tightest(self) -> dict[int, float]:
        self._update()
        return self._tightest

    def resolved_in(self) -> dict[int, float]:
        """Detection → resolution, in minutes, for the resolved incidents."""
        self._update()
        return self._resolved_in

    def _update(self) -> None:
        records = self.session.records
        if len(records) != self._seen:
            self._seen = len(records)
            self._compute()

    def _compute(self) -> None:
        rows = self.session.live_metrics()
        tightest: dict[int, float] = {}
        for row in rows:
            for objective in self.objectives:
                if objective.outcome(row) is None or row.values[objective.metric] is not None:
                    continue  # not applicable, or already decided
                if objective.target < tightest.get(row.number, math.inf):
                    tightest[row.number] = objective.target
        self._tightest = tightest
        self._resolved_in = {
            row.number: row.values["time_to_resolve"]
            for row in rows
            if row.values.get("time_to_resolve") is not None
        }


def journal_sentence(action: str, args: dict[str, Any], session: Any, names: Names) -> str:
    """What the coordinator recorded, in words: 'Dara Walsh answered page 1 (#0 level 1)'."""
    if action == "acknowledge":
        page = session.page(args.get("page", 0))
        if page is None:
            return f"page {args.get('page')} answered"
        return f"{names(page.person)} answered page {page.id} (#{page.incident} {page.why})"
    if action == "complete":
        task = session.task(args.get("task", 0))
        if task is None:
            return f"task {args.get('task')} done"
        return f"{names(task.person)} finished {task.task} on #{task.incident}"
    if action == "observe":
        objective = args.get("objective")
        return f"observation{f' ({objective})' if objective else ''}: {args.get('text', '')}"
    if action == "pause":
        return "clock paused"
    if action == "resume":
        return "clock resumed"
    if action == "speed":
        return f"speed ×{float(args.get('speed', 0)):g}"
    if action == "skip":
        return f"skipped to {tplus(float(args.get('to', 0)))}"
    if action == "end":
        return "drill ended"
    if action == "rate":
        return f"rated {args.get('objective')} {args.get('rating')}"
    return f"{action} {args}"
