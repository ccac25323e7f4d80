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
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    NodeEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.tag import Tag

from funnelspec.findings import Path, Position

try:
    from _ruamel_yaml import CParser  # type: ignore[import-not-found]
except ImportError:  # ruamel.yaml.clib is not installed, as on PyPy
    CParser = None

#: Maximum number of nodes a document may expand to, counting every use of an
#: alias. A spec with 10,000 stages needs about 100,000, so this only stops
#: alias bombs.
MAX_NODES = 1_000_000
#: Maximum nesting of mappings and sequences. A spec needs 5.
MAX_DEPTH = 64
#: Maximum number of nodes written in the text, before aliases are expanded.
#: Composing takes time and memory in proportion to it; a spec with 10,000
#: stages of seven keys has 180,000 nodes.
MAX_TEXT_NODES = 300_000
#: Nesting that libyaml's composer handles even on a small thread stack. It
#: crashed at 25,000 to 30,000 levels on an 8 MiB main-thread stack (about
#: 300 bytes per level, ruamel.yaml.clib 0.2.15), so 1,000 levels need about
#: 300 KiB, an estimate.
_SAFE_COMPOSE_DEPTH = 1_000

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

# Tags of the YAML 1.2 core schema. The libyaml composer gives every untagged
# node one of these shared objects, so _tag_kind finds them by identity.
_STR_TAG = Tag(suffix=_TAG + "str")
_NULL_TAG = Tag(suffix=_TAG + "null")
_BOOL_TAG = Tag(suffix=_TAG + "bool")
_INT_TAG = Tag(suffix=_TAG + "int")
_FLOAT_TAG = Tag(suffix=_TAG + "float")
_MERGE_TAG = Tag(suffix=_TAG + "merge")
_SEQ_TAG = Tag(suffix=_TAG + "seq")
_MAP_TAG = Tag(suffix=_TAG + "map")
#: Name of each core tag, by the id of the shared object (Tag hashes slowly).
_CORE_TAG_NAMES: dict[int, str] = {
    id(tag): str(tag.suffix).removeprefix(_TAG)
    for tag in (
        _STR_TAG,
        _NULL_TAG,
        _BOOL_TAG,
        _INT_TAG,
        _FLOAT_TAG,
        _MERGE_TAG,
        _SEQ_TAG,
        _MAP_TAG,
    )
}

