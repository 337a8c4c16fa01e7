"""The acknowledgement heatmap: how likely a page sent at each hour of the week is acknowledged in
time, per escalation policy, by simulation. (The static typical week, which needs no simulation,
is :mod:`drillsim.coverage`.)

For a policy, one incident kind it serves (the first in the scenario) is paged at each of the 168
hours of the week, one variant scenario per hour and week of the week grid's window (the run
rounded up to whole weeks): the incident is injected at the middle of that local hour in that week,
and nothing else happens — no arrivals, no other
injects, no complications. Detection is immediate (one source, probability 1, no delay), so the page
goes out exactly then; the playbook is cut to its first task, done at once, because nothing after
the acknowledgement changes when it came. Everything the acknowledgement depends on is the run's:
the organisation, its schedules and working hours, reachability and acknowledgement delays.

The ``count`` replications of an hour are shared by the weeks, each week in its own block of
replication numbers, with the same seed (common random numbers: replication r of every hour of a
week draws the same reachability and delays), through the usual replication machinery, so results
are the same for any number of workers or backend. Each replication holds one incident, so
a cell's share acknowledged in time is a plain binomial proportion and its 95% interval is Wilson's.

"In time" is the policy's first-level timeout (the page is answered before the policy escalates),
and the target of every objective on ``time_to_acknowledge`` that applies to an incident kind the
policy serves (every kind a policy serves is paged the same way, so one kind stands for all).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from drillsim.confidence import wilson
from drillsim.coverage import WEEK, iso_utc, page_times, window
from drillsim.engine.model import compile_scenario
from drillsim.experiments.replicate import Backend, replication_sets
from drillsim.scenario.distributions import Fixed
from drillsim.scenario.incidents import Detection, DetectionSource
from drillsim.scenario.model import IncidentInject, Scenario
from drillsim.scenario.organisation import select_policy
from drillsim.scenario.weekly import zone

MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Threshold:
    """A time a page should be acknowledged within: the first level's timeout (``first_level``),
    the target of ``objectives``, or both when they are equal."""

    minutes: float
    first_level: bool = False
    objectives: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """What the time is, in words: ``the first level's timeout and objective ack-30m``."""
        parts = ["the first level's timeout"] if self.first_level else []
        if self.objectives:
            parts.append(
                ("objectives " if len(self.objectives) > 1 else "objective ") + ", ".join(self.objectives)
            )
        return " and ".join(parts)


def served(scenario: Scenario) -> dict[str, list[str]]:
    """Each policy serving an incident kind of the scenario, with those kinds (scenario order)."""
    found: dict[str, list[str]] = {}
    for kid, kind in scenario.incidents.items():
        policy, _ = select_policy(scenario.organisation, kid, kind.severity, kind.risk_area)
        if policy is not None:
            found.setdefault(policy, []).append(kid)
    return {pid: found[pid] for pid in scenario.organisation.escalation if pid in found}


def thresholds(scenario: Scenario, policy: str, kinds: list[str]) -> list[Threshold]:
    """The first level's timeout, then the target of each objective on ``time_to_acknowledge``
    applying to one of ``kinds`` (file order); objectives with a time already listed join it."""
    found = [Threshold(scenario.organisation.escalation[policy].levels[0].timeout, first_level=True)]
    for oid, objective in scenario.objectives.items():
        applies = not objective.incidents or any(k in objective.incidents for k in kinds)
        if objective.metric != "time_to_acknowledge" or not applies:
            continue
        same = next((i for i, t in enumerate(found) if t.minutes == objective.target), None)
        if same is None:
            found.append(Threshold(objective.target, objectives=(oid,)))
        else:
            found[same] = replace(found[same], objectives=(*found[same].objectives, oid))
    return found


def page_variant(scenario: Scenario, kind_id: str, at: float, horizon: float) -> Scenario:
    """``scenario`` with one incident of ``kind_id`` paged at minute ``at`` and nothing else: no
    arrivals, no other injects, detection immediate, the playbook cut to a first task done at once."""
    kind = scenario.incidents[kind_id]
    root_id, root = next((tid, t) for tid, t in kind.playbook.items() if not t.after)
    immediate = Fixed(value=0.0)
    task = root.model_copy(
        update={"after": [], "decision": None, "duration": immediate, "milestone": None, "notifies": []}
    )
    paged_kind = kind.model_copy(
        update={
            "detection": Detection(sources={"page": DetectionSource(probability=1.0, delay=immediate)}),
            "playbook": {root_id: task},
            "regulatory": [],
        }
    )
    page = IncidentInject(id="page", at=at, kind="incident", text="a page", incident=kind_id)
    return scenario.model_copy(
        update={
            "incidents": {kind_id: paged_kind},
            "arrivals": [],
            "injects": [page],
            "horizon": horizon,
        }
    )


