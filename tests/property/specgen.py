"""Hypothesis strategies for valid spec files, written in many YAML styles.

A generated spec is valid format v1 (lint may still report rule findings).
Its text varies what a formatter must keep or normalise: key order,
comments at the end of lines and on their own lines, blank lines, quoting,
flow and block collections, percentages and indentation widths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

OWNERS = ["marketing", "sales", "partner", "customer_success"]
ROLES = ["influencer", "decision_maker", "champion", "procurement"]
UNITS = ["hours", "days", "weeks", "months"]
WORDS = ["Demo", "trial", "signed", "budget", "call", "Qualified", "a: b", "x # y"]


@dataclass
class Style:
    """How one generated spec is written."""

    indent: int  # spaces per nesting level of mappings
    sequence_offset: int  # spaces from a key to the "- " of its sequence
    comments: list[str] = field(default_factory=list)
    draw: Any = None

    def comment(self) -> str:
        text = self.draw(st.sampled_from(["", "", "# note", "# rate: 35%", "#x"]))
        if text:
            self.comments.append(text)
        return text


def _scalar(draw: Any, value: Any) -> str:
    if isinstance(value, str):
        plain_safe = not any(c in value for c in ":#'\"") and value.strip() == value
        choices = ["single", "double"] + (["plain"] if plain_safe else [])
        quoting = draw(st.sampled_from(choices))
        if quoting == "plain":
            return value
        if quoting == "single":
            return "'" + value.replace("'", "''") + "'"
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _flow(draw: Any, value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {_flow(draw, v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(draw, v) for v in value) + "]"
    return _scalar(draw, value)


def _render(draw: Any, value: Any, column: int, style: Style) -> list[str]:
    """Return the lines of a block collection whose entries start at column."""
    pad = " " * column
    lines: list[str] = []
    if isinstance(value, dict):
        for key in draw(st.permutations(list(value))):
            if draw(st.booleans()) and draw(st.booleans()):
                text = style.comment()
                if text:
                    lines.append(pad + text)
            lines += _entry(draw, key, value[key], column, style)
        return lines
    for item in value:
        if isinstance(item, dict):
            body = _render(draw, item, column + 2, style)
            lines.append(pad + "- " + body[0].lstrip(" "))
            lines += body[1:]
        else:
            lines.append(pad + "- " + _scalar(draw, item))
    return lines


def _entry(draw: Any, key: str, value: Any, column: int, style: Style) -> list[str]:
    head = " " * column + key + ":"
    eol = style.comment()
    suffix = "  " + eol if eol else ""
    nested = isinstance(value, dict | list)
    if nested and (not value or draw(st.booleans())):
        return [head + " " + _flow(draw, value) + suffix]
    if isinstance(value, dict):
        return [head + suffix, *_render(draw, value, column + style.indent, style)]
    if nested:
        inner = column + style.sequence_offset
        return [head + suffix, *_render(draw, value, inner, style)]
    return [head + " " + _scalar(draw, value) + suffix]


@st.composite
def stage_lists(draw: Any, round_rates: bool = False) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 7))
    stages = []
    for index in range(count):
        stage: dict[str, Any] = {"id": f"s{index}"}
        if draw(st.booleans()):
            stage["name"] = draw(st.sampled_from(WORDS))
        stage["owner"] = draw(st.sampled_from(OWNERS))
        stage["key_outcome"] = draw(st.sampled_from(WORDS))
        if draw(st.booleans()):
            stage["conversion"] = draw(_rates())
        else:
            targets = [f"s{later}" for later in range(index + 1, count)] + ["won"]
            chosen = draw(st.lists(st.sampled_from(targets), min_size=1, unique=True))
            stage["next"] = {
                target: _share(draw(st.floats(0, 1 / len(chosen))), round_rates)
                for target in chosen
            }
        stage["duration"] = draw(_stage_durations())
        stage["engages"] = draw(st.lists(st.sampled_from(ROLES), unique=True))
        stages.append(stage)
    return stages


def _share(rate: float, rounded: bool) -> float:
    # Rounding down keeps the sum of a stage's rates at most 1.
    return int(rate * 10_000) / 10_000 if rounded else rate


def _rates() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.floats(0, 1).map(lambda rate: round(rate, 3)),
        st.integers(0, 100).map(lambda percent: f"{percent}%"),
    )


def _durations() -> st.SearchStrategy[str]:
    return st.builds(
        lambda number, unit: f"{number} {unit}",
        st.integers(1, 30),
        st.sampled_from(UNITS),
    )


def _stage_durations() -> st.SearchStrategy[Any]:
    mapping = st.builds(
        lambda median: {"median": f"{median} days", "p90": f"{median * 3} days"},
        st.integers(1, 20),
    )
    return st.one_of(_durations(), mapping)


@st.composite
def spec_data(draw: Any, round_rates: bool = False) -> dict[str, Any]:
    """Draw the data of a valid spec.

    Without round_rates, next maps hold any float from 0 up, subnormal ones
    such as 5e-324 included; with it, rates have at most four decimals.
    """
    spec: dict[str, Any] = {
        "funnelspec": 1,
        "name": draw(st.sampled_from(["Funnel", "Direct sales: EMEA", "x"])),
        "motion": draw(st.sampled_from(["b2b", "b2c"])),
    }
    if draw(st.booleans()):
        spec["kind"] = draw(st.sampled_from(["sales", "marketing"]))
    if draw(st.booleans()):
        spec["conversion_period"] = draw(_durations())
    if draw(st.booleans()):
        spec["inflow"] = f"{draw(st.integers(1, 5000))} per month"
    if draw(st.booleans()):
        spec["segments"] = [
            {"name": "Heavy machinery", "regions": ["East China", "North China"]}
        ]
    spec["stages"] = draw(stage_lists(round_rates))
    return spec


@dataclass
class SpecText:
    """A generated spec: its data, its text, and the comments in the text."""

    data: dict[str, Any]
    text: str
    comments: list[str]


@st.composite
def spec_texts(
    draw: Any, data_strategy: st.SearchStrategy[dict[str, Any]] | None = None
) -> SpecText:
    """Draw a spec in a random style, from data_strategy or else a valid one."""
    data = draw(data_strategy if data_strategy is not None else spec_data())
    indent = draw(st.sampled_from([2, 4]))
    offset = draw(st.sampled_from([0, indent]))
    style = Style(indent=indent, sequence_offset=offset, draw=draw)
    lines = []
    header = style.comment()
    if header:
        lines.append(header)
    for key in draw(st.permutations(list(data))):
        if draw(st.integers(0, 3)) == 0:
            lines.append("")
        lines += _entry(draw, key, data[key], 0, style)
    return SpecText(data, "\n".join(lines) + "\n", style.comments)
