"""Escalation-structure analysis: worst-case reach times, single points of failure, paging load, and the
escalation graph as Mermaid or DOT.

Pure analysis of a scenario's organisation and playbooks: nothing is simulated, nobody's reachability
or acknowledgement delay is used. Times are minutes, as everywhere in drillsim.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeVar

import networkx as nx
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from drillsim.scenario.graph import escalation_graph
from drillsim.scenario.incidents import Task
from drillsim.scenario.model import Scenario
from drillsim.scenario.organisation import (
    delegation_timeouts,
    SEVERITIES,
    EscalationPolicy,
    Level,
    Organisation,
    RoleTarget,
    people_for,
    select_policy,
)
from drillsim.scenario.units import format_duration, humanize

# Not a valid id, so no policy can name it: select_policy matches it by severity or catch-all only.
_UNNAMED = "(an incident no policy names)"

K = TypeVar("K", bound=Hashable)
ReachKind = Literal["severity", "incident", "decision"]
LossKind = Literal["decision", "role", "skill", "policy"]


@dataclass(frozen=True)
class Step:
    """One level of a policy, or one tier of a decision (the holders of one role, in delegation order)."""

    label: str  # "level N", or the tier's role
    timeout: float  # minutes waited for an acknowledgement before the next step
    reached_after: float  # worst case: minutes from the first page until this step is paged
    pages: tuple[str, ...]  # person ids it may page; on_call and round_robin targets: every member


@dataclass(frozen=True)
class Reach:
    """How an escalation runs when nobody answers, for one severity, incident kind or decision.

    ``policy`` is None when no policy serves the subject (``unserved`` says why); there are then no
    steps and no times. ``last_step_after`` is the worst-case time to page the last step (every
    earlier step unanswered); ``no_answer_after`` is when the policy is exhausted, every step timed
    out ``repeat + 1`` times.
    """

    kind: ReachKind
    subject: str  # a severity, an incident kind, or an authority id
    incident: str | None  # for a decision: the incident kind asking for it
    policy: str | None
    unserved: str | None
    repeat: int
    hops: int
    steps: tuple[Step, ...]
    last_step_after: float | None
    no_answer_after: float | None


@dataclass(frozen=True)
class Loss:
    """Something left with nobody while one person is away."""

    kind: LossKind
    id: str
    needed_by: tuple[str, ...]  # tasks ("INCIDENT/TASK"); a policy: the severities and incidents it serves


@dataclass(frozen=True)
class SinglePoint:
    """A person whose absence leaves ``losses`` with nobody."""

    person: str
    name: str
    losses: tuple[Loss, ...]


@dataclass(frozen=True)
class SoleRole:
    """A role that matters (a task needs it, a policy targets it, an authority lists it) held by one person."""

    role: str
    person: str
    used_by: tuple[str, ...]  # "task INCIDENT/TASK", "policy ID level N", "authority ID"


@dataclass(frozen=True)
class Load:
    """The policies that can page a person, and the teams whose on-call rotation they are on."""

    person: str
    name: str
    policies: tuple[str, ...]
    rotations: tuple[str, ...]


@dataclass(frozen=True)
class StructureReport:
    """Everything ``analyse`` finds. Sequences are in a fixed order, so equal scenarios give equal reports.

    ``reach``: severities sev1..sev4, then incident kinds, then decisions (per incident kind, in
    playbook order). ``single_points``: people with at least one loss, most losses first.
    ``sole_roles``: by role. ``load``: everyone who can be paged or is on a rotation, busiest first.
    """

    scenario: str
    organisation: str
    reach: tuple[Reach, ...]
    single_points: tuple[SinglePoint, ...]
    sole_roles: tuple[SoleRole, ...]
    load: tuple[Load, ...]
    mermaid: str
    dot: str

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON values (lists, not tuples), so it equals its own JSON round trip."""
        return _plain(asdict(self))


