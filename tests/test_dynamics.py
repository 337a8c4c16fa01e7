"""Scenario dynamics with hand-computed answers: triggers (cascades), severity changes, conditional
injects, how often each branch is taken over replications, and determinism.

The scenarios start on Monday 2026-01-05 00:00 UTC; times are in minutes. Expected values are
worked out in the comments from docs/scenarios.md, not from running the engine.
"""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pytest
from engine_helpers import first, model_from, run

from drillsim import facts as T
from drillsim.experiments.aggregate import Aggregate
from drillsim.experiments.replicate import replications, run_replication
from drillsim.experiments.rundir import MetricsWriter
from drillsim.experiments.simulate import simulate
from drillsim.scenario.loader import check_file

# alice answers every page after 2m; bob (the CISO) is reached half the time, after 10m to 30m;
# carol is the sev1 policy's first level and answers after 4m.
ORG = """
organisation:
  id: org
  name: Org
  teams: {sec: {name: Security}}
  people:
    alice: {name: Alice, teams: [sec], roles: [responder], reachability: 1, ack_delay: 2m}
    bob:
      {name: Bob, teams: [sec], roles: [ciso], reachability: 0.5, ack_delay: {uniform: {min: 10m, max: 30m}}}
    carol: {name: Carol, teams: [sec], roles: [commander], reachability: 1, ack_delay: 4m}
  escalation:
    main:
      applies_to: {severities: [sev2, sev3]}
      levels:
        - {timeout: 1h, targets: [{person: alice}, {person: bob}]}
    urgent:
      applies_to: {severities: [sev1]}
      levels:
        - {timeout: 1h, targets: [{person: carol}]}
"""


def scenario(incidents: str, rest: str, horizon: str = "5d") -> str:
    return (
        "id: dyn\ntitle: Dynamics\nstart: 2026-01-05T00:00:00Z\n"
        f"horizon: {horizon}\n{textwrap.dedent(ORG)}incidents:\n"
        + textwrap.indent(textwrap.dedent(incidents).strip("\n"), "  ")
        + "\n"
        + textwrap.dedent(rest)
    )


def theft(contain: str) -> str:
    """Detected at once; alice acknowledges at 2m and contains it in ``contain``, then resolves it
    in 1h."""
    return f"""
    theft:
      title: Weight theft
      risk_area: cyber-offense
      severity: sev2
      detection: {{sources: {{dlp: {{probability: 1, delay: 0}}}}}}
      playbook:
        contain: {{role: responder, duration: {contain}, milestone: contained}}
        resolve: {{role: responder, duration: 1h, after: [contain], milestone: resolved}}
    misuse:
      title: Stolen weights misused
      risk_area: cyber-offense
      severity: sev2
      detection: {{sources: {{intel: {{probability: 1, delay: 0}}}}}}
      playbook:
        respond: {{role: responder, duration: 1h, milestone: resolved}}
    """


THEFT_AT_0 = """
injects:
  - {id: "1", at: 0m, kind: incident, incident: theft, text: go}
"""

NOT_CONTAINED = """
triggers:
  misuse-of-stolen-weights:
    when: {incident: theft, milestone: contained}
    not_within: 4h
    probability: {p}
    delay: 2d
    starts: misuse
"""


# the theft's policy pages bob (the CISO) first, alice after 30 minutes
CISO_FIRST = """  escalation:
    ciso-first:
      applies_to: {incidents: [theft]}
      levels:
        - {timeout: 30m, targets: [{person: bob}]}
        - {timeout: 1h, targets: [{person: alice}]}
"""


# --- triggers ----------------------------------------------------------------------------------


def test_not_contained_within_4h_starts_the_misuse_2d_later(tmp_path: Path) -> None:
    # Detected at 0, alice acknowledges at 2m and contains in 5h: contained at 302m > 240m. The
    # trigger fires at 240m and the misuse occurs 2 days later, at 240 + 2880 = 3120m.
    model = model_from(tmp_path, scenario(theft("5h"), THEFT_AT_0 + NOT_CONTAINED.replace("{p}", "1")))
    records = run(model).records or []
    branched = first(records, T.BRANCHED, incident=0)
    assert branched is not None and branched.time == pytest.approx(240.0)
    assert branched.subject == "misuse-of-stolen-weights"
    misuse = first(records, T.OCCURRED, incident=1)
    assert misuse is not None and misuse.time == pytest.approx(3120.0)
    assert misuse.subject == "trigger misuse-of-stolen-weights of #0"


