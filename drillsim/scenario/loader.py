"""Load and check scenario and organisation files: the one edge where input is validated.

``check_file`` reports every problem in a file (errors and warnings, with file, line, column and
field path); ``load_scenario`` returns a valid Scenario or raises ScenarioError with its errors.
``yaml_files`` finds the files in folders named on a command line; ``scenarios_in`` loads the valid
scenarios among them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from drillsim.scenario.base import record_validating_models, stop_recording
from drillsim.scenario.checks import Finding, check_organisation, check_scenario
from drillsim.scenario.errors import Problem, ScenarioError, dotted_path
from drillsim.scenario.messages import describe
from drillsim.scenario.model import Scenario
from drillsim.scenario.organisation import Organisation
from drillsim.scenario.yamlsource import Document, read_yaml

FileKind = Literal["scenario", "organisation"]
YAML_SUFFIXES = {".yaml", ".yml"}


@dataclass
class CheckResult:
    """What checking one file found: its kind, the validated model (when valid) and every problem."""

    file: str
    kind: FileKind
    model: Scenario | Organisation | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass
class Sources:
    """Where each part of the data being validated came from: the main file, and overlays that
    supplied a part of it (the organisation file, or an MSEL CSV for the injects)."""

    main: Document
    overlays: dict[tuple[Any, ...], Document] = field(default_factory=dict)  # path in the data → its source

    def _document(self, loc: tuple[Any, ...]) -> tuple[Document, tuple[Any, ...]]:
        """The document holding ``loc`` (the overlay with the longest matching path) and the rest of
        ``loc`` inside it."""
        for prefix in sorted(self.overlays, key=len, reverse=True):
            if loc[: len(prefix)] == prefix:
                return self.overlays[prefix], loc[len(prefix) :]
        return self.main, loc

    def problem(
        self,
        loc: tuple[Any, ...],
        message: str,
        severity: Any = "error",
        *,
        keep_last: bool = False,
        at_key: bool = False,
    ) -> Problem:
        doc, inner = self._document(loc)
        matched, (line, column) = doc.locate(inner)
        if at_key and matched in doc.keys:
            line, column = doc.keys[matched]
        shown = (*matched, inner[-1]) if keep_last and inner and matched != inner else matched
        return Problem(doc.file, line, column, dotted_path((*doc.shown_prefix, *shown)), message, severity)

    def raw_at(self, loc: tuple[Any, ...]) -> Any:
        doc, inner = self._document(loc)
        return doc.node_at(doc.locate(inner)[0])

    def data(self) -> dict[str, Any]:
        """The main file's data with every overlay put in place (copying, never changing, the files' data)."""
        data = self.main.data
        for prefix in sorted(self.overlays, key=len):
            data = _replaced(data, prefix, self.overlays[prefix].data)
        return dict(data)


def _replaced(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``node`` with ``value`` at ``path`` (an index one past a list's end appends)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, list):
        items = list(node)
        if head == len(items):
            items.append(None)
        items[head] = _replaced(items[head], rest, value)
        return items
    fields = dict(node)
    fields[head] = _replaced(fields.get(head), rest, value)
    return fields


def check_file(path: Path, organisation_folders: Sequence[Path] = ()) -> CheckResult:
    """Every problem in one scenario or organisation file. Never raises for bad input.

    ``organisation_folders``: folders, besides the scenario's own folder tree, that the organisation
    file a scenario names may come from (see ``organisation_file``)."""
    display = display_path(path)
    try:
        sources = read_sources(path, organisation_folders)
    except ScenarioError as exc:
        return CheckResult(display, "scenario", problems=exc.problems)
    return validate_sources(sources)


def read_sources(path: Path, organisation_folders: Sequence[Path] = ()) -> Sources:
    """Read a scenario or organisation file and the organisation file a scenario names."""
    doc = read_yaml(path, display_path(path))
    sources = Sources(doc)
    organisation = doc.data.get("organisation")
    if file_kind(doc.data) != "scenario" or organisation is None or isinstance(organisation, dict):
        return sources
    if not isinstance(organisation, str):
        raise ScenarioError(
            [
                sources.problem(
                    ("organisation",),
                    f"expected the path of an organisation file or a mapping, got {organisation!r}",
                )
            ]
        )
    org_path = path.parent / organisation
    resolved, unusable = organisation_file(path, organisation, organisation_folders)
    if unusable:
        raise ScenarioError(
            [sources.problem(("organisation",), f"organisation file '{display_path(org_path)}' {unusable}")]
        )
    sources.overlays[("organisation",)] = read_yaml(resolved, display_path(org_path))
    return sources


def organisation_file(
    scenario: Path, named: str, extra_folders: Sequence[Path] = ()
) -> tuple[Path, str | None]:
    """The file ``organisation: NAMED`` in ``scenario`` refers to, symlinks resolved, and why it
    cannot be used (None when it can).

    The one place that decides which organisation files a scenario may pull in: those inside the
    scenario's folder or its subfolders, or inside one of ``extra_folders`` (the command line's
    ``--allow-organisation-from``), after resolving ``..``, absolute paths and symlinks. Whether the
    file is inside is decided before looking at it, so a scenario cannot probe files outside."""
    try:
        resolved = (scenario.parent / named).resolve()
        allowed = [scenario.parent.resolve(), *(folder.resolve() for folder in extra_folders)]
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        return scenario.parent / named, f"cannot be read: {getattr(exc, 'strerror', None) or exc}"
    if not any(resolved.is_relative_to(folder) for folder in allowed):
        return resolved, _outside(allowed, resolved)
    try:
        if resolved.is_dir():
            return resolved, "is a folder (expected a YAML file)"
        return resolved, None if resolved.is_file() else "not found (a path relative to this scenario)"
    except OSError as exc:
        return resolved, f"cannot be read: {exc.strerror or exc}"


def _outside(allowed: list[Path], resolved: Path) -> str:
    """Why an organisation file outside the ``allowed`` folders (the scenario's first) is refused,
    and the option that would allow it."""
    where = f"this scenario's folder ({display_path(allowed[0])})"
    if len(allowed) > 1:
        where += f" and the folders allowed ({', '.join(display_path(f) for f in allowed[1:])})"
    return (
        f"is outside {where}; move it there, or allow its folder with "
        f"--allow-organisation-from {display_path(resolved.parent)}"
    )


def validate_sources(sources: Sources) -> CheckResult:
    """Validate the data ``sources`` hold; problems point into the file each part came from."""
    data = sources.data()
    kind = file_kind(data)
    model_type: type[Scenario] | type[Organisation] = Scenario if kind == "scenario" else Organisation
    registry, token = record_validating_models()
    try:
        model = model_type.model_validate(data)
    except ValidationError as exc:
        problems = [_from_pydantic(e, sources, registry) for e in exc.errors()]
        return CheckResult(sources.main.file, kind, problems=sorted(problems))
    finally:
        stop_recording(token)
    findings: list[Finding] = (
        check_scenario(model) if isinstance(model, Scenario) else check_organisation(model)
    )
    problems = sorted(sources.problem(f.loc, f.message, f.severity) for f in findings)
    return CheckResult(sources.main.file, kind, model, problems)


def load_scenario(path: Path, organisation_folders: Sequence[Path] = ()) -> Scenario:
    """A valid scenario, or ScenarioError listing every error (warnings are not errors)."""
    result = check_file(path, organisation_folders)
    if result.errors or result.model is None:
        raise ScenarioError(result.errors or [Problem(result.file, 1, 1, "", "not a scenario")])
    if not isinstance(result.model, Scenario):
        raise ScenarioError([Problem(result.file, 1, 1, "", "is an organisation file (expected a scenario)")])
    return result.model


# files only a simulation run's or a drill's folder has: the scenario.yaml beside them is a snapshot
RECORD_FILES = ("run.json", "journal.jsonl")


def yaml_files(paths: Sequence[Path]) -> list[Path]:
    """The files named in ``paths``, in order, each folder among them replaced by the YAML files
    (.yaml, .yml) in it and its subfolders, sorted; folders whose name starts with '.' are skipped,
    and so are run and drill folders (their scenario.yaml is a snapshot of a scenario, not one to
    keep). Named files are kept whatever their suffix, and whether or not they exist."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix in YAML_SUFFIXES
                    and p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                    and not any((p.parent / name).is_file() for name in RECORD_FILES)
                )
            )
        else:
            files.append(path)
    return files


