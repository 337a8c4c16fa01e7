"""Command-line overrides of a scenario: ``--set PATH=VALUE`` and ``--set PATH+=VALUE``.

PATH names a place in the scenario with dots and brackets, as the validator prints it:
``escalation.sev1.levels[0].timeout``, ``people.ana.reachability``, ``regimes[my.regime].clocks``.
Organisation fields may be named without the ``organisation.`` prefix. VALUE is YAML:
``3m``, ``0.8``, ``[ana, ben]``, ``{name: Zoe, roles: [safety-engineer]}``. ``+=`` appends to a list
(for instance a person to a rotation). An override may add a new key (a new person), not a new
place two levels deep.

An overridden scenario is validated like a file; problems in an override are reported against it,
e.g. ``--set escalation.sev1.levels[0].timeout=soon: organisation.escalation...: 'soon' is not a
duration``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillsim.scenario.errors import Problem, ScenarioError, dotted_path
from drillsim.scenario.loader import Sources, display_path, read_sources, validate_sources
from drillsim.scenario.messages import did_you_mean
from drillsim.scenario.model import Scenario
from drillsim.scenario.organisation import Organisation
from drillsim.scenario.yamlsource import Document, parse_yaml, read_yaml

_SEGMENT = re.compile(r"\.?([A-Za-z0-9_-]+)|\[([^\]]+)\]")
_ORGANISATION_FIELDS = set(Organisation.model_fields) - set(Scenario.model_fields)


@dataclass(frozen=True)
class Override:
    """One ``PATH=VALUE`` (or ``PATH+=VALUE``) change to a scenario, and where it was written."""

    text: str  # as written on the command line
    path: tuple[str | int, ...]  # in the scenario's data (organisation fields under "organisation")
    value: Any
    append: bool
    flag: str = "--set"  # the option it came from, which problems name

    @property
    def where(self) -> str:
        """How problems name this override: ``--set PATH=VALUE``."""
        return f"{self.flag} {self.text}"


def parse_override(text: str, flag: str = "--set") -> Override:
    """``PATH=VALUE`` or ``PATH+=VALUE``, or ScenarioError naming the override as ``flag text``."""
    return _override(text, flag)


def _override(text: str, flag: str) -> Override:
    where = f"{flag} {text}"
    match = re.match(r"^\s*([^=+]+?)\s*(\+?=)(.*)$", text, re.DOTALL)
    if match is None:
        raise ScenarioError(
            [
                Problem(
                    where,
                    0,
                    0,
                    "",
                    "expected PATH=VALUE or PATH+=VALUE, e.g. escalation.sev1.levels[0].timeout=3m",
                )
            ]
        )
    path_text, operator, value_text = match.groups()
    path = _path(path_text, where)
    try:
        value = parse_yaml(f"value: {value_text.strip()}".encode(), where).data["value"]
    except ScenarioError as exc:
        raise ScenarioError(
            [Problem(where, 0, 0, "", f"the value is not YAML: {exc.problems[0].message}")]
        ) from None
    if path[0] in _ORGANISATION_FIELDS:
        path = ("organisation", *path)
    return Override(text, path, value, operator == "+=", flag)


def _path(text: str, where: str) -> tuple[str | int, ...]:
    segments: list[str | int] = []
    position = 0
    while position < len(text):
        match = _SEGMENT.match(text, position)
        if match is None or (position == 0 and text.startswith(".")):
            raise ScenarioError(
                [
                    Problem(
                        where,
                        0,
                        0,
                        "",
                        f"cannot read the path at '{text[position:]}' "
                        "(expected names separated by dots, and [n] for list positions)",
                    )
                ]
            )
        name, bracket = match.groups()
        if bracket is not None:
            segments.append(int(bracket) if bracket.strip().lstrip("-").isdigit() else bracket.strip())
        else:
            segments.append(name)
        position = match.end()
    if not segments:
        raise ScenarioError([Problem(where, 0, 0, "", "the path is empty")])
    return tuple(segments)


def apply_overrides(sources: Sources, overrides: list[Override]) -> None:
    """Put each override's value in place (as an overlay of ``sources``, so that problems in it are
    reported against the override), or raise ScenarioError for a path that does not exist."""
    for override in overrides:
        data = sources.data()
        where = override.where
        parent = _walk(data, override.path[:-1], where)
        last = _key(parent, override.path[-1])
        if override.append:
            target = _child(parent, last, where)
            if not isinstance(target, list):
                raise ScenarioError(
                    [
                        Problem(
                            where,
                            0,
                            0,
                            dotted_path(override.path),
                            "+= appends to a list, and this is not a list",
                        )
                    ]
                )
            path = (*override.path, len(target))
        else:
            if isinstance(parent, list):
                _child(parent, last, where)
            elif not isinstance(parent, dict):
                raise ScenarioError(
                    [
                        Problem(
                            where,
                            0,
                            0,
                            dotted_path(override.path[:-1]),
                            "is a single value; it has no fields to set",
                        )
                    ]
                )
            path = (*_indexed(data, override.path[:-1]), last)
        sources.overlays[path] = Document(
            where, override.value, values=_positions(override.value), shown_prefix=path
        )


def _walk(node: Any, path: tuple[str | int, ...], where: str) -> Any:
    for depth, segment in enumerate(path):
        try:
            node = _child(node, segment, where)
        except ScenarioError as exc:
            raise ScenarioError(
                [Problem(where, 0, 0, dotted_path(path[: depth + 1]), exc.problems[0].message)]
            ) from None
    return node


def _key(node: Any, segment: str | int) -> str | int:
    """``segment`` as a key of ``node``: in a list, ``0`` written after a dot (``levels.0``) is the
    index ``levels[0]``."""
    return (
        int(segment) if isinstance(node, list) and isinstance(segment, str) and segment.isdigit() else segment
    )


def _indexed(node: Any, path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """``path`` (which exists in ``node``) with every list index as a number."""
    found: list[str | int] = []
    for segment in path:
        key = _key(node, segment)
        found.append(key)
        node = node[key]
    return tuple(found)


def _child(node: Any, segment: str | int, where: str) -> Any:
    segment = _key(node, segment)
    if isinstance(node, dict):
        if segment in node:
            return node[segment]
        known = ", ".join(map(str, node)) or "nothing"
        raise ScenarioError(
            [
                Problem(
                    where,
                    0,
                    0,
                    "",
                    f"no '{segment}' here{did_you_mean(str(segment), node)} (there is: {known})",
                )
            ]
        )
    if isinstance(node, list):
        if isinstance(segment, int) and -len(node) <= segment < len(node):
            return node[segment]
        items = f"[0] to [{len(node) - 1}]" if node else "none"
        raise ScenarioError(
            [Problem(where, 0, 0, "", f"no item [{segment}] here: a list of {len(node)} (items {items})")]
        )
    raise ScenarioError([Problem(where, 0, 0, "", f"no '{segment}' here: this is a single value")])


def _positions(value: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Every place in an override's value, all at 'line 0' (the command line, not a file)."""
    positions = {path: (0, 0)}
    if isinstance(value, dict):
        for key, inner in value.items():
            positions.update(_positions(inner, (*path, key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            positions.update(_positions(inner, (*path, index)))
    return positions


def overrides_file(path: Path) -> list[Override]:
    """An overrides file: a YAML mapping of PATH to VALUE (as ``drillsim calibrate`` writes)."""
    doc = read_yaml(path, display_path(path))
    overrides = []
    for key, value in doc.data.items():
        where = f"{doc.file}:{doc.keys[(key,)][0]}"
        path_ = _path(key, where)
        overrides.append(
            Override(
                f"{key} (from {doc.file})",
                ("organisation", *path_) if path_[0] in _ORGANISATION_FIELDS else path_,
                value,
                False,
            )
        )
    return overrides


def overrides_from(texts: Sequence[str], files: Sequence[Path] = (), flag: str = "--set") -> list[Override]:
    """The overrides of ``files`` (in order), then the ``texts`` given with ``flag``: the order they
    apply in."""
    return [o for f in files for o in overrides_file(f)] + [parse_override(t, flag) for t in texts]


def load_with_overrides(
    path: Path,
    overrides: list[str],
    files: tuple[Path, ...] = (),
    organisation_folders: Sequence[Path] = (),
    flag: str = "--set",
) -> Scenario:
    """A scenario file with overrides files and then the ``overrides`` (given with ``flag``, which
    problems name) applied, validated like a file, or ScenarioError. ``organisation_folders`` as for
    ``loader.check_file``."""
    sources = read_sources(path, organisation_folders)
    apply_overrides(sources, overrides_from(overrides, files, flag))
    result = validate_sources(sources)
    if result.errors or not isinstance(result.model, Scenario):
        raise ScenarioError(
            result.errors or [Problem(result.file, 1, 1, "", "is an organisation file (expected a scenario)")]
        )
    return result.model


def split_values(text: str) -> list[str]:
    """``3m,5m,[a, b]`` → ``['3m', '5m', '[a, b]']``: commas inside brackets, braces or quotes stay."""
    values, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            values.append(current.strip())
            current = ""
            continue
        current += char
    values.append(current.strip())
    return values


def flow_yaml(value: Any) -> str:
    """``value`` (plain data: mappings, lists, strings, numbers, booleans) as one line of YAML that
    reads back as exactly ``value``: plain scalars where they read back as themselves
    (``{name: Zoe Park, roles: [sre]}``), else the whole value as JSON (which is YAML too)."""
    plain = _plain_flow(value)
    try:
        if parse_yaml(f"value: {plain}".encode(), "value").data["value"] == value:
            return plain
    except ScenarioError:
        pass
    return json.dumps(value, ensure_ascii=False)


def _plain_flow(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_plain_flow(inner)}" for key, inner in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_plain_flow(inner) for inner in value) + "]"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return str(value)


def override_text(path: str, value: Any) -> str:
    """The ``--set`` text that puts ``value`` at ``path``: ``PATH=VALUE``, the value as :func:`flow_yaml`
    writes it."""
    return f"{path}={flow_yaml(value)}"


def overrides_file_text(overrides: Mapping[str, Any], comments: Sequence[str] = ()) -> str:
    """An overrides file (what ``--overrides`` reads): the ``comments`` as ``#`` lines, then one
    ``PATH: VALUE`` line per override, in order."""
    lines = [f"# {comment}" for comment in comments]
    lines += [f"{path}: {flow_yaml(value)}" for path, value in overrides.items()]
    return "\n".join(lines) + "\n"
