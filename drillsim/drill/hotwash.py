"""The hot wash: how the room did, objective by objective, against what the model predicted.

For each objective: its live result (the time the drill took, over the incidents it applies to), a
suggested HSEEP rating the evaluator may change, and the live time's percentile among simulated
runs of the same scenario (everyone simulated, same seed): a percentile of 20 means the room was
faster than 80% of the simulated responses.

Suggested rating: P met the target; S missed it by at most a quarter; M reached late; U not reached
although the target passed. An objective still running when play ended is "unfinished": no live
time, no suggestion — the evaluator rates it from the discussion, or leaves it unrated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drillsim.drill.session import DrillSession
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.branches import has_branches, replication_branches
from drillsim.experiments.replicate import Replication
from drillsim.experiments.rundir import write_json
from drillsim.experiments.samples import NOT_REACHED, objective_samples, objective_values
from drillsim.scoring import RATINGS, scored_objectives

LATE_BUT_CLOSE = 1.25  # up to this multiple of the target, a miss suggests S rather than M


def suggested_rating(live: float | None, target: float) -> str:
    if live is None:
        return "U"
    if live <= target:
        return "P"
    return "S" if live <= target * LATE_BUT_CLOSE else "M"


def hotwash_rows(session: DrillSession, simulated: int = 300) -> list[dict[str, Any]]:
    """One row per objective: id, text, metric, target, live (the slowest of the room's incidents), met,
    incidents and incidents_met (how many of the room's incidents it applies to, and met it), suggested,
    percentile (of the live time among every simulated incident, pooled)."""
    objectives = scored_objectives(session.scenario)
    texts = {oid: o.text for oid, o in session.scenario.objectives.items()}
    live = session.live_metrics()
    samples = objective_samples(session.model, session.seed, simulated)
    rows = []
    for objective in objectives:
        values = objective_values(objective, live)
        elapsed = [
            session.running_for(row, objective.metric) for row in live if objective.outcome(row) is not None
        ]
        value = None if not values or NOT_REACHED in values else max(values)
        missed = any(
            v > objective.target and (v != NOT_REACHED or e >= objective.target)
            for v, e in zip(values, elapsed, strict=True)
        )
        unfinished = not missed and NOT_REACHED in values
        met = None if not values or unfinished else not missed
        result = (
            "not exercised"
            if not values
            else "unfinished"
            if unfinished
            else "met"
            if met
            else "missed"
            if value is not None
            else "not reached"
        )
        sample = samples[objective.id]
        percentile = (
            None if value is None or not sample else 100.0 * sum(v <= value for v in sample) / len(sample)
        )
        rows.append(
            {
                "id": objective.id,
                "text": texts[objective.id],
                "metric": objective.metric,
                "target": objective.target,
                "live": value,
                "met": met,
                "result": result,
                "incidents": len(values),
                "incidents_met": sum(v <= objective.target for v in values),
                "suggested": suggested_rating(value, objective.target) if met is not None else None,
                "percentile": percentile,
            }
        )
    return rows


def finish(session: DrillSession, ratings: dict[str, str], rows: list[dict[str, Any]] | None = None) -> Path:
    """Score the drill like a one-replication simulation and write, beside the journal,
    ``summary.json`` and ``hotwash.json`` (the seed and the wall time play started, live results,
    suggested and final ratings, observations: everything the after-action report needs).
    Returns the drill folder."""
    rows = rows if rows is not None else hotwash_rows(session)
    for oid, rating in ratings.items():
        if rating not in RATINGS:
            raise ValueError(f"rating {rating!r} for {oid} (expected one of {', '.join(RATINGS)})")
    if not session.ended:
        session.end()
    for row in rows:
        chosen = ratings.get(row["id"], row["suggested"])
        if chosen is not None and not any(
            e.action == "rate" and e.args.get("objective") == row["id"] and e.args.get("rating") == chosen
            for e in session.journal.entries
        ):
            session.act("rate", objective=row["id"], rating=chosen)
        row["rating"] = chosen
    aggregate = Aggregate(session.model, session.seed)
    facts = session.world.facts
    branches = replication_branches(facts) if has_branches(session.model) else None
    aggregate.add(Replication(0, session.live_metrics(), branches=branches))
    summary = aggregate.summary() | {"drill": session.folder.name, "players": sorted(session.players)}
    observations = [
        {"time": e.time, "objective": e.args.get("objective"), "text": e.args.get("text")}
        for e in session.journal.entries
        if e.action == "observe"
    ]
    entries = session.journal.entries
    hotwash = {
        "scenario": session.scenario.id,
        "drill": session.folder.name,
        "seed": session.seed,
        "started": entries[0].wall if entries else None,
        "ended_at": session.now,
        "players": sorted(session.players),
        "objectives": rows,
        "observations": observations,
    }
    write_json(session.folder / "summary.json", summary)
    write_json(session.folder / "hotwash.json", hotwash)
    return session.folder
