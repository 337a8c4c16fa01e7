"""Importing on-call configurations: PagerDuty's REST API v2 JSON, its Terraform resources and
GoAlert's GraphQL answers become an organisation file that validates, says where each part came from,
and lists everything it could not represent (tests/fixtures/import/README.md says where each fixture
field comes from)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from click.testing import Result
from engine_helpers import load_text
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.engine.model import compile_scenario
from drillsim.importers.common import SOURCE, Draft, Source
from drillsim.importers.pagerduty import restriction_windows
from drillsim.scenario.loader import check_file
from drillsim.scenario.organisation import Organisation


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


# ---- PagerDuty's REST API JSON -------------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "import"
PD = FIXTURES / "pagerduty"
runner = CliRunner()


def run_import(source: str, *args: str | Path) -> Result:
    return runner.invoke(app, ["import", source, *(str(a) for a in args)])


def imported(tmp_path: Path, source: str, folder: Path, name: str = "org.yaml") -> Path:
    out = tmp_path / name
    result = run_import(source, folder, "--out", out, "--id", "pd-org")
    assert result.exit_code == 0, result.output
    return out


def test_a_pagerduty_export_becomes_an_organisation_that_validates(tmp_path: Path) -> None:
    out = tmp_path / "org.yaml"
    result = run_import("pagerduty", PD, "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    # where each part came from
    assert (
        '# from tests/fixtures/import/pagerduty/schedules.json: schedules[0] (PSCHED1 "SRE primary")' in text
    )
    assert "# from tests/fixtures/import/pagerduty/schedule-PSCHED2.json: schedule (PSCHED2" in text
    assert "users-page2.json: users[1] (PDANA04" in text  # the second page is read
    # nothing dropped silently: on stderr and at the top of the file, with file and JSON path
    notes = [
        "users-page1.json: users[0].notification_rules: 1 notification rule(s)",
        "schedules.json: schedules[0].schedule_layers[1].users[1].user: user PGHOST9 is not among the users",
        "overrides-PSCHED1.json: overrides[1].user: user PGHOST9",
        "escalation_policies.json: escalation_policies[1].escalation_rules[0].targets[0]: user PGHOST9",
        "services.json: services[0].incident_urgency_rule: urgency rule (use_support_hours",
    ]
    header = text.split("\nid:")[0]
    for note in notes:
        assert note in result.stderr and note in header, note
    check = check_file(out)
    assert not check.errors
    assert (
        sum("placeholder" in p.message for p in check.warnings) == 4 * 2 + 2
    )  # roles, skills; authority, policy


def test_layers_restrictions_overrides_and_policies_map_as_pagerduty_means_them(tmp_path: Path) -> None:
    """Who is on call at chosen instants, worked out by hand from PagerDuty's semantics: layers 1-3
    (listed 3, 1, 2), the higher winning; layer 1 (ana, [gone], ben weekly from Mon 2 Mar 09:00)
    active only from Wed 4 Mar 12:00; layer 2 (chen) every night 22:00-06:00 until 1 Jun; layer 3
    (dana) from Fri 18:00 for 63 h; Ben's override Wed 11 Mar 18:00 - Thu 08:00."""
    org = imported(tmp_path, "pagerduty", PD)
    model = compile_scenario(
        load_text(tmp_path, scenario_using(org.name, start="2026-03-03T00:00:00Z", horizon="21d"))
    )

    def on_call(moment: str) -> tuple[str, ...]:
        minutes = (dt.datetime.fromisoformat(moment) - model.scenario.start).total_seconds() / 60
        return tuple(model.people[i].id for i in model.schedules["sre-primary"].on_call(minutes))

    assert on_call("2026-03-03T12:00:00+00:00") == ()  # layer 1 not active yet: a gap
    assert on_call("2026-03-04T12:00:00+00:00") == ("ana-ruiz",)
    assert on_call("2026-03-04T22:00:00+00:00") == ("chen-wei",)  # nights, crossing midnight
    assert on_call("2026-03-05T05:59:00+00:00") == ("chen-wei",)
    assert on_call("2026-03-05T06:00:00+00:00") == ("ana-ruiz",)
    assert on_call("2026-03-06T18:00:00+00:00") == ("dana-levi",)  # Fri 18:00 + 63 h
    assert on_call("2026-03-08T23:00:00+00:00") == ("dana-levi",)
    assert on_call("2026-03-09T08:59:00+00:00") == ("dana-levi",)
    assert on_call("2026-03-09T09:00:00+00:00") == ("ben-okafor",)  # the gone user's turn is not kept
    assert on_call("2026-03-11T19:00:00+00:00") == ("ben-okafor",)  # the override, over layer 2 too
    assert on_call("2026-03-11T23:00:00+00:00") == ("ben-okafor",)
    assert on_call("2026-03-16T09:00:00+00:00") == ("ana-ruiz",)
    policy = model.scenario.organisation.escalation["sre"]
    assert [level.timeout for level in policy.levels] == [15, 10, 5] and policy.repeat == 2


