"""The facts a funnel's documentation page shows, collected from a spec.

Templates receive these objects and only format them, so the Markdown and
the HTML page of a funnel can never disagree about a number.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from funnelspec.findings import Finding
from funnelspec.graph import LOST, WON, FunnelGraph
from funnelspec.spec.loader import Document
from funnelspec.spec.model import Segment, Spec, Stage
from funnelspec.spec.units import StageDuration

#: Name that pages give the ruleset of a spec that no configuration file covers.
BUILTIN_CONFIGURATION = "the built-in recommended ruleset"

#: Display names of stage owners and buyer roles.
OWNER_LABELS = {
    "marketing": "Marketing",
    "sales": "Sales",
    "partner": "Partner",
    "customer_success": "Customer success",
}


def role_label(role: str) -> str:
    """Return a buyer role as words: ``decision_maker`` becomes decision maker."""
    return role.replace("_", " ")


def format_rate(rate: float | None) -> str:
    """Format a share as a percentage with at most one decimal, or an empty string."""
    if rate is None:
        return ""
    percent = rate * 100
    text = f"{percent:.1f}".removesuffix(".0")
    return f"{text}%"


def format_count(value: float) -> str:
    """Format a count with thousands separators and one decimal below 100."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def format_stage_duration(duration: StageDuration | None) -> str:
    """Format a stage duration as written in the spec: median, p90 or fixed."""
    if duration is None:
        return ""
    if duration.fixed:
        return f"{duration.median.text} (fixed)"
    if duration.p90 is not None:
        return f"{duration.median.text} (p90 {duration.p90.text})"
    return duration.median.text


@dataclass(frozen=True)
class SegmentRow:
    """One target segment as the overview shows it."""

    name: str
    industry: str
    size: str
    regions: str


@dataclass(frozen=True)
class StageRow:
    """One stage as the stage table and the flowchart show it."""

    index: int
    id: str
    name: str
    owner: str
    owner_label: str
    key_outcome: str
    exit_criteria: list[str]
    conversion: str
    duration: str
    engages: list[str]
    nurture: bool


@dataclass(frozen=True)
class Edge:
    """A transition between two stages, or from a stage to won."""

    source: str
    target: str
    #: The stated probability as a percentage; empty when the spec has none.
    label: str
    #: Ownership passes from marketing to sales on this edge.
    handoff: bool


@dataclass
class FunnelPage:
    """Everything a funnel's documentation page shows."""

    file: str
    slug: str
    title: str
    findings: list[Finding]
    spec: Spec | None = None
    description: str = ""
    overview: list[tuple[str, str]] = field(default_factory=list)
    segments: list[SegmentRow] = field(default_factory=list)
    stages: list[StageRow] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    #: Configuration file the spec was linted with, as the page shows it;
    #: None for the built-in recommended ruleset.
    config_file: str | None = None

    @property
    def configuration(self) -> str:
        """The configuration the findings come from, worded for a sentence."""
        if self.config_file is None:
            return BUILTIN_CONFIGURATION
        return f"the configuration in {self.config_file}"

    @property
    def has_handoff(self) -> bool:
        """Whether an edge passes ownership from marketing to sales."""
        return any(edge.handoff for edge in self.edges)

    @property
    def counts(self) -> dict[str, int]:
        """Count findings per severity label, most severe first."""
        counts = {"error": 0, "warning": 0, "info": 0}
        for finding in self.findings:
            counts[finding.severity.label] += 1
        return counts


def slugify(text: str) -> str:
    """Turn a file stem into a lowercase name of letters, digits and hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "funnel"


def display_path(path: str) -> str:
    """Return path relative to the working directory when it lies inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)
    return path if outside else relative


