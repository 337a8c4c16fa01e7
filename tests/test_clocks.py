"""Issue 19's language constructs, with hand-computed answers: clocks that start at a task or a
decision, the time to one named decision, mobilisation up to containment, escalation policies chosen
by risk area, and paging delays per person.

Every distribution is fixed and every reachability 1, so each time is exact. The expected times are
worked out in the comments from docs/scenarios.md and the World's documented rules (an escalation
level pages its targets and waits its timeout; a task someone not engaged must do pages them and
waits the first level's timeout; a decision pages its roles in delegation order with the policy's
timeouts), not from running the engine.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from engine_helpers import THREE_ROLES, TWO_LEVELS, first, load_text, model_from, run
from typer.testing import CliRunner

from drillsim import facts as T
from drillsim.cli import app
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.replicate import run_replication
from drillsim.scenario.loader import check_file
from drillsim.scenario.organisation import select_policy

runner = CliRunner()


# Detected at 10 (the source's delay). alice is paged at 10 and acknowledges at 12; triage 12→42;
# causal-link 42→102 (alice again); report needs counsel: carol is paged at 102, acknowledges at 106
# (within the first level's 5m), works 106→286 and notifies both clocks at 286.
LINK = """
link:
  title: Agent incident whose cause is established later
  risk_area: other
  severity: sev2
  detection: {sources: {monitor: {probability: 1, delay: 10m}}}
  regulatory: [ours/causal-report, ours/aware]
  playbook:
    triage: {role: responder, duration: 30m}
    causal-link: {role: responder, duration: 1h, after: [triage]}
    report: {role: counsel, duration: 3h, after: [causal-link],
             notifies: [ours/causal-report, ours/aware]}
"""

REGIMES = """
regimes:
  ours:
    title: Our reading of the duties
    clocks:
      causal-report: {title: Report once a causal link is established, deadline: 4h,
                      starts: "task:causal-link"}
      aware: {title: Report from awareness, deadline: 4h}
      after-halt: {title: Report once the deployment is halted, deadline: 1h, starts: "decision:halt"}
"""

# Detected at 0. alice acknowledges at 2; triage 2→32. halt waits for the decision halt: bob is paged
# at 32 and decides at 35; alice works halt 35→55 (contained at 55). notify needs counsel: carol is
# paged at 55, acknowledges at 59, works 59→119 and notifies ours/after-halt. publish waits for the
# decision disclose: bob is paged at 119 and decides at 122; carol works publish 122→132.
DECIDE = """
decide:
  title: Deployment halted, then disclosed
  risk_area: other
  severity: sev2
  detection: {sources: {monitor: {probability: 1, delay: 0}}}
  regulatory: [ours/after-halt]
  playbook:
    triage: {role: responder, duration: 30m}
    halt: {role: responder, duration: 20m, after: [triage], decision: halt, milestone: contained}
    notify: {role: counsel, duration: 1h, after: [halt], notifies: [ours/after-halt]}
    publish: {role: counsel, duration: 10m, after: [notify], decision: disclose, milestone: resolved}
