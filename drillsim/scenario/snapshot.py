"""The exact scenario a run used, as one self-contained YAML file (organisation inlined)."""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML


def snapshot_text(scenario_path: Path) -> str:
    """The scenario file's text with a referenced organisation file inlined, comments kept.

    Call only on a scenario that validated: the files are known to exist and parse.
    """
    yaml = YAML(typ="rt")
    yaml.width = 4096
    document = yaml.load(scenario_path.read_text(encoding="utf-8"))
    organisation = document.get("organisation")
    if isinstance(organisation, str):
        document["organisation"] = yaml.load((scenario_path.parent / organisation).read_text(encoding="utf-8"))
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()
