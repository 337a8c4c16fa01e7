"""Two recorded versions of a scenario, compared paired: the scenario.yaml each run folder keeps (the
exact scenario that ran, organisation and overrides included), run side by side with common random
numbers — what ``drillsim compare BEFORE/scenario.yaml AFTER/scenario.yaml`` does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from drillsim.engine.model import compile_scenario
from drillsim.experiments.compare import Variant, compare
from drillsim.experiments.rundir import RunFolderError
from drillsim.scenario.loader import load_scenario

SNAPSHOT = "scenario.yaml"


def snapshot(folder: Path) -> Path:
    """The scenario.yaml a run folder keeps; RunFolderError when the folder no longer has one."""
    path = folder / SNAPSHOT
    if not path.is_file():
        raise RunFolderError(f"{folder}: no {SNAPSHOT} here (was the run folder moved or deleted?)")
    return path


def compare_versions(
    before: Path,
    after: Path,
    *,
    seed: int,
    count: int,
    workers: int,
    progress: Callable[[int], None] = lambda done: None,
) -> dict[str, Any]:
    """The paired comparison (``experiments.compare``'s result) of the scenario in run folder ``after``
    against the one in run folder ``before``, ``count`` replications from ``seed``. RunFolderError
    when either folder lost its scenario.yaml; ScenarioError when one no longer validates (written by
    another drillsim)."""
    base, variant = (load_scenario(snapshot(folder)) for folder in (before, after))
    return compare(
        Variant(str(snapshot(before)), compile_scenario(base)),
        [Variant(str(snapshot(after)), compile_scenario(variant))],
        seed=seed,
        count=count,
        workers=workers,
        progress=progress,
    )
