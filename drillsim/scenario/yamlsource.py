"""Safe YAML reading: plain Python data plus the line and column of every value.

Only the YAML core types are built (mappings, sequences, strings, numbers, booleans, null;
timestamps stay strings for pydantic to parse), never objects. Size, nesting depth and alias
expansion are bounded, so a hostile or broken file yields a Problem, not a hang or a traceback.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from drillsim.scenario.errors import Problem, ScenarioError, dotted_path

MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 500_000
_CORE = "tag:yaml.org,2002:"
Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed file: its data and where each value (and each mapping key) stands."""

    file: str
    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    shown_prefix: Path_ = ()  # prepended to field paths in messages (a CSV's rows are `injects`)

    def locate(self, loc: tuple[Any, ...]) -> tuple[Path_, tuple[int, int]]:
        """The longest prefix of ``loc`` present in the file (skipping segments the file does not
        have, such as a union's tag) and its position."""
        matched: Path_ = ()
        for segment in loc:
            if segment == "[key]" and matched in self.keys:
                return matched, self.keys[matched]  # pydantic's marker for a problem with the key itself
            candidate = (*matched, segment)
            if candidate in self.values:
                matched = candidate
        value_at = self.values.get(matched, (1, 1))
        if matched in self.keys and self.keys[matched][0] < value_at[0]:
            return matched, self.keys[matched]  # a block starts on the next line: its key is clearer
        return matched, value_at

    def node_at(self, path: Path_) -> Any:
        node = self.data
        for segment in path:
            node = node[segment]
        return node


