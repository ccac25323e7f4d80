"""Derive a funnel's stages and conversions from a CRM pipeline.

CRMs store one win probability per stage: the share of deals in that stage
that are expected to be won, counted over everything still ahead. Read as a
cumulative probability, the conversion of an open stage (the share that
reaches the next open stage) is its probability divided by the next open
stage's. The last open stage is divided by 100%, the probability of won.
The derivation assumes that every deal passes through the open stages in
order. Where the CRM's probabilities contradict that (a probability that
falls, an open stage at 0% or 100%), no conversion is derived and the stage
gets a warning instead.

Closed stages become the spec's implicit terminals: won stages go to ``won``
and the others to ``lost``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction

from funnelspec.crm.pipeline import CrmPipeline, CrmStage, CrmWarning, format_percent
from funnelspec.errors import ReadError
from funnelspec.spec.model import TERMINALS

#: Maximum length of a stage id, as the spec format allows.
MAX_ID_LENGTH = 64
_NOT_ID = re.compile(r"[^a-z0-9]+")
#: A "#" that `funnelspec lint` would take for the start of a suppression
#: comment (``# funnelspec: ignore[...]``). Lint looks for those on every line,
#: inside quoted values too, so CRM text must not contain one.
_SUPPRESSION_START = re.compile(r"#(?=\s*funnelspec\s*:)", re.IGNORECASE)
#: FULLWIDTH NUMBER SIGN, which replaces such a "#".
SAFE_NUMBER_SIGN = "\uff03"


@dataclass(frozen=True)
class FunnelStage:
    """An open CRM stage as a spec stage, with the comments it is written with."""

    id: str
    name: str
    source_note: str
    """Facts the CRM stores for the stage, for the comment beside its name:
    ``Salesforce: 10%, forecast category Pipeline``."""
    conversion: float | None
    conversion_note: str
    """The ratio behind the conversion (``10% / 20%``), or why there is none."""
    notes_before: list[str] = field(default_factory=list)
    """Comment lines for the line before the stage."""


@dataclass(frozen=True)
class ImportedFunnel:
    """A CRM pipeline converted to spec stages, with what could not be converted."""

    pipeline: CrmPipeline
    name: str
    description: str | None
    stages: list[FunnelStage]
    won: list[str]
    """Labels of the CRM's won stages."""
    lost: list[str]
    """Labels of the CRM's closed stages that are not won."""
    warnings: list[CrmWarning]
    """Every warning for standard error: problems found while reading, then
    problems of the whole pipeline, then those of single stages in funnel order."""
    notes: list[str]
    """Warnings about the pipeline as a whole, for the spec's header."""


def convert_pipeline(pipeline: CrmPipeline) -> ImportedFunnel:
    """Convert a CRM pipeline's open stages into spec stages with conversions.

    Raises ReadError when the pipeline has no open stage.
    """
    positions = [
        position
        for position, stage in enumerate(pipeline.stages)
        if not _is_closed(stage)
    ]
    if not positions:
        raise ReadError(
            f"{pipeline.stages[0].location}: every stage of the pipeline is "
            "closed, so there is no open stage to make a funnel of"
        )
    open_stages = [pipeline.stages[position] for position in positions]
    ids = stage_ids([stage.label for stage in open_stages])
    stage_warnings = _suppression_warnings(pipeline)
    stages = []
    for index, stage in enumerate(open_stages):
        following = open_stages[index + 1] if index + 1 < len(open_stages) else None
        conversion, note = _conversion(stage, following)
        if conversion is None:
            stage_warnings.append(
                CrmWarning(
                    stage.location,
                    f"{note}; no conversion is derived for stage '{ids[index]}'",
                )
            )
        previous = positions[index - 1] + 1 if index else positions[0]
        closed_before = pipeline.stages[previous : positions[index]]
        stages.append(
            FunnelStage(
                id=ids[index],
                name=defuse_suppressions(stage.label),
                source_note=_source_note(pipeline.crm, stage),
                conversion=conversion,
                conversion_note=note,
                notes_before=[
                    f"{pipeline.crm} places closed stage {_closed_label(closed)} here"
                    for closed in closed_before
                ],
            )
        )
    pipeline_warnings = _pipeline_warnings(pipeline, positions)
    description = pipeline.description
    return ImportedFunnel(
        pipeline=pipeline,
        name=defuse_suppressions(pipeline.name),
        description=defuse_suppressions(description) if description else None,
        stages=stages,
        won=[stage.label for stage in pipeline.stages if stage.won],
        lost=[
            stage.label
            for stage in pipeline.stages
            if _is_closed(stage) and not stage.won
        ],
        warnings=[*pipeline.warnings, *pipeline_warnings, *stage_warnings],
        notes=[warning.message for warning in [*pipeline.warnings, *pipeline_warnings]],
    )