def test_a_weekly_restriction_spanning_days_becomes_day_windows() -> None:
    draft = Draft("test")

    def windows(**restriction: object) -> list[dict[str, object]]:
        return restriction_windows(draft, {**restriction, SOURCE: Source("r.json", "r")})

    friday = {"type": "weekly_restriction", "start_day_of_week": 5, "start_time_of_day": "18:00:00"}
    assert windows(**friday, duration_seconds=63 * 3600) == [
        {"days": ["fri"], "start": "18:00", "end": "24:00"},
        {"days": ["sat", "sun"], "start": "00:00", "end": "24:00"},
        {"days": ["mon"], "start": "00:00", "end": "09:00"},
    ]
    sunday = {"type": "weekly_restriction", "start_day_of_week": 7, "start_time_of_day": "22:00:00"}
    assert windows(**sunday, duration_seconds=8 * 3600) == [
        {"days": ["sun"], "start": "22:00", "end": "06:00"}
    ]
    saturday = {"type": "weekly_restriction", "start_day_of_week": 6, "start_time_of_day": "00:00:00"}
    assert windows(**saturday, duration_seconds=48 * 3600) == [
        {"days": ["sat", "sun"], "start": "00:00", "end": "24:00"}
    ]
    assert windows(type="daily_restriction", start_time_of_day="09:00:00", duration_seconds=15 * 3600) == [
        {"start": "09:00", "end": "24:00"}
    ]
    assert windows(type="daily_restriction", start_time_of_day="08:00:30", duration_seconds=3600) == [
        {"start": "08:00", "end": "09:00"}
    ]
    assert [str(n) for n in draft.notes] == ["r.json: r: seconds rounded down to the minute"]


