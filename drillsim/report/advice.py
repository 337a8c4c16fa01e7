"""``drillsim advise``'s advice (advice.json) for people: terminal tables, and the readiness report's
"What to change" section."""

from __future__ import annotations

import shlex
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.report.document import Document
from drillsim.report.terminal import VERDICT_STYLES, signed_difference
from drillsim.scenario.overrides import flow_yaml

RULE = (
    "A change is recommended only when the 95% interval of its readiness gain, paired with the base "
    "replication by replication (common random numbers), lies above zero, and the gain is not clearly "
    "negligible (within ±0.5 points)."
)


def gain(readiness: dict[str, Any]) -> str:
    """``+5.8 (+3.1 to +8.4)``: the readiness difference and its 95% interval (``no change`` when every
    replication gave the same readiness)."""
    low, high = readiness["ci95"]
    if readiness["difference"] == low == high == 0:
        return "no change"
    interval = (
        f" ({signed_difference('readiness', low)} to {signed_difference('readiness', high)})"
        if low is not None
        else ""
    )
    return signed_difference("readiness", readiness["difference"]) + interval


def moves(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The objectives and deadlines a change moves beyond noise: (``contain-1h +10.0 pts``, verdict)."""
    return [
        (f"{m['measure'].split(':', 1)[1]} {signed_difference(m['measure'], m['difference'])}", m["verdict"])
        for m in row["moves"]
    ]


def added_text(combination: dict[str, Any]) -> str:
    """What a combination's last change adds over the combination one smaller, in words."""
    added = combination["added"]
    beyond = "beyond noise" if added["verdict"] == "better" else "not beyond noise"
    return f"the last adds {gain(added)} over the one before: {beyond}"


def compare_command(advice: dict[str, Any], sets: list[str]) -> str:
    """The ``drillsim compare`` command that re-runs one change by hand, with the advice's seed and count."""
    flags = " ".join(f"--set {shlex.quote(text)}" for text in sets)
    return (
        f"drillsim compare {shlex.quote(advice['scenario_file'])} {flags} "
        f"-n {advice['replications']} --seed {advice['seed']}"
    )


def _header(advice: dict[str, Any]) -> str:
    tried = len(advice["candidates"])
    base = advice["base"]["readiness"]
    low, high = base["ci95"]
    interval = f" (95% CI {low:.1f}–{high:.1f})" if low is not None else ""
    allocation = advice.get("allocation")
    stopped = sum(1 for row in advice["candidates"] if row.get("stopped"))
    spent = (
        f" ({stopped} stopped early, clearly out of the running: {allocation['runs']:,} runs of "
        f"{allocation['runs_without_stopping']:,})"
        if allocation and stopped
        else ""
    )
    return (
        f"{tried} change{'s' if tried != 1 else ''} simulated against the base, up to "
        f"{advice['replications']} replications each{spent}, seed {advice['seed']}. Base readiness "
        f"{base['score']:.1f}{interval}, rated {base['rating']}."
    )


# ── Terminal ─────────────────────────────────────────────────────────────────────────────────────────


def print_advice(advice: dict[str, Any], console: Console, *, top: int, show_all: bool) -> None:
    """The recommended changes (the best ``top``), the combinations, what to apply, the rest (every one
    with ``show_all``, else how many), and why each shown change was tried."""
    console.print(
        f"[bold]Advice for {escape(advice['scenario'])}[/] ({escape(advice['scenario_file'])}): "
        + _header(advice)
    )
    console.print(RULE)
    recommended = [row for row in advice["candidates"] if row["recommended"]]
    shown = recommended[:top]
    if recommended:
        console.print(_table("Recommended changes, largest readiness gain first", shown, ranked=True))
        if len(recommended) > top:
            console.print(f"{len(recommended) - top} more recommended (--top {len(recommended)} shows them).")
    else:
        console.print(
            "[yellow]No change tried gains readiness beyond noise with "
            f"{advice['replications']} replications: nothing is recommended.[/] More replications (-n) "
            "narrow the intervals; --all lists what was tried."
        )
    if advice["combinations"]:
        console.print(_table("The best tried together", advice["combinations"], ranked=False))
    rest = [row for row in advice["candidates"] if not row["recommended"]]
    if rest and show_all:
        console.print(_table("No measurable gain (never recommended)", rest, ranked=False))
        shown = [*shown, *rest]
    elif rest:
        console.print(
            f"{len(rest)} other change{'s' if len(rest) != 1 else ''} showed no measurable gain "
            "(--all lists them)."
        )
    reasons = {row["finding"]: row["because"] for row in shown}
    if reasons:
        console.print(
            "[bold]Why they were tried[/] (measured in the base's missed incidents, or estimated from the "
            "structure; the simulation decides):"
        )
        for key, because in reasons.items():
            console.print(f"  [bold]{escape(key)}[/]: {escape(because)}")
    for skipped in advice["skipped"]:
        console.print(f"[yellow]not tried[/]: {escape(skipped['title'])}: {escape(skipped['problem'])}")
    apply = advice["apply"]
    if apply is not None:
        console.print(
            f"[bold]To apply[/] {escape(apply['title'])} (readiness {gain(apply['readiness'])}), re-run it "
            "by hand with"
        )
        console.print(f"  {escape(compare_command(advice, apply['set']))}", soft_wrap=True)
        console.print(
            "or write it as an overrides file with --out FILE, for drillsim simulate --overrides FILE."
        )


def _table(title: str, rows: list[dict[str, Any]], *, ranked: bool) -> Table:
    table = Table(title=title, title_justify="left")
    if ranked:
        table.add_column("#", justify="right")
    table.add_column("change", ratio=3)
    table.add_column("readiness gain (95% CI)", justify="right", no_wrap=True)
    table.add_column("objectives and deadlines it moves", ratio=1)
    table.add_column("cost", ratio=2)
    for row in rows:
        source = f" [dim](from {escape(row['finding'])})[/]" if "finding" in row else ""
        if "added" in row:
            source = f"\n[dim]{escape(added_text(row))}[/]"
        if row.get("stopped"):
            source += f"\n[dim]{escape(row['stopped']['note'])}[/]"
        verdict = row["readiness"]["verdict"]
        moved = "\n".join(f"[{VERDICT_STYLES[v]}]{escape(text)}[/]" for text, v in moves(row)) or "—"
        table.add_row(
            *([str(row["rank"])] if ranked else []),
            escape(row["title"]) + source,
            f"[{VERDICT_STYLES[verdict]}]{gain(row['readiness'])}[/]",
            moved,
            escape(row["cost"]["words"]),
        )
    return table


# ── The readiness report ─────────────────────────────────────────────────────────────────────────────


def advice_section(doc: Document, advice: dict[str, Any]) -> None:
    """The "What to change" section of a run's readiness report, from its advice.json."""
    doc.heading("What to change")
    doc.paragraph(f"From drillsim advise: {_header(advice)} {RULE}")
    recommended = [row for row in advice["candidates"] if row["recommended"]]
    if not recommended:
        doc.paragraph(
            f"No change tried gains readiness beyond noise with {advice['replications']} replications: "
            "nothing is recommended."
        )
    else:
        doc.table(
            [
                "#",
                "change",
                "why it was tried",
                "readiness gain (95% CI)",
                "objectives and deadlines",
                "cost",
            ],
            [
                [
                    str(row["rank"]),
                    row["title"],
                    row["because"],
                    gain(row["readiness"]),
                    "; ".join(text for text, _ in moves(row)) or "—",
                    row["cost"]["words"],
                ]
                for row in recommended
            ],
            numeric={0, 3},
        )
    if advice["combinations"]:
        doc.paragraph("The best recommended changes that touch different places, tried together:")
        doc.table(
            ["together", "readiness gain (95% CI)", "objectives and deadlines", "cost"],
            [
                [
                    f"{row['title']} ({added_text(row)})",
                    gain(row["readiness"]),
                    "; ".join(text for text, _ in moves(row)) or "—",
                    row["cost"]["words"],
                ]
                for row in advice["combinations"]
            ],
            numeric={1},
        )
    apply = advice["apply"]
    if apply is not None:
        doc.paragraph(
            f"To apply: {apply['title']} (readiness {gain(apply['readiness'])}), these overrides — re-run by "
            f"hand with: {compare_command(advice, apply['set'])}"
        )
        doc.table(["path", "value"], [[path, flow_yaml(value)] for path, value in apply["overrides"].items()])
    rest = [row for row in advice["candidates"] if not row["recommended"]]
    if rest:
        doc.paragraph(f"Also tried, with no measurable gain: {'; '.join(row['title'] for row in rest)}.")
