"""The exact scenario a run used, as one self-contained YAML file (organisation inlined)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from ruamel.yaml import YAML

from drillsim.scenario.overrides import Override


def snapshot_text(scenario_path: Path, overrides: Sequence[Override] = ()) -> str:
    """The scenario file's text with a referenced organisation file inlined and ``overrides`` applied
    (in order, as the run applied them), comments kept: loading it gives the scenario that ran.

    Call only on a scenario that validated with these overrides: the files are known to exist and
    parse, and every override's path to exist.
    """
    yaml = YAML(typ="rt")
    yaml.width = 4096
    document = yaml.load(scenario_path.read_text(encoding="utf-8"))
    organisation = document.get("organisation")
    if isinstance(organisation, str):
        document["organisation"] = yaml.load(
            (scenario_path.parent / organisation).read_text(encoding="utf-8")
        )
    for override in overrides:
        parent = document
        for segment in override.path[:-1]:
            parent = parent[segment]
        if override.append:
            parent[override.path[-1]].append(override.value)
        else:
            parent[override.path[-1]] = override.value
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()