def scenarios_in(
    paths: Sequence[Path],
    organisation_folders: Sequence[Path] = (),
    skip: Callable[[CheckResult], None] = lambda result: None,
) -> list[tuple[Path, Scenario]]:
    """The valid scenarios among ``yaml_files(paths)``, with their files, in that order; organisation
    files are passed over. A scenario file named in ``paths`` that has errors raises ScenarioError
    with them when it is reached; one found in a folder is handed to ``skip`` (its CheckResult) and
    left out. ``organisation_folders``: as for ``check_file``."""
    named = {p for p in paths if not p.is_dir()}
    found: list[tuple[Path, Scenario]] = []
    for file in yaml_files(paths):
        result = check_file(file, organisation_folders)
        if result.kind != "scenario":
            continue
        if result.errors and file in named:
            raise ScenarioError(result.errors)
        if result.errors:
            skip(result)
            continue
        assert isinstance(result.model, Scenario)  # a scenario file without errors
        found.append((file, result.model))
    return found


def file_kind(data: dict[str, Any]) -> FileKind:
    """Organisation files have people and no incidents; everything else is read as a scenario."""
    if "incidents" not in data and "organisation" not in data and ("people" in data or "teams" in data):
        return "organisation"
    return "scenario"


def _from_pydantic(error: Any, sources: Sources, registry: dict[int, type[BaseModel]]) -> Problem:
    loc = tuple(error["loc"])
    if error["type"] == "inject_kind":  # point at the kind, not the whole inject
        loc = (*loc, "kind")
    allowed = None
    if error["type"] == "extra_forbidden":
        model = registry.get(id(sources.raw_at(loc[:-1])))
        if model is not None:
            allowed = [f.alias or name for name, f in model.model_fields.items()]
    return sources.problem(
        loc,
        describe(error, allowed),
        keep_last=error["type"] in ("missing", "inject_kind"),
        at_key=error["type"] == "extra_forbidden",
    )


def display_path(path: Path) -> str:
    """A path as the user would write it: relative to the working folder when inside it."""
    absolute = Path(os.path.abspath(path))
    here = Path.cwd()
    return str(absolute.relative_to(here)) if absolute.is_relative_to(here) else str(absolute)
