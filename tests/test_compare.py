"""Comparing escalation structures: overrides, paired differences, common random numbers, sweeps."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import SCENARIOS
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.engine.model import compile_scenario
from drillsim.experiments.compare import BETTER, SAME, Variant, compare
from drillsim.scenario.errors import ScenarioError
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.overrides import load_with_overrides, split_values

TUTORIAL = SCENARIOS / "tutorial.yaml"
EXFIL = SCENARIOS / "weight-exfiltration.yaml"
runner = CliRunner()


def variant(name: str, path: Path, *sets: str) -> Variant:
    return Variant(name, compile_scenario(load_with_overrides(path, list(sets))))


def test_override_changes_only_what_it_names() -> None:
    base = load_scenario(EXFIL)
    changed = load_with_overrides(EXFIL, ["escalation.sev1-security.levels[0].timeout=2m",
                                          "people.zoe={name: Zoe, teams: [soc], roles: [soc-analyst]}"])
    assert changed.organisation.escalation["sev1-security"].levels[0].timeout == 2.0
    assert base.organisation.escalation["sev1-security"].levels[0].timeout != 2.0
    assert "zoe" in changed.organisation.people
    assert changed.incidents == base.incidents and changed.injects == base.injects


def test_append_adds_a_person_to_a_rotation() -> None:
    base = load_scenario(EXFIL)
    team, rotation = next((t, team.on_call) for t, team in base.organisation.teams.items() if team.on_call)
    newcomer = next(p for p in base.organisation.people if p not in rotation.members)
    changed = load_with_overrides(EXFIL, [f"teams.{team}.on_call.members+={newcomer}"])
    assert changed.organisation.teams[team].on_call.members == [*rotation.members, newcomer]


@pytest.mark.parametrize(("setting", "message"), [
    ("escalation.nope.levels[0].timeout=3m", "organisation.escalation.nope: no 'nope' here"),
    ("escalation.sev1-security.levels[7].timeout=3m", "no item [7] here"),
    ("escalation.sev1-security.levels[0].timeout=soon", "'soon' is not a duration"),
    ("horizon+=1d", "+= appends to a list"),
    ("no equals sign", "expected PATH=VALUE"),
])
def test_bad_overrides_name_the_override(setting: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_with_overrides(EXFIL, [setting])
    text = str(caught.value)
    assert text.startswith(f"--set {setting}:") and message in text


def test_shorter_timeouts_are_better_and_identical_variants_no_different() -> None:
    base = variant("base", EXFIL)
    faster = variant("faster", EXFIL, "escalation.sev1-security.levels[0].timeout=1m",
                     "escalation.sev1-security.levels[1].timeout=2m")
    same = variant("same", EXFIL)
    result = compare(base, [faster, same], seed=3, count=120, workers=1)
    faster_rows, same_rows = (v["results"] for v in result["variants"])
    assert faster_rows["readiness"]["verdict"] == BETTER
    assert faster_rows["metric:time_to_acknowledge"]["verdict"] == BETTER
    assert faster_rows["metric:time_to_acknowledge"]["ci95"][1] < 0
    assert all(row["verdict"] == SAME and row["difference"] == 0 for row in same_rows.values())


def test_common_random_numbers_narrow_the_interval() -> None:
    base, faster = variant("base", EXFIL), variant("faster", EXFIL, "escalation.sev1-security.levels[0].timeout=2m")

    def width(independent: bool) -> float:
        result = compare(base, [faster], seed=5, count=150, workers=1, independent=independent)
        low, high = result["variants"][0]["results"]["metric:time_to_acknowledge"]["ci95"]
        return high - low

    assert width(independent=False) < width(independent=True) / 1.5


def test_split_values_keeps_brackets_together() -> None:
    assert split_values("2m,5m,[a, b],{x: 1, y: 2}") == ["2m", "5m", "[a, b]", "{x: 1, y: 2}"]


def invoke(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return result.exit_code, output


def test_compare_command_prints_verdicts_and_json() -> None:
    code, output = invoke("compare", EXFIL, "--set", "escalation.sev1-security.levels[0].timeout=1m", "-n", "40",
                          "--workers", "1")
    assert code == 0, output
    assert "readiness" in output and "better" in output


@pytest.mark.parametrize(("args", "message"), [
    (["compare", EXFIL], "nothing to compare"),
    (["compare", EXFIL, TUTORIAL], "describes organisation"),
    (["compare", EXFIL, "--set", "escalation.nope.timeout=1m"], "no 'nope' here"),
    (["sweep", EXFIL, "--grid", "horizon=3d"], "at least two values"),
    (["sweep", EXFIL, "--grid", "horizon"], "expected PATH=V1,V2"),
    (["sweep", EXFIL, "--grid", "horizon=3d,soon"], "'soon' is not a duration"),
])
def test_bad_comparisons_exit_2_with_a_reason(args: list[object], message: str) -> None:
    code, output = invoke(*args)
    assert code == 2
    assert message in output


def test_sweep_ranks_combinations_and_writes_csv(tmp_path: Path) -> None:
    code, output = invoke("sweep", EXFIL, "--grid", "escalation.sev1-security.levels[0].timeout=1m,20m",
                          "-n", "60", "--workers", "1", "--out", tmp_path / "sweep")
    assert code == 0, output
    rows = (tmp_path / "sweep" / "sweep.csv").read_text().splitlines()
    assert rows[0].startswith("escalation.sev1-security.levels[0].timeout,readiness,readiness_low")
    assert [r.split(",")[0] for r in rows[1:]] == ["1m", "20m"]  # the faster escalation ranks first
