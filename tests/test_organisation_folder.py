"""Organisation files come from the scenario's folder tree unless the command line allows a folder.

A scenario names its organisation with ``organisation: PATH``. The file may sit in the scenario's
folder or below it; anything that resolves elsewhere (``..``, an absolute path, a symlink pointing
out) is refused with a problem at the ``organisation`` line, unless ``--allow-organisation-from DIR``
names a folder holding it. Each command that loads a scenario file takes the option.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from paths import SCENARIOS
from room_helpers import free_port
from typer.testing import CliRunner

from drillsim.cli import app
from drillsim.scenario.errors import ScenarioError
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.msel import export_csv

ORGANISATION = SCENARIOS / "organisations" / "frontier-lab.yaml"
EXFILTRATION = SCENARIOS / "weight-exfiltration.yaml"  # names organisations/frontier-lab.yaml


def scenario_naming(folder: Path, organisation: str) -> Path:
    """The weight-exfiltration scenario, written to ``folder/drill.yaml`` naming ``organisation``."""
    lines = EXFILTRATION.read_text(encoding="utf-8").splitlines(keepends=True)
    (index,) = [i for i, line in enumerate(lines) if line.startswith("organisation:")]
    lines[index] = f"organisation: {organisation}\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "drill.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def organisation_line(path: Path) -> int:
    """The 1-based line of ``organisation:`` in a scenario file."""
    return next(
        i
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.startswith("organisation:")
    )


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """``tmp_path/shared/org.yaml``: an organisation file outside the scenarios' folder
    ``tmp_path/drills``."""
    (tmp_path / "shared").mkdir()
    shutil.copy(ORGANISATION, tmp_path / "shared" / "org.yaml")
    return tmp_path / "shared"


def refusal(path: Path, folders: tuple[Path, ...] = ()) -> str:
    """The one problem loading ``path`` reports, checked to point at the organisation value."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, folders)
    (problem,) = caught.value.problems
    assert (Path(problem.file).resolve(), problem.line, problem.column) == (
        path.resolve(),
        organisation_line(path),
        15,
    )
    assert problem.path == "organisation"
    return problem.message


def test_an_organisation_file_below_the_scenario_loads(tmp_path: Path) -> None:
    shutil.copy(ORGANISATION, tmp_path / "org.yaml")
    (tmp_path / "orgs" / "deep").mkdir(parents=True)
    shutil.copy(ORGANISATION, tmp_path / "orgs" / "deep" / "org.yaml")
    assert load_scenario(scenario_naming(tmp_path, "org.yaml")).organisation.id == "meridian-ai"
    assert (
        load_scenario(scenario_naming(tmp_path, "orgs/./deep/../deep/org.yaml")).organisation.id
        == "meridian-ai"
    )


@pytest.mark.parametrize("how", ["dotdot", "absolute", "file symlink", "folder symlink"])
def test_an_organisation_file_outside_the_folder_tree_is_refused(
    tmp_path: Path, shared: Path, how: str
) -> None:
    drills = tmp_path / "drills"
    drills.mkdir()
    named = {
        "dotdot": "../shared/org.yaml",
        "absolute": str(shared / "org.yaml"),
        "file symlink": "org.yaml",
        "folder symlink": "orgs/org.yaml",
    }[how]
    if how == "file symlink":
        os.symlink(shared / "org.yaml", drills / "org.yaml")
    elif how == "folder symlink":
        os.symlink(shared, drills / "orgs", target_is_directory=True)
    message = refusal(scenario_naming(drills, named))
    assert "is outside this scenario's folder" in message
    assert message.endswith(f"--allow-organisation-from {shared.resolve()}")


def test_the_check_comes_before_looking_at_the_file(tmp_path: Path) -> None:
    """A scenario cannot probe what exists outside: a missing file gets the same refusal."""
    drills = tmp_path / "drills"
    present = refusal(scenario_naming(drills, "/etc/passwd"))
    absent = refusal(scenario_naming(drills, "/etc/no-such-organisation.yaml"))
    assert present.replace("passwd", "X") == absent.replace("no-such-organisation.yaml", "X")


def test_a_symlink_that_stays_inside_is_followed(tmp_path: Path) -> None:
    (tmp_path / "orgs").mkdir()
    shutil.copy(ORGANISATION, tmp_path / "orgs" / "frontier-lab.yaml")
    os.symlink(tmp_path / "orgs" / "frontier-lab.yaml", tmp_path / "current.yaml")
    assert load_scenario(scenario_naming(tmp_path, "current.yaml")).organisation.id == "meridian-ai"


def test_a_symlink_loop_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    os.symlink(tmp_path / "b.yaml", tmp_path / "a.yaml")
    os.symlink(tmp_path / "a.yaml", tmp_path / "b.yaml")
    assert "cannot be read" in refusal(scenario_naming(tmp_path, "a.yaml"))


