"""What the importers share: where things came from, the organisation being built, the notes on what
cannot be represented, reading the files named, and writing the organisation file.

Contract: an importer reads its files into a :class:`Draft` (plain organisation data, provenance
comments, notes) and hands it to :func:`organisation_text`, which fills the placeholders, writes the
YAML and validates it with the scenario loader; :func:`write_organisation` writes it atomically and
never over an existing file unless asked. A problem that would make the organisation wrong (not
merely incomplete) raises :class:`ImportRefused` naming file and path; nothing is written then.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from drillsim.fsutil import write_atomically
from drillsim.scenario.loader import Sources, display_path, validate_sources
from drillsim.scenario.organisation import PLACEHOLDER
from drillsim.scenario.yamlsource import parse_yaml

SOURCE = "__source__"  # the key under which each object read carries its Source
_TIME_OF_DAY = re.compile(r"^\d\d:\d\d$")


@dataclass(frozen=True)
class Source:
    """Where something came from: a file as the user named it, and a path inside it (a JSON path such
    as ``schedules[0].schedule_layers[1]``, or a Terraform address and its blocks)."""

    file: str
    path: str = ""

    def at(self, *parts: str | int) -> Source:
        """The path one step further: a key (``.name``) or an index (``[2]``)."""
        path = self.path
        for part in parts:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
        return Source(self.file, path)

    def __str__(self) -> str:
        return f"{self.file}: {self.path}" if self.path else self.file


@dataclass(frozen=True)
class Note:
    """Something at ``where`` that the organisation does not say, or says differently, and why."""

    where: Source
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ImportRefused(Exception):
    """The organisation would be wrong rather than incomplete (unreadable files, unknown references, a
    level that would page nobody…), or cannot be written. Nothing is written; ``problems`` name each
    file and path. ``notes``: what the files hold that drillsim would not have represented, found
    before the import stopped (said too, so that fixing the problems brings no surprise)."""

    def __init__(self, problems: Sequence[Note], notes: Sequence[Note] = ()) -> None:
        self.problems, self.notes = list(problems), list(notes)
        lines = [str(p) for p in self.problems]
        message = (
            f"{lines[0]} (nothing written)"
            if len(lines) == 1
            else "nothing written:\n  " + "\n  ".join(lines)
        )
        if self.notes:
            message += f"\nand once fixed, {len(self.notes)} construct(s) will not be represented:\n  "
            message += "\n  ".join(str(n) for n in self.notes)
        super().__init__(message)


def source_of(obj: dict[str, Any]) -> Source:
    """The Source an object read carries (see :func:`annotate`)."""
    found = obj.get(SOURCE)
    return found if isinstance(found, Source) else Source("?")


def annotate(value: Any, where: Source) -> Any:
    """Mark every mapping inside ``value`` (JSON as read) with its Source, in place; returns ``value``."""
    if isinstance(value, dict):
        for key, inner in list(value.items()):
            annotate(inner, where.at(key))
        value[SOURCE] = where
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            annotate(inner, where.at(index))
    return value


def files_in(paths: Sequence[Path], suffixes: set[str], what: str) -> list[Path]:
    """The files named, and in each folder named the files with one of ``suffixes`` (subfolders too,
    sorted, hidden ones skipped). ImportRefused for a missing path, or when nothing is found."""
    found: list[Path] = []
    problems: list[Note] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in suffixes
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not inside:
                problems.append(Note(Source(display_path(path)), f"no {what} in this folder"))
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Note(Source(display_path(path)), "not found"))
    if problems:
        raise ImportRefused(problems)
    return found


def read_json(path: Path) -> Any:
    """A JSON file's data; ImportRefused (with line and column) when it is not JSON."""
    shown = display_path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [Note(Source(shown), f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ImportRefused([Note(Source(shown), f"cannot be read: {reason}")]) from None


def is_time_zone(name: Any) -> bool:
    """Whether ``name`` is an IANA time-zone name."""
    if not isinstance(name, str) or not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def instant(text: Any) -> dt.datetime | None:
    """An ISO 8601 date-time as written by the APIs (``Z`` or an offset), or None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def slug(name: str) -> str:
    """An id drillsim accepts, made from a name: ``"SRE primary (EU)"`` → ``sre-primary-eu``."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text[:56].strip("-")


@dataclass
class Draft:
    """The organisation being built, as the plain data its YAML file holds.

    Sections are mappings from drillsim ids to plain data; ``comments`` says where each entry came
    from (keyed by its path in the file, e.g. ``("schedules", "sre", "layers", "l1")``); ``notes``
    list what is not represented; ``errors`` what makes the import wrong (raised by ``check``).
    ``serves`` names, per policy, the services of the source that it serves.
    """

    tool: str
    files: list[str] = field(default_factory=list)
    teams: dict[str, dict[str, Any]] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    escalation: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    serves: dict[str, list[str]] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    errors: list[Note] = field(default_factory=list)
    _ids: dict[tuple[str, str], str] = field(default_factory=dict)
    _taken: dict[str, set[str]] = field(default_factory=dict)

    def new_id(self, kind: str, key: str, name: str) -> str:
        """A fresh id of ``kind`` (unique among that kind) for the source's object ``key``, made from
        its ``name``; ``id_of(kind, key)`` finds it again."""
        base = slug(name) or slug(key) or kind
        if not base[0].isalnum():
            base = f"{kind}-{base}"
        taken = self._taken.setdefault(kind, {PLACEHOLDER})
        candidate, count = base, 1
        while candidate in taken:
            count += 1
            candidate = f"{base}-{count}"
        taken.add(candidate)
        self._ids[(kind, key)] = candidate
        return candidate

    def id_of(self, kind: str, key: Any) -> str | None:
        """The id given to the source's object ``key`` of ``kind``, or None when there is none."""
        return self._ids.get((kind, key)) if isinstance(key, str) else None

    def forget(self, kind: str, key: str) -> None:
        """Take back the id given to ``key``: references to it are then unknown."""
        self._ids.pop((kind, key), None)

    def note(self, where: Source, message: str) -> None:
        self.notes.append(Note(where, message))

    def refuse(self, where: Source, message: str) -> None:
        self.errors.append(Note(where, message))

    def comment(self, loc: tuple[str, ...], text: str) -> None:
        self.comments.setdefault(loc, []).append(text)

    def check(self) -> None:
        """Raise ImportRefused with every error found so far (and the notes gathered)."""
        if self.errors:
            raise ImportRefused(self.errors, self.notes)


def provenance(obj: dict[str, Any], label: str | None = None) -> str:
    """``from FILE: PATH (ID "NAME")``: where an object came from, for a comment."""
    where = source_of(obj)
    key = obj.get("id")
    name = label if label is not None else obj.get("name") or obj.get("summary")
    shown = [f"{key}" if isinstance(key, str) and not where.path.endswith(key) else ""]
    if name:
        shown.append(f'"{name}"')
    detail = " ".join(s for s in shown if s)
    return f"from {where}" + (f" ({detail})" if detail else "")


# ---- the organisation file -----------------------------------------------------------------------


def organisation_text(draft: Draft, org_id: str, name: str) -> str:
    """The organisation file for ``draft``: placeholders filled in, provenance comments, and a header
    listing the files read and everything not represented. Validated with the scenario loader first:
    ImportRefused when the draft has errors or the result does not validate (a bug to report)."""
    draft.check()
    if not draft.people:
        raise ImportRefused(
            [Note(Source(", ".join(draft.files)), "no people (users) in these files")], draft.notes
        )
    if not draft.escalation:
        raise ImportRefused(
            [Note(Source(", ".join(draft.files)), "no escalation policies: drillsim needs at least one")],
            draft.notes,
        )
    _fill_placeholders(draft)
    zones = Counter(s["timezone"] for s in draft.schedules.values() if "timezone" in s)
    root = CommentedMap()
    root["id"] = org_id
    root["name"] = name
    root["timezone"] = zones.most_common(1)[0][0] if zones else "UTC"
    for section in ("teams", "people", "authorities", "schedules", "escalation"):
        entries = _authorities() if section == "authorities" else getattr(draft, section)
        if entries:
            root[section] = _section(draft, (section,), entries, 2)
    root.yaml_set_start_comment(_header(draft))
    buffer = io.StringIO()
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # [{person: ana}], as people write it
    yaml.dump(root, buffer)
    text = buffer.getvalue()
    _validate(text)
    return text


def check_writable(out: Path, *, force: bool = False) -> None:
    """ImportRefused when ``out`` is a folder, or exists and ``force`` is not given."""
    shown = display_path(out)
    if out.is_dir():
        raise ImportRefused([Note(Source(shown), "is a folder (expected a file to write)")])
    if out.exists() and not force:
        raise ImportRefused([Note(Source(shown), "already exists; pass --force to replace it")])


def write_organisation(text: str, out: Path, *, force: bool = False) -> None:
    """Write the organisation file atomically; an existing ``out`` only with ``force``."""
    shown = display_path(out)
    check_writable(out, force=force)
    try:
        write_atomically(out, text)
    except OSError as exc:
        raise ImportRefused([Note(Source(shown), f"cannot be written: {exc.strerror or exc}")]) from None


def _validate(text: str) -> None:
    result = validate_sources(Sources(parse_yaml(text.encode("utf-8"), "imported organisation")))
    if result.errors:
        problems = [Note(Source("imported organisation", p.path), p.message) for p in result.errors]
        raise ImportRefused(problems)


def _fill_placeholders(draft: Draft) -> None:
    """What the source does not hold: roles and skills per person; a team when there are none; every
    policy but one catch-all (the one serving the most services, else the first) serves `fill-in`."""
    for person in draft.people.values():
        person.setdefault("roles", [PLACEHOLDER])
        person.setdefault("skills", [PLACEHOLDER])
    if not draft.teams:
        draft.teams[PLACEHOLDER] = {"name": f"Fill in: teams ({draft.tool} export has none)"}
        draft.comment(("teams", PLACEHOLDER), "placeholder: the files read hold no teams")
    if len(draft.escalation) > 1:
        catch_all = max(draft.escalation, key=lambda pid: len(draft.serves.get(pid, [])))
        for pid, policy in draft.escalation.items():
            if pid != catch_all:
                title = {"title": policy.pop("title")} if "title" in policy else {}
                draft.escalation[pid] = {**title, "applies_to": {"incidents": [PLACEHOLDER]}, **policy}
        draft.comment(
            ("escalation", catch_all),
            "the catch-all: drillsim chooses a policy by incident kind and severity (applies_to); the "
            "others serve 'fill-in' until you say which incidents they serve",
        )


def _authorities() -> dict[str, dict[str, Any]]:
    return {
        PLACEHOLDER: {
            "title": "Fill in: the decisions your incidents need, and who may take them",
            "roles": [PLACEHOLDER],
        }
    }


def _header(draft: Draft) -> str:
    lines = [
        f"drillsim organisation imported from {draft.tool} by `drillsim import`, from:",
        *(f"  {file}" for file in draft.files),
        "Each entry says where it came from. What the source does not hold is marked fill-in (roles,",
        "skills, authorities, which incidents a policy serves): `drillsim validate FILE` lists each one.",
    ]
    if draft.notes:
        lines.append(f"Not represented ({len(draft.notes)}):")
        lines += [f"  {note}" for note in draft.notes]
    return "\n".join(lines)


def _section(draft: Draft, loc: tuple[str, ...], entries: dict[str, Any], indent: int) -> CommentedMap:
    """A mapping of entries by id, each with its provenance comments above it."""
    section = CommentedMap()
    for key, value in entries.items():
        here = (*loc, key)
        if loc[0] == "schedules" and len(loc) == 1:
            section[key] = _schedule(draft, here, value, indent + 2)
        elif loc[0] == "teams":
            section[key] = _flow(value)
        else:
            section[key] = _block(value)
        comments = draft.comments.get(here)
        if comments:
            section.yaml_set_comment_before_after_key(key, before="\n".join(comments), indent=indent)
    return section


def _schedule(draft: Draft, loc: tuple[str, ...], schedule: dict[str, Any], indent: int) -> CommentedMap:
    out = CommentedMap()
    for key, value in schedule.items():
        if key == "layers":
            out[key] = _section(draft, (*loc, "layers"), value, indent + 2)
        elif key == "overrides":
            overrides = CommentedSeq(_flow(o) for o in value)
            for index, _ in enumerate(value):
                for text in draft.comments.get((*loc, "overrides", str(index)), []):
                    overrides.yaml_add_eol_comment(text, index)
            out[key] = overrides
        else:
            out[key] = value
    return out


def _block(value: Any) -> Any:
    """A mapping written as a block whose lists and inner mappings are written inline."""
    if isinstance(value, dict):
        out = CommentedMap()
        for key, inner in value.items():
            out[key] = _block(inner) if key == "levels" else _flow(inner)
        return out
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return CommentedSeq(_block(item) for item in value)
    return _flow(value)


def _flow(value: Any) -> Any:
    """Lists and mappings inline, as people write them (``[a, b]``, ``{person: ana}``); times of day
    in quotes."""
    if isinstance(value, dict):
        node = CommentedMap((k, _flow(v)) for k, v in value.items())
        node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_flow(v) for v in value)
        seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and _TIME_OF_DAY.match(value):
        return DoubleQuotedScalarString(value)
    return value


def unique(items: Iterable[str]) -> list[str]:
    """``items`` without repeats, in order."""
    return list(dict.fromkeys(items))
