"""`drillsim structure` as a planner uses it."""

from __future__ import annotations

import json

from paths import SCENARIOS
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.scenario.loader import load_scenario

runner = CliRunner()
TUTORIAL = SCENARIOS / "tutorial.yaml"


def invoke(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return result.exit_code, output


def test_structure_prints_reach_times_and_single_points_of_failure() -> None:
    code, output = invoke("structure", SCENARIOS / "flagship-concurrent.yaml")
    assert code == 0
    assert (
        "Reach times" in output and "Single points of failure" in output and "suspend-development" in output
    )


def test_graphs_are_printed_verbatim() -> None:
    code, mermaid = invoke("structure", TUTORIAL, "--mermaid")
    assert code == 0 and mermaid.startswith("flowchart LR") and '[["all-incidents"]]' in mermaid
    code, dot = invoke("structure", TUTORIAL, "--dot")
    assert code == 0 and dot.startswith("digraph") and dot.rstrip().endswith("}")


def test_json_with_criticality_ranks_every_person() -> None:
    code, output = invoke("structure", TUTORIAL, "--json", "--criticality", "-n", "20", "--workers", "1")
    assert code == 0
    data = json.loads(output)
    ranking = data["criticality"]
    assert {row["person"] for row in ranking} == set(load_scenario(TUTORIAL).organisation.people)
    assert data["reach"]  # the analysis is there too
    changes = [row["readiness_change"] for row in ranking]
    assert changes == sorted(changes)  # most critical (largest drop) first


def test_structure_of_an_organisation_file_exits_2() -> None:
    code, output = invoke("structure", SCENARIOS / "organisations" / "frontier-lab.yaml")
    assert code == 2 and "is an organisation file" in output


def test_criticality_says_who_stopped_early_and_why() -> None:
    scenario = SCENARIOS / "weight-exfiltration.yaml"
    code, output = invoke("structure", scenario, "--criticality", "-n", "100", "--workers", "1")
    assert code == 0 and "up to 100 paired replications each" in output
    assert "Never paged: no effect: " in output
    assert "Stopped after 50 replications: clearly no effect (within ±0.5 readiness points): " in output
    code, output = invoke("structure", scenario, "--criticality", "--exhaustive", "-n", "60", "--json")
    rows = json.loads(output)["criticality"]
    assert code == 0 and {row["replications"] for row in rows} == {0, 60}  # only the never paged skip


def test_exhaustive_goes_with_criticality() -> None:
    code, output = invoke("structure", TUTORIAL, "--exhaustive")
    assert code == 2 and "--exhaustive goes with --criticality" in output
