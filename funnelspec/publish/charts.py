"""Charts drawn with matplotlib: the stage flowchart, the funnel, time to close.

Every chart is an SVG string with the fonts drawn as paths, so it shows the
same on a machine without those fonts. The SVG carries no date and uses a
fixed salt for its element ids, so the same input gives the same bytes with
the same matplotlib version. matplotlib is imported inside the functions that
draw; pyplot is never used, so no global figure state or GUI backend is
involved.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from funnelspec.graph import WON
from funnelspec.publish.pages import Edge, FunnelPage, StageRow

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Box fill and edge colours by owner; the same hues as the Mermaid chart.
OWNER_COLORS = {
    "marketing": ("#e3efff", "#1f5fbf"),
    "sales": ("#e5f6e8", "#23803a"),
    "partner": ("#fff4dc", "#a86b00"),
    "customer_success": ("#f3e8ff", "#7a3db8"),
    "": ("#f2f2f2", "#6b6b6b"),
}
WON_COLORS = ("#23803a", "#0f3016")
HANDOFF_COLOR = "#c2410c"
EDGE_COLOR = "#404040"
TEXT_COLOR = "#1f1f1f"

#: matplotlib settings of every chart.
_RC: dict[Any, Any] = {
    "svg.hashsalt": "funnelspec",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": "#6b6b6b",
    "axes.labelcolor": TEXT_COLOR,
    "xtick.color": TEXT_COLOR,
    "ytick.color": TEXT_COLOR,
}

# Flowchart geometry in data units: box size and the distance between box centres.
_BOX_WIDTH = 4.4
_BOX_HEIGHT = 1.0
_STEP = 1.75
_INCHES_PER_UNIT = 0.62


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(_RC):
        yield


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def figure_svg(figure: Figure) -> str:
    """Return the figure as SVG text without a date or a tool version in it."""
    buffer = io.BytesIO()
    figure.savefig(
        buffer,
        format="svg",
        metadata={"Date": None, "Creator": "funnelspec"},
    )
    return buffer.getvalue().decode("utf-8")


def svg_data_uri(svg: str) -> str:
    """Return SVG text as a base64 ``data:`` URI for an ``<img>`` element."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def flowchart_svg(page: FunnelPage) -> str:
    """Draw the stages top to bottom with their transitions, as SVG text.

    Arrows between neighbouring stages are straight. Arrows that skip stages
    curve on the right, arrows back to an earlier stage on the left. The
    marketing-to-sales handoff is drawn thick and orange, and the legend has
    a handoff entry only when the funnel has one. Edges to lost are left
    out, as in the Mermaid chart.
    """
    stages = _unique_stages(page.stages)
    rows = {stage.id: position for position, stage in enumerate(stages)}
    rows[WON] = len(stages)
    with _style():
        height = (len(stages) + 1) * _STEP + 1.1
        figure = _figure(12.8 * _INCHES_PER_UNIT, height * _INCHES_PER_UNIT)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_xlim(-6.4, 6.4)
        axes.set_ylim(-(len(stages) * _STEP) - _BOX_HEIGHT / 2 - 0.5, 1.1)
        axes.set_axis_off()
        for stage in stages:
            _draw_stage(axes, stage, -rows[stage.id] * _STEP)
        _draw_won(axes, -len(stages) * _STEP)
        for edge in page.edges:
            _draw_edge(axes, edge, rows)
        _draw_legend(axes, stages, page.has_handoff)
        return figure_svg(figure)


def _unique_stages(stages: Sequence[StageRow]) -> list[StageRow]:
    seen: set[str] = set()
    unique: list[StageRow] = []
    for stage in stages:
        if stage.id not in seen:
            seen.add(stage.id)
            unique.append(stage)
    return unique


def _box(axes: Axes, y: float, fill: str, edge: str) -> None:
    from matplotlib.patches import FancyBboxPatch

    axes.add_patch(
        FancyBboxPatch(
            (-_BOX_WIDTH / 2, y - _BOX_HEIGHT / 2),
            _BOX_WIDTH,
            _BOX_HEIGHT,
            boxstyle="round,pad=0,rounding_size=0.15",
            facecolor=fill,
            edgecolor=edge,
            linewidth=1.2,
        )
    )


def _draw_stage(axes: Axes, stage: StageRow, y: float) -> None:
    fill, edge = OWNER_COLORS.get(stage.owner, OWNER_COLORS[""])
    _box(axes, y, fill, edge)
    lines = textwrap.wrap(stage.name, width=34, max_lines=2, placeholder="…")
    details = stage.owner_label or "no owner"
    if stage.duration:
        details += f" · {stage.duration}"
    if stage.nurture:
        details += " · nurture"
    axes.text(
        0,
        y + 0.12,
        "\n".join(lines),
        ha="center",
        va="center",
        fontsize=9.5,
        fontweight="bold",
        color=TEXT_COLOR,
        parse_math=False,
        linespacing=1.1,
    )
    axes.text(
        0,
        y - 0.33,
        textwrap.shorten(details, width=56, placeholder="…"),
        ha="center",
        va="center",
        fontsize=8,
        color="#404040",
        parse_math=False,
    )


def _draw_won(axes: Axes, y: float) -> None:
    _box(axes, y, *WON_COLORS)
    axes.text(
        0, y, "won", ha="center", va="center", fontsize=10, color="#ffffff"
    ).set_fontweight("bold")


