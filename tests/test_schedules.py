"""On-call schedules: layers, restrictions, overrides and handovers in local time.

Hand-computed cases across daylight-saving changes (dates from the IANA rules: Europe/London moves
to BST on Sun 29 Mar 2026 and back on Sun 25 Oct 2026; America/Los_Angeles to PDT on Sun 8 Mar 2026
and back on Sun 1 Nov 2026), restrictions crossing midnight, overrides over layers, gaps, a layer
that ends; and a property: at any instant, who the compiled model has on call is what an
independent reading of the layers and overrides, written here from zoneinfo directly, says.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from engine_helpers import load_text, model_from
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import SCENARIOS
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.engine.model import Model
from drillsim.scenario.loader import check_file
from drillsim.scenario.yamlsource import parse_yaml

UTC = dt.UTC
PEOPLE = ("ana", "ben", "cy", "dee", "eve")


def scenario(
    schedules: str,
    *,
    start: str = "2026-03-23T00:00:00Z",
    horizon: str = "21d",
    targets: str = "[{schedule: main}]",
    timezone: str = "Europe/London",
) -> str:
    """A scenario whose organisation has ``schedules`` (YAML, dedented) and one policy paging ``targets``."""
    people = "\n".join(f"    {p}: {{name: {p.title()}, teams: [ops], roles: [responder]}}" for p in PEOPLE)
    return (
        f"id: sched\ntitle: Schedules\nstart: {start}\nhorizon: {horizon}\norganisation:\n  id: org\n"
        f"  name: Org\n  timezone: {timezone}\n  teams: {{ops: {{name: Ops}}}}\n  people:\n{people}\n"
        f"  schedules:\n{textwrap.indent(textwrap.dedent(schedules).strip(), '    ')}\n"
        f"  escalation:\n    all:\n      levels:\n        - {{timeout: 5m, targets: {targets}}}\n"
        "incidents:\n  inc:\n    title: Incident\n    risk_area: other\n    severity: sev2\n"
        "    detection: {sources: {mon: {probability: 1, delay: 0}}}\n"
        "    playbook: {work: {role: responder, duration: 30m}}\n"
    )


def who(model: Model, key: str, moment: str) -> tuple[str, ...]:
    """Who the compiled model's clock ``key`` has on call at the ISO instant ``moment``."""
    minutes = (dt.datetime.fromisoformat(moment) - model.scenario.start).total_seconds() / 60
    return tuple(model.people[i].id for i in model.schedules[key].on_call(minutes))


WEEKLY_LONDON = """
main:
  layers:
    rota: {members: [ana, ben], turn: 1w, start: 2026-03-16T09:00}
"""


def test_a_rota_member_whose_turn_the_run_never_reaches_is_off_duty(tmp_path: Path) -> None:
    # A one-day run starting Monday 23 March: ana's week (from 09:00 on the 16th, then ben's from
    # the 23rd at 09:00) — cut the run to before 09:00 so ben's turn never comes. Ben has no working
    # hours; he is on the rota, so off the rota he is off duty (not "on duty at all hours", the rule
    # for people with neither hours nor a rota).
    model = model_from(tmp_path, scenario(WEEKLY_LONDON, horizon="8h"))
    ana, ben = (model.people[model.index[p]] for p in ("ana", "ben"))
    assert who(model, "main", "2026-03-23T07:00:00+00:00") == ("ana",)
    assert ana.on_duty(60.0) and not ben.on_duty(60.0)
    cy = model.people[model.index["cy"]]
    assert cy.on_duty(60.0)  # not on the rota, no working hours: on duty at all hours


def test_a_weekly_handover_stays_at_nine_local_across_the_spring_change(tmp_path: Path) -> None:
    """Turns start Monday 09:00 London time: 16 Mar (GMT, 09:00Z) ana, 23 Mar ben, 30 Mar (BST,
    08:00Z) ana. A fixed 168 h turn would hand over at 09:00Z = 10:00 BST on the 30th."""
    model = model_from(tmp_path, scenario(WEEKLY_LONDON))
    assert who(model, "main", "2026-03-23T08:59:00+00:00") == ("ana",)  # 08:59 GMT
    assert who(model, "main", "2026-03-23T09:00:00+00:00") == ("ben",)
    assert who(model, "main", "2026-03-30T07:59:00+00:00") == ("ben",)  # 08:59 BST
    assert who(model, "main", "2026-03-30T08:00:00+00:00") == ("ana",)  # 09:00 BST


