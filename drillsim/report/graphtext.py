"""The escalation graph (see :func:`drillsim.scenario.graph.escalation_graph`) as Mermaid and DOT text.

Nodes and edges come out in a fixed order (each policy followed by its levels, then people, by id),
so the same organisation always gives the same text.
"""

from __future__ import annotations

import re
from typing import Any

import networkx as nx

from drillsim.scenario.units import format_duration

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
        base = "_".join(
            re.sub(r"[^A-Za-z0-9]", "_", str(part))
            for part in (node[0], node[1], *([node[2] + 1] if node[0] == "level" else []))
        )
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
    lines = [
        "flowchart LR",
        "  %% policy ==> level ==> next level (after its timeout); level --> person it pages; "
        "person -.-> manager",
    ]
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
_DOT_EDGE_STYLES = {
    "escalates": " [style=bold]",
    "pages": "",
    "reports_to": " [style=dashed, arrowhead=empty]",
}


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
