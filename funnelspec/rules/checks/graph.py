"""Checks on the funnel as a graph: ids, targets, reachability, loops."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from funnelspec.graph import LOST, WON
from funnelspec.rules.registry import Context, Problem, register
from funnelspec.spec.units import did_you_mean

#: Sums of probabilities are compared with this slack for rounding.
_EPSILON = 1e-9


@register("unique-stage-ids")
def unique_stage_ids(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, stage in enumerate(context.spec.stages):
        if stage.id in first:
            earlier = first[stage.id]
            line = context.source.locate(("stages", earlier, "id")).line
            yield Problem(
                ("stages", index, "id"),
                {"id": stage.id, "first": earlier, "first_line": line},
            )
        else:
            first[stage.id] = index


@register("known-next-targets")
def known_next_targets(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    ids = [stage.id for stage in context.spec.stages]
    valid = {*ids, WON, LOST}
    for index, stage in enumerate(context.spec.stages):
        for target in stage.next or {}:
            if target not in valid:
                yield Problem(
                    ("stages", index, "next", target),
                    {
                        "id": stage.id,
                        "target": target,
                        "hint": did_you_mean(target, [*ids, WON, LOST]),
                    },
                    at_key=True,
                )


@register("reachable-stages")
def reachable_stages(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    graph = context.graph
    reachable = graph.reachable_from_entry()
    for stage_id, index in graph.index.items():
        if stage_id not in reachable:
            yield Problem(
                ("stages", index, "id"), {"id": stage_id, "entry": graph.entry}
            )


@register("stages-reach-won")
def stages_reach_won(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    graph = context.graph
    winners = graph.can_reach_won()
    for stage_id, index in graph.index.items():
        if stage_id not in winners:
            yield Problem(("stages", index, "id"), {"id": stage_id})


@register("no-unmarked-loops")
def no_unmarked_loops(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    graph = context.graph
    for members in graph.stage_cycles():
        if any(graph.stages[member].nurture for member in members):
            continue
        cycle = graph.find_cycle(members)
        # The finding points at the transition that closes the loop.
        source, target = cycle[-1]
        stage = graph.stages[source]
        yield Problem(
            graph.edge_path(source, target),
            {
                "stages": ", ".join(members),
                "loop": " -> ".join([edge[0] for edge in cycle] + [target]),
                "source": source,
                "target": target,
            },
            at_key=stage.next is not None,
        )


@register("probabilities-sum")
def probabilities_sum(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    for index, stage in enumerate(context.spec.stages):
        if not stage.next:
            continue
        total = sum(stage.next.values())
        if total > 1 + _EPSILON:
            yield Problem(
                ("stages", index, "next"),
                {"id": stage.id, "total": f"{total:.12g}"},
                at_key=True,
            )


@register("conversion-or-next")
def conversion_or_next(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    for index, stage in enumerate(context.spec.stages):
        if stage.next is not None and stage.conversion is not None:
            yield Problem(("stages", index, "conversion"), {"id": stage.id})
