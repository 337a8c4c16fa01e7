"""``drillsim show``: a scenario summarised on the terminal."""

from __future__ import annotations

from drillsim.cli.console import console
from drillsim.cli.options import OrganisationFrom, ScenarioFile


def show(scenario: ScenarioFile, organisation_from: OrganisationFrom = None) -> None:
    """Summarise a scenario: its organisation, escalation policies, incidents and MSEL."""
    from drillsim.scenario.loader import load_scenario
    from drillsim.summary import print_summary

    print_summary(load_scenario(scenario, organisation_from or ()), console)
