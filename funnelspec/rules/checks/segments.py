"""Checks on segmentation: named, concrete, with a size or a region."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from funnelspec.rules.registry import Context, Problem, register


@register("has-segments")
def has_segments(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    if not context.spec.segments:
        at_key = context.spec.segments is not None
        yield Problem(("segments",) if at_key else (), at_key=at_key)


@register("specific-segments")
def specific_segments(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    broad = {" ".join(str(term).lower().split()) for term in options["terms"]}
    for index, segment in enumerate(context.spec.segments or []):
        field = "industry" if segment.industry else "name"
        value = segment.industry or segment.name
        if " ".join(value.lower().split()) in broad:
            yield Problem(
                ("segments", index, field), {"name": segment.name, "industry": value}
            )


@register("segment-sized-or-regional")
def segment_sized_or_regional(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    for index, segment in enumerate(context.spec.segments or []):
        if not segment.has_size and not segment.regions:
            yield Problem(("segments", index), {"name": segment.name})
