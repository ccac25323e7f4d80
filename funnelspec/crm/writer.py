"""Render an imported funnel as spec YAML, with comments on what the CRM lacks.

The spec is built as a ruamel.yaml round-trip tree so that the comments are
part of the document. The output depends only on the input: it names the
source files without their directories and carries no date.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from funnelspec.crm.conversion import FunnelStage, ImportedFunnel, defuse_suppressions

#: Column of end-of-line comments in stages, as in the example specs.
COMMENT_COLUMN = 36
#: Owner every imported stage gets, because CRM deals are sales records.
DEFAULT_OWNER = "sales"
STAGE_INDENT = 4
#: Maximum width of comment text (after "# ") in the header and in stages, so
#: that comment lines fit in 80 and 88 columns.
HEADER_WIDTH = 78
STAGE_COMMENT_WIDTH = 88 - STAGE_INDENT - 2


def render_spec(funnel: ImportedFunnel) -> str:
    """Return the spec of an imported funnel as YAML text."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.allow_unicode = True
    stream = io.StringIO()
    yaml.dump(_document(funnel), stream)
    return stream.getvalue()


def _document(funnel: ImportedFunnel) -> CommentedMap:
    pipeline = funnel.pipeline
    document = CommentedMap()
    document["funnelspec"] = 1
    document["name"] = _scalar(funnel.name)
    if funnel.description:
        document["description"] = _scalar(funnel.description)
    document["motion"] = "b2b"
    document.yaml_add_eol_comment("TODO: confirm the motion (b2b or b2c)", "motion")
    document["kind"] = "sales"
    document["stages"] = _stages(funnel.stages)
    document.yaml_set_start_comment(_header(funnel))
    document.yaml_set_comment_before_after_key(
        "stages",
        before="\n".join(
            _wrap(
                "TODO: add conversion_period, follow_up_sla and segments, which "
                f"{pipeline.crm} does not store",
                HEADER_WIDTH,
            )
        ),
    )
    return document


def _header(funnel: ImportedFunnel) -> str:
    """Return the header comment: source, assumptions, terminals and warnings.

    Paragraphs are separated by a line with a lone ``#``. List items get a
    hanging indent when they wrap, and the prose paragraph does not.
    """
    crm = funnel.pipeline.crm
    assumptions = [
        f"Each conversion is derived from {crm}'s win probabilities, read as "
        "the cumulative chance that a deal in the stage is won: an open "
        "stage's probability divided by the next open stage's, and the last "
        "open stage's divided by 100% (won). This holds only if every deal "
        "passes through the open stages in order.",
        f"{crm} stores no owner, key outcome, buyer roles, duration, "
        "conversion period, follow-up SLA or segments, so TODO comments mark "
        "them and `funnelspec lint` reports each gap.",
    ]
    terminals = [
        "Closed stages become the spec's terminals won and lost:",
        f"won: {_labels(funnel.won)}",
        f"lost: {_labels(funnel.lost)}",
    ]
    warnings = [f"WARNING: {note}" for note in funnel.notes]
    missing = sum(1 for stage in funnel.stages if stage.conversion is None)
    if missing:
        warnings.insert(
            0,
            f"WARNING: no conversion is derived for {missing} of "
            f"{len(funnel.stages)} open stages; the TODO comments at those stages "
            "say why.",
        )
    paragraphs = [
        _wrap_all([f"Imported from {crm} by `funnelspec import`."]),
        _wrap_all([f"Source: {source}" for source in funnel.pipeline.sources]),
        _wrap_all(assumptions, hanging=False),
        _wrap_all(terminals),
    ]
    if warnings:
        paragraphs.append(_wrap_all(warnings))
    return "\n#\n".join("\n".join(lines) for lines in paragraphs)


def _wrap_all(texts: list[str], hanging: bool = True) -> list[str]:
    return [line for text in texts for line in _wrap(text, HEADER_WIDTH, hanging)]


def _labels(labels: list[str]) -> str:
    return ", ".join(labels) if labels else "(none)"


def _stages(stages: list[FunnelStage]) -> CommentedSeq:
    sequence = CommentedSeq()
    for index, stage in enumerate(stages):
        sequence.append(_stage(stage))
        if stage.notes_before:
            sequence.yaml_set_comment_before_after_key(
                index,
                before="\n".join(
                    line
                    for note in stage.notes_before
                    for line in _wrap(note, STAGE_COMMENT_WIDTH)
                ),
                indent=STAGE_INDENT - 2,
            )
    return sequence


def _stage(stage: FunnelStage) -> CommentedMap:
    mapping = CommentedMap()
    mapping["id"] = stage.id
    mapping["name"] = _scalar(stage.name)
    _add_comment(mapping, "name", stage.source_note)
    mapping["owner"] = DEFAULT_OWNER
    _add_comment(mapping, "owner", "TODO: confirm the owner")
    last_key = "owner"
    trailing = []
    if stage.conversion is None:
        trailing.append(f"TODO: conversion not derived: {stage.conversion_note}")
    else:
        mapping["conversion"] = stage.conversion
        _add_comment(mapping, "conversion", stage.conversion_note)
        last_key = "conversion"
    trailing.append("TODO: add key_outcome, engages and duration")
    _add_lines_after(mapping, last_key, trailing)
    return mapping


def _add_comment(mapping: CommentedMap, key: str, text: str) -> None:
    mapping.yaml_add_eol_comment(_comment_text(text), key, column=COMMENT_COLUMN)


def _add_lines_after(mapping: CommentedMap, key: str, lines: list[str]) -> None:
    """Append full comment lines after the key's end-of-line comment.

    ruamel.yaml keeps one comment token per key, so the extra lines go into
    that token after a line break, indented like the stage's keys.
    """
    comment: Any = mapping.ca.items[key][2]
    prefix = "\n" + " " * STAGE_INDENT + "# "
    wrapped = [part for line in lines for part in _wrap(line, STAGE_COMMENT_WIDTH)]
    extra = "".join(prefix + part for part in wrapped)
    comment.value = comment.value.rstrip("\n") + extra + "\n"


def _scalar(text: str) -> str:
    """Return CRM text as a YAML string that reads back unchanged.

    Text with line breaks or other characters that are not printable is
    double-quoted, so that they are written as escapes (``\\n``, ``\\L``). In
    other styles YAML 1.1 readers would fold them into spaces.
    """
    return text if text.isprintable() else DoubleQuotedScalarString(text)


def _wrap(text: str, width: int, hanging: bool = True) -> list[str]:
    """Split a comment into lines of at most ``width`` characters where possible.

    With ``hanging``, continuation lines are indented by two spaces. A single
    word longer than the width stays whole.
    """
    return textwrap.wrap(
        _comment_text(text),
        width=width,
        subsequent_indent="  " if hanging else "",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [""]


def _comment_text(text: str) -> str:
    """Make text safe inside a YAML comment.

    Labels and file names come from the CRM export. A line break in one would
    end the comment and turn the rest into YAML, and a
    ``# funnelspec: ignore[...]`` in one would suppress lint findings. So the
    text becomes one line of printable characters, with such a "#" replaced.
    """
    printable = "".join(char if char.isprintable() else " " for char in text)
    return defuse_suppressions(" ".join(printable.split()))
