"""Property: whatever the input, the loader answers with a result or a ScenarioError, never another
exception. Inputs are arbitrary text and bytes, and small mutations of the valid corpus files
(lines deleted, duplicated or swapped, characters replaced, text inserted), which keep most of the
file intact and so reach the model validation and the checks, not only the YAML parser."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drillsim.scenario.errors import Problem, ScenarioError
from drillsim.scenario.loader import check_file
from drillsim.scenario.yamlsource import Document, parse_yaml

CORPUS = Path(__file__).resolve().parent / "corpus"
BASE = (CORPUS / "valid" / "base.yaml").read_text(encoding="utf-8")
ORG = (CORPUS / "valid" / "org.yaml").read_text(encoding="utf-8")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters that mean something to YAML, and a few that mean trouble.
SPECIAL = list(":-[]{},&*!|>'\"#%@`?<= \t\n\r") + ["\x00", "\x07", "\x85", "\u2028", "\ufeff", "é", "…"]


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
            lines[i] = lines[i][:k] + char + lines[i][k + 1:]
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


@FUZZ
@given(st.text())
def test_any_text(text: str) -> None:
    parse(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary())
def test_any_bytes(raw: bytes) -> None:
    parse(raw)


@FUZZ
@given(st.lists(st.sampled_from([*SPECIAL, "a", "1", ".inf", "~", "&a ", "*a", "<<: ", "!!str ", "- "]),
                max_size=40).map("".join))
def test_yaml_punctuation(text: str) -> None:
    parse(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(mutated(BASE))
def test_mutated_scenario(workdir: Path, text: str) -> None:
    check(workdir, text, ORG, "base.yaml")


@FUZZ
@given(mutated(ORG))
def test_mutated_organisation_through_the_scenario(workdir: Path, text: str) -> None:
    check(workdir, BASE, text, "base.yaml")


@FUZZ
@given(mutated(ORG))
def test_mutated_organisation_alone(workdir: Path, text: str) -> None:
    check(workdir, BASE, text, "org.yaml")