def test_a_weekly_handover_stays_at_nine_local_across_the_autumn_change(tmp_path: Path) -> None:
    """Mon 19 Oct 09:00 BST (08:00Z), then Mon 26 Oct 09:00 GMT (09:00Z): the turn across the change
    lasts 169 h. Counted from 16 Mar, 19 Oct starts turn 31 (ben) and 26 Oct turn 32 (ana)."""
    model = model_from(tmp_path, scenario(WEEKLY_LONDON, start="2026-10-12T00:00:00Z"))
    assert who(model, "main", "2026-10-19T07:59:00+00:00") == ("ana",)
    assert who(model, "main", "2026-10-19T08:00:00+00:00") == ("ben",)
    assert who(model, "main", "2026-10-26T08:59:00+00:00") == ("ben",)  # 08:59 GMT
    assert who(model, "main", "2026-10-26T09:00:00+00:00") == ("ana",)


DAILY_LOS_ANGELES = """
main:
  timezone: America/Los_Angeles
  layers:
    rota: {members: [ana, ben, cy], turn: 1d, start: 2026-03-01T08:00}
"""


@pytest.mark.parametrize(
    ("start", "moments"),
    [
        # Sat 7 Mar 08:00 PST = 16:00Z is turn 6 (ana); Sun 8 Mar 08:00 PDT = 15:00Z turn 7 (ben)
        (
            "2026-03-05T00:00:00Z",
            {
                "2026-03-08T14:59:00+00:00": "ana",
                "2026-03-08T15:00:00+00:00": "ben",
                "2026-03-09T15:00:00+00:00": "cy",
            },
        ),
        # Sun 1 Nov 08:00 PST = 16:00Z is turn 245 (cy); Sat 31 Oct 08:00 PDT = 15:00Z turn 244 (ben)
        (
            "2026-10-29T00:00:00Z",
            {
                "2026-10-31T15:00:00+00:00": "ben",
                "2026-11-01T15:59:00+00:00": "ben",
                "2026-11-01T16:00:00+00:00": "cy",
            },
        ),
    ],
    ids=["march", "november"],
)
def test_a_daily_handover_stays_at_eight_local_in_los_angeles(
    tmp_path: Path, start: str, moments: dict[str, str]
) -> None:
    model = model_from(
        tmp_path, scenario(DAILY_LOS_ANGELES, start=start, horizon="7d", timezone="America/Los_Angeles")
    )
    for moment, person in moments.items():
        assert who(model, "main", moment) == (person,), moment


def test_twelve_hour_turns_hand_over_at_nine_and_twenty_one_local(tmp_path: Path) -> None:
    """Across 29 Mar: Sat 28 Mar 21:00 GMT (21:00Z), Sun 29 Mar 09:00 BST (08:00Z): that turn is 11 h."""
    text = scenario("""
        main:
          layers:
            rota: {members: [ana, ben], turn: 12h, start: 2026-03-27T09:00}
        """)
    model = model_from(tmp_path, text)
    # turns from Fri 27 Mar 09:00: ana, ben (21:00), ana (Sat 09:00), ben (Sat 21:00), ana (Sun 09:00 BST)
    assert who(model, "main", "2026-03-28T20:59:00+00:00") == ("ana",)
    assert who(model, "main", "2026-03-28T21:00:00+00:00") == ("ben",)
    assert who(model, "main", "2026-03-29T07:59:00+00:00") == ("ben",)
    assert who(model, "main", "2026-03-29T08:00:00+00:00") == ("ana",)


LAYERED = """
main:
  layers:
    everyone: {members: [ana, ben], turn: 1w, start: 2026-03-16T09:00}
    nights:
      members: [cy]
      turn: 1w
      start: 2026-03-16T00:00
      restrictions: [{days: [fri], start: "22:00", end: "06:00"}]
    shadow: {members: [dee], turn: 1w, start: 2026-03-16T09:00, alongside: true}
  overrides:
    - {person: eve, start: 2026-03-24T18:00, end: 2026-03-24T23:00}
    - {person: dee, start: 2026-03-27T23:00, end: 2026-03-28T01:00, layer: nights}
"""


