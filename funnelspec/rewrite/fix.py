"""Fixes for lint findings, each a set of edits to the spec's text.

A safe fix keeps what the spec means. It writes a value the way the format
requires (``Sales`` as ``sales``, or stage id ``Qualified`` as ``qualified``
with every reference to it). It also adds a missing ``funnelspec: 1`` and
removes a duplicate key whose value repeats the first.

An unsafe fix guesses. It removes a duplicate key with a different value
(the loader reads the first, so the second's value is dropped), or renames
an unknown key to the closest known key.

Only the edited characters change, and a removed line's comments stay as
comment lines.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from funnelspec.rewrite.order import (
    DURATION_KEYS,
    SEGMENT_KEYS,
    SPEC_KEYS,
    STAGE_KEYS,
)
from funnelspec.rewrite.yamltext import (
    QUOTE_STYLES,
    Comment,
    Edit,
    Lines,
    apply_edits,
    comments,
    compose,
    get,
    is_plain_key,
    is_string_scalar,
    items,
    last_line,
    non_overlapping,
    replace_scalar,
    walk,
)
from funnelspec.spec.model import OWNERS, ROLES, STAGE_ID_PATTERN, TERMINALS

#: Fixes found in the text a round of fixes produced are applied in the next
#: round, for example the owner of a key that an unsafe fix renamed.
MAX_ROUNDS = 5
_CHOICES = {
    "motion": ("b2b", "b2c"),
    "kind": ("sales", "marketing"),
    "owner": OWNERS,
    "engages": ROLES,
}


@dataclass(frozen=True)
class Fix:
    """A fix of one finding: where the finding is, what changes, and how."""

    code: str
    line: int
    column: int
    description: str
    safe: bool
    edits: tuple[Edit, ...]


def fix_text(
    text: str, unsafe: bool = False, codes: Collection[str] | None = None
) -> tuple[str, list[Fix]]:
    """Apply every safe fix (and the unsafe ones with unsafe=True) to text, in rounds.

    ``text`` must parse as YAML and use ``\\n`` line breaks. With ``codes``,
    only fixes of findings with those rule codes apply. Returns the new text
    and the fixes applied; their positions are in the text of the round that
    found them.
    """
    applied: list[Fix] = []
    for _ in range(MAX_ROUNDS):
        root = compose(text)
        found = [
            fix
            for fix in find_fixes(text, root)
            if (fix.safe or unsafe) and (codes is None or fix.code in codes)
        ]
        chosen = [found[i] for i in non_overlapping([list(f.edits) for f in found])]
        if not chosen:
            break
        text = apply_edits(text, [edit for fix in chosen for edit in fix.edits])
        applied += chosen
    return text, applied


def find_fixes(text: str, root: Node | None) -> list[Fix]:
    """Return every fix found in text, safe and unsafe, in text order."""
    if not isinstance(root, MappingNode):
        return []
    lines = Lines(text)
    fixes = [
        *_version_fixes(text, root, lines),
        *_stage_id_fixes(text, root),
        *_choice_fixes(text, root),
        *_currency_fixes(text, root),
        *_duplicate_key_fixes(text, root, lines),
        *_unknown_key_fixes(root),
    ]
    return sorted(fixes, key=lambda fix: (fix.line, fix.column))


def _fix(
    code: str, node: Node, description: str, edits: list[Edit], safe: bool = True
) -> Fix:
    mark = node.start_mark
    return Fix(code, mark.line + 1, mark.column + 1, description, safe, tuple(edits))


def _version_fixes(text: str, root: MappingNode, lines: Lines) -> Iterator[Fix]:
    version = get(root, "funnelspec")
    if version is None:
        first_key = root.value[0][0]
        mark = first_key.start_mark
        if not root.flow_style and mark.column == 0:
            start = lines.starts[mark.line]
            edit = Edit(start, start, "funnelspec: 1\n")
            yield _fix("FS002", first_key, "added 'funnelspec: 1'", [edit])
        return
    if not isinstance(version, ScalarNode) or version.style in ("|", ">"):
        return
    try:
        number = Decimal(version.value.strip())
    except InvalidOperation:
        return
    if number == 1 and (version.value != "1" or version.style in QUOTE_STYLES):
        edit = Edit(version.start_mark.index, version.end_mark.index, "1")
        yield _fix("FS002", version, f"wrote funnelspec {version.value!r} as 1", [edit])


def _stage_id_nodes(text: str, root: MappingNode) -> list[ScalarNode]:
    nodes = []
    for stage in items(get(root, "stages")):
        node = get(stage, "id")
        if isinstance(node, ScalarNode) and is_string_scalar(text, node):
            nodes.append(node)
    return nodes


def _next_keys(root: MappingNode) -> list[tuple[MappingNode, ScalarNode]]:
    keys = []
    for stage in items(get(root, "stages")):
        targets = get(stage, "next")
        if isinstance(targets, MappingNode):
            keys += [(targets, key) for key, _ in targets.value if is_plain_key(key)]
    return keys


def _stage_id_fixes(text: str, root: MappingNode) -> Iterator[Fix]:
    id_nodes = _stage_id_nodes(text, root)
    ids = [str(node.value) for node in id_nodes]
    lowered = Counter(value.strip().lower() for value in ids)
    for node in id_nodes:
        old = str(node.value)
        new = old.strip().lower()
        valid = re.fullmatch(STAGE_ID_PATTERN, new) and new not in TERMINALS
        if re.fullmatch(STAGE_ID_PATTERN, old) or not valid or lowered[new] > 1:
            continue
        edits = [replace_scalar(node, new)]
        references = [key for _, key in _next_keys(root) if key.value == old]
        edits += [replace_scalar(key, new) for key in references]
        if None in edits:
            continue
        described = f"wrote stage id {old!r} as {new!r}"
        if references:
            described += f" and in {len(references)} next map(s)"
        yield _fix("FS002", node, described, [e for e in edits if e is not None])
    yield from _next_target_fixes(root, ids)


def _next_target_fixes(root: MappingNode, ids: list[str]) -> Iterator[Fix]:
    """Fix next targets that differ from a stage id or a terminal only in case."""
    valid = [i for i in ids if re.fullmatch(STAGE_ID_PATTERN, i)] + list(TERMINALS)
    for targets, key in _next_keys(root):
        old = str(key.value)
        if old in ids or old in TERMINALS:
            continue
        matches = [i for i in valid if i == old.strip().lower()]
        present = {str(k.value) for k, _ in targets.value if is_plain_key(k)}
        if len(matches) != 1 or matches[0] in present:
            continue
        edit = replace_scalar(key, matches[0])
        if edit is not None:
            described = f"wrote next target {old!r} as {matches[0]!r}"
            yield _fix("FS102", key, described, [edit])


def _choice_fixes(text: str, root: MappingNode) -> Iterator[Fix]:
    candidates: list[tuple[str, Node | None]] = [
        ("motion", get(root, "motion")),
        ("kind", get(root, "kind")),
    ]
    for stage in items(get(root, "stages")):
        candidates.append(("owner", get(stage, "owner")))
        candidates += [("engages", item) for item in items(get(stage, "engages"))]
    for field, node in candidates:
        if not isinstance(node, ScalarNode) or not is_string_scalar(text, node):
            continue
        choices = _CHOICES[field]
        value = str(node.value)
        normal = re.sub(r"[\s-]+", "_", value.strip().lower())
        if value in choices or normal not in choices:
            continue
        edit = replace_scalar(node, normal)
        if edit is not None:
            yield _fix("FS002", node, f"wrote {field} {value!r} as {normal!r}", [edit])


def _currency_fixes(text: str, root: MappingNode) -> Iterator[Fix]:
    node = get(root, "currency")
    if not isinstance(node, ScalarNode) or not is_string_scalar(text, node):
        return
    value = str(node.value)
    code = value.strip().upper()
    if code != value and re.fullmatch(r"[A-Z]{3}", code):
        edit = replace_scalar(node, code)
        if edit is not None:
            yield _fix("FS002", node, f"wrote currency {value!r} as {code!r}", [edit])


def _duplicate_key_fixes(text: str, root: MappingNode, lines: Lines) -> Iterator[Fix]:
    text_comments: list[Comment] | None = None
    for node in walk(root):
        if not isinstance(node, MappingNode):
            continue
        first: dict[str, tuple[Node, Node]] = {}
        for index, (key, value) in enumerate(node.value):
            if not is_plain_key(key):
                continue
            if key.value not in first:
                first[key.value] = (key, value)
                continue
            if text_comments is None:
                text_comments = comments(text, root)
            edit = _removal(text, node, index, lines, text_comments)
            if edit is None:
                continue
            first_key, first_value = first[key.value]
            same = _entry_text(text, key, value) == _entry_text(
                text, first_key, first_value
            )
            described = (
                f"removed duplicate key {key.value!r}; the first, on line "
                f"{first_key.start_mark.line + 1}, is kept"
            )
            yield _fix("FS002", key, described, [edit], safe=same)


def _entry_text(text: str, key: Node, value: Node) -> str:
    end = max(key.end_mark.index, value.end_mark.index)
    return text[key.start_mark.index : end]


def _removal(
    text: str, node: MappingNode, index: int, lines: Lines, found: list[Comment]
) -> Edit | None:
    """Return an edit that removes entry index (never the first) of a mapping.

    In a block mapping, the comments on the removed lines stay as comment
    lines. A flow mapping with a comment in the entry is not edited.
    """
    key, value = node.value[index]
    if node.flow_style:
        previous_key, previous_value = node.value[index - 1]
        start = max(previous_key.end_mark.index, previous_value.end_mark.index)
        end = max(key.end_mark.index, value.end_mark.index)
        return None if "#" in text[start:end] else Edit(start, end, "")
    first = key.start_mark.line
    if lines[first][: key.start_mark.column].strip():
        return None
    last = last_line(value, lines)
    last = first if last is None else last
    start = lines.starts[first]
    end = min(lines.end(last) + 1, len(text))
    indent = " " * key.start_mark.column
    comment_lines = [indent + c.text + "\n" for c in found if start <= c.offset < end]
    return Edit(start, end, "".join(comment_lines))


def _known_key_maps(root: MappingNode) -> Iterator[tuple[MappingNode, tuple[str, ...]]]:
    yield root, SPEC_KEYS
    for key, order in (("stages", STAGE_KEYS), ("segments", SEGMENT_KEYS)):
        for item in items(get(root, key)):
            if isinstance(item, MappingNode):
                yield item, order
    for stage in items(get(root, "stages")):
        duration = get(stage, "duration")
        if isinstance(duration, MappingNode):
            yield duration, DURATION_KEYS


def _unknown_key_fixes(root: MappingNode) -> Iterator[Fix]:
    for node, known in _known_key_maps(root):
        keys = [key for key, _ in node.value if is_plain_key(key)]
        present = {str(key.value) for key in keys}
        proposals: dict[str, list[ScalarNode]] = {}
        for key in keys:
            if key.value in known:
                continue
            close = difflib.get_close_matches(str(key.value).lower(), known, n=1)
            if close and close[0] not in present:
                proposals.setdefault(close[0], []).append(key)
        for target, unknown in proposals.items():
            edit = replace_scalar(unknown[0], target)
            if len(unknown) == 1 and edit is not None:
                described = f"renamed unknown key {unknown[0].value!r} to {target!r}"
                yield _fix("FS002", unknown[0], described, [edit], safe=False)
