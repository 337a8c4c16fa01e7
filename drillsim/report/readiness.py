"""The readiness report of a simulation run folder: what a manager reads."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from drillsim.coverage import analyse_coverage, has_schedules
from drillsim.plans import PlanItem
from drillsim.report import causes, charts
from drillsim.report.advice import advice_section
from drillsim.report.branches import branches_section
from drillsim.report.coverage import coverage_section
from drillsim.report.document import Document
from drillsim.report.labels import RATING_WORDS, metric_label, share, share_interval
from drillsim.report.plan import open_items_section
from drillsim.report.versions import versions_section
from drillsim.scenario.model import Scenario
from drillsim.scenario.organisation import describe_target
from drillsim.scenario.units import humanize
from drillsim.trend import Versioned, version_changes


def metric_columns(path: Path) -> dict[str, dict[str, list[float | None]]]:
    """metrics.csv as {kind: {metric: values}}; an empty cell (censored) is None."""
    columns: dict[str, dict[str, list[float | None]]] = {}
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            kind = columns.setdefault(row["kind"], {})
            for name, cell in row.items():
                if name.startswith("time_to_"):
                    kind.setdefault(name, []).append(float(cell) if cell else None)
    return columns


def objective_values(
    scenario: Scenario, columns: dict[str, dict[str, list[float | None]]], metric: str, kinds: list[str]
) -> list[float | None]:
    return [v for kind in (kinds or list(scenario.incidents)) for v in columns.get(kind, {}).get(metric, [])]


def readiness_report(
    folder: Path,
    scenario: Scenario,
    summary: dict[str, Any],
    run: dict[str, Any],
    history: Sequence[Versioned],
    coverage: dict[str, Any] | None = None,
    plan: Sequence[PlanItem] = (),
    advice: dict[str, Any] | None = None,
) -> Document:
    """The report of a run folder from its scenario, summary.json, run.json, the recorded runs of its
    scenario (the trend and the changes of its contents), coverage.json (``coverage``, when the run
    wrote one: its heatmap and time zone; the typical week is worked out again from the scenario), the
    scenario's improvement plan items still to do (``plan``) and advice.json (``advice``, when drillsim
    advise wrote one: the "What to change" section)."""
    readiness = summary["readiness"]
    doc = Document(
        f"Readiness report — {scenario.title}",
        [
            f"Scenario {scenario.id} · organisation {scenario.organisation.name} · run folder {folder.name}",
            f"{summary['replications']} simulated replications, seed {summary['seed']}, started "
            f"{str(run.get('started', '?'))[:16].replace('T', ' ')} UTC",
        ],
    )
    doc.heading("Readiness")
    if readiness["score"] is not None:
        low, high = readiness["ci95"]
        interval = f" (95% interval {low:.1f}–{high:.1f})" if low is not None else ""
        doc.paragraph(
            f"Readiness {readiness['score']:.1f} out of 100{interval}: rated {readiness['rating']} — "
            f"{RATING_WORDS[readiness['rating']]}. The score is the weighted share of simulated incidents "
            "meeting each objective; an incident not handled by the end of the run counts as missed."
        )
    doc.paragraph(INTERVALS_NOTE.format(replications=summary["replications"]))
    doc.table(
        ["objective", "what", "target", "met", "95% CI", "rating"],
        [
            [
                o["id"],
                scenario.objectives[o["id"]].text if o["id"] in scenario.objectives else "",
                humanize(o["target"]),
                share(o["p_met"]),
                share_interval(o["ci95"]),
                o["rating"] or "—",
            ]
            for o in summary["objectives"]
        ],
        numeric={2, 3, 4},
    )
    doc.heading("Findings that matter")
    for finding in findings(summary):
        doc.paragraph(finding)
    rows = cause_rows(summary)
    if rows:
        doc.table(["objective", "share of its missed time", "cause", "to test a fix"], rows, numeric={1})
    missed = missed_time_figure(summary)
    if missed:
        doc.figure(
            missed,
            "Where the time went in the incidents that missed each objective below its target, from "
            "detection to the milestone (or to the horizon when it was never reached); the parts add up "
            "to the time measured",
        )
    trend = trend_figure(history)
    if trend:
        drills = (
            " and live drills (diamonds: one replication each, no interval, not joined to the simulations)"
            if any(run.kind == "drill" for run in history)
            else ""
        )
        doc.figure(
            trend,
            "Readiness of this scenario over its recorded runs: simulations with their 95% "
            f"intervals{drills}",
        )
    versions_section(doc, version_changes(history))
    open_items_section(doc, plan, "Open improvement items")
    if advice is not None:
        advice_section(doc, advice)
    doc.heading("Response times against the objectives")
    columns = metric_columns(folder / "metrics.csv")
    for oid, objective in scenario.objectives.items():
        metric = f"time_to_notify:{objective.clock}" if objective.clock else objective.metric
        values = objective_values(scenario, columns, metric, objective.incidents)
        observed = [v for v in values if v is not None]
        doc.figure(
            charts.distribution(
                observed,
                len(values) - len(observed),
                f"{oid}: {metric_label(metric)}",
                [(humanize(objective.target), objective.target)],
            ),
            objective.text,
        )
    if summary["deadlines"]:
        doc.heading("Regulatory deadlines")
        doc.figure(
            charts.deadline_risk(
                {c: d["p_met"] or 0.0 for c, d in summary["deadlines"].items()}, scenario.ratings.P
            ),
            "Probability each clock's notification is made in time",
        )
        if any("starts" in d for d in summary["deadlines"].values()):
            doc.table(
                ["clock", "starts at", "incidents", "met", "95% CI", "rating", "not started"],
                [
                    [
                        c,
                        d.get("starts", "detection"),
                        str(d["n"]),
                        share(d["p_met"]),
                        share_interval(d["ci95"]),
                        d["rating"] or "—",
                        str(d.get("not_started", "—")),
                    ]
                    for c, d in summary["deadlines"].items()
                ],
                numeric={2, 3, 4, 6},
            )
            doc.paragraph(
                "A clock that starts at a task or a decision runs from that event; an incident in "
                "which it never happened is counted as not started, neither met nor missed."
            )
        else:
            doc.table(
                ["clock", "incidents", "met", "95% CI", "rating"],
                [
                    [c, str(d["n"]), share(d["p_met"]), share_interval(d["ci95"]), d["rating"] or "—"]
                    for c, d in summary["deadlines"].items()
                ],
                numeric={1, 2, 3},
            )
    if "branches" in summary:
        branches_section(doc, summary["branches"])
    doc.heading("Where the time went")
    unit = charts.time_unit(sum(summary["time_breakdown"].values()))
    doc.figure(
        charts.time_breakdown(summary["time_breakdown"], unit),
        f"Average {unit[1]} per incident by what the response was waiting for. Tasks that run in parallel "
        "each "
        "add their own working time, so 'working' can exceed the time to resolve.",
    )
    doc.paragraph(
        "Percentiles are of every simulated incident pooled together (the spread of response times "
        "a single incident can expect), not of the replications' averages."
    )
    doc.table(
        ["metric", "n", "not reached", "median", "90th percentile", "95th percentile"],
        [
            [
                metric_label(m),
                str(s["n"]),
                str(s["censored"]),
                humanize(s["p50"]),
                humanize(s["p90"]),
                humanize(s["p95"]),
            ]
            for m, s in summary["metrics"].items()
        ],
        numeric={1, 2, 3, 4, 5},
    )
    doc.heading("Escalation structure")
    doc.figure(
        graph_svg(scenario),
        "Policies page their levels in turn (blue); each level pages what it names (grey): a "
        "schedule, a role, a team's on-call or a person, with the people each stands for",
    )
    if coverage is not None or has_schedules(scenario.organisation):
        timezone = coverage["timezone"] if coverage else None
        week = analyse_coverage(scenario, timezone).to_json()
        coverage_section(doc, week | {"heatmap": coverage.get("heatmap") if coverage else None})
    return doc


INTERVALS_NOTE = (
    "Every 95% interval in this report is computed over the {replications} replications, each one a whole "
    "independent run of the scenario: incidents of one run share people and queues, so they are not counted "
    "as independent observations. Shares met are the pooled share of incidents; their interval is Wilson's "
    "with the effective sample size the replications support."
)


def trend_figure(history: Sequence[Versioned]) -> str | None:
    """The readiness-over-time chart of the recorded runs with a score, or None with fewer than two."""
    scored = [(run, score) for run in history if (score := run.readiness) is not None]
    if len(scored) < 2:
        return None
    simulations = [
        (i, score, run.readiness_low, run.readiness_high)
        for i, (run, score) in enumerate(scored)
        if run.kind != "drill"
    ]
    drills = [(i, score) for i, (run, score) in enumerate(scored) if run.kind == "drill"]
    return charts.readiness_trend(simulations, drills, [run.at[:16].replace("T", " ") for run, _ in scored])


def findings(summary: dict[str, Any], scenario: str = "SCENARIO") -> list[str]:
    """The few findings a manager should read: weak objectives and why they were missed (the causes,
    the people and steps behind them, the command that tests a fix), deadlines at risk, the biggest
    wait. A run folder written before causes were computed gets the objectives alone."""
    notes = []
    explained = causes.missed_objectives(summary)[:3]
    for objective in explained:
        notes.append(_why(objective, summary, scenario))
    weak = sorted(
        (o for o in summary["objectives"] if o["rating"] in ("M", "U")), key=lambda o: o["p_met"] or 0
    )
    told = {o["id"] for o in explained}
    for o in weak[:3]:
        if o["id"] in told:
            continue
        notes.append(
            f"Objective {o['id']} is met in only {share(o['p_met'])} of simulated incidents "
            f"(rated {o['rating']}): target {humanize(o['target'])}."
        )
    for clock, d in summary["deadlines"].items():
        if d["p_met"] is not None and d["p_met"] < 0.9:
            notes.append(f"The {clock} deadline is met in {share(d['p_met'])} of incidents.")
    waits = {k: v for k, v in summary["time_breakdown"].items() if k != "working"}
    if waits:
        part, minutes = max(waits.items(), key=lambda item: item[1])
        notes.append(
            f"The largest wait is {part.replace('_', ' ')}: {humanize(minutes)} per incident on average."
        )
    if explained:
        notes.append(
            f"{causes.advise_line(scenario)} In these commands {scenario} is the scenario file (this run's "
            "exact copy is scenario.yaml in its folder); words in capitals are yours to choose. Hours of "
            f"the day are in the organisation's time zone ({summary['causes']['timezone']})."
        )
    return notes or [
        "Every objective is rated P or S and every deadline is met in at least 90% of incidents."
    ]


def _why(objective: dict[str, Any], summary: dict[str, Any], scenario: str) -> str:
    """One objective below its target: how often it is met, and where the missed incidents' time went."""
    met = next(o for o in summary["objectives"] if o["id"] == objective["id"])
    largest = causes.told(objective)
    first = (
        f" The largest cause ({share(largest[0]['share'])} of that time): {causes.cause_text(largest[0])}; "
        f"to test a fix: {causes.fix_command(largest[0], scenario)}."
        if largest
        else ""
    )
    return (
        f"Objective {objective['id']} is met in only {share(met['p_met'])} of simulated incidents "
        f"(rated {met['rating']}): target {humanize(objective['target'])}. "
        f"{causes.where_it_went(objective)}.{first}"
    )


