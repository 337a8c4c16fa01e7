"""The after-action report and improvement plan (AAR/IP) of a live drill, in the HSEEP structure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from drillsim.experiments.samples import NOT_REACHED, scenario_samples
from drillsim.plans import AAR, PlanEntry, PlanItem
from drillsim.report import charts
from drillsim.report.document import Document
from drillsim.report.labels import RATING_WORDS, RATINGS, metric_label, versus_simulation
from drillsim.report.plan import UNASSIGNED, open_items_section
from drillsim.scenario.model import Scenario
from drillsim.scenario.organisation import select_policy
from drillsim.scenario.units import humanize

FOLLOW_UP_DAYS = 30
SIMULATED = 300


def aar_report(
    folder: Path, scenario: Scenario, hotwash: dict[str, Any], carried: Sequence[PlanItem] = ()
) -> Document:
    """The AAR/IP of a drill from its ``hotwash.json`` (with its ``seed`` and ``started`` wall time);
    ``carried``: the scenario's improvement items still to do in the history (those from this drill's
    own plan are left out: the plan above lists them)."""
    seed = hotwash.get("seed")
    people = scenario.organisation.people
    players = [f"{people[p].name} ({', '.join(people[p].roles)})" for p in hotwash["players"] if p in people]
    when = _held(folder, hotwash)
    doc = Document(
        f"After-action report — {scenario.title}",
        [
            f"Drill {hotwash['drill']} · scenario {scenario.id} · organisation {scenario.organisation.name}",
            f"Held {when}; play ended at scenario time T+{humanize(hotwash['ended_at'])}; seed "
            f"{seed if seed is not None else '?'}",
        ],
    )
    doc.heading("Exercise overview")
    doc.table(
        ["item", "details"],
        [
            ["Exercise", scenario.title],
            ["Date", when],
            ["Scope", scenario.description or "Tabletop / functional exercise on the drillsim simulator"],
            [
                "Scenario",
                "; ".join(f"{k.title} ({k.severity}, {k.risk_area})" for k in scenario.incidents.values()),
            ],
            ["Objectives", "; ".join(f"{oid}: {o.text}" for oid, o in scenario.objectives.items())],
            ["Players", "; ".join(players) or "none (everyone simulated)"],
            [
                "Simulation cell",
                "everyone else in the organisation, played by the simulator with the same seed",
            ],
        ],
    )
    doc.heading("Analysis of objectives")
    rows = hotwash["objectives"]
    doc.table(
        [
            "objective",
            "target",
            "live (slowest)",
            "incidents met",
            "result",
            "vs simulated incidents",
            "rating",
        ],
        [
            [
                r["id"],
                humanize(r["target"]),
                humanize(r["live"]),
                _met_count(r),
                r.get("result", ""),
                versus_simulation(r["percentile"]),
                r.get("rating") or "—",
            ]
            for r in rows
        ],
        numeric={1, 2, 3},
    )
    doc.paragraph(
        f"'vs simulated incidents' places the room's time among every incident of {SIMULATED} simulated "
        "runs of the same scenario and seed, pooled: 'faster than 80%' means 80% of simulated incidents "
        "took longer."
    )
    samples = scenario_samples(scenario, int(seed or 0), SIMULATED)
    for r in rows:
        values = samples.get(r["id"], [])
        observed = [v for v in values if v != NOT_REACHED]
        doc.figure(
            charts.distribution(
                observed,
                len(values) - len(observed),
                f"{r['id']}: {metric_label(r['metric'])}",
                [(humanize(r["target"]), r["target"])],
                live=r["live"],
            ),
            f"{r['id']} — {r['text']}: the room took {humanize(r['live'])} ({_met_count(r)} incidents met "
            f"the {humanize(r['target'])} target), shown in green among the simulated incidents"
            if r["live"] is not None
            else f"{r['id']} — {r['text']}: simulated incidents only; the room did not reach it "
            f"({r.get('result', '')})",
        )
    observations = hotwash["observations"]
    doc.heading("Strengths")
    strong = [r for r in rows if r.get("rating") in RATINGS[:2]]
    for r in strong:
        doc.paragraph(
            f"{r['id']} — {r['text']}: {RATING_WORDS[r['rating']]} (live {humanize(r['live'])}, "
            f"target {humanize(r['target'])})."
        )
    if not strong:
        doc.paragraph("No objective was performed without major challenges.")
    doc.heading("Areas for improvement")
    weak = [r for r in rows if r.get("rating") in RATINGS[2:]]
    for r in weak:
        notes = [o["text"] for o in observations if o["objective"] == r["id"]]
        cause = (
            "Observed: " + " / ".join(notes)
            if notes
            else "Root cause: to be agreed (no observation recorded)."
        )
        doc.paragraph(f"{r['id']} — {r['text']}: {RATING_WORDS[r['rating']]}. {cause}")
    if not weak:
        doc.paragraph("None rated M or U.")
    doc.heading("Improvement plan")
    plan = improvement_plan(folder, scenario, hotwash)
    doc.table(
        ["issue", "corrective action", "owner", "due"],
        [[e.issue, e.action, e.owner or UNASSIGNED, e.due or "—"] for e in plan] or [["—", "—", "—", "—"]],
    )
    earlier = [i for i in carried if (i.source, i.origin) != (AAR, hotwash["drill"])]
    open_items_section(doc, earlier, "Open improvement items from earlier exercises")
    if observations:
        doc.heading("Evaluator observations")
        doc.table(
            ["time", "objective", "observation"],
            [[f"T+{humanize(o['time'])}", o["objective"] or "—", o["text"]] for o in observations],
        )
    return doc


def improvement_plan(folder: Path, scenario: Scenario, hotwash: dict[str, Any]) -> list[PlanEntry]:
    """The improvement plan of a drill's AAR, as the report prints it and the history records it: one
    item per objective rated M or U (key ``objective:ID``), then one per evaluator observation not on
    such an objective (key ``observation:MINUTES:TEXT``, MINUTES its scenario time), each due
    FOLLOW_UP_DAYS after the drill was held, owned as :func:`owner_of` says (None: to be assigned)."""
    due = _due_date(_held(folder, hotwash))
    weak = [r for r in hotwash["objectives"] if r.get("rating") in RATINGS[2:]]
    plan = [
        PlanEntry(
            f"objective:{r['id']}",
            f"{r['id']}: {r['text']} ({r.get('result', '')})",
            _action(r),
            ", ".join(_owners(scenario, r["id"])) or None,
            due,
        )
        for r in weak
    ]
    plan += [
        PlanEntry(
            f"observation:{o['time']}:{o['text']}",
            f"Observation at T+{humanize(o['time'])}: {o['text']}",
            "Discuss and agree an action",
            None,
            due,
        )
        for o in hotwash["observations"]
        if o["objective"] not in {r["id"] for r in weak}
    ]
    return plan


def _held(folder: Path, hotwash: dict[str, Any]) -> str:
    """When the drill was held: its first action's wall time, else the folder name's timestamp."""
    return str(hotwash.get("started") or folder.name[:16])


def _action(row: dict[str, Any]) -> str:
    metric = row["metric"]
    if metric in ("time_to_acknowledge", "time_to_engage", "time_to_mobilize", "time_to_mobilize_contain"):
        return "Review on-call reachability and escalation timeouts; test the change with drillsim compare"
    if metric == "time_to_authority" or metric.startswith("time_to_decision/"):
        return "Name a deputy for the decision and confirm the delegation order"
    if metric.startswith("time_to_notify"):
        return "Pre-draft the notification and assign its owner before the clock starts"
    return "Rehearse the playbook steps on the critical path; check who can do them at all hours"


def owner_of(scenario: Scenario, objective: str) -> str:
    """Who answers for what the objective measures, as a starting owner for its corrective action:
    the first role of the delegation order of the decisions it waits for (time_to_authority), the
    roles of the tasks that file its report (time_to_notify) or reach its milestone (contain,
    resolve), of the first tasks (engage) or of every task (mobilize), the escalation policy that
    pages for it (acknowledge) and the detection sources (detect). Roles, skills and policies are
    named as the scenario names them; "(assign)" when the scenario names none."""
    return ", ".join(_owners(scenario, objective)) or UNASSIGNED


def _owners(scenario: Scenario, objective: str) -> list[str]:
    """The owners :func:`owner_of` names, each once, in order."""
    spec = scenario.objectives[objective]
    org = scenario.organisation
    kinds = {k: scenario.incidents[k] for k in spec.incidents or scenario.incidents}
    tasks = [task for kind in kinds.values() for task in kind.playbook.values()]
    metric = spec.metric
    if metric == "time_to_authority":
        owners = [org.authorities[t.decision].roles[0] for t in tasks if t.decision in org.authorities]
    elif metric.startswith("time_to_decision/"):
        named = org.authorities.get(metric.split("/", 1)[1])
        owners = named.roles[:1] if named else []
    elif metric == "time_to_mobilize_contain":
        owners = [
            t.need[1]
            for kind in kinds.values()
            for tid, t in kind.playbook.items()
            if tid in _up_to_containment(kind.playbook)
        ]
    elif metric == "time_to_notify":
        owners = [t.need[1] for t in tasks if spec.clock in t.notifies]
    elif metric in ("time_to_contain", "time_to_resolve"):
        milestone = {"time_to_contain": "contained", "time_to_resolve": "resolved"}[metric]
        owners = [t.need[1] for t in tasks if t.milestone == milestone]
    elif metric == "time_to_engage":
        owners = [t.need[1] for t in tasks if not t.after]
    elif metric == "time_to_mobilize":
        owners = [t.need[1] for t in tasks]
    elif metric == "time_to_acknowledge":
        policies = [select_policy(org, kid, kind.severity, kind.risk_area)[0] for kid, kind in kinds.items()]
        owners = [f"escalation policy {p}" for p in policies if p is not None]
    else:  # time_to_detect
        owners = [f"detection source {s}" for kind in kinds.values() for s in kind.detection.sources]
    return list(dict.fromkeys(owners))


def _up_to_containment(playbook: dict[str, Any]) -> set[str]:
    """The tasks marked contained and every task they wait for, directly or not."""
    chain = {tid for tid, t in playbook.items() if t.milestone == "contained"}
    todo = list(chain)
    while todo:
        for before in playbook[todo.pop()].after:
            if before not in chain:
                chain.add(before)
                todo.append(before)
    return chain


def _met_count(row: dict[str, Any]) -> str:
    """'1 of 2': how many of the room's incidents met the objective (— for hot washes written before
    this was recorded)."""
    if "incidents" not in row:
        return "—"
    return f"{row['incidents_met']} of {row['incidents']}"


def _due_date(when: str) -> str:
    try:
        held = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        held = dt.datetime.now(dt.UTC)
    return (held + dt.timedelta(days=FOLLOW_UP_DAYS)).date().isoformat()
