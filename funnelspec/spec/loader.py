"""Read YAML text into plain Python data and a map of where each value came from.

The loader composes the YAML into nodes (with libyaml when ruamel.yaml.clib is
installed) and converts them itself. It never constructs objects from tags, so
``!!python/object`` is only ever a string with a finding attached. Duplicate
keys, unknown tags, deep nesting and alias expansion are reported as findings
instead of being merged or followed without limit.
"""

from __future__ import annotations

import codecs
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from funnelspec.findings import Path, Position

#: Maximum number of nodes a document may expand to, counting every use of an
#: alias. A spec with 10,000 stages needs about 100,000, so this only stops
#: alias bombs.
MAX_NODES = 1_000_000
#: Maximum nesting of mappings and sequences. A spec needs 5.
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
_SPEC_MARKER = re.compile(r"^funnelspec[ \t]*:", re.MULTILINE)
_INT_BASES = {"0x": 16, "0o": 8, "0b": 2}
_FLOAT_WORDS = {
    ".inf": math.inf,
    "+.inf": math.inf,
    "-.inf": -math.inf,
    ".nan": math.nan,
}
_BOOLS = {"true": True, "false": False}


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A problem found while reading the YAML, before the spec is checked."""

    code: str  # FS001 for YAML errors, FS002 for values the format cannot hold
    message: str
    position: Position
    path: Path = ()


@dataclass(slots=True)
class SourceMap:
    """Positions of every key and value of a document, by path."""

    keys: dict[Path, Position] = field(default_factory=dict)
    values: dict[Path, Position] = field(default_factory=dict)

    def locate(self, path: Path) -> Position:
        """Return the position of the value at path, or of its nearest ancestor."""
        while True:
            position = self.values.get(path) or self.keys.get(path)
            if position is not None or not path:
                return position or Position(1, 1)
            path = path[:-1]

    def locate_key(self, path: Path) -> Position:
        """Return the position of the key at path (a mapping entry), else locate."""
        return self.keys.get(path) or self.locate(path)


@dataclass(slots=True)
class Document:
    """A YAML file read into plain data, with positions and load problems."""

    file: str
    text: str
    data: Any = None
    source: SourceMap = field(default_factory=SourceMap)
    problems: list[LoadProblem] = field(default_factory=list)

    @property
    def parsed(self) -> bool:
        """Whether the YAML itself was readable (no FS001 problem)."""
        return not any(p.code == "FS001" for p in self.problems)


def looks_like_spec(text: str) -> bool:
    """Tell whether text has a top-level ``funnelspec:`` key, without parsing."""
    return _SPEC_MARKER.search(text) is not None


def decode(raw: bytes) -> tuple[str, LoadProblem | None]:
    """Decode file bytes as UTF-8 or, with a byte order mark, UTF-16 or UTF-32."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), None
            except UnicodeDecodeError as exc:
                return "", _decode_problem(raw, exc, encoding)
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return "", _decode_problem(raw, exc, "UTF-8")


def _decode_problem(raw: bytes, exc: UnicodeDecodeError, encoding: str) -> LoadProblem:
    before = raw[: exc.start]
    line = before.count(b"\n") + 1
    column = exc.start - (before.rfind(b"\n") + 1) + 1
    message = (
        f"file is not valid {encoding} (byte 0x{raw[exc.start]:02x} at offset "
        f"{exc.start}); save the spec as UTF-8"
    )
    return LoadProblem("FS001", message, Position(line, column))


def load_text(text: str, file: str) -> Document:
    """Parse YAML text into a Document; YAML errors become FS001 problems."""
    document = Document(file=file, text=text)
    if "\x00" in text:
        offset = text.index("\x00")
        document.problems.append(
            LoadProblem(
                "FS001",
                "file contains a NUL character; a spec is a text file",
                _offset_position(text, offset),
            )
        )
        return document
    try:
        root = _compose(text)
    except MarkedYAMLError as exc:
        document.problems.append(_syntax_problem(exc))
        return document
    except YAMLError as exc:
        document.problems.append(
            LoadProblem("FS001", f"invalid YAML: {exc}", Position(1, 1))
        )
        return document
    except RecursionError:
        document.problems.append(
            LoadProblem(
                "FS001",
                f"YAML nesting is too deep to read (a spec needs {MAX_DEPTH} "
                "levels at most)",
                Position(1, 1),
            )
        )
        return document
    if root is None:
        return document
    converter = _Converter(document)
    document.data = converter.convert(root)
    return document


