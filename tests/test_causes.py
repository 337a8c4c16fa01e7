"""Causes: where the time went in the incidents that missed an objective.

The first cases are built so the answer is known: every distribution fixed, every reachability 0 or 1,
the expected segments worked out in the comments from the engine's documented rules (docs/causes.md,
docs/simulation.md), not from running it. The last ones check, over many replications of bundled
scenarios, that every incident's segments add up to the time measured.
"""

from __future__ import annotations

import io
import json
import math
import textwrap
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import THREE_ROLES, model_from
from paths import SCENARIOS
from rich.console import Console

from drillsim import facts as T
from drillsim.engine.model import Model, compile_scenario
from drillsim.engine.world import World
from drillsim.experiments import causes as C
from drillsim.experiments.replicate import _streams_for, run_replication
from drillsim.experiments.simulate import simulate
from drillsim.metrics import Tally
from drillsim.report.readiness import cause_rows, findings, missed_time_figure
from drillsim.report.terminal import print_simulation
from drillsim.report.writer import write_report
from drillsim.scenario.loader import load_scenario


def scenario(
    org: str, incidents: str, injects: str, objectives: str, *, start: str = "2026-01-05T00:00:00Z"
) -> str:
    def block(text: str) -> str:
        return textwrap.indent(textwrap.dedent(text).strip("\n"), "  ")

    return (
        f"id: causes\ntitle: Causes case\nstart: {start}\nhorizon: 2d\n"
        f"organisation:\n  id: org\n  name: Org\n{block(org)}\n"
        f"incidents:\n{block(incidents)}\ninjects:\n{block(injects)}\nobjectives:\n{block(objectives)}\n"
    )


def incident(playbook: str) -> str:
    return (
        "inc:\n  title: Incident\n  risk_area: other\n  severity: sev2\n"
        "  detection: {sources: {mon: {probability: 1, delay: 0}}}\n  playbook:\n"
        + textwrap.indent(textwrap.dedent(playbook).strip("\n"), "    ")
    )


def go(at: str, n: int) -> str:
    return f"- {{id: '{n}', at: {at}, kind: incident, incident: inc, text: go}}\n"


def decompose(model: Model, metric: str, number: int, index: int = 0) -> C.Decomposition | None:
    """One incident of replication ``index``, decomposed for ``metric``."""
    world = World(model, _streams_for(0, index))
    world.run()
    tally = Tally(model.kinds)
    tally.update(world.facts)
    attribution = C.attribution(model)
    lines = C._timelines(
        world.facts,
        set(tally.incidents),
        {n: f.detected for n, f in tally.incidents.items() if f.detected is not None},
    )
    in_force = model.in_force(T.released_injects(world.facts))
    return C._Replication(attribution, tally.incidents, lines, in_force).decompose(
        tally.incidents[number], metric
    )


def segments(found: C.Decomposition | None) -> list[tuple[str, tuple[str, ...], tuple[str, ...], float]]:
    assert found is not None
    return [(s.part, s.cause, s.detail, round(s.minutes, 9)) for s in found.segments]


def summary_of(model: Model, count: int = 3) -> dict[str, Any]:
    totals = C.CauseTotals(model)
    for index in range(count):
        replication = run_replication(model, 0, index, causes=True)
        assert replication.causes is not None
        totals.add(replication.causes)
    return totals.summary({o.id: "U" for o in totals.objectives})


# (a) The first level pages only alice, who is reached only in working hours (09:00–17:00 New York).
# At 02:00 New York (07:00 UTC) the incident is detected at once: alice is paged and never answers;
# after the 30-minute timeout bob is paged (level 2) and acknowledges 3 minutes later, at 33.
# A second incident at 10:00 New York (t = 480) is acknowledged by alice after 2 minutes: met.
NIGHT = """
timezone: America/New_York
teams: {ops: {name: Ops}}
people:
  alice:
    name: Alice
    teams: [ops]
    roles: [responder]
    working_hours: {days: mon-fri, start: "09:00", end: "17:00"}
    reachability: {on_duty: 1, off_duty: 0}
    ack_delay: 2m
  bob: {name: Bob, teams: [ops], roles: [responder], reachability: 1, ack_delay: 3m}
escalation:
  main:
    levels:
      - {timeout: 30m, targets: [{person: alice}]}
      - {timeout: 10m, targets: [{person: bob}]}
"""
ACK_10M = "ack-10m: {text: Acknowledged within 10 minutes, metric: time_to_acknowledge, target: 10m}"


