"""The structure report (:mod:`drillsim.structure`) as rich tables for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.scenario.units import format_duration, humanize
from drillsim.structure import Load, Loss, Reach, ReachKind, SinglePoint, SoleRole, Step, StructureReport


def render_text(report: StructureReport, console: Console) -> None:
    """Print the report as rich tables (reach times, single points of failure, roles held by one
    person, load), fitting 120 columns, and a hint about the graph options."""
    console.print(
        f"[bold]Escalation structure[/] of {report.scenario} (organisation {report.organisation}): "
        "worst cases, when nobody answers; reachability and answer delays are not used"
    )
    console.print(_reach_table(report.reach))
    console.print(_single_points_table(report.single_points))
    if report.sole_roles:
        console.print(_sole_roles_table(report.sole_roles))
    console.print(_load_table(report.load))
    console.print(
        "[dim]--mermaid prints the escalation graph as Mermaid (for Markdown), --dot as Graphviz DOT.[/]"
    )


_REACH_SECTIONS = {"severity": "by severity", "incident": "by incident kind", "decision": "by decision"}


def _reach_table(reach: tuple[Reach, ...]) -> Table:
    table = Table(
        title="Reach times (worst case: nobody answers; ×N: the policy runs N times)", title_justify="left"
    )
    table.add_column("escalation", min_width=26, max_width=34, overflow="fold")
    table.add_column("policy")
    table.add_column("steps: timeout·people paged", overflow="fold")
    table.add_column("hops", justify="right")
    table.add_column("last step at", justify="right")
    table.add_column("no answer at", justify="right")
    for kind, section in _REACH_SECTIONS.items():
        rows = [r for r in reach if r.kind == kind]
        if not rows:
            continue
        table.add_section()
        table.add_row(f"[bold]{section}[/]", "", "", "", "", "")
        for r in rows:
            table.add_row(*_reach_row(r))
    return table


def _reach_row(r: Reach) -> tuple[str, ...]:
    subject = f"{r.incident} ▸ {r.subject}" if r.kind == "decision" else r.subject
    if r.policy is None:
        return subject, "[red]none[/]", f"[red]{r.unserved}[/]", "—", "—", "—"
    steps = " › ".join(_step_text(r.kind, s) for s in r.steps)
    repeat = f" ×{r.repeat + 1}" if r.repeat else ""
    return (
        subject,
        r.policy,
        steps + repeat,
        str(r.hops),
        humanize(r.last_step_after),
        humanize(r.no_answer_after),
    )


def _step_text(kind: ReachKind, step: Step) -> str:
    paged = f"[red]{len(step.pages)}[/]" if len(step.pages) == 0 else str(len(step.pages))
    label = f"{step.label} " if kind == "decision" else ""
    return f"{label}{format_duration(step.timeout)}·{paged}"


def _single_points_table(points: tuple[SinglePoint, ...]) -> Table:
    table = Table(
        title="Single points of failure (what each person's absence leaves with nobody)", title_justify="left"
    )
    table.add_column("person")
    table.add_column("losses", justify="right")
    table.add_column("left with nobody")
    for point in points:
        lost = "\n".join(_loss_text(loss) for loss in point.losses)
        table.add_row(f"{escape(point.name)}\n[dim]{point.person}[/]", str(len(point.losses)), lost)
    if not points:
        table.add_row("[green]none[/]", "", "no one's absence leaves a decision, need or policy with nobody")
    return table


def _loss_text(loss: Loss) -> str:
    needed = f" [dim]({', '.join(loss.needed_by)})[/]" if loss.needed_by else ""
    return f"{loss.kind} {loss.id}{needed}"


def _sole_roles_table(roles: tuple[SoleRole, ...]) -> Table:
    table = Table(title="Roles held by one person", title_justify="left")
    table.add_column("role")
    table.add_column("held by")
    table.add_column("used by")
    for sole in roles:
        table.add_row(sole.role, sole.person, ", ".join(sole.used_by))
    return table


HEAVY_ON_CALL = 84.0  # hours a week: on call more than half the week


def _load_table(load: tuple[Load, ...]) -> Table:
    """People paged by two or more policies, on two or more schedules or team rotations, or on call
    more than half the week."""
    table = Table(
        title="Load (people paged by several policies, on several schedules or rotations, or on call "
        "more than half the week)",
        title_justify="left",
    )
    table.add_column("person")
    table.add_column("policies", justify="right")
    table.add_column("policies that can page them")
    table.add_column("on call a week", justify="right")
    table.add_column("schedules and rotations")
    shown = [
        entry
        for entry in load
        if len(entry.policies) >= 2 or len(entry.schedules) >= 2 or entry.on_call_hours > HEAVY_ON_CALL
    ]
    for entry in shown:
        table.add_row(
            entry.person,
            str(len(entry.policies)),
            ", ".join(entry.policies),
            f"{entry.on_call_hours:.1f} h" if entry.schedules else "—",
            ", ".join(entry.schedules) or "—",
        )
    if not shown:
        table.add_row("[green]nobody[/]", "", "", "", "")
    return table
