"""Changes of a scenario's contents between simulations, drawn: readiness before and after side by
side, the verdict the two runs' intervals allow, and the paired comparison — its result when it was
run (``drillsim history --scenario ID --versions``), else the ``drillsim compare`` command that runs
it. For the terminal (:func:`print_versions`) and the readiness report (:func:`versions_section`)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.report.document import Document
from drillsim.trend import VersionChange, Versioned, paired_verdict

SEEDS_NOTE = (
    "The paired comparison runs both versions with the newer run's seed and replication count and common "
    "random numbers; when the older run used the same seed and count it reproduces both recorded scores. "
    "A change is called a regression only when an interval excludes zero."
)


def compare_command(change: VersionChange) -> str | None:
    """The ``drillsim compare`` command that pairs the two versions, or None when the newer run has no
    seed or replication count recorded."""
    after = change.after
    if after.seed is None or after.replications is None:
        return None
    files = [shlex.quote(str(Path(run.folder) / "scenario.yaml")) for run in (change.before, after)]
    return f"drillsim compare {files[0]} {files[1]} --seed {after.seed} -n {after.replications}"


def paired_text(result: Mapping[str, Any] | str | None) -> str:
    """A paired comparison's readiness row (``compare``'s ``results["readiness"]``) as 'difference
    (interval): verdict', or the reason it could not be run (a string), or '—' when it was not run."""
    if result is None:
        return "—"
    if isinstance(result, str):
        return f"not run: {result}"
    low, high = result["ci95"] or (None, None)
    interval = f" ({low:+.1f} to {high:+.1f})" if low is not None and high is not None else ""
    return f"{result['difference']:+.1f}{interval} {paired_verdict(result['ci95'])}"


def _run_text(run: Versioned, version: int) -> str:
    score = f"{run.readiness:.1f}" if run.readiness is not None else "—"
    interval = (
        f" ({run.readiness_low:.1f}–{run.readiness_high:.1f})"
        if run.readiness_low is not None and run.readiness_high is not None
        else ""
    )
    return f"v{version}: {score}{interval}"


HEADERS = ("changed (UTC)", "scenario", "before", "after", "difference", "the runs' intervals say")


def _cells(change: VersionChange) -> dict[str, str]:
    """The change's text under each of HEADERS."""
    texts = (
        change.after.at.replace("T", " ")[:16],
        change.after.scenario,
        _run_text(change.before, change.versions[0]),
        _run_text(change.after, change.versions[1]),
        f"{change.change:+.1f}" if change.change is not None else "—",
        change.verdict,
    )
    return dict(zip(HEADERS, texts, strict=True))


WHAT = (
    "readiness (95% CI) of the last simulation before each change of the scenario's contents (its "
    "scenario.yaml) and of the first after"
)


def print_versions(
    changes: Sequence[VersionChange],
    console: Console,
    paired: Sequence[Mapping[str, Any] | str | None] | None = None,
) -> None:
    """The changes side by side; ``paired``: per change, its paired comparison's readiness row or why
    it could not be run. Without it, the commands that would run them."""
    if not changes:
        return
    table = Table(title=f"Scenario versions: {WHAT}", title_justify="left")
    for header in [*HEADERS, *(["paired difference (95% CI)"] if paired is not None else [])]:
        table.add_column(header, justify="right" if header == "difference" else "left", overflow="fold")
    for i, change in enumerate(changes):
        cells = [*_cells(change).values(), *([paired_text(paired[i])] if paired is not None else [])]
        table.add_row(*(escape(cell) for cell in cells))
    console.print(table)
    if paired is None:
        commands = [c for change in changes if (c := compare_command(change))]
        scenarios = sorted({change.after.scenario for change in changes})
        console.print(
            "Paired comparison (common random numbers): "
            + "; ".join(f"drillsim history --scenario {shlex.quote(s)} --versions" for s in scenarios)
            + " runs it, as does:",
            markup=False,
        )
        for command in commands:
            console.print(f"  {command}", markup=False, soft_wrap=True)
    console.print(SEEDS_NOTE, markup=False)


def versions_section(doc: Document, changes: Sequence[VersionChange]) -> None:
    """The readiness report's section on the scenario's changes of contents; nothing when there are
    none."""
    if not changes:
        return
    doc.heading("Scenario versions")
    scenario = shlex.quote(changes[0].after.scenario)
    doc.paragraph(
        f"The {WHAT}. `drillsim history --scenario {scenario} --versions` runs each paired comparison "
        f"below. {SEEDS_NOTE}"
    )
    columns = [h for h in HEADERS if h != "scenario"]  # a report is of one scenario
    doc.table(
        [*columns, "paired comparison"],
        [[*(_cells(change)[c] for c in columns), compare_command(change) or "—"] for change in changes],
        numeric={3},
    )


def change_json(change: VersionChange, paired: Mapping[str, Any] | str | None = None) -> dict[str, Any]:
    """A change for ``--json``: both runs, the difference and verdict of their intervals, the compare
    command, and the paired comparison's readiness row (with its verdict), or why it was not run."""

    def run_json(run: Versioned, version: int) -> dict[str, Any]:
        return {
            "version": version,
            "scenario_sha256": run.scenario_sha256,
            "at": run.at,
            "folder": run.folder,
            "seed": run.seed,
            "replications": run.replications,
            "readiness": run.readiness,
            "ci95": [run.readiness_low, run.readiness_high],
        }

    found: dict[str, Any] = {
        "scenario": change.after.scenario,
        "before": run_json(change.before, change.versions[0]),
        "after": run_json(change.after, change.versions[1]),
        "difference": change.change,
        "verdict": change.verdict,
        "compare": compare_command(change),
    }
    if isinstance(paired, str):
        found["paired"] = {"not_run": paired}
    elif paired is not None:
        found["paired"] = dict(paired) | {"verdict": paired_verdict(paired["ci95"])}
    return found