def test_a_higher_layer_wins_inside_its_restriction_which_crosses_midnight(tmp_path: Path) -> None:
    model = model_from(tmp_path, scenario(LAYERED))
    # week of 23 Mar (GMT): everyone = ben; nights = cy on Friday night 22:00 into Saturday 06:00
    assert who(model, "main", "2026-03-27T21:59:00+00:00") == ("ben", "dee")
    assert who(model, "main", "2026-03-27T22:00:00+00:00") == ("cy", "dee")
    assert who(model, "main", "2026-03-28T05:59:00+00:00") == ("cy", "dee")
    assert who(model, "main", "2026-03-28T06:00:00+00:00") == ("ben", "dee")
    assert who(model, "main", "2026-03-28T23:00:00+00:00") == ("ben", "dee")  # Saturday night is not Friday's


def test_overrides_cover_the_schedule_or_only_their_layer(tmp_path: Path) -> None:
    model = model_from(tmp_path, scenario(LAYERED))
    # the whole-schedule override: eve Tue 24 Mar 18:00-23:00 instead of ben; the shadow still comes
    assert who(model, "main", "2026-03-24T17:59:00+00:00") == ("ben", "dee")
    assert who(model, "main", "2026-03-24T18:00:00+00:00") == ("eve", "dee")
    assert who(model, "main", "2026-03-24T23:00:00+00:00") == ("ben", "dee")
    # dee covers the nights layer Fri 23:00-Sat 01:00: on call there, and not twice as a shadow
    assert who(model, "main", "2026-03-27T23:30:00+00:00") == ("dee",)
    assert who(model, "main", "2026-03-28T01:00:00+00:00") == ("cy", "dee")
    # one layer's clock sees its own override and nothing above it
    layer = model_from(tmp_path, scenario(LAYERED, targets="[{layer: main/nights}]"))
    assert who(layer, "main/nights", "2026-03-27T23:30:00+00:00") == ("dee",)
    assert who(layer, "main/nights", "2026-03-24T18:30:00+00:00") == ()


ANCHORED = """
main:
  layers:
    rota:
      members: [ana, ben, cy]
      turn: 1w
      start: 2026-03-16T09:00          # the rotation's anchor: ana's turn, then ben's, then cy's
      active_from: 2026-03-25T12:00    # on call only from Wednesday noon of ben's turn
    early:
      members: [dee, eve]
      turn: 1w
      start: 2026-04-06T09:00          # anchored after the run starts: earlier turns count backwards
      active_from: 2026-03-23T09:00
      restrictions: [{days: [sat], start: "00:00", end: "24:00"}]
"""


def test_a_layer_anchored_apart_from_when_it_becomes_active(tmp_path: Path) -> None:
    """``active_from`` (PagerDuty's layer start) apart from ``start`` (its rotation_virtual_start): the
    turns count from ``start`` in both directions; nobody is on call before ``active_from``."""
    model = model_from(tmp_path, scenario(ANCHORED))
    assert who(model, "main", "2026-03-25T11:59:00+00:00") == ()
    assert who(model, "main", "2026-03-25T12:00:00+00:00") == ("ben",)  # turn 1, mid-turn
    assert who(model, "main", "2026-03-30T09:00:00+01:00") == ("cy",)  # turn 2 (summer time: 09:00 BST)
    assert who(model, "main", "2026-04-06T09:00:00+01:00") == ("ana",)  # turn 3
    # 'early' is anchored on 6 Apr (dee): the week before is eve's, the one before that dee's
    assert who(model, "main", "2026-03-28T12:00:00+00:00") == ("dee",)  # turn -2
    assert who(model, "main", "2026-04-04T12:00:00+01:00") == ("eve",)  # turn -1
    assert who(model, "main", "2026-04-11T12:00:00+01:00") == ("dee",)  # turn 0


BUSINESS_HOURS = """
main:
  layers:
    office:
      members: [ana, ben]
      turn: 1w
      start: 2026-03-16T09:00
      end: 2026-04-06T09:00
      restrictions: [{days: mon-fri, start: "09:00", end: "17:00"}]
"""


