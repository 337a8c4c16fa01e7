"""Simulation results as terminal tables (rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.report.branches import INJECT_HEADERS, TRIGGER_HEADERS, inject_rows, trigger_rows
from drillsim.report.labels import RATING_STYLES, RATING_WORDS, metric_label, share, share_interval
from drillsim.scenario.units import humanize
from drillsim.trend import CHANGED, FIRST, NO_INTERVAL, WITHIN_NOISE, Trend, trends


def rating_text(letter: str | None) -> str:
    return f"[bold {RATING_STYLES[letter]}]{letter}[/]" if letter else "—"


def print_simulation(summary: dict[str, Any], console: Console, scenario: str = "SCENARIO") -> None:
    """The run's tables; ``scenario`` is the scenario file as the commands suggested for a fix name it."""
    console.print(
        f"[bold]{summary['scenario']}[/]: {summary['replications']} replications, seed {summary['seed']}, "
        f"{summary['incidents_per_replication']} incidents per replication; times from detection. "
        "95% intervals are over replications; percentiles pool every incident."
    )
    readiness = summary["readiness"]
    if readiness["score"] is not None:
        low, high = readiness["ci95"]
        interval = f" (95% CI {low:.1f}–{high:.1f})" if low is not None else ""
        console.print(
            f"Readiness [bold]{readiness['score']:.1f}[/] / 100{interval}: "
            f"{rating_text(readiness['rating'])} "
            f"— {RATING_WORDS[readiness['rating']]}"
        )
        console.print(_objectives_table(summary["objectives"]))
        print_causes(summary, console, scenario)
    console.print(
        _metrics_table(
            "All incidents (mean with its 95% interval over replications; percentiles of "
            "all incidents pooled)",
            summary["metrics"],
        )
    )
    kinds = Table(
        title="By incident kind (median / 90th percentile; censored = not reached by the horizon)",
        title_justify="left",
    )
    for column in ("incident", "n", "acknowledge", "contain", "resolve", "censored (resolve)"):
        kinds.add_column(column, justify="left" if column == "incident" else "right")
    for kind, data in summary["incidents"].items():
        metrics = data["metrics"]
        resolve = metrics.get("time_to_resolve", {})
        total = resolve.get("n", 0) + resolve.get("censored", 0)
        kinds.add_row(
            kind,
            str(total),
            _median_p90(metrics.get("time_to_acknowledge")),
            _median_p90(metrics.get("time_to_contain")),
            _median_p90(resolve),
            f"{resolve.get('censored', 0) / total:.0%}" if total else "—",
        )
    console.print(kinds)
    if summary["deadlines"]:
        starting = any("starts" in data for data in summary["deadlines"].values())
        deadlines = Table(
            title="Regulatory deadlines (probability met, from "
            + ("each clock's start)" if starting else "awareness)"),
            title_justify="left",
        )
        columns = ["clock", "incidents", "met", "95% CI", "rating"]
        if starting:  # clocks that start at a task or a decision: when, and how often they never did
            columns[1:1] = ["starts at"]
            columns.append("not started")
        for column in columns:
            deadlines.add_column(column, justify="left" if column in ("clock", "starts at") else "right")
        for clock, data in summary["deadlines"].items():
            row = [
                clock,
                str(data["n"]),
                share(data["p_met"]),
                share_interval(data["ci95"]),
                rating_text(data["rating"]),
            ]
            if starting:
                row[1:1] = [data.get("starts", "detection")]
                row.append(str(data.get("not_started", "—")))
            deadlines.add_row(*row)
        console.print(deadlines)
    if "branches" in summary:
        print_branches(summary["branches"], console)
    breakdown = summary["time_breakdown"]
    console.print(
        "Where the time went, per incident: "
        + ", ".join(f"{part.replace('_', ' ')} {humanize(minutes)}" for part, minutes in breakdown.items())
        + f"; {summary['pages_per_incident']:.1f} pages and {summary['escalations_per_incident']:.2f} "
        "escalations per incident"
    )