def analyse(scenario: Scenario) -> StructureReport:
    """The escalation structure of ``scenario``: reach times, single points of failure, load, graph."""
    org = scenario.organisation
    reach = _reach_all(scenario)
    graph = escalation_graph(org)
    return StructureReport(
        scenario=scenario.id,
        organisation=org.id,
        reach=reach,
        single_points=_single_points(scenario, reach),
        sole_roles=_sole_roles(scenario),
        load=_load(org),
        mermaid=mermaid(graph),
        dot=dot(graph),
    )


# ── Reach times ──────────────────────────────────────────────────────────────────────────────────────


def _level_pages(org: Organisation, level: Level) -> tuple[str, ...]:
    """Everyone a level may page, in target order, each once."""
    return tuple(dict.fromkeys(p for target in level.targets for p in people_for(org, target)))


def _reach_all(scenario: Scenario) -> tuple[Reach, ...]:
    org = scenario.organisation
    by_severity = [_policy_reach(org, "severity", sev, None, *_severity_policy(org, sev))
                   for sev in SEVERITIES]
    by_incident = [_policy_reach(org, "incident", iid, None, *select_policy(org, iid, incident.severity))
                   for iid, incident in scenario.incidents.items()]
    by_decision = [_decision_reach(org, iid, aid, *select_policy(org, iid, incident.severity))
                   for iid, incident in scenario.incidents.items()
                   for aid in dict.fromkeys(t.decision for t in incident.playbook.values() if t.decision)]
    return (*by_severity, *by_incident, *by_decision)


def _severity_policy(org: Organisation, severity: str) -> tuple[str | None, str | None]:
    """The policy serving an incident of ``severity`` that no policy names, or (None, why not)."""
    policy_id, why = select_policy(org, _UNNAMED, severity)
    if why is not None:
        why = why.replace(f"incident '{_UNNAMED}' ({severity})", f"a {severity} incident")
        why = why.replace(f"'{_UNNAMED}' ({severity})", f"{severity} incidents")
    return policy_id, why


def _policy_reach(org: Organisation, kind: ReachKind, subject: str, incident: str | None,
                  policy_id: str | None, unserved: str | None) -> Reach:
    if policy_id is None:
        return _unserved(kind, subject, incident, unserved)
    policy = org.escalation[policy_id]
    steps = [(f"level {i + 1}", level.timeout, _level_pages(org, level))
             for i, level in enumerate(policy.levels)]
    return _reach(kind, subject, incident, policy_id, policy, steps)


def _decision_reach(org: Organisation, incident: str, authority: str, policy_id: str | None,
                    unserved: str | None) -> Reach:
    """Tier i pages the holders of the authority's i-th role and waits the policy's level i timeout
    (the last level's beyond), as the simulator does."""
    if policy_id is None:
        return _unserved("decision", authority, incident, unserved)
    policy = org.escalation[policy_id]
    roles = org.authorities[authority].roles
    steps = [(role, timeout, tuple(org.holders(role)))
             for role, timeout in zip(roles, delegation_timeouts(policy, len(roles)), strict=True)]
    return _reach("decision", authority, incident, policy_id, policy, steps)


def _reach(kind: ReachKind, subject: str, incident: str | None, policy_id: str, policy: EscalationPolicy,
           steps: list[tuple[str, float, tuple[str, ...]]]) -> Reach:
    built: list[Step] = []
    elapsed = 0.0
    for label, timeout, pages in steps:
        built.append(Step(label, timeout, elapsed, pages))
        elapsed += timeout
    return Reach(kind, subject, incident, policy_id, None, policy.repeat, len(built), tuple(built),
                 built[-1].reached_after, elapsed * (policy.repeat + 1))


def _unserved(kind: ReachKind, subject: str, incident: str | None, why: str | None) -> Reach:
    return Reach(kind, subject, incident, None, why, 0, 0, (), None, None)


