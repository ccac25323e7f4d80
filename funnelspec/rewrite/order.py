"""Put the keys of a spec's mappings in canonical order, moving whole lines.

The canonical order is the order of the fields in funnelspec.spec.model: the
spec's top-level keys, each stage's and each segment's keys, and median, p90
and fixed in a stage duration. Keys the model does not know go last, in
their original order. ``next`` maps keep the user's order.

An entry of a block mapping moves with its value's lines, the comments that
follow its value at a deeper indentation, and the comments directly above
its key. Blank lines, and comments separated from the next key by a blank
line, stay where they are, so blank-line groups keep their places. A stage
with a ``# funnelspec: ignore[...]`` comment on a key's line keeps its first
key first, because on a stage's first line such a comment covers the whole
stage and elsewhere only its own line. A
mapping whose layout this does not cover (comments inside a flow mapping, a key that
does not start its line) is left in its order.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode, Node

from funnelspec.rewrite.yamltext import (
    Edit,
    Lines,
    apply_edits,
    compose,
    get,
    has_aliases,
    is_plain_key,
    items,
    last_line,
)
from funnelspec.spec.model import Segment, Spec, Stage

SPEC_KEYS = tuple(Spec.model_fields)
STAGE_KEYS = tuple(Stage.model_fields)
SEGMENT_KEYS = tuple(Segment.model_fields)
DURATION_KEYS = ("median", "p90", "fixed")

Target = tuple[MappingNode, tuple[str, ...]]
#: An in-file suppression, ``# funnelspec: ignore[CODE] reason``.
_SUPPRESSION = re.compile(r"#\s*funnelspec:\s*ignore\[")


def reorder_keys(text: str) -> str:
    """Return text with the spec's mappings in canonical key order.

    Files with anchors and aliases keep their order, because moving an alias
    above its anchor would make the YAML invalid.
    """
    levels: list[Callable[[Node], list[Target]]] = [
        _duration_maps,
        _item_maps,
        _top_map,
    ]
    # Inner mappings first: each level is found again in the edited text.
    for level in levels:
        root = compose(text)
        if root is None or has_aliases(root):
            return text
        lines = Lines(text)
        edits = []
        for node, order in level(root):
            edit = _reorder(node, order, lines)
            if edit is not None:
                edits.append(edit)
        text = apply_edits(text, edits)
    return text


def _top_map(root: Node) -> list[Target]:
    return [(root, SPEC_KEYS)] if isinstance(root, MappingNode) else []


def _item_maps(root: Node) -> list[Target]:
    targets: list[Target] = []
    for key, order in (("stages", STAGE_KEYS), ("segments", SEGMENT_KEYS)):
        for item in items(get(root, key)):
            if isinstance(item, MappingNode):
                targets.append((item, order))
    return targets


def _duration_maps(root: Node) -> list[Target]:
    targets: list[Target] = []
    for stage in items(get(root, "stages")):
        duration = get(stage, "duration")
        if isinstance(duration, MappingNode):
            targets.append((duration, DURATION_KEYS))
    return targets


def canonical_order(keys: list[str], order: tuple[str, ...]) -> list[int]:
    """Return the indexes of keys sorted by their place in order, stably."""
    rank = {key: index for index, key in enumerate(order)}
    return sorted(range(len(keys)), key=lambda i: rank.get(keys[i], len(order)))


def _reorder(node: MappingNode, order: tuple[str, ...], lines: Lines) -> Edit | None:
    if not node.value or not all(is_plain_key(key) for key, _ in node.value):
        return None
    keys = [str(key.value) for key, _ in node.value]
    if len(set(keys)) != len(keys):
        return None
    permutation = canonical_order(keys, order)
    if permutation == sorted(permutation):
        return None
    if node.flow_style:
        return _reorder_flow(node, permutation, lines.text)
    if _has_suppression(node, lines):
        # A suppression on a stage's first line covers the whole stage, and
        # elsewhere only its own line, so the first line stays first.
        permutation = [0, *(index for index in permutation if index)]
        if permutation == sorted(permutation):
            return None
    layout = _BlockLayout.read(node, lines)
    return None if layout is None else layout.reorder(permutation)


def _has_suppression(node: MappingNode, lines: Lines) -> bool:
    """Tell whether a key line of the mapping has a suppression comment."""
    for key, _ in node.value:
        line = lines[key.start_mark.line]
        if any(_SUPPRESSION.search(comment) for comment in _line_comments(line)):
            return True
    return False


def _line_comments(line: str) -> list[str]:
    # Enough for a suppression comment, which starts after a blank.
    return [line[match.start() :] for match in re.finditer(r"(?<=\s)#", line)]


def _reorder_flow(node: MappingNode, permutation: list[int], text: str) -> Edit | None:
    spans = []
    for key, value in node.value:
        end = value.end_mark.index
        if value.start_mark.index == end:
            end = key.end_mark.index
        spans.append((key.start_mark.index, end))
    separators = [text[end:start] for (_, end), (start, _) in itertools.pairwise(spans)]
    if any(sep.strip() != "," for sep in separators):
        return None
    # Comments sit between a key and its value or around the entries, where
    # they would not move with their entry.
    gaps = [
        text[node.start_mark.index : spans[0][0]],
        text[spans[-1][1] : node.end_mark.index],
        *(
            text[key.end_mark.index : value.start_mark.index]
            for key, value in node.value
        ),
    ]
    if any("#" in gap for gap in gaps):
        return None
    pieces = [text[start:end] for start, end in spans]
    parts = [pieces[permutation[0]]]
    for separator, index in zip(separators, permutation[1:], strict=True):
        parts += [separator, pieces[index]]
    return Edit(spans[0][0], spans[-1][1], "".join(parts))


@dataclass
class _Entry:
    """The lines of one block mapping entry, split by what moves with it."""

    above: list[str]  # comments directly above the key: they move with it
    body: list[str]  # the key's line without its indentation, then the value
    separator: list[str]  # blank lines and comments before above: they stay


@dataclass
class _BlockLayout:
    """A block mapping's entries, as lines between first_line and last_line."""

    entries: list[_Entry]
    first_line: int
    last_line: int
    column: int
    prefix: str  # what precedes the first key on its line, such as "- "
    lines: Lines

    @classmethod
    def read(cls, node: MappingNode, lines: Lines) -> _BlockLayout | None:
        """Split a block mapping into entries, or None for a layout not covered."""
        spans = _entry_spans(node, lines)
        if spans is None:
            return None
        column = node.value[0][0].start_mark.column
        first = spans[0][0]
        prefix = lines[first][:column]
        if prefix.strip(" -"):
            return None
        # The first line loses its indentation (or "- "), which reorder() adds.
        entries = [
            _Entry([], [lines[start][column:], *lines.lines[start + 1 : end + 1]], [])
            for start, end in spans
        ]

        # Split the lines between entries: comments right after a value and
        # deeper than the keys close that value; the rest precedes the next key.
        for index, (_, end) in enumerate(spans):
            last_entry = index + 1 == len(spans)
            stop = len(lines) if last_entry else spans[index + 1][0]
            gap = list(range(end + 1, stop))
            if not last_entry and not all(
                lines.is_blank(n) or lines.is_comment(n) for n in gap
            ):
                return None
            trailing = _deeper_comments(gap, column, lines)
            entries[index].body += [lines[n] for n in trailing]
            if last_entry:
                last = end + len(trailing)
                break
            rest = gap[len(trailing) :]
            above = _comments_above(rest, column, lines)
            following = entries[index + 1]
            following.separator = [lines[n] for n in rest[: len(rest) - len(above)]]
            following.above = [lines[n] for n in above]
        return cls(entries, first, last, column, prefix, lines)

    def reorder(self, permutation: list[int]) -> Edit:
        indent = " " * self.column
        out: list[str] = []
        for place, index in enumerate(permutation):
            entry = self.entries[index]
            if place == 0:
                # Comments above the new first key go above its line, which
                # may start with the "- " of a sequence item.
                out += entry.above
                out.append(self.prefix + entry.body[0])
            else:
                out += self.entries[place].separator
                out += entry.above
                out.append(indent + entry.body[0])
            out += entry.body[1:]
        start = self.lines.starts[self.first_line]
        end = self.lines.end(self.last_line)
        return Edit(start, end, "\n".join(out))


def _entry_spans(node: MappingNode, lines: Lines) -> list[tuple[int, int]] | None:
    """Return the first and last line of each entry's key and value.

    None if a key is not at the mapping's column, does not start its line
    (only the first key may follow "- "), or shares a line with the value
    before it.
    """
    column = node.value[0][0].start_mark.column
    spans: list[tuple[int, int]] = []
    for key, value in node.value:
        start = key.start_mark.line
        if key.start_mark.column != column:
            return None
        if spans and (lines[start][:column].strip() or start <= spans[-1][1]):
            return None
        end = last_line(value, lines)
        spans.append((start, end if end is not None else key.end_mark.line))
    return spans


def _deeper_comments(gap: list[int], column: int, lines: Lines) -> list[int]:
    """Return the comment lines right after a value, indented past its key."""
    found = []
    for number in gap:
        if not lines.is_comment(number) or lines.indent(number) <= column:
            break
        found.append(number)
    return found


def _comments_above(rest: list[int], column: int, lines: Lines) -> list[int]:
    """Return the comment lines directly above a key, at least as indented."""
    found: list[int] = []
    for number in reversed(rest):
        if not lines.is_comment(number) or lines.indent(number) < column:
            break
        found.insert(0, number)
    return found