def print_branches(branches: dict[str, Any], console: Console) -> None:
    """Branch probabilities: how often each trigger fired and each conditional inject was released."""
    for title, headers, rows, words in (
        (
            "Branch probabilities: triggers (95% intervals over replications)",
            TRIGGER_HEADERS,
            trigger_rows,
            2,
        ),
        ("Branch probabilities: conditional injects", INJECT_HEADERS, inject_rows, 3),
    ):
        found = rows(branches)
        if not found:
            continue
        table = Table(title=title, title_justify="left")
        for i, header in enumerate(headers):
            table.add_column(header, justify="left" if i < words else "right")
        for row in found:
            table.add_row(*(escape(cell) for cell in row))
        console.print(table)


def print_causes(summary: dict[str, Any], console: Console, scenario: str) -> None:
    """ "Why objectives were missed": for each objective below its target, where the time went in the
    incidents that missed it, its largest causes and the command that tests a fix (nothing when every
    objective is rated P)."""
    from drillsim.report.causes import advise_line, cause_line, fix_command, headline, missed_objectives, told

    missed = missed_objectives(summary)
    if not missed:
        return
    console.print(
        "[bold]Why objectives were missed[/] (time measured in the incidents that missed each objective, "
        "from detection; the parts add up to it; hours of the day in "
        f"{escape(summary['causes']['timezone'])} time)"
    )
    for objective in missed:
        console.print(escape(headline(objective, summary)), highlight=False)
        for cause in told(objective):
            console.print("  · " + escape(cause_line(cause)), highlight=False)
            console.print(
                "      [dim]test a fix:[/] " + escape(fix_command(cause, scenario)), highlight=False
            )
    console.print(escape(advise_line(scenario)), highlight=False)


def _objectives_table(objectives: list[dict[str, Any]]) -> Table:
    table = Table(
        title="Objectives (share of incidents meeting the target; not reached counts as missed)",
        title_justify="left",
    )
    for column in ("objective", "metric", "target", "incidents", "met", "95% CI", "rating"):
        table.add_column(column, justify="left" if column in ("objective", "metric") else "right")
    for o in objectives:
        table.add_row(
            o["id"],
            metric_label(o["metric"]),
            humanize(o["target"]),
            str(o["n"]),
            share(o["p_met"]),
            share_interval(o["ci95"]),
            rating_text(o["rating"]),
        )
    return table


