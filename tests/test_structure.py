"""Escalation-structure analysis against small hand-drawn organisations, answers worked out by hand."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from paths import SCENARIOS
from rich.console import Console

from drillsim.report import graphtext
from drillsim.report.structure import render_text
from drillsim.scenario.graph import escalation_graph
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.model import Scenario
from drillsim.structure import Reach, StructureReport, analyse

# Who is who (rotations as members, in order):
#   ops rotation [ann, bob] · sec rotation [bob, cat] · infra rotation [bob, dan] · exec team {dan, eve}
#   roles: responder {ann, bob} · analyst {cat} · head-of-safety {dan} · ceo {eve} · auditor {fay}
#   authorities: halt = [head-of-safety, ceo] (dan, then eve: a deputy) · suspend = [ceo] (eve alone)
#   kim-lee and kim_lee are in no team: they only test that graph ids stay distinct.
TINY = """
id: hand-drawn
title: Hand-drawn organisation
start: 2026-01-05T09:00:00Z
organisation:
  id: tiny-lab
  name: Tiny Lab
  teams:
    ops: {name: Ops, on_call: {members: [ann, bob], shift: 1d, start: 2026-01-05T09:00:00Z}}
    sec: {name: Security, on_call: {members: [bob, cat], shift: 1d, start: 2026-01-05T09:00:00Z}}
    infra: {name: Infra, on_call: {members: [bob, dan], shift: 1d, start: 2026-01-05T09:00:00Z}}
    exec: {name: Executives}
  people:
    ann: {name: Ann Ash, teams: [ops], roles: [responder], skills: [triage]}
    bob: {name: Bob Birch, teams: [ops, sec, infra], roles: [responder], skills: [triage]}
    cat: {name: Cat Cole, teams: [sec], roles: [analyst]}
    dan: {name: 'Dan "D" Dunn', teams: [infra, exec], roles: [head-of-safety], reports_to: eve}
    eve: {name: Eve Eng (CEO), teams: [exec], roles: [ceo]}
    fay: {name: Fay Fox, roles: [auditor]}
    kim-lee: {name: Kim Lee}
    kim_lee: {name: Kim Lee Jr}
  authorities:
    halt: {title: Halt the model, roles: [head-of-safety, ceo]}
    suspend: {title: Suspend development, roles: [ceo]}
  escalation:
    sev1:
      applies_to: {severities: [sev1]}
      levels:
        - {timeout: 5m, targets: [{on_call: ops}]}
        - {timeout: 10m, targets: [{role: head-of-safety}]}
        - {timeout: 15m, targets: [{team: exec}]}
      repeat: 1
    sev2:
      applies_to: {severities: [sev2]}
      levels:
        - {timeout: 20m, targets: [{team: exec}]}
    audit-only:
      applies_to: {incidents: [audit]}
      levels:
        - {timeout: 30m, targets: [{person: fay}]}
        - {timeout: 1h, targets: [{role: auditor}]}
incidents:
  breach:
    title: A breach
    risk_area: other
    severity: sev1
    detection: {sources: {alarm: {probability: 1, delay: 1m}}}
    playbook:
      triage: {skill: triage, duration: 10m}
      analyse: {role: analyst, after: [triage], duration: 30m}
      halt: {role: responder, after: [triage], decision: halt, duration: 5m}
      suspend: {role: responder, after: [halt], decision: suspend, duration: 5m}
  audit:
    title: An audit finding
    risk_area: other
    severity: sev3
    detection: {sources: {review: {probability: 1, delay: 1h}}}
    playbook:
      review: {role: auditor, duration: 2h}
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    path = tmp_path_factory.mktemp("structure") / "tiny.yaml"
    path.write_text(TINY)
    return load_scenario(path)


@pytest.fixture(scope="module")
def report(tiny: Scenario) -> StructureReport:
    return analyse(tiny)


def reach(report: StructureReport, kind: str, subject: str) -> Reach:
    return next(r for r in report.reach if r.kind == kind and r.subject == subject)