def test_an_unanswered_first_level_at_night_is_the_cause(tmp_path: Path) -> None:
    model = model_from(
        tmp_path,
        scenario(
            NIGHT,
            incident("work: {role: responder, duration: 30m, milestone: resolved}"),
            go("0m", 1) + go("8h", 2),
            ACK_10M,
            start="2026-01-05T07:00:00Z",
        ),
    )
    assert segments(decompose(model, "time_to_acknowledge", 0)) == [
        ("waiting_for_ack", ("waiting_for_ack", "main", "1"), ("00:00–04:00", "alice"), 30.0),
        ("waiting_for_ack", ("waiting_for_ack", "main", "2"), ("00:00–04:00", "bob"), 3.0),
    ]
    (objective,) = summary_of(model)["objectives"]
    assert (objective["missed"], objective["censored"], objective["undetected"]) == (3, 0, 0)  # 1 a run
    assert objective["minutes"] == 33.0
    assert objective["parts"]["waiting_for_ack"]["share"] == 1.0
    first, second = objective["causes"]
    assert first | {"details": None} == {
        "part": "waiting_for_ack",
        "policy": "main",
        "level": 1,
        "timeout": 30.0,
        "targets": ["person alice"],
        "minutes": 30.0,
        "share": round(30 / 33, 4),
        "ci95": [round(30 / 33, 4)] * 2,  # the same every replication: no spread
        "incidents": 1.0,
        "details": None,
    }
    assert first["details"] == [
        {"hours": "00:00–04:00", "paged": ["alice"], "minutes": 30.0, "share": round(30 / 33, 4)}
    ]
    assert (second["level"], second["minutes"], second["details"][0]["paged"]) == (2, 3.0, ["bob"])
    assert objective["other"] == {"minutes": 0.0, "share": 0.0}


# (b) carol alone has the skill `forensics` every analysis needs (60 minutes). Incident 0 at 0: alice
# acknowledges at 2, carol is paged for the analysis and answers a minute later: 3 → 63, contained
# at 63 (met). Incident 1 at 10: alice acknowledges at 12; carol is busy with incident 0 until 63,
# then paged for incident 1, answers at 64 and works to 124: contained 114 minutes after detection.
SCARCE = """
teams: {ops: {name: Ops}}
people:
  alice: {name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 2m}
  carol: {name: Carol, teams: [ops], skills: [forensics], reachability: 1, ack_delay: 1m}
escalation:
  main:
    levels:
      - {timeout: 5m, targets: [{person: alice}]}
"""
CONTAIN_90M = "contain-90m: {text: Contained within 90 minutes, metric: time_to_contain, target: 90m}"


def test_a_scarce_skill_busy_with_the_other_incident_is_the_cause(tmp_path: Path) -> None:
    model = model_from(
        tmp_path,
        scenario(
            SCARCE,
            incident("analyse: {skill: forensics, duration: 60m, milestone: contained}"),
            go("0m", 1) + go("10m", 2),
            CONTAIN_90M,
        ),
    )
    responder = ("waiting_for_responder", "skill:forensics")
    assert segments(decompose(model, "time_to_contain", 1)) == [
        ("waiting_for_ack", ("waiting_for_ack", "main", "1"), ("00:00–04:00", "alice"), 2.0),
        ("waiting_for_responder", responder, ("busy", "carol", "inc", "analyse", "other"), 51.0),
        ("waiting_for_responder", responder, ("paged", "carol", "", "", ""), 1.0),
        ("working", ("working", "inc", "analyse"), ("carol",), 60.0),
    ]  # in time order
    (objective,) = summary_of(model)["objectives"]
    assert (objective["missed"], objective["minutes"]) == (3, 114.0)
    assert {part: p["minutes"] for part, p in objective["parts"].items()} == {
        "waiting_for_ack": 2.0,
        "waiting_for_responder": 52.0,
        "working": 60.0,
    }
    responder = next(c for c in objective["causes"] if c["part"] == "waiting_for_responder")
    assert (responder["need"], responder["holders"], responder["minutes"]) == (
        "skill:forensics",
        ["carol"],
        52.0,
    )
    assert responder["details"][0] == {
        "state": "busy",
        "person": "carol",
        "incident": "inc",
        "task": "analyse",
        "same_incident": False,
        "minutes": 51.0,
        "share": round(51 / 114, 4),
    }