def test_an_imported_policy_and_its_hand_written_equivalent_give_the_same_summary(tmp_path: Path) -> None:
    """Import, fill in the roles, simulate; the same organisation written by hand, simulated with the
    same seed: summary.json is the same, byte for byte."""
    summaries = []
    for folder in ("imported", "by-hand"):
        (tmp_path / folder).mkdir()
        org = tmp_path / folder / "org.yaml"
        if folder == "imported":
            result = run_import("pagerduty", PD, "--out", org, "--id", "pd-org")
            assert result.exit_code == 0, result.output
            org.write_text(
                org.read_text().replace("roles: [fill-in]", "roles: [responder]"), encoding="utf-8"
            )
        else:
            org.write_text((FIXTURES / "pagerduty-by-hand.yaml").read_text(), encoding="utf-8")
        scenario = tmp_path / folder / "scenario.yaml"
        scenario.write_text(scenario_using("org.yaml"), encoding="utf-8")
        assert not check_file(scenario).errors
        result = runner.invoke(
            app,
            ["simulate", str(scenario), "-n", "30", "--seed", "7", "--workers", "1", "--no-history",
             "--out", str(tmp_path / folder / "run")],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        summaries.append((tmp_path / folder / "run" / "summary.json").read_bytes())
    assert summaries[0] == summaries[1]


def test_a_page_saying_more_without_the_next_page_is_noted(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "users-page1.json").write_bytes((PD / "users-page1.json").read_bytes())
    (folder / "policies.json").write_text(
        '{"escalation_policy": {"id": "PPOL1", "name": "Ana first", "escalation_rules": [{'
        '"escalation_delay_in_minutes": 5, "targets": [{"id": "PANA001", "type": "user_reference"}]}]}}',
        encoding="utf-8",
    )
    result = run_import("pagerduty", folder, "--out", tmp_path / "org.yaml")
    assert result.exit_code == 0, result.output
    assert "users-page1.json: more: true: PagerDuty has more users after these 2; save the next page " in (
        " ".join(result.stderr.split())
    )


# ---- Terraform and GoAlert -----------------------------------------------------------------------


def test_terraform_resources_and_their_references_become_the_same_organisation(tmp_path: Path) -> None:
    out = imported(tmp_path, "terraform", FIXTURES / "terraform")
    org = load_organisation(out)
    assert org.people["ben-okafor"].teams == ["sre"]  # pagerduty_team_membership
    layers = org.schedules["sre-primary"].layers
    assert list(layers) == ["weekdays", "weekend"]  # block order, lowest first
    assert layers["weekdays"].members == ["ana-ruiz", "ben-okafor"]
    assert layers["weekdays"].start == dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # var.rotation_start
    assert layers["weekdays"].active_from == dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC)
    assert layers["weekend"].members == ["dana-example-com"]  # a data source, named by its email
    assert [w.describe() for w in layers["weekend"].restrictions] == [
        "fri 18:00–24:00", "sat–sun 00:00–24:00", "mon 00:00–09:00"
    ]  # fmt: skip
    assert org.schedules["sre-primary"].timezone == "Europe/London"  # local.london
    policy = org.escalation["sre"]
    assert [t.model_dump() for level in policy.levels for t in level.targets] == [
        {"schedule": "sre-primary"}, {"person": "ben-okafor"}
    ]  # fmt: skip
    text = out.read_text(encoding="utf-8")
    assert "# from tests/fixtures/import/terraform/oncall.tf: pagerduty_schedule.primary.layer[1]" in text
    assert "people.tf: pagerduty_user_notification_rule.ana_high: a notification rule" in text


def test_goalert_rotations_and_schedule_rules_map_to_layers(tmp_path: Path) -> None:
    out = imported(tmp_path, "goalert", FIXTURES / "goalert")
    model = compile_scenario(
        load_text(tmp_path, scenario_using(out.name, start="2026-03-09T00:00:00Z", horizon="14d"))
    )

    def on_call(key: str, moment: str) -> tuple[str, ...]:
        minutes = (dt.datetime.fromisoformat(moment) - model.scenario.start).total_seconds() / 60
        return tuple(model.people[i].id for i in model.schedules[key].on_call(minutes))

    # the answer was saved with Ben's turn running until Mon 16 Mar 09:00
    assert on_call("sre-on-call", "2026-03-10T12:00:00+00:00") == ("ben-okafor",)
    assert on_call("sre-on-call", "2026-03-10T23:00:00+00:00") == ("ben-okafor", "chen-wei")  # together
    assert on_call("sre-on-call", "2026-03-14T23:00:00+00:00") == ("ben-okafor",)  # Saturday: no rule
    assert on_call("sre-on-call", "2026-03-17T12:00:00+00:00") == ("ana-ruiz",)
    assert on_call("sre-on-call", "2026-03-18T12:00:00+00:00") == ("chen-wei",)  # a temporary schedule
    assert on_call("rotation-sre-weekly", "2026-03-10T12:00:00+00:00") == ("ben-okafor",)
    text = out.read_text(encoding="utf-8")
    assert "rotations.json: data.rotations.nodes[1].type: a monthly rotation" in text
    assert "steps[1].actions[2]: a target of type 'builtin-slack-channel' is not represented" in text


# ---- bad input: exit 2, the file and path named, nothing written ---------------------------------

USERS = '{"users": [{"id": "PA", "name": "A"}]}'
UNKNOWN_REFERENCE = """resource "pagerduty_escalation_policy" "p" {
  name = "P"
  rule {
    escalation_delay_in_minutes = 5
    target { id = pagerduty_user.nobody.id }
  }
}
"""
BAD_RULE = """{"escalation_policies": [{"id": "PPOL9", "name": "Bad", "escalation_rules": [
  {"escalation_delay_in_minutes": 5, "targets": [{"id": "PX", "type": "schedule_v3_reference"}]}]}],
  "more": false}"""