def test_metrics_csv_says_what_started_each_incident(tmp_path: Path) -> None:
    # As above: #0 comes from inject 1, #1 from the trigger on #0; the column exists only for
    # scenarios with triggers (the replication is run again through `simulate`).
    from drillsim.scenario.loader import load_scenario

    cascade = scenario(theft("5h"), THEFT_AT_0 + NOT_CONTAINED.replace("{p}", "1"))
    plain = scenario(theft("5h"), THEFT_AT_0)
    for name, text in (("cascade", cascade), ("plain", plain)):
        scenario_ = load_scenario(_write(tmp_path, text))
        simulate(scenario_, text, count=2, seed=1, workers=1, out=tmp_path / name, results=tmp_path)
    header, *rows = (tmp_path / "cascade" / "metrics.csv").read_text().splitlines()
    assert header.split(",")[-1] == "origin"
    assert [row.split(",")[-1] for row in rows] == ["inject 1", "trigger misuse-of-stolen-weights of #0"] * 2
    assert "origin" not in (tmp_path / "plain" / "metrics.csv").read_text().splitlines()[0]


def test_contained_at_the_very_instant_the_time_runs_out_counts_as_in_time(tmp_path: Path) -> None:
    # alice acknowledges at 2m and contains in 3h58m: contained at exactly 240m, when the 4h run out.
    model = model_from(tmp_path, scenario(theft("3h58m"), THEFT_AT_0 + NOT_CONTAINED.replace("{p}", "1")))
    replication = run(model)
    contained = first(replication.records or [], T.MILESTONE, detail="contained")
    assert contained is not None and contained.time == 240.0
    assert first(replication.records or [], T.BRANCHED) is None
    assert [row.kind for row in replication.incidents] == ["theft"]


def test_contained_within_4h_starts_nothing(tmp_path: Path) -> None:
    # Contained at 2m + 3h = 182m < 240m: the trigger never fires.
    model = model_from(tmp_path, scenario(theft("3h"), THEFT_AT_0 + NOT_CONTAINED.replace("{p}", "1")))
    replication = run(model)
    assert [row.kind for row in replication.incidents] == ["theft"]
    assert first(replication.records or [], T.BRANCHED) is None


def test_not_within_fires_exactly_when_containment_took_longer(tmp_path: Path) -> None:
    # Containment takes 2m + U(2h, 6h): over 4h in about half of the replications. The trigger fires
    # (p = 1) in exactly the replications whose time_to_contain is over 240 minutes.
    text = scenario(theft("{uniform: {min: 2h, max: 6h}}"), THEFT_AT_0 + NOT_CONTAINED.replace("{p}", "1"))
    model = model_from(tmp_path, text)
    late = fired = 0
    for index in range(200):
        replication = run_replication(model, 3, index)
        contain = replication.incidents[0].values["time_to_contain"]
        assert replication.branches is not None
        did_fire = replication.branches.fired["misuse-of-stolen-weights"] == 1
        assert did_fire == (contain is None or contain > 240.0), index
        late += did_fire
        fired += len(replication.incidents) == 2
    assert 0 < late < 200 and fired == late


def test_a_cascade_fires_in_a_share_of_replications_matching_its_probability(tmp_path: Path) -> None:
    # One theft per replication, not contained within 4h every time (5h): the trigger fires with
    # probability 0.3, so the share of 400 replications in which it fired has an interval holding 0.3.
    model = model_from(tmp_path, scenario(theft("5h"), THEFT_AT_0 + NOT_CONTAINED.replace("{p}", "0.3")))
    aggregate = Aggregate(model, seed=11)
    for replication in replications(model, 11, 400):
        aggregate.add(replication)
    branch = aggregate.summary()["branches"]["triggers"]["misuse-of-stolen-weights"]
    low, high = branch["replications"]["ci95"]
    assert branch["replications"]["n"] == 400 and low < 0.3 < high
    assert high - low < 0.1
    assert branch["parents"]["p"] == branch["replications"]["p"]  # one parent per replication
    assert branch["when"] == "theft not contained within 4h"


