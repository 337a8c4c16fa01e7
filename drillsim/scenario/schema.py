"""JSON Schema of scenario and organisation files, for editors (yaml-language-server) and tools."""

from __future__ import annotations

from typing import Any, Literal

from drillsim.scenario.model import Scenario
from drillsim.scenario.organisation import Organisation

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(kind: Literal["scenario", "organisation"] = "scenario") -> dict[str, Any]:
    model = Scenario if kind == "scenario" else Organisation
    schema = model.model_json_schema(by_alias=True)
    if kind == "scenario":
        organisation = schema["properties"]["organisation"]
        schema["properties"]["organisation"] = {
            "anyOf": [
                {"type": "string", "description": "path of an organisation file, relative to this scenario"},
                organisation,
            ]
        }
    return {"$schema": SCHEMA_DIALECT, **_without_pydantic_keywords(schema), "title": f"drillsim {kind}"}


def _without_pydantic_keywords(node: Any) -> Any:
    """Drop constraint names pydantic leaves on custom types ('gt', 'ge'): not JSON Schema words."""
    if isinstance(node, dict):
        return {
            k: _without_pydantic_keywords(v) for k, v in node.items() if k not in ("gt", "ge", "lt", "le")
        }
    if isinstance(node, list):
        return [_without_pydantic_keywords(v) for v in node]
    return node