def _metrics_table(title: str, metrics: dict[str, Any]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    for column in ("n", "censored", "mean", "95% CI of mean", "p50", "p90", "p95", "max"):
        table.add_column(column, justify="right")
    for name, s in metrics.items():
        low, high = s["ci95"]
        table.add_row(
            metric_label(name),
            str(s["n"]),
            str(s["censored"]),
            humanize(s["mean"]),
            f"{humanize(low)} – {humanize(high)}" if low is not None else "—",
            humanize(s["p50"]),
            humanize(s["p90"]),
            humanize(s["p95"]),
            humanize(s["max"]),
        )
    return table


def _median_p90(stats: dict[str, Any] | None) -> str:
    if not stats or not stats.get("n"):
        return "—"
    return f"{humanize(stats['p50'])} / {humanize(stats['p90'])}"


VERDICT_STYLES = {"better": "green", "worse": "red", "no significant difference": "dim"}


def _compared_value(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    if key == "readiness":
        return f"{value:.1f}"
    if key.startswith(("objective:", "deadline:")):
        return f"{value:.1%}"
    return humanize(abs(value))


def signed_difference(key: str, value: float | None) -> str:
    """A compared measure's difference as it reads: readiness ``+2.5``, a share ``−3.0 pts``, a time
    ``+4m``."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    if key == "readiness":
        return f"{sign}{abs(value):.1f}"
    if key.startswith(("objective:", "deadline:")):
        return f"{sign}{abs(value) * 100:.1f} pts"
    return f"{sign}{humanize(abs(value))}"


def _compared_label(key: str) -> str:
    if key == "readiness":
        return "[bold]readiness (0–100)[/]"
    kind, _, name = key.partition(":")
    if kind == "metric":
        return metric_label(name) + " (restricted mean)"
    return f"{kind} {name}"


def print_comparison(result: dict[str, Any], console: Console) -> None:
    crn = "common random numbers" if result["common_random_numbers"] else "independent seeds"
    console.print(
        f"Base [bold]{escape(result['base'])}[/]: {result['replications']} paired replications, seed "
        f"{result['seed']}, {crn}. Differences are variant − base with 95% intervals."
    )
    for variant in result["variants"]:
        table = Table(title=f"Variant: {escape(variant['name'])}", title_justify="left")
        for column in ("measure", "base", "variant", "difference", "95% CI", "verdict"):
            table.add_column(column, justify="left" if column in ("measure", "verdict") else "right")
        for key, row in variant["results"].items():
            low, high = row["ci95"]
            style = VERDICT_STYLES[row["verdict"]]
            table.add_row(
                _compared_label(key),
                _compared_value(key, row["base"]),
                _compared_value(key, row["variant"]),
                signed_difference(key, row["difference"]),
                f"{signed_difference(key, low)} … {signed_difference(key, high)}",
                f"[{style}]{row['verdict']}[/]",
            )
        console.print(table)


def print_sweep(
    rows: list[dict[str, Any]], axes: list[Any], replications: int, seed: int, console: Console
) -> None:
    """The sweep's rows, best readiness first, each with its paired difference from the best."""
    table = Table(
        title=f"Sweep: {replications} replications per combination, seed {seed}, common random numbers; "
        "best readiness first (90th percentiles of the key times, pooled over incidents)",
        title_justify="left",
    )
    headers = short_paths([axis.path for axis in axes])
    for header in headers:
        table.add_column(escape(header), overflow="fold", min_width=min(len(header), 40))
    for column in ("readiness", "95% CI", "rating", "vs best (95% CI)"):
        table.add_column(column, justify="right", no_wrap=True)
    for column in ("ack p90", "contain p90", "resolve p90"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in rows:
        readiness = row["readiness"]
        low, high = readiness["ci95"]
        table.add_row(
            *(escape(row[axis.path]) for axis in axes),
            f"{readiness['score']:.1f}" if readiness["score"] is not None else "—",
            f"{low:.1f}–{high:.1f}" if low is not None else "—",
            rating_text(readiness["rating"]),
            _versus_best(row["vs_best"]),
            *(humanize(row["p90"][m]) for m in ("time_to_acknowledge", "time_to_contain", "time_to_resolve")),
        )
    console.print(table)
    shortened = [
        f"{header} = {axis.path}" for header, axis in zip(headers, axes, strict=True) if header != axis.path
    ]
    if shortened:
        console.print("Columns: " + "; ".join(escape(line) for line in shortened))
    tied = sum(1 for row in rows if row["vs_best"]["verdict"] == "not distinguishable")
    if tied:
        console.print(
            f"{tied} combination(s) cannot be told apart from the best with {replications} replications "
            "(their paired interval includes 0): their order is not a ranking. More replications (-n) "
            "may separate them."
        )


def short_paths(paths: list[str]) -> list[str]:
    """The shortest dotted suffix of each override path that still tells the paths apart
    (``escalation.sev1.levels[0].timeout`` → ``levels[0].timeout``), for column headers."""
    parts = [path.split(".") for path in paths]
    shortest = []
    for own in parts:
        for take in range(1, len(own) + 1):
            suffix = own[-take:]
            if take == len(own) or (sum(other[-take:] == suffix for other in parts) == 1 and take > 1):
                break
        shortest.append(".".join(suffix))
    return shortest


def _versus_best(versus: dict[str, Any]) -> str:
    if versus["verdict"] == "best":
        return "[bold]best[/]"
    low, high = versus["ci95"]
    if versus["difference"] is None:
        return "—"
    interval = f" ({low:+.1f} … {high:+.1f})" if low is not None else ""
    style = "red" if versus["verdict"] == "worse" else "dim"
    word = "worse" if versus["verdict"] == "worse" else "≈ best"
    return f"[{style}]{versus['difference']:+.1f}{interval} {word}[/]"


def print_criticality(rows: list[dict[str, Any]], replications: int, console: Console) -> None:
    """The criticality ranking, then who ran fewer replications and why (grouped by reason)."""
    table = Table(
        title=f"Criticality: readiness with each person away for the whole scenario "
        f"(up to {replications} paired replications each), most critical first",
        title_justify="left",
    )
    for column in (
        "person",
        "roles",
        "readiness change",
        "95% CI",
        "verdict",
        "replications",
        "objectives hit hardest",
    ):
        numeric = column in ("readiness change", "95% CI", "replications")
        table.add_column(column, justify="right" if numeric else "left")
    for row in rows:
        low, high = row["ci95"]
        style = VERDICT_STYLES.get(row["verdict"], "dim")
        table.add_row(
            escape(row["name"]),
            escape(", ".join(row["roles"])),
            f"{row['readiness_change']:+.1f}",
            f"{low:+.1f} … {high:+.1f}",
            f"[{style}]{row['verdict']}[/]",
            f"{row['replications']:,}" if row["replications"] else "—",
            ", ".join(row["objectives_hit"]) or "—",
        )
    console.print(table)
    notes: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda r: r["replications"]):
        if row["note"]:
            notes.setdefault(row["note"], []).append(row["name"])
    for note, names in notes.items():
        console.print(f"[dim]{escape(note[0].upper() + note[1:])}: {escape(', '.join(names))}[/]")


TREND_STYLES = {CHANGED: "bold", WITHIN_NOISE: "dim", NO_INTERVAL: "dim", FIRST: "dim"}


def print_history(runs: list[Any], console: Console) -> None:
    """Simulations and drills as two tables (separate series), oldest first, each run with its
    replications, seed, readiness interval and the change since the previous run of its series."""
    if not runs:
        console.print(
            "No simulation or drill recorded yet: `drillsim simulate` and `drillsim drill` add to the "
            "history."
        )
        return
    found = trends(runs)
    for kind, title in (("simulation", "Simulations"), ("drill", "Live drills")):
        rows = [(run, trend) for run, trend in zip(runs, found, strict=True) if run.kind == kind]
        if not rows:
            continue
        table = Table(
            title=f"{title} (oldest first; change: readiness since the scenario's previous "
            f"{kind}, called a change only when beyond the two runs' intervals)",
            title_justify="left",
        )
        for column in (
            "when (UTC)",
            "scenario",
            "replications (seed)",
            "readiness",
            "95% CI",
            "rating",
            "change",
            "folder",
        ):
            table.add_column(
                column,
                justify="right" if column in ("replications (seed)", "readiness", "95% CI") else "left",
                no_wrap=column != "folder",
                overflow="fold",
                min_width=24 * (column == "folder"),
            )
        for run, trend in rows:
            interval = (
                f"{run.readiness_low:.1f}–{run.readiness_high:.1f}"
                if run.readiness_low is not None and run.readiness_high is not None
                else "—"
            )
            table.add_row(
                run.at.replace("T", " ")[:16],
                escape(run.scenario),
                f"{run.replications if run.replications is not None else '—'} ({run.seed})",
                f"{run.readiness:.1f}" if run.readiness is not None else "—",
                interval,
                rating_text(run.rating),
                _trend_text(trend),
                escape(run.folder),
            )
        console.print(table)


def _trend_text(trend: Trend) -> str:
    if trend.change is None:
        return "—"
    return f"[{TREND_STYLES[trend.verdict]}]{trend.change:+.1f} ({trend.verdict})[/]"


def print_due(rows: list[tuple[Any, str, float | None, str | None]], console: Console) -> None:
    """rows: (file, scenario id, cadence in minutes or None, last drill ISO time or None)."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    table = Table(
        title="Drills due (cadence from the scenario; last live drill from the history)", title_justify="left"
    )
    for column in ("scenario", "cadence", "last drill", "status", "file"):
        table.add_column(column)
    for path, scenario, cadence, last in rows:
        if cadence is None:
            status = "[dim]no cadence set[/]"
        elif last is None:
            status = "[red]due: never drilled[/]"
        else:
            age = (now - dt.datetime.fromisoformat(last)).total_seconds() / 60
            status = (
                f"[red]due: {humanize(age - cadence)} overdue[/]"
                if age > cadence
                else f"[green]in {humanize(cadence - age)}[/]"
            )
        table.add_row(
            scenario,
            humanize(cadence) if cadence else "—",
            (last or "never").replace("T", " "),
            status,
            str(path),
        )
    console.print(table)