def test_reach_times_of_a_three_level_policy_with_repeat(report: StructureReport) -> None:
    sev1 = reach(report, "severity", "sev1")
    assert sev1.policy == "sev1" and sev1.hops == 3 and sev1.repeat == 1
    # level 3 is paged once levels 1 and 2 time out: 5m + 10m = 15m
    assert [s.reached_after for s in sev1.steps] == [0.0, 5.0, 15.0]
    assert sev1.last_step_after == 15.0
    # exhausted after every timeout, twice (repeat 1): (5 + 10 + 15) × 2 = 60m
    assert sev1.no_answer_after == 60.0
    # an on_call target stands for its rotation members; a team for its members
    assert [s.pages for s in sev1.steps] == [("ann", "bob"), ("dan",), ("dan", "eve")]
    assert reach(report, "incident", "breach") == Reach(
        "incident", "breach", None, "sev1", None, 1, 3, sev1.steps, 15.0, 60.0
    )


def test_severities_and_incidents_use_the_policy_select_policy_picks(report: StructureReport) -> None:
    assert [r.subject for r in report.reach if r.kind == "severity"] == ["sev1", "sev2", "sev3", "sev4"]
    assert reach(report, "severity", "sev2").policy == "sev2"
    # audit-only names its incident, so it serves `audit` (sev3) but not severity sev3 in general
    for sev in ("sev3", "sev4"):
        unserved = reach(report, "severity", sev)
        assert unserved.policy is None and unserved.hops == 0 and unserved.no_answer_after is None
        assert unserved.unserved == f"no escalation policy applies to a {sev} incident"
    audit = reach(report, "incident", "audit")
    # 30m then 1h, no repeat: last level at 30m, exhausted at 1h30m
    assert (audit.policy, audit.last_step_after, audit.no_answer_after) == ("audit-only", 30.0, 90.0)


def test_decision_tiers_wait_the_policy_level_timeouts(report: StructureReport) -> None:
    halt = reach(report, "decision", "halt")
    # tier 1 head-of-safety (dan) waits level 1's 5m, tier 2 ceo (eve) level 2's 10m; repeat 1
    assert halt.incident == "breach" and halt.policy == "sev1" and halt.hops == 2
    assert [(s.label, s.timeout, s.pages) for s in halt.steps] == [
        ("head-of-safety", 5.0, ("dan",)),
        ("ceo", 10.0, ("eve",)),
    ]
    assert (halt.last_step_after, halt.no_answer_after) == (5.0, 30.0)  # (5 + 10) × 2
    suspend = reach(report, "decision", "suspend")
    assert (suspend.hops, suspend.last_step_after, suspend.no_answer_after) == (1, 0.0, 10.0)  # 5 × 2


def test_single_points_of_failure_ranked(report: StructureReport) -> None:
    losses = {
        p.person: [(loss.kind, loss.id, loss.needed_by) for loss in p.losses] for p in report.single_points
    }
    assert losses == {
        # fay alone is paged by every level of audit-only, and alone holds the role `review` needs
        "fay": [("role", "auditor", ("audit/review",)), ("policy", "audit-only", ("audit",))],
        # the role `analyse` needs has one holder
        "cat": [("role", "analyst", ("breach/analyse",))],
        # only the CEO can suspend; `halt` has a deputy (dan, then eve), so neither is a SPOF for it
        "eve": [("decision", "suspend", ("breach/suspend",))],
    }
    assert [p.person for p in report.single_points] == ["fay", "cat", "eve"]  # most losses, then id


def test_roles_held_by_one_person(report: StructureReport) -> None:
    sole = {s.role: (s.person, s.used_by) for s in report.sole_roles}
    assert sole == {
        "analyst": ("cat", ("task breach/analyse",)),
        "auditor": ("fay", ("task audit/review", "policy audit-only level 2")),
        "ceo": ("eve", ("authority halt", "authority suspend")),
        "head-of-safety": ("dan", ("policy sev1 level 2", "authority halt")),
    }  # `responder` has two holders, and kim-lee's missing roles matter to nobody


def test_load_counts_policies_schedules_and_hours(report: StructureReport) -> None:
    load = {entry.person: (entry.policies, entry.schedules, entry.on_call_hours) for entry in report.load}
    # daily two-person rotations: each member is on call half of every week, 84 h, on each of them
    assert load["bob"] == (("sev1",), ("team:infra", "team:ops", "team:sec"), 3 * 84.0)
    assert load["dan"] == (("sev1", "sev2"), ("team:infra",), 84.0)
    assert load["eve"] == (("sev1", "sev2"), (), 0.0)
    assert load["fay"] == (("audit-only",), (), 0.0)
    assert "kim-lee" not in load
    # most policies first, then most schedules
    assert [entry.person for entry in report.load][:3] == ["dan", "eve", "bob"]