def test_a_trigger_loop_is_stopped_by_the_incident_budget(tmp_path: Path) -> None:
    from drillsim.engine.world import EventBudgetError

    loop = """
    injects:
      - {id: "1", at: 0m, kind: incident, incident: theft, text: go}
    triggers:
      again: {when: {incident: theft, milestone: detected}, starts: misuse}
      back: {when: {incident: misuse, milestone: detected}, starts: theft}
    """
    text = scenario(theft("1h"), loop, horizon="1h")
    findings = check_file(_write(tmp_path, text)).warnings
    assert any("triggers form a loop: misuse starts theft starts misuse" in str(f) for f in findings)
    with pytest.raises(EventBudgetError, match=r"triggers\.(again|back) .* more than 100,000 incidents"):
        run_replication(model_from(tmp_path, text), 1, 0)


# --- severity changes --------------------------------------------------------------------------


def test_a_task_raising_the_severity_pages_the_new_policys_first_level(tmp_path: Path) -> None:
    # Detected at 0 (sev2: policy main pages alice and bob); alice acknowledges at 2m and assesses
    # for 30m: at 32m the incident is sev1, policy urgent pages carol, who joins at 36m. Contained
    # at 32m + 1h = 92m, at sev1; detected and acknowledged at sev2.
    incidents = """
    theft:
      title: Weight theft
      risk_area: cyber-offense
      severity: sev2
      detection: {sources: {dlp: {probability: 1, delay: 0}}}
      playbook:
        assess: {role: responder, duration: 30m, severity: sev1}
        contain: {role: responder, duration: 1h, after: [assess], milestone: contained}
    """
    model = model_from(tmp_path, scenario(incidents, THEFT_AT_0))
    replication = run(model)
    records = replication.records or []
    raised = first(records, T.SEVERITY)
    assert raised is not None and raised.time == pytest.approx(32.0) and raised.subject == "sev1"
    page = first(records, T.PAGED, who="carol")
    assert page is not None and page.time == pytest.approx(32.0)
    assert str(page.reason) == "severity policy urgent"
    joined = first(records, T.ENGAGED, who="carol")
    assert joined is not None and joined.time == pytest.approx(36.0)
    row = replication.incidents[0]
    assert row.severities == {
        "detected": "sev2",
        "acknowledged": "sev2",
        "contained": "sev1",
        "resolved": "sev1",
    }
    out = io.StringIO()
    MetricsWriter(out, ["time_to_contain"], {"theft": "sev2"}).add(replication)
    header, line = out.getvalue().splitlines()
    assert header.endswith(
        "severity_at_detected,severity_at_acknowledged,severity_at_contained,severity_at_resolved"
    )
    assert line.endswith(",sev2,sev2,sev1,sev1")


def test_a_trigger_and_an_inject_change_the_severity(tmp_path: Path) -> None:
    # Not contained within 4h (5h), the trigger makes the theft sev1 at once (carol paged at 240m);
    # contained at 302m, it is being resolved (302m to 362m) when the inject at 5h30m lowers it to
    # sev3 (policy main again: alice and bob paged at 330m).
    rest = """
    injects:
      - {id: "1", at: 0m, kind: incident, incident: theft, text: go}
      - {id: "2", at: 5h30m, kind: severity, incident: theft, severity: sev3, text: downgraded}
    triggers:
      escalate: {when: {incident: theft, milestone: contained}, not_within: 4h, severity: sev1}
    """
    records = run(model_from(tmp_path, scenario(theft("5h"), rest))).records or []
    changes = [(r.time, r.subject) for r in records if r.kind is T.SEVERITY]
    assert changes == [(pytest.approx(240.0), "sev1"), (pytest.approx(330.0), "sev3")]
    carol = first(records, T.PAGED, who="carol")
    assert carol is not None and carol.time == pytest.approx(240.0)
    alice_pages = [r.time for r in records if r.kind is T.PAGED and r.who == "alice"]
    assert alice_pages == [0.0, pytest.approx(330.0)]


