"""The MSEL (Master Scenario Events List) as a spreadsheet: CSV export and import.

Columns follow HSEEP usage. A complication's effect travels in the Effect column as a YAML flow
mapping, e.g. ``{unavailable: {person: dana}, for: 8h}``, and so does a severity inject's
(``{severity: sev1}``) and a conditional inject's Condition (``{unless: {acknowledged: {role:
ciso}}}``, a column exported only when some inject has a condition), so that every inject survives
the round trip. Importing validates the whole scenario with the new injects before anything is written;
errors point at CSV rows and columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from drillsim.fsutil import write_atomically
from drillsim.scenario.dynamics import Condition
from drillsim.scenario.errors import Problem, ScenarioError
from drillsim.scenario.loader import Sources, display_path, read_sources, validate_sources
from drillsim.scenario.model import ComplicationInject, IncidentInject, Scenario, SeverityInject
from drillsim.scenario.units import format_duration
from drillsim.scenario.yamlsource import Document, parse_yaml

# (CSV header, inject field). The order is the spreadsheet's column order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Event", "id"),
    ("Scenario time", "at"),
    ("Type", "kind"),
    ("Synopsis", "text"),
    ("From", "from"),
    ("To", "to"),
    ("Controller", "controller"),
    ("Expected player action", "expected_action"),
    ("Objectives", "objectives"),
    ("Incident", "incident"),
    ("Effect", "effect"),
    ("Notes", "notes"),
    ("Condition", "condition"),
)
REQUIRED = ("Event", "Scenario time", "Type", "Synopsis")
DELIMITERS = (",", ";", "\t")  # spreadsheets in many locales export with ';' (a comma is their decimal mark)
_CLOCK_TIME = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")  # 0:20:00, as spreadsheets write a time
EFFECT_FIELDS = ("unavailable", "paging_delay", "disable_source", "for", "affects", "severity")


def export_csv(scenario: Scenario) -> str:
    """The scenario's injects, in file order, as CSV text (the Condition column only when some inject
    has a condition)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    conditional = any(inject.condition is not None for inject in scenario.injects)
    columns = [c for c in COLUMNS if conditional or c[1] != "condition"]
    writer.writerow([header for header, _ in columns])
    for inject in scenario.injects:
        row = {
            "id": inject.id,
            "at": format_duration(inject.at),
            "kind": inject.kind,
            "text": inject.text,
            "from": inject.from_,
            "to": inject.to,
            "controller": inject.controller,
            "expected_action": inject.expected_action,
            "objectives": ", ".join(inject.objectives),
            "incident": inject.incident if isinstance(inject, IncidentInject | SeverityInject) else None,
            "effect": _effect_text(inject)
            if isinstance(inject, ComplicationInject | SeverityInject)
            else None,
            "notes": inject.notes,
            "condition": _condition_text(inject.condition) if inject.condition is not None else None,
        }
        writer.writerow(["" if row[name] is None else row[name] for _, name in columns])
    return buffer.getvalue()


def _condition_text(condition: Condition) -> str:
    """A condition as a YAML flow mapping: ``{unless: {acknowledged: {role: ciso}}}``."""
    return _flow_text(condition.model_dump(by_alias=True, exclude_none=True))


def _flow_text(value: Any) -> str:
    """Plain data (mappings of ids and names) as a YAML flow mapping."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow_text(inner)}" for key, inner in value.items()) + "}"
    return str(value)


def _effect_text(inject: ComplicationInject | SeverityInject) -> str:
    if isinstance(inject, SeverityInject):
        return f"{{severity: {inject.severity}}}"
    if inject.unavailable is not None:
        key = inject.unavailable.wrapper_key
        effect = f"unavailable: {{{key}: {getattr(inject.unavailable, key)}}}"
    elif inject.paging_delay is not None:
        effect = f"paging_delay: {format_duration(inject.paging_delay)}"
    else:
        effect = f"disable_source: {inject.disable_source}"
    if inject.for_ is not None:
        effect += f", for: {format_duration(inject.for_)}"
    if inject.affects is not None:
        key = inject.affects.wrapper_key
        effect += f", affects: {{{key}: {getattr(inject.affects, key)}}}"
    return "{" + effect + "}"


def read_csv(path: Path, display: str | None = None) -> Document:
    """An MSEL CSV as a Document whose data is a list of raw injects, positioned by row and column."""
    name = display or str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError([Problem(name, 1, 1, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem(name, 1, 1, "", f"not UTF-8 text at byte {exc.start} (save the CSV as UTF-8)")]
        ) from None
    except OSError as exc:
        raise ScenarioError([Problem(name, 1, 1, "", f"cannot be read: {exc.strerror or exc}")]) from None
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text.partition("\n")[0]))
    try:
        header = next(reader)
    except StopIteration:
        raise ScenarioError([Problem(name, 1, 1, "", "the CSV is empty (expected a header row)")]) from None
    fields = _header_fields(header, name)
    doc = Document(name, [], shown_prefix=("injects",))
    line = reader.line_num
    try:
        for cells in reader:
            row_line, line = line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            doc.data.append(_row(doc, len(doc.data), row_line, cells, fields))
    except csv.Error as exc:
        raise ScenarioError([Problem(name, reader.line_num, 1, "", f"CSV syntax: {exc}")]) from None
    return doc


def _delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most known column titles (',' on a tie)."""
    known = {h.lower() for h, _ in COLUMNS}

    def titles(delimiter: str) -> int:
        return sum(cell.strip().strip('"').lower() in known for cell in header_line.split(delimiter))

    return max(DELIMITERS, key=titles)