# (c) The decision `halt` has one holder, dave, kept away from 0 to 60 minutes. Incident at 0: alice
# acknowledges at 2 and the task needing the decision is ready: dave is paged at 2 (tier 1, 5-minute
# timeout: the policy's first level), the order runs out at 7, is asked again 5 minutes later at 12,
# and so on: pages at 2, 12, …, 52 find him away; the page at 62 reaches him and he decides at 63.
# alice does the 10-minute task: contained at 73. The wait for the authority, 61 minutes, is 31
# minutes with tier 1 paged (six times 5, then 62→63) and 30 minutes between rounds.
AUTHORITY = """
teams: {ops: {name: Ops}}
people:
  alice: {name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 2m, reports_to: dave}
  dave: {name: Dave, teams: [ops], roles: [ceo], reachability: 1, ack_delay: 1m}
authorities:
  halt: {title: Halt the deployment, roles: [ceo]}
escalation:
  main:
    levels:
      - {timeout: 5m, targets: [{person: alice}]}
"""
CONTAIN_30M = "contain-30m: {text: Contained within 30 minutes, metric: time_to_contain, target: 30m}"
AUTHORITY_15M = "decided-15m: {text: Decided within 15 minutes, metric: time_to_authority, target: 15m}"


def authority_model(tmp_path: Path) -> Model:
    away = "- {id: '2', at: 0m, kind: complication, unavailable: {person: dave}, for: 1h, text: flight}\n"
    return model_from(
        tmp_path,
        scenario(
            AUTHORITY,
            incident("stop: {role: responder, decision: halt, duration: 10m, milestone: contained}"),
            go("0m", 1) + away,
            CONTAIN_30M + "\n" + AUTHORITY_15M,
        ),
    )


def test_a_decision_whose_only_holder_is_away_is_the_cause(tmp_path: Path) -> None:
    model = authority_model(tmp_path)
    found = decompose(model, "time_to_contain", 0)
    waits = [s for s in segments(found) if s[0] == "waiting_for_authority"]
    assert sum(m for _, _, detail, m in waits if detail == ("1", "dave")) == pytest.approx(31.0)
    assert sum(m for _, _, detail, m in waits if detail == ("", "")) == pytest.approx(30.0)
    assert [s for s in segments(found) if s[0] != "waiting_for_authority"] == [
        ("waiting_for_ack", ("waiting_for_ack", "main", "1"), ("00:00–04:00", "alice"), 2.0),
        ("working", ("working", "inc", "stop"), ("alice",), 10.0),
    ]
    # time_to_authority (63) walks the same chain up to the decision
    assert sum(s[3] for s in segments(decompose(model, "time_to_authority", 0))) == pytest.approx(63.0)
    contain, decided = summary_of(model)["objectives"]
    assert contain["parts"]["waiting_for_authority"]["minutes"] == pytest.approx(61.0)
    authority = contain["causes"][0]
    assert (authority["part"], authority["authority"], authority["roles"]) == (
        "waiting_for_authority",
        "halt",
        ["ceo"],
    )
    assert authority["details"][0] | {"minutes": None, "share": None} == {
        "tier": 1,
        "role": "ceo",
        "paged": ["dave"],
        "minutes": None,
        "share": None,
    }
    assert decided["minutes"] == 63.0


# (d) A conditional absence, released: alice acknowledges at 2 and contains by 12 (10 minutes);
# "alice is away from 10 for an hour if the incident was acknowledged" is released at 10, so the
# one-hour resolution waits for her return at 70 and ends at 130. Away 12 → 70: 58 minutes.
ALONE = """
teams: {ops: {name: Ops}}
people:
  alice: {name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 2m}
escalation:
  main:
    levels:
      - {timeout: 5m, targets: [{person: alice}]}
"""


