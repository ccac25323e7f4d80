"""The audit's recommendations: actions in priority order, each with its effect."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from funnelspec.findings import Finding, Severity
from funnelspec.publish.pages import format_rate
from funnelspec.publish.scorecard import NO_WINS, Criterion, Scorecard
from funnelspec.rules.ruleset import Ruleset
from funnelspec.simulate import SimulationResult
from funnelspec.spec.model import Spec

#: Share of won deals that should close within the conversion period before
#: the report recommends shortening stages.
WITHIN_PERIOD_TARGET = 0.8
#: Graph errors that cause others. A duplicated stage id or a transition to an
#: id that is not a stage removes edges, so the stages after it become
#: unreachable (FS103) or lose their path to won (FS104).
GRAPH_CAUSES = ("FS101", "FS102")
GRAPH_CONSEQUENCES = ("FS103", "FS104")
#: Rules whose findings the segment criteria decide from the spec itself, so
#: they get no recommendation of their own.
SCORED_FROM_SPEC = ("FS503",)
#: Messages quoted in one recommendation before the rest are counted.
QUOTED_MESSAGES = 3


@dataclass(frozen=True)
class Recommendation:
    """One prioritised action with the reason and the expected effect."""

    title: str
    action: str
    effect: str


def recommend(
    findings: list[Finding],
    scorecard: Scorecard,
    result: SimulationResult | None,
    simulation_error: str,
    spec: Spec,
    ruleset: Ruleset,
) -> list[Recommendation]:
    """List actions in priority order.

    Errors come first, because they make numbers wrong. Among them, the
    graph errors that cause others lead, then other errors, then the graph
    errors that can follow from the first. A funnel that wins nothing comes
    next, then what stops the simulation, because without it there is no
    forecast. Unmet scorecard criteria follow in the order of
    ``_criterion_actions``, then warnings of rules that no criterion covers.
    Last come the two stages where 5 more points of conversion add the most
    wins, and the time to close when fewer than 80% of wins close within the
    conversion period.
    """
    actions = _error_actions(findings)
    if result is not None and result.win_rate <= NO_WINS:
        actions.append(
            Recommendation(
                "Make the funnel win opportunities",
                "Give every stage on the way to won a transition towards won "
                "and a conversion above 0.",
                "The simulated win rate is 0%, so opportunity acceleration is 0 "
                "whatever the factors score.",
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
    actions.extend(_criterion_actions(findings, scorecard, ruleset))
    actions.extend(_warning_actions(findings, scorecard, ruleset))
    if result is not None:
        actions.extend(_simulation_actions(result, spec))
    return actions


def _error_actions(findings: list[Finding]) -> list[Recommendation]:
    """List one action per error, causes first, then one per consequence rule."""
    errors = [finding for finding in findings if finding.severity is Severity.ERROR]
    causes = [finding for finding in errors if finding.code in GRAPH_CAUSES]
    others = [
        finding
        for finding in errors
        if finding.code not in GRAPH_CAUSES + GRAPH_CONSEQUENCES
    ]
    actions = [_error_action(finding) for finding in [*causes, *others]]
    for code in GRAPH_CONSEQUENCES:
        group = [finding for finding in errors if finding.code == code]
        if group:
            actions.append(_consequence_action(group, causes))
    return actions


def _error_action(finding: Finding) -> Recommendation:
    return Recommendation(
        f"Fix {finding.code} {finding.name} (line {finding.line})",
        finding.fix or finding.message,
        f"Error: {finding.message}.",
    )


def _consequence_action(group: list[Finding], causes: list[Finding]) -> Recommendation:
    first = group[0]
    lines = ", ".join(str(finding.line) for finding in group)
    label = "line" if len(group) == 1 else "lines"
    effect = f"Error: {_quote_messages(group)}."
    if causes:
        codes = " and ".join(sorted({finding.code for finding in causes}))
        if len(causes) == 1:
            cause = f"the {codes} error above; run funnelspec lint again once it is"
        else:
            cause = f"the {codes} errors above; run funnelspec lint again once they are"
        effect += f" These can follow from {cause} fixed."
    return Recommendation(
        f"Fix {first.code} {first.name} ({label} {lines})",
        first.fix or first.message,
        effect,
    )


def _quote_messages(group: list[Finding]) -> str:
    quoted = "; ".join(finding.message for finding in group[:QUOTED_MESSAGES])
    rest = len(group) - QUOTED_MESSAGES
    if rest > 0:
        quoted += f"; and {rest} more"
    return quoted


def _criterion_actions(
    findings: list[Finding], scorecard: Scorecard, ruleset: Ruleset
) -> list[Recommendation]:
    """List unmet criteria, weakest factor first, then most missing points first.

    The weakest factor goes first because acceleration is a product, so
    points there multiply the most. A blocked criterion (sizes of segments
    that do not exist yet, a criterion whose rule reported an error) is left
    to what blocks it.
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
            action = _criterion_fix(criterion, findings, ruleset)
            recommendation = Recommendation(criterion.label, action, effect)
            ranked.append((factor.score, -missing, len(ranked), recommendation))
    return [item[-1] for item in sorted(ranked, key=lambda item: item[:3])]


def _acceleration_change(
    scorecard: Scorecard, factor_index: int, current: float, improved: float
) -> str:
    if scorecard.zero_reasons:
        reasons = " and ".join(scorecard.zero_reasons)
        return f"opportunity acceleration stays 0 while {reasons}."
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
    return dataclasses.replace(scorecard, factors=tuple(factors))


def _criterion_fix(
    criterion: Criterion, findings: list[Finding], ruleset: Ruleset
) -> str:
    for finding in findings:
        if finding.code in criterion.codes and finding.fix:
            return finding.fix
    if criterion.fix:
        return criterion.fix
    for code in criterion.codes:
        if code in ruleset.rules and ruleset.rules[code].fix:
            return ruleset.rules[code].fix
    return criterion.label


def _warning_actions(
    findings: list[Finding], scorecard: Scorecard, ruleset: Ruleset
) -> list[Recommendation]:
    """List warnings of rules that no criterion covers, one action per rule.

    These are the configuration's own rules and the built-in ones the
    scorecard does not score, such as FS107 or the suppression checks.
    """
    covered = {
        code
        for factor in scorecard.factors
        for criterion in factor.criteria
        for code in criterion.codes
    }
    covered.update(SCORED_FROM_SPEC)
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.severity is Severity.WARNING and finding.code not in covered:
            groups.setdefault(finding.code, []).append(finding)
    actions = []
    for code, group in groups.items():
        rule = ruleset.rules.get(code)
        first = group[0]
        lines = ", ".join(str(finding.line) for finding in group)
        label = "line" if len(group) == 1 else "lines"
        actions.append(
            Recommendation(
                f"Fix {code} {first.name} ({label} {lines})",
                first.fix or (rule.fix if rule else "") or first.message,
                f"Warning: {_quote_messages(group)}.",
            )
        )
    return actions


def _simulation_actions(result: SimulationResult, spec: Spec) -> list[Recommendation]:
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
