"""Importing on-call configurations: PagerDuty's REST API v2 JSON, its Terraform resources and
GoAlert's GraphQL answers become an organisation file that validates, says where each part came from,
and lists everything it could not represent (tests/fixtures/import/README.md says where each fixture
field comes from)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from drillsim.scenario.loader import check_file


def test_placeholders_validate_with_a_warning_at_each(tmp_path: Path) -> None:
    """`fill-in` is an ordinary id: the file validates, and validate says what is still to fill in."""
    org = tmp_path / "org.yaml"
    org.write_text(
        textwrap.dedent(
            """\
            id: org
            name: Org
            teams: {fill-in: {name: "Fill in: teams"}}
            people:
              ana: {name: Ana Ruiz, roles: [fill-in], skills: [fill-in]}
              ben: {name: Ben Okafor, roles: [sre], skills: [fill-in]}
            authorities: {fill-in: {title: "Fill in: decisions", roles: [fill-in]}}
            escalation:
              main: {levels: [{timeout: 5m, targets: [{person: ana}]}]}
              other:
                applies_to: {incidents: [fill-in]}
                levels: [{timeout: 5m, targets: [{person: ben}]}]
            """
        ),
        encoding="utf-8",
    )
    result = check_file(org)
    assert not result.errors
    placeholders = sorted(f"{p.path}: {p.message}" for p in result.warnings if "placeholder" in p.message)
    assert placeholders == [
        "authorities.fill-in: placeholder: name the decisions your incidents need (halt a deployment, "
        "notify a regulator…) and the roles that may take them",
        "escalation.other.applies_to.incidents: placeholder: name the incident kinds (or severities) "
        "this policy serves",
        "people.ana.roles: placeholder: say which roles Ana Ruiz has (replace 'fill-in')",
        "people.ana.skills: placeholder: say which skills Ana Ruiz has (replace 'fill-in')",
        "people.ben.skills: placeholder: say which skills Ben Okafor has (replace 'fill-in')",
        "teams.fill-in: placeholder: name the teams and their members",
    ]
