"""The JSON Schema editors use: current, and in agreement with the validator on bundled files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from paths import ROOT, SCENARIOS

from drillsim.scenario.schema import json_schema
from drillsim.scenario.yamlsource import read_yaml

SCHEMA_FILES = {
    "scenario": ROOT / "docs/schema/scenario.schema.json",
    "organisation": ROOT / "docs/schema/organisation.schema.json",
}


@pytest.mark.parametrize("kind", ["scenario", "organisation"])
def test_published_schema_is_current(kind: str) -> None:
    """docs/schema/ is what bundled files point editors at; regenerate with `drillsim schema`."""
    assert json.loads(SCHEMA_FILES[kind].read_text()) == json_schema(kind)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["scenario", "organisation"])
def test_schema_is_valid_json_schema(kind: str) -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema(kind))  # type: ignore[arg-type]


def bundled_files() -> list[Path]:
    return sorted(SCENARIOS.rglob("*.yaml"))


@pytest.mark.parametrize("path", bundled_files(), ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_bundled_files_satisfy_the_schema_they_name(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# yaml-language-server: $schema="), "editors need the schema comment"
    schema_path = (path.parent / first_line.split("$schema=", 1)[1].strip()).resolve()
    schema = json.loads(schema_path.read_text())
    jsonschema.validate(read_yaml(path).data, schema)