def _header_fields(header: list[str], name: str) -> list[str]:
    known = {h.lower(): f for h, f in COLUMNS}
    fields, problems = [], []
    for column, title in enumerate(header, start=1):
        field = known.get(title.strip().lower())
        if field is None:
            problems.append(
                Problem(
                    name,
                    1,
                    column,
                    "",
                    f"unknown column '{title}' (expected: " + ", ".join(h for h, _ in COLUMNS) + ")",
                )
            )
        fields.append(field or "")
    titles = {h.strip().lower() for h in header}
    problems += [
        Problem(name, 1, 1, "", f"missing column '{r}'") for r in REQUIRED if r.lower() not in titles
    ]
    if problems:
        raise ScenarioError(problems)
    return fields


def _row(doc: Document, index: int, line: int, cells: list[str], fields: list[str]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    doc.values[(index,)] = (line, 1)
    for column, (field, cell) in enumerate(zip(fields, cells, strict=False), start=1):
        cell = cell.strip()
        if not cell:
            continue
        if field == "objectives":  # separated by commas, or semicolons as some spreadsheets write lists
            raw[field] = [o.strip() for o in re.split(r"[,;]", cell) if o.strip()]
            for j in range(len(raw[field])):
                doc.values[(index, field, j)] = (line, column)
        elif field == "effect":
            effect = _effect(cell, doc.file, line, column)
            for key, value in effect.items():
                raw[key] = value
                _position_all(doc, (index, key), value, (line, column))
            continue
        elif field == "condition":
            raw[field] = _mapping(cell, doc.file, line, column, "Condition")
            _position_all(doc, (index, field), raw[field], (line, column))
            continue
        elif field == "at":
            raw[field] = _spreadsheet_time(cell)
        else:
            raw[field] = cell
        doc.values[(index, field)] = (line, column)
    return raw


def _spreadsheet_time(cell: str) -> str:
    """A scenario time as a spreadsheet formats a time of day, H:MM or H:MM:SS (``0:20:00``), as a
    duration (``20m``); anything else unchanged, for the scenario language to judge."""
    match = _CLOCK_TIME.match(cell)
    if match is None:
        return cell
    hours, minutes, seconds = match.groups()
    return format_duration(int(hours) * 60 + int(minutes) + int(seconds or 0) / 60)


def _mapping(cell: str, file: str, line: int, column: int, title: str) -> dict[str, Any]:
    """A cell holding a YAML flow mapping, or ScenarioError at the cell."""
    try:
        data = parse_yaml(cell.encode(), file).data
    except ScenarioError as exc:
        raise ScenarioError(
            [Problem(file, line, column, title, f"not a YAML mapping: {exc.problems[0].message}")]
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem(file, line, column, title, "not a YAML mapping (expected {key: value})")]
        )
    return data


def _effect(cell: str, file: str, line: int, column: int) -> dict[str, Any]:
    effect = _mapping(cell, file, line, column, "Effect")
    unknown = [k for k in effect if k not in EFFECT_FIELDS]
    if unknown:
        raise ScenarioError(
            [
                Problem(
                    file,
                    line,
                    column,
                    "Effect",
                    f"unknown key '{unknown[0]}' (expected " + ", ".join(EFFECT_FIELDS) + ")",
                )
            ]
        )
    return effect


def _position_all(doc: Document, path: tuple[Any, ...], value: Any, where: tuple[int, int]) -> None:
    doc.values[path] = where
    if isinstance(value, dict):
        for key, inner in value.items():
            _position_all(doc, (*path, key), inner, where)


