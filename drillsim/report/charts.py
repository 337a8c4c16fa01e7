"""Charts for reports, drawn with matplotlib and returned as inline SVG text."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported: draw to files, never to a screen
import matplotlib.pyplot as plt
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, LinearSegmentedColormap, ListedColormap, Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, PercentFormatter

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
    """The escalation graph in columns (policies → levels → what they page); ``edges`` are
    (from, to, kind) with kind 'escalates' or 'pages'."""
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
    styles = {"escalates": (BLUE, "-"), "pages": (GREY, "-")}
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
    axes.set_xlim(-0.45, max(columns.values(), default=0) + 0.45)  # room for the outer columns' labels
    axes.set_axis_off()
    return _svg(figure)


Grid = Sequence[Sequence[float | None]]  # 7 days (Monday first) × 24 hours
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NO_HOUR = "#d9dee7"  # a cell with no time: an hour the clocks skip in the window
ACK_BANDS = (0.0, 0.2, 0.5, 0.8, 0.95, 1.0)  # the terminal's shades (report.coverage.ACK_SHADES) too
ACK_COLOURS = (RED, "#ef6c00", "#f9a825", "#9ccc65", GREEN)


def _week_figure(panels: int, bars: int) -> tuple[Figure, list[Any], list[Any]]:
    """A figure of ``panels`` week panels stacked, then a row for one colour bar (centred) or two
    (side by side)."""
    figure = plt.figure(figsize=(8.5, 1.9 * panels + 0.75), layout=ConstrainedLayoutEngine(h_pad=0.06))
    grid = figure.add_gridspec(panels + 1, 4, height_ratios=[1.0] * panels + [0.07])
    axes = [figure.add_subplot(grid[row, :]) for row in range(panels)]
    columns = [slice(1, 3)] if bars == 1 else [slice(0, 2), slice(2, 4)]
    return figure, axes, [figure.add_subplot(grid[panels, column]) for column in columns]


def _week_axes(axes: Any, title: str, timezone: str) -> None:
    """Label a 7 × 24 image as a week: days down, hours across (every third hour, at the cells'
    edges), thin white lines between cells."""
    axes.set_yticks(range(7), DAYS)
    axes.set_xticks([h - 0.5 for h in range(0, 25, 3)], [f"{h:02d}:00" for h in range(0, 25, 3)])
    axes.set_xticks([x - 0.5 for x in range(1, 24)], minor=True)
    axes.set_yticks([y - 0.5 for y in range(1, 7)], minor=True)
    axes.grid(which="minor", color="white", linewidth=0.6)
    axes.tick_params(which="minor", length=0)
    axes.tick_params(labelsize=7)
    for side in ("top", "right", "bottom", "left"):
        axes.spines[side].set_visible(False)
    axes.set_xlabel(f"hour of the day ({timezone} time)", fontsize=7)
    axes.set_title(title, loc="left", fontsize=9)


def _scale_bar(figure: Figure, cax: Any, mappable: ScalarMappable, label: str, **options: Any) -> Any:
    bar = figure.colorbar(mappable, cax=cax, orientation="horizontal", **options)
    bar.set_label(label, fontsize=8)
    bar.ax.tick_params(labelsize=7)
    return bar


def _mix(gap: float | None, off_duty: float | None) -> tuple[float, float, float]:
    """A cell's colour: white, red and amber in the shares of the hour on duty, in a gap, off duty."""
    if gap is None or off_duty is None:
        return to_rgb(NO_HOUR)
    red, amber = to_rgb(RED), to_rgb(AMBER)
    rest = max(0.0, 1.0 - gap - off_duty)
    return (
        rest + gap * red[0] + off_duty * amber[0],
        rest + gap * red[1] + off_duty * amber[1],
        rest + gap * red[2] + off_duty * amber[2],
    )