def _draw_edge(axes: Axes, edge: Edge, rows: dict[str, int]) -> None:
    from matplotlib.patches import FancyArrowPatch

    source, target = rows[edge.source], rows[edge.target]
    label = edge.label or "rate not stated"
    color = HANDOFF_COLOR if edge.handoff else EDGE_COLOR
    if edge.handoff:
        label += " · handoff to sales"
    top = -source * _STEP
    bottom = -target * _STEP
    if target == source + 1:
        start = (0.0, top - _BOX_HEIGHT / 2)
        end = (0.0, bottom + _BOX_HEIGHT / 2)
        rad = 0.0
        label_at = (0.15, (start[1] + end[1]) / 2)
        align = "left"
    else:
        side = 1.0 if target > source else -1.0
        offset = 0.25 if target == source else 0.0
        start = (side * _BOX_WIDTH / 2, top - offset)
        end = (side * _BOX_WIDTH / 2, bottom + offset)
        span = max(abs(target - source), 1)
        rad = -min(0.35, 0.9 / span) if target != source else -1.6
        bulge = -rad * abs(end[1] - start[1]) / 2 if target != source else 0.45
        label_at = (side * (_BOX_WIDTH / 2 + bulge + 0.08), (start[1] + end[1]) / 2)
        align = "left" if side > 0 else "right"
    axes.add_patch(
        FancyArrowPatch(
            start,
            end,
            connectionstyle=f"arc3,rad={rad}",
            arrowstyle="-|>",
            mutation_scale=12,
            linewidth=2.6 if edge.handoff else 1.2,
            color=color,
            shrinkA=0,
            shrinkB=0,
        )
    )
    axes.text(
        *label_at,
        label,
        ha=align,
        va="center",
        fontsize=8,
        color=color,
        parse_math=False,
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
    )


def _draw_legend(axes: Axes, stages: Sequence[StageRow], handoff: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    owners = sorted({stage.owner for stage in stages})
    handles: list[Any] = [
        Patch(
            facecolor=OWNER_COLORS.get(owner, OWNER_COLORS[""])[0],
            edgecolor=OWNER_COLORS.get(owner, OWNER_COLORS[""])[1],
            label=owner.replace("_", " ") or "no owner",
        )
        for owner in owners
    ]
    if handoff:
        handles.append(
            Line2D([], [], color=HANDOFF_COLOR, linewidth=2.6, label="handoff")
        )
    axes.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=len(handles),
        frameon=False,
        fontsize=8,
    )


def funnel_svg(
    labels: Sequence[str], volumes: Sequence[float], owners: Sequence[str], unit: str
) -> str:
    """Draw centred horizontal bars, one per stage and won, widths by volume.

    ``unit`` names what the volumes count, for example "opportunities per
    month". Each bar is labelled with its volume and its share of the first.
    """
    count = len(labels)
    with _style():
        figure = _figure(7.2, 0.5 * count + 1.0)
        axes = figure.add_axes((0.3, 0.12, 0.66, 0.84))
        peak = max([*volumes, 1e-9])
        first = volumes[0] if volumes and volumes[0] > 0 else peak
        for row, (volume, owner) in enumerate(zip(volumes, owners, strict=True)):
            fill, edge = OWNER_COLORS.get(owner, OWNER_COLORS[""])
            if owner == WON:
                fill, edge = WON_COLORS
            axes.barh(
                row,
                volume,
                left=-volume / 2,
                height=0.78,
                color=fill,
                edgecolor=edge,
                linewidth=1,
            )
            share = volume / first if first else 0.0
            axes.text(
                peak / 2 + peak * 0.02,
                row,
                f"{_number(volume)} ({share:.1%})",
                va="center",
                ha="left",
                fontsize=8,
                color=TEXT_COLOR,
                parse_math=False,
            )
        axes.set_yticks(
            range(count),
            [textwrap.shorten(label, 30, placeholder="…") for label in labels],
        )
        for tick in axes.get_yticklabels():
            tick.set_parse_math(False)
        axes.invert_yaxis()
        axes.set_xlim(-peak / 2 * 1.02, peak / 2 * 1.5)
        axes.set_xticks([])
        axes.set_xlabel(unit)
        for side in ("top", "right", "bottom"):
            axes.spines[side].set_visible(False)
        return figure_svg(figure)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def histogram_svg(
    days: Sequence[float], period_days: float | None, period_text: str
) -> str:
    """Draw a histogram of time to close in months, with the conversion period.

    ``days`` are the times from funnel entry to won of simulated won
    opportunities. The axis ends at the 99.5th percentile or at 1.1 times the
    conversion period, whichever is later, and the last bar also counts every
    longer time. The dashed line marks the conversion period when the spec
    states one.
    """
    import numpy as np

    months = np.asarray(days, dtype=float) / 30.44
    with _style():
        figure = _figure(7.2, 3.4)
        axes = figure.add_axes((0.1, 0.16, 0.86, 0.76))
        if months.size:
            upper = float(np.quantile(months, 0.995))
            if period_days is not None:
                upper = max(upper, period_days / 30.44 * 1.1)
            upper = max(upper, 0.5)
            bins = np.linspace(0.0, math.ceil(upper * 4) / 4, 41)
            clipped = np.clip(months, 0.0, bins[-1])
            axes.hist(clipped, bins=bins.tolist(), color="#7aa6d8", edgecolor="#1f5fbf")
        if period_days is not None:
            axes.axvline(
                period_days / 30.44,
                color=HANDOFF_COLOR,
                linestyle="--",
                linewidth=1.6,
                label=f"conversion period ({period_text})",
            )
            axes.legend(frameon=False, fontsize=8, loc="upper right")
        axes.set_xlabel("months from funnel entry to won")
        axes.set_ylabel("won opportunities (simulated)")
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        return figure_svg(figure)
