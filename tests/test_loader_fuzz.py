"""Property: whatever the input, the loader answers with a result or a ScenarioError, never another
exception. Inputs are arbitrary text and bytes, and small mutations of the valid corpus files
(lines deleted, duplicated or swapped, characters replaced, text inserted), which keep most of the
file intact and so reach the model validation and the checks, not only the YAML parser.

Structural mutations of generated valid scenarios (``scenario_strategies.mutated_scenarios``:
keys deleted or misspelt, wrong types, dangling references, duplicate ids, negative and huge
values, playbook cycles, empty collections) go through the loader, whose every problem must point
at a real line and column of the file it names, and through ``drillsim validate``, which must exit
0 or 2 without a traceback. Each test has a ``_soak`` twin checking many more inputs (fuzzing.py)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from fuzzing import fuzz
from hypothesis import strategies as st
from scenario_strategies import mutated_scenarios, yaml_text

from drillsim.engine.model import compile_scenario
from drillsim.scenario.errors import Problem, ScenarioError
from drillsim.scenario.loader import check_file, load_scenario
from drillsim.scenario.yamlsource import Document, parse_yaml

CORPUS = Path(__file__).resolve().parent / "corpus"
BASE = (CORPUS / "valid" / "base.yaml").read_text(encoding="utf-8")
ORG = (CORPUS / "valid" / "org.yaml").read_text(encoding="utf-8")

# Characters that mean something to YAML, and a few that mean trouble.
SPECIAL = [*":-[]{},&*!|>'\"#%@`?<= \t\n\r", "\x00", "\x07", "\x85", "\u2028", "\ufeff", "é", "…"]


def parse(raw: bytes) -> None:
    try:
        document = parse_yaml(raw, "fuzz.yaml")
    except ScenarioError as exc:
        assert_problems(exc.problems, errors=True)
        return
    assert isinstance(document, Document) and isinstance(document.data, dict)


def assert_problems(problems: list[Problem], *, errors: bool) -> None:
    if errors:
        assert any(p.severity == "error" for p in problems)
    for problem in problems:
        assert problem.line >= 1 and problem.column >= 1
        assert str(problem).startswith(f"{problem.file}:{problem.line}:{problem.column}:")


@st.composite
def mutated(draw: st.DrawFn, source: str) -> str:
    lines = source.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "swap", "replace", "insert"]))
        if operation == "delete" and len(lines) > 1:
            del lines[i]
        elif operation == "duplicate":
            lines.insert(i, lines[i])
        elif operation == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif operation == "replace" and lines[i]:
            k = draw(st.integers(0, len(lines[i]) - 1))
            char = draw(st.sampled_from(SPECIAL) | st.characters())
            lines[i] = lines[i][:k] + char + lines[i][k + 1 :]
        else:
            k = draw(st.integers(0, len(lines[i])))
            inserted = draw(st.text(st.sampled_from(SPECIAL) | st.characters(), max_size=5))
            lines[i] = lines[i][:k] + inserted + lines[i][k:]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check(folder: Path, scenario: str, organisation: str, name: str) -> None:
    """check_file never raises: every answer is a result whose problems have real positions."""
    (folder / "base.yaml").write_text(scenario, encoding="utf-8", errors="surrogatepass")
    (folder / "org.yaml").write_text(organisation, encoding="utf-8", errors="surrogatepass")
    result = check_file(folder / name)
    assert_problems(result.problems, errors=False)
    if result.model is None:
        assert result.errors


def any_text(text: str) -> None:
    """Any text is a document or an error with a position."""
    parse(text.encode("utf-8", "surrogatepass"))


def yaml_punctuation(text: str) -> None:
    """Text made of YAML's own punctuation is a document or an error with a position."""
    parse(text.encode("utf-8", "surrogatepass"))


def mutated_scenario(workdir: Path, text: str) -> None:
    """A corrupted scenario file (its organisation intact) is checked without an exception."""
    check(workdir, text, ORG, "base.yaml")