def cause_rows(summary: dict[str, Any], scenario: str = "SCENARIO") -> list[list[str]]:
    """The largest causes of each objective below its target, with the command that tests a fix."""
    return [
        [o["id"], share(cause["share"]), causes.cause_text(cause), causes.fix_command(cause, scenario)]
        for o in causes.missed_objectives(summary)
        for cause in causes.told(o)
    ]


def missed_time_figure(summary: dict[str, Any]) -> str | None:
    """The stacked bars of where the missed incidents' time went, per objective below its target."""
    rows = [
        (
            o["id"],
            {part: p["share"] or 0.0 for part, p in o["parts"].items()},
            f"{humanize(o['minutes'])} per missed incident",
        )
        for o in causes.missed_objectives(summary)
    ]
    return charts.missed_time(rows, causes.PART_WORDS) if rows else None


def graph_svg(scenario: Scenario) -> str:
    """Policies, their levels in turn, and what each level pages as the policy names it (a schedule,
    a role, a team's on-call, a person) with how many people it stands for: readable whatever the
    organisation's size, where a line to every person paged is not."""
    org = scenario.organisation
    columns: dict[str, int] = {}
    edges: list[tuple[str, str, str]] = []
    targets: list[str] = []
    for pid, policy in org.escalation.items():
        previous = f"policy {pid}"
        columns[previous] = 0
        for index, level in enumerate(policy.levels):
            node = f"{pid} L{index + 1} ({humanize(level.timeout)})"
            columns[node] = 1
            edges.append((previous, node, "escalates"))
            for target in level.targets:
                label = describe_target(org, target)
                if label not in targets:
                    targets.append(label)
                edges.append((node, label, "pages"))
            previous = node
    columns |= dict.fromkeys(targets, 2)
    return charts.escalation_graph(edges, columns)
