"""Improvement plans: what an after-action report or an accepted recommendation asks someone to do,
and by when. Plain data shared by the history (``store.py`` keeps the items), the reports (the AAR's
improvement plan, the open items of a scenario) and the command line.

An item moves between four statuses: ``open`` and ``in progress`` (still to do), ``done`` and
``dropped`` (closed). It is **overdue** while it is still to do and today's date is past its due
date. "Today" is the local calendar date, read from :func:`today` only, so tests can fix it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

OPEN, IN_PROGRESS, DONE, DROPPED = "open", "in progress", "done", "dropped"
STATUSES = (OPEN, IN_PROGRESS, DONE, DROPPED)
TO_DO = (OPEN, IN_PROGRESS)

# Where an item came from: a drill's AAR (origin: the drill's id), a recommendation accepted from
# `drillsim advise` (origin: what advise names its run), or someone typing it in (no origin).
AAR, ADVISE, MANUAL = "aar", "advise", "manual"
SOURCES = (AAR, ADVISE, MANUAL)

_RELATIVE_DUE = re.compile(r"(\d+)([dw])")


class PlanError(Exception):
    """A plan item's field is not valid (an unknown status, a due date that is not a date)."""


@dataclass(frozen=True)
class PlanEntry:
    """An item a source proposes. ``key`` says what it answers within its source and origin (an AAR's
    ``objective:ID``), so that recording the same source twice adds nothing; None for items typed in.
    ``owner`` is a role, person or team as the source names it (None: to be assigned); ``due`` an ISO
    date (None: no date)."""

    key: str | None
    issue: str
    action: str
    owner: str | None = None
    due: str | None = None


@dataclass(frozen=True)
class PlanItem:
    """An item as the history keeps it. Times are UTC ISO strings; ``closed`` is set while the status
    is done or dropped; ``notes`` holds one line per change made to the item (what it was before, so
    nothing recorded is lost) with the note given."""

    id: int
    scenario: str
    organisation: str | None
    source: str
    origin: str | None
    key: str | None
    issue: str
    action: str
    owner: str | None
    due: str | None
    status: str
    created: str
    updated: str
    closed: str | None
    notes: str

    @property
    def to_do(self) -> bool:
        return self.status in TO_DO

    def days_overdue(self, today: dt.date) -> int:
        """Whole days past the due date for an item still to do; 0 when not overdue or closed."""
        if not self.to_do or self.due is None:
            return 0
        return max(0, (today - dt.date.fromisoformat(self.due)).days)

    @property
    def source_text(self) -> str:
        """Where the item came from, in words: 'AAR of drill ID', 'advise ORIGIN' or 'manual'."""
        if self.source == AAR:
            return f"AAR of drill {self.origin}"
        if self.source == ADVISE:
            return f"advise {self.origin}" if self.origin else "advise"
        return "manual"

    def as_json(self, today: dt.date) -> dict[str, Any]:
        return asdict(self) | {"days_overdue": self.days_overdue(today)}


def today() -> dt.date:
    """The local calendar date: the one clock plan items are read against."""
    return dt.date.today()


def listing_order(items: Iterable[PlanItem], today: dt.date) -> list[PlanItem]:
    """Overdue items first (most days overdue first), then the rest still to do by due date (no date
    last), then closed items; ties by id."""

    def order(item: PlanItem) -> tuple[int, int, str, int]:
        late = item.days_overdue(today)
        group = 0 if late else 1 if item.to_do else 2
        return group, -late, item.due or "9999-12-31", item.id

    return sorted(items, key=order)


def status_of(text: str) -> str:
    """A status as typed ('in-progress' and 'in_progress' are 'in progress'); PlanError when unknown."""
    status = re.sub(r"[-_\s]+", " ", text.strip().lower())
    if status not in STATUSES:
        raise PlanError(f"status {text!r}: expected one of {', '.join(STATUSES)}")
    return status


def due_date(text: str, today: dt.date) -> str:
    """An ISO date from ``YYYY-MM-DD``, or from ``Nd`` / ``Nw`` (days or weeks from ``today``)."""
    relative = _RELATIVE_DUE.fullmatch(text.strip())
    if relative:
        days = int(relative[1]) * (7 if relative[2] == "w" else 1)
        return (today + dt.timedelta(days=days)).isoformat()
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise PlanError(
            f"due date {text!r}: expected YYYY-MM-DD (e.g. 2027-01-31) or days/weeks from today (30d, 6w)"
        ) from None
