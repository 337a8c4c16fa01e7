"""``drillsim advise``: candidate changes simulated against the base, ranked, the best tried together.

1. The base is summarised (a run's summary.json, or :func:`summarise` here, with the causes of its
   misses): its objectives below target weigh the findings on their path.
2. :mod:`drillsim.advice` finds what costs time — measured in the base's causes where the run has them,
   estimated from the structure elsewhere — and generates candidate changes, each a list of
   ``--set`` overrides; each is applied to the scenario file exactly as ``drillsim compare --set``
   applies it (:func:`drillsim.scenario.overrides.load_with_overrides`), so the comparison a planner
   re-runs by hand is the same one.
3. :func:`evaluate` runs every candidate against the base with common random numbers, spending
   replications where they still decide something (:func:`drillsim.experiments.adaptive.rank`: a
   candidate clearly making things worse, clearly without effect, or clearly behind the best three
   stops at 50, 100, 200… replications; ``adaptive=False`` runs every one to the end). A candidate is
   **recommended** only when the paired 95% interval of its readiness gain, over the replications it
   ran, lies above zero, and it did not stop as clearly without effect (a gain clearly within ±0.5
   readiness points is not worth a change, even when it is not zero).
4. The recommended ones are ranked by gain (then by the interval's lower end, then id). The best two
   and three that touch different places are tried together, each against the base and against the
   combination one smaller (the best change alone, then the best two), with the same seed.
5. The change to apply is the best recommended change, extended to the best two and then three only
   while the change each adds gains readiness beyond noise over the smaller combination: a
   combination is recommended only when both its intervals (against the base, and against the one
   before it) lie above zero.

The result (:func:`advise`) is plain JSON (``--json``, advice.json), the same for any number of
workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillsim.advice.candidates import LIMIT, Candidate, candidates
from drillsim.advice.costs import cost
from drillsim.advice.findings import Finding, ReachWeek, findings, measured, priority
from drillsim.engine.model import compile_scenario
from drillsim.experiments.adaptive import NO_EFFECT, rank
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.compare import BETTER, Profile, Variant, compare_pairs
from drillsim.experiments.replicate import Backend, replications
from drillsim.scenario.errors import ScenarioError
from drillsim.scenario.model import Scenario
from drillsim.scenario.overrides import load_with_overrides, parse_override

TOGETHER = (2, 3)  # how many of the best recommended changes are tried together
Update = Callable[..., None]  # update(done, total=None): units done, and the total when it changed
Progress = Callable[[str, int], AbstractContextManager[Update]]  # (label, total) → update


@contextmanager
def _silent(label: str, total: int) -> Iterator[Update]:
    yield lambda done, total=None: None


class AdviceError(Exception):
    """Nothing to advise on: the scenario has no readiness score to raise (no objectives, or none
    that applies to an incident of the run)."""


@dataclass(frozen=True)
class Run:
    """How the changes are simulated: seed, replications per variant (at most, when ``adaptive``), and
    where they run."""

    seed: int
    count: int
    workers: int
    backend: Backend | None = None
    scheduler: str | None = None
    adaptive: bool = True


@dataclass(frozen=True)
class Baseline:
    """The base: its summary.json (with causes, what ``drillsim simulate`` writes for the run's seed
    and count) and its Variant, which records the totals of any replications already run for it."""

    summary: dict[str, Any]
    variant: Variant


def summarise(scenario: Scenario, run: Run, progress: Callable[[int], None] = lambda done: None) -> Baseline:
    """The base simulated: its summary.json with its causes, kept in memory, and its replications'
    totals, which the comparisons reuse instead of running the base again."""
    model = compile_scenario(scenario)
    aggregate = Aggregate(model, run.seed, causes=True)
    base, profile = Variant("base", model), Profile(model)
    for index, replication in enumerate(
        replications(
            model, run.seed, run.count, run.workers, backend=run.backend, scheduler=run.scheduler, causes=True
        )
    ):
        aggregate.add(replication)
        base.record(run.seed, index, profile.totals(replication))
        progress(index + 1)
    return Baseline(aggregate.summary(), base)


def recorded_baseline(scenario: Scenario, summary: dict[str, Any]) -> Baseline:
    """The base of a run already made (its summary.json); its replications are run again when
    compared."""
    return Baseline(summary, Variant("base", compile_scenario(scenario)))


def evaluate(base: Variant, variants: list[Variant], run: Run, progress: Update) -> dict[str, Any]:
    """The candidates simulated: every variant against the base, replication by replication with
    common random numbers, ranked by readiness gained (:func:`drillsim.experiments.adaptive.rank`,
    whose result this is): with ``run.adaptive``, a variant clearly out of the running among the best
    ``max(TOGETHER)`` stops early. ``progress(done, total)`` counts runs (one replication of one
    model)."""
    return rank(
        base,
        variants,
        seed=run.seed,
        count=run.count,
        workers=run.workers,
        backend=run.backend,
        scheduler=run.scheduler,
        ranking="gain",
        keep=max(TOGETHER),
        adaptive=run.adaptive,
        progress=lambda done, total: progress(done, total=total),
    )


def advise(
    path: Path,
    scenario: Scenario,
    baseline: Baseline,
    run: Run,
    *,
    organisation_folders: tuple[Path, ...] = (),
    limit: int = LIMIT,
    progress: Progress = _silent,
) -> dict[str, Any]:
    """The advice for the scenario file ``path`` (``scenario``, loaded from it; ``baseline``: its base
    run, same seed and count): every candidate with its paired result, the combinations, and the
    change to apply. See the module's docstring for the steps."""
    summary = baseline.summary
    if summary["readiness"]["score"] is None:
        raise AdviceError(
            f"{path}: no readiness score to raise: advise ranks changes by readiness, which needs objectives "
            "that apply to the incidents of a run (see docs/scenarios.md, objectives)"
        )
    hours = ReachWeek(scenario)
    found = measured(findings(scenario, hours), scenario, summary)
    planned = candidates(scenario, found, summary, limit=limit, hours=hours)
    built: list[tuple[Candidate, Scenario]] = []
    skipped = []
    for candidate in planned:
        try:
            built.append((candidate, load_with_overrides(path, candidate.sets, (), organisation_folders)))
        except ScenarioError as exc:  # a generated change the scenario refuses: said, never simulated
            skipped.append({"id": candidate.id, "title": candidate.title, "problem": str(exc)})
    base = baseline.variant
    rows: list[dict[str, Any]] = []
    allocation = None
    evaluated = {c.id: Variant(c.id, compile_scenario(s)) for c, s in built}
    if built:
        runs = (len(built) + (0 if base.known(run.seed, run.count) else 1)) * run.count
        with progress(f"simulating {len(built)} changes against the base (runs)", runs) as update:
            result = evaluate(base, list(evaluated.values()), run, update)
        allocation = result["allocation"]
        rows = [
            _row(candidate, changed, scenario, outcome)
            for (candidate, changed), outcome in zip(built, result["variants"], strict=True)
        ]
    ranked = _ranked(rows)
    together = _together(path, base, evaluated, ranked, run, organisation_folders, progress)
    best = ranked[0] if ranked and ranked[0]["recommended"] else None
    for combination in together:  # the best two, then three: each only when its last change pays
        if combination["recommended"] and best is not None and combination["members"][:-1] == _members(best):
            best = combination
    return {
        "scenario": scenario.id,
        "scenario_file": str(path),
        "seed": run.seed,
        "replications": run.count,
        "evaluation": "paired with common random numbers, as drillsim compare"
        + ("; a change clearly out of the running stops early" if run.adaptive else ""),
        "allocation": allocation,
        "base": {
            "readiness": summary["readiness"],
            "objectives": [
                {k: o[k] for k in ("id", "metric", "target", "p_met", "ci95", "rating")}
                for o in summary["objectives"]
            ],
        },
        "findings": _findings(found, scenario, summary),
        "candidates": ranked,
        "skipped": skipped,
        "combinations": together,
        "apply": None
        if best is None
        else {k: best[k] for k in ("id", "title", "set", "overrides", "readiness", "cost")},
    }