"""


def scenario(
    incidents: str,
    injects: str,
    *,
    org: str = THREE_ROLES,
    horizon: str = "1d",
    objectives: str = "",
    regimes: str = REGIMES,
) -> str:
    def block(text: str, indent: int) -> str:
        return textwrap.indent(textwrap.dedent(text).strip("\n"), " " * indent)

    return (
        "id: case\ntitle: Hand-computed case\nstart: 2026-01-05T00:00:00Z\n"
        f"horizon: {horizon}\norganisation:\n  id: org\n  name: Org\n{block(org, 2)}\n"
        f"incidents:\n{block(incidents, 2)}\ninjects:\n{block(injects, 2)}\n"
        + (f"objectives:\n{block(objectives, 2)}\n" if objectives else "")
        + textwrap.dedent(regimes)
    )


def inject(incident: str, at: str = "0m", n: int = 1) -> str:
    return f"- {{id: '{n}', at: {at}, kind: incident, incident: {incident}, text: go}}\n"


# --- clocks that start at a task or a decision ----------------------------------------------------


def test_a_clock_runs_from_the_task_that_starts_it(tmp_path: Path) -> None:
    # causal-link is done at 102 and the report filed at 286: 184 minutes from the clock's start,
    # within its 4h (240). The awareness clock runs from detection at 10: 276 > 240, missed.
    rep = run(model_from(tmp_path, scenario(LINK, inject("link"))))
    assert first(rep.records, T.TASK_DONE, detail="causal-link").time == 102.0
    assert first(rep.records, T.NOTIFIED, detail="ours/causal-report").time == 286.0
    (row,) = rep.incidents
    assert row.values["time_to_notify:ours/causal-report"] == 184.0
    assert row.values["time_to_notify:ours/aware"] == 276.0
    assert row.deadlines == {"ours/causal-report": True, "ours/aware": False}
    assert row.not_started == []


def test_a_clock_whose_start_never_happens_is_neither_met_nor_missed(tmp_path: Path) -> None:
    # The run stops at 90, before causal-link is done (102): the clock has not started, so it has no
    # time to notify and no verdict; the awareness clock (deadline at 250) is still running.
    rep = run(model_from(tmp_path, scenario(LINK, inject("link"), horizon="90m")))
    (row,) = rep.incidents
    assert "time_to_notify:ours/causal-report" not in row.values
    assert row.values["time_to_notify:ours/aware"] is None  # censored, as ever
    assert row.deadlines == {}
    assert row.not_started == ["ours/causal-report"]


def test_a_clock_runs_from_the_decision_that_starts_it(tmp_path: Path) -> None:
    # halt is decided at 35; the notification is done at 119: 84 minutes > the 1h deadline.
    rep = run(model_from(tmp_path, scenario(DECIDE, inject("decide"))))
    assert first(rep.records, T.DECISION, detail="halt").time == 35.0
    (row,) = rep.incidents
    assert row.values["time_to_notify:ours/after-halt"] == 84.0
    assert row.deadlines == {"ours/after-halt": False}


def test_summary_counts_clocks_not_started_apart(tmp_path: Path) -> None:
    # Every replication is the same (fixed times): 3 incidents met the causal-report clock and none
    # missed it; with the run cut at 90, none started, and the deadline says so instead of a share.
    for horizon, expected in (
        ("1d", {"n": 3, "p_met": 1.0, "not_started": 0}),
        ("90m", {"n": 0, "p_met": None, "not_started": 3, "rating": None}),
    ):
        model = model_from(tmp_path, scenario(LINK, inject("link"), horizon=horizon))
        aggregate = Aggregate(model, 1)
        for index in range(3):
            aggregate.add(run_replication(model, 1, index))
        deadlines = aggregate.summary()["deadlines"]
        clock = deadlines["ours/causal-report"]
        assert clock["starts"] == "task:causal-link"
        assert {k: clock[k] for k in expected} == expected
        if horizon == "1d":  # a clock from detection says nothing new
            assert deadlines["ours/aware"] == {
                "n": 3,
                "p_met": 0.0,
                "ci95": deadlines["ours/aware"]["ci95"],
                "rating": "U",
            }


# --- one named decision, and mobilisation up to containment --------------------------------------


OBJECTIVES = """
halt-fast: {text: Halt within 40 minutes, metric: time_to_decision/halt, target: 40m}
disclose-fast: {text: Disclose within 2 hours, metric: time_to_decision/disclose, target: 2h}
crew: {text: The containment crew is in within 5 minutes, metric: time_to_mobilize_contain, target: 5m}
"""


def test_time_to_one_named_decision_and_to_the_containment_crew(tmp_path: Path) -> None:
    # Decisions: halt at 35, disclose at 122; time_to_authority is the last of them (122). The tasks
    # up to containment (triage, halt) are alice's, who acknowledged at 2: time_to_mobilize_contain is
    # 2, while time_to_mobilize also waits for carol (acknowledged at 59).
    model = model_from(tmp_path, scenario(DECIDE, inject("decide"), objectives=OBJECTIVES))
    (row,) = run(model).incidents
    assert row.values["time_to_decision/halt"] == 35.0
    assert row.values["time_to_decision/disclose"] == 122.0
    assert row.values["time_to_authority"] == 122.0
    assert row.values["time_to_mobilize_contain"] == 2.0
    assert row.values["time_to_mobilize"] == 59.0
    aggregate = Aggregate(model, 1)
    aggregate.add(run_replication(model, 1, 0))
    aggregate.add(run_replication(model, 1, 1))
    summary = aggregate.summary()
    met = {o["id"]: o["p_met"] for o in summary["objectives"]}
    assert met == {"halt-fast": 1.0, "disclose-fast": 0.0, "crew": 1.0}  # 122 > 120
    assert summary["metrics"]["time_to_decision/halt"]["mean"] == 35.0


def test_opt_in_metrics_are_measured_only_when_an_objective_names_them(tmp_path: Path) -> None:
    (row,) = run(model_from(tmp_path, scenario(DECIDE, inject("decide")))).incidents
    assert "time_to_mobilize_contain" not in row.values
    assert not any(name.startswith("time_to_decision/") for name in row.values)


# --- escalation policies by incident kind, risk area and severity --------------------------------

POLICIES = """
teams: {ops: {name: Ops}}
people:
  alice: {name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 2m}
  bob: {name: Bob, teams: [ops], roles: [responder], reachability: 1, ack_delay: 3m}
  carol: {name: Carol, teams: [ops], roles: [responder], reachability: 1, ack_delay: 4m}
  dan: {name: Dan, teams: [ops], roles: [responder], reachability: 1, ack_delay: 6m}