@pytest.mark.parametrize(
    ("source", "files", "expected"),
    [
        ("pagerduty", {"users.json": '{"users": [{"id": "PA", "name": "A"}'},
         "users.json: not JSON: Expecting ',' delimiter at line 1, column 37"),
        ("pagerduty", {"users.json": USERS, "policies.json": BAD_RULE},
         "policies.json: escalation_policies[0].escalation_rules[0].targets: no target drillsim can page"),
        ("pagerduty", {"users.json": USERS, "overrides.json": '{"overrides": []}'},
         "overrides.json: overrides, but which schedule's?"),
        ("terraform", {"main.tf": 'resource "pagerduty_user" "a" {\n  name = "A"\n'},
         "main.tf: not HCL: Unexpected token"),
        ("terraform", {"main.tf": UNKNOWN_REFERENCE},
         "main.tf: pagerduty_escalation_policy.p.rule[0].target[0].id: unknown reference "
         "pagerduty_user.nobody.id: no pagerduty_user.nobody in these files"),
        ("goalert", {"users.json": '{"errors": [{"message": "unauthorised"}]}'},
         "users.json: errors: the answer holds GraphQL errors"),
        ("pagerduty", {}, "no JSON files in this folder"),
        ("terraform", {}, "no Terraform files (.tf) in this folder"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_file_and_path(
    tmp_path: Path, source: str, files: dict[str, str], expected: str
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "org.yaml"
    result = run_import(source, folder, "--out", out)
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.stderr.split()), result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_refusal_also_says_what_would_not_be_represented(tmp_path: Path) -> None:
    # The policy's target is unusable (refused), and the user's notification rules would not be
    # represented: both are said, so fixing the first brings no surprise.
    folder = tmp_path / "export"
    folder.mkdir()
    users = '{"users": [{"id": "PA", "name": "A", "notification_rules": [{"id": "R1"}]}]}'
    (folder / "users.json").write_text(users, encoding="utf-8")
    (folder / "policies.json").write_text(BAD_RULE, encoding="utf-8")
    result = run_import("pagerduty", folder, "--out", tmp_path / "org.yaml")
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "no target drillsim can page" in said
    assert "and once fixed, 2 construct(s) will not be represented" in said
    assert "1 notification rule(s) (how PagerDuty reaches A) not represented" in said
    assert not (tmp_path / "org.yaml").exists()


def test_an_existing_file_is_replaced_only_with_force(tmp_path: Path) -> None:
    out = tmp_path / "org.yaml"
    out.write_text("mine\n", encoding="utf-8")
    result = run_import("pagerduty", PD, "--out", out)
    assert result.exit_code == 2 and "already exists; pass --force to replace it" in result.stderr
    assert out.read_text() == "mine\n"
    assert run_import("pagerduty", PD, "--out", out, "--force").exit_code == 0
    assert out.read_text().startswith("# drillsim organisation imported from PagerDuty")


# ---- helpers -------------------------------------------------------------------------------------


def scenario_using(organisation: str, start: str = "2026-03-09T00:00:00Z", horizon: str = "7d") -> str:
    """A scenario reading ``organisation`` (a file beside it): one incident kind arriving at random,
    served by the catch-all policy; its task needs the role the tests fill in (or the placeholder)."""
    return textwrap.dedent(
        f"""\
        id: imported
        title: An imported organisation at work
        organisation: {organisation}
        start: {start}
        horizon: {horizon}
        incidents:
          outage:
            title: Model API outage
            risk_area: other
            severity: sev2
            detection: {{sources: {{monitor: {{probability: 1, delay: 2m}}}}}}
            playbook: {{triage: {{skill: fill-in, duration: 20m}}}}
        arrivals: [{{incident: outage, rate: 1/d}}]
        """
    )


def load_organisation(path: Path) -> Organisation:
    result = check_file(path)
    assert not result.errors and isinstance(result.model, Organisation), result.errors
    return result.model