def mutated_organisation_through_the_scenario(workdir: Path, text: str) -> None:
    """A corrupted organisation file, read through its scenario, is checked without an exception."""
    check(workdir, BASE, text, "base.yaml")


def mutated_organisation_alone(workdir: Path, text: str) -> None:
    """A corrupted organisation file, checked on its own, is checked without an exception."""
    check(workdir, BASE, text, "org.yaml")


PUNCTUATION = st.lists(
    st.sampled_from([*SPECIAL, "a", "1", ".inf", "~", "&a ", "*a", "<<: ", "!!str ", "- "]), max_size=40
).map("".join)

test_any_text, test_any_text_soak = fuzz(any_text, st.text(), examples=150)
test_any_bytes, test_any_bytes_soak = fuzz(parse, st.binary(), examples=150)
test_yaml_punctuation, test_yaml_punctuation_soak = fuzz(yaml_punctuation, PUNCTUATION, examples=150)
test_mutated_scenario, test_mutated_scenario_soak = fuzz(mutated_scenario, mutated(BASE), examples=150)
test_mutated_organisation_through_the_scenario, test_mutated_organisation_through_the_scenario_soak = fuzz(
    mutated_organisation_through_the_scenario, mutated(ORG), examples=150
)
test_mutated_organisation_alone, test_mutated_organisation_alone_soak = fuzz(
    mutated_organisation_alone, mutated(ORG), examples=150
)


# ---- structural mutations of generated valid scenarios --------------------------------------------


def write_scenario(folder: Path, data: dict[str, Any], separate_organisation: bool) -> list[Path]:
    """``data`` as ``folder/scenario.yaml`` (first), its organisation inline or in ``folder/org.yaml``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "scenario.yaml"]
    if separate_organisation and isinstance(data.get("organisation"), dict):
        written.append(folder / "org.yaml")
        written[1].write_text(yaml_text(data["organisation"]), encoding="utf-8")
        data = {**data, "organisation": "org.yaml"}
    written[0].write_text(yaml_text(data), encoding="utf-8")
    return written


def structural_mutation(tmp_path: Path, data: dict[str, Any], separate_organisation: bool) -> None:
    """A broken scenario loads as a Scenario (that compiles) or fails with ScenarioError whose every
    problem points at a real line and column of one of the files written."""
    files = write_scenario(Path(tempfile.mkdtemp(dir=tmp_path)), data, separate_organisation)
    lines = {path.resolve(): path.read_text(encoding="utf-8").count("\n") + 1 for path in files}
    try:
        scenario = load_scenario(files[0])
    except ScenarioError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert Path(problem.file).resolve() in lines, problem
            assert 1 <= problem.line <= lines[Path(problem.file).resolve()] and problem.column >= 1, problem
        return
    compile_scenario(scenario)  # valid at the edge means usable inside: nothing re-checks


test_structural_mutation, test_structural_mutation_soak = fuzz(
    structural_mutation, data=mutated_scenarios(), separate_organisation=st.booleans(), examples=150
)


def validate_command(tmp_path: Path, batch: list[tuple[dict[str, Any], bool]]) -> None:
    """``drillsim validate`` on a folder of broken scenarios exits 0 or 2, prints no traceback, and
    accounts for every file."""
    cases = Path(tempfile.mkdtemp(dir=tmp_path))  # tmp_path is shared by every input
    files = [
        f
        for i, (data, separate) in enumerate(batch)
        for f in write_scenario(cases / f"{i:03}", data, separate)
    ]
    run = subprocess.run(
        [str(Path(sys.executable).with_name("drillsim")), "validate", str(cases)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode in (0, 2), run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr and run.stderr == "", run.stderr
    assert f"{len(files)} file(s) checked" in run.stdout


test_validate_command, test_validate_command_soak = fuzz(
    validate_command,
    st.lists(st.tuples(mutated_scenarios(), st.booleans()), min_size=1, max_size=12),
    examples=4,
)
