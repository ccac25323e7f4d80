"""YAML text as spans: composed nodes with character offsets, comments, edits.

Marks of composed nodes are character offsets into the text. libyaml does
not count a leading byte order mark, so texts here must not start with one;
they also use ``\\n`` line breaks only. SourceFile prepares both.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.tag import Tag

try:
    from _ruamel_yaml import CParser  # type: ignore[import-not-found]
except ImportError:  # ruamel.yaml.clib is not installed, as on PyPy
    CParser = None

#: A '#' that starts a comment: at the start of a line or after a blank.
_COMMENT_START = re.compile(r"(?:^|(?<=[ \t]))#", re.MULTILINE)
#: Plain scalars that YAML reads as something other than a string (1.2 core
#: schema, plus the 1.1 booleans that other tools still read as booleans).
_NOT_A_STRING = re.compile(
    r"(?:~|null|true|false|yes|no|on|off|y|n|[-+]?[0-9.][0-9a-z_.+-]*|\.inf|\.nan)\Z",
    re.IGNORECASE,
)
_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]")
_STR_TAG = Tag(suffix="tag:yaml.org,2002:str")
_SEQ_TAG = Tag(suffix="tag:yaml.org,2002:seq")
_MAP_TAG = Tag(suffix="tag:yaml.org,2002:map")
BLOCK_STYLES = ("|", ">")
QUOTE_STYLES = ("'", '"')


@dataclass(frozen=True, slots=True, order=True)
class Edit:
    """Replace text[start:end] with ``text``; start == end inserts."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment's text (from '#' to the end of the line) and its offset."""

    offset: int
    text: str


class _SpanResolver:
    """Tags every node as a string, list or mapping: spans need no other types."""

    def descend_resolver(self, parent: Node | None, index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type[Node], value: object, implicit: object) -> Tag:
        if kind is SequenceNode:
            return _SEQ_TAG
        return _MAP_TAG if kind is MappingNode else _STR_TAG


_LIBYAML_COMPOSER: Any = (
    None if CParser is None else type("_Composer", (_SpanResolver, CParser), {})
)


def compose(text: str) -> Node | None:
    """Compose text into nodes; raises ruamel.yaml's YAMLError if it is invalid.

    libyaml composes about ten times faster than the pure-Python parser, but
    it also breaks lines at U+0085, U+2028 and U+2029, where ruamel.yaml's
    round trip does not, so text with these uses the pure-Python parser.
    """
    if _LIBYAML_COMPOSER is None or _OTHER_BREAKS.search(text):
        node: Node | None = YAML(typ="safe", pure=True).compose(text)
        return node
    composer = _LIBYAML_COMPOSER(text)
    try:
        root: Node | None = composer.get_single_node()
    finally:
        composer.dispose()
    return root


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply edits that do not overlap; raises ValueError if two overlap."""
    ordered = sorted(edits)
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end or after.start == before.start:
            raise ValueError(f"overlapping edits at offsets {before} and {after}")
    parts: list[str] = []
    position = 0
    for edit in ordered:
        parts.append(text[position : edit.start])
        parts.append(edit.text)
        position = edit.end
    parts.append(text[position:])
    return "".join(parts)


def non_overlapping(groups: list[list[Edit]]) -> list[int]:
    """Return the indexes of groups whose edits overlap no earlier chosen group."""
    taken: list[tuple[int, int]] = []
    chosen: list[int] = []
    for index, group in enumerate(groups):
        spans = [(edit.start, edit.end) for edit in group]
        if any(_overlaps(span, other) for span in spans for other in taken):
            continue
        taken.extend(spans)
        chosen.append(index)
    return chosen


def _overlaps(first: tuple[int, int], second: tuple[int, int]) -> bool:
    if first[0] == second[0]:
        return True
    return first[0] < second[1] and second[0] < first[1]


class Lines:
    """The lines of a text, with the offset where each starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, number: int) -> str:
        return self.lines[number]

    def end(self, number: int) -> int:
        """Return the offset just after the last character of line ``number``."""
        return self.starts[number] + len(self.lines[number])

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def is_blank(self, number: int) -> bool:
        return not self.lines[number].strip()

    def is_comment(self, number: int) -> bool:
        return self.lines[number].lstrip().startswith("#")

    def indent(self, number: int) -> int:
        line = self.lines[number]
        return len(line) - len(line.lstrip(" "))


