"""A terminal summary of a scenario: who is in the organisation, how escalation runs, what happens."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from drillsim.scenario.model import Scenario
from drillsim.scenario.organisation import people_for, select_policy
from drillsim.scenario.regimes import BUILTIN_REGIMES
from drillsim.scenario.units import format_duration


def _schedules_table(scenario: Scenario) -> Table:
    """Each schedule's layers, lowest first: members, turn, hours covered, time zone; and its overrides."""
    org = scenario.organisation
    table = Table(title="On-call schedules (layers lowest first; a later layer wins)", title_justify="left")
    for column in ("schedule", "layer", "members", "turn", "covers", "zone"):
        table.add_column(column)
    for sid, schedule in org.schedules.items():
        for lid, layer in schedule.layers.items():
            covers = "; ".join(w.describe() for w in layer.restrictions) or "all hours"
            table.add_row(
                schedule.title or sid,
                lid + (" (shadow)" if layer.alongside else ""),
                ", ".join(layer.members),
                format_duration(layer.turn),
                covers,
                layer.timezone or schedule.timezone or org.timezone,
            )
        if schedule.overrides:
            table.add_row(
                "",
                "overrides",
                f"{len(schedule.overrides)}: "
                + ", ".join(dict.fromkeys(o.person for o in schedule.overrides)),
                "",
                "",
                "",
            )
    return table


def print_summary(scenario: Scenario, console: Console) -> None:
    org = scenario.organisation
    console.print(f"[bold]{scenario.title}[/] [dim]({scenario.id})[/]")
    console.print(
        f"Organisation [bold]{org.name}[/]: {len(org.people)} people in {len(org.teams)} teams, "
        f"{len(org.authorities)} authorities, {len(org.escalation)} escalation policies; "
        f"starts {scenario.start.isoformat()}"
    )

    teams = Table(title="Teams", title_justify="left")
    for column in ("team", "members", "on-call rotation"):
        teams.add_column(column)
    for tid, team in org.teams.items():
        rotation = team.on_call
        rota = f"{', '.join(rotation.members)} every {format_duration(rotation.shift)}" if rotation else "—"
        teams.add_row(team.name, str(len(org.members(tid))), rota)
    console.print(teams)
    if org.schedules:
        console.print(_schedules_table(scenario))

    authorities = Table(title="Authorities (delegation order)", title_justify="left")
    authorities.add_column("decision")
    authorities.add_column("who may take it")
    for authority in org.authorities.values():
        holders = [f"{role}: {', '.join(org.holders(role)) or 'nobody'}" for role in authority.roles]
        authorities.add_row(authority.title, " → ".join(holders))
    console.print(authorities)

    policies = Table(title="Escalation policies", title_justify="left")
    for column in ("policy", "applies to", "levels (timeout: who)", "repeat"):
        policies.add_column(column)
    for pid, policy in org.escalation.items():
        applies = policy.applies_to
        scope = ", ".join([*applies.severities, *applies.risk_areas, *applies.incidents]) or "everything"
        levels = "\n".join(
            f"{i + 1}. {format_duration(level.timeout)}: "
            + ", ".join(sorted({p for t in level.targets for p in people_for(org, t)}))
            for i, level in enumerate(policy.levels)
        )
        policies.add_row(policy.title or pid, scope, levels, str(policy.repeat))
    console.print(policies)

    incidents = Table(title="Incidents", title_justify="left")
    for column in ("incident", "severity", "risk area", "policy", "tasks", "regulatory clocks"):
        incidents.add_column(column)
    for iid, incident in scenario.incidents.items():
        policy_id, _ = select_policy(org, iid, incident.severity, incident.risk_area)
        incidents.add_row(
            incident.title,
            incident.severity,
            incident.risk_area,
            policy_id or "—",
            str(len(incident.playbook)),
            ", ".join(_clock_text(scenario, ref) for ref in incident.regulatory) or "—",
        )
    console.print(incidents)
    slow = {pid: org.paging_delay_of(pid) for pid in org.people if org.paging_delay_of(pid)}
    if slow:
        console.print(
            "Paging delay (every page takes this long to reach them): "
            + ", ".join(f"{org.people[p].name} {format_duration(d)}" for p, d in slow.items())
        )

    console.print(
        f"MSEL: {len(scenario.injects)} injects, {len(scenario.arrivals)} stochastic arrival streams, "
        f"{len(scenario.objectives)} objectives"
        + (f", horizon {format_duration(scenario.horizon)}" if scenario.horizon else "")
    )


def _clock_text(scenario: Scenario, ref: str) -> str:
    """A regulatory clock as ``show`` lists it: its reference, and when it starts unless at detection."""
    regime, _, clock_id = ref.partition("/")
    clock = {**BUILTIN_REGIMES, **scenario.regimes}[regime].clocks[clock_id]
    if clock.start_event is None:
        return ref
    return f"{ref} ({format_duration(clock.deadline)} from {clock.starts})"
