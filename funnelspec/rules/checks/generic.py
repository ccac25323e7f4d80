"""Generic checks that users combine into rules of their own without code.

Each looks at the items a rule's ``given`` selects: stages by default,
segments with ``on: segments``, or the spec itself with ``on: spec``. The
other keys of ``given`` keep only items whose field has that value, or one of
a list of values. A list field such as ``engages`` matches when it contains
the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from funnelspec.findings import Path
from funnelspec.rules.registry import Context, Problem, register
from funnelspec.spec import units


def _items(context: Context, given: Mapping[str, Any]) -> list[tuple[Path, Any]]:
    target = given.get("on", "stages")
    if target == "spec":
        candidates: list[tuple[Path, Any]] = [((), context.spec)]
    elif target == "segments":
        candidates = [
            (("segments", index), segment)
            for index, segment in enumerate(context.spec.segments or [])
        ]
    else:
        candidates = [
            (("stages", index), stage)
            for index, stage in enumerate(context.spec.stages)
        ]
    conditions = {key: value for key, value in given.items() if key != "on"}
    return [
        (path, item)
        for path, item in candidates
        if all(
            _field_matches(getattr(item, key, None), value)
            for key, value in conditions.items()
        )
    ]


def _field_matches(actual: Any, expected: Any) -> bool:
    allowed = expected if isinstance(expected, list) else [expected]
    if isinstance(actual, list):
        return any(value in actual for value in allowed)
    return actual in allowed


def _label(item: Any) -> str:
    return str(getattr(item, "id", None) or getattr(item, "name", ""))


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str | list | dict):
        return bool(value if not isinstance(value, str) else value.strip())
    return True


@register("field-required")
def field_required(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    field = options["field"]
    for path, item in _items(context, options.get("given", {})):
        if not _present(getattr(item, field, None)):
            yield Problem(
                path, {"id": _label(item), "item": _label(item), "field": field}
            )


@register("pattern")
def pattern(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    field = options["field"]
    regex = re.compile(options["pattern"])
    for path, item in _items(context, options.get("given", {})):
        value = getattr(item, field, None)
        if value is None:
            continue
        if not regex.search(str(value)):
            yield Problem(
                (*path, field),
                {
                    "id": _label(item),
                    "item": _label(item),
                    "field": field,
                    "value": value,
                },
            )


@register("enum")
def enum(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    field = options["field"]
    allowed = list(options["values"])
    for path, item in _items(context, options.get("given", {})):
        value = getattr(item, field, None)
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        for position, each in enumerate(values):
            if each not in allowed:
                where = (
                    (*path, field, position)
                    if isinstance(value, list)
                    else (*path, field)
                )
                yield Problem(
                    where,
                    {
                        "id": _label(item),
                        "item": _label(item),
                        "field": field,
                        "value": each,
                        "values": ", ".join(map(str, allowed)),
                    },
                )


def _measure(value: Any) -> float | None:
    """Return a comparable number: days for durations, the number otherwise."""
    if isinstance(value, units.StageDuration):
        return value.median.days
    if isinstance(value, units.Duration):
        return value.days
    if isinstance(value, units.Inflow):
        return value.per_day
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _bound(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        return units.parse_duration(value).days
    return float(value)


@register("range")
def value_range(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    field = options["field"]
    low, high = _bound(options.get("min")), _bound(options.get("max"))
    for path, item in _items(context, options.get("given", {})):
        raw = getattr(item, field, None)
        measured = _measure(raw)
        if measured is None:
            continue
        if (low is not None and measured < low) or (
            high is not None and measured > high
        ):
            shown = raw.median.text if isinstance(raw, units.StageDuration) else raw
            yield Problem(
                (*path, field),
                {
                    "id": _label(item),
                    "item": _label(item),
                    "field": field,
                    "value": shown,
                    "min": options.get("min"),
                    "max": options.get("max"),
                },
            )


@register("count")
def count(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    given = options.get("given", {})
    selected = len(_items(context, given))
    low, high = options.get("min"), options.get("max")
    if (low is not None and selected < low) or (high is not None and selected > high):
        target = given.get("on", "stages")
        yield Problem(
            (target,) if target != "spec" else (),
            {"count": selected, "min": low, "max": high},
            at_key=target != "spec",
        )


@register("ratio")
def ratio(context: Context, options: Mapping[str, Any]) -> Iterator[Problem]:
    numerator = len(_items(context, options["numerator"]))
    denominator = len(_items(context, options["denominator"]))
    low, high = options.get("min"), options.get("max")
    value = numerator / denominator if denominator else float("inf")
    if (low is not None and value < low) or (high is not None and value > high):
        yield Problem(
            ("stages",),
            {
                "numerator": numerator,
                "denominator": denominator,
                "ratio": round(value, 2) if denominator else "unbounded",
                "min": low,
                "max": high,
            },
            at_key=True,
        )
