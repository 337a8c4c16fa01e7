"""Charts for reports, drawn with matplotlib and returned as inline SVG text."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported: draw to files, never to a screen
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from drillsim.report.labels import share
from drillsim.scenario.units import humanize

plt.rcParams.update(
    {"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
)
BLUE, RED, GREEN, GREY, AMBER = "#3366aa", "#c62828", "#2e7d32", "#8a94a6", "#b26a00"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def time_unit(largest: float) -> tuple[float, str]:
    """A readable unit for times up to ``largest`` minutes: (minutes per unit, its name)."""
    if largest > 3 * 1440:
        return 1440.0, "days"
    if largest > 180:
        return 60.0, "hours"
    return 1.0, "minutes"


def distribution(
    values: Sequence[float],
    censored: int,
    title: str,
    targets: Sequence[tuple[str, float]] = (),
    live: float | None = None,
) -> str:
    """A histogram of a metric's observed values (minutes), its targets as lines and, for a drill, the
    live time as a marker. Censored runs are counted in the title, not drawn."""
    figure, axes = plt.subplots(figsize=(6.4, 2.4))
    drawn = sorted(values)
    beyond = 0
    if len(drawn) >= 20:  # a long tail would squash the rest: draw to a little past the 95th percentile
        limit = max(
            drawn[int(0.95 * (len(drawn) - 1))] * 1.5, *(t * 1.2 for _, t in targets), (live or 0.0) * 1.2
        )
        beyond = sum(1 for v in drawn if v > limit)
        drawn = [v for v in drawn if v <= limit]
    values = drawn
    largest = max([*values, *(t for _, t in targets), live or 0.0, 1.0])
    scale, unit = time_unit(largest)
    if values:
        axes.hist([v / scale for v in values], bins=40, color=BLUE, alpha=0.75)
    for label, target in targets:
        axes.axvline(target / scale, color=RED, linestyle="--", linewidth=1.2)
        axes.annotate(
            f"target {label}",
            (target / scale, axes.get_ylim()[1] * 0.92),
            color=RED,
            fontsize=8,
            xytext=(3, 0),
            textcoords="offset points",
        )
    if live is not None:
        axes.axvline(live / scale, color=GREEN, linewidth=2.2)
        axes.annotate(
            "live",
            (live / scale, axes.get_ylim()[1] * 0.75),
            color=GREEN,
            fontsize=8,
            fontweight="bold",
            xytext=(3, 0),
            textcoords="offset points",
        )
    axes.set_xlabel(unit)
    axes.set_ylabel("incidents")
    total = len(values) + beyond + censored
    suffix = f" — {censored} of {total} not reached by the horizon" if censored else ""
    suffix += f"; {beyond} longer, not drawn" if beyond else ""
    axes.set_title(title + suffix, loc="left", fontsize=10)
    return _svg(figure)


def deadline_risk(deadlines: dict[str, float], threshold: float = 0.9) -> str:
    """Probability each regulatory clock is met, as horizontal bars with the P threshold."""
    clocks = list(deadlines)
    figure, axes = plt.subplots(figsize=(6.4, 0.45 * len(clocks) + 0.9))
    colours = [GREEN if deadlines[c] >= threshold else AMBER if deadlines[c] >= 0.5 else RED for c in clocks]
    axes.barh(clocks, [deadlines[c] for c in clocks], color=colours)
    axes.axvline(threshold, color=GREY, linestyle=":", linewidth=1)
    axes.set_xlim(0, 1)
    axes.set_xlabel("probability the deadline is met")
    axes.invert_yaxis()
    for index, clock in enumerate(clocks):
        axes.annotate(
            share(deadlines[clock]),
            (deadlines[clock], index),
            xytext=(3, -3),
            textcoords="offset points",
            fontsize=8,
        )
    return _svg(figure)


def time_breakdown(parts: dict[str, float], unit: tuple[float, str]) -> str:
    """Where the time went per incident, as one stacked bar in ``unit`` (from :func:`time_unit`)."""
    scale, name = unit
    figure, axes = plt.subplots(figsize=(6.4, 1.3))
    left = 0.0
    for (part, minutes), colour in zip(parts.items(), (AMBER, RED, GREY, BLUE), strict=False):
        axes.barh([0], [minutes / scale], left=[left], color=colour, label=part.replace("_", " "))
        left += minutes / scale
    axes.set_yticks([])
    axes.set_xlabel(f"{name} per incident (tasks in parallel each add their working time)")
    axes.legend(ncol=4, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.55), frameon=False)
    return _svg(figure)


def survival_fit(
    observed: tuple[Sequence[float], Sequence[float], Sequence[float], Sequence[float]],
    model: tuple[Sequence[float], Sequence[float]],
    title: str,
) -> str:
    """The share of pages answered by each time, on a log time axis: ``observed`` as Kaplan–Meier steps
    ``(times, answered share, low, high)`` with its 95% band, and the fitted ``model`` ``(times,
    answered share)`` as a line. Censored pages are in the steps, not drawn."""
    times, share, low, high = observed
    figure, axes = plt.subplots(figsize=(6.4, 2.6))
    x = [min(times) * 0.8, *times]
    axes.fill_between(x, [0.0, *low], [0.0, *high], step="post", color=BLUE, alpha=0.18, linewidth=0)
    axes.step(
        x, [0.0, *share], where="post", color=BLUE, linewidth=1.4, label="observed (Kaplan–Meier, 95% band)"
    )
    axes.plot(*model, color=RED, linewidth=1.4, linestyle="--", label="fitted model")
    axes.set_xscale("log")
    first, last = x[0], max(model[0][-1] if len(model[0]) else x[-1], x[-1])
    ticks = [t for t in (1 / 6, 0.5, 1, 2, 5, 10, 30, 60, 120, 240, 480, 1440, 2880) if first <= t <= last]
    axes.xaxis.set_major_locator(FixedLocator(ticks))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: humanize(value)))
    axes.xaxis.set_minor_formatter(NullFormatter())
    axes.set_ylim(0, 1)
    axes.set_xlabel("time after the page (log scale)")
    axes.set_ylabel("answered by then")
    axes.legend(fontsize=7, frameon=False, loc="upper left")
    axes.set_title(title, loc="left", fontsize=10)
    return _svg(figure)


def readiness_trend(
    simulations: Sequence[tuple[int, float, float | None, float | None]],
    drills: Sequence[tuple[int, float]],
    labels: Sequence[str],
) -> str:
    """Readiness over the recorded runs, oldest first, ``labels`` naming every run on the x axis.
    Simulations ``(position, score, low, high)`` are one line with their 95% intervals; drills
    ``(position, score)`` are separate markers: a drill and a simulation are not one series."""
    figure, axes = plt.subplots(figsize=(6.4, 2.4))
    if simulations:
        x = [p for p, *_ in simulations]
        y = [score for _, score, _, _ in simulations]
        below = [score - low if low is not None else 0.0 for _, score, low, _ in simulations]
        above = [high - score if high is not None else 0.0 for _, score, _, high in simulations]
        axes.errorbar(
            x, y, yerr=[below, above], marker="o", color=BLUE, capsize=3, label="simulations (95% interval)"
        )
    if drills:
        axes.plot(
            [p for p, _ in drills],
            [score for _, score in drills],
            linestyle="none",
            marker="D",
            color=GREEN,
            label="live drills",
        )
    axes.set_xticks(range(len(labels)), labels)
    axes.set_ylim(0, 100)
    axes.set_ylabel("readiness")
    axes.tick_params(axis="x", labelrotation=30, labelsize=7)
    axes.legend(fontsize=7, frameon=False, loc="lower left")
    return _svg(figure)


def escalation_graph(edges: Sequence[tuple[str, str, str]], columns: dict[str, int]) -> str:
    """The escalation graph in columns (policy → levels → people → managers); ``edges`` are
    (from, to, kind) with kind 'escalates', 'pages' or 'reports_to'."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(columns)
    graph.add_edges_from((a, b, {"kind": k}) for a, b, k in edges)
    rows: dict[int, list[str]] = {}
    for node, column in columns.items():  # in the order given: policies and their levels stay together
        rows.setdefault(column, []).append(node)
    tallest = max(len(r) for r in rows.values())
    positions = {
        node: (
            column * 1.0,
            (tallest - 1) / 2 - index * (tallest - 1) / max(len(nodes) - 1, 1) + 0.0
            if len(nodes) > 1
            else 0.0,
        )
        for column, nodes in rows.items()
        for index, node in enumerate(nodes)
    }
    height = max(3.0, 0.22 * tallest)
    figure, axes = plt.subplots(figsize=(9.5, height))
    styles = {"escalates": (BLUE, "-"), "pages": (GREY, "-"), "reports_to": (AMBER, ":")}
    for kind, (colour, style) in styles.items():
        nx.draw_networkx_edges(
            graph,
            positions,
            ax=axes,
            edgelist=[(a, b) for a, b, k in edges if k == kind],
            edge_color=colour,
            style=style,
            arrows=True,
            arrowsize=6,
            width=0.8,
        )
    nx.draw_networkx_labels(
        graph,
        positions,
        ax=axes,
        font_size=6,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#d9dee7", "lw": 0.5},
    )
    axes.set_axis_off()
    return _svg(figure)