def test_load_counts_people_on_call_only_through_schedules(tmp_path: Path) -> None:
    """Someone a level reaches only through a schedule is on call (the field note: the load table
    used to read team rotations alone, and showed them with no load at all)."""
    text = TINY.replace(
        "  authorities:",
        """  schedules:
    night:
      layers:
        weeknights: {members: [kim-lee, kim_lee], turn: 1w, start: 2026-01-05T00:00:00Z,
                     restrictions: [{days: mon-fri, start: "00:00", end: "08:00"}]}
  authorities:""",
        1,
    )
    (tmp_path / "night.yaml").write_text(text)
    scenario = load_scenario(tmp_path / "night.yaml")
    load = {entry.person: (entry.schedules, entry.on_call_hours) for entry in analyse(scenario).load}
    # five 8-hour nights a week, shared week by week between two people: 20 h a week each
    assert load["kim-lee"] == (("night",), 20.0)
    assert load["kim_lee"] == (("night",), 20.0)


def balanced(text: str) -> bool:
    text = text.replace('\\"', "")
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    for char in text:
        if char in "([{":
            stack.append(char)
        elif char in pairs and (not stack or stack.pop() != pairs[char]):
            return False
    return not stack and text.count('"') % 2 == 0


def test_mermaid_shows_every_person_and_policy(tiny: Scenario) -> None:
    text = graphtext.mermaid(escalation_graph(tiny.organisation))
    assert text.startswith("flowchart LR\n") and balanced(text)
    org = tiny.organisation
    declared = re.findall(r"^  (\w+)[\[(]", text, flags=re.MULTILINE)
    assert len(declared) == len(set(declared)) == len(org.people) + len(org.escalation) + 3 + 1 + 2
    for person in org.people.values():
        assert person.name.replace('"', "#quot;") in text
    for policy in org.escalation:
        assert f'[["{policy}"]]' in text
    assert 'level_sev1_3["level 3<br/>wait 15m"]' in text
    assert "person_dan -.-> person_eve" in text  # reports to
    assert "level_sev1_1 --> person_ann" in text and "policy_sev1 ==> level_sev1_1" in text


def test_dot_shows_every_person_and_policy(tiny: Scenario) -> None:
    text = graphtext.dot(escalation_graph(tiny.organisation))
    assert text.startswith("digraph escalation {\n") and text.endswith("}\n") and balanced(text)
    for pid in tiny.organisation.people:
        assert f'"person:{pid}" [label=' in text
    for policy in tiny.organisation.escalation:
        assert f'"policy:{policy}" [label="{policy}"' in text
    assert '"person:dan" [label="Dan \\"D\\" Dunn"' in text
    assert '"level:sev1:2" [label="level 2\\nwait 10m"' in text
    assert '"level:sev1:1" -> "level:sev1:2" [style=bold];' in text


def test_report_is_deterministic_and_json(tiny: Scenario, report: StructureReport) -> None:
    again = analyse(tiny)
    graph, graph_again = escalation_graph(tiny.organisation), escalation_graph(tiny.organisation)
    assert graphtext.mermaid(graph) == graphtext.mermaid(graph_again) and graphtext.dot(
        graph
    ) == graphtext.dot(graph_again)
    data = report.to_json()
    assert json.loads(json.dumps(data)) == data == again.to_json()
    assert data["reach"][0]["steps"][0] == {
        "label": "level 1",
        "timeout": 5.0,
        "reached_after": 0.0,
        "pages": ["ann", "bob"],
    }


def test_render_fits_120_columns(report: StructureReport) -> None:
    console = Console(file=io.StringIO(), width=120, record=True, color_system=None)
    render_text(report, console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 120
    for heading in ("Reach times", "Single points of failure", "Load", "--mermaid"):
        assert heading in text


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_bundled_scenarios(path: Path) -> None:
    scenario = load_scenario(path)
    report = analyse(scenario)
    json.dumps(report.to_json())
    served = [r for r in report.reach if r.kind != "severity"]
    assert served and all(r.policy and r.no_answer_after and r.no_answer_after > 0 for r in served)
    if "organisation: organisations/frontier-lab.yaml" in path.read_text():
        # the deliberate SPOF in scenarios/organisations/frontier-lab.yaml: only the CEO may suspend
        ceo = next(p for p in report.single_points if p.person == "dana-okafor")
        assert ("decision", "suspend-development") in [(loss.kind, loss.id) for loss in ceo.losses]