def coverage_week(levels: Sequence[tuple[str, Grid, Grid]], timezone: str) -> str:
    """Escalation levels' typical weeks, one panel per level ``(title, gap, off_duty)``: each hour
    white where someone on duty is paged, red for the share of it nobody is paged, amber for the share
    only people off duty are; two colour bars give the scale."""
    figure, panels, scales = _week_figure(len(levels), bars=2)
    for (title, gap, off_duty), axes in zip(levels, panels, strict=True):
        image = [
            [_mix(g, o) for g, o in zip(gap_row, off_row, strict=True)]
            for gap_row, off_row in zip(gap, off_duty, strict=True)
        ]
        axes.imshow(image, aspect="auto", interpolation="nearest")
        _week_axes(axes, title, timezone)
    for cax, colour, label in (
        (scales[0], RED, "red: share of the hour nobody is paged (a gap)"),
        (scales[1], AMBER, "amber: share of the hour only people off duty are paged"),
    ):
        scale = ScalarMappable(Normalize(0, 1), LinearSegmentedColormap.from_list(label, ["white", colour]))
        bar = _scale_bar(figure, cax, scale, label)
        bar.ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    return _svg(figure)


def acknowledgement_week(panels: Sequence[tuple[str, Grid]], timezone: str, scale_label: str) -> str:
    """Chances that a page sent at each hour of the week is acknowledged in time, one panel per
    ``(title, shares)``, in five bands (under 20%, 20–50%, 50–80%, 80–95%, 95% or more) from red to
    green; hours with no value are grey."""
    figure, axes_list, (cax,) = _week_figure(len(panels), bars=1)
    colours = ListedColormap(list(ACK_COLOURS)).with_extremes(bad=NO_HOUR)
    norm = BoundaryNorm(ACK_BANDS, colours.N)
    for (title, shares), axes in zip(panels, axes_list, strict=True):
        values = [[float("nan") if v is None else v for v in row] for row in shares]
        axes.imshow(values, aspect="auto", interpolation="nearest", cmap=colours, norm=norm)
        _week_axes(axes, title, timezone)
    bar = _scale_bar(figure, cax, ScalarMappable(norm, colours), scale_label, spacing="uniform")
    bar.set_ticks(ACK_BANDS, labels=[f"{b:.0%}" for b in ACK_BANDS])
    return _svg(figure)


PART_COLOURS = {  # the time_breakdown chart's colours, and green for detection
    "waiting_for_detection": GREEN,
    "waiting_for_ack": AMBER,
    "waiting_for_responder": RED,
    "waiting_for_authority": GREY,
    "working": BLUE,
}


def missed_time(rows: Sequence[tuple[str, dict[str, float], str]], labels: dict[str, str]) -> str:
    """Where the time went in the incidents that missed each objective: one stacked bar per objective
    ``(label, {part: share of its missed time}, note)``, parts in ``labels`` order and named by them,
    shares written on the wider segments and ``note`` (the mean time) after the bar."""
    figure, axes = plt.subplots(figsize=(6.4, 0.5 * len(rows) + 1.1))
    names = [label for label, _, _ in rows]
    for part, name in labels.items():
        lefts = [
            sum(shares.get(p, 0.0) for p in list(labels)[: list(labels).index(part)]) for _, shares, _ in rows
        ]
        widths = [shares.get(part, 0.0) for _, shares, _ in rows]
        if not any(widths):
            continue
        axes.barh(names, widths, left=lefts, color=PART_COLOURS.get(part, GREY), label=name)
        for index, (left, width) in enumerate(zip(lefts, widths, strict=True)):
            if width >= 0.08:
                axes.annotate(
                    f"{width:.0%}",
                    (left + width / 2, index),
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=7,
                )
    for index, (_, _, note) in enumerate(rows):
        axes.annotate(note, (1.0, index), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7)
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlabel("share of the time measured in the incidents that missed the objective")
    axes.invert_yaxis()
    axes.legend(ncol=4, fontsize=7, loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False)
    return _svg(figure)
