"""Checks on the numbers a forecast needs: conversion rates."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from funnelspec.graph import WON
from funnelspec.rules.registry import Context, Problem, register


@register("stage-has-conversion")
def stage_has_conversion(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    stages = context.spec.stages
    for index, stage in enumerate(stages):
        if stage.next is None and stage.conversion is None:
            following = stages[index + 1].id if index + 1 < len(stages) else WON
            yield Problem(("stages", index), {"id": stage.id, "next": following})


@register("plausible-conversion")
def plausible_conversion(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    for index, stage in enumerate(context.spec.stages):
        if stage.next is None and stage.conversion in (0.0, 1.0):
            meaning = "no opportunity" if stage.conversion == 0 else "every opportunity"
            yield Problem(
                ("stages", index, "conversion"),
                {"id": stage.id, "value": stage.conversion, "meaning": meaning},
            )