def acknowledgement_heatmap(
    scenario: Scenario,
    *,
    timezone: str | None = None,
    seed: int,
    count: int,
    workers: int = 1,
    backend: Backend | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] = lambda done: None,
) -> dict[str, Any]:
    """The heatmap as plain JSON values, hours in ``timezone`` (default the organisation's).
    ``progress`` gets the replications done, out of ``count`` × the number of policies served.

    Shape: ``{"timezone", "replications", "seed", "policies": [{"policy", "incident", "serves",
    "paged_at": 7×24 instants (UTC ISO, None for an hour the week skips), "thresholds": [{"minutes",
    "first_level", "objectives", "label", "share": 7×24, "ci95": 7×24 [low, high]}]}]}``,
    days Monday first."""
    tz_name = timezone or scenario.organisation.timezone
    first_day, last_day = window(scenario)  # the week grid's window: whole weeks
    weeks = round((last_day - first_day) / WEEK)
    times = [page_times(scenario.start + week * WEEK, zone(tz_name)) for week in range(weeks)]
    # each week pages in its own block of the replications: replication r of every hour of a week
    # draws the same numbers (common random numbers), and every week of the window weighs the same
    blocks = [(week * count // weeks, (week + 1) * count // weeks) for week in range(weeks)]
    cells = [
        [(d, h, at) for d in range(7) for h in range(24) if (at := week_times[d][h]) is not None]
        for week_times in times
    ]
    offsets = [[(at - scenario.start) / MINUTE for _, _, at in week_cells] for week_cells in cells]
    plans = [(pid, kinds, thresholds(scenario, pid, kinds)) for pid, kinds in served(scenario).items()]
    longest = max((t.minutes for _, _, limits in plans for t in limits), default=0.0)
    latest = max((at for week in offsets for at in week), default=0.0)
    horizon = max(scenario.run_length, latest + longest + 1.0)
    policies = []
    done = 0
    for pid, kinds, limits in plans:
        met = {(d, h): [0] * len(limits) for d in range(7) for h in range(24)}
        paged = dict.fromkeys(met, 0)
        for week_cells, week_offsets, (first, end) in zip(cells, offsets, blocks, strict=True):
            if end == first:
                continue
            models = [compile_scenario(page_variant(scenario, kinds[0], at, horizon)) for at in week_offsets]
            sets = replication_sets(
                models,
                [seed] * len(models),
                end - first,
                workers,
                backend=backend,
                scheduler=scheduler,
                first=first,
            )
            for replications in sets:
                for (d, h, _), replication in zip(week_cells, replications, strict=True):
                    value = replication.incidents[0].values.get("time_to_acknowledge")
                    paged[d, h] += 1
                    for k, limit in enumerate(limits):
                        met[d, h][k] += value is not None and value <= limit.minutes
                done += 1
                progress(done)
        policies.append(
            {
                "policy": pid,
                "incident": kinds[0],
                "serves": kinds,
                "paged_at": [[iso_utc(at) if at else None for at in row] for row in times[0]],
                "thresholds": [
                    _threshold(limit, [(d, h, m[k], paged[d, h]) for (d, h), m in met.items()])
                    for k, limit in enumerate(limits)
                ],
            }
        )
    return {"timezone": tz_name, "replications": count, "weeks": weeks, "seed": seed, "policies": policies}


def _threshold(limit: Threshold, met: list[tuple[int, int, int, int]]) -> dict[str, Any]:
    share: list[list[float | None]] = [[None] * 24 for _ in range(7)]
    ci95: list[list[list[float] | None]] = [[None] * 24 for _ in range(7)]
    for day, hour, hits, paged in met:
        if not paged:  # an hour daylight saving skips in every week of the window
            continue
        share[day][hour] = round(hits / paged, 4)
        interval = wilson(hits, paged)
        ci95[day][hour] = [round(interval[0], 4), round(interval[1], 4)] if interval else None
    return {
        "minutes": limit.minutes,
        "first_level": limit.first_level,
        "objectives": list(limit.objectives),
        "label": limit.label,
        "share": share,
        "ci95": ci95,
    }
