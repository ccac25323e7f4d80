"""Format a spec: canonical key order, 2-space indentation, rates as decimals.

Formatting runs these steps, each on the text of the one before:

1. Rates written as percentages (``"35%"``) become decimals (``0.35``).
2. Keys move into canonical order (funnelspec.rewrite.order).
3. ruamel.yaml's round trip re-emits the YAML with 2-space indentation and
   sequences indented under their key, keeping comments, blank lines, flow
   style, block scalars and the quotes the user chose. Keys are ordered
   once more afterwards.
4. A comment line directly above a line takes that line's indentation.

The result is checked before it is returned: it must read as the same data
(apart from step 1) with the same comments, or RewriteError is raised.
"""

from __future__ import annotations

import copy
import io
import math
import re
import sys
from collections import Counter
from decimal import Decimal
from typing import Any, NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode
from ruamel.yaml.representer import RoundTripRepresenter

from funnelspec.findings import format_path
from funnelspec.rewrite.order import reorder_keys
from funnelspec.rewrite.source import RewriteError, yaml_error
from funnelspec.rewrite.yamltext import (
    Edit,
    Lines,
    ScalarText,
    apply_edits,
    comments,
    compose,
    get,
    is_plain_key,
    is_string_scalar,
    items,
    walk,
)
from funnelspec.spec.loader import load_text

_PERCENT = re.compile(r"\s*(?P<number>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*%\s*")
_DOCUMENT_START = re.compile(r"^---(?:[ \t]|$)", re.MULTILINE)
_DOCUMENT_END = re.compile(r"^\.\.\.(?:[ \t]|$)", re.MULTILINE)


def format_text(text: str, name: str) -> str:
    """Return the formatted text of a spec; raises RewriteError.

    ``text`` must have ``\\n`` line breaks and parse as YAML; ``name`` is the
    file name used in messages.
    """
    original = load_text(text, name)
    if not original.parsed or not isinstance(original.data, dict):
        return text
    try:
        root = compose(text)
        _check_unique_keys(root, name)
        formatted = normalise_rates(text)
        formatted = reorder_keys(formatted)
        formatted = reindent(formatted)
        # Re-emitting can turn a layout that reordering skips, such as an
        # explicit "? key", into one it handles.
        formatted = reorder_keys(formatted)
        formatted = indent_comment_lines(formatted)
        expected = normalised_rate_data(original.data)
        check_preserved(name, text, root, formatted, expected)
    except YAMLError as exc:
        raise yaml_error(name, "format", text, exc) from None
    except ValueError as exc:
        # apply_edits raises it for overlapping edits, which is a bug here.
        _unsafe(name, str(exc))
    return formatted


def _check_unique_keys(root: Node | None, name: str) -> None:
    for node in walk(root):
        if not isinstance(node, MappingNode):
            continue
        seen: set[str] = set()
        for key, _ in node.value:
            if not is_plain_key(key):
                continue
            if key.value in seen:
                line, column = key.start_mark.line + 1, key.start_mark.column + 1
                raise RewriteError(
                    f"{name}:{line}:{column}: cannot format: duplicate key "
                    f"{key.value!r}; remove one of them (funnelspec lint --fix "
                    "--unsafe-fixes removes the later one)"
                )
            seen.add(key.value)


def percent_to_decimal(value: str) -> str | None:
    """Return ``"35%"`` as ``"0.35"`` (exact decimal arithmetic), else None.

    Only percentages from 0% to 100% are converted; lint reports the others.
    """
    match = _PERCENT.fullmatch(value)
    if match is None:
        return None
    share = Decimal(match["number"]).scaleb(-2).normalize()
    if not 0 <= share <= 1:
        return None
    return format(share, "f")


def _rate_nodes(root: Node | None) -> list[Node]:
    nodes = []
    for stage in items(get(root, "stages")):
        conversion = get(stage, "conversion")
        if conversion is not None:
            nodes.append(conversion)
        targets = get(stage, "next")
        if isinstance(targets, MappingNode):
            nodes.extend(value for _, value in targets.value)
    return nodes


def normalise_rates(text: str) -> str:
    """Rewrite rates given as percentage strings as decimals."""
    root = compose(text)
    edits = []
    for node in _rate_nodes(root):
        if not is_string_scalar(text, node):
            continue
        decimal = percent_to_decimal(node.value)
        if decimal is not None:
            edits.append(Edit(node.start_mark.index, node.end_mark.index, decimal))
    return apply_edits(text, edits)


