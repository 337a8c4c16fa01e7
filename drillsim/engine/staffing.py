"""Who works on what: one task at a time per person, shared across concurrent incidents.

Waiting tasks are served most severe first, then first come, first served. Each need (a role or a
skill) keeps a binary heap of waiting requests, so a release costs O(log n) however long the
queues grow (simpy.PriorityResource re-sorts its whole queue on every request).

A free candidate already engaged on the incident starts at once. One not yet engaged is recruited:
paged through the world's escalation machinery, held while the page is out, and released to try
someone else if they do not acknowledge within the timeout.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

if TYPE_CHECKING:
    from drillsim.engine.model import TaskModel
    from drillsim.engine.world import Incident


class Request:
    """A task waiting for a person: ordered by ``key`` (severity rank, time asked, sequence); its
    ``event`` succeeds with the person's index. ``tried``: people paged for it this round."""

    __slots__ = ("done", "event", "incident", "key", "task", "tried")

    def __init__(
        self, key: tuple[int, float, int], incident: Incident, task: TaskModel, event: simpy.Event
    ) -> None:
        self.key, self.incident, self.task, self.event = key, incident, task, event
        self.tried: set[int] = set()
        self.done = False

    def __lt__(self, other: Request) -> bool:
        return self.key < other.key


class Staffing:
    """Assigns free people to waiting task requests.

    ``available(person, t)`` says whether a complication keeps someone away; ``recruit(request,
    person)`` starts paging a person not yet engaged and must end in :meth:`recruited` or
    :meth:`not_recruited`.
    """

    def __init__(
        self,
        env: simpy.Environment,
        people: int,
        needs_of: list[list[str]],
        available: Callable[[int, float], bool],
        recruit: Callable[[Request, int], None],
    ) -> None:
        self.env = env
        self.busy = [False] * people
        self.needs_of = needs_of
        self.available = available
        self.recruit = recruit
        self.queues: dict[str, list[Request]] = {}
        self.recruiting: dict[Request, int] = {}  # requests held while someone not engaged is paged
        self.sequence = itertools.count()

    def request(self, incident: Incident, task: TaskModel) -> simpy.Event | int:
        """Who will do ``task``: a person index when someone engaged is free now, else an event that
        succeeds with one."""
        busy, engaged, now = self.busy, incident.engaged, self.env.now
        for person in task.candidates:  # the common case: no request, no event, no wait
            if person in engaged and not busy[person] and self.available(person, now):
                busy[person] = True
                return person
        request = Request((incident.rank, now, next(self.sequence)), incident, task, self.env.event())
        chosen = self._choose(request)
        if chosen is None:
            heapq.heappush(self.queues.setdefault(task.need, []), request)
        else:
            self._take(request, chosen)
        return request.event

    def release(self, person: int) -> None:
        """``person`` is free again: give them the most urgent request they can take."""
        self.busy[person] = False
        self.poke(person)

    def poke(self, person: int) -> None:
        """Offer ``person``, if free and available, to the waiting requests."""
        if self.busy[person] or not self.available(person, self.env.now):
            return
        best: Request | None = None
        for held in self.recruiting:  # someone engaged beats waiting for someone else's page
            if (
                person in held.incident.engaged
                and person in held.task.candidates
                and (best is None or held.key < best.key)
            ):
                best = held
        for need in self.needs_of[person]:
            queue = self.queues.get(need)
            while queue and queue[0].done:
                heapq.heappop(queue)
            if not queue:
                continue
            candidate = (
                queue[0]
                if self._may_page(queue[0], person)
                else next((r for r in sorted(queue) if not r.done and self._may_page(r, person)), None)
            )
            if candidate is not None and (best is None or candidate.key < best.key):
                best = candidate
        if best is not None:
            self.recruiting.pop(best, None)
            self._take(best, person)

    def recruited(self, request: Request, person: int) -> None:
        if self.recruiting.pop(request, None) is None:  # taken over by someone engaged meanwhile
            self.release(person)
            return
        request.event.succeed(person)

    def not_recruited(self, request: Request, person: int) -> None:
        """The page went unanswered: free the person and look for someone else."""
        if self.recruiting.pop(request, None) is None:  # taken over by someone engaged meanwhile
            self.release(person)
            return
        request.tried.add(person)
        self.busy[person] = False
        other = self._choose(request)
        if other is None:
            request.done = False
            heapq.heappush(self.queues.setdefault(request.task.need, []), request)
        else:
            self._take(request, other)
        self.poke(person)

    def _choose(self, request: Request) -> int | None:
        """A free, available candidate: one engaged on the incident first, else one not yet tried."""
        now, engaged, candidates = self.env.now, request.incident.engaged, request.task.candidates
        free = [p for p in candidates if not self.busy[p] and self.available(p, now)]
        chosen = next((p for p in free if p in engaged), None)
        if chosen is None:
            untried = [p for p in free if p not in request.tried]
            if not untried and free:
                request.tried.clear()  # everyone free was tried: start another round of pages
                untried = free
            chosen = untried[0] if untried else None
        return chosen

    def _may_page(self, request: Request, person: int) -> bool:
        """A person who already failed to answer for this request is paged again only when nobody
        else could take it now: a new round of pages."""
        if person not in request.tried:
            return True
        now = self.env.now
        return not any(
            not self.busy[p] and self.available(p, now) and p not in request.tried
            for p in request.task.candidates
        )

    def _take(self, request: Request, person: int) -> None:
        """Give ``request`` to ``person``: at once if engaged, else once a page recruits them."""
        if person in request.tried:
            request.tried.clear()  # a new round of pages
        request.done = True  # leaves its heap lazily
        self.busy[person] = True
        if person in request.incident.engaged:
            request.event.succeed(person)
        else:
            self.recruiting[request] = person
            self.recruit(request, person)
