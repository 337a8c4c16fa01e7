"""Hand-computed cases: every distribution fixed, every reachability 0 or 1, so each time is exact.

Each scenario starts on Monday 2026-01-05 00:00 UTC; scenario time is in minutes. The expected
times are worked out in the comments from the scenario language reference (docs/scenarios.md) and
the World's documented rules, not from running the engine.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from engine_helpers import TWO_LEVELS, first, model_from, rows, run

from drillsim import facts as T


def scenario(org: str, incidents: str, injects: str, *, horizon: str = "3d", extra: str = "") -> str:
    """A scenario with an inline organisation; the arguments are YAML blocks (dedented)."""

    def block(text: str, indent: int) -> str:
        return textwrap.indent(textwrap.dedent(text).strip("\n"), " " * indent)

    return (
        "id: case\ntitle: Hand-computed case\nstart: 2026-01-05T00:00:00Z\n"
        f"horizon: {horizon}\norganisation:\n  id: org\n  name: Org\n{block(org, 2)}\n"
        f"incidents:\n{block(incidents, 2)}\ninjects:\n{block(injects, 2)}\n" + textwrap.dedent(extra)
    )


def inject(at: str, incident: str = "inc", n: int = 1) -> str:
    return f"- {{id: '{n}', at: {at}, kind: incident, incident: {incident}, text: go}}\n"


def one_task_incident(
    sources: str = "{mon: {probability: 1, delay: 0}}",
    fallback: str = "",
    severity: str = "sev2",
    role: str = "responder",
    duration: str = "30m",
    kid: str = "inc",
) -> str:
    return f"""
    {kid}:
      title: Incident
      risk_area: other
      severity: {severity}
      detection: {{sources: {sources}{fallback}}}
      playbook:
        work: {{role: {role}, duration: {duration}, milestone: resolved}}
    """


def with_people(org: str, **changes: str) -> str:
    """``org`` with the line of each person named in ``changes`` replaced."""
    lines = []
    for line in textwrap.dedent(org).splitlines():
        key = line.strip().split(":")[0]
        person_line = line.startswith("  ") and not line.startswith("   ")
        lines.append(f"  {key}: {changes[key]}" if key in changes and person_line else line)
    return "\n".join(lines)


# --- detection ---------------------------------------------------------------------------------


def test_detection_by_the_earliest_firing_source(tmp_path: Path) -> None:
    # Sources: slow fires at 30m, fast at 10m, never (probability 0) would have been at 1m.
    # Occurs at 60 → detected at 70 by "fast"; time_to_detect 10; alice acks at 72.
    incidents = one_task_incident(
        "{slow: {probability: 1, delay: 30m}, fast: {probability: 1, delay: 10m},"
        " never: {probability: 0, delay: 1m}}"
    )
    model = model_from(tmp_path, scenario(TWO_LEVELS, incidents, inject("1h")))
    rep = run(model)
    detected = first(rep.records, T.DETECTED)
    assert (detected.time, detected.detail) == (70.0, "fast")
    assert rows(rep.records)[:2] == [(60.0, T.OCCURRED, None, "inject 1"), (70.0, T.DETECTED, None, "fast")]
    values = rep.incidents[0].values
    assert values["time_to_detect"] == 10.0
    assert values["time_to_acknowledge"] == 2.0
    assert rep.incidents[0].occurred == 60.0


def test_disabled_source_falls_back_to_the_next_source(tmp_path: Path) -> None:
    # "fast" would fire at 70, inside its disabled window [0, 3h): "slow" detects at 60 + 30 = 90.
    incidents = one_task_incident("{slow: {probability: 1, delay: 30m}, fast: {probability: 1, delay: 10m}}")
    injects = (
        inject("1h") + "- {id: '2', at: 0m, kind: complication, disable_source: fast, for: 3h, text: down}\n"
    )
    rep = run(model_from(tmp_path, scenario(TWO_LEVELS, incidents, injects)))
    detected = first(rep.records, T.DETECTED)
    assert (detected.time, detected.detail) == (90.0, "slow")
    assert rep.incidents[0].values["time_to_detect"] == 30.0


def test_source_disabled_only_before_it_fires_still_detects(tmp_path: Path) -> None:
    # The window [0, 65m) ends before "fast" fires at 70: it detects.
    incidents = one_task_incident("{slow: {probability: 1, delay: 30m}, fast: {probability: 1, delay: 10m}}")
    injects = (
        inject("1h") + "- {id: '2', at: 0m, kind: complication, disable_source: fast, for: 65m, text: down}\n"
    )
    rep = run(model_from(tmp_path, scenario(TWO_LEVELS, incidents, injects)))
    assert (first(rep.records, T.DETECTED).time, first(rep.records, T.DETECTED).detail) == (70.0, "fast")


def test_every_source_disabled_uses_the_fallback(tmp_path: Path) -> None:
    # The only source is disabled for the whole run: the fallback (2d) detects at 1h + 2d = 2940.
    incidents = one_task_incident("{fast: {probability: 1, delay: 10m}}", ", fallback: {delay: 2d}")
    injects = inject("1h") + "- {id: '2', at: 0m, kind: complication, disable_source: fast, text: down}\n"
    rep = run(model_from(tmp_path, scenario(TWO_LEVELS, incidents, injects)))
    detected = first(rep.records, T.DETECTED)
    assert (detected.time, detected.detail) == (2940.0, "fallback")
    assert rep.incidents[0].values["time_to_detect"] == 2880.0
    assert rep.incidents[0].values["time_to_acknowledge"] == 2.0


def test_no_source_and_no_fallback_leaves_the_incident_undetected(tmp_path: Path) -> None:
    incidents = one_task_incident("{never: {probability: 0, delay: 1m}}")
    rep = run(model_from(tmp_path, scenario(TWO_LEVELS, incidents, inject("1h"))))
    assert rows(rep.records) == [(60.0, T.OCCURRED, None, "inject 1")]
    values = rep.incidents[0].values
    assert values["time_to_detect"] is None and values["time_to_acknowledge"] is None
    assert values["time_to_resolve"] is None
    assert rep.incidents[0].pages == 0


# --- escalation --------------------------------------------------------------------------------


def test_unanswered_first_level_escalates_after_its_timeout(tmp_path: Path) -> None:
    # alice never answers (reachability 0). Detected at 0; level 1 times out at 5 → level 2 pages
    # bob, who acknowledges at 5 + 3 = 8 and starts the task (needs role responder, which he has).
    org = with_people(
        TWO_LEVELS, alice="{name: Alice, teams: [ops], roles: [responder], reachability: 0, ack_delay: 2m}"
    )
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(), inject("0m"))))
    assert rows(rep.records) == [
        (0.0, T.OCCURRED, None, "inject 1"),
        (0.0, T.DETECTED, None, "mon"),
        (0.0, T.PAGED, "alice", "level 1"),
        (5.0, T.ESCALATED, None, "level 2"),
        (5.0, T.PAGED, "bob", "level 2"),
        (8.0, T.ACKNOWLEDGED, "bob", None),
        (8.0, T.ENGAGED, "bob", None),
        (8.0, T.TASK_READY, None, "work"),
        (8.0, T.TASK_STARTED, "bob", "work"),
        (38.0, T.TASK_DONE, "bob", "work"),
        (38.0, T.MILESTONE, None, "resolved"),
    ]
    m = rep.incidents[0]
    assert m.values["time_to_acknowledge"] == 8.0
    assert m.values["time_to_engage"] == 8.0
    assert m.values["time_to_mobilize"] == 8.0
    assert m.values["time_to_resolve"] == 38.0
    assert (m.pages, m.escalations) == (2, 1)
    assert m.breakdown == {
        "waiting_for_ack": 8.0,
        "waiting_for_responder": 0.0,
        "waiting_for_authority": 0.0,
        "working": 30.0,
    }


def test_late_ack_from_level_one_beats_level_two(tmp_path: Path) -> None:
    # alice acks after 7m, level 1 times out at 5: bob is paged at 5 (would ack at 5 + 10 = 15), but
    # alice's page stays open and her ack at 7 is the first: she acknowledges and does the work.
    org = with_people(
        TWO_LEVELS,
        bob="{name: Bob, teams: [ops], roles: [responder], reachability: 1, ack_delay: 10m}",
        alice="{name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 7m}",
    )
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(), inject("0m"))))
    ack = first(rep.records, T.ACKNOWLEDGED)
    assert (ack.time, ack.who) == (7.0, "alice")
    assert first(rep.records, T.TASK_STARTED).who == "alice"
    assert [r.who for r in rep.records if r.kind == T.ENGAGED] == ["alice"]  # bob's later ack changes nothing
    m = rep.incidents[0]
    assert m.values["time_to_acknowledge"] == 7.0
    assert (m.pages, m.escalations) == (2, 1)


def test_ack_exactly_at_the_timeout_does_not_escalate(tmp_path: Path) -> None:
    # alice acks after exactly 5m, the level's timeout: an answer in time, no escalation.
    org = with_people(
        TWO_LEVELS, alice="{name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 5m}"
    )
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(), inject("0m"))))
    assert first(rep.records, T.ACKNOWLEDGED).who == "alice"
    assert (rep.incidents[0].pages, rep.incidents[0].escalations) == (1, 0)


def test_repeat_exhausts_without_an_ack(tmp_path: Path) -> None:
    # Nobody answers. Levels 5m + 10m, run twice (repeat 1): pages at 0, 5, 15, 20; exhausted at 30.
    org = """
    teams: {ops: {name: Ops}}
    people:
      alice: {name: Alice, teams: [ops], roles: [responder], reachability: 0, ack_delay: 2m}
      bob: {name: Bob, teams: [ops], roles: [responder], reachability: 0, ack_delay: 3m}
    escalation:
      main:
        repeat: 1
        levels:
          - {timeout: 5m, targets: [{person: alice}]}
          - {timeout: 10m, targets: [{person: bob}]}
    """
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(), inject("0m"), horizon="1d")))
    assert rows(rep.records) == [
        (0.0, T.OCCURRED, None, "inject 1"),
        (0.0, T.DETECTED, None, "mon"),
        (0.0, T.PAGED, "alice", "level 1"),
        (5.0, T.ESCALATED, None, "level 2"),
        (5.0, T.PAGED, "bob", "level 2"),
        (15.0, T.ESCALATED, None, "level 1"),
        (15.0, T.PAGED, "alice", "level 1"),
        (20.0, T.ESCALATED, None, "level 2"),
        (20.0, T.PAGED, "bob", "level 2"),
        (30.0, T.EXHAUSTED, None, "level"),
    ]
    m = rep.incidents[0]
    assert (m.pages, m.escalations) == (4, 3)
    assert m.values["time_to_detect"] == 0.0
    for metric in ("time_to_acknowledge", "time_to_engage", "time_to_mobilize", "time_to_resolve"):
        assert m.values[metric] is None, metric  # censored
    assert "time_to_contain" not in m.values and "time_to_authority" not in m.values  # not applicable
    assert m.breakdown["waiting_for_ack"] == 1440.0  # detection to the end of the run


def test_late_ack_after_exhaustion_still_counts(tmp_path: Path) -> None:
    # alice answers after 40m; the policy (5m + 10m, no repeat) is exhausted at 15, but her page is
    # still open: she acknowledges at 40 and works 40 → 70.
    org = with_people(
        TWO_LEVELS,
        alice="{name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 40m}",
        bob="{name: Bob, teams: [ops], roles: [responder], reachability: 0, ack_delay: 3m}",
    )
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(), inject("0m"))))
    assert first(rep.records, T.EXHAUSTED).time == 15.0
    ack = first(rep.records, T.ACKNOWLEDGED)
    assert (ack.time, ack.who) == (40.0, "alice")
    assert rep.incidents[0].values["time_to_resolve"] == 70.0


# --- playbooks ---------------------------------------------------------------------------------

PLAYBOOK_ORG = """
teams: {ops: {name: Ops}}
people:
  alice: {name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 2m, reports_to: dana}
  carol: {name: Carol, teams: [ops], roles: [counsel], reachability: 1, ack_delay: 4m}
  dana: {name: Dana, teams: [ops], roles: [head-of-safety], reachability: 1, ack_delay: 3m, reports_to: erin}
  erin: {name: Erin, teams: [ops], roles: [cto], reachability: 1, ack_delay: 4m}
