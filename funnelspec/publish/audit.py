"""The audit report for a client: findings by theme, scorecard, simulation, actions."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from funnelspec import __version__
from funnelspec.errors import UsageError
from funnelspec.findings import Finding, Severity
from funnelspec.lint import read_document
from funnelspec.publish import mermaid
from funnelspec.publish.output import write_file
from funnelspec.publish.pages import (
    FunnelPage,
    build_page,
    format_count,
    format_rate,
    slugify,
)
from funnelspec.publish.render import render_template
from funnelspec.publish.scorecard import Criterion, Scorecard, build_scorecard
from funnelspec.rules.engine import Rule, builtin_ruleset, lint_document
from funnelspec.simulate import DEFAULT_OPPORTUNITIES, DEFAULT_SEED, SimulationResult
from funnelspec.spec.model import Spec
from funnelspec.spec.parse import parse_document
from funnelspec.spec.units import DAYS_PER_MONTH

logger = logging.getLogger("funnelspec.publish")

FORMATS = ("html", "md")
#: Share of won deals that should close within the conversion period before
#: the report recommends shortening stages.
WITHIN_PERIOD_TARGET = 0.8

#: Themes in report order: rule code prefix, title and what the theme covers.
THEMES = (
    ("FS2", "Stage design", "How the funnel is cut into stages and who owns them."),
    (
        "FS3",
        "Timing and follow-up",
        "The conversion period and how fast buyer signals are followed up.",
    ),
    ("FS4", "Numbers", "Whether every stage's conversion is stated and plausible."),
    ("FS5", "Segmentation", "Whether the funnel aims at concrete target segments."),
    (
        "FS6",
        "Stakeholders",
        "Whether the influencer and the decision maker are both worked.",
    ),
    ("FS1", "Funnel graph", "Whether every stage is reachable and leads to won."),
    ("FS0", "File and format", "Whether the file is a valid spec."),
)


@dataclass(frozen=True)
class RuleFindings:
    """A rule with the findings it produced in the audited spec."""

    rule: Rule
    findings: list[Finding]


@dataclass(frozen=True)
class Theme:
    """Findings of one theme grouped by rule, and the rules that passed."""

    title: str
    description: str
    failed: list[RuleFindings]
    passed: list[Rule]

    @property
    def count(self) -> int:
        return sum(len(group.findings) for group in self.failed)


@dataclass(frozen=True)
class Recommendation:
    """One prioritised action with the reason and the expected effect."""

    title: str
    action: str
    effect: str


@dataclass
class Simulation:
    """Simulation results and the chart data the report shows."""

    result: SimulationResult
    won_days: list[float]
    opportunities: int
    seed: int


@dataclass
class AuditReport:
    """Everything the audit report shows for one spec."""

    page: FunnelPage
    spec: Spec
    themes: list[Theme]
    scorecard: Scorecard
    simulation: Simulation | None
    simulation_error: str
    recommendations: list[Recommendation]
    charts: dict[str, str] = field(default_factory=dict)


def group_findings(findings: list[Finding], spec: Spec) -> list[Theme]:
    """Group findings by theme and rule, in the report's theme order.

    Rules without findings are listed as passed when they apply to the spec's
    motion and kind.
    """
    ruleset = builtin_ruleset()
    spec_fields = {"motion": spec.motion, "kind": spec.kind}
    themes: list[Theme] = []
    for prefix, title, description in THEMES:
        failed: list[RuleFindings] = []
        passed: list[Rule] = []
        for code, rule in ruleset.rules.items():
            if not code.startswith(prefix) or not ruleset.is_active(code):
                continue
            matching = [finding for finding in findings if finding.code == code]
            if matching:
                failed.append(RuleFindings(rule, matching))
            elif rule.applies_to(spec_fields):
                passed.append(rule)
        themes.append(Theme(title, description, failed, passed))
    known = {
        code
        for prefix, _, _ in THEMES
        for code in ruleset.rules
        if code.startswith(prefix)
    }
    others = [finding for finding in findings if finding.code not in known]
    if others:
        groups: dict[str, list[Finding]] = {}
        for finding in others:
            groups.setdefault(finding.code, []).append(finding)
        failed = [
            RuleFindings(_rule_of(code, items[0]), items)
            for code, items in groups.items()
        ]
        themes.append(
            Theme("Other rules", "Rules outside the built-in themes.", failed, [])
        )
    return themes


def _rule_of(code: str, finding: Finding) -> Rule:
    return Rule(
        code=code,
        name=finding.name,
        severity=finding.severity,
        summary="",
        check=None,
        message="",
        fix=finding.fix,
    )


def run_simulation(spec: Spec, opportunities: int, seed: int) -> Simulation:
    """Simulate the funnel and sample the times to close for the histogram."""
    from funnelspec.simulate import simulate
    from funnelspec.simulate.model import build_chain, build_durations
    from funnelspec.simulate.montecarlo import sample

    result = simulate(spec, method="both", opportunities=opportunities, seed=seed)
    # TODO: SimulationResult keeps percentiles of the time to close but not the
    # sampled times, so the histogram comes from a second Monte Carlo run with
    # the same seed and size (about 15 ms per 100,000 opportunities).
    chain = build_chain(spec)
    durations = build_durations(spec, chain.stage_ids)
    samples = sample(chain, durations, opportunities, seed)
    won_days = samples.won_times().tolist() if result.time_to_close else []
    return Simulation(result, won_days, opportunities, seed)


def build_audit(path: str, opportunities: int, seed: int) -> AuditReport:
    """Read, lint, score and simulate one spec for the audit report.

    Raises UsageError when the file is not a valid spec, because there is no
    funnel to score or simulate.
    """
    document = read_document(path)
    findings = lint_document(document)
    spec = parse_document(document)
    if spec is None:
        raise UsageError(_invalid_spec_message(document.file, findings))
    page = build_page(document, spec, findings, slugify(Path(document.file).stem))
    scorecard = build_scorecard(spec, findings)
    simulation: Simulation | None = None
    simulation_error = ""
    try:
        simulation = run_simulation(spec, opportunities, seed)
    except UsageError as exc:
        simulation_error = exc.format_message()
    return AuditReport(
        page=page,
        spec=spec,
        themes=group_findings(findings, spec),
        scorecard=scorecard,
        simulation=simulation,
        simulation_error=simulation_error,
        recommendations=recommend(
            findings, scorecard, simulation, simulation_error, spec
        ),
    )


def _invalid_spec_message(file: str, findings: list[Finding]) -> str:
    errors = [finding for finding in findings if finding.severity is Severity.ERROR]
    where = ""
    if errors:
        first = errors[0]
        where = f" (line {first.line}, column {first.column}: {first.message})"
    return (
        f"{file}: not a valid funnel spec{where}; fix it until 'funnelspec lint "
        f"{file}' reports no errors, then run the audit again"
    )


def recommend(
    findings: list[Finding],
    scorecard: Scorecard,
    simulation: Simulation | None,
    simulation_error: str,
    spec: Spec,
) -> list[Recommendation]:
    """List actions in priority order.

    Errors come first, because they make numbers wrong, then what stops the
    simulation, because without it there is no forecast. Unmet scorecard
    criteria follow in the order of ``_criterion_actions``. Last come the two
    stages where 5 more points of conversion add the most wins, and the time
    to close when fewer than 80% of wins close within the conversion period.
    """
    actions: list[Recommendation] = []
    for finding in findings:
        if finding.severity is Severity.ERROR:
            actions.append(
                Recommendation(
                    f"Fix {finding.code} {finding.name} (line {finding.line})",
                    finding.fix or finding.message,
                    f"Error: {finding.message}.",
                )
            )
    if simulation_error:
        actions.append(
            Recommendation(
                "Make the funnel simulable",
                simulation_error,
                "Volumes, time to close and bottlenecks become available.",
            )
        )
    actions.extend(_criterion_actions(findings, scorecard))
    if simulation is not None:
        actions.extend(_simulation_actions(simulation, spec))
    return actions


def _criterion_actions(
    findings: list[Finding], scorecard: Scorecard
) -> list[Recommendation]:
    """List unmet criteria, weakest factor first, then most missing points first.

    The weakest factor goes first because acceleration is a product, so
    points there multiply the most. A criterion blocked by another unmet one (sizes
    of segments that do not exist yet) is left to that one.
    """
    current = scorecard.acceleration
    ranked: list[tuple[float, float, int, Recommendation]] = []
    for factor_index, factor in enumerate(scorecard.factors):
        for index, criterion in enumerate(factor.criteria):
            if criterion.met or criterion.blocked_by:
                continue
            improved = _with_met(scorecard, factor_index, index).acceleration
            missing = criterion.points - criterion.earned
            effect = f"{factor.name} +{missing:.0f} points; " + _acceleration_change(
                scorecard, factor_index, current, improved
            )
            action = _criterion_fix(criterion, findings)
            recommendation = Recommendation(criterion.label, action, effect)
            ranked.append((factor.score, -missing, len(ranked), recommendation))
    return [item[-1] for item in sorted(ranked, key=lambda item: item[:3])]


def _acceleration_change(
    scorecard: Scorecard, factor_index: int, current: float, improved: float
) -> str:
    if improved > current:
        return f"opportunity acceleration {current:.0f} to {improved:.0f}."
    zero = [
        factor.name
        for position, factor in enumerate(scorecard.factors)
        if position != factor_index and factor.score == 0
    ]
    if zero:
        return (
            f"opportunity acceleration stays {current:.0f} until "
            f"{' and '.join(zero)} scores above 0."
        )
    return f"opportunity acceleration stays {current:.0f}."


def _with_met(scorecard: Scorecard, factor_index: int, index: int) -> Scorecard:
    factor = scorecard.factors[factor_index]
    criteria = list(factor.criteria)
    criteria[index] = dataclasses.replace(criteria[index], share=1.0)
    factors = list(scorecard.factors)
    factors[factor_index] = dataclasses.replace(factor, criteria=tuple(criteria))
    return Scorecard(tuple(factors))


def _criterion_fix(criterion: Criterion, findings: list[Finding]) -> str:
    for finding in findings:
        if finding.code in criterion.codes and finding.fix:
            return finding.fix
    if criterion.fix:
        return criterion.fix
    rules = builtin_ruleset().rules
    for code in criterion.codes:
        if code in rules and rules[code].fix:
            return rules[code].fix
    return criterion.label


def _simulation_actions(simulation: Simulation, spec: Spec) -> list[Recommendation]:
    result = simulation.result
    per = (
        f"per {result.basis.period}"
        if result.basis.period
        else f"per {result.basis.opportunities:,.0f} opportunities entering"
    )
    actions = []
    for bottleneck in [b for b in result.bottlenecks if b.extra_wins > 0][:2]:
        value = ""
        if bottleneck.extra_value is not None:
            currency = f" {result.currency}" if result.currency else ""
            value = f" ({bottleneck.extra_value:,.0f}{currency})"
        actions.append(
            Recommendation(
                f"Raise the conversion of {bottleneck.name}",
                f"Work on what stops opportunities in {bottleneck.name}: a "
                f"conversion of {format_rate(bottleneck.improved_conversion)} "
                f"instead of {format_rate(bottleneck.conversion)}.",
                f"+{bottleneck.extra_wins:,.2f} wins {per}{value}.",
            )
        )
    within = result.within_conversion_period
    if within is not None and within < WITHIN_PERIOD_TARGET and spec.conversion_period:
        actions.append(
            Recommendation(
                "Shorten the time to close",
                "Shorten the slowest stages, or set a conversion period the "
                "funnel can meet.",
                f"Only {format_rate(within)} of won deals close within the "
                f"conversion period of {spec.conversion_period.text}.",
            )
        )
    return actions


def attach_charts(report: AuditReport, output_format: str) -> None:
    """Draw the report's charts as SVG text, keyed by chart name."""
    from funnelspec.publish.charts import flowchart_svg, funnel_svg, histogram_svg

    if output_format == "html":
        report.charts["flowchart"] = flowchart_svg(report.page)
    simulation = report.simulation
    if simulation is None:
        return
    result = simulation.result
    owners = {stage.id: stage.owner for stage in report.page.stages}
    labels = [stage.name for stage in result.stages] + ["won"]
    volumes = [stage.entered for stage in result.stages] + [result.wins]
    stage_owners = [owners.get(stage.id, "") for stage in result.stages] + ["won"]
    unit = (
        f"opportunities per {result.basis.period}"
        if result.basis.period
        else f"per {result.basis.opportunities:g} opportunities entering"
    )
    report.charts["funnel"] = funnel_svg(labels, volumes, stage_owners, unit)
    if simulation.won_days:
        period = report.spec.conversion_period
        report.charts["time-to-close"] = histogram_svg(
            simulation.won_days,
            period.days if period else None,
            period.text if period else "",
        )