def test_a_restricted_layer_leaves_gaps_and_a_layer_that_ends_leaves_nobody(tmp_path: Path) -> None:
    model = model_from(tmp_path, scenario(BUSINESS_HOURS, horizon="28d"))
    assert who(model, "main", "2026-03-23T08:59:00+00:00") == ()
    assert who(model, "main", "2026-03-23T09:00:00+00:00") == ("ben",)
    assert who(model, "main", "2026-03-28T12:00:00+00:00") == ()  # Saturday
    assert who(model, "main", "2026-04-06T10:00:00+01:00") == ()  # Monday after the layer ended


def test_validate_reports_a_coverage_gap_with_its_weekly_hours(tmp_path: Path) -> None:
    """Business hours only, over two whole weeks (before the layer ends): 168 − 5 × 8 = 128 h a week
    with nobody; the first gap runs from the start (Mon 00:00 GMT) to 09:00."""
    result = check_file(write(tmp_path, scenario(BUSINESS_HOURS, horizon="14d")))
    (warning,) = [p for p in result.warnings if "coverage gap" in p.message]
    assert warning.path == "organisation.escalation.all.levels[0].targets"
    assert "(128h a week), first Mon 23 Mar 00:00 – 09:00 (Europe/London)" in warning.message


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("schedules", "severity", "path", "message"),
    [
        (
            WEEKLY_LONDON.replace("[ana, ben]", "[ana, bem]"),
            "error",
            "organisation.schedules.main.layers.rota.members[1]",
            "unknown person 'bem'; did you mean 'ben'?",
        ),
        (
            WEEKLY_LONDON.replace(
                "start: 2026-03-16T09:00", "start: 2026-03-16T09:00, end: 2026-03-01T00:00"
            ),
            "error",
            "organisation.schedules.main.layers.rota.end",
            "the layer ends before it starts",
        ),
        (
            WEEKLY_LONDON
            + "  overrides:\n    - {person: cy, start: 2026-03-24T10:00, end: 2026-03-24T12:00}\n"
            "    - {person: dee, start: 2026-03-24T11:00, end: 2026-03-24T13:00}\n",
            "warning",
            "organisation.schedules.main.overrides[1]",
            "overlaps override 0",
        ),
        (
            WEEKLY_LONDON + "    second: {members: [ana], turn: 1w, start: 2026-03-16T09:00}\n",
            "warning",
            "organisation.schedules.main.layers.second.members",
            "'ana' is on call in layers rota and second at once, first at Mon 23 Mar 00:00 (Europe/London)",
        ),
        (
            WEEKLY_LONDON + "    later: {members: [cy], turn: 1w, start: 2027-01-04T09:00}\n",
            "warning",
            "organisation.schedules.main.layers.later",
            "never has anyone on call during the run",
        ),
    ],
    ids=["unknown-member", "ends-before-start", "overlapping-overrides", "two-layers-at-once", "empty-layer"],
)
def test_validate_catches_what_on_call_tools_warn_about(
    tmp_path: Path, schedules: str, severity: str, path: str, message: str
) -> None:
    result = check_file(write(tmp_path, scenario(schedules)))
    matching = [p for p in result.problems if p.path == path and message in p.message]
    assert matching and matching[0].severity == severity, [str(p) for p in result.problems]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{schedule: mian}", "unknown schedule 'mian'; did you mean 'main'?"),
        ("{layer: main/rotaa}", "schedule 'main' has no layer 'rotaa'"),
        ("{layer: main}", "'main' does not name a layer (expected SCHEDULE/LAYER, e.g. soc/london)"),
    ],
)
def test_a_target_naming_a_missing_schedule_or_layer_is_an_error(
    tmp_path: Path, target: str, message: str
) -> None:
    result = check_file(write(tmp_path, scenario(WEEKLY_LONDON, targets=f"[{target}]")))
    assert any(message in p.message for p in result.errors), [str(p) for p in result.problems]


def test_a_restriction_without_length_is_an_error(tmp_path: Path) -> None:
    text = scenario(
        WEEKLY_LONDON.replace(
            "start: 2026-03-16T09:00}",
            'start: 2026-03-16T09:00, restrictions: [{start: "09:00", end: "09:00"}]}',
        )
    )
    result = check_file(write(tmp_path, text))
    assert any("starts and ends at the same time" in p.message for p in result.errors)