def stage_ids(labels: list[str]) -> list[str]:
    """Make a unique spec stage id from each label: lowercase words joined by _.

    Accents are dropped and every other character that is not an ASCII letter
    or digit separates words. A label that starts with a digit gets a ``stage_``
    prefix, one with no letter or digit becomes ``stage_N`` (its 1-based
    position), and the reserved ``won`` and ``lost`` get a ``_stage`` suffix.
    A repeated id gets ``_2``, ``_3`` and so on.
    """
    ids: list[str] = []
    used: set[str] = set()
    for position, label in enumerate(labels, start=1):
        base = _slug(label) or f"stage_{position}"
        if base[0].isdigit():
            base = f"stage_{base}"
        if base in TERMINALS:
            base = f"{base}_stage"
        base = base[:MAX_ID_LENGTH].rstrip("_")
        candidate, number = base, 1
        while candidate in used:
            number += 1
            suffix = f"_{number}"
            candidate = base[: MAX_ID_LENGTH - len(suffix)].rstrip("_") + suffix
        used.add(candidate)
        ids.append(candidate)
    return ids


def defuse_suppressions(text: str) -> str:
    """Replace each "#" that would start a lint suppression comment with "＃"."""
    return _SUPPRESSION_START.sub(SAFE_NUMBER_SIGN, text)


def round_rate(share: Fraction) -> float:
    """Round a rate to 4 decimals, or more where 4 would make it exactly 0 or 1."""
    for digits in range(4, 16, 2):
        value = round(float(share), digits)
        if (value == 0) == (share == 0) and (value == 1) == (share == 1):
            return value
    return float(share)


def _slug(label: str) -> str:
    decomposed = unicodedata.normalize("NFKD", label.lower())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_ID.sub("_", letters).strip("_")


def _is_closed(stage: CrmStage) -> bool:
    return stage.closed or stage.won


def _conversion(
    stage: CrmStage, following: CrmStage | None
) -> tuple[float | None, str]:
    """Return the stage's conversion and the ratio it comes from.

    When the probabilities do not support a conversion, return None and the
    reason instead of the ratio.
    """
    share = stage.probability
    percent = format_percent(share)
    label = stage.label
    if share == 0:
        return (
            None,
            f"open stage {label!r} is at 0%, which says none of its deals is won",
        )
    if share == 1:
        return None, (
            f"open stage {label!r} is at 100%, which says all of its deals are won"
        )
    if following is None:
        return round_rate(share), f"{percent} / 100% (won)"
    next_share = following.probability
    next_percent = format_percent(next_share)
    if next_share == 0:
        return None, (
            f"the next open stage, {following.label!r}, is at 0%, so {percent} / 0% "
            "has no value"
        )
    if share > next_share:
        return None, (
            f"{label!r} is at {percent} but the next open stage, "
            f"{following.label!r}, is at {next_percent}; a cumulative win "
            "probability cannot fall, and the ratio would exceed 1"
        )
    return round_rate(share / next_share), f"{percent} / {next_percent}"


def _source_note(crm: str, stage: CrmStage) -> str:
    note = f"{crm}: {format_percent(stage.probability)}"
    return f"{note}, {stage.details}" if stage.details else note


def _closed_label(stage: CrmStage) -> str:
    outcome = "won" if stage.won else "lost"
    return f"{stage.label!r} ({outcome})"


def _suppression_warnings(pipeline: CrmPipeline) -> list[CrmWarning]:
    texts = [("pipeline name", pipeline.name, pipeline.stages[0].location)]
    if pipeline.description:
        texts.append(("description", pipeline.description, pipeline.stages[0].location))
    texts += [("stage label", stage.label, stage.location) for stage in pipeline.stages]
    return [
        CrmWarning(
            location,
            f"{subject} {text!r} contains '# funnelspec:', which funnelspec lint "
            f"reads as a suppression comment; the '#' is written as "
            f"'{SAFE_NUMBER_SIGN}'",
        )
        for subject, text, location in texts
        if _SUPPRESSION_START.search(text)
    ]


def _pipeline_warnings(
    pipeline: CrmPipeline, open_positions: list[int]
) -> list[CrmWarning]:
    warnings: list[CrmWarning] = []
    won = [stage for stage in pipeline.stages if stage.won]
    if not won:
        warnings.append(
            CrmWarning(
                pipeline.stages[-1].location,
                "the pipeline has no won stage; the last open stage's conversion "
                "is divided by 100% (the terminal won) all the same",
            )
        )
    if len(won) > 1:
        labels = ", ".join(repr(stage.label) for stage in won)
        warnings.append(
            CrmWarning(
                won[1].location,
                f"the pipeline has {len(won)} won stages ({labels}); the spec has "
                "one terminal won, so all of them become won",
            )
        )
    for position, stage in enumerate(pipeline.stages):
        if stage.won and stage.probability != 1:
            warnings.append(
                CrmWarning(
                    stage.location,
                    f"won stage {stage.label!r} is at "
                    f"{format_percent(stage.probability)}; conversions treat won "
                    "as 100% all the same",
                )
            )
        if stage.won and not stage.closed:
            warnings.append(
                CrmWarning(
                    stage.location,
                    f"stage {stage.label!r} is won but not closed; it is treated "
                    "as closed",
                )
            )
        if _is_closed(stage) and open_positions[0] < position < open_positions[-1]:
            outcome = "won" if stage.won else "lost"
            warnings.append(
                CrmWarning(
                    stage.location,
                    f"closed stage {stage.label!r} ({outcome}) comes between open "
                    "stages; the open stages keep their order and it becomes the "
                    f"terminal {outcome}",
                )
            )
    return warnings