authorities:
  halt: {title: Halt the deployment, roles: [head-of-safety, cto]}
escalation:
  main:
    levels:
      - {timeout: 5m, targets: [{person: alice}]}
      - {timeout: 10m, targets: [{person: dana}]}
"""


def playbook_incident(decision: str = "") -> str:
    return f"""
    inc:
      title: Incident
      risk_area: other
      severity: sev1
      detection: {{sources: {{mon: {{probability: 1, delay: 15m}}}}}}
      playbook:
        triage: {{role: responder, duration: 10m}}
        isolate: {{role: responder, after: [triage], duration: 30m, milestone: contained{decision}}}
        notify: {{role: counsel, after: [triage], duration: 20m}}
        recover: {{role: responder, after: [isolate], duration: 1h, milestone: resolved}}
    """


def test_playbook_chain_times_are_sums(tmp_path: Path) -> None:
    # Occurs 0, detected 15, alice acks 17 and triages 17 → 27. Then isolate (alice, 27 → 57:
    # contained) and notify (carol, not engaged: paged at 27, acks at 31, works 31 → 51) run in
    # parallel; recover (alice) 57 → 117: resolved.
    rep = run(model_from(tmp_path, scenario(PLAYBOOK_ORG, playbook_incident(), inject("0m"))))
    started = {r.detail: (r.time, r.who) for r in rep.records if r.kind == T.TASK_STARTED}
    done = {r.detail: r.time for r in rep.records if r.kind == T.TASK_DONE}
    assert started == {
        "triage": (17.0, "alice"),
        "isolate": (27.0, "alice"),
        "notify": (31.0, "carol"),
        "recover": (57.0, "alice"),
    }
    assert done == {"triage": 27.0, "isolate": 57.0, "notify": 51.0, "recover": 117.0}
    assert first(rep.records, T.PAGED, who="carol").time == 27.0
    assert first(rep.records, T.PAGED, who="carol").detail == "task notify"
    assert first(rep.records, T.ENGAGED, who="carol").time == 31.0
    assert first(rep.records, T.MILESTONE, detail="contained").time == 57.0
    assert first(rep.records, T.MILESTONE, detail="resolved").time == 117.0
    m = rep.incidents[0]
    assert m.values == {
        "time_to_detect": 15.0,
        "time_to_acknowledge": 2.0,
        "time_to_engage": 2.0,
        "time_to_mobilize": 16.0,  # carol, the last person the playbook needs, engaged at 31
        "time_to_contain": 42.0,
        "time_to_resolve": 102.0,
    }
    assert (m.pages, m.escalations) == (2, 0)
    assert m.breakdown == {
        "waiting_for_ack": 2.0,
        "waiting_for_responder": 4.0,
        "waiting_for_authority": 0.0,
        "working": 10.0 + 30.0 + 20.0 + 60.0,
    }


def test_decision_gate_adds_the_authority_holders_ack_delay(tmp_path: Path) -> None:
    # isolate needs 'halt': ready at 27, dana (head-of-safety, first in delegation order) is paged at
    # 27 and acks at 30; isolate runs 30 → 60 (contained), recover 60 → 120 (resolved).
    rep = run(
        model_from(tmp_path, scenario(PLAYBOOK_ORG, playbook_incident(", decision: halt"), inject("0m")))
    )
    assert rows([r for r in rep.records if r.detail and "halt" in r.detail]) == [
        (27.0, T.DECISION_NEEDED, None, "halt"),
        (27.0, T.PAGED, "dana", "authority halt 1"),
        (30.0, T.DECISION, "dana", "halt"),
    ]
    assert first(rep.records, T.TASK_STARTED, detail="isolate").time == 30.0
    m = rep.incidents[0]
    assert m.values["time_to_authority"] == 30.0 - 15.0
    assert m.values["time_to_contain"] == 60.0 - 15.0
    assert m.values["time_to_resolve"] == 120.0 - 15.0
    assert m.breakdown["waiting_for_authority"] == 3.0
    assert (
        m.breakdown["waiting_for_responder"] == 4.0
    )  # carol's page for notify; isolate starts at the decision


def test_late_decision_from_the_first_role_beats_the_delegate(tmp_path: Path) -> None:
    # dana answers after 6m, past the 5m tier timeout: erin (cto) is paged at 32 (would answer at 36),
    # but dana's page stays open and she decides at 33.
    org = with_people(
        PLAYBOOK_ORG,
        dana="{name: Dana, teams: [ops], roles: [head-of-safety], reachability: 1, "
        "ack_delay: 6m, reports_to: erin}",
    )
    rep = run(model_from(tmp_path, scenario(org, playbook_incident(", decision: halt"), inject("0m"))))
    assert rows([r for r in rep.records if r.detail and "halt" in r.detail]) == [
        (27.0, T.DECISION_NEEDED, None, "halt"),
        (27.0, T.PAGED, "dana", "authority halt 1"),
        (32.0, T.ESCALATED, None, "authority halt 2"),
        (32.0, T.PAGED, "erin", "authority halt 2"),
        (33.0, T.DECISION, "dana", "halt"),
    ]
    assert rep.incidents[0].values["time_to_authority"] == 18.0


def test_decision_delegates_to_the_next_role_after_the_timeout(tmp_path: Path) -> None:
    # dana is unreachable: her tier times out after the policy's level-1 timeout (5m) at 32; erin
    # (cto) is paged at 32 and decides at 36. isolate 36 → 66, recover 66 → 126.
    org = with_people(
        PLAYBOOK_ORG,
        dana="{name: Dana, teams: [ops], roles: [head-of-safety], reachability: 0, "
        "ack_delay: 3m, reports_to: erin}",
    )
    rep = run(model_from(tmp_path, scenario(org, playbook_incident(", decision: halt"), inject("0m"))))
    assert rows([r for r in rep.records if r.detail and "halt" in r.detail]) == [
        (27.0, T.DECISION_NEEDED, None, "halt"),
        (27.0, T.PAGED, "dana", "authority halt 1"),
        (32.0, T.ESCALATED, None, "authority halt 2"),
        (32.0, T.PAGED, "erin", "authority halt 2"),
        (36.0, T.DECISION, "erin", "halt"),
    ]
    m = rep.incidents[0]
    assert m.values["time_to_authority"] == 21.0
    assert m.values["time_to_contain"] == 66.0 - 15.0
    assert (m.pages, m.escalations) == (1 + 1 + 2, 1)  # alice, carol (task), dana and erin; one escalation


def test_nobody_decides_after_the_repeated_tiers(tmp_path: Path) -> None:
    # dana and erin never answer; the policy repeats once, so the tiers run twice with the level
    # timeouts (5m, 10m): pages at 27, 32, 42, 47, exhausted at 57. Then the authority is asked again
    # one cycle (15m) later: dana at 72, erin at 77, ... isolate and recover never start; notify
    # (carol, 31 → 51) is unaffected.
    org = with_people(
        PLAYBOOK_ORG,
        dana="{name: Dana, teams: [ops], roles: [head-of-safety], reachability: 0, ack_delay: 3m, "
        "reports_to: erin}",
        erin="{name: Erin, teams: [ops], roles: [cto], reachability: 0, ack_delay: 4m}",
    )
    org = org.replace("  main:\n", "  main:\n    repeat: 1\n")
    rep = run(model_from(tmp_path, scenario(org, playbook_incident(", decision: halt"), inject("0m"))))
    assert rows([r for r in rep.records if r.detail and "halt" in r.detail])[:11] == [
        (27.0, T.DECISION_NEEDED, None, "halt"),
        (27.0, T.PAGED, "dana", "authority halt 1"),
        (32.0, T.ESCALATED, None, "authority halt 2"),
        (32.0, T.PAGED, "erin", "authority halt 2"),
        (42.0, T.ESCALATED, None, "authority halt 1"),
        (42.0, T.PAGED, "dana", "authority halt 1"),
        (47.0, T.ESCALATED, None, "authority halt 2"),
        (47.0, T.PAGED, "erin", "authority halt 2"),
        (57.0, T.EXHAUSTED, None, "authority halt"),
        (72.0, T.PAGED, "dana", "authority halt 1"),
        (77.0, T.ESCALATED, None, "authority halt 2"),
    ]
    assert first(rep.records, T.DECISION) is None
    assert {r.detail for r in rep.records if r.kind == T.TASK_STARTED} == {"triage", "notify"}
    m = rep.incidents[0]
    assert m.values["time_to_acknowledge"] == 2.0
    for metric in ("time_to_authority", "time_to_contain", "time_to_resolve", "time_to_mobilize"):
        assert m.values[metric] is None, metric
    assert m.breakdown["waiting_for_authority"] == 3 * 1440.0 - 27.0


def test_sev1_is_served_before_an_earlier_waiting_sev3(tmp_path: Path) -> None:
    # One responder, alice (acks at once). Jobs take 1h. low#0 occupies her 0 → 60; low#1 waits
    # from 10, low#2 from 15, the sev1 from 20. At 60 the sev1 goes first (60 → 120), then the
    # sev3s first come, first served: low#1 120 → 180, low#2 180 → 240.
    org = """
    teams: {ops: {name: Ops}}
    people:
      alice: {name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 0}
    escalation:
      main:
        levels:
          - {timeout: 5m, targets: [{person: alice}]}
    """
    incidents = "\n".join(
        f"""
        {kid}:
          title: {kid}
          risk_area: other
          severity: {sev}
          detection: {{sources: {{mon: {{probability: 1, delay: 0}}}}}}
          playbook:
            work: {{role: responder, duration: 1h, milestone: resolved}}
        """
        for kid, sev in (("low", "sev3"), ("high", "sev1"))
    )
    injects = (
        inject("0m", "low", 1) + inject("10m", "low", 2) + inject("15m", "low", 3) + inject("20m", "high", 4)
    )
    rep = run(model_from(tmp_path, scenario(org, incidents, injects)))
    starts = {r.incident: r.time for r in rep.records if r.kind == T.TASK_STARTED}
    assert starts == {0: 0.0, 1: 120.0, 2: 180.0, 3: 60.0}
    engage = {m.number: (m.kind, m.values["time_to_engage"]) for m in rep.incidents}
    assert engage == {0: ("low", 0.0), 1: ("low", 110.0), 2: ("low", 165.0), 3: ("high", 40.0)}


# --- complications -----------------------------------------------------------------------------


def test_paging_delay_adds_to_the_acknowledgement(tmp_path: Path) -> None:
    # Pages sent in [0, 1h) arrive 10m late. Incident at 30m: alice acks at 30 + 2 + 10 = 42 (within
    # the 15m level). Incident at 2h: no delay, acks at 122.
    org = TWO_LEVELS.replace("{timeout: 5m,", "{timeout: 15m,")
    injects = (
        inject("30m", n=1)
        + inject("2h", n=2)
        + "- {id: '3', at: 0m, kind: complication, paging_delay: 10m, for: 1h, text: pager down}\n"
    )
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(duration="5m"), injects)))
    assert [(m.values["time_to_acknowledge"], m.escalations) for m in rep.incidents] == [(12.0, 0), (2.0, 0)]
    assert first(rep.records, T.ACKNOWLEDGED, incident=0).time == 42.0


def test_unavailable_person_does_not_answer(tmp_path: Path) -> None:
    # alice is away in [0, 1h): the incident at 10m escalates at 15 to bob, who acks at 18.
    injects = (
        inject("10m")
        + "- {id: '2', at: 0m, kind: complication, unavailable: {person: alice}, for: 1h, text: away}\n"
    )
    rep = run(model_from(tmp_path, scenario(TWO_LEVELS, one_task_incident(), injects)))
    ack = first(rep.records, T.ACKNOWLEDGED)
    assert (ack.time, ack.who) == (18.0, "bob")
    assert rep.incidents[0].values["time_to_acknowledge"] == 8.0


def test_called_away_before_answering(tmp_path: Path) -> None:
    # alice would ack 10m after her page at 0 (level timeout 15m), but she is called away at 5m:
    # she never answers, bob is paged at 15 and acks at 18.
    org = TWO_LEVELS.replace("{timeout: 5m,", "{timeout: 15m,")
    org = with_people(
        org, alice="{name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 10m}"
    )
    injects = (
        inject("0m")
        + "- {id: '2', at: 5m, kind: complication, unavailable: {person: alice}, for: 1m, text: x}\n"
    )
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(), injects)))
    ack = first(rep.records, T.ACKNOWLEDGED)
    assert (ack.time, ack.who) == (18.0, "bob")


# bob (a lead) takes the incident's only level; alice is the only analyst, for tasks that need one.
LEAD_AND_ANALYST = """
teams: {ops: {name: Ops}}
people:
  alice: {name: Alice, teams: [ops], roles: [analyst], reachability: 1, ack_delay: 2m}
  bob: {name: Bob, teams: [ops], roles: [lead], reachability: 1, ack_delay: 3m}
