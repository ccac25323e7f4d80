"""Checks on the buyer roles the funnel works: influencer and decision maker."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from funnelspec.rules.registry import Context, Problem, register


@register("role-engaged")
def role_engaged(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    role = options["role"]
    if not any(role in stage.engages for stage in context.spec.stages):
        yield Problem(("stages",), {"role": role.replace("_", " ")}, at_key=True)