# ── Single points of failure ─────────────────────────────────────────────────────────────────────────


def _single_points(scenario: Scenario, reach: tuple[Reach, ...]) -> tuple[SinglePoint, ...]:
    """People whose absence leaves something with nobody, most losses first, then by id."""
    org = scenario.organisation
    losses: dict[str, list[Loss]] = {pid: [] for pid in org.people}
    for person, loss in (*_decision_losses(scenario), *_need_losses(scenario), *_policy_losses(org, reach)):
        losses[person].append(loss)
    ranked = sorted((pid for pid in org.people if losses[pid]), key=lambda pid: (-len(losses[pid]), pid))
    return tuple(SinglePoint(pid, org.people[pid].name, tuple(losses[pid])) for pid in ranked)


def _decision_losses(scenario: Scenario) -> Iterable[tuple[str, Loss]]:
    org = scenario.organisation
    gated = _tasks_by(scenario, lambda task: task.decision)
    for aid in sorted(org.authorities):
        holders = {p for role in org.authorities[aid].roles for p in org.holders(role)}
        if len(holders) == 1:
            yield next(iter(holders)), Loss("decision", aid, gated.get(aid, ()))


def _need_losses(scenario: Scenario) -> Iterable[tuple[str, Loss]]:
    org = scenario.organisation
    needs = _tasks_by(scenario, _need)
    for kind, need in sorted(needs):
        holders = org.holders(need) if kind == "role" else org.with_skill(need)
        if len(holders) == 1:
            yield holders[0], Loss(kind, need, needs[kind, need])


def _need(task: Task) -> tuple[Literal["role", "skill"], str]:
    """What a task needs: ``("role", id)`` or ``("skill", id)`` (a task has exactly one of them)."""
    return ("role", task.role) if task.role is not None else ("skill", str(task.skill))


def _policy_losses(org: Organisation, reach: tuple[Reach, ...]) -> Iterable[tuple[str, Loss]]:
    """Policies whose every level pages only one person (so, without them, nobody)."""
    for pid in sorted(org.escalation):
        paged = {p for level in org.escalation[pid].levels for p in _level_pages(org, level)}
        if len(paged) == 1:
            served = tuple(r.subject for r in reach if r.kind != "decision" and r.policy == pid)
            yield next(iter(paged)), Loss("policy", pid, served)


def _tasks_by(scenario: Scenario, key: Callable[[Task], K | None]) -> dict[K, tuple[str, ...]]:
    """Tasks ("INCIDENT/TASK", in scenario order) grouped by ``key``; tasks keyed None are left out."""
    found: dict[K, list[str]] = {}
    for iid, incident in scenario.incidents.items():
        for tid, task in incident.playbook.items():
            value = key(task)
            if value is not None:
                found.setdefault(value, []).append(f"{iid}/{tid}")
    return {value: tuple(tasks) for value, tasks in found.items()}


def _sole_roles(scenario: Scenario) -> tuple[SoleRole, ...]:
    """Roles held by exactly one person among those a task needs, a policy targets or an authority lists."""
    org = scenario.organisation
    by_role = _tasks_by(scenario, lambda task: task.role)
    uses = {role: [f"task {t}" for t in tasks] for role, tasks in by_role.items()}
    for pid, policy in org.escalation.items():
        for i, level in enumerate(policy.levels):
            for target in level.targets:
                if isinstance(target, RoleTarget):
                    uses.setdefault(target.role, []).append(f"policy {pid} level {i + 1}")
    for aid, authority in org.authorities.items():
        for role in authority.roles:
            uses.setdefault(role, []).append(f"authority {aid}")
    return tuple(SoleRole(role, org.holders(role)[0], tuple(dict.fromkeys(uses[role])))
                 for role in sorted(uses) if len(org.holders(role)) == 1)


# ── Load ─────────────────────────────────────────────────────────────────────────────────────────────


