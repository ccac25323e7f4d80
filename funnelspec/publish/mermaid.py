"""Mermaid flowchart text of a funnel, for Markdown pages that GitHub renders.

Node ids are generated (``s0``, ``s1``, ``won``) so that no stage id can
collide with Mermaid keywords such as ``end``. Labels are quoted, and the
characters that Mermaid or HTML would interpret are written as Mermaid
entity codes (``#quot;``, ``#lt;``), which Mermaid turns back into the
characters when it draws the chart.
"""

from __future__ import annotations

from funnelspec.graph import WON
from funnelspec.publish.pages import Edge, FunnelPage, StageRow

#: Characters written as Mermaid entity codes inside a quoted label. ``#``
#: comes first because every replacement introduces one.
_ENTITIES = (
    ("#", "#35;"),
    ('"', "#quot;"),
    ("&", "#amp;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("|", "#124;"),
    ("`", "#96;"),
)

#: Fill and stroke of a stage box, by owner.
OWNER_STYLES = {
    "marketing": "fill:#e3efff,stroke:#1f5fbf,color:#0b2545",
    "sales": "fill:#e5f6e8,stroke:#23803a,color:#0f3016",
    "partner": "fill:#fff4dc,stroke:#a86b00,color:#3d2700",
    "customer_success": "fill:#f3e8ff,stroke:#7a3db8,color:#2d1046",
    "none": "fill:#f2f2f2,stroke:#6b6b6b,color:#1f1f1f",
}
WON_STYLE = "fill:#23803a,stroke:#0f3016,color:#ffffff"


def escape_label(text: str) -> str:
    """Make text safe inside a quoted Mermaid label: one line, entity codes."""
    text = " ".join(text.split())
    for character, entity in _ENTITIES:
        text = text.replace(character, entity)
    return text


def node_ids(page: FunnelPage) -> dict[str, str]:
    """Map each stage id, and won, to its Mermaid node id.

    A duplicated stage id maps to its first stage, as in the funnel graph.
    """
    ids: dict[str, str] = {}
    for stage in page.stages:
        ids.setdefault(stage.id, f"s{stage.index}")
    ids[WON] = "won"
    return ids


def stage_label(stage: StageRow) -> str:
    owner = stage.owner_label or "no owner"
    extra = f"<br/>{owner}"
    if stage.nurture:
        extra += " (nurture)"
    return f'"{escape_label(stage.name)}{extra}"'


def edge_line(edge: Edge, ids: dict[str, str]) -> str:
    label = edge.label or "rate not stated"
    if edge.handoff:
        label = f"handoff to sales: {label}"
    arrow = "==>" if edge.handoff else "-->"
    return f'    {ids[edge.source]} {arrow}|"{escape_label(label)}"| {ids[edge.target]}'


def flowchart(page: FunnelPage) -> str:
    """Return the Mermaid ``flowchart TD`` text of a funnel's stages.

    Boxes are filled by owner; a thick arrow marks the marketing-to-sales
    handoff. Edges to lost are left out, so each stage loses the share its
    arrows do not carry.
    """
    ids = node_ids(page)
    seen: set[str] = set()
    lines = ["flowchart TD"]
    for stage in page.stages:
        if stage.id in seen:
            continue
        seen.add(stage.id)
        lines.append(f"    {ids[stage.id]}[{stage_label(stage)}]")
    lines.append('    won(["won"])')
    lines.extend(edge_line(edge, ids) for edge in page.edges)
    owners = sorted({stage.owner or "none" for stage in page.stages})
    for owner in owners:
        lines.append(f"    classDef {owner} {OWNER_STYLES[owner]}")
    lines.append(f"    classDef terminal {WON_STYLE}")
    for owner in owners:
        members = [
            ids[stage.id]
            for stage in page.stages
            if (stage.owner or "none") == owner and ids[stage.id] == f"s{stage.index}"
        ]
        lines.append(f"    class {','.join(members)} {owner}")
    lines.append("    class won terminal")
    return "\n".join(lines)