# ---- the property: the compiled timeline against an independent reading -----------------------------


def independent_on_call(spec: dict, default_zone: str, moment: dt.datetime) -> tuple[str, ...]:
    """Who ``spec`` (a schedule as plain data) has on call at ``moment``, read without drillsim: each
    layer's turns stepped one by one in local wall-clock time, restrictions and overrides checked by
    converting ``moment`` to local time with zoneinfo."""
    schedule_zone = ZoneInfo(spec.get("timezone", default_zone))

    def instant(text: str, tz: ZoneInfo) -> dt.datetime:
        value = dt.datetime.fromisoformat(text)
        return value.replace(tzinfo=tz) if value.tzinfo is None else value

    def layer_person(layer_id: str, layer: dict) -> str | None:
        for o in reversed(spec.get("overrides", [])):
            if o.get("layer") == layer_id and instant(o["start"], schedule_zone) <= moment < instant(
                o["end"], schedule_zone
            ):
                return o["person"]
        tz = ZoneInfo(layer.get("timezone", spec.get("timezone", default_zone)))
        start = instant(layer["start"], tz)
        if moment < start:
            return None
        local_start = start.astimezone(tz).replace(tzinfo=None)
        turn, step = 0, dt.timedelta(minutes=layer["turn_minutes"])
        while (local_start + (turn + 1) * step).replace(tzinfo=tz) <= moment:
            turn += 1
        local = moment.astimezone(tz)
        for window in layer.get("restrictions", []):
            begin, end = (dt.time.fromisoformat(window[k]) for k in ("start", "end"))
            days = window["days"]
            today, yesterday = (
                local.strftime("%a").lower(),
                (local - dt.timedelta(days=1)).strftime("%a").lower(),
            )
            if begin < end and today in days and begin <= local.time() < end:
                break
            if begin > end and (
                (today in days and local.time() >= begin) or (yesterday in days and local.time() < end)
            ):
                break
        else:
            if layer.get("restrictions"):
                return None
        return layer["members"][turn % len(layer["members"])]

    person = None
    for o in reversed(spec.get("overrides", [])):
        if "layer" not in o and instant(o["start"], schedule_zone) <= moment < instant(
            o["end"], schedule_zone
        ):
            person = o["person"]
            break
    shadows = []
    for layer_id, layer in reversed(list(spec["layers"].items())):
        found = layer_person(layer_id, layer)
        if found is None:
            continue
        if layer.get("alongside"):
            shadows.append(found)
        elif person is None:
            person = found
    shadows = [s for s in dict.fromkeys(reversed(shadows)) if s != person]
    return ((person,) if person else ()) + tuple(shadows)


ZONES = ("Europe/London", "America/Los_Angeles", "Asia/Singapore", "UTC")
TIMES = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BASE = dt.datetime(2026, 3, 1)  # 1 Mar 2026: the window below spans the spring changes


@st.composite
def schedules(draw: st.DrawFn) -> dict:
    layers = {}
    for i in range(draw(st.integers(1, 3))):
        layer = {
            "members": draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3, unique=True)),
            "turn_minutes": draw(st.sampled_from([8 * 60, 12 * 60, 1440, 7 * 1440])),
            "start": (BASE + dt.timedelta(hours=draw(st.integers(0, 24 * 20)))).isoformat(timespec="minutes"),
            "alongside": draw(st.booleans()) if i else False,
        }
        if draw(st.booleans()):
            layer["timezone"] = draw(st.sampled_from(ZONES))
        if draw(st.booleans()):
            layer["restrictions"] = [
                {
                    "days": draw(st.lists(st.sampled_from(DAYS), min_size=1, unique=True)),
                    "start": (begin := draw(st.sampled_from(TIMES))),
                    "end": draw(st.sampled_from([t for t in TIMES if t != begin])),
                }
                for _ in range(draw(st.integers(1, 2)))
            ]
        layers[f"l{i}"] = layer
    overrides = []
    for _ in range(draw(st.integers(0, 3))):
        begin = BASE + dt.timedelta(hours=draw(st.integers(0, 24 * 40)))
        override = {
            "person": draw(st.sampled_from(PEOPLE)),
            "start": begin.isoformat(timespec="minutes"),
            "end": (begin + dt.timedelta(hours=draw(st.integers(1, 72)))).isoformat(timespec="minutes"),
        }
        if draw(st.booleans()):
            override["layer"] = draw(st.sampled_from(sorted(layers)))
        overrides.append(override)
    return {"timezone": draw(st.sampled_from(ZONES)), "layers": layers, "overrides": overrides}