escalation:
  main:
    levels:
      - {timeout: 5m, targets: [{person: bob}]}
"""


def test_task_waits_for_a_person_to_come_back(tmp_path: Path) -> None:
    # bob acknowledges at 3 but the task needs an analyst, and alice (the only one) is away until
    # 1h: she is paged for the task when she returns at 60, acks at 62 and works 62 → 92.
    org = LEAD_AND_ANALYST
    injects = (
        inject("0m")
        + "- {id: '2', at: 0m, kind: complication, unavailable: {person: alice}, for: 1h, text: away}\n"
    )
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(role="analyst"), injects)))
    assert rows([r for r in rep.records if r.who == "alice" or r.kind == T.TASK_READY]) == [
        (3.0, T.TASK_READY, None, "work"),
        (60.0, T.PAGED, "alice", "task work"),
        (62.0, T.ENGAGED, "alice", None),
        (62.0, T.TASK_STARTED, "alice", "work"),
        (92.0, T.TASK_DONE, "alice", "work"),
    ]
    m = rep.incidents[0]
    assert m.values["time_to_engage"] == 62.0
    assert m.values["time_to_mobilize"] == 62.0
    assert m.breakdown["waiting_for_responder"] == 59.0


# --- schedules ---------------------------------------------------------------------------------


def test_working_hours_off_duty_reachability(tmp_path: Path) -> None:
    # alice works mon-fri 09:00-17:00 in New York (UTC-5 in January: 14:00-22:00 UTC), reachable only
    # on duty; bob is level 2. Mon 13:00 UTC (08:00 NY): off → bob at 5 + 3. Mon 15:00 UTC: alice at 2.
    # Sat 15:00 UTC (t = 5d15h): off → bob.
    org = with_people(
        TWO_LEVELS,
        alice="{name: Alice, teams: [ops], roles: [responder], ack_delay: 2m, "
        "reachability: {on_duty: 1, off_duty: 0}, working_hours: {days: mon-fri, "
        "start: '09:00', end: '17:00', timezone: America/New_York}}",
    )
    injects = inject("13h", n=1) + inject("15h", n=2) + inject("5d15h", n=3)
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(duration="5m"), injects, horizon="7d")))
    acks = [(r.incident, r.who, r.time) for r in rep.records if r.kind == T.ACKNOWLEDGED]
    assert acks == [
        (0, "bob", 13 * 60 + 8.0),
        (1, "alice", 15 * 60 + 2.0),
        (2, "bob", (5 * 24 + 15) * 60 + 8.0),
    ]


def test_rotation_on_call_member(tmp_path: Path) -> None:
    # 12h shifts from Sun 2026-01-04 00:00 UTC, members ana, ben, chen: at scenario time t the turn is
    # (24h + t) // 12h, member turn % 3: t = 0 → 2 chen, 13h → 3 ana, 25h → 4 ben, 47h59m → 5 chen.
    # Only the on-call person is on duty (off-duty reachability 0), so paging the whole team is
    # answered by the on-call member alone; each acks after 1m.
    org = """
    teams:
      sre:
        name: SRE
        on_call: {members: [ana, ben, chen], shift: 12h, start: 2026-01-04T00:00:00Z}
    defaults: {reachability: {on_duty: 1, off_duty: 0}, ack_delay: 1m}
    people:
      ana: {name: Ana, teams: [sre], roles: [responder]}
      ben: {name: Ben, teams: [sre], roles: [responder]}
      chen: {name: Chen, teams: [sre], roles: [responder]}
    escalation:
      oncall:
        applies_to: {severities: [sev2]}
        levels:
          - {timeout: 5m, targets: [{on_call: sre}]}
      team:
        applies_to: {severities: [sev3]}
        levels:
          - {timeout: 5m, targets: [{team: sre}]}
    """
    incidents = one_task_incident(severity="sev2", duration="5m") + one_task_incident(
        severity="sev3", duration="5m", kid="team-inc"
    )
    times_ = ["0m", "13h", "25h", "47h59m"]
    injects = "".join(inject(at, "inc", i + 1) for i, at in enumerate(times_))
    injects += "".join(inject(at, "team-inc", i + 11) for i, at in enumerate(times_))
    rep = run(model_from(tmp_path, scenario(org, incidents, injects)))
    kinds = {m.number: m.kind for m in rep.incidents}
    on_call = {(kinds[r.incident], r.time): r.who for r in rep.records if r.kind == T.ACKNOWLEDGED}
    expected = {0.0: "chen", 13 * 60.0: "ana", 25 * 60.0: "ben", 47 * 60 + 59.0: "chen"}
    assert on_call == {(kind, at + 1.0): who for at, who in expected.items() for kind in ("inc", "team-inc")}
    pages = [(r.time, r.who) for r in rep.records if r.kind == T.PAGED and kinds[r.incident] == "inc"]
    assert pages == sorted(expected.items())  # the on_call target pages exactly the one on call


# --- regulatory clocks -------------------------------------------------------------------------

CLOCK_ORG = """
teams: {ops: {name: Ops}}
people:
  alice: {name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 0}
  carol: {name: Carol, teams: [ops], roles: [counsel], reachability: 1, ack_delay: 0}
