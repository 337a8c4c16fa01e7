"""The escalation graph: policies, their levels, the people they page, and reporting lines.

Nodes are tuples: ``("policy", id)``, ``("level", policy, index)``, ``("person", id)``. Edges run
the way an escalation runs: policy → first level → next level (after its timeout), level → each
person it may page, person → the person they report to.
"""

from __future__ import annotations

import networkx as nx

from drillsim.scenario.organisation import Organisation, people_for


def escalation_graph(org: Organisation) -> nx.DiGraph:
    graph = nx.DiGraph()
    for pid, someone in org.people.items():
        graph.add_node(("person", pid), name=someone.name)
        if someone.reports_to in org.people:
            graph.add_edge(("person", pid), ("person", someone.reports_to), kind="reports_to")
    for policy_id, policy in org.escalation.items():
        previous: tuple[str | int, ...] = ("policy", policy_id)
        graph.add_node(previous, title=policy.title or policy_id)
        for index, level in enumerate(policy.levels):
            node: tuple[str | int, ...] = ("level", policy_id, index)
            graph.add_node(node, timeout=level.timeout)
            graph.add_edge(previous, node, kind="escalates")
            for target in level.targets:
                for person in people_for(org, target):
                    graph.add_edge(node, ("person", person), kind="pages")
            previous = node
    return graph


def reachable_people(graph: nx.DiGraph, policy_id: str) -> set[str]:
    """People an escalation from ``policy_id`` can reach through its levels and reporting lines."""
    return {node[1] for node in nx.descendants(graph, ("policy", policy_id)) if node[0] == "person"}
