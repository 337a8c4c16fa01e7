"""Comparing escalation structures: overrides, paired differences, common random numbers, sweeps."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from paths import SCENARIOS
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.engine.model import compile_scenario
from drillsim.experiments.compare import BETTER, SAME, Variant, compare, compare_pairs
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
    changed = load_with_overrides(
        EXFIL,
        [
            "escalation.sev1-security.levels[0].timeout=2m",
            "people.zoe={name: Zoe, teams: [soc], roles: [soc-analyst]}",
        ],
    )
    assert changed.organisation.escalation["sev1-security"].levels[0].timeout == 2.0
    assert base.organisation.escalation["sev1-security"].levels[0].timeout != 2.0
    assert "zoe" in changed.organisation.people
    assert changed.incidents == base.incidents and changed.injects == base.injects


def test_a_list_index_may_follow_a_dot() -> None:
    # `levels.1` reads as `levels[1]` (what people type after seeing `teams.soc`), and gives the same
    # scenario; past the end, the error says which items there are.
    dotted = load_with_overrides(EXFIL, ["escalation.sev1-security.levels.1.timeout=2m"])
    bracketed = load_with_overrides(EXFIL, ["escalation.sev1-security.levels[1].timeout=2m"])
    assert dotted == bracketed and dotted.organisation.escalation["sev1-security"].levels[1].timeout == 2.0
    with pytest.raises(ScenarioError, match=r"no item \[7\] here: a list of \d+ \(items \[0\] to \["):
        load_with_overrides(EXFIL, ["escalation.sev1-security.levels.7.timeout=2m"])


def test_append_adds_a_person_to_a_rotation() -> None:
    base = load_scenario(EXFIL)
    team, rotation = next((t, team.on_call) for t, team in base.organisation.teams.items() if team.on_call)
    newcomer = next(p for p in base.organisation.people if p not in rotation.members)
    changed = load_with_overrides(EXFIL, [f"teams.{team}.on_call.members+={newcomer}"])
    assert changed.organisation.teams[team].on_call.members == [*rotation.members, newcomer]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("escalation.nope.levels[0].timeout=3m", "organisation.escalation.nope: no 'nope' here"),
        ("escalation.sev1-security.levels[7].timeout=3m", "no item [7] here"),
        ("escalation.sev1-security.levels[0].timeout=soon", "'soon' is not a duration"),
        ("horizon+=1d", "+= appends to a list"),
        ("no equals sign", "expected PATH=VALUE"),
    ],
)
def test_bad_overrides_name_the_override(setting: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_with_overrides(EXFIL, [setting])
    text = str(caught.value)
    assert text.startswith(f"--set {setting}:") and message in text


def test_shorter_timeouts_are_better_and_identical_variants_no_different() -> None:
    base = variant("base", EXFIL)
    faster = variant(
        "faster",
        EXFIL,
        "escalation.sev1-security.levels[0].timeout=1m",
        "escalation.sev1-security.levels[1].timeout=2m",
    )
    same = variant("same", EXFIL)
    result = compare(base, [faster, same], seed=3, count=120, workers=1)
    faster_rows, same_rows = (v["results"] for v in result["variants"])
    assert faster_rows["readiness"]["verdict"] == BETTER
    assert faster_rows["metric:time_to_acknowledge"]["verdict"] == BETTER
    assert faster_rows["metric:time_to_acknowledge"]["ci95"][1] < 0
    assert all(row["verdict"] == SAME and row["difference"] == 0 for row in same_rows.values())


def test_pairs_from_one_run_are_the_comparisons_of_each_pair_alone() -> None:
    """advise compares the best change with the base and a combination with the best change from one run:
    each pair must be exactly what compare of those two alone gives (common random numbers make a
    variant's replication the same whatever runs beside it)."""
    base = variant("base", EXFIL)
    faster = variant("faster", EXFIL, "escalation.sev1-security.levels[0].timeout=1m")
    both = variant(
        "both",
        EXFIL,
        "escalation.sev1-security.levels[0].timeout=1m",
        "escalation.sev1-security.levels[1].timeout=2m",
    )
    pairs = compare_pairs([base, faster, both], [(0, 2), (1, 2)], seed=4, count=60, workers=1)
    assert pairs[0] == compare(base, [both], seed=4, count=60, workers=1)["variants"][0]
    assert pairs[1] == compare(faster, [both], seed=4, count=60, workers=1)["variants"][0]
    assert pairs[0] != pairs[1]


def test_common_random_numbers_narrow_the_interval() -> None:
    base, faster = (
        variant("base", EXFIL),
        variant("faster", EXFIL, "escalation.sev1-security.levels[0].timeout=2m"),
    )

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
    code, output = invoke(
        "compare",
        EXFIL,
        "--set",
        "escalation.sev1-security.levels[0].timeout=1m",
        "-n",
        "40",
        "--workers",
        "1",
    )
    assert code == 0, output
    assert "readiness" in output and "better" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", EXFIL], "nothing to compare"),
        (["compare", EXFIL, TUTORIAL], "describes organisation"),
        (["compare", EXFIL, "--set", "escalation.nope.timeout=1m"], "no 'nope' here"),
        (["sweep", EXFIL, "--grid", "horizon=3d"], "at least two values"),
        (["sweep", EXFIL, "--grid", "horizon"], "expected PATH=V1,V2"),
        (["sweep", EXFIL, "--grid", "horizon=3d,soon"], "'soon' is not a duration"),
    ],
)
def test_bad_comparisons_exit_2_with_a_reason(args: list[object], message: str) -> None:
    code, output = invoke(*args)
    assert code == 2
    assert message in output


