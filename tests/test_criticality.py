"""Criticality: the readiness lost when each person is away, ranked."""

from __future__ import annotations

from pathlib import Path

from drillsim.experiments.criticality import criticality, without
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