def key_figures(report: AuditReport) -> list[tuple[str, str]]:
    """Return the headline numbers as (label, value) pairs."""
    figures = [
        ("Opportunity acceleration", f"{report.scorecard.acceleration:.0f} / 100")
    ]
    if report.simulation is None:
        return figures
    result = report.simulation.result
    if result.basis.period:
        per = f" per {result.basis.period}"
    else:
        per = f" per {result.basis.opportunities:,.0f} opportunities"
    figures.append(("Win rate", format_rate(result.win_rate)))
    figures.append((f"Wins{per}", format_count(result.wins)))
    if result.pipeline_value is not None:
        currency = f" {result.currency}" if result.currency else ""
        figures.append((f"Won value{per}", f"{result.pipeline_value:,.0f}{currency}"))
    if result.time_to_close is not None:
        figures.append(("Median time to close", format_days(result.time_to_close.p50)))
    if result.within_conversion_period is not None:
        figures.append(
            (
                "Won within the conversion period",
                format_rate(result.within_conversion_period),
            )
        )
    return figures


def format_days(days: float) -> str:
    """Format days as months from 60 days on, else as days."""
    if days >= 60:
        return f"{days / DAYS_PER_MONTH:.1f} months"
    return f"{days:.0f} days"


def render_audit(
    report: AuditReport, output_format: str, chart_files: dict[str, str]
) -> str:
    """Render the report; Markdown refers to chart files, HTML embeds the charts."""
    values = {
        "report": report,
        "page": report.page,
        "figures": key_figures(report),
        "result": report.simulation.result if report.simulation else None,
        "simulation": report.simulation,
        "version": __version__,
        "rate": format_rate,
        "count": format_count,
        "days": format_days,
    }
    if output_format == "md":
        flowchart = Markup(mermaid.flowchart(report.page))
        return render_template(
            "audit.md", flowchart=flowchart, chart_files=chart_files, **values
        )
    from funnelspec.publish.charts import svg_data_uri

    uris = {name: svg_data_uri(svg) for name, svg in report.charts.items()}
    return render_template("audit.html", chart_uris=uris, **values)