def import_csv(
    csv_path: Path,
    scenario_path: Path,
    organisation_folders: Sequence[Path] = (),
    *,
    allow_empty: bool = False,
) -> bool:
    """Replace the scenario's injects with the CSV's. Returns False when they are already equal.

    Raises ScenarioError (nothing written) when the CSV or the resulting scenario is invalid, or when
    the CSV has no inject at all (a header only) and the scenario has some, unless ``allow_empty``:
    emptying an MSEL is rarely what a spreadsheet meant. ``organisation_folders`` as for
    ``loader.check_file``.
    """
    sources: Sources = read_sources(scenario_path, organisation_folders)
    before = validate_sources(sources)
    rows = read_csv(csv_path, display_path(csv_path))
    had_injects = isinstance(before.model, Scenario) and bool(before.model.injects)
    if not rows.data and had_injects and not allow_empty:
        raise ScenarioError(
            [
                Problem(
                    rows.file,
                    1,
                    1,
                    "",
                    "the CSV has a header but no inject: importing it would empty the MSEL "
                    "(pass --allow-empty to do that)",
                )
            ]
        )
    sources.overlays[("injects",)] = rows
    after = validate_sources(sources)
    if after.errors or not isinstance(after.model, Scenario):
        raise ScenarioError(after.errors or [Problem(after.file, 1, 1, "", "not a scenario file")])
    if isinstance(before.model, Scenario) and before.model.injects == after.model.injects:
        return False
    _write_injects(scenario_path, rows.data)
    return True


# the order an inject's fields are written in
FIELD_ORDER = (
    "id",
    "at",
    "kind",
    "incident",
    *EFFECT_FIELDS,
    "condition",
    "text",
    "from",
    "to",
    "controller",
    "expected_action",
    "objectives",
    "notes",
)


def _write_injects(scenario_path: Path, injects: list[dict[str, Any]]) -> None:
    """Rewrite the ``injects`` block of a scenario file; every other byte of the file is kept. An
    inject the block already has (by id) and the CSV leaves as it was keeps its text exactly, with
    its comments; one the CSV changes is updated in place (its unchanged fields and their comments
    stay) and written again. Values that need quotes get the quotes the block already used (``"1"``
    stays ``"1"``)."""
    text = scenario_path.read_text(encoding="utf-8")
    span = _injects_span(text)
    block = text[span[0] : span[1]] if span is not None else ""
    double = _prefers_double_quotes(block or text)
    yaml = YAML(typ="rt")
    yaml.width = _folding_width(block)  # long quoted text folds where the block folds it
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    old = (yaml.load(block) or {}).get("injects") if span is not None else None
    if span is None or not injects or not isinstance(old, CommentedSeq) or not old or old.fa.flow_style():
        written = _dumped(yaml, [_entry(raw, double) for raw in injects])
        head = "injects:\n" if injects else "injects: []\n"
        if span is None:
            updated = text + ("" if text.endswith("\n") else "\n") + head + written
        else:
            updated = text[: span[0]] + head + written + text[span[1] :]
        write_atomically(scenario_path, updated)
        return
    lines = block.splitlines(keepends=True)
    if not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    starts = [old.lc.item(i)[0] for i in range(len(old))]
    pieces = {
        str(entry.get("id")): (entry, lines[at : (starts[i + 1] if i + 1 < len(starts) else None)], at)
        for i, (entry, at) in enumerate(zip(old, starts, strict=True))
        if isinstance(entry, CommentedMap)
    }
    out = ["".join(lines[: starts[0]])]  # the `injects:` line and any comment before the first
    for raw in injects:
        found = pieces.pop(str(raw.get("id")), None)
        if found is None:
            out.append(_dumped(yaml, [_entry(raw, double)]))
        elif _plain(found[0]) == raw:
            out.append("".join(found[1]))
        else:
            out.append(_changed(yaml, *found, raw, double))
    updated = text[: span[0]] + "".join(out) + text[span[1] :]
    write_atomically(scenario_path, updated)


def _changed(
    yaml: YAML, entry: CommentedMap, lines: list[str], at: int, raw: dict[str, Any], double: bool
) -> str:
    """The text of inject ``entry`` (``lines`` of the block from line ``at``) made to say ``raw``: the
    lines of the fields it keeps as they were, changed and new fields written again (new ones in
    FIELD_ORDER), fields the CSV leaves out removed."""
    keys = list(entry)
    if (
        entry.fa.flow_style()  # `- {id: "2", at: 1h, …}`: fields share lines
        or not keys
        or keys[0] not in raw
        or _plain(entry[keys[0]]) != raw[keys[0]]  # its first line, `- id: …`, changes
    ):
        return _dumped(yaml, [_updated(entry, raw, double)])  # written whole
    starts = [entry.lc.key(k)[0] - at for k in keys]
    own = {
        key: "".join(lines[start : (starts[i + 1] if i + 1 < len(starts) else None)])
        for i, (key, start) in enumerate(zip(keys, starts, strict=True))
    }

    def field(key: str) -> str:
        alone = CommentedMap({key: _flow(_quoted(raw[key], double))})
        if key in entry.ca.items:  # the comment beside it stays
            alone.ca.items[key] = entry.ca.items[key]
        return "    " + _dumped(yaml, [alone])[4:]

    order = list(keys)
    for key in (k for k in FIELD_ORDER if k in raw and k not in entry):  # new fields, in FIELD_ORDER
        later = FIELD_ORDER[FIELD_ORDER.index(key) + 1 :]
        order.insert(next((i for i, k in enumerate(order) if k in later), len(order)), key)
    out = []
    for key in order:
        if key not in raw:
            continue  # left out by the CSV: removed
        out.append(own[key] if key in entry and _plain(entry[key]) == raw[key] else field(key))
    return "".join(out)


