"""``drillsim structure``: the escalation structure analysed without simulating; with --criticality,
the readiness lost when each person is away."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from drillsim.cli.console import console, progress_bar
from drillsim.cli.options import (
    OrganisationFrom,
    ScenarioFile,
    Seed,
    Workers,
    replications_option,
    worker_count,
)

if TYPE_CHECKING:
    from drillsim.scenario.model import Scenario


def structure(
    scenario: ScenarioFile,
    as_json: Annotated[bool, typer.Option("--json", help="Print the analysis as JSON.")] = False,
    mermaid: Annotated[
        bool, typer.Option("--mermaid", help="Print the escalation graph as Mermaid.")
    ] = False,
    dot: Annotated[bool, typer.Option("--dot", help="Print the escalation graph as Graphviz DOT.")] = False,
    criticality: Annotated[
        bool,
        typer.Option(
            "--criticality", help="Also simulate: the readiness lost when each person is away, ranked."
        ),
    ] = False,
    replications: Annotated[
        int, replications_option("With --criticality: replications per person.", maximum=1_000_000)
    ] = 200,
    seed: Seed = 0,
    workers: Workers = None,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Analyse the escalation structure without simulating: reach times per severity, incident and
    decision, single points of failure, load, and the escalation graph.

    With --criticality, simulate the scenario once per person with that person away for the whole
    run, and rank people by the readiness lost (paired with common random numbers).
    """
    from drillsim.report import graphtext
    from drillsim.report.structure import render_text
    from drillsim.scenario.graph import escalation_graph
    from drillsim.scenario.loader import load_scenario
    from drillsim.structure import analyse

    model_scenario = load_scenario(scenario, organisation_from or ())
    report = analyse(model_scenario)
    graph = escalation_graph(model_scenario.organisation)
    if mermaid or dot:
        sys.stdout.write(
            (graphtext.mermaid(graph) if mermaid else "") + (graphtext.dot(graph) if dot else "")
        )
        return
    ranking = _criticality(model_scenario, replications, seed, workers) if criticality else None
    if as_json:
        data = report.to_json() | {"mermaid": graphtext.mermaid(graph), "dot": graphtext.dot(graph)}
        data |= {"criticality": ranking} if ranking is not None else {}
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    render_text(report, console)
    if ranking is not None:
        from drillsim.report.terminal import print_criticality

        print_criticality(ranking, replications, console)


def _criticality(
    scenario: Scenario, replications: int, seed: int, workers: int | None
) -> list[dict[str, Any]]:
    """People ranked by the readiness lost when each is away, with a progress bar."""
    from drillsim.experiments.criticality import criticality

    with progress_bar(f"simulating {len(scenario.organisation.people)} people away", replications) as update:
        return criticality(
            scenario, seed=seed, count=replications, workers=worker_count(workers), progress=update
        )