def as_yaml(spec: dict) -> str:
    def layer(data: dict) -> dict:
        out = {k: v for k, v in data.items() if k != "turn_minutes"}
        out["turn"] = f"{data['turn_minutes']}m"
        return out

    body = {
        "timezone": spec["timezone"],
        "layers": {k: layer(v) for k, v in spec["layers"].items()},
        "overrides": spec["overrides"],
    }
    return "main: " + json.dumps(body)  # JSON is YAML


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    spec=schedules(),
    offsets=st.lists(
        st.one_of(
            st.integers(0, 45 * 24 * 60),  # any minute
            st.integers(0, 45 * 48).map(
                lambda k: k * 30
            ),  # on the half hour: where handovers and windows change
        ),
        min_size=30,
        max_size=30,
    ),
)
def test_the_compiled_timeline_says_who_an_independent_reading_says(
    tmp_path: Path, spec: dict, offsets: list[int]
) -> None:
    start = dt.datetime(2026, 3, 1, tzinfo=UTC)
    model = Model(load_text(tmp_path, scenario(as_yaml(spec), start="2026-03-01T00:00:00Z", horizon="45d")))
    for offset in offsets:
        moment = start + dt.timedelta(minutes=offset)
        engine = tuple(model.people[i].id for i in model.schedules["main"].on_call(float(offset)))
        assert engine == independent_on_call(spec, "Europe/London", moment), moment.isoformat()


# ---- the old rotation form is a one-layer schedule ------------------------------------------------------


def test_a_team_rotation_and_its_one_layer_schedule_give_the_same_summary(tmp_path: Path) -> None:
    """The bundled weight-exfiltration drill with every team rotation also written as an explicit
    schedule (one layer in UTC: the same members, turn and start) and every on_call target paging that
    schedule instead: summary.json says the same, value for value, but where its causes name a level's
    targets as they are written (``team soc on call`` there, ``schedule soc`` here)."""
    organisation = parse_yaml((SCENARIOS / "organisations" / "frontier-lab.yaml").read_bytes(), "org").data
    schedules = {}
    for team_id, team in organisation["teams"].items():
        if "on_call" in team:
            rotation = team["on_call"]
            layer = {"members": rotation["members"], "turn": rotation["shift"], "start": rotation["start"]}
            schedules[team_id] = {"timezone": "UTC", "layers": {team_id: layer}}
    assert schedules, "the bundled organisation has team rotations"
    organisation["schedules"] = schedules
    for policy in organisation["escalation"].values():
        for level in policy["levels"]:
            level["targets"] = [{"schedule": t["on_call"]} if "on_call" in t else t for t in level["targets"]]
    (tmp_path / "organisations").mkdir()
    (tmp_path / "organisations" / "frontier-lab.yaml").write_text(json.dumps(organisation), encoding="utf-8")
    (tmp_path / "weight-exfiltration.yaml").write_text(
        (SCENARIOS / "weight-exfiltration.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    runner = CliRunner()
    summaries = []
    for folder, source in (("original", SCENARIOS), ("rewritten", tmp_path)):
        result = runner.invoke(
            app,
            [
                "simulate",
                str(source / "weight-exfiltration.yaml"),
                "-n",
                "30",
                "--workers",
                "1",
                "--no-history",
                "--out",
                str(tmp_path / folder),
            ],
        )
        assert result.exit_code == 0, result.output
        summaries.append((tmp_path / folder / "summary.json").read_bytes())
    original, rewritten = (json.loads(summary) for summary in summaries)
    for summary in (original, rewritten):
        for objective in summary["causes"]["objectives"]:
            for cause in objective["causes"]:
                cause.pop("targets", None)
    assert original == rewritten