escalation:
  main:
    levels:
      - {timeout: 5m, targets: [{person: alice}]}
"""
BOARD_REGIME = """
regimes:
  board-policy:
    title: Board notification policy
    clocks:
      board-notice: {title: Notify the board, deadline: 24h, to: Risk committee}
"""


def clock_incident(board: str, ny: str) -> str:
    return f"""
    inc:
      title: Incident
      risk_area: other
      severity: sev1
      detection: {{sources: {{mon: {{probability: 1, delay: 1h}}}}}}
      playbook:
        triage: {{role: responder, duration: 10m}}
        tell-board: {{role: responder, after: [triage], duration: {board},
                      notifies: [board-policy/board-notice]}}
        tell-ny: {{role: counsel, after: [triage], duration: {ny}, notifies: [ny-raise/safety-incident]}}
      regulatory: [ny-raise/safety-incident, board-policy/board-notice]
    """


def test_notification_deadlines_met_and_missed(tmp_path: Path) -> None:
    # Detected at 60, triage 60 → 70. The board is told at 70 + 30h (30h10m after detection > 24h:
    # missed); New York at 70 + 48h (48h10m < 72h: met).
    text = scenario(CLOCK_ORG, clock_incident("30h", "48h"), inject("0m"), horizon="5d", extra=BOARD_REGIME)
    model = model_from(tmp_path, text)
    assert model.kinds["inc"].clocks == {
        "ny-raise/safety-incident": 72 * 60.0,
        "board-policy/board-notice": 24 * 60.0,
    }
    rep = run(model)
    notified = {r.detail: r.time for r in rep.records if r.kind == T.NOTIFIED}
    assert notified == {
        "board-policy/board-notice": 70.0 + 30 * 60,
        "ny-raise/safety-incident": 70.0 + 48 * 60,
    }
    m = rep.incidents[0]
    assert m.values["time_to_notify:board-policy/board-notice"] == 10.0 + 30 * 60
    assert m.values["time_to_notify:ny-raise/safety-incident"] == 10.0 + 48 * 60
    assert m.deadlines == {"board-policy/board-notice": False, "ny-raise/safety-incident": True}


def test_notification_exactly_at_the_deadline_is_in_time(tmp_path: Path) -> None:
    # The board is told 10m + 23h50m = exactly 24h after detection: within the deadline.
    text = scenario(CLOCK_ORG, clock_incident("23h50m", "1h"), inject("0m"), horizon="5d", extra=BOARD_REGIME)
    m = run(model_from(tmp_path, text)).incidents[0]
    assert m.values["time_to_notify:board-policy/board-notice"] == 24 * 60.0
    assert m.deadlines["board-policy/board-notice"] is True


def test_deadline_still_running_at_the_horizon_is_not_missed(tmp_path: Path) -> None:
    # Horizon 12h: detected at 1h, New York (72h) is not notified by the end — censored, not missed:
    # nobody knows yet whether it will be met. The board (24h) is also still running at 12h.
    text = scenario(CLOCK_ORG, clock_incident("30h", "48h"), inject("0m"), horizon="12h", extra=BOARD_REGIME)
    m = run(model_from(tmp_path, text)).incidents[0]
    assert m.values["time_to_notify:ny-raise/safety-incident"] is None  # censored
    assert m.deadlines.get("ny-raise/safety-incident") is not False
    assert m.deadlines.get("board-policy/board-notice") is not False


# --- more schedules and staffing ---------------------------------------------------------------


def test_working_hours_follow_daylight_saving_time(tmp_path: Path) -> None:
    # London goes to BST (UTC+1) on Sun 2026-03-29. Start Sat 2026-03-28 00:00 UTC; alice works
    # mon-fri 09:00-17:00 London time, i.e. 08:00-16:00 UTC on Mon 2026-03-30 (t = 2d). At 08:30 UTC
    # (09:30 BST) she is on duty and answers; at 16:30 UTC (17:30 BST) she is off and bob answers.
    org = with_people(
        TWO_LEVELS,
        alice="{name: Alice, teams: [ops], roles: [responder], ack_delay: 2m, "
        "reachability: {on_duty: 1, off_duty: 0}, working_hours: {days: mon-fri, "
        "start: '09:00', end: '17:00', timezone: Europe/London}}",
    )
    text = scenario(
        org, one_task_incident(duration="5m"), inject("2d8h30m", n=1) + inject("2d16h30m", n=2), horizon="4d"
    ).replace("start: 2026-01-05T00:00:00Z", "start: 2026-03-28T00:00:00Z")
    rep = run(model_from(tmp_path, text))
    assert [(r.incident, r.who) for r in rep.records if r.kind == T.ACKNOWLEDGED] == [
        (0, "alice"),
        (1, "bob"),
    ]


def test_working_hours_spanning_midnight_belong_to_the_day_they_start(tmp_path: Path) -> None:
    # alice's shift is Mondays 22:00-06:00 UTC. Mon 21:00 off, Mon 23:00 on, Tue 05:00 on (Monday's
    # shift), Tue 23:00 off (no Tuesday shift).
    org = with_people(
        TWO_LEVELS,
        alice="{name: Alice, teams: [ops], roles: [responder], ack_delay: 2m, "
        "reachability: {on_duty: 1, off_duty: 0}, working_hours: {days: [mon], "
        "start: '22:00', end: '06:00'}}",
    )
    injects = "".join(inject(at, n=i + 1) for i, at in enumerate(["21h", "23h", "29h", "47h"]))
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(duration="5m"), injects)))
    assert [r.who for r in rep.records if r.kind == T.ACKNOWLEDGED] == ["bob", "alice", "alice", "bob"]


def test_round_robin_takes_turns_page_by_page(tmp_path: Path) -> None:
    # Three incidents an hour apart, each paging one member of the team in turn: ana, ben, chen.
    org = """
    teams: {sre: {name: SRE}}
    people:
      ana: {name: Ana, teams: [sre], roles: [responder], reachability: 1, ack_delay: 1m}
      ben: {name: Ben, teams: [sre], roles: [responder], reachability: 1, ack_delay: 1m}
      chen: {name: Chen, teams: [sre], roles: [responder], reachability: 1, ack_delay: 1m}
    escalation:
      main:
        levels:
          - {timeout: 5m, targets: [{round_robin: sre}]}
    """
    injects = "".join(inject(at, n=i + 1) for i, at in enumerate(["0m", "1h", "2h"]))
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(duration="5m"), injects)))
    assert [(r.time, r.who) for r in rep.records if r.kind == T.PAGED] == [
        (0.0, "ana"),
        (60.0, "ben"),
        (120.0, "chen"),
    ]


def test_unanswered_task_page_tries_the_next_candidate(tmp_path: Path) -> None:
    # notify needs counsel: carol (first in file order) never answers; after the policy's level-1
    # timeout (5m) frank is paged at 32, answers at 36 and works 36 → 56.
    org = PLAYBOOK_ORG.replace(
        "  carol: {name: Carol, teams: [ops], roles: [counsel], reachability: 1, ack_delay: 4m}",
        "  carol: {name: Carol, teams: [ops], roles: [counsel], reachability: 0, ack_delay: 4m}\n"
        "  frank: {name: Frank, teams: [ops], roles: [counsel], reachability: 1, ack_delay: 4m}",
    )
    rep = run(model_from(tmp_path, scenario(org, playbook_incident(), inject("0m"))))
    assert rows([r for r in rep.records if r.who in ("carol", "frank")]) == [
        (27.0, T.PAGED, "carol", "task notify"),
        (32.0, T.PAGED, "frank", "task notify"),
        (36.0, T.ENGAGED, "frank", None),
        (36.0, T.TASK_STARTED, "frank", "notify"),
        (56.0, T.TASK_DONE, "frank", "notify"),
    ]
    assert rep.incidents[0].values["time_to_mobilize"] == 36.0 - 15.0


def test_late_answer_to_a_task_page_takes_the_task_from_a_pending_page(tmp_path: Path) -> None:
    # carol answers after 7m, past the 5m task-page timeout, so frank is paged at 32. carol's late
    # answer at 34 engages her, and someone engaged beats waiting for frank's page: she works 34 → 54.
    # frank's answer at 36 still engages him on the incident, with no work.
    org = PLAYBOOK_ORG.replace(
        "  carol: {name: Carol, teams: [ops], roles: [counsel], reachability: 1, ack_delay: 4m}",
        "  carol: {name: Carol, teams: [ops], roles: [counsel], reachability: 1, ack_delay: 7m}\n"
        "  frank: {name: Frank, teams: [ops], roles: [counsel], reachability: 1, ack_delay: 4m}",
    )
    rep = run(model_from(tmp_path, scenario(org, playbook_incident(), inject("0m"))))
    assert rows([r for r in rep.records if r.who in ("carol", "frank")]) == [
        (27.0, T.PAGED, "carol", "task notify"),
        (32.0, T.PAGED, "frank", "task notify"),
        (34.0, T.ENGAGED, "carol", None),
        (34.0, T.TASK_STARTED, "carol", "notify"),
        (36.0, T.ENGAGED, "frank", None),
        (54.0, T.TASK_DONE, "carol", "notify"),
    ]
    assert rep.incidents[0].values["time_to_mobilize"] == 34.0 - 15.0  # frank does no task: not needed


def test_milestones_without_marks_and_with_several_tasks(tmp_path: Path) -> None:
    # No task marked resolved: resolved when every task is done. Two tasks marked contained: contained
    # when the later one is done. alice acks at 2: a (alice) 2 → 12, b (carol, paged at 2, acks at 6)
    # 6 → 46, c after a (alice) 12 → 32. Contained at 46 (a and b), resolved at 46 (all done).
    org = PLAYBOOK_ORG
    incidents = """
    inc:
      title: Incident
      risk_area: other
      severity: sev1
      detection: {sources: {mon: {probability: 1, delay: 0}}}
      playbook:
        a: {role: responder, duration: 10m, milestone: contained}
        b: {role: counsel, duration: 40m, milestone: contained}
        c: {role: responder, after: [a], duration: 20m}
    """
    rep = run(model_from(tmp_path, scenario(org, incidents, inject("0m"))))
    done = {r.detail: r.time for r in rep.records if r.kind == T.TASK_DONE}
    assert done == {"a": 12.0, "b": 46.0, "c": 32.0}
    assert [(r.time, r.detail) for r in rep.records if r.kind == T.MILESTONE] == [
        (46.0, "contained"),
        (46.0, "resolved"),
    ]
    assert rep.incidents[0].values["time_to_contain"] == 46.0
    assert rep.incidents[0].values["time_to_resolve"] == 46.0


def test_task_repages_a_person_who_comes_back_after_a_failed_page(tmp_path: Path) -> None:
    # bob acknowledges at 3; the task needs an analyst and alice is the only one. She is paged at 3
    # (she would answer at 5) but is called away at 4 until 1h04m, so the page fails at its 5m timeout
    # (8). When she comes back at 64 she should be paged again: answers at 66, works 66 → 96.
    org = LEAD_AND_ANALYST
    injects = (
        inject("0m")
        + "- {id: '2', at: 4m, kind: complication, unavailable: {person: alice}, for: 1h, text: away}\n"
    )
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(role="analyst"), injects, horizon="1d")))
    assert (3.0, T.PAGED, "alice", "task work") in rows(rep.records)
    assert first(rep.records, T.TASK_STARTED) is not None, (
        "the task never started (observed: waits to the horizon)"
    )
    assert rows([r for r in rep.records if r.who == "alice"]) == [
        (3.0, T.PAGED, "alice", "task work"),
        (64.0, T.PAGED, "alice", "task work"),
        (66.0, T.ENGAGED, "alice", None),
        (66.0, T.TASK_STARTED, "alice", "work"),
        (96.0, T.TASK_DONE, "alice", "work"),
    ]
    assert rep.incidents[0].values["time_to_engage"] == 66.0


# --- answers known in advance, awaited across a level boundary ----------------------------------
# Times such as 1m20s are not exact in binary (4/3 minutes). After an escalation the World waits
# ``timeout(answer − now)`` and then checks ``answer <= env.now``; now + (answer − now) can land one
# ulp below answer, and the answer is missed.

THIRDS_ORG = """
teams: {ops: {name: Ops}}
people:
  alice: {name: Alice, teams: [ops], roles: [responder], reachability: 1, ack_delay: 3m20s}
  bob: {name: Bob, teams: [ops], roles: [responder], reachability: 0, ack_delay: 1m}
  carol: {name: Carol, teams: [ops], roles: [responder], reachability: 0, ack_delay: 1m}