# --- conditional injects -----------------------------------------------------------------------


def test_a_conditional_inject_is_released_exactly_when_its_condition_holds(tmp_path: Path) -> None:
    # "If the CISO has not acknowledged by T+20m, the press calls": the theft's policy pages bob
    # first (alice after 30m); bob answers half the time, after 10m to 30m. The press call at 20m
    # is released in exactly the replications where bob had not acknowledged by then.
    rest = """
    injects:
      - {id: "1", at: 0m, kind: incident, incident: theft, text: go}
      - id: "2"
        at: 20m
        kind: message
        text: The press calls
        condition: {unless: {acknowledged: {role: ciso}}}
    """
    model = model_from(tmp_path, scenario(theft("1h"), rest).replace("  escalation:\n", CISO_FIRST))
    released = 0
    for index in range(200):
        replication = run(model, 5, index)
        records = replication.records or []
        bob = first(records, T.ENGAGED, who="bob")
        condition = bob is None or bob.time > 20.0
        outcome = [r for r in records if r.kind in (T.RELEASED, T.WITHHELD)]
        assert [(r.incident, r.subject) for r in outcome] == [(T.SCENARIO, "2")]
        assert (outcome[0].kind is T.RELEASED) == condition, index
        released += condition
    assert 90 < released < 180  # unreached (1/2) or reached after 20m (1/2 × 1/2): about 3/4


def test_a_conditional_incident_inject_starts_its_incident_only_if_the_condition_holds(
    tmp_path: Path,
) -> None:
    # The misuse inject at 4h needs the theft contained by then: contained at 2m + 3h = 182m with
    # a 3h containment (released), at 302m with 5h (withheld).
    rest = """
    injects:
      - {id: "1", at: 0m, kind: incident, incident: theft, text: go}
      - id: "2"
        at: 4h
        kind: incident
        incident: misuse
        text: The weights turn up for sale
        condition: {if: {incident: theft, milestone: contained}}
    """
    for contain, kinds in (("3h", ["theft", "misuse"]), ("5h", ["theft"])):
        replication = run(model_from(tmp_path, scenario(theft(contain), rest)))
        assert [row.kind for row in replication.incidents] == kinds


# --- conditional complications -----------------------------------------------------------------


def test_a_released_complication_keeps_away_someone_paged_before_it(tmp_path: Path) -> None:
    # bob is paged at 0 and would answer (half the time) after 10m to 30m. At 5m nobody has
    # acknowledged, so "bob is called away unless the theft is acknowledged" is released: bob never
    # answers, alice is paged at 30m and acknowledges at 32m, in every replication. With `if` the
    # complication is withheld and bob answers as usual.
    def away(condition: str) -> str:
        return THEFT_AT_0 + (
            "  - {id: '2', at: 5m, kind: complication, text: Bob called away, unavailable: {person: bob},\n"
            f"     condition: {{{condition}: {{incident: theft, milestone: acknowledged}}}}}}\n"
        )

    released = model_from(
        tmp_path, scenario(theft("1h"), away("unless")).replace("  escalation:\n", CISO_FIRST)
    )
    for index in range(40):
        records = run(released, 5, index).records or []
        assert [r.kind for r in records if r.incident == T.SCENARIO] == [T.RELEASED]
        acked = first(records, T.ACKNOWLEDGED)
        assert acked is not None and (acked.who, acked.time) == ("alice", pytest.approx(32.0))
        assert first(records, T.ENGAGED, who="bob") is None
    withheld = model_from(tmp_path, scenario(theft("1h"), away("if")).replace("  escalation:\n", CISO_FIRST))
    by_bob = 0
    for index in range(40):
        records = run(withheld, 5, index).records or []
        assert [r.kind for r in records if r.incident == T.SCENARIO] == [T.WITHHELD]
        acked = first(records, T.ACKNOWLEDGED)
        assert acked is not None
        if acked.who == "bob":
            assert 10.0 <= acked.time <= 30.0
            by_bob += 1
        else:
            assert acked.time == pytest.approx(32.0)
    assert 8 < by_bob < 32  # reached half the time


