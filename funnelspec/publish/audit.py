"""The audit report for a client: findings by theme, scorecard, simulation, actions."""

from __future__ import annotations

import logging
import os
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
from funnelspec.publish.recommendations import Recommendation, recommend
from funnelspec.publish.render import render_template
from funnelspec.publish.scorecard import Scorecard, build_scorecard
from funnelspec.rules.config import ConfigResolver
from funnelspec.rules.engine import Rule, Ruleset, lint_document
from funnelspec.simulate import DEFAULT_OPPORTUNITIES, DEFAULT_SEED, SimulationResult
from funnelspec.spec.model import Spec
from funnelspec.spec.parse import parse_document
from funnelspec.spec.units import DAYS_PER_MONTH

logger = logging.getLogger("funnelspec.publish")

FORMATS = ("html", "md")
#: Charts that a Markdown report writes beside it as ``<stem>-<name>.svg``.
CHART_NAMES = ("funnel", "time-to-close")
#: Text near the start of the files funnelspec audit writes: the HTML report's
#: generator tag, the Markdown report's source line and the charts' creator.
_REPORT_MARKERS = (
    '<meta name="generator" content="funnelspec ',
    "\nAudited by funnelspec ",
    "<dc:title>funnelspec</dc:title>",
)
#: Bytes read from an existing output file to look for a report marker. The
#: Markdown source line follows the spec's name and description.
_MARKER_WINDOW = 1 << 20

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


def group_findings(
    findings: list[Finding], spec: Spec, ruleset: Ruleset
) -> list[Theme]:
    """Group findings by theme and rule, in the report's theme order.

    Rules without findings are listed as passed when they are active and
    apply to the spec's motion and kind. Rules outside the built-in themes
    (a configuration's own rules) form a last theme, "Other rules".
    """
    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    spec_fields: dict[str, str] = {"motion": spec.motion, "kind": spec.kind}
    themes: list[Theme] = []
    themed: set[str] = set()
    for prefix, title, description in THEMES:
        codes = [code for code in ruleset.rules if code.startswith(prefix)]
        themed.update(codes)
        themes.append(_theme(title, description, codes, by_code, ruleset, spec_fields))
    others = [code for code in ruleset.rules if code not in themed]
    others += [code for code in by_code if code not in ruleset.rules]
    other = _theme(
        "Other rules",
        "Rules that the configuration adds, outside the built-in themes.",
        others,
        by_code,
        ruleset,
        spec_fields,
    )
    if other.failed or other.passed:
        themes.append(other)
    return themes


def _theme(
    title: str,
    description: str,
    codes: list[str],
    by_code: dict[str, list[Finding]],
    ruleset: Ruleset,
    spec_fields: dict[str, str],
) -> Theme:
    failed: list[RuleFindings] = []
    passed: list[Rule] = []
    for code in codes:
        matching = by_code.get(code, [])
        rule = ruleset.rules.get(code)
        if matching:
            failed.append(RuleFindings(rule or _rule_of(code, matching[0]), matching))
        elif (
            rule is not None
            and ruleset.is_active(code)
            and rule.applies_to(spec_fields)
        ):
            passed.append(rule)
    return Theme(title, description, failed, passed)


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


def build_audit(
    path: str,
    opportunities: int,
    seed: int,
    config: ConfigResolver | None = None,
) -> AuditReport:
    """Read, lint, score and simulate one spec for the audit report.

    The spec is linted with the ruleset of its configuration (``config``, or
    the nearest configuration file). Raises ConfigError for an invalid
    configuration, and UsageError when the file is not a valid spec, because
    there is no funnel to score or simulate.
    """
    settings = (config or ConfigResolver()).config_for(path)
    ruleset = settings.ruleset_for(path)
    document = read_document(path)
    findings = lint_document(document, ruleset)
    spec = parse_document(document)
    if spec is None:
        raise UsageError(_invalid_spec_message(document.file, findings))
    slug = slugify(Path(document.file).stem)
    page = build_page(document, spec, findings, slug, settings.path)
    simulation: Simulation | None = None
    simulation_error = ""
    try:
        simulation = run_simulation(spec, opportunities, seed)
    except UsageError as exc:
        simulation_error = exc.format_message()
    result = simulation.result if simulation is not None else None
    win_rate = result.win_rate if result is not None else None
    scorecard = build_scorecard(spec, findings, ruleset, win_rate)
    return AuditReport(
        page=page,
        spec=spec,
        themes=group_findings(findings, spec, ruleset),
        scorecard=scorecard,
        simulation=simulation,
        simulation_error=simulation_error,
        recommendations=recommend(
            findings, scorecard, result, simulation_error, spec, ruleset
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
    config: ConfigResolver | None = None,
    force: bool = False,
) -> AuditReport:
    """Write the audit report of one spec to output.

    For Markdown, the charts go beside the report as ``<stem>-funnel.svg`` and
    ``<stem>-time-to-close.svg``, replacing files of those names. Raises
    UsageError before anything is written when an output file is the spec or
    its configuration file, or, unless ``force`` is set, an existing file that
    funnelspec audit did not write.
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
    resolver = config or ConfigResolver()
    inputs = [Path(spec_path)]
    config_path = resolver.config_for(spec_path).path
    if config_path is not None:
        inputs.append(Path(config_path))
    chart_paths = {
        name: output.with_name(f"{output.stem}-{name}.svg") for name in CHART_NAMES
    }
    targets = [output, *chart_paths.values()] if chosen == "md" else [output]
    check_output_paths(targets, inputs, force)

    report = build_audit(spec_path, opportunities, seed, resolver)
    attach_charts(report, chosen)
    chart_files: dict[str, str] = {}
    if chosen == "md":
        for name, svg in report.charts.items():
            chart_path = chart_paths[name]
            write_file(chart_path, svg)
            chart_files[name] = chart_path.name
    write_file(output, render_audit(report, chosen, chart_files))
    logger.info("wrote %s", output)
    return report


def check_output_paths(targets: list[Path], inputs: list[Path], force: bool) -> None:
    """Raise UsageError for an output path that would replace what it should not.

    An input (the spec or its configuration file) is never replaced, even
    with ``force``: ``os.path.samefile`` also catches hard links and
    symbolic links to it. An existing file that is not an earlier funnelspec
    audit report or chart is replaced only with ``force``.
    """
    for target in targets:
        for source in inputs:
            if _same_file(target, source):
                raise UsageError(
                    f"{target}: the output file is the input file {source}; "
                    "choose another output path with -o"
                )
        if target.is_dir():
            raise UsageError(
                f"{target}: is a directory; remove it or choose another output "
                "path with -o"
            )
        if force or not (target.exists() or target.is_symlink()):
            continue
        if not _is_report(target):
            raise UsageError(
                f"{target}: file exists and was not written by funnelspec audit; "
                "choose another output path with -o, or pass --force to replace it"
            )


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def _is_report(path: Path) -> bool:
    """Return whether path is a regular file that starts like an audit output."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with path.open("rb") as stream:
            head = stream.read(_MARKER_WINDOW).decode("utf-8", errors="replace")
    except OSError:
        return False
    return any(marker in head for marker in _REPORT_MARKERS)
