"""Why objectives were missed, in words: summary.json's ``causes`` as the sentences the terminal and the
readiness report print — a cause, the person, role or step behind it, and the command that tests a fix.

Plain text only (the terminal escapes it for rich, the report for HTML); it reads summary.json alone.
See docs/causes.md for what each cause means.
"""

from __future__ import annotations

from typing import Any

from drillsim.report.labels import metric_label, share
from drillsim.scenario.units import format_duration, humanize

PART_WORDS = {
    "waiting_for_detection": "waiting for detection",
    "waiting_for_ack": "waiting for acknowledgement",
    "waiting_for_responder": "waiting for a responder",
    "waiting_for_authority": "waiting for an authority",
    "working": "working",
}
LISTED = 3  # causes told per objective
SMALLEST = 0.05  # a cause under this share of the missed time is not told (the JSON keeps it)


def missed_objectives(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The objectives below their target (rated S, M or U) with missed incidents to decompose, worst
    first."""
    causes = summary.get("causes")
    if not causes:
        return []
    rows = [o for o in causes["objectives"] if o["below_target"] and o["minutes"] is not None]
    p_met = {o["id"]: o["p_met"] or 0.0 for o in summary["objectives"]}
    return sorted(rows, key=lambda o: (p_met.get(o["id"], 0.0), o["id"]))


def headline(objective: dict[str, Any], summary: dict[str, Any]) -> str:
    """``agent-contain-1h (contain within 1h, met 39.5%): 121 incidents missed it; 1h 23m each on
    average — working 60%, waiting for an authority 30%, …``."""
    met = next((o["p_met"] for o in summary["objectives"] if o["id"] == objective["id"]), None)
    return (
        f"{objective['id']} ({metric_label(objective['metric'])} within {humanize(objective['target'])}, "
        f"met {share(met)}): {where_it_went(objective)}"
    )


def where_it_went(objective: dict[str, Any]) -> str:
    """``121 incidents missed it; 1h 23m each on average — working 60%, …`` (censored and undetected
    incidents said)."""
    parts = sorted(objective["parts"].items(), key=lambda item: -(item[1]["share"] or 0.0))
    split = ", ".join(f"{PART_WORDS[part]} {share(p['share'])}" for part, p in parts if p["share"])
    censored = (
        f", {objective['censored']} of them not reached by the horizon (counted to the horizon)"
        if objective["censored"]
        else ""
    )
    undetected = f"; {objective['undetected']} never detected" if objective["undetected"] else ""
    return (
        f"{objective['missed']} incidents missed it{censored}{undetected}; "
        f"{humanize(objective['minutes'])} each on average — {split}"
    )


def told(objective: dict[str, Any]) -> list[dict[str, Any]]:
    """The causes worth a line: the largest, each at least SMALLEST of the missed time."""
    return [c for c in objective["causes"] if (c["share"] or 0.0) >= SMALLEST][:LISTED]


def _people(names: list[str]) -> str:
    return ", ".join(names) if names else "nobody"


def cause_text(cause: dict[str, Any]) -> str:
    """A cause with the person, role or step behind it, from its largest detail."""
    part = cause["part"]
    top = cause["details"][0] if cause["details"] else {}
    if part == "waiting_for_ack":
        if cause["level"] is None:
            when = f", mostly from {top['hours']}" if top.get("hours") else ""
            return (
                f"waiting for acknowledgement after every level of {cause['policy']} had paged{when} "
                "(pages open, nobody left to page)"
            )
        targets = ", ".join(cause["targets"])
        where = (
            f"mostly paged {top['hours']} ({_people(top['paged'])})"
            if top.get("paged")
            else f"mostly at {top.get('hours', '?')}, when it paged nobody (a gap)"
        )
        return (
            f"waiting for acknowledgement at level {cause['level']} of {cause['policy']} "
            f"({targets}; {humanize(cause['timeout'])} timeout), {where}"
        )
    if part == "waiting_for_authority":
        if top.get("tier") is None:
            who = "every tier had been paged without an answer"
        else:
            who = f"tier {top['tier']} {top['role']} ({_people(top['paged'])}) paged, no answer yet"
        order = " → ".join(cause["roles"])
        return f"waiting for the decision {cause['authority']} (delegation order {order}): {who}"
    if part == "waiting_for_responder":
        kind, _, name = cause["need"].partition(":")
        holders = len(cause["holders"])
        return (
            f"waiting for someone with the {kind} {name} ({holders} "
            f"{'person' if holders == 1 else 'people'}): {_holding(top)}"
        )
    if part == "working":
        kind, _, name = cause["need"].partition(":")
        by = f", mostly {top['person']}" if top.get("person") else ""
        return f"working on {cause['task']} of {cause['incident']} ({kind} {name}){by}"
    source = top.get("source")
    return f"waiting for detection of {cause['incident']}" + (f" (first source: {source})" if source else "")


def _holding(detail: dict[str, Any]) -> str:
    state, person = detail.get("state"), detail.get("person")
    if state == "busy":
        where = "the same incident" if detail.get("same_incident") else detail.get("incident")
        return f"mostly {person} busy with {detail.get('task')} of {where}"
    if state == "paged":
        return f"mostly a page to {person} not yet answered"
    if state == "away":
        return f"mostly {person} away (a complication)"
    return f"mostly {person or 'the holders'} held for another page"


def fix_command(cause: dict[str, Any], scenario: str) -> str:
    """The command that tests a fix for the cause (``scenario`` names the scenario file)."""
    part = cause["part"]
    top = cause["details"][0] if cause["details"] else {}
    if part == "waiting_for_ack":
        if cause["level"] is None or not top.get("paged"):
            return f"drillsim structure {scenario} --coverage"
        shorter = format_duration(max(1.0, round(cause["timeout"] / 2)))
        return (
            f"drillsim compare {scenario} --set "
            f"'escalation.{cause['policy']}.levels[{cause['level'] - 1}].timeout={shorter}'"
        )
    if part == "waiting_for_authority":
        roles, tier = list(cause["roles"]), top.get("tier")
        if tier is None or tier >= len(roles):  # nobody later in the order: add someone
            return f"drillsim compare {scenario} --set 'authorities.{cause['authority']}.roles+=ROLE'"
        reordered = [*roles[: tier - 1], *roles[tier:], roles[tier - 1]]
        order = ", ".join(reordered)
        return f"drillsim compare {scenario} --set 'authorities.{cause['authority']}.roles=[{order}]'"
    if part == "waiting_for_responder":
        kind, _, name = cause["need"].partition(":")
        return (
            f"drillsim compare {scenario} --set 'people.PERSON.{kind}s+={name}' "
            f"(or drillsim structure {scenario} --criticality)"
        )
    if part == "working":
        return (
            f"drillsim compare {scenario} --set "
            f"'incidents.{cause['incident']}.playbook.{cause['task']}.duration=DURATION'"
        )
    source = f"incidents.{cause['incident']}.detection.sources.SOURCE.delay"
    return f"drillsim compare {scenario} --set '{source}=DURATION'"


def cause_line(cause: dict[str, Any]) -> str:
    """``36.2% of the missed time: waiting for …: tier 1 …``."""
    return f"{share(cause['share'])} {cause_text(cause)}"


def advise_line(scenario: str) -> str:
    return f"drillsim advise {scenario} searches for the change that helps these objectives most."