def test_a_released_conditional_absence_is_the_cause_while_it_lasts(tmp_path: Path) -> None:
    away = (
        "- {id: '2', at: 10m, kind: complication, unavailable: {person: alice}, for: 1h, text: away,\n"
        "   condition: {if: {incident: inc, milestone: acknowledged}}}\n"
    )
    model = model_from(
        tmp_path,
        scenario(
            ALONE,
            incident(
                "contain: {role: responder, duration: 10m, milestone: contained}\n"
                "resolve: {role: responder, duration: 1h, after: [contain], milestone: resolved}"
            ),
            go("0m", 1) + away,
            "resolve-1h: {text: Resolved within an hour, metric: time_to_resolve, target: 1h}",
        ),
    )
    assert segments(decompose(model, "time_to_resolve", 0)) == [
        ("waiting_for_ack", ("waiting_for_ack", "main", "1"), ("00:00–04:00", "alice"), 2.0),
        ("working", ("working", "inc", "contain"), ("alice",), 10.0),
        (
            "waiting_for_responder",
            ("waiting_for_responder", "role:responder"),
            ("away", "alice", "", "", ""),
            58.0,
        ),
        ("working", ("working", "inc", "resolve"), ("alice",), 60.0),
    ]


# (e) A clock that starts at a decision. alice acknowledges at 2 and triages 2→32; halt waits for
# the decision, which bob (paged at 32) takes at 35; alice halts 35→55. notify needs counsel: carol
# is paged at 55, acknowledges at 59 and notifies at 119. The clock ran 35→119 = 84 minutes (missed
# at 1h): halting 20, carol paged 4, notifying 60. Acknowledgement, triage and the wait for the
# decision came before the clock started and are not part of it.
AFTER_HALT = """
regimes:
  ours:
    title: Our duties
    clocks:
      after-halt: {title: Report once halted, deadline: 1h, starts: "decision:halt"}
"""


def test_a_clock_that_starts_later_is_decomposed_from_its_start(tmp_path: Path) -> None:
    text = scenario(
        THREE_ROLES,
        incident(
            "triage: {role: responder, duration: 30m}\n"
            "halt: {role: responder, duration: 20m, after: [triage], decision: halt, milestone: contained}\n"
            "notify: {role: counsel, duration: 1h, after: [halt], notifies: [ours/after-halt]}"
        ).replace("  playbook:", "  regulatory: [ours/after-halt]\n  playbook:"),
        go("0m", 1),
        "report-1h: {text: Reported within the hour, metric: time_to_notify, clock: ours/after-halt, "
        "target: 1h}",
    ) + textwrap.dedent(AFTER_HALT)
    model = model_from(tmp_path, text)
    found = decompose(model, "time_to_notify:ours/after-halt", 0)
    assert found is not None and (found.start, found.end) == (35.0, 119.0)
    assert segments(found) == [
        ("working", ("working", "inc", "halt"), ("alice",), 20.0),
        (
            "waiting_for_responder",
            ("waiting_for_responder", "role:counsel"),
            ("paged", "carol", "", "", ""),
            4.0,
        ),
        ("working", ("working", "inc", "notify"), ("carol",), 60.0),
    ]
    (objective,) = summary_of(model)["objectives"]
    assert objective["minutes"] == 84.0


def test_the_terminal_and_the_report_name_the_cause_the_person_and_a_command(tmp_path: Path) -> None:
    model = authority_model(tmp_path)
    path = tmp_path / "scenario.yaml"
    run = simulate(
        model.scenario, path.read_text(), count=4, seed=0, workers=1, out=tmp_path / "run", results=tmp_path
    )
    summary = run.summary
    buffer = io.StringIO()
    print_simulation(summary, Console(file=buffer, width=400, color_system=None), "case.yaml")
    text = buffer.getvalue()
    why = text.split("Why objectives were missed")[1].split("All incidents")[0]
    assert "contain-30m" in why and "decided-15m" in why
    assert (
        "waiting for the decision halt (delegation order ceo): tier 1 ceo (dave) paged, no answer yet" in why
    )
    assert "drillsim compare case.yaml --set 'authorities.halt.roles+=ROLE'" in why  # one tier: add one
    assert "drillsim advise case.yaml" in why
    notes = " ".join(findings(summary))
    assert "halt" in notes and "dave" in notes and "drillsim advise SCENARIO" in notes
    assert any("dave" in row[2] for row in cause_rows(summary))
    assert missed_time_figure(summary) is not None
    write_report(run.folder)
    markdown = (run.folder / "report.md").read_text(encoding="utf-8")
    assert "waiting for the decision halt" in markdown.split("## Findings that matter")[1]


def test_a_run_folder_written_before_causes_still_gets_its_findings() -> None:
    summary = {
        "objectives": [{"id": "x", "p_met": 0.2, "rating": "U", "target": 10.0}],
        "deadlines": {},
        "time_breakdown": {"waiting_for_ack": 1.0, "working": 2.0},
    }
    assert findings(summary)[0].startswith("Objective x is met in only 20.0%")
    assert missed_time_figure(summary) is None