def _load(org: Organisation) -> tuple[Load, ...]:
    """Everyone a policy can page or a rotation includes: most policies, then most rotations, then by id."""
    policies: dict[str, set[str]] = {pid: set() for pid in org.people}
    for policy_id, policy in org.escalation.items():
        for level in policy.levels:
            for person in _level_pages(org, level):
                policies[person].add(policy_id)
    rotations: dict[str, set[str]] = {pid: set() for pid in org.people}
    for team_id, team in org.teams.items():
        for member in team.on_call.members if team.on_call else []:
            if member in rotations:
                rotations[member].add(team_id)
    busy = [pid for pid in org.people if policies[pid] or rotations[pid]]
    busy.sort(key=lambda pid: (-len(policies[pid]), -len(rotations[pid]), pid))
    return tuple(Load(pid, org.people[pid].name, tuple(sorted(policies[pid])), tuple(sorted(rotations[pid])))
                 for pid in busy)


# ── The escalation graph as Mermaid and DOT ──────────────────────────────────────────────────────────

Node = tuple[Any, ...]


def _node_order(node: Node) -> tuple[int, str, int]:
    """Each policy followed by its levels, then people; by id."""
    if node[0] == "policy":
        return (0, node[1], -1)
    if node[0] == "level":
        return (0, node[1], node[2])
    return (1, node[1], 0)


def _sorted_nodes(graph: nx.DiGraph) -> list[Node]:
    return sorted(graph.nodes, key=_node_order)


def _sorted_edges(graph: nx.DiGraph) -> list[tuple[Node, Node, str]]:
    edges = [(u, v, data["kind"]) for u, v, data in graph.edges(data=True)]
    return sorted(edges, key=lambda e: (_node_order(e[0]), _node_order(e[1])))


def _label(graph: nx.DiGraph, node: Node) -> tuple[str, str]:
    """A node's label as two lines: (first, second); second may be empty."""
    data = graph.nodes[node]
    if node[0] == "policy":
        return node[1], ""
    if node[0] == "level":
        return f"level {node[2] + 1}", f"wait {format_duration(data['timeout'])}"
    return data.get("name", node[1]), ""


def _mermaid_ids(nodes: list[Node]) -> dict[Node, str]:
    """Mermaid-safe ids (letters, digits, '_'), readable and distinct: a clash gets a numeric suffix."""
    ids: dict[Node, str] = {}
    used: set[str] = set()
    for node in nodes:
        base = "_".join(re.sub(r"[^A-Za-z0-9]", "_", str(part)) for part in
                        (node[0], node[1], *([node[2] + 1] if node[0] == "level" else [])))
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}_{n}", n + 1
        used.add(candidate)
        ids[node] = candidate
    return ids


