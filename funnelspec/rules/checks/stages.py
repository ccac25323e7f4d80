"""Checks on stage design: count, ownership balance, trivial steps, outcomes."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from funnelspec.rules.registry import Context, Problem, register
from funnelspec.spec.model import Stage
from funnelspec.spec.units import parse_duration


@register("stage-count")
def stage_count(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    key_stages = [stage for stage in context.spec.stages if not stage.nurture]
    count = len(key_stages)
    if context.spec.kind == "marketing":
        low, high = options["marketing_min"], options["marketing_max"]
    else:
        low, high = options["min"], options["max"]
    if count < low or count > high:
        yield Problem(
            ("stages",),
            {
                "count": count,
                "stages": "stage" if count == 1 else "stages",
                "low": low,
                "high": high,
                "kind": context.spec.kind,
            },
            at_key=True,
        )


def _owner_counts(context: Context) -> tuple[int, int]:
    stages = context.spec.stages
    sales = sum(1 for stage in stages if stage.owner == "sales")
    marketing = sum(1 for stage in stages if stage.owner == "marketing")
    return sales, marketing


@register("sales-outnumber-marketing")
def sales_outnumber_marketing(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    sales, marketing = _owner_counts(context)
    if sales <= marketing:
        yield Problem(
            ("stages",), {"sales": sales, "marketing": marketing}, at_key=True
        )


@register("marketing-not-outnumbered")
def marketing_not_outnumbered(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    sales, marketing = _owner_counts(context)
    if marketing < sales:
        yield Problem(
            ("stages",), {"sales": sales, "marketing": marketing}, at_key=True
        )


def _stage_text(stage: Stage) -> list[str]:
    texts = [stage.id.replace("_", " ").replace("-", " ")]
    texts += [text for text in (stage.name, stage.key_outcome) if text]
    return [text.lower() for text in texts]


@register("buyer-outcome-stages")
def buyer_outcome_stages(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    terms = [str(term).lower() for term in options["terms"]]
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(term) for term in terms) + r")\b"
    )
    minimum = parse_duration(options["min_duration"])
    for index, stage in enumerate(context.spec.stages):
        matches = [pattern.search(text) for text in _stage_text(stage)]
        matched = next((match.group(0) for match in matches if match), None)
        if matched is not None:
            reason = f"an internal step, not a buyer outcome ('{matched}')"
            yield Problem(("stages", index, "id"), {"id": stage.id, "reason": reason})
        elif stage.duration is not None and stage.duration.median.days < minimum.days:
            reason = (
                f"a quick step (median {stage.duration.median.text}, "
                f"under {minimum.text})"
            )
            yield Problem(
                ("stages", index, "duration"), {"id": stage.id, "reason": reason}
            )


def _missing(field: str) -> Any:
    def check(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
        for index, stage in enumerate(context.spec.stages):
            value = getattr(stage, field)
            if value is None or (isinstance(value, str) and not value.strip()):
                yield Problem(("stages", index), {"id": stage.id, "field": field})

    check.__name__ = f"stage_has_{field}"
    return check


register("stage-has-key-outcome")(_missing("key_outcome"))
register("stage-has-owner")(_missing("owner"))


@register("single-handoff")
def single_handoff(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    graph = context.graph
    marketing = [
        stage_id
        for stage_id, stage in graph.stages.items()
        if stage.owner == "marketing"
    ]
    if not marketing:
        return
    # Marketing stages themselves are included, which is harmless because
    # only sales-owned stages are looked at below.
    after_marketing = graph.reachable_from(marketing)
    for source, stage in graph.stages.items():
        if stage.owner != "sales" or source not in after_marketing:
            continue
        for target in graph.successors(source):
            target_stage = graph.stages.get(target)
            if (
                target_stage is not None
                and target_stage.owner == "marketing"
                and not target_stage.nurture
            ):
                yield Problem(
                    graph.edge_path(source, target),
                    {"source": source, "target": target},
                    at_key=stage.next is not None,
                )