def build_page(
    document: Document,
    spec: Spec | None,
    findings: list[Finding],
    slug: str,
    config_file: str | None = None,
) -> FunnelPage:
    """Collect the page of one spec; without a valid spec only findings are shown.

    ``config_file`` is the configuration the findings come from, or None for
    the built-in recommended ruleset.
    """
    shown_config = display_path(config_file) if config_file else None
    if spec is None:
        return FunnelPage(
            file=document.file,
            slug=slug,
            title=document.file,
            findings=findings,
            config_file=shown_config,
        )
    graph = FunnelGraph(spec)
    return FunnelPage(
        file=document.file,
        slug=slug,
        title=spec.name,
        findings=findings,
        config_file=shown_config,
        spec=spec,
        description=spec.description or "",
        overview=overview_rows(spec),
        segments=[
            segment_row(segment, spec.currency) for segment in spec.segments or []
        ],
        stages=[stage_row(index, stage) for index, stage in enumerate(spec.stages)],
        edges=funnel_edges(graph),
    )


def overview_rows(spec: Spec) -> list[tuple[str, str]]:
    """Return the funnel-level facts as (label, value) pairs; unstated shows so."""
    not_stated = "not stated"
    rows = [
        ("Motion", spec.motion.upper()),
        ("Kind", spec.kind),
        ("Conversion period", _text(spec.conversion_period, not_stated)),
        ("Follow-up SLA", _text(spec.follow_up_sla, not_stated)),
        ("Inflow", _text(spec.inflow, not_stated)),
    ]
    if spec.deal_value is not None:
        currency = f" {spec.currency}" if spec.currency else ""
        rows.append(("Average deal value", f"{spec.deal_value:,.0f}{currency}"))
    rows.append(("Stages", str(len(spec.stages))))
    return rows


def _text(value: object | None, default: str) -> str:
    return default if value is None else str(value)


def segment_row(segment: Segment, currency: str | None) -> SegmentRow:
    """Describe a segment's size threshold and regions in words."""
    unit = f" {currency}" if currency else ""
    size: list[str] = []
    if segment.min_annual_revenue is not None:
        size.append(f"annual revenue at least {segment.min_annual_revenue:,.0f}{unit}")
    if segment.max_annual_revenue is not None:
        size.append(f"annual revenue at most {segment.max_annual_revenue:,.0f}{unit}")
    if segment.min_employees is not None:
        size.append(f"at least {segment.min_employees:,} employees")
    if segment.max_employees is not None:
        size.append(f"at most {segment.max_employees:,} employees")
    return SegmentRow(
        name=segment.name,
        industry=segment.industry or "",
        size="; ".join(size),
        regions=", ".join(segment.regions),
    )


def stage_row(index: int, stage: Stage) -> StageRow:
    """Describe one stage for the stage table."""
    criteria = stage.exit_criteria
    if criteria is None:
        exit_criteria = []
    elif isinstance(criteria, str):
        exit_criteria = [criteria]
    else:
        exit_criteria = list(criteria)
    if stage.next is not None:
        conversion = ", ".join(
            f"{target} {format_rate(rate)}" for target, rate in stage.next.items()
        )
    else:
        conversion = format_rate(stage.conversion)
    owner = stage.owner or ""
    return StageRow(
        index=index,
        id=stage.id,
        name=stage.label,
        owner=owner,
        owner_label=OWNER_LABELS.get(owner, ""),
        key_outcome=stage.key_outcome or "",
        exit_criteria=exit_criteria,
        conversion=conversion,
        duration=format_stage_duration(stage.duration),
        engages=[role_label(role) for role in stage.engages],
        nurture=stage.nurture,
    )


def funnel_edges(graph: FunnelGraph) -> list[Edge]:
    """List every edge except those to lost, in spec order of their source.

    An edge is the handoff when it goes from a marketing-owned stage that is
    not a nurture stage to a sales-owned stage.
    """
    edges: list[Edge] = []
    for source, stage in graph.stages.items():
        # A nurture stage that returns opportunities to sales is a recycling
        # loop, not the handoff.
        from_marketing = stage.owner == "marketing" and not stage.nurture
        for target in graph.successors(source):
            if target == LOST:
                continue
            target_owner = None if target == WON else graph.stages[target].owner
            edges.append(
                Edge(
                    source=source,
                    target=target,
                    label=format_rate(graph.probability(source, target)),
                    handoff=from_marketing and target_owner == "sales",
                )
            )
    return edges