def output_format_for(path: Path, requested: str | None) -> str:
    """Return the requested format, or md for a .md or .markdown path, else html."""
    if requested is not None:
        return requested
    return "md" if path.suffix.lower() in (".md", ".markdown") else "html"


def write_audit(
    spec_path: str,
    output: Path,
    output_format: str | None = None,
    opportunities: int = DEFAULT_OPPORTUNITIES,
    seed: int = DEFAULT_SEED,
) -> AuditReport:
    """Write the audit report of one spec to output.

    For Markdown, the charts go beside the report as ``<stem>-funnel.svg`` and
    ``<stem>-time-to-close.svg``, replacing files of those names.
    """
    chosen = output_format_for(output, output_format)
    if output.is_dir():
        raise UsageError(
            f"{output}: is a directory; give the report's file name, "
            "for example -o report.html"
        )
    if not output.parent.is_dir():
        raise UsageError(
            f"{output.parent}: directory not found; create it or choose another "
            "output path"
        )
    report = build_audit(spec_path, opportunities, seed)
    attach_charts(report, chosen)
    chart_files: dict[str, str] = {}
    if chosen == "md":
        for name, svg in report.charts.items():
            chart_path = output.with_name(f"{output.stem}-{name}.svg")
            write_file(chart_path, svg)
            chart_files[name] = chart_path.name
    write_file(output, render_audit(report, chosen, chart_files))
    logger.info("wrote %s", output)
    return report
