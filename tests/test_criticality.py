"""Criticality: the readiness lost when each person is away, ranked."""

from __future__ import annotations

from pathlib import Path

from paths import SCENARIOS

from drillsim.engine.model import compile_scenario
from drillsim.engine.world import World
from drillsim.experiments.compare import Variant, compare
from drillsim.experiments.criticality import NEVER_PAGED, criticality, pageable, without
from drillsim.experiments.streams import Streams
from drillsim.scenario.loader import load_scenario

# ana is the only responder: without her nothing is ever acknowledged. ben is her backup on the
# policy's second level only for acknowledgement, and cannot do the task. cleo is in no policy.
SCENARIO = """
id: tiny
title: Tiny
start: 2026-01-05T10:00:00Z
horizon: 2d
organisation:
  id: tiny-org
  name: Tiny
  defaults: {reachability: 1, ack_delay: 2m}
  teams: {ops: {name: Ops}}
  people:
    ana: {name: Ana, teams: [ops], roles: [responder]}
    ben: {name: Ben, teams: [ops], roles: [manager]}
    cleo: {name: Cleo, teams: [ops], roles: [clerk]}
  escalation:
    all:
      levels:
        - {timeout: 5m, targets: [{person: ana}]}
        - {timeout: 5m, targets: [{person: ben}]}
incidents:
  outage:
    title: Outage
    risk_area: other
    severity: sev2
    detection: {sources: {monitor: {probability: 1, delay: {exponential: {mean: 5m}}}}}
    playbook:
      fix: {role: responder, duration: {exponential: {mean: 30m}}, milestone: resolved}
injects:
  - {id: "1", at: 0m, kind: incident, incident: outage, text: Outage}
objectives:
  ack: {text: Acknowledge in 5 minutes, metric: time_to_acknowledge, target: 5m}
  fix: {text: Resolve in an hour, metric: time_to_resolve, target: 1h}
"""


def test_away_variant_adds_one_complication(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO)
    scenario = load_scenario(tmp_path / "s.yaml")
    away = without(scenario, "ana")
    assert len(away.injects) == len(scenario.injects) + 1
    assert away.injects[-1].unavailable.person == "ana" and away.injects[-1].at == 0


def test_the_only_responder_is_the_most_critical_and_a_bystander_costs_nothing(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO)
    rows = criticality(load_scenario(tmp_path / "s.yaml"), seed=1, count=40, workers=1)
    assert rows[0]["person"] == "ana"
    ana = rows[0]
    assert ana["verdict"] == "worse" and ana["ci95"][1] < 0
    assert ana["readiness_change"] < -50  # without her the task can never be done
    cleo = next(r for r in rows if r["person"] == "cleo")
    assert cleo["readiness_change"] == 0 and cleo["verdict"] == "no significant difference"


def test_a_person_nothing_can_page_is_not_simulated_and_would_change_nothing(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SCENARIO)
    scenario = load_scenario(tmp_path / "s.yaml")
    base = compile_scenario(scenario)
    assert pageable(base) == {"ana", "ben"}
    rows = {r["person"]: r for r in criticality(scenario, seed=1, count=40, workers=1)}
    assert rows["cleo"]["note"] == NEVER_PAGED and rows["cleo"]["replications"] == 0
    # the proof: simulated anyway, her absence leaves every replication's facts exactly as they were
    away = compile_scenario(without(scenario, "cleo"))
    for index in range(40):
        facts = []
        for model in (base, away):
            world = World(model, Streams(1, index))
            world.run()
            facts.append(world.facts)
        assert facts[0] == facts[1]
    full = compare(Variant("base", base), [Variant("cleo", away)], seed=1, count=40, workers=1)
    assert all(row["difference"] == 0 for row in full["variants"][0]["results"].values())


def test_early_stops_keep_the_ranking_at_the_top() -> None:
    scenario = load_scenario(SCENARIOS / "weight-exfiltration.yaml")
    quick = criticality(scenario, seed=3, count=150, workers=1)
    full = criticality(scenario, seed=3, count=150, workers=1, adaptive=False)
    assert quick[:3] == full[:3] and quick[0]["verdict"] == "worse"
    assert all(row["replications"] == 150 for row in quick[:3])
    finished = {r["person"]: r for r in full}
    for row in quick:
        if row["replications"] == 150:  # ran to the end: exactly the full computation's row
            assert row == finished[row["person"]]
        elif row["replications"]:  # stopped: said why, and ran fewer
            assert row["note"].startswith(f"stopped after {row['replications']} replications: clearly")
    assert any(row["note"] and row["replications"] for row in quick)  # something did stop early
