"""Ranking with early stops: clearly worse variants stop, good ones run to the end, the outcome does not
depend on workers or backend, and without early stops it is exactly compare()'s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drillsim.engine.model import compile_scenario
from drillsim.experiments.adaptive import BEHIND, NO_EFFECT, WRONG_WAY, looks, rank
from drillsim.experiments.compare import BETTER, Variant, compare
from drillsim.scenario.overrides import load_with_overrides

# Pages are answered after about 6 minutes and the objective is 5: how fast the first level answers
# decides readiness. cleo is paged by nothing, so changing her changes nothing.
SCENARIO = """
id: queue
title: Queue
start: 2026-01-05T10:00:00Z
horizon: 1d
organisation:
  id: org
  name: Org
  defaults: {reachability: 1, ack_delay: {lognormal: {median: 6m, p95: 20m}}}
  teams: {ops: {name: Ops}}
  people:
    ana: {name: Ana, teams: [ops], roles: [responder]}
    ben: {name: Ben, teams: [ops], roles: [responder]}
    cleo: {name: Cleo, teams: [ops], roles: [clerk]}
  escalation:
    all:
      levels:
        - {timeout: 10m, targets: [{person: ana}]}
        - {timeout: 10m, targets: [{person: ben}]}
incidents:
  outage:
    title: Outage
    risk_area: other
    severity: sev2
    detection: {sources: {monitor: {probability: 1, delay: {exponential: {mean: 5m}}}}}
    playbook:
      fix: {role: responder, duration: {exponential: {mean: 30m}}, milestone: resolved}
arrivals:
  - {incident: outage, rate: 1/h}
objectives:
  ack: {text: Acknowledge in 5 minutes, metric: time_to_acknowledge, target: 5m}
