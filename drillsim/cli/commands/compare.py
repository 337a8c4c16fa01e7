"""``drillsim compare``: a base scenario against variants, paired with common random numbers."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from drillsim.cli.console import console, progress_bar
from drillsim.cli.exits import CommandError
from drillsim.cli.options import (
    Backend,
    OrganisationFrom,
    OverridesFiles,
    Replications,
    Scheduler,
    Seed,
    Workers,
    backend_name,
    worker_count,
)


def compare(
    base: Annotated[Path, typer.Argument(help="The base scenario file.")],
    variants: Annotated[
        list[Path] | None, typer.Argument(help="Variant scenario files (same organisation).")
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="PATH=VALUE",
            help="Make a variant of the base: e.g. escalation.sev1.levels[0].timeout=3m, or "
            "teams.safety.on_call.members+=dana. Repeat for several changes to one variant.",
        ),
    ] = None,
    replications: Replications = 1000,
    seed: Seed = 0,
    workers: Workers = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    independent: Annotated[
        bool,
        typer.Option(
            help="Give each variant its own seed instead of common random numbers (noisier; for checking)."
        ),
    ] = False,
    overrides_files: OverridesFiles = None,
    backend: Backend = None,
    scheduler: Scheduler = None,
    organisation_from: OrganisationFrom = None,
) -> None:
    """Compare escalation structures: the base scenario against variants, with common random numbers.

    For readiness, each objective, each regulatory deadline and each metric: the paired difference
    (variant − base) with its 95% interval and a verdict — better, worse, or no significant
    difference. Metrics compare restricted means (a time not reached counts as the time to the horizon).
    """
    from drillsim.engine.model import compile_scenario
    from drillsim.experiments.compare import Variant
    from drillsim.experiments.compare import compare as run_comparison
    from drillsim.report.terminal import print_comparison
    from drillsim.scenario.loader import load_scenario
    from drillsim.scenario.overrides import load_with_overrides

    folders, files = organisation_from or (), tuple(overrides_files or ())
    base_scenario = load_scenario(base, folders)
    chosen = [(str(path), load_scenario(path, folders)) for path in variants or []]
    if overrides or overrides_files:
        name = " ".join(
            [*(f"--overrides {f}" for f in overrides_files or []), *(f"--set {o}" for o in overrides or [])]
        )
        chosen.append((name, load_with_overrides(base, overrides or [], files, folders)))
    if not chosen:
        raise CommandError(
            "nothing to compare: name variant files, or make a variant of the base with --set PATH=VALUE"
        )
    for name, variant in chosen:
        if variant.organisation.id != base_scenario.organisation.id:
            raise CommandError(
                f"{name} describes organisation '{variant.organisation.id}', the base "
                f"'{base_scenario.organisation.id}': compare variants of one organisation"
            )
    with progress_bar("comparing", replications) as update:
        try:
            result = run_comparison(
                Variant(str(base), compile_scenario(base_scenario)),
                [Variant(name, compile_scenario(s)) for name, s in chosen],
                seed=seed,
                count=replications,
                workers=worker_count(workers),
                independent=independent,
                backend=backend_name(backend),
                scheduler=scheduler,
                progress=update,
            )
        except KeyboardInterrupt:
            raise KeyboardInterrupt("nothing was written") from None  # said after "interrupted: "
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        print_comparison(result, console)