def _dumped(yaml: YAML, entries: list[CommentedMap]) -> str:
    """``entries`` as the items of the injects block (without its ``injects:`` line)."""
    buffer = io.StringIO()
    yaml.dump({"injects": entries}, buffer)
    return buffer.getvalue().partition("\n")[2]


def _plain(value: Any) -> Any:
    """A value read from the file as plain data (to compare with a CSV row's)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, str) else value


def _folding_width(block: str) -> int:
    """The width at which long quoted text in ``block`` folds onto a next line: the longest first line
    of a folded value, or no folding when none is."""
    first_lines = [
        len(line)
        for line, following in zip(block.splitlines(), block.splitlines()[1:], strict=False)
        if re.match(r"\s*(- )?[\w-]+: [\"']", line)
        and not re.search(r"[\"']\s*(#.*)?$", line)
        and following.startswith(" ")
    ]
    return max(first_lines) + 1 if first_lines else 4096


def _entry(raw: dict[str, Any], double: bool) -> CommentedMap:
    """A new inject, its fields in FIELD_ORDER."""
    entry = CommentedMap()
    for key in FIELD_ORDER:
        if key in raw:
            entry[key] = _flow(_quoted(raw[key], double))
    return entry


def _updated(entry: CommentedMap, raw: dict[str, Any], double: bool) -> CommentedMap:
    """``entry`` (as the file has it) made to say ``raw``: fields the CSV leaves out are removed,
    changed ones replaced where they stand, new ones inserted in FIELD_ORDER; the others untouched."""
    for key in [k for k in entry if k not in raw]:
        del entry[key]
    for key in FIELD_ORDER:
        if key not in raw:
            continue
        if key in entry:
            if entry[key] != raw[key]:
                entry[key] = _flow(_quoted(raw[key], double))
        else:
            before = FIELD_ORDER[: FIELD_ORDER.index(key)]
            entry.insert(sum(1 for k in entry if k in before), key, _flow(_quoted(raw[key], double)))
    return entry


def _prefers_double_quotes(text: str) -> bool:
    """Whether quoted values in ``text`` are mostly in double quotes (ruamel would write single)."""
    return len(re.findall(r':\s+"', text)) > len(re.findall(r":\s+'", text))


def _quoted(value: Any, double: bool) -> Any:
    """``value`` in double quotes when the file prefers them and YAML would quote it anyway (text
    that would otherwise read as a number, a date, a boolean…); else as it is."""
    if not (double and isinstance(value, str)):
        return value
    buffer = io.StringIO()
    YAML(typ="rt").dump(value, buffer)
    return DoubleQuotedScalarString(value) if buffer.getvalue().startswith("'") else value


def _flow(value: Any) -> Any:
    """Short lists and mappings written inline, as people write them: [a, b], {person: dana}."""
    if isinstance(value, list | dict):
        node = CommentedSeq(value) if isinstance(value, list) else CommentedMap(value)
        node.fa.set_flow_style()
        return node
    return value


def _injects_span(text: str) -> tuple[int, int] | None:
    """Where the top-level ``injects:`` key and its value stand in ``text``: from the key to the end
    of the line holding the value's last character, so comments after it stay."""
    root = YAML(typ="rt").compose(text)
    for key, value in root.value:
        if key.value == "injects":
            end = _content_end(value)
            newline = text.find("\n", end)
            return key.start_mark.index, len(text) if newline < 0 else newline + 1
    return None


def _content_end(node: Node) -> int:
    """The index just past a node's last character (block collections end at the next token, which
    may be a comment line; look at their last item instead)."""
    if not isinstance(node, SequenceNode | MappingNode) or node.flow_style or not node.value:
        end: int = node.end_mark.index
        return end
    last = node.value[-1]
    return _content_end(last[1] if isinstance(last, tuple) else last)