def test_a_complication_released_at_the_moment_of_an_answer_keeps_the_answer_away(tmp_path: Path) -> None:
    # alice would answer at 2m; "alice is away from 2m unless the theft is acknowledged" is decided
    # at 2m, before her answer counts: nobody has acknowledged, so it is released and keeps her
    # away, exactly as the same complication without a condition would.
    for condition in ("    condition: {unless: {incident: theft, milestone: acknowledged}}\n", ""):
        rest = THEFT_AT_0 + (
            "  - id: '2'\n    at: 2m\n    kind: complication\n    text: Alice away\n"
            "    unavailable: {person: alice}\n" + condition
        )
        model = model_from(tmp_path, scenario(theft("1h"), rest))
        for index in range(10):
            records = run(model, 3, index).records or []
            assert first(records, T.ENGAGED, who="alice") is None, (condition, index)


def test_a_released_absence_holds_up_work_until_it_ends(tmp_path: Path) -> None:
    # alice acknowledges at 2m and contains the theft by 12m (10m). "alice is away from 10m for
    # 1h if the theft was acknowledged" is released at 10m: she finishes the containment she had
    # started, but the 1h resolution waits for her return at 70m and ends at 130m. Withheld
    # (`unless`), it starts at 12m and ends at 72m.
    for condition, resolved_at in (("if", 130.0), ("unless", 72.0)):
        rest = THEFT_AT_0 + (
            "  - {id: '2', at: 10m, kind: complication, text: Alice away, unavailable: {person: alice},\n"
            f"     for: 1h, condition: {{{condition}: {{incident: theft, milestone: acknowledged}}}}}}\n"
        )
        records = run(model_from(tmp_path, scenario(theft("10m"), rest))).records or []
        resolved = first(records, T.MILESTONE, detail="resolved")
        assert resolved is not None and resolved.time == pytest.approx(resolved_at), condition


def test_a_released_paging_delay_slows_pages_sent_after_it(tmp_path: Path) -> None:
    # Pages are delayed 10m from 30m if the theft was contained by then (at 2m + 20m = 22m: yes;
    # at 2m + 40m = 42m: no). The misuse starts at 1h and is detected at once: alice answers its
    # page 2m after it reaches her, at 72m when delayed, at 62m when not.
    for contain, acked_at in (("20m", 72.0), ("40m", 62.0)):
        rest = THEFT_AT_0 + (
            "  - {id: '2', at: 30m, kind: complication, text: Pager outage, paging_delay: 10m,\n"
            "     condition: {if: {incident: theft, milestone: contained}}}\n"
            "  - {id: '3', at: 1h, kind: incident, incident: misuse, text: go}\n"
        )
        records = run(model_from(tmp_path, scenario(theft(contain), rest))).records or []
        acked = first(records, T.ACKNOWLEDGED, incident=1)
        assert acked is not None and acked.time == pytest.approx(acked_at), contain


def test_a_source_silenced_by_a_released_complication_detects_nothing(tmp_path: Path) -> None:
    # The misuse occurs at 0 and its intel source would fire at 30m; a fallback detects it at 3h.
    # From 10m to 1h10m intel is silenced if the theft was contained by then (2m + 5m = 7m: yes,
    # so the fallback detects it at 180m; 2m + 20m = 22m: no, intel at 30m). Without a fallback,
    # the silenced source leaves it undetected.
    def kinds(contain: str, fallback: str) -> str:
        return theft(contain).replace(
            "detection: {sources: {intel: {probability: 1, delay: 0}}}",
            "detection: {sources: {intel: {probability: 1, delay: 30m}}" + fallback + "}",
        )

    rest = THEFT_AT_0 + (
        "  - {id: '2', at: 0m, kind: incident, incident: misuse, text: go}\n"
        "  - {id: '3', at: 10m, kind: complication, text: Feed down, disable_source: intel, for: 1h,\n"
        "     condition: {if: {incident: theft, milestone: contained}}}\n"
    )
    for contain, fallback, detected_at in (
        ("5m", ", fallback: {delay: 3h}", 180.0),
        ("20m", ", fallback: {delay: 3h}", 30.0),
        ("5m", "", None),
    ):
        replication = run(model_from(tmp_path, scenario(kinds(contain, fallback), rest)))
        detected = first(replication.records or [], T.DETECTED, incident=1)
        assert (detected.time if detected else None) == (pytest.approx(detected_at) if detected_at else None)
        misuse = replication.incidents[1]
        assert misuse.kind == "misuse"
        if detected_at is None:
            assert misuse.values["time_to_detect"] is None  # censored, as any undetected incident