def _findings(found: list[Finding], scenario: Scenario, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The findings, the most pressing first: by priority (minutes, raised for the objectives below
    target on their path), then minutes, then key."""
    rows = [
        {
            "key": f.key,
            "kind": f.kind,
            "subject": f.subject,
            "minutes": round(f.minutes, 2),
            "priority": round(priority(f, scenario, summary), 2),
            "source": f.source,
            "evidence": f.evidence,
        }
        for f in found
    ]
    return sorted(rows, key=lambda row: (-row["priority"], -row["minutes"], row["key"]))


def _row(candidate: Candidate, changed: Scenario, base: Scenario, outcome: dict[str, Any]) -> dict[str, Any]:
    """A candidate and what the comparison found for it."""
    results = outcome["results"]
    readiness = results["readiness"]
    return {
        "id": candidate.id,
        "kind": candidate.kind,
        "title": candidate.title,
        "finding": candidate.finding.key,
        "because": candidate.finding.evidence,
        "note": candidate.note,
        "priority": round(candidate.priority, 3),
        "set": candidate.sets,
        "overrides": candidate.overrides,
        "cost": cost(base, changed).to_json(),
        "readiness": {k: readiness[k] for k in ("base", "variant", "difference", "ci95", "verdict")},
        "moves": _moves(results),
        "replications": outcome["replications"],
        "stopped": outcome["stopped"],
        "recommended": readiness["verdict"] == BETTER and not _negligible(outcome["stopped"]),
        "rank": None,
    }


def _negligible(stopped: dict[str, Any] | None) -> bool:
    """Whether a change stopped because its gain is clearly within ±NEGLIGIBLE readiness points: too
    small to be worth making, even when its interval excludes zero."""
    return stopped is not None and stopped["reason"] == NO_EFFECT


def _moves(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The objectives and deadlines whose paired interval excludes zero, largest change first."""
    moved = [
        {"measure": key, **{k: row[k] for k in ("base", "variant", "difference", "ci95", "verdict")}}
        for key, row in results.items()
        if key.startswith(("objective:", "deadline:")) and row["verdict"] != "no significant difference"
    ]
    return sorted(moved, key=lambda m: (-abs(m["difference"]), m["measure"]))


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Recommended rows first, ranked 1, 2, … by gain, then the interval's lower end, then id; then the
    others by gain."""

    def order(row: dict[str, Any]) -> tuple[bool, float, float, str]:
        readiness = row["readiness"]
        low = readiness["ci95"][0] if readiness["ci95"][0] is not None else float("-inf")
        return (not row["recommended"], -readiness["difference"], -low, row["id"])

    ordered = sorted(rows, key=order)
    for place, row in enumerate((r for r in ordered if r["recommended"]), start=1):
        row["rank"] = place
    return ordered


def _together(
    path: Path,
    base: Variant,
    evaluated: dict[str, Variant],
    ranked: list[dict[str, Any]],
    run: Run,
    organisation_folders: tuple[Path, ...],
    progress: Progress,
) -> list[dict[str, Any]]:
    """The best two and three recommended changes that touch different places, tried together: each
    against the base, and each against the one before it (the best change alone, then the best two),
    so that a combination is recommended only when its last change still gains beyond noise. The
    base and the best change alone reuse the replications already run for them (``evaluated``: the
    candidates' variants by id)."""
    chosen: list[dict[str, Any]] = []
    for row in ranked:
        if row["recommended"] and not any(_conflict(row, other) for other in chosen):
            chosen.append(row)
    groups = [chosen[:size] for size in TOGETHER if len(chosen) >= size]
    if not groups:
        return []
    # the base, the best change alone and each combination; every comparison is a pair of them
    combined = [load_with_overrides(path, _sets(group), (), organisation_folders) for group in groups]
    variants = [base, evaluated[chosen[0]["id"]]] + [
        Variant(_id(group), compile_scenario(changed))
        for group, changed in zip(groups, combined, strict=True)
    ]  # index = how many changes (0: the base)
    against_base = [(0, len(g)) for g in groups]
    steps = [(len(g) - 1, len(g)) for g in groups]
    fresh = sum(1 for v in variants if not v.known(run.seed, run.count))
    with progress(f"trying the best {len(groups[-1])} together (runs)", run.count * fresh) as update:
        compared = compare_pairs(
            variants,
            against_base + steps,
            seed=run.seed,
            count=run.count,
            workers=run.workers,
            backend=run.backend,
            scheduler=run.scheduler,
            progress=lambda done: update(done * fresh),
        )
    against_base_results, step_results = compared[: len(groups)], compared[len(groups) :]
    found = []
    for group, outcome, step in zip(groups, against_base_results, step_results, strict=True):
        readiness, added = outcome["results"]["readiness"], step["results"]["readiness"]
        found.append(
            {
                "id": _id(group),
                "members": [r["id"] for r in group],
                "title": " and ".join(f"#{r['rank']}" for r in group) + " together",
                "set": _sets(group),
                "overrides": {k: v for row in group for k, v in row["overrides"].items()},
                "cost": cost(base.model.scenario, variants[len(group)].model.scenario).to_json(),
                "readiness": {k: readiness[k] for k in ("base", "variant", "difference", "ci95", "verdict")},
                "moves": _moves(outcome["results"]),
                "added": {
                    "over": _id(group[:-1]),
                    **{k: added[k] for k in ("difference", "ci95", "verdict")},
                },
                "recommended": readiness["verdict"] == BETTER and added["verdict"] == BETTER,
            }
        )
    return found


def _members(row: dict[str, Any]) -> list[str]:
    """The changes a ranked change or a combination is made of."""
    return list(row.get("members", [row["id"]]))


def _sets(group: list[dict[str, Any]]) -> list[str]:
    return [text for row in group for text in row["set"]]


def _id(group: list[dict[str, Any]]) -> str:
    return "+".join(row["id"] for row in group)


def _conflict(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two changes set the same place (or one sets a place inside the other's)."""
    mine = [parse_override(text).path for text in one["set"]]
    theirs = [parse_override(text).path for text in other["set"]]
    return any(a[: len(b)] == b or b[: len(a)] == a for a in mine for b in theirs)