def read_yaml(path: Path, display: str | None = None) -> Document:
    """Read ``path`` into a Document, or raise ScenarioError naming the file, line and column."""
    name = display or str(path)
    fail = _failer(name)
    try:
        if path.is_dir():
            fail(1, 1, "is a folder (expected a YAML file)")
        size = path.stat().st_size
        if size > MAX_BYTES:
            fail(1, 1, f"is {size:,} bytes (at most {MAX_BYTES:,})")
        raw = path.read_bytes()
    except FileNotFoundError:
        fail(1, 1, "file not found")
    except OSError as exc:
        fail(1, 1, f"cannot be read: {exc.strerror or exc}")
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes, name: str) -> Document:
    fail = _failer(name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        fail(line, column, f"byte 0x{raw[exc.start]:02x} is not UTF-8 text (save the file as UTF-8)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. ruamel's ReusedAnchorWarning: legal YAML, not a problem
            root = YAML(typ="rt").compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line, mark.column) if mark else (0, 0)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if problem.startswith("but ") and exc.context:
            problem = f"{exc.context.strip()}, {problem}"
        lines = text.splitlines()
        if "'\\t'" in problem or (line < len(lines) and "\t" in lines[line][: column + 1]):
            problem += " (indent with spaces, not tabs)"
        opened = exc.context_mark
        if (
            exc.context
            and opened
            and mark
            and (opened.line, opened.column) != (line, column)
            and not problem.startswith(exc.context.strip())
        ):
            problem += (
                f" ({exc.context.strip()} that starts at line {opened.line + 1}, column {opened.column + 1})"
            )
        fail(line + 1, column + 1, f"YAML syntax: {problem}")
    except ReaderError as exc:
        read = text[: exc.position]
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        fail(
            read.count("\n") + 1,
            exc.position - (read.rfind("\n") + 1) + 1,
            f"YAML syntax: unacceptable character #x{code:04x}: special characters are not allowed",
        )
    except RecursionError:
        fail(1, 1, f"YAML is nested too deeply (at most {MAX_DEPTH} levels)")
    except YAMLError as exc:
        fail(1, 1, f"YAML syntax: {str(exc).strip()}")
    if root is None:
        fail(1, 1, "the file is empty (expected a mapping of fields)")
    doc = Document(name, None)
    doc.data = _Builder(doc).build(root, (), 0)
    if not isinstance(doc.data, dict):
        fail(*doc.values[()], "expected a mapping of fields at the top of the file")
    return doc


def _failer(name: str) -> Callable[[int, int, str], NoReturn]:
    def fail(line: int, column: int, message: str) -> NoReturn:
        raise ScenarioError([Problem(name, line, column, "", message)])

    return fail


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.active: set[int] = set()
        self.merged: dict[int, list[tuple[Node, Node]]] = {}
        self.merging: set[int] = set()

    def fail(self, node: Node, message: str, path: Path_ = ()) -> NoReturn:
        mark = node.start_mark
        raise ScenarioError(
            [Problem(self.doc.file, mark.line + 1, mark.column + 1, dotted_path(path), message)]
        )

    def build(self, node: Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            self.fail(node, f"the file expands to more than {MAX_VALUES:,} values (anchors and aliases?)")
        if depth > MAX_DEPTH:
            self.fail(node, f"nested too deeply (at most {MAX_DEPTH} levels)")
        if id(node) in self.active:
            self.fail(node, "an alias refers to a mapping or list that contains it", path)
        self.doc.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode) and node.tag == _CORE + "seq":
                return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode) and node.tag == _CORE + "map":
                return self.mapping(node, path, depth)
        finally:
            self.active.discard(id(node))
        self.fail(node, f"the tag {_short(node.tag)} is not allowed (only plain YAML values)", path)

    def mapping(self, node: MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in self._merged(node, path):
            if not isinstance(key_node, ScalarNode):
                self.fail(key_node, "a mapping key must be a plain value, not a mapping or list", path)
            key = self.scalar(key_node, path)
            key = "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
            if key in result:
                first = self.doc.keys[(*path, key)]
                self.fail(key_node, f"duplicate key '{key}' (first defined at line {first[0]})", (*path, key))
            key_at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            self.doc.keys[(*path, key)] = key_at
            result[key] = self.build(value_node, (*path, key), depth + 1)
            if isinstance(value_node, ScalarNode) and value_node.value == "" and value_node.style is None:
                self.doc.values[(*path, key)] = key_at  # `key:` with nothing after it: point at the key
        return result

    def _merged(self, node: MappingNode, path: Path_) -> list[tuple[Node, Node]]:
        """The mapping's pairs with YAML merge keys (``<<: *defaults``) expanded; own keys win.
        Each mapping is expanded once (aliases merged twice cost nothing more)."""
        if id(node) in self.merged:
            return self.merged[id(node)]
        if id(node) in self.merging:
            self.fail(node, "a merge key (<<) merges a mapping into itself", path)
        self.merging.add(id(node))
        try:
            pairs = self._expand_merges(node, path)
        finally:
            self.merging.discard(id(node))
        self.merged[id(node)] = pairs
        return pairs

    def _expand_merges(self, node: MappingNode, path: Path_) -> list[tuple[Node, Node]]:
        own = [(k, v) for k, v in node.value if not (isinstance(k, ScalarNode) and k.tag == _CORE + "merge")]
        own_keys = {k.value for k, _ in own if isinstance(k, ScalarNode)}
        merged: list[tuple[Node, Node]] = []
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.tag == _CORE + "merge":
                sources = v.value if isinstance(v, SequenceNode) else [v]
                for source in sources:
                    if not isinstance(source, MappingNode):
                        self.fail(source, "a merge key (<<) needs a mapping or a list of mappings", path)
                    for mk, mv in self._merged(source, path):
                        if isinstance(mk, ScalarNode) and mk.value not in own_keys:
                            own_keys.add(mk.value)
                            merged.append((mk, mv))
        return own + merged

    def scalar(self, node: ScalarNode, path: Path_) -> Any:
        tag, text = node.tag, node.value
        if tag in (_CORE + "str", _CORE + "timestamp"):
            return text.replace("\a", "") if node.style == ">" else text  # ruamel marks folds with BEL
        if tag == _CORE + "null":
            return None
        if tag == _CORE + "bool":
            return text.lower() == "true"
        try:
            if tag == _CORE + "int":
                return _integer(text)
            if tag == _CORE + "float":
                return _float(text)
        except ValueError:
            self.fail(node, f"'{text[:40]}' is not a number this file can hold (at most 30 digits)", path)
        self.fail(node, f"the tag {_short(tag)} is not allowed (only plain YAML values)", path)


def _integer(text: str) -> int:
    digits = text.replace("_", "")
    if len(digits) > 30:
        raise ValueError(text)
    try:
        return int(digits, 0)
    except ValueError:
        return int(digits, 10)  # leading zeros, as YAML 1.2 allows


def _float(text: str) -> float:
    lowered = text.replace("_", "").lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered.endswith(".nan"):
        return math.nan
    return float(lowered)


def _short(tag: str | None) -> str:
    if tag is None:
        return "(no tag)"
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag
