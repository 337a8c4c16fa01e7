"""Calibration from recorded drills: the room's pages and tasks, read back from each drill's journal.

Each finished drill's journal says when the room acknowledged each page and finished each task;
replaying it gives when each page went out and each task started. A page to a player ends in their
acknowledgement or, right-censored, when it stopped mattering — the incident was acknowledged by
someone else, the decision was taken, the task started without them — or when the drill ended
(pages stay open through escalations, as in the engine). A task still in progress when the drill
ended is censored at that time. Players are in the room, so their pages are known to have reached
them (``fitting.REACHED``): drills calibrate acknowledgement delays and task durations, not
reachability. The model and the fits are ``drillsim.calibration``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from drillsim.calibration.calibrate import TaskKey
from drillsim.calibration.fitting import REACHED, Sample
from drillsim.calibration.history import History, Page, People
from drillsim.drill.session import DrillSession
from drillsim.drill.session import Page as DrillPage
from drillsim.facts import FactKind, ReasonKind, Record
from drillsim.scenario.organisation import Organisation


def drill_history(folders: Sequence[Path], org: Organisation) -> tuple[History, dict[TaskKey, Sample]]:
    """The pages to the organisation's people in the drills at ``folders`` (players not in it are
    listed as unmatched), and the task durations per (incident kind, task)."""
    people = People(org)
    pages: list[Page] = []
    tasks: dict[TaskKey, tuple[list[float], list[bool]]] = {}
    for folder in folders:
        session = DrillSession.resume(folder)
        try:
            end = session.now  # the clock resumes paused at the last recorded time
            done = {
                (e.action, e.args.get("page", e.args.get("task"))): e.time
                for e in session.journal.entries
                if e.action in ("acknowledge", "complete")
            }
            records = session.records
            for page in session.cast.pages:
                where = f"{folder}: page {page.id} ({page.person}, {page.why})"
                person = people.match(page.person)
                if person is None:
                    people.missed(page.person, where)
                    continue
                answered = done.get(("acknowledge", page.id))
                ended = answered if answered is not None else _closed(page, records, end)
                if answered is not None or ended > page.at:
                    pages.append(Page(person, ended - page.at, answered is not None, REACHED, where))
            for task in session.cast.tasks:
                kind = session.world.incidents[task.incident].kind.id
                finished = done.get(("complete", task.id))
                minutes, completed = tasks.setdefault((kind, task.task), ([], []))
                if finished is not None or end > task.started:
                    minutes.append((finished if finished is not None else end) - task.started)
                    completed.append(finished is not None)
        finally:
            session.close()
    history = History(f"{len(folders)} recorded drill(s)", pages, people.unmatched())
    return history, {key: Sample.build(*values) for key, values in tasks.items()}


def _closed(page: DrillPage, records: list[Record], end: float) -> float:
    """When a page the room did not answer stopped mattering (``DrillSession.open_pages``' rules), or
    the drill's end."""
    why = page.why
    for record in records:
        if record.incident != page.incident or record.time < page.at:
            continue
        if (
            (why.kind is ReasonKind.LEVEL and record.kind is FactKind.ACKNOWLEDGED)
            or (
                why.kind is ReasonKind.AUTHORITY
                and record.kind is FactKind.DECISION
                and record.subject == why.authority
            )
            or (
                why.kind is ReasonKind.TASK
                and record.kind is FactKind.TASK_STARTED
                and record.subject == why.task
            )
        ):
            return min(record.time, end)
    return end