_INT_PATTERN = re.compile(r"[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)\Z")
# Plain scalars that the YAML 1.2 core schema reads as something other than a
# string, tried in this order. Every other plain scalar is a string.
_PLAIN_SCALARS = (
    (re.compile(r"(?:~|null|Null|NULL)\Z"), _NULL_TAG),
    (re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z"), _BOOL_TAG),
    (_INT_PATTERN, _INT_TAG),
    (
        re.compile(
            r"[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
            r"|[0-9][0-9_]*[eE][-+]?[0-9]+"
            r"|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
            r"|\.(?:inf|Inf|INF))\Z"
            r"|\.(?:nan|NaN|NAN)\Z"
        ),
        _FLOAT_TAG,
    ),
    (re.compile(r"<<\Z"), _MERGE_TAG),
)
#: First characters of the plain scalars in _PLAIN_SCALARS.
_NON_STRING_START = frozenset("~nNtTfF-+.0123456789<")


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
    # The utf-8-sig codec reports positions in the bytes after the byte order
    # mark. The column counts characters, as the YAML parser's columns do.
    data: bytes = exc.object
    offset = exc.start + len(raw) - len(data)
    codec = "utf-8" if encoding == "UTF-8" else encoding
    before = data[: exc.start].decode(codec, errors="replace")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    message = (
        f"file is not valid {encoding.upper()} (byte 0x{data[exc.start]:02x} at "
        f"offset {offset}); save the spec as UTF-8"
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
        limit = None if _within_safe_limits(text) else _limit_problem(text)
        if limit is not None:
            document.problems.append(limit)
            return document
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
    # Only an alias can make a document expand, and every alias has a '*'.
    if "*" in text:
        problem = _expansion_problem(root)
        if problem is not None:
            document.problems.append(problem)
            return document
    converter = _Converter(document)
    document.data = converter.convert(root)
    return document


class _CoreSchemaResolver:
    """The resolver methods that libyaml's composer calls, for YAML 1.2 only.

    ruamel.yaml's own resolver also serves YAML 1.1 and path resolvers, and
    took two thirds of the time to compose a spec (ruamel.yaml 0.19.1). A
    ``%YAML 1.1`` directive is not honoured: ``yes`` and ``on`` stay strings.
    """

    def descend_resolver(self, parent: Node | None, index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(
        self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]
    ) -> Tag:
        if kind is SequenceNode:
            return _SEQ_TAG
        if kind is MappingNode:
            return _MAP_TAG
        if not implicit[0] or value is None:
            # Quoted and block scalars, and those tagged '!', are strings.
            return _STR_TAG
        if not value:
            return _NULL_TAG
        if value[0] in _NON_STRING_START:
            for pattern, tag in _PLAIN_SCALARS:
                if pattern.match(value):
                    return tag
        return _STR_TAG


#: libyaml's parser and composer (ruamel.yaml.clib), or None without it.
_LIBYAML_COMPOSER: Any = (
    None
    if CParser is None
    else type("_LibyamlComposer", (_CoreSchemaResolver, CParser), {})
)


def _limit_problem(text: str) -> LoadProblem | None:
    """Return an FS001 problem if the text nests too deeply or has too many nodes.

    This runs on parser events before composing, because libyaml's composer
    recurses once per level and crashes the process on deep nesting (see
    _SAFE_COMPOSE_DEPTH).
    """
    events: Iterator[Event]
    if CParser is None:
        events = YAML(typ="safe", pure=True).parse(text)
    else:
        events = _libyaml_events(text)
    depth = 0
    nodes = 0
    for event in events:
        if isinstance(event, CollectionEndEvent):
            depth -= 1
            continue
        if not isinstance(event, NodeEvent):
            continue
        nodes += 1
        if depth > MAX_DEPTH:
            message = f"nesting is deeper than {MAX_DEPTH} levels; a spec needs 5"
            return LoadProblem("FS001", message, _mark_position(event.start_mark))
        if nodes > MAX_TEXT_NODES:
            message = (
                f"file has more than {MAX_TEXT_NODES:,} YAML values; a spec with "
                "10,000 stages has about 180,000, so split the file"
            )
            return LoadProblem("FS001", message, _mark_position(event.start_mark))
        if isinstance(event, CollectionStartEvent):
            depth += 1
    return None


def _within_safe_limits(text: str) -> bool:
    """Tell whether text is too short to exceed MAX_TEXT_NODES or nest deeply.

    The check on parser events costs as much as composing, so it runs only
    when this count cannot rule the limits out. A YAML text has fewer than
    three values per character, and every mapping or sequence starts with one
    of the characters counted here.
    """
    if 3 * len(text) >= MAX_TEXT_NODES:
        return False
    indicators = sum(text.count(character) for character in "[{-?:")
    return indicators < _SAFE_COMPOSE_DEPTH


def _libyaml_events(text: str) -> Iterator[Event]:
    parser = CParser(text)
    try:
        while (event := parser.get_event()) is not None:
            yield event
    finally:
        parser.dispose()


def _mark_position(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _compose(text: str) -> Node | None:
    if _LIBYAML_COMPOSER is None:
        node: Node | None = YAML(typ="safe", pure=True).compose(text)
        return node
    composer = _LIBYAML_COMPOSER(text)
    try:
        root: Node | None = composer.get_single_node()
    finally:
        composer.dispose()
    return root


def _expansion_problem(root: Node) -> LoadProblem | None:
    """Return an FS001 problem if aliases expand the document past MAX_NODES."""
    counter = _ExpansionCounter()
    try:
        size = counter.size(root, 0)
    except _RecursiveAlias as exc:
        return LoadProblem(
            "FS001",
            "an alias refers to a value that contains it; a spec cannot hold "
            "recursive data, so write the value out",
            _position(exc.node),
        )
    if size <= MAX_NODES:
        return None
    # Point at the smallest value that alone expands past the limit.
    node = root
    while True:
        larger = next(
            (
                child
                for child in _children(node)
                if counter.sizes.get(id(child), 1) > MAX_NODES
            ),
            None,
        )
        if larger is None:
            break
        node = larger
    return LoadProblem(
        "FS001",
        f"this value expands to more than {MAX_NODES:,} values through aliases; "
        "remove the anchors and aliases that repeat data",
        _position(node),
    )


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


class _RecursiveAlias(Exception):
    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node


class _ExpansionCounter:
    """Count the values a node expands to, each use of an alias in full.

    Composed nodes are shared between an anchor and its aliases, so sizes are
    memoised by node identity, and the count takes time linear in the text.
    """

    def __init__(self) -> None:
        self.sizes: dict[int, int] = {}
        self._open: set[int] = set()

    def size(self, node: Node, depth: int) -> int:
        key = id(node)
        known = self.sizes.get(key)
        if known is not None:
            return known
        if key in self._open:
            raise _RecursiveAlias(node)
        if depth > MAX_DEPTH:
            # The converter reports the nesting; nothing below it is read.
            return 1
        self._open.add(key)
        total = 1 + sum(self.size(child, depth + 1) for child in _children(node))
        self._open.discard(key)
        # Capped, so that a bomb of nested aliases does not build huge integers.
        self.sizes[key] = min(total, MAX_NODES + 1)
        return self.sizes[key]


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
        self.too_deep = False

    def convert(self, root: Node) -> Any:
        self.source.values[()] = _position(root)
        return self._value(root, (), 0)

    def _problem(self, code: str, message: str, node: Node, path: Path) -> None:
        self.document.problems.append(LoadProblem(code, message, _position(node), path))

    def _value(self, node: Node, path: Path, depth: int) -> Any:
        if depth > MAX_DEPTH:
            if not self.too_deep:
                self.too_deep = True
                self._problem(
                    "FS001",
                    f"nesting is deeper than {MAX_DEPTH} levels; a spec needs 5",
                    node,
                    path,
                )
            return None
        if node.ctag is _STR_TAG:
            # Most values are untagged strings: skip the dispatch below.
            return node.value
        if isinstance(node, MappingNode):
            self._check_collection_tag(node, "map", path)
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            self._check_collection_tag(node, "seq", path)
            items = []
            for index, item in enumerate(node.value):
                item_path = (*path, index)
                self.source.values.setdefault(item_path, _position(item))
                items.append(self._value(item, item_path, depth + 1))
            return items
        return self._scalar(node, path)

    def _check_collection_tag(self, node: Node, expected: str, path: Path) -> None:
        # A tag such as !!set or !!python/object/apply is reported and ignored:
        # the collection is read as a plain mapping or list.
        if _tag_kind(node) != expected:
            self._problem(
                "FS002",
                f"YAML tag {_tag_text(node)!r} is not allowed in a spec; remove it",
                node,
                path,
            )

    def _mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            if key_node.ctag is not _STR_TAG and _tag_kind(key_node) == "merge":
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
        kind = _tag_kind(node)
        text = str(node.value)
        if kind == "str":
            return text
        if kind == "null":
            return None
        if kind == "int":
            return self._int(text, node, path)
        if kind == "float":
            return self._float(text, node, path)
        if kind == "bool":
            value = _BOOLS.get(text.lower())
            if value is None:
                self._invalid(text, "boolean (true or false)", node, path)
            return value
        if kind in ("timestamp", "binary", "merge"):
            return text
        self._problem(
            "FS002",
            f"YAML tag {_tag_text(node)!r} is not allowed in a spec; remove it",
            node,
            path,
        )
        return text

    def _invalid(self, text: str, expected: str, node: Node, path: Path) -> None:
        self._problem(
            "FS002",
            f"{text[:40]!r} is not a valid {expected}; remove the "
            f"{_tag_text(node)} tag or correct the value",
            node,
            path,
        )

    def _int(self, text: str, node: Node, path: Path) -> int | None:
        digits = text.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        base = _INT_BASES.get(digits[:2].lower(), 10)
        try:
            return sign * int(digits[2:] if base != 10 else digits, base)
        except ValueError:
            pass
        if _INT_PATTERN.match(text):
            # Python refuses to convert integers of more than 4,300 digits.
            self._problem(
                "FS002", f"integer {text[:40]!r} is too large to read", node, path
            )
        else:
            self._invalid(text, "integer", node, path)
        return None

    def _float(self, text: str, node: Node, path: Path) -> float | None:
        word = text.lower()
        if word in _FLOAT_WORDS:
            return _FLOAT_WORDS[word]
        try:
            return float(text.replace("_", ""))
        except ValueError:
            self._invalid(text, "number", node, path)
            return None


def _tag_kind(node: Node) -> str:
    """Return the name of a yaml.org tag ('int', 'map'), or any other tag in full."""
    name = _CORE_TAG_NAMES.get(id(node.ctag))
    if name is None:
        name = str(node.ctag).removeprefix(_TAG)
    return name


def _tag_text(node: Node) -> str:
    """Return the node's tag as a user writes it: !!int, !!python/object, !local."""
    text = str(node.ctag)
    return "!!" + text.removeprefix(_TAG) if text.startswith(_TAG) else text


def _position(node: Node) -> Position:
    mark = node.start_mark
    return Position(mark.line + 1, mark.column + 1)
