"""A strict parser of the Mermaid flowchart subset that funnelspec emits.

It rejects anything outside that subset, so a test that parses a generated
chart fails on a malformed line instead of trusting that Mermaid would cope.
Rendering with the Mermaid CLI, where installed, is tested separately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ID = r"[A-Za-z][A-Za-z0-9_]*"
_LABEL = r'"(?P<label>[^"]*)"'
_ROUND_LABEL = r'"(?P<round>[^"]*)"'
_NODE = re.compile(rf"^(?P<id>{_ID})(?:\[{_LABEL}\]|\(\[{_ROUND_LABEL}\]\))$")
_EDGE = re.compile(
    rf'^(?P<source>{_ID}) (?P<arrow>-->|==>)\|"(?P<label>[^"|]*)"\| (?P<target>{_ID})$'
)
_STYLE = r"[a-z-]+:#[0-9a-f]{6}"
_CLASS_DEF = re.compile(
    rf"^classDef (?P<name>[a-z_]+) (?P<style>{_STYLE}(,{_STYLE})*)$"
)
_CLASS = re.compile(rf"^class (?P<members>{_ID}(,{_ID})*) (?P<name>[a-z_]+)$")
_ENTITY = re.compile(r"#(?:[a-z]+|[0-9]+);")
_NAMED = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}


class MermaidSyntaxError(ValueError):
    """A line outside the subset, with its number."""


@dataclass(frozen=True)
class ParsedEdge:
    source: str
    target: str
    label: str
    thick: bool


@dataclass
class Flowchart:
    direction: str
    nodes: dict[str, str] = field(default_factory=dict)
    edges: list[ParsedEdge] = field(default_factory=list)
    classes: dict[str, str] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)


def decode_label(text: str, line: int) -> str:
    """Check entity codes and markup in a label, and decode it to plain text."""
    without_breaks = text.replace("<br/>", "\n")
    if re.search(r"[<>]", without_breaks):
        raise MermaidSyntaxError(f"line {line}: raw < or > in label {text!r}")
    position = 0
    decoded = ""
    for match in re.finditer(r"#", without_breaks):
        if match.start() < position:
            continue
        entity = _ENTITY.match(without_breaks, match.start())
        if entity is None:
            raise MermaidSyntaxError(f"line {line}: bare # in label {text!r}")
        decoded += without_breaks[position : match.start()]
        name = entity.group(0)[1:-1]
        decoded += chr(int(name)) if name.isdigit() else _NAMED[name]
        position = entity.end()
    decoded += without_breaks[position:]
    return decoded


def parse_flowchart(text: str) -> Flowchart:
    """Parse the subset; raise MermaidSyntaxError on the first invalid line."""
    lines = text.splitlines()
    if not lines or lines[0] not in ("flowchart TD", "flowchart LR"):
        raise MermaidSyntaxError("line 1: expected 'flowchart TD' or 'flowchart LR'")
    chart = Flowchart(direction=lines[0].split()[1])
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if not raw.startswith("    ") or not line:
            raise MermaidSyntaxError(f"line {number}: expected a 4-space indent")
        if node := _NODE.match(line):
            if node["id"] in chart.nodes:
                raise MermaidSyntaxError(f"line {number}: node {node['id']} twice")
            label = node["label"] if node["label"] is not None else node["round"]
            chart.nodes[node["id"]] = decode_label(label, number)
        elif edge := _EDGE.match(line):
            for end in (edge["source"], edge["target"]):
                if end not in chart.nodes:
                    raise MermaidSyntaxError(f"line {number}: undeclared node {end}")
            chart.edges.append(
                ParsedEdge(
                    edge["source"],
                    edge["target"],
                    decode_label(edge["label"], number),
                    edge["arrow"] == "==>",
                )
            )
        elif class_def := _CLASS_DEF.match(line):
            chart.classes[class_def["name"]] = class_def["style"]
        elif assignment := _CLASS.match(line):
            if assignment["name"] not in chart.classes:
                raise MermaidSyntaxError(
                    f"line {number}: class {assignment['name']} is not defined"
                )
            for member in assignment["members"].split(","):
                if member not in chart.nodes:
                    raise MermaidSyntaxError(f"line {number}: undeclared node {member}")
                chart.members[member] = assignment["name"]
        else:
            raise MermaidSyntaxError(f"line {number}: not in the subset: {line!r}")
    return chart