escalation:
  by-kind:
    applies_to: {incidents: [named]}
    levels: [{timeout: 10m, targets: [{person: alice}]}]
  by-area:
    applies_to: {risk_areas: [cyber-offense]}
    levels: [{timeout: 10m, targets: [{person: carol}]}]
  by-severity:
    applies_to: {severities: [sev1]}
    levels: [{timeout: 10m, targets: [{person: bob}]}]
  catch-all:
    levels: [{timeout: 10m, targets: [{person: dan}]}]
"""


def kind(kid: str, risk_area: str, severity: str) -> str:
    return f"""
{kid}:
  title: {kid}
  risk_area: {risk_area}
  severity: {severity}
  detection: {{sources: {{monitor: {{probability: 1, delay: 0}}}}}}
  playbook:
    work: {{role: responder, duration: 5m}}
"""


def test_policy_by_kind_then_risk_area_then_severity(tmp_path: Path) -> None:
    # named (cyber-offense, sev1): by-kind → alice acks at 2. cyber (cyber-offense, sev1): by-area
    # beats by-severity → carol, 4. severe (other, sev1): by-severity → bob, 3. minor (other, sev3):
    # the catch-all → dan, 6.
    incidents = (
        kind("named", "cyber-offense", "sev1")
        + kind("cyber", "cyber-offense", "sev1")
        + kind("severe", "other", "sev1")
        + kind("minor", "other", "sev3")
    )
    injects = "".join(inject(k, n=i) for i, k in enumerate(("named", "cyber", "severe", "minor")))
    model = model_from(tmp_path, scenario(incidents, injects, org=POLICIES, regimes=""))
    assert {k: m.policy.id for k, m in model.kinds.items()} == {
        "named": "by-kind",
        "cyber": "by-area",
        "severe": "by-severity",
        "minor": "catch-all",
    }
    acks = {m.kind: m.values["time_to_acknowledge"] for m in run(model).incidents}
    assert acks == {"named": 2.0, "cyber": 4.0, "severe": 3.0, "minor": 6.0}


def test_risk_area_and_severity_together_beat_risk_area_alone(tmp_path: Path) -> None:
    org = load_text(
        tmp_path, scenario(kind("cyber", "cyber-offense", "sev1"), inject("cyber"), org=POLICIES, regimes="")
    ).organisation
    both = org.escalation["by-area"].model_copy(
        update={
            "applies_to": org.escalation["by-area"].applies_to.model_copy(update={"severities": ["sev1"]})
        }
    )
    org = org.model_copy(update={"escalation": {**org.escalation, "both": both}})
    assert select_policy(org, "cyber", "sev1", "cyber-offense") == ("both", None)
    # a policy naming the kind still wins over one naming both risk area and severity
    assert select_policy(org, "named", "sev1", "cyber-offense") == ("by-kind", None)


# --- paging delay per person ---------------------------------------------------------------------


def test_a_persons_paging_delay_adds_to_every_page_to_them(tmp_path: Path) -> None:
    # alice's pages take 10m to reach her: paged at 0, she would answer at 12, after the level's 5m;
    # bob is paged at 5 and answers at 8. With a 1m default delay for everyone, alice answers at 3.
    slow = TWO_LEVELS.replace("ack_delay: 2m}", "ack_delay: 2m, paging_delay: 10m}")
    rep = run(
        model_from(tmp_path, scenario(kind("inc", "other", "sev2"), inject("inc"), org=slow, regimes=""))
    )
    ack = first(rep.records, T.ACKNOWLEDGED)
    assert (ack.time, ack.who) == (8.0, "bob")
    everyone = TWO_LEVELS.replace("people:", "defaults: {paging_delay: 1m}\npeople:")
    rep = run(
        model_from(tmp_path, scenario(kind("inc", "other", "sev2"), inject("inc"), org=everyone, regimes=""))
    )
    ack = first(rep.records, T.ACKNOWLEDGED)
    assert (ack.time, ack.who) == (3.0, "alice")


@pytest.mark.parametrize(
    ("affects", "expected"), [("{person: alice}", (8.0, "bob")), ("{person: bob}", (2.0, "alice"))]
)
def test_a_channel_down_for_some_people_delays_only_their_pages(
    tmp_path: Path, affects: str, expected: tuple[float, str]
) -> None:
    # Pages to the affected people arrive 10m late for the first hour. alice affected: she would
    # answer at 12, so bob answers at 8; bob affected: alice answers at 2 as ever.
    injects = inject("inc") + (
        "- {id: '2', at: 0m, kind: complication, paging_delay: 10m, "
        f"affects: {affects}, for: 1h, text: SMS down}}\n"
    )
    rep = run(
        model_from(tmp_path, scenario(kind("inc", "other", "sev2"), injects, org=TWO_LEVELS, regimes=""))
    )
    ack = first(rep.records, T.ACKNOWLEDGED)
    assert (ack.time, ack.who) == expected


# --- validation -----------------------------------------------------------------------------------


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line holding ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return [f"{p.line}: {p.path}: {p.message}" for p in check_file(path).problems if p.severity == "error"]


def test_a_clock_starting_at_a_task_the_incident_lacks_is_an_error(tmp_path: Path) -> None:
    text = scenario(
        LINK.replace("causal-link: {", "cause: {").replace("[causal-link]", "[cause]"), inject("link")
    )
    assert problems(tmp_path, text) == [
        f"{line_of(text, 'regulatory:')}: incidents.link.regulatory[0]: the clock 'ours/causal-report' "
        "starts when task 'causal-link' is done, and this incident's playbook has no task "
        "'causal-link': the clock would never start"
    ]


def test_a_clock_starting_at_a_decision_no_task_needs_is_an_error(tmp_path: Path) -> None:
    text = scenario(
        LINK.replace("[ours/causal-report, ours/aware]\n", "[ours/after-halt]\n", 1).replace(
            "notifies: [ours/causal-report, ours/aware]", "notifies: [ours/after-halt]"
        ),
        inject("link"),
    )
    assert problems(tmp_path, text) == [
        f"{line_of(text, 'regulatory:')}: incidents.link.regulatory[0]: the clock 'ours/after-halt' "
        "starts when the decision 'halt' is taken, and no task of this incident needs that decision: "
        "the clock would never start"
    ]


def test_bad_clock_starts_and_metrics_name_where(tmp_path: Path) -> None:
    text = scenario(
        DECIDE,
        inject("decide"),
        objectives="""
        a: {text: A, metric: time_to_decision/hlat, target: 1h}
        b: {text: B, metric: time_to_decison/halt, target: 1h}
        """,
        regimes=REGIMES.replace('"decision:halt"', '"decision:stop"'),
    )
    assert problems(tmp_path, text) == [
        f"{line_of(text, 'time_to_decison')}: objectives.b.metric: 'time_to_decison/halt' is not a "
        "metric; did you mean 'time_to_decision/AUTHORITY'? (expected one of: time_to_detect, "
        "time_to_acknowledge, time_to_engage, time_to_mobilize, time_to_authority, time_to_contain, "
        "time_to_resolve, time_to_notify, time_to_mobilize_contain, time_to_decision/AUTHORITY)"
    ]  # type errors come first; references are checked once the types are right
    text = text.replace("time_to_decison/halt", "time_to_decision/disclose")
    assert problems(tmp_path, text) == [  # in file order
        f"{line_of(text, 'time_to_decision/hlat')}: objectives.a.metric: unknown authority 'hlat' in "
        "time_to_decision/hlat; did you mean 'halt'?",
        f"{line_of(text, 'decision:stop')}: regimes.ours.clocks.after-halt.starts: unknown authority 'stop'",
    ]
    text = text.replace('"decision:stop"', '"task"')
    at = line_of(text, 'starts: "task"')
    assert problems(tmp_path, text) == [
        f"{at}: regimes.ours.clocks.after-halt.starts: 'task' is not "
        "valid (expected detection, task:TASK or decision:AUTHORITY, e.g. task:establish-causal-link)"
    ]


def test_two_policies_for_the_same_risk_area_are_ambiguous(tmp_path: Path) -> None:
    org = POLICIES.replace("applies_to: {severities: [sev1]}", "applies_to: {risk_areas: [cyber-offense]}")
    text = scenario(kind("cyber", "cyber-offense", "sev1"), inject("cyber"), org=org, regimes="")
    assert problems(tmp_path, text) == [
        f"{line_of(text, 'severity: sev1')}: incidents.cyber.severity: escalation policies by-area, "
        "by-severity all apply to 'cyber' (sev1, cyber-offense); make one more specific"
    ]


def test_affects_without_a_paging_delay_is_an_error(tmp_path: Path) -> None:
    injects = inject("inc") + (
        "- {id: '2', at: 0m, kind: complication, unavailable: {person: bob}, "
        "affects: {person: alice}, text: x}\n"
    )
    text = scenario(kind("inc", "other", "sev2"), injects, org=TWO_LEVELS, regimes="")
    assert problems(tmp_path, text)[0].endswith(
        "'affects' narrows a paging_delay; this complication has none"
    )


def test_validate_exits_2_and_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        scenario(
            LINK.replace("causal-link: {", "cause: {").replace("[causal-link]", "[cause]"), inject("link")
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "bad.yaml:15:" in result.stdout and "incidents.link.regulatory[0]" in result.stdout


def test_affects_round_trips_through_the_msel_csv(tmp_path: Path) -> None:
    from drillsim.scenario.msel import export_csv

    injects = inject("inc") + (
        "- {id: '2', at: 0m, kind: complication, paging_delay: 10m, affects: {team: ops}, for: 1h, "
        "text: SMS down}\n"
    )
    loaded = load_text(tmp_path, scenario(kind("inc", "other", "sev2"), injects, org=TWO_LEVELS, regimes=""))
    assert '"{paging_delay: 10m, for: 1h, affects: {team: ops}}"' in export_csv(loaded)