def test_sweep_ranks_combinations_and_writes_csv(tmp_path: Path) -> None:
    code, output = invoke(
        "sweep",
        EXFIL,
        "--grid",
        "escalation.sev1-security.levels[0].timeout=1m,20m",
        "-n",
        "60",
        "--workers",
        "1",
        "--out",
        tmp_path / "sweep",
    )
    assert code == 0, output
    rows = (tmp_path / "sweep" / "sweep.csv").read_text().splitlines()
    assert rows[0].startswith("escalation.sev1-security.levels[0].timeout,readiness,readiness_low")
    assert [r.split(",")[0] for r in rows[1:]] == ["1m", "20m"]  # the faster escalation ranks first


def test_paired_difference_with_one_incident_per_replication_is_the_paired_t_interval() -> None:
    """weight-exfiltration has one incident per replication: the delta-method interval of the difference
    of two pooled means must be the textbook paired t interval of the per-replication differences."""
    from engine_helpers import t_interval

    from drillsim.experiments.compare import _restricted
    from drillsim.experiments.replicate import replication_sets

    base = variant("base", EXFIL)
    faster = variant("faster", EXFIL, "escalation.sev1-security.levels[0].timeout=2m")
    result = compare(base, [faster], seed=9, count=40, workers=1)
    row = result["variants"][0]["results"]["metric:time_to_acknowledge"]
    differences = []
    for pair in replication_sets([base.model, faster.model], [9, 9], 40):
        (first,), (second,) = (r.incidents for r in pair)
        differences.append(
            _restricted(second, "time_to_acknowledge", faster.model.horizon)
            - _restricted(first, "time_to_acknowledge", base.model.horizon)
        )
    mean, low, high = t_interval(differences)
    assert row["difference"] == pytest.approx(mean, abs=1e-4)
    assert row["ci95"] == [pytest.approx(low, abs=2e-3), pytest.approx(high, abs=2e-3)]


def test_compare_reports_the_base_as_simulate_does() -> None:
    """The base's readiness and shares are the pooled values summary.json gives for the same seed."""
    from drillsim.experiments.aggregate import Aggregate
    from drillsim.experiments.replicate import replications

    base = variant("base", EXFIL)
    result = compare(base, [variant("same", EXFIL)], seed=4, count=30, workers=1)
    aggregate = Aggregate(base.model, 4)
    for replication in replications(base.model, 4, 30):
        aggregate.add(replication)
    summary = aggregate.summary()
    rows = result["variants"][0]["results"]
    assert rows["readiness"]["base"] == summary["readiness"]["score"]
    for objective in summary["objectives"]:
        assert rows[f"objective:{objective['id']}"]["base"] == objective["p_met"]


def test_sweep_marks_rows_beyond_noise_and_says_how_many_replications(tmp_path: Path) -> None:
    code, output = invoke(
        "sweep",
        EXFIL,
        "--grid",
        "escalation.sev1-security.levels[0].timeout=1m,30m",
        "--grid",
        "horizon=20d,25d",
        "-n",
        "40",
        "--workers",
        "1",
        "--out",
        tmp_path / "sweep",
    )
    assert code == 0, output
    assert "40 replications per combination" in output
    rows = list(csv.DictReader((tmp_path / "sweep" / "sweep.csv").open()))
    verdicts = {
        (r["escalation.sev1-security.levels[0].timeout"], r["horizon"]): r["vs_best_verdict"] for r in rows
    }
    assert rows[0]["vs_best_verdict"] == "best"
    # the horizon changes nothing that happens within 20 days: the same timeout with another horizon ties
    assert sorted(verdicts.values()).count("not distinguishable") >= 1
    assert verdicts[("30m", "20d")] == verdicts[("30m", "25d")] == "worse"
    assert "cannot be told apart from the best" in output


def test_a_bad_grid_value_is_named_as_a_grid() -> None:
    code, output = invoke("sweep", EXFIL, "--grid", "escalation.sev1-security.levels[0].timeout=1m,soon")
    assert code == 2 and "--grid escalation.sev1-security.levels[0].timeout=soon" in output


def test_a_grid_is_parsed_into_axes_in_order() -> None:
    from drillsim.experiments.sweep import Axis, parse_grid

    assert parse_grid([" horizon =3d, 5d", "people.ana.roles=[a, b],[c]"]) == [
        Axis("horizon", ["3d", "5d"]),
        Axis("people.ana.roles", ["[a, b]", "[c]"]),
    ]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            ["horizon"],
            "--grid horizon: expected PATH=V1,V2,..., e.g. escalation.sev1.levels[0].timeout=2m,5m",
        ),
        (["=3d,5d"], "--grid =3d,5d: expected PATH=V1,V2"),
        (["horizon=3d"], "--grid horizon=3d: a grid needs at least two values, separated by commas"),
        (["horizon=3d,,5d"], "--grid horizon=3d,,5d: a grid needs at least two values"),
        (
            ["horizon=3d,5d", "horizon=7d,9d"],
            "--grid horizon=7d,9d: horizon is in the grid twice; list all its values in one --grid",
        ),
    ],
)
def test_a_badly_written_grid_is_refused_naming_the_entry(entries: list[str], message: str) -> None:
    from drillsim.experiments.sweep import GridError, parse_grid

    with pytest.raises(GridError) as refused:
        parse_grid(entries)
    assert str(refused.value).startswith(message)