escalation:
  main:
    levels:
      - {timeout: 1m20s, targets: [{person: alice}]}
      - {timeout: 10m, targets: [{person: bob}]}
      - {timeout: 10m, targets: [{person: carol}]}
"""


def test_late_answer_during_the_next_level_does_not_escalate_again(tmp_path: Path) -> None:
    # alice (level 1, timeout 1m20s) answers at 3m20s, during level 2 (bob, 10m): one escalation,
    # two pages, acknowledged at 3m20s. Observed: level 3 (carol) paged at 3m20s as well.
    rep = run(model_from(tmp_path, scenario(THIRDS_ORG, one_task_incident(), inject("0m"))))
    assert [
        (r.kind, r.who, r.detail) for r in rep.records if r.kind in (T.ESCALATED, T.PAGED, T.ACKNOWLEDGED)
    ] == [
        (T.PAGED, "alice", "level 1"),
        (T.ESCALATED, None, "level 2"),
        (T.PAGED, "bob", "level 2"),
        (T.ACKNOWLEDGED, "alice", None),
    ]
    m = rep.incidents[0]
    assert m.values["time_to_acknowledge"] == pytest.approx(10 / 3)
    assert (m.pages, m.escalations) == (2, 1)


def test_late_answer_after_exhaustion_with_inexact_times(tmp_path: Path) -> None:
    # Levels 1m (alice) and 1m20s (bob, unreachable): exhausted at 2m20s. alice answers at 10m20s:
    # acknowledged then, and she works 30m. Observed: never acknowledged, every metric censored.
    org = (
        THIRDS_ORG.replace("ack_delay: 3m20s", "ack_delay: 10m20s")
        .replace("{timeout: 1m20s, targets: [{person: alice}]}", "{timeout: 1m, targets: [{person: alice}]}")
        .replace("{timeout: 10m, targets: [{person: bob}]}", "{timeout: 1m20s, targets: [{person: bob}]}")
        .replace("      - {timeout: 10m, targets: [{person: carol}]}\n", "")
    )
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(), inject("0m"))))
    assert first(rep.records, T.EXHAUSTED).time == pytest.approx(7 / 3)
    ack = first(rep.records, T.ACKNOWLEDGED)
    assert ack is not None, "alice's answer at 10m20s was lost"
    assert (ack.who, ack.time) == ("alice", pytest.approx(31 / 3))
    assert rep.incidents[0].values["time_to_resolve"] == pytest.approx(31 / 3 + 30)


def test_late_answer_after_exhaustion_with_exact_times(tmp_path: Path) -> None:
    # The same with times exact in binary (1m, 1m30s, 10m30s) works: the control for the case above.
    org = (
        THIRDS_ORG.replace("ack_delay: 3m20s", "ack_delay: 10m30s")
        .replace("{timeout: 1m20s, targets: [{person: alice}]}", "{timeout: 1m, targets: [{person: alice}]}")
        .replace("{timeout: 10m, targets: [{person: bob}]}", "{timeout: 1m30s, targets: [{person: bob}]}")
        .replace("      - {timeout: 10m, targets: [{person: carol}]}\n", "")
    )
    rep = run(model_from(tmp_path, scenario(org, one_task_incident(), inject("0m"))))
    assert first(rep.records, T.EXHAUSTED).time == 2.5
    assert (first(rep.records, T.ACKNOWLEDGED).who, first(rep.records, T.ACKNOWLEDGED).time) == (
        "alice",
        10.5,
    )