def test_an_allowed_folder_lets_the_file_in_and_its_problems_point_into_it(
    tmp_path: Path, shared: Path
) -> None:
    scenario = scenario_naming(tmp_path / "drills", "../shared/org.yaml")
    assert load_scenario(scenario, [shared]).organisation.id == "meridian-ai"
    assert load_scenario(scenario, [tmp_path]).organisation.id == "meridian-ai"  # a parent of it will do
    (tmp_path / "shared" / "org.yaml").write_text(
        ORGANISATION.read_text(encoding="utf-8").replace(
            "timezone:", "timezone: Mars/Olympus_Mons\nx_timezone:", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario, [shared])
    assert {Path(p.file).resolve() for p in caught.value.problems} == {shared / "org.yaml"}


def test_another_allowed_folder_does_not_open_this_one(tmp_path: Path, shared: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    message = refusal(scenario_naming(tmp_path / "drills", "../shared/org.yaml"), (tmp_path / "elsewhere",))
    assert "and the folders allowed (" in message


# ---- the command line: every command that loads a scenario file takes the option --------------------


def commands(scenario: Path, out: Path) -> dict[str, tuple[list[str], str]]:
    """Each command that loads ``scenario``, and what it prints once the scenario is loaded."""
    csv = out / "msel.csv"  # the scenario's own MSEL, written by the test
    return {
        "validate": (["validate", str(scenario)], "1 valid"),
        "show": (["show", str(scenario)], "Organisation Meridian AI"),
        "simulate": (
            ["simulate", str(scenario), "-n", "2", "--workers", "1", "--out", str(out / "run")],
            "run folder",
        ),
        "compare": (
            [
                "compare",
                str(scenario),
                "--set",
                "escalation.sev1-security.repeat=1",
                "-n",
                "2",
                "--workers",
                "1",
            ],
            "readiness",
        ),
        "sweep": (
            [
                "sweep",
                str(scenario),
                "--grid",
                "escalation.sev1-security.repeat=0,1",
                "-n",
                "2",
                "--workers",
                "1",
                "--out",
                str(out / "sweep"),
            ],
            "sweep.csv",
        ),
        "structure": (["structure", str(scenario), "--json"], "single_points"),
        "drill": (["drill", str(scenario), "--players", "nobody-here"], "--players nobody-here"),
        "history": (["history", "--due", "--scenarios", str(scenario)], "weight-exfiltration"),
        "calibrate": (["calibrate", str(scenario), "--drills", str(out / "no-drill")], "no-drill"),
        "msel export": (["msel", "export", str(scenario), "-o", str(out / "exported.csv")], "wrote"),
        "msel import": (["msel", "import", str(csv), "--into", str(scenario)], "nothing changed"),
    }


@pytest.mark.parametrize("command", list(commands(Path("s"), Path("o"))))
def test_every_command_refuses_then_allows(
    tmp_path: Path, shared: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    scenario = scenario_naming(tmp_path / "drills", "../shared/org.yaml")
    (tmp_path / "msel.csv").write_text(export_csv(load_scenario(EXFILTRATION)), encoding="utf-8")
    args, loaded = commands(scenario, tmp_path)[command]
    refused = CliRunner().invoke(app, args)
    output = refused.stdout + refused.stderr
    assert refused.exit_code == 2, output
    assert f"drills/drill.yaml:{organisation_line(scenario)}:15: organisation:" in output
    assert "--allow-organisation-from shared" in output and "Traceback" not in output
    allowed = CliRunner().invoke(app, [*args, "--allow-organisation-from", "shared"])
    output = allowed.stdout + allowed.stderr
    assert allowed.exception is None or isinstance(allowed.exception, SystemExit), output
    assert "organisation: organisation file" not in output and loaded in output, output


def test_the_option_is_explained_and_checks_its_folder(tmp_path: Path) -> None:
    help_text = CliRunner().invoke(app, ["simulate", "--help"], env={"COLUMNS": "200"}).stdout
    assert "--allow-organisation-from" in help_text and "subfolders" in help_text
    run = CliRunner().invoke(
        app,
        ["validate", str(EXFILTRATION), "--allow-organisation-from", str(tmp_path / "none")],
        env={"COLUMNS": "200"},
    )
    assert run.exit_code == 2 and f"'{tmp_path / 'none'}' does not exist" in run.stdout + run.stderr


def test_a_served_drill_loads_its_scenario_with_the_option(
    tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[object] = []
    monkeypatch.setattr("drillsim.cli.commands.drill._serve", lambda room, *rest: served.append(room))
    monkeypatch.chdir(tmp_path)
    scenario = scenario_naming(tmp_path / "drills", "../shared/org.yaml")
    port = str(free_port())
    refused = CliRunner().invoke(app, ["drill", str(scenario), "--serve", "--port", port])
    assert refused.exit_code == 2 and "organisation" in refused.stderr and not served
    run = CliRunner().invoke(
        app, ["drill", str(scenario), "--serve", "--port", port, "--allow-organisation-from", str(shared)]
    )
    assert run.exit_code == 0, run.output
    (room,) = served
    assert room.session.scenario.organisation.id == "meridian-ai"  # type: ignore[attr-defined]