def normalised_rate_data(data: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of loaded data with normalise_rates applied to it."""
    result = copy.deepcopy(data)
    stages = result.get("stages")
    for stage in stages if isinstance(stages, list) else []:
        if not isinstance(stage, dict):
            continue
        if "conversion" in stage:
            stage["conversion"] = _rate_value(stage["conversion"])
        targets = stage.get("next")
        if isinstance(targets, dict):
            for target, rate in targets.items():
                targets[target] = _rate_value(rate)
    return result


def _rate_value(value: Any) -> Any:
    decimal = percent_to_decimal(value) if isinstance(value, str) else None
    return value if decimal is None else float(decimal)


class _NumberText(str):
    """A number's text as written, so that re-emitting it cannot change it.

    ruamel.yaml 0.19.1 re-emits some floats with another last digit
    (5.960464477539063e-08 as 5.960464477539062e-08).
    """

    __slots__ = ("tag",)
    tag: str

    def __new__(cls, text: str, tag: str) -> _NumberText:
        number = super().__new__(cls, text)
        number.tag = tag
        return number


def _construct_number(constructor: RoundTripConstructor, node: ScalarNode) -> Any:
    return _NumberText(node.value, str(node.tag))


def _represent_number(representer: RoundTripRepresenter, number: _NumberText) -> Any:
    return representer.represent_scalar(number.tag, str(number))


class _Constructor(RoundTripConstructor):
    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """Construct a node; raises ConstructorError with its position.

        ruamel.yaml 0.19.1 raises KeyError, ValueError or AttributeError,
        without a position, for a tag that does not fit its node, such as
        ``!!bool hello``, ``!!timestamp soon`` or ``!!set x``. TypeError is
        caught as well, although no input has raised it so far.
        """
        try:
            return super().construct_object(node, deep)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            if isinstance(node, ScalarNode):
                problem = f"invalid value {node.value!r} for tag {tag}"
            else:
                kind = "mapping" if isinstance(node, MappingNode) else "sequence"
                problem = f"tag {tag} cannot be used on a {kind}"
            raise ConstructorError(
                problem=f"{problem}; remove the tag or correct the value",
                problem_mark=node.start_mark,
            ) from exc


class _Representer(RoundTripRepresenter):
    pass


for _kind in ("int", "float"):
    _Constructor.add_constructor(f"tag:yaml.org,2002:{_kind}", _construct_number)
_Representer.add_representer(_NumberText, _represent_number)


def _round_trip() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _Constructor
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    # Never fold long lines: a spec's long descriptions stay as written.
    yaml.width = sys.maxsize
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def reindent(text: str) -> str:
    """Re-emit text with ruamel.yaml's round trip and the spec indentation."""
    yaml = _round_trip()
    data = yaml.load(text)
    if data is None:
        return text
    yaml.explicit_start = _DOCUMENT_START.search(text) is not None
    yaml.explicit_end = _DOCUMENT_END.search(text) is not None
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def indent_comment_lines(text: str) -> str:
    """Indent each group of comment lines like the line directly below it.

    A group followed by a blank line or the end of the file closes the block
    above it: it keeps its indentation, but not deeper than that block's
    last line.
    """
    scalars = ScalarText(text, compose(text))
    lines = Lines(text)
    edits = []
    group: list[int] = []
    above: int | None = None  # indentation of the last line that is not a comment
    for number in range(len(lines) + 1):
        end = number == len(lines)
        inside = not end and lines.starts[number] in scalars
        if not end and lines.is_comment(number) and not inside:
            group.append(number)
            continue
        if group and not end and not lines.is_blank(number):
            edits += _indent(group, lines.indent(number), lines, deeper_only=False)
        elif group and above is not None:
            edits += _indent(group, above, lines, deeper_only=True)
        group = []
        if not end and not lines.is_blank(number):
            above = lines.indent(number)
    return apply_edits(text, edits)


def _indent(
    group: list[int], indent: int, lines: Lines, deeper_only: bool
) -> list[Edit]:
    edits = []
    for line in group:
        current = lines.indent(line)
        if current == indent or (deeper_only and current < indent):
            continue
        start = lines.starts[line]
        edits.append(Edit(start, start + current, " " * indent))
    return edits


def check_preserved(
    name: str, text: str, root: Node | None, formatted: str, expected: Any
) -> None:
    """Raise RewriteError unless formatted reads as expected with text's comments."""
    result = load_text(formatted, name)
    if not result.parsed:
        problem = next(p for p in result.problems if p.code == "FS001")
        _unsafe(name, f"the result would not be valid YAML ({problem.message})")
    difference = _first_difference(expected, result.data, ())
    if difference is not None:
        _unsafe(name, f"the value at {format_path(difference) or 'the top'} changes")
    before = Counter(comment.text for comment in comments(text, root))
    after = Counter(comment.text for comment in comments(formatted, compose(formatted)))
    lost = before - after
    if lost:
        _unsafe(name, f"comment {next(iter(lost))!r} would be lost")
    if after - before:
        _unsafe(name, f"comment {next(iter(after - before))!r} would be added")


def _unsafe(name: str, reason: str) -> NoReturn:
    raise RewriteError(
        f"{name}: cannot format safely: {reason}; the file was left unchanged "
        "(please report this as a bug with the file)"
    )


def _first_difference(a: Any, b: Any, path: tuple[str | int, ...]) -> Any:
    """Return the path of the first value that differs, or None; NaN equals NaN."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return path
        for key in a:
            found = _first_difference(a[key], b[key], (*path, key))
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, (*path, index))
            if found is not None:
                return found
        return None
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return None if math.isnan(b) else path
    if type(a) is not type(b) and not _same_number(a, b):
        return path
    return None if a == b else path


def _same_number(a: Any, b: Any) -> bool:
    # "100%" becomes 1, an int, where the original data held the float 1.0.
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    return isinstance(a, numbers) and isinstance(b, numbers) and a == b
