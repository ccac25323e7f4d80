"""Checks on time: the conversion period and the follow-up SLA."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from funnelspec.graph import WON
from funnelspec.rules.registry import Context, Problem, register
from funnelspec.spec.units import parse_duration


def format_days(days: float) -> str:
    """Format a number of days in the largest unit that keeps it readable."""
    if days >= 60:
        return f"{days / 30.44:.1f} months"
    if days >= 14:
        return f"{days / 7:.1f} weeks"
    if days >= 1:
        return f"{days:.1f} days"
    return f"{days * 24:.1f} hours"


@register("has-conversion-period")
def has_conversion_period(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    if context.spec.conversion_period is None:
        yield Problem(())


def _shorten_path(path: list[str], keep: int = 4) -> str:
    """Join a path with arrows, eliding the middle of a long one."""
    if len(path) <= 2 * keep + 1:
        return " -> ".join(path)
    hidden = len(path) - 2 * keep
    return " -> ".join([*path[:keep], f"({hidden} more stages)", *path[-keep:]])


@register("path-within-period")
def path_within_period(
    context: Context, options: Mapping[str, Any]
) -> Iterator[Problem]:
    period = context.spec.conversion_period
    if period is None:
        return
    path = context.graph.likely_path_to_won()
    if path is None:
        return
    stages = [context.graph.stages[stage_id] for stage_id in path if stage_id != WON]
    timed = [stage.duration.median.days for stage in stages if stage.duration]
    if not timed:
        return
    total = sum(timed)
    if total <= period.days:
        return
    untimed = len(stages) - len(timed)
    note = f" ({untimed} stages without a duration not counted)" if untimed else ""
    yield Problem(
        ("conversion_period",),
        {
            "path": _shorten_path(path),
            "total": format_days(total) + note,
            "period": period.text,
        },
    )


@register("fast-follow-up")
def fast_follow_up(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    limit = parse_duration(options["max"])
    sla = context.spec.follow_up_sla
    if sla is None:
        yield Problem((), {"state": "states no follow-up SLA", "max": limit.text})
    elif sla.days > limit.days:
        yield Problem(
            ("follow_up_sla",),
            {"state": f"has a follow-up SLA of {sla.text}", "max": limit.text},
        )