"""

CHANGES = {
    "much-faster": ["people.ana.ack_delay={lognormal: {median: 1m, p95: 2m}}"],
    "bit-faster": ["people.ana.ack_delay={lognormal: {median: 4m, p95: 15m}}"],
    "slower": ["people.ana.ack_delay={lognormal: {median: 30m, p95: 1h}}"],
    "unchanged": ["people.cleo.ack_delay=1m"],
}


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    file = tmp_path_factory.mktemp("adaptive") / "queue.yaml"
    file.write_text(SCENARIO)
    return file


def variants(path: Path, *names: str) -> tuple[Variant, list[Variant]]:
    base = Variant("base", compile_scenario(load_with_overrides(path, [])))
    return base, [Variant(name, compile_scenario(load_with_overrides(path, CHANGES[name]))) for name in names]


def by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in result["variants"]}


def test_looks_double_from_the_first_and_stay_below_the_count() -> None:
    assert looks(200, 50) == [50, 100]
    assert looks(1000, 50) == [50, 100, 200, 400, 800]
    assert looks(50, 50) == []


def test_a_clearly_worse_change_and_one_without_effect_stop_early_and_a_good_one_runs_to_the_end(
    path: Path,
) -> None:
    base, candidates = variants(path, "much-faster", "slower", "unchanged")
    result = rank(base, candidates, seed=5, count=200, workers=1, ranking="gain", keep=3)
    found = by_name(result)
    good, bad, same = found["much-faster"], found["slower"], found["unchanged"]
    assert good["stopped"] is None and good["replications"] == 200
    assert good["results"]["readiness"]["verdict"] == BETTER and good["results"]["readiness"]["n"] == 200
    assert bad["stopped"]["reason"] == WRONG_WAY and bad["replications"] == 50
    assert bad["stopped"]["note"] == "stopped after 50 replications: clearly worse than the base"
    assert same["stopped"]["reason"] == NO_EFFECT and same["replications"] == 50
    assert same["results"]["readiness"]["difference"] == 0
    assert result["replications"] == 200
    allocation = result["allocation"]
    assert allocation["looks"] == [50, 100]
    assert allocation["runs"] == 4 * 50 + 2 * 150  # everyone to 50, then the base and the good one
    assert allocation["runs_without_stopping"] == 4 * 200


def test_a_variant_clearly_behind_the_ones_kept_stops(path: Path) -> None:
    base, candidates = variants(path, "much-faster", "bit-faster")
    found = by_name(rank(base, candidates, seed=5, count=400, workers=1, ranking="gain", keep=1))
    assert found["much-faster"]["stopped"] is None
    behind = found["bit-faster"]["stopped"]
    assert behind["reason"] == BEHIND and behind["after"] < 400
    assert behind["note"].endswith("clearly not among the 1 best")


def test_ranking_losses_stops_what_raises_readiness(path: Path) -> None:
    base, candidates = variants(path, "much-faster", "slower")
    found = by_name(rank(base, candidates, seed=5, count=200, workers=1, ranking="loss", keep=3))
    assert found["slower"]["stopped"] is None
    assert found["much-faster"]["stopped"]["note"] == (
        "stopped after 50 replications: clearly better than the base"
    )


def test_the_outcome_does_not_depend_on_workers_or_backend(path: Path) -> None:
    names = ("much-faster", "bit-faster", "slower", "unchanged")
    runs = [
        rank(*variants(path, *names), seed=9, count=120, workers=workers, backend=backend, keep=1)
        for workers, backend in ((1, None), (1, "serial"), (2, "process"), (1, "process"))
    ]
    assert all(run == runs[0] for run in runs[1:])
    assert any(v["stopped"] for v in runs[0]["variants"])  # the runs did stop something


def test_replications_already_run_are_reused_not_run_again(path: Path) -> None:
    # Ranking the same variants again with the same seed gives the same result without running
    # anything: every replication each one ran was recorded. Another seed runs them all again.
    base, candidates = variants(path, "much-faster", "bit-faster", "unchanged")
    first = rank(base, candidates, seed=9, count=120, workers=1, keep=1)
    again = rank(base, candidates, seed=9, count=120, workers=1, keep=1)
    assert again["allocation"]["runs"] == 0 and first["allocation"]["runs"] > 0
    assert again["allocation"]["runs_without_stopping"] == 3 * 120  # the base's 120 are recorded
    assert {k: v for k, v in again.items() if k != "allocation"} == {
        k: v for k, v in first.items() if k != "allocation"
    }
    other = rank(base, candidates, seed=10, count=120, workers=1, keep=1)
    assert other["allocation"]["runs"] >= 120 + 3 * 50


def test_without_early_stops_it_is_compare(path: Path) -> None:
    base, candidates = variants(path, "much-faster", "slower", "unchanged")
    ranked = rank(base, candidates, seed=2, count=120, workers=1, adaptive=False)
    compared = compare(base, candidates, seed=2, count=120, workers=1)
    assert [{"name": v["name"], "results": v["results"]} for v in ranked["variants"]] == compared["variants"]
    assert all(v["stopped"] is None and v["replications"] == 120 for v in ranked["variants"])
    assert ranked["allocation"]["looks"] == [] and ranked["allocation"]["runs"] == 4 * 120


def test_the_results_of_a_stopped_variant_are_those_of_its_replications(path: Path) -> None:
    base, candidates = variants(path, "slower")
    ranked = rank(base, [*candidates, variants(path, "much-faster")[1][0]], seed=4, count=200, workers=1)
    slower = by_name(ranked)["slower"]
    assert slower["replications"] == 50
    assert (
        slower["results"] == compare(base, candidates, seed=4, count=50, workers=1)["variants"][0]["results"]
    )


def test_a_first_look_too_early_for_the_intervals_is_refused(path: Path) -> None:
    base, candidates = variants(path, "slower")
    with pytest.raises(ValueError, match="at least 20"):
        rank(base, candidates, seed=1, count=100, workers=1, first_look=10)