def scalar_spans(text: str, root: Node | None) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of every scalar's text, sorted.

    A block scalar's span starts after its header line, so a comment after
    ``|`` or ``>`` counts as a comment.
    """
    spans = []
    for node in walk(root):
        if not isinstance(node, ScalarNode):
            continue
        start, end = node.start_mark.index, node.end_mark.index
        if node.style in BLOCK_STYLES:
            start = _line_end(text, node.start_mark.index)
        if end > start:
            spans.append((start, end))
    spans.sort()
    return spans


def _line_end(text: str, offset: int) -> int:
    newline = text.find("\n", offset)
    return newline if newline >= 0 else len(text)


class ScalarText:
    """The spans of a text's scalars, to tell whether an offset is inside one."""

    def __init__(self, text: str, root: Node | None) -> None:
        self.spans = scalar_spans(text, root)
        self.starts = [start for start, _ in self.spans]

    def __contains__(self, offset: int) -> bool:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index >= 0 and offset < self.spans[index][1]


def comments(text: str, root: Node | None) -> list[Comment]:
    """Return every comment of the text, in order, with trailing blanks removed."""
    scalars = ScalarText(text, root)
    found = []
    for match in _COMMENT_START.finditer(text):
        offset = match.start()
        if offset in scalars:
            continue
        line_end = _line_end(text, offset)
        found.append(Comment(offset, text[offset:line_end].rstrip()))
    return found


def walk(root: Node | None) -> Iterator[Node]:
    """Yield every node once, parents before children, in document order."""
    if root is None:
        return
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        else:
            children = []
        stack.extend(reversed(children))


def has_aliases(root: Node | None) -> bool:
    """Tell whether any node is used twice (an anchor with aliases)."""
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, MappingNode):
            stack.extend(child for pair in node.value for child in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return False


def is_plain_key(node: Node) -> bool:
    return isinstance(node, ScalarNode) and isinstance(node.value, str)


def get(node: Node | None, key: str) -> Node | None:
    """Return the value of the first entry ``key`` in a mapping node, or None."""
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if is_plain_key(key_node) and key_node.value == key:
            return value_node  # type: ignore[no-any-return]
    return None


def items(node: Node | None) -> list[Node]:
    """Return the items of a sequence node, or an empty list for anything else."""
    if not isinstance(node, SequenceNode):
        return []
    return list(node.value)


def is_string_scalar(text: str, node: Node | None) -> bool:
    """Tell whether node is an untagged flow scalar that reads as a string."""
    if not isinstance(node, ScalarNode) or node.style in BLOCK_STYLES:
        return False
    if text[node.start_mark.index : node.start_mark.index + 1] in ("!", "&"):
        return False
    return node.style in QUOTE_STYLES or not _NOT_A_STRING.match(node.value)


def replace_scalar(node: ScalarNode, value: str) -> Edit | None:
    """Return an edit that writes value in place of a scalar, in its quote style.

    Only for values of letters, digits, '_' and '-', which need no escaping.
    A plain scalar that would read as another type (``true``) gets quotes.
    """
    if node.style in BLOCK_STYLES or not re.fullmatch(r"[A-Za-z0-9_-]+", value):
        return None
    if node.style in QUOTE_STYLES:
        text = f"{node.style}{value}{node.style}"
    elif _NOT_A_STRING.match(value):
        text = f'"{value}"'
    else:
        text = value
    return Edit(node.start_mark.index, node.end_mark.index, text)


def last_line(node: Node, lines: Lines) -> int | None:
    """Return the last line holding a node's text, or None for an empty scalar."""
    if isinstance(node, ScalarNode):
        return _scalar_last_line(node, lines)
    if getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.line)
    if isinstance(node, MappingNode):
        key, value = node.value[-1]
        found = last_line(value, lines)
        return found if found is not None else last_line(key, lines)
    return last_line(node.value[-1], lines)


def _scalar_last_line(node: ScalarNode, lines: Lines) -> int | None:
    start, end = node.start_mark, node.end_mark
    if start.index == end.index:
        return None
    if node.style not in BLOCK_STYLES:
        return int(end.line)
    # A block scalar ends after the line breaks that follow it; they are its
    # content only with the keep indicator (|+ or >+).
    line = end.line if end.column > 0 else end.line - 1
    header = lines[start.line][start.column :].split("#")[0]
    if "+" not in header:
        while line > start.line and lines.is_blank(line):
            line -= 1
    return int(line)
