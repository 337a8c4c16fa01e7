"""Simulation results as terminal tables (rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from drillsim.scenario.units import humanize

METRIC_LABELS = {
    "time_to_detect": "detect (from occurrence)",
    "time_to_acknowledge": "acknowledge",
    "time_to_engage": "engage (first task)",
    "time_to_mobilize": "mobilize (all responders)",
    "time_to_authority": "authority decision",
    "time_to_contain": "contain",
    "time_to_resolve": "resolve",
}


def metric_label(name: str) -> str:
    if name.startswith("time_to_notify:"):
        return "notify " + name.split(":", 1)[1]
    return METRIC_LABELS.get(name, name)


def print_simulation(summary: dict[str, Any], console: Console) -> None:
    console.print(f"[bold]{summary['scenario']}[/]: {summary['replications']} replications, seed {summary['seed']}, "
                  f"{summary['incidents_per_replication']} incidents per replication; times from detection")
    console.print(_metrics_table("All incidents", summary["metrics"]))
    kinds = Table(title="By incident kind (median / 90th percentile; censored = not reached by the horizon)",
                  title_justify="left")
    for column in ("incident", "n", "acknowledge", "contain", "resolve", "censored (resolve)"):
        kinds.add_column(column, justify="left" if column == "incident" else "right")
    for kind, data in summary["incidents"].items():
        metrics = data["metrics"]
        resolve = metrics.get("time_to_resolve", {})
        total = resolve.get("n", 0) + resolve.get("censored", 0)
        kinds.add_row(kind, str(total), _median_p90(metrics.get("time_to_acknowledge")),
                      _median_p90(metrics.get("time_to_contain")), _median_p90(resolve),
                      f"{resolve.get('censored', 0) / total:.0%}" if total else "—")
    console.print(kinds)
    if summary["deadlines"]:
        deadlines = Table(title="Regulatory deadlines (probability met, from awareness)", title_justify="left")
        deadlines.add_column("clock")
        deadlines.add_column("incidents", justify="right")
        deadlines.add_column("met", justify="right")
        for clock, data in summary["deadlines"].items():
            p_met = data["p_met"]
            style = "green" if p_met is not None and p_met >= 0.9 else "yellow" if p_met and p_met >= 0.5 else "red"
            deadlines.add_row(clock, str(data["n"]), f"[{style}]{p_met:.1%}[/]" if p_met is not None else "—")
        console.print(deadlines)
    breakdown = summary["time_breakdown"]
    console.print("Where the time went, per incident: "
                  + ", ".join(f"{part.replace('_', ' ')} {humanize(minutes)}" for part, minutes in breakdown.items())
                  + f"; {summary['pages_per_incident']} pages and {summary['escalations_per_incident']} "
                  "escalations per incident")


def _metrics_table(title: str, metrics: dict[str, Any]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    for column in ("n", "censored", "mean", "95% CI of mean", "p50", "p90", "p95", "max"):
        table.add_column(column, justify="right")
    for name, s in metrics.items():
        low, high = s["ci95"]
        table.add_row(metric_label(name), str(s["n"]), str(s["censored"]), humanize(s["mean"]),
                      f"{humanize(low)} – {humanize(high)}" if low is not None else "—",
                      humanize(s["p50"]), humanize(s["p90"]), humanize(s["p95"]), humanize(s["max"]))
    return table


def _median_p90(stats: dict[str, Any] | None) -> str:
    if not stats or not stats.get("n"):
        return "—"
    return f"{humanize(stats['p50'])} / {humanize(stats['p90'])}"
