"""``drillsim structure``: the escalation structure analysed without simulating; with --criticality,
the readiness lost when each person is away; with --coverage, on-call coverage by hour of the week
(and, with --heatmap, the chance a page is acknowledged in time at each hour, simulated)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from drillsim.cli.console import console, progress_bar
from drillsim.cli.exits import CommandError
from drillsim.cli.options import (
    OrganisationFrom,
    ScenarioFile,
    Seed,
    TimeZoneName,
    Workers,
    replications_option,
    time_zone_name,
    worker_count,
)

if TYPE_CHECKING:
    from drillsim.experiments.replicate import Backend
    from drillsim.scenario.model import Scenario

HEATMAP_REPLICATIONS = 200  # per hour of the week, unless the command says otherwise


def structure(
    scenario: ScenarioFile,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the analysis (or the coverage) as JSON.")
    ] = False,
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
    exhaustive: Annotated[
        bool,
        typer.Option(
            "--exhaustive",
            help="With --criticality: run every person through every replication (by default a person "
            "whose absence clearly makes no difference, or who is clearly not among the most critical, "
            "stops early).",
        ),
    ] = False,
    coverage: Annotated[
        bool,
        typer.Option(
            "--coverage",
            help="Show on-call coverage instead: for every escalation level, the hours of a typical week "
            "when it pages nobody or only people off duty, and the on-call hours per person.",
        ),
    ] = False,
    heatmap: Annotated[
        bool,
        typer.Option(
            "--heatmap",
            help="With --coverage: also simulate how likely a page sent at each hour of the week is "
            "acknowledged in time, per policy.",
        ),
    ] = False,
    timezone: TimeZoneName = None,
    replications: Annotated[
        int,
        replications_option(
            "With --criticality: replications per person (at most); with --heatmap: per hour of the week.",
            maximum=1_000_000,
        ),
    ] = HEATMAP_REPLICATIONS,
    seed: Seed = 0,
    workers: Workers = None,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Analyse the escalation structure without simulating: reach times per severity, incident and
    decision, single points of failure, load, and the escalation graph.

    With --criticality, simulate the scenario once per person with that person away for the whole
    run, and rank people by the readiness lost (paired with common random numbers). People nothing can
    page are not simulated (no effect); a person clearly without effect, or clearly not among the five
    most critical, stops early, at 50, 100, 200… replications (--exhaustive: nobody stops).

    With --coverage, show instead when each escalation level pages nobody or only people off duty,
    hour by hour over a typical week, and each person's on-call hours a week; add --heatmap to
    simulate the chance that a page sent at each hour is acknowledged in time.
    """
    from drillsim.report import graphtext
    from drillsim.report.structure import render_text
    from drillsim.scenario.graph import escalation_graph
    from drillsim.scenario.loader import load_scenario
    from drillsim.structure import analyse

    if (heatmap or timezone is not None) and not coverage:
        raise CommandError("--heatmap and --timezone go with --coverage")
    if exhaustive and not criticality:
        raise CommandError("--exhaustive goes with --criticality")
    if coverage and (mermaid or dot or criticality):
        raise CommandError("--coverage is a view of its own: leave out --mermaid, --dot and --criticality")
    zone_name = time_zone_name(timezone)
    model_scenario = load_scenario(scenario, organisation_from or ())
    if coverage:
        from drillsim.report.coverage import render_coverage

        data = coverage_data(model_scenario, zone_name, replications if heatmap else None, seed, workers)
        if as_json:
            sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        else:
            render_coverage(data, console)
        return
    report = analyse(model_scenario)
    graph = escalation_graph(model_scenario.organisation)
    if mermaid or dot:
        sys.stdout.write(
            (graphtext.mermaid(graph) if mermaid else "") + (graphtext.dot(graph) if dot else "")
        )
        return
    ranking = _criticality(model_scenario, replications, seed, workers, exhaustive) if criticality else None
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
    scenario: Scenario, replications: int, seed: int, workers: int | None, exhaustive: bool
) -> list[dict[str, Any]]:
    """People ranked by the readiness lost when each is away, with a progress bar counting runs (one
    replication of the scenario or of a variant): it moves with every replication, and its total
    shrinks when people stop early."""
    from drillsim.experiments.criticality import criticality

    people = len(scenario.organisation.people)
    with progress_bar(f"simulating {people} people away (runs)", (people + 1) * replications) as update:
        return criticality(
            scenario,
            seed=seed,
            count=replications,
            workers=worker_count(workers),
            adaptive=not exhaustive,
            progress=update,
        )


def coverage_data(
    scenario: Scenario,
    timezone: str | None,
    heatmap_replications: int | None,
    seed: int,
    workers: int | None,
    backend: Backend | None = None,
    scheduler: str | None = None,
) -> dict[str, Any]:
    """The coverage document (what coverage.json holds): the typical week and the load, with the
    acknowledgement heatmap of ``heatmap_replications`` per hour (simulated, with a progress bar)
    under ``"heatmap"``, or None there without."""
    from drillsim.coverage import analyse_coverage
    from drillsim.experiments.coverage import acknowledgement_heatmap, served

    data = analyse_coverage(scenario, timezone).to_json()
    heatmap = None
    if heatmap_replications is not None:
        total = heatmap_replications * len(served(scenario))
        with progress_bar("simulating a page at each hour of the week", total) as update:
            heatmap = acknowledgement_heatmap(
                scenario,
                timezone=timezone,
                seed=seed,
                count=heatmap_replications,
                workers=worker_count(workers),
                backend=backend,
                scheduler=scheduler,
                progress=update,
            )
    return data | {"heatmap": heatmap}