def test_conditional_complications_round_trip_through_the_msel_csv(tmp_path: Path) -> None:
    from drillsim.scenario.loader import load_scenario
    from drillsim.scenario.msel import export_csv, import_csv

    rest = THEFT_AT_0 + (
        "  - {id: '2', at: 10m, kind: complication, text: Alice away, unavailable: {person: alice},\n"
        "     for: 1h, condition: {unless: {incident: theft, milestone: contained}}}\n"
    )
    path = _write(tmp_path, scenario(theft("1h"), rest))
    before = load_scenario(path)
    csv_text = export_csv(before)
    assert '"{unless: {incident: theft, milestone: contained}}"' in csv_text
    assert '"{unavailable: {person: alice}, for: 1h}"' in csv_text
    csv_path = tmp_path / "msel.csv"
    csv_path.write_text(csv_text.replace("Alice away", "Alice is away"), encoding="utf-8")
    assert import_csv(csv_path, path)
    after = load_scenario(path)
    assert after.injects[1].text == "Alice is away"
    assert after.injects[1].condition == before.injects[1].condition
    assert [i.model_copy(update={"text": ""}) for i in after.injects] == [
        i.model_copy(update={"text": ""}) for i in before.injects
    ]


# --- whole runs --------------------------------------------------------------------------------


def test_summary_is_identical_with_one_and_two_workers(tmp_path: Path) -> None:
    from drillsim.scenario.loader import load_scenario

    text = scenario(
        theft("{uniform: {min: 2h, max: 6h}}"),
        THEFT_AT_0
        + NOT_CONTAINED.replace("{p}", "0.5").replace("delay: 2d", "delay: {uniform: {min: 1h, max: 2d}}"),
    )
    scenario_ = load_scenario(_write(tmp_path, text))
    summaries = [
        simulate(
            scenario_,
            text,
            count=60,
            seed=4,
            workers=workers,
            out=tmp_path / f"w{workers}",
            results=tmp_path,
            chunk=7,
        ).summary
        for workers in (1, 2)
    ]
    assert json.dumps(summaries[0]) == json.dumps(summaries[1])
    assert "branches" in summaries[0]
    one, two = ((tmp_path / f"w{w}" / "summary.json").read_bytes() for w in (1, 2))
    assert one == two


def test_the_flagship_report_shows_its_branch_probabilities(tmp_path: Path) -> None:
    # The bundled flagship's cascade and conditional inject, in summary.json, the terminal and the
    # readiness report: what fired or was released, in what share of the replications.
    from paths import SCENARIOS
    from rich.console import Console

    from drillsim.report.terminal import print_branches
    from drillsim.scenario.loader import load_scenario
    from drillsim.scenario.snapshot import snapshot_text

    path = SCENARIOS / "flagship-concurrent.yaml"
    result = simulate(
        load_scenario(path),
        snapshot_text(path),
        count=40,
        seed=0,
        workers=1,
        out=tmp_path / "r",
        results=tmp_path,
    )
    branches = result.summary["branches"]
    trigger = branches["triggers"]["stolen-weights-misused"]
    assert trigger["when"] == "weight-exfiltration not contained within 2h" and trigger["probability"] == 0.3
    inject = branches["injects"]["3a"]
    assert (inject["at"], inject["kind"]) == ("20m", "message") and inject["text"].startswith("CEO (Slack)")
    assert 0 < inject["released"]["p"] <= 1 and inject["released"]["n"] == 40
    buffer = io.StringIO()
    print_branches(branches, Console(file=buffer, width=300, color_system=None))
    assert "3a (T+20m, message)" in buffer.getvalue() and "stolen-weights-misused" in buffer.getvalue()
    from drillsim.report.writer import write_report

    write_report(tmp_path / "r")
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    section = html.split("Branch probabilities</h2>")[1].split("<h2")[0]
    assert "stolen-weights-misused" in section and "3a (T+20m, message)" in section
    assert "unless person marcus-lindqvist acknowledged weight-exfiltration" in section


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- live drills -------------------------------------------------------------------------------