def test_the_fix_commands_name_paths_compare_accepts() -> None:
    from drillsim.report.causes import fix_command

    ack = {"part": "waiting_for_ack", "policy": "p", "level": 2, "timeout": 10.0, "targets": []}
    assert fix_command(ack | {"details": [{"hours": "00:00–04:00", "paged": ["a"]}]}, "s.yaml") == (
        "drillsim compare s.yaml --set 'escalation.p.levels[1].timeout=5m'"
    )
    assert fix_command(ack | {"details": [{"hours": "00:00–04:00", "paged": []}]}, "s.yaml") == (
        "drillsim structure s.yaml --coverage"  # the level paged nobody: a gap
    )
    authority = {"part": "waiting_for_authority", "authority": "h", "roles": ["a", "b", "c"]}
    assert fix_command(authority | {"details": [{"tier": 1}]}, "s.yaml") == (
        "drillsim compare s.yaml --set 'authorities.h.roles=[b, c, a]'"
    )


# (d) Over many replications of bundled scenarios, every incident (missed or not) decomposes into
# segments that add up to its measured time: the metric's value, or detection → horizon when censored.
@pytest.mark.parametrize("name", ["flagship-concurrent", "follow-the-sun", "safety-classifier-outage"])
def test_the_parts_add_up_to_the_time_measured(name: str) -> None:
    model = compile_scenario(load_scenario(SCENARIOS / f"{name}.yaml"))
    attribution = C.attribution(model)
    checked = 0
    for index in range(40):
        world = World(model, _streams_for(7, index))
        world.run()
        tally = Tally(model.kinds)
        tally.update(world.facts)
        rows = tally.metrics(model.horizon)
        detected = {n: f.detected for n, f in tally.incidents.items() if f.detected is not None}
        run = C._Replication(
            attribution,
            tally.incidents,
            C._timelines(world.facts, set(tally.incidents), detected),
            model.in_force(T.released_injects(world.facts)),
        )
        for row in rows:
            for objective in attribution.objectives:
                if objective.outcome(row) is None:
                    continue
                found = run.decompose(tally.incidents[row.number], objective.metric)
                value = row.values[objective.metric]
                if found is None:
                    assert row.number not in detected and value is None
                    continue
                measured = value if value is not None else model.horizon - found.start
                assert found.censored == (value is None)
                assert found.end - found.start == pytest.approx(measured, rel=1e-12, abs=1e-9)
                total = math.fsum(s.minutes for s in found.segments)
                assert total == pytest.approx(measured, rel=1e-9, abs=1e-9), (row.kind, objective.metric)
                assert all(s.minutes > 0 and s.cause[0] == s.part for s in found.segments)
                checked += 1
    assert checked > 100


def test_summary_parts_and_causes_add_up_and_do_not_depend_on_workers(tmp_path: Path) -> None:
    path = SCENARIOS / "flagship-concurrent.yaml"
    scenario_ = load_scenario(path)
    runs = [
        simulate(
            scenario_,
            path.read_text(),
            count=30,
            seed=3,
            workers=workers,
            chunk=7,
            out=tmp_path / f"w{workers}",
            results=tmp_path,
        )
        for workers in (1, 2)
    ]
    assert json.dumps(runs[0].summary["causes"]) == json.dumps(runs[1].summary["causes"])
    causes = runs[0].summary["causes"]
    assert (causes["timezone"], causes["hour_band"]) == ("America/Los_Angeles", 4)
    objectives = {o["id"]: o for o in runs[0].summary["objectives"]}
    for objective in causes["objectives"]:
        assert objective["below_target"] == (objectives[objective["id"]]["rating"] != "P")
        assert objective["missed"] == round(
            objectives[objective["id"]]["n"] * (1 - objectives[objective["id"]]["p_met"])
        )
        if objective["minutes"] is None:
            continue
        parts = objective["parts"].values()
        assert sum(p["minutes"] for p in parts) == pytest.approx(objective["minutes"], abs=1e-3)
        assert sum(p["share"] for p in parts) == pytest.approx(1.0, abs=1e-3)
        listed = sum(c["share"] for c in objective["causes"]) + objective["other"]["share"]
        assert listed == pytest.approx(1.0, abs=1e-3)
        for cause in objective["causes"]:
            low, high = cause["ci95"]
            assert low <= cause["share"] <= high
