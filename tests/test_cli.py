"""The drillsim command as a user meets it: exit codes, files written, nothing lost."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from paths import SCENARIOS
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.scenario.loader import load_scenario

runner = CliRunner()
TUTORIAL = SCENARIOS / "tutorial.yaml"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output + result.stderr, result.output + result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_help_explains_every_command() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    for command in ("validate", "show", "simulate", "schema", "msel"):
        assert command in out


def test_validate_bundled_scenarios_passes() -> None:
    code, out, _ = invoke("validate", SCENARIOS)
    assert code == 0, out
    assert "0 invalid" in out


def test_validate_missing_file_exits_2(tmp_path: Path) -> None:
    code, out, _ = invoke("validate", tmp_path / "nope.yaml")
    assert code == 2
    assert "nope.yaml:1:1: file not found" in out


def test_validate_empty_folder_exits_2(tmp_path: Path) -> None:
    code, _, err = invoke("validate", tmp_path)
    assert code == 2
    assert "no YAML files" in err


def test_simulate_writes_a_reproducible_run_folder(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    code, out, _ = invoke("simulate", TUTORIAL, "-n", "40", "--seed", "7", "--workers", "1", "--out", first)
    assert code == 0, out
    assert {p.name for p in first.iterdir()} == {
        "scenario.yaml",
        "summary.json",
        "metrics.csv",
        "run.json",
        "report.md",
        "report.html",
    }
    summary = json.loads((first / "summary.json").read_text())
    assert summary["replications"] == 40 and summary["seed"] == 7 and summary["unit"] == "minutes"
    assert json.loads((first / "run.json").read_text())["status"] == "complete"
    code, printed, _ = invoke(
        "simulate", TUTORIAL, "-n", "40", "--seed", "7", "--workers", "2", "--json", "--out", second
    )
    assert code == 0
    assert printed == (first / "summary.json").read_text() == (second / "summary.json").read_text()
    rows = (first / "metrics.csv").read_text().splitlines()
    assert rows[0].startswith("replication,incident,kind,occurred,time_to_detect")
    assert len(rows) - 1 == round(summary["incidents_per_replication"] * 40)


def test_simulate_snapshot_is_a_valid_self_contained_scenario(tmp_path: Path) -> None:
    code, _, _ = invoke(
        "simulate",
        SCENARIOS / "weight-exfiltration.yaml",
        "-n",
        "5",
        "--workers",
        "1",
        "--out",
        tmp_path / "run",
    )
    assert code == 0
    snapshot = tmp_path / "run" / "scenario.yaml"
    code, out, _ = invoke("validate", snapshot)
    assert code == 0, out
    assert "organisation:\n" in snapshot.read_text() and "frontier-lab.yaml" not in snapshot.read_text()


def test_simulate_never_overwrites_a_folder_with_results(tmp_path: Path) -> None:
    (tmp_path / "precious.csv").write_text("keep me")
    code, _, err = invoke("simulate", TUTORIAL, "-n", "5", "--out", tmp_path)
    assert code == 2
    assert "already exists" in err
    assert (tmp_path / "precious.csv").read_text() == "keep me"


@pytest.mark.parametrize("args", [["-n", "0"], ["--seed", "-1"], ["--workers", "0"], ["-n", "lots"]])
def test_simulate_rejects_bad_numbers_with_exit_2(args: list[str]) -> None:
    code, _, _ = invoke("simulate", TUTORIAL, *args)
    assert code == 2


def test_simulate_invalid_scenario_exits_2_with_positions(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(TUTORIAL.read_text().replace("severity: sev", "severity: level", 1))
    code, _, err = invoke("simulate", broken)
    assert code == 2
    assert "broken.yaml:" in err and ".severity: 'level" in err


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_msel_round_trip_changes_nothing(path: Path, tmp_path: Path) -> None:
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    copy = tmp_path / "scenarios" / path.name
    csv_file = tmp_path / "msel.csv"
    code, _, _ = invoke("msel", "export", copy, "-o", csv_file)
    assert code == 0
    before = copy.read_bytes()
    code, _, err = invoke("msel", "import", csv_file, "--into", copy)
    assert code == 0, err
    assert copy.read_bytes() == before
    code, exported_again, _ = invoke("msel", "export", copy)
    assert exported_again == csv_file.read_text()


def test_msel_import_edits_and_keeps_comments(tmp_path: Path) -> None:
    copy = tmp_path / "tutorial.yaml"
    shutil.copy(TUTORIAL, copy)
    csv_file = tmp_path / "msel.csv"
    invoke("msel", "export", copy, "-o", csv_file)
    lines = csv_file.read_text().splitlines()
    lines.append(
        '99,5h,message,"The press office asks for a holding statement",Press,Comms,,Draft a statement,,,,'
    )
    csv_file.write_text("\n".join(lines) + "\n")
    code, _, err = invoke("msel", "import", csv_file, "--into", copy)
    assert code == 0, err
    text = copy.read_text()
    assert "holding statement" in text
    original = TUTORIAL.read_text()
    assert (
        text.split("\ninjects:")[0] == original.split("\ninjects:")[0]
    )  # everything before the MSEL, comments too


def changed_lines(scenario: Path, edit: Callable[[list[list[str]]], None]) -> list[tuple[str, str]]:
    """Export ``scenario``'s MSEL, ``edit`` its rows (header first) as a spreadsheet would, import it
    back: the (before, after) pairs of the scenario's lines that changed."""
    csv_file = scenario.parent / "msel.csv"
    invoke("msel", "export", scenario, "-o", csv_file)
    rows = list(csv.reader(io.StringIO(csv_file.read_text())))
    edit(rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    csv_file.write_text(buffer.getvalue())
    before = scenario.read_text().splitlines()
    code, _, err = invoke("msel", "import", csv_file, "--into", scenario)
    assert code == 0, err
    after = scenario.read_text().splitlines()
    return [(a, b) for a, b in zip(before, after, strict=True) if a != b]


def test_msel_import_changes_only_the_lines_it_edits(tmp_path: Path) -> None:
    # A coordinator moves inject 3 to 25m in the spreadsheet, gives inject 4's time as a spreadsheet
    # writes it (0:35:00, unchanged) and adds an objective to the tutorial's inject 2 after a semicolon.
    # Every other line of the scenario — comments, quotes, folded text — stays byte for byte, and the
    # comment beside a changed field stays beside it.
    shutil.copytree(SCENARIOS, tmp_path, dirs_exist_ok=True)

    def move(rows: list[list[str]]) -> None:
        by_id = {row[0]: row for row in rows[1:]}
        by_id["3"][1] = "25m"
        by_id["4"][1] = "0:35:00"  # unchanged: 35m

    def add_objective(rows: list[list[str]]) -> None:
        rows[2][8] = "ack-10m; contain-1h"

    assert changed_lines(tmp_path / "flagship-concurrent.yaml", move) == [("    at: 20m", "    at: 25m")]
    assert changed_lines(tmp_path / "tutorial.yaml", add_objective) == [
        (
            "    objectives: [ack-10m]         # the objectives this inject tests",
            "    objectives: [ack-10m, contain-1h] # the objectives this inject tests",
        )
    ]


def test_msel_import_bad_row_points_at_row_and_column_and_writes_nothing(tmp_path: Path) -> None:
    copy = tmp_path / "tutorial.yaml"
    shutil.copy(TUTORIAL, copy)
    before = copy.read_bytes()
    csv_file = tmp_path / "msel.csv"
    csv_file.write_text("Event,Scenario time,Type,Synopsis\n1,soon,message,hello\n2,5m,alert,hi\n")
    code, _, err = invoke("msel", "import", csv_file, "--into", copy)
    assert code == 2
    assert "msel.csv:2:2: injects[0].at: 'soon' is not a duration" in err
    assert "msel.csv:3:3: injects[1].kind: 'alert' is not an inject kind" in err
    assert copy.read_bytes() == before


def test_schema_prints_json_schema() -> None:
    code, out, _ = invoke("schema")
    assert code == 0
    assert json.loads(out)["title"] == "drillsim scenario"


def test_a_run_with_an_overrides_file_saves_the_scenario_it_ran(tmp_path: Path) -> None:
    """scenario.yaml in the run folder is the scenario that ran, overrides included: loading it gives
    the same scenario as the file with the overrides applied, not the file alone."""
    from drillsim.scenario.loader import load_scenario
    from drillsim.scenario.overrides import load_with_overrides

    path = SCENARIOS / "weight-exfiltration.yaml"
    overrides = tmp_path / "calibrated.yaml"
    overrides.write_text(
        "escalation.sev1-security.levels[0].timeout: 2m\npeople.maya-goldberg.reachability: 0.5\n"
    )
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            str(path),
            "-n",
            "3",
            "--workers",
            "1",
            "--overrides",
            str(overrides),
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 0, result.output
    saved = load_scenario(tmp_path / "run" / "scenario.yaml")
    assert saved == load_with_overrides(path, [], (overrides,))
    assert saved != load_scenario(path)


def test_validate_warns_when_one_person_alone_has_a_skill_a_task_needs() -> None:
    """The only holder of a skill is a single point of failure, as the only holder of a role is."""
    result = runner.invoke(app, ["validate", str(SCENARIOS / "tutorial.yaml")])
    assert result.exit_code == 0
    assert (
        "warning: incidents.cot-flag.playbook.notify.skill: only one person has the skill "
        "'regulatory-reporting'" in result.stdout
    )


def test_every_error_the_project_defines_ends_a_command_with_exit_2() -> None:
    """The table of exit codes names real classes (a renamed error would fall back to a traceback), and
    every exception class defined in drillsim is in it."""
    import importlib
    import pkgutil

    import drillsim
    from drillsim.cli.exits import BAD_INPUT, EXIT_CODES, exit_code

    for name in EXIT_CODES:
        module, _, cls = name.rpartition(".")
        assert issubclass(getattr(importlib.import_module(module), cls), BaseException), name
    defined: set[type[Exception]] = set()
    for info in pkgutil.walk_packages(drillsim.__path__, "drillsim."):
        if info.name != "drillsim.__main__":
            module = importlib.import_module(info.name)
            defined |= {
                c
                for c in vars(module).values()
                if isinstance(c, type) and issubclass(c, Exception) and c.__module__ == info.name
            }
    assert len(defined) >= 10
    assert {c.__name__: exit_code(c.__new__(c)) for c in defined} == {c.__name__: BAD_INPUT for c in defined}


def test_ctrl_c_in_a_command_exits_130_saying_so_and_a_bug_keeps_its_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from drillsim.experiments.rundir import RunInterrupted

    def stop(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("drillsim.summary.print_summary", stop)
    result = runner.invoke(app, ["show", str(TUTORIAL)])
    assert result.exit_code == 130 and result.stderr == "interrupted\n"

    def stop_keeping(*args: object) -> None:
        raise RunInterrupted(Path("results/run"))

    monkeypatch.setattr("drillsim.summary.print_summary", stop_keeping)
    result = runner.invoke(app, ["show", str(TUTORIAL)])
    assert result.exit_code == 130
    kept = "results/run keeps the replications that finished (run.json says so)"
    assert result.stderr == f"interrupted: {kept}\n"

    def bug(*args: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("drillsim.summary.print_summary", bug)
    result = runner.invoke(app, ["show", str(TUTORIAL)])
    assert result.exit_code == 1 and isinstance(result.exception, ZeroDivisionError)


def test_validate_strict_says_the_warnings_made_it_fail() -> None:
    result = runner.invoke(app, ["validate", "--strict", str(SCENARIOS / "tutorial.yaml")])
    assert result.exit_code == 2
    assert "✗ scenarios/tutorial.yaml (1 warning(s), failing under --strict)" in result.stdout
    assert "--strict: the warnings above fail the check" in result.stdout


def test_msel_import_keeps_the_files_quotes(tmp_path: Path) -> None:
    copy = tmp_path / "tutorial.yaml"
    shutil.copy(TUTORIAL, copy)
    csv_file = tmp_path / "msel.csv"
    invoke("msel", "export", copy, "-o", csv_file)
    csv_file.write_text(csv_file.read_text() + "9,6h,message,Extra,,,,,,,,\n")
    code, _, err = invoke("msel", "import", csv_file, "--into", copy)
    assert code == 0, err
    text = copy.read_text()
    assert 'id: "1"' in text and 'id: "9"' in text and "id: '" not in text  # the tutorial writes "1"


def test_msel_import_refuses_a_header_only_csv_unless_told(tmp_path: Path) -> None:
    copy = tmp_path / "tutorial.yaml"
    shutil.copy(TUTORIAL, copy)
    before = copy.read_bytes()
    csv_file = tmp_path / "msel.csv"
    csv_file.write_text("Event,Scenario time,Type,Synopsis\n")
    code, _, err = invoke("msel", "import", csv_file, "--into", copy)
    assert code == 2 and "no inject" in err and "--allow-empty" in err
    assert copy.read_bytes() == before
    code, _, err = invoke("msel", "import", csv_file, "--into", copy, "--allow-empty")
    assert code == 0, err
    assert load_scenario(copy).injects == []


def test_msel_import_reads_a_european_spreadsheets_csv(tmp_path: Path) -> None:
    """Semicolons between columns and in the objectives list, times as a spreadsheet formats them."""
    copy = tmp_path / "tutorial.yaml"
    shutil.copy(TUTORIAL, copy)
    csv_file = tmp_path / "msel.csv"
    csv_file.write_text(
        "Event;Scenario time;Type;Synopsis;Objectives;Incident\n"
        '1;0:00:00;incident;"Ground truth; the agent edits its grader";;cot-flag\n'
        '2;0:20:00;message;The monitor flags run 4471;"ack-10m; contain-1h";\n'
        "3;1:30;message;Legal asks for the clock;notify-48h;\n",
        encoding="utf-8",
    )
    code, _, err = invoke("msel", "import", csv_file, "--into", copy)
    assert code == 0, err
    injects = load_scenario(copy).injects
    assert [(i.id, i.at, i.objectives) for i in injects] == [
        ("1", 0.0, []),
        ("2", 20.0, ["ack-10m", "contain-1h"]),
        ("3", 90.0, ["notify-48h"]),  # H:MM: an hour and a half
    ]


def test_an_unquoted_number_where_text_is_expected_says_to_quote_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(TUTORIAL.read_text().replace('- id: "1"', "- id: 1", 1))
    code, out, err = invoke("validate", broken)
    assert code == 2 and "injects[0].id: expected text, got the number 1 (quote it: '1')" in out + err
