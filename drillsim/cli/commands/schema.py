"""``drillsim schema``: the JSON Schema of scenario (or organisation) files."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from drillsim.cli.console import console


def schema(
    organisation: Annotated[
        bool, typer.Option("--organisation", help="The schema of organisation files instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of scenario files (or organisation files), for editors and tools."""
    from drillsim.scenario.schema import json_schema

    text = json.dumps(json_schema("organisation" if organisation else "scenario"), indent=2)
    console.print(text, markup=False)