def _compose(text: str) -> Node | None:
    yaml = YAML(typ="safe", pure=False)
    node: Node | None = yaml.compose(text)
    return node


def _offset_position(text: str, offset: int) -> Position:
    before = text[:offset]
    return Position(before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)


def _syntax_problem(exc: MarkedYAMLError) -> LoadProblem:
    mark = exc.problem_mark or exc.context_mark
    position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
    problem = exc.problem or "invalid YAML"
    if exc.context and exc.context_mark and exc.context_mark is not mark:
        context_line = exc.context_mark.line + 1
        problem = f"{problem} ({exc.context} started on line {context_line})"
    elif exc.context:
        problem = f"{problem} ({exc.context})"
    if "expected a single document" in str(exc):
        problem = "file contains more than one YAML document; keep one funnel per file"
    return LoadProblem("FS001", f"invalid YAML: {problem}", position)


class _Converter:
    """Turn composed nodes into plain data, filling the document's source map."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.source = document.source
        self.nodes_left = MAX_NODES
        self.exhausted = False

    def convert(self, root: Node) -> Any:
        self.source.values[()] = _position(root)
        return self._value(root, (), 0)

    def _problem(self, code: str, message: str, node: Node, path: Path) -> None:
        self.document.problems.append(LoadProblem(code, message, _position(node), path))

    def _value(self, node: Node, path: Path, depth: int) -> Any:
        self.nodes_left -= 1
        if self.nodes_left < 0:
            if not self.exhausted:
                self.exhausted = True
                self._problem(
                    "FS001",
                    f"document expands to more than {MAX_NODES:,} values through "
                    "aliases; remove the anchors and aliases that repeat data",
                    node,
                    path,
                )
            return None
        if depth > MAX_DEPTH:
            self._problem(
                "FS001",
                f"nesting is deeper than {MAX_DEPTH} levels; a spec needs 5",
                node,
                path,
            )
            self.nodes_left = -1
            self.exhausted = True
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                if self.exhausted:
                    break
                item_path = (*path, index)
                self.source.values.setdefault(item_path, _position(item))
                items.append(self._value(item, item_path, depth + 1))
            return items
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            if self.exhausted:
                break
            if key_node.tag == _TAG + "merge":
                self._problem(
                    "FS002",
                    "merge keys (<<) are not supported in a spec; write the keys out",
                    key_node,
                    path,
                )
                continue
            if not isinstance(key_node, ScalarNode):
                self._problem(
                    "FS002", "a mapping key must be a plain string", key_node, path
                )
                continue
            key = str(key_node.value)
            key_position = _position(key_node)
            if key in first_seen:
                first = first_seen[key]
                self._problem(
                    "FS002",
                    f"duplicate key {key!r} (first defined on line {first.line}); "
                    "remove one of them",
                    key_node,
                    (*path, key),
                )
                continue
            first_seen[key] = key_position
            child = (*path, key)
            self.source.keys[child] = key_position
            self.source.values[child] = _position(value_node)
            result[key] = self._value(value_node, child, depth + 1)
        return result

    def _scalar(self, node: Node, path: Path) -> Any:
        tag = node.tag or ""
        text = str(node.value)
        if not tag.startswith(_TAG) and tag not in ("?", "!"):
            self._problem(
                "FS002",
                f"YAML tag {tag!r} is not allowed in a spec; remove it",
                node,
                path,
            )
            return text
        kind = tag.removeprefix(_TAG)
        if kind == "null":
            return None
        if kind == "bool":
            return _BOOLS.get(text.lower(), text)
        if kind == "int":
            return self._int(text, node, path)
        if kind == "float":
            return _float(text)
        if kind in ("str", "timestamp", "binary") or tag in ("?", "!"):
            return text
        self._problem(
            "FS002", f"YAML tag {tag!r} is not allowed in a spec; remove it", node, path
        )
        return text

    def _int(self, text: str, node: Node, path: Path) -> Any:
        digits = text.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        try:
            base = _INT_BASES.get(digits[:2].lower(), 10)
            return sign * int(digits[2:] if base != 10 else digits, base)
        except ValueError:
            self._problem(
                "FS002",
                f"integer {text[:40]!r} is too large to read",
                node,
                path,
            )
            return None


def _float(text: str) -> float:
    word = text.lower()
    if word in _FLOAT_WORDS:
        return _FLOAT_WORDS[word]
    return float(text.replace("_", ""))


def _position(node: Node) -> Position:
    mark = node.start_mark
    return Position(mark.line + 1, mark.column + 1)
