"""Complications in force: people kept away, pages delayed, detection sources silenced.

A complication inject is a :class:`Window` of time. The unconditional ones are known when the model
is compiled; a conditional one is in force only from the time its condition held (the World checks
it then and records RELEASED). :class:`Complications` answers the engine's questions about the
windows it holds; it never changes: releasing a window gives a new one (:meth:`Complications.plus`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, eq=False)
class Window:
    """A complication in force from ``start`` to ``end`` (minutes): exactly one of ``people`` kept away,
    pages ``delay``ed by that many minutes (every page, or only pages to the ``delayed`` people), or
    detection ``source`` silenced."""

    start: float
    end: float
    people: frozenset[int] = frozenset()
    delay: float = 0.0
    source: str | None = None
    delayed: frozenset[int] | None = None  # with delay: only pages to these people (None: every page)

    def keeps_away(self, person: int, t: float, until: float) -> bool:
        """Whether it keeps ``person`` away at some moment of [t, until] (at ``t`` when equal)."""
        return person in self.people and self.start <= until and t < self.end

    def silences(self, source: str, t: float) -> bool:
        """Whether it silences detection ``source`` at ``t``."""
        return self.source == source and self.start <= t < self.end


class Complications:
    """The windows in force for ``people`` people (indexes ``0 … people-1``)."""

    def __init__(self, people: int, windows: Sequence[Window] = ()) -> None:
        self.people = people
        self.windows = tuple(windows)
        # per person, the (start, end) of every window that keeps them away: most people have none
        self._away_of: list[tuple[tuple[float, float], ...]] = [() for _ in range(people)]
        for window in self.windows:
            for person in window.people:
                self._away_of[person] = (*self._away_of[person], (window.start, window.end))
        self._delays = [w for w in self.windows if w.delay]
        self._disabled = [w for w in self.windows if w.source]

    def plus(self, windows: Iterable[Window]) -> Complications:
        """These complications and ``windows`` too."""
        return Complications(self.people, (*self.windows, *windows))

    def unavailable(self, person: int, t: float, until: float | None = None) -> bool:
        """Kept away at ``t`` or, with ``until``, at any moment of [t, until]."""
        away = self._away_of[person]
        if not away:
            return False
        end = t if until is None else until
        return any(start <= end and t < stop for start, stop in away)

    def paging_delay(self, t: float, person: int, own: float = 0.0) -> float:
        """Minutes a page sent to ``person`` at ``t`` takes to arrive: the longest complication delay in
        force for them (0 without one) plus ``own``, their own paging delay."""
        if not self._delays:
            return own
        late = max(
            (
                w.delay
                for w in self._delays
                if w.start <= t < w.end and (w.delayed is None or person in w.delayed)
            ),
            default=0.0,
        )
        return late + own if own else late

    def source_disabled(self, source: str, t: float) -> bool:
        """Whether detection ``source`` is silenced at ``t``."""
        return bool(self._disabled) and any(w.silences(source, t) for w in self._disabled)