def test_the_coordinator_sees_the_branch_fire_and_the_conditional_inject(tmp_path: Path) -> None:
    # A drill with nobody in the room: everyone is simulated as above. The theft is not contained
    # within 4h (5h), so the branch fires at 240m; the press call at 20m is released unless bob
    # acknowledged, and the event log says which.
    from drill_helpers import FakeTime

    from drillsim.drill.session import DrillSession
    from drillsim.tui.format import Names, Narrator
    from drillsim.tui.widgets.msel import coming

    rest = (
        THEFT_AT_0
        + """  - {id: "2", at: 20m, kind: message, text: Press, condition: {if: {milestone: detected}}}
"""
        + NOT_CONTAINED.replace("{p}", "1")
    )
    text = scenario(theft("5h"), rest)
    path = _write(tmp_path, text)
    from drillsim.scenario.loader import load_scenario

    fake = FakeTime()
    session = DrillSession.start(
        load_scenario(path), text, players=(), speed=60, seed=1, results=tmp_path, time_source=fake
    )
    _, upcoming = session.msel_view()
    assert coming(upcoming[0]) == "(if any incident detected) Press"  # the coordinator sees the condition
    fake.seconds = 300.0  # five minutes of wall time at 60×: T+5h
    session.tick()
    narrator = Narrator(Names(session.scenario, session.players))
    lines = [narrator.sentence(r) for r in session.records]
    said = [line[0] for line in lines if line is not None]
    assert "inject 2 released: its condition held" in said
    assert "#0: branch misuse-of-stolen-weights fired" in said
    released, upcoming = session.msel_view()
    assert upcoming == []
    assert [i["id"] for i in released] == ["1", "2"] and released[1][
        "condition"
    ] == "if any incident detected"
    assert [row["number"] for row in session.incidents_view()] == [0]  # the misuse starts at 3120m
    session.close()


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rest", "message"),
    [
        (
            "triggers:\n  t: {when: {incident: thef, milestone: contained}, starts: misuse}\n",
            "triggers.t.when.incident: unknown incident 'thef'; did you mean 'theft'?",
        ),
        (
            "triggers:\n  t: {when: {incident: theft, milestone: contained}, starts: misuse2}\n",
            "triggers.t.starts: unknown incident 'misuse2'; did you mean 'misuse'?",
        ),
        (
            "triggers:\n  t: {when: {incident: theft, task: contian}, starts: misuse}\n",
            "triggers.t.when.task: unknown task 'contian'; did you mean 'contain'?",
        ),
        (
            "triggers:\n  t: {when: {incident: misuse, milestone: contained}, starts: theft}\n",
            "triggers.t.when.milestone: misuse has no task with milestone: contained",
        ),
        (
            THEFT_AT_0 + "  - {id: '2', at: 1h, kind: message, text: x, condition: {if: {task: contain}}}\n",
            "injects[1].condition.if.task: a task needs `incident`",
        ),
        (
            THEFT_AT_0
            + "  - {id: '2', at: 1h, kind: message, text: x,\n"
            + "     condition: {unless: {acknowledged: {role: cfo}}}}\n",
            "injects[1].condition.unless.acknowledged.role: unknown role 'cfo'",
        ),
        (
            "triggers:\n  t: {when: {incident: theft, milestone: detected}, severity: sev4}\n",
            "triggers.t.severity: no escalation policy applies to incident 'theft' (sev4)",
        ),
    ],
)
def test_bad_references_in_dynamics_exit_2_naming_where(rest: str, message: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from drillsim.cli import app

    path = _write(tmp_path, scenario(theft("1h"), rest))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert message in result.stdout + result.stderr