def _mermaid_text(text: str) -> str:
    """Text for inside a quoted Mermaid label: quotes and markup characters as entity codes."""
    return "".join({'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;"}.get(c, c) for c in text)


_MERMAID_SHAPES = {"policy": ('[["', '"]]'), "level": ('["', '"]'), "person": ('("', '")')}
_MERMAID_ARROWS = {"escalates": "==>", "pages": "-->", "reports_to": "-.->"}


def mermaid(graph: nx.DiGraph) -> str:
    """The escalation graph as a Mermaid ``flowchart LR``: policies ==> levels ==> next level, a level
    --> each person it may page, a person -.-> their manager. Deterministic for equal graphs."""
    nodes = _sorted_nodes(graph)
    ids = _mermaid_ids(nodes)
    lines = ["flowchart LR",
             "  %% policy ==> level ==> next level (after its timeout); level --> person it pages; "
             "person -.-> manager"]
    for node in nodes:
        first, second = _label(graph, node)
        text = _mermaid_text(first) + (f"<br/>{_mermaid_text(second)}" if second else "")
        opening, closing = _MERMAID_SHAPES[node[0]]
        lines.append(f"  {ids[node]}{opening}{text}{closing}")
    for u, v, kind in _sorted_edges(graph):
        lines.append(f"  {ids[u]} {_MERMAID_ARROWS[kind]} {ids[v]}")
    return "\n".join(lines) + "\n"


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_id(node: Node) -> str:
    parts = (*node[:2], node[2] + 1) if node[0] == "level" else node
    return _dot_string(":".join(str(part) for part in parts))


_DOT_NODE_STYLES = {"policy": "shape=box, style=bold", "level": "shape=box", "person": "shape=ellipse"}
_DOT_EDGE_STYLES = {"escalates": " [style=bold]", "pages": "",
                    "reports_to": " [style=dashed, arrowhead=empty]"}


def dot(graph: nx.DiGraph) -> str:
    """The escalation graph in Graphviz DOT (``digraph escalation``), same nodes and edges as ``mermaid``."""
    lines = ["digraph escalation {", "  rankdir=LR;"]
    for node in _sorted_nodes(graph):
        first, second = _label(graph, node)
        label = _dot_string(first + (f"\n{second}" if second else "")).replace("\n", "\\n")
        lines.append(f"  {_dot_id(node)} [label={label}, {_DOT_NODE_STYLES[node[0]]}];")
    for u, v, kind in _sorted_edges(graph):
        lines.append(f"  {_dot_id(u)} -> {_dot_id(v)}{_DOT_EDGE_STYLES[kind]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ── JSON and terminal output ─────────────────────────────────────────────────────────────────────────


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def render_text(report: StructureReport, console: Console) -> None:
    """Print the report as rich tables (reach times, single points of failure, roles held by one
    person, load), fitting 120 columns, and a hint about the graph options."""
    console.print(f"[bold]Escalation structure[/] of {report.scenario} (organisation {report.organisation}): "
                  "worst cases, when nobody answers; reachability and answer delays are not used")
    console.print(_reach_table(report.reach))
    console.print(_single_points_table(report.single_points))
    if report.sole_roles:
        console.print(_sole_roles_table(report.sole_roles))
    console.print(_load_table(report.load))
    console.print("[dim]--mermaid prints the escalation graph as Mermaid (for Markdown), "
                  "--dot as Graphviz DOT.[/]")


_REACH_SECTIONS = {"severity": "by severity", "incident": "by incident kind", "decision": "by decision"}


def _reach_table(reach: tuple[Reach, ...]) -> Table:
    table = Table(title="Reach times (worst case: nobody answers; ×N: the policy runs N times)",
                  title_justify="left")
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
    return (subject, r.policy, steps + repeat, str(r.hops), humanize(r.last_step_after),
            humanize(r.no_answer_after))


def _step_text(kind: ReachKind, step: Step) -> str:
    paged = f"[red]{len(step.pages)}[/]" if len(step.pages) == 0 else str(len(step.pages))
    label = f"{step.label} " if kind == "decision" else ""
    return f"{label}{format_duration(step.timeout)}·{paged}"


def _single_points_table(points: tuple[SinglePoint, ...]) -> Table:
    table = Table(title="Single points of failure (what each person's absence leaves with nobody)",
                  title_justify="left")
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


def _load_table(load: tuple[Load, ...]) -> Table:
    """People paged by two or more policies, or on two or more teams' rotations."""
    table = Table(title="Load (people paged by several policies or on several teams' rotations)",
                  title_justify="left")
    table.add_column("person")
    table.add_column("policies", justify="right")
    table.add_column("policies that can page them")
    table.add_column("on-call rotations")
    shown = [entry for entry in load if len(entry.policies) >= 2 or len(entry.rotations) >= 2]
    for entry in shown:
        table.add_row(entry.person, str(len(entry.policies)), ", ".join(entry.policies),
                      ", ".join(entry.rotations) or "—")
    if not shown:
        table.add_row("[green]nobody[/]", "", "", "")
    return table
