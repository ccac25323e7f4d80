"""The audit scorecard: customer path, segmentation and follow-up, 0 to 100 each.

Opportunity acceleration is the product of the three factors, so a weak one
pulls the whole funnel down however good the other two are. Each factor is
the sum of points for criteria that the lint findings and the spec decide.
A criterion about every stage or every segment earns its points in
proportion to the share that meets it. The report prints every criterion
with its points, so a client can recompute each score by hand.

Three rules keep the scores honest for a broken or a relaxed funnel:

- Opportunity acceleration is 0 while the spec has an error finding (of any
  rule, at the severity the configuration gives it), or while the funnel
  wins nothing (simulated win rate 0).
- While a funnel graph rule (FS1xx) reports an error, the criteria that
  need a sound graph earn 0 points, and their detail names the errors.
- A criterion that rule findings decide earns full points when the
  configuration turns all of its rules off or none of them applies to the
  funnel (FS601 and FS602 run for b2b funnels only). Its detail then
  states the reason. Criteria that
  the spec decides (a stated SLA, named segments) are scored in any case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from funnelspec.findings import Finding, Severity
from funnelspec.rules.ruleset import Rule, Ruleset
from funnelspec.spec.model import Spec

#: Win rates at or below this count as winning nothing. Solving the chain can
#: leave rounding residue such as 1e-17 where the exact value is 0.
NO_WINS = 1e-9
#: Rules on the funnel graph: ids, transition targets, reachability, loops.
GRAPH_CODES = ("FS101", "FS102", "FS103", "FS104", "FS105", "FS106")


@dataclass(frozen=True)
class Criterion:
    """One scored criterion: what earns the points, and how many were earned."""

    label: str
    points: float
    share: float
    """Share of the criterion met, from 0 to 1; points earned = points * share."""
    detail: str
    codes: tuple[str, ...]
    """Rule codes whose findings decide the criterion (empty: the spec does)."""
    fix: str = ""
    """Advice used when no rule's fix applies."""
    blocked_by: str = ""
    """Obstacle to fix first: an unmet criterion's label, or the error findings
    that the audit recommends fixing before any criterion. The audit does
    not recommend a blocked criterion on its own."""

    @property
    def earned(self) -> float:
        return self.points * self.share

    @property
    def met(self) -> bool:
        return self.share >= 1.0


@dataclass(frozen=True)
class Factor:
    """One factor of opportunity acceleration and its criteria."""

    key: str
    name: str
    description: str
    criteria: tuple[Criterion, ...]

    @property
    def score(self) -> float:
        return sum(criterion.earned for criterion in self.criteria)


@dataclass(frozen=True)
class Scorecard:
    """The three factors and opportunity acceleration."""

    factors: tuple[Factor, ...]
    zero_reasons: tuple[str, ...] = ()
    """Reasons for an opportunity acceleration of 0 whatever the factors score,
    as clauses such as "the funnel wins nothing". Empty when acceleration is
    the product of the factors."""

    @property
    def product(self) -> float:
        """Product of the factor scores, scaled back to 0 to 100."""
        product = 1.0
        for factor in self.factors:
            product *= factor.score / 100
        return product * 100

    @property
    def acceleration(self) -> float:
        """The product of the factor scores, or 0 when zero_reasons is not empty."""
        return 0.0 if self.zero_reasons else self.product


class _Evidence:
    """What decides the criteria: the findings by rule code and the ruleset."""

    def __init__(self, spec: Spec, findings: Iterable[Finding], ruleset: Ruleset):
        self.ruleset = ruleset
        self.spec_fields: dict[str, str] = {"motion": spec.motion, "kind": spec.kind}
        self.by_code: dict[str, list[Finding]] = {}
        for finding in findings:
            self.by_code.setdefault(finding.code, []).append(finding)
        self.error_codes = sorted(
            code
            for code, items in self.by_code.items()
            if any(item.severity is Severity.ERROR for item in items)
        )
        self.error_count = sum(
            1
            for items in self.by_code.values()
            for item in items
            if item.severity is Severity.ERROR
        )
        graph_errors = [code for code in self.error_codes if code.startswith("FS1")]
        self.graph_problem = (
            f"the funnel graph has errors ({', '.join(graph_errors)})"
            if graph_errors
            else ""
        )

    def any(self, *codes: str) -> bool:
        return any(code in self.by_code for code in codes)

    def indexes(self, code: str, collection: str) -> set[int]:
        """Return the indexes of the stages or segments that a rule flagged."""
        prefix = f"{collection}["
        found: set[int] = set()
        for finding in self.by_code.get(code, []):
            if finding.path.startswith(prefix):
                found.add(int(finding.path[len(prefix) :].split("]", 1)[0]))
        return found

    def applies(self, code: str) -> bool:
        """Tell whether a rule runs on this spec: active and its conditions hold."""
        rule = self.ruleset.rules.get(code)
        return (
            rule is not None
            and self.ruleset.is_active(code)
            and rule.applies_to(self.spec_fields)
        )

    def option(self, code: str, name: str, default: str) -> str:
        """Return a rule's option as text, or default when the rule has none."""
        rule = self.ruleset.rules.get(code)
        value = rule.options.get(name) if rule is not None else None
        return default if value is None else str(value)

    def not_scored(self, codes: tuple[str, ...]) -> str:
        """Say why a criterion whose rules do not run earns full points."""
        names = ", ".join(codes)
        active = [code for code in codes if self.ruleset.is_active(code)]
        if not active:
            return f"not scored: {names} off in the configuration; full points"
        conditions = sorted(
            {
                f"{key} is {self.spec_fields.get(key)}"
                for code in active
                for key in self.ruleset.rules[code].when
                if not _holds(self.ruleset.rules[code], key, self.spec_fields)
            }
        )
        verb = "does" if len(active) == 1 else "do"
        when = f" when {' and '.join(conditions)}" if conditions else ""
        return f"not scored: {', '.join(active)} {verb} not apply{when}; full points"


def _holds(rule: Rule, key: str, spec_fields: dict[str, str]) -> bool:
    expected = rule.when[key]
    allowed = expected if isinstance(expected, list) else [expected]
    return spec_fields.get(key) in allowed


def _adjust_for_rules(
    criterion: Criterion, evidence: _Evidence, unsound: str = ""
) -> Criterion:
    """Fit a criterion that its rules' findings decide to the configuration.

    The criterion earns full points when none of its rules runs on the spec.
    ``unsound`` names what keeps the criterion from being judged (graph
    errors); it then earns 0 points. A criterion whose rules report an error
    is left to the error's own recommendation.
    """
    if criterion.blocked_by:
        return criterion
    if not any(evidence.applies(code) for code in criterion.codes):
        return replace(
            criterion, share=1.0, detail=evidence.not_scored(criterion.codes)
        )
    if unsound:
        return replace(
            criterion, share=0.0, detail=f"not scored: {unsound}", blocked_by=unsound
        )
    if any(code in evidence.error_codes for code in criterion.codes):
        return replace(criterion, blocked_by="the error findings of its rules")
    return criterion


def _all(flagged: bool) -> float:
    return 0.0 if flagged else 1.0


def _share_of(total: int, flagged: int) -> float:
    return 1.0 if total == 0 else (total - flagged) / total


def _count_text(total: int, flagged: int, noun: str) -> str:
    return f"{total - flagged} of {total} {noun}"


def build_scorecard(
    spec: Spec,
    findings: Iterable[Finding],
    ruleset: Ruleset,
    win_rate: float | None = None,
) -> Scorecard:
    """Score a valid spec from the findings that ruleset produced.

    ``win_rate`` is the simulated share of opportunities won, or None when
    the funnel could not be simulated.
    """
    evidence = _Evidence(spec, findings, ruleset)
    wins_nothing = win_rate is not None and win_rate <= NO_WINS
    return Scorecard(
        factors=(
            customer_path(spec, evidence),
            segmentation(spec, evidence),
            follow_up(spec, evidence, wins_nothing),
        ),
        zero_reasons=_zero_reasons(evidence, wins_nothing),
    )


def _zero_reasons(evidence: _Evidence, wins_nothing: bool) -> tuple[str, ...]:
    reasons: list[str] = []
    count = evidence.error_count
    if count:
        noun = "finding" if count == 1 else "findings"
        codes = ", ".join(evidence.error_codes)
        reasons.append(f"the spec has {count} error {noun} ({codes})")
    if wins_nothing:
        reasons.append("the funnel wins nothing (simulated win rate 0%)")
    return tuple(reasons)


def customer_path(spec: Spec, evidence: _Evidence) -> Factor:
    """Score how well the stages map the buyer's path from first touch to close."""
    stages = len(spec.stages)

    def per_stage(code: str) -> tuple[float, str]:
        flagged = len(evidence.indexes(code, "stages"))
        return _share_of(stages, flagged), _count_text(stages, flagged, "stages")

    outcome_share, outcome_text = per_stage("FS205")
    owner_share, owner_text = per_stage("FS206")
    trivial_share, trivial_text = per_stage("FS204")
    graph_found = [code for code in GRAPH_CODES if evidence.any(code)]
    criteria = [
        Criterion(
            "Key stages in the recommended range",
            20,
            _all(evidence.any("FS201")),
            f"{sum(1 for stage in spec.stages if not stage.nurture)} key stages",
            ("FS201",),
        ),
        Criterion(
            "Every stage names its key outcome",
            20,
            outcome_share,
            f"{outcome_text} name one",
            ("FS205",),
        ),
        Criterion(
            "Every stage has an owner",
            15,
            owner_share,
            f"{owner_text} have one",
            ("FS206",),
        ),
        Criterion(
            "Stages are buyer outcomes, not internal checks or quick steps",
            15,
            trivial_share,
            f"{trivial_text} are buyer outcomes",
            ("FS204",),
        ),
        Criterion(
            "Stage balance fits the motion (b2b sales-heavy, b2c acquisition-heavy)",
            10,
            _all(evidence.any("FS202", "FS203")),
            f"motion {spec.motion}",
            ("FS202", "FS203"),
        ),
        Criterion(
            "One handoff from marketing to sales",
            10,
            _all(evidence.any("FS207")),
            "ownership goes back to marketing"
            if evidence.any("FS207")
            else "ownership does not go back to marketing",
            ("FS207",),
        ),
        Criterion(
            "Every stage is reachable and leads to won, without unmarked loops",
            10,
            _all(bool(graph_found)),
            f"findings of {', '.join(graph_found)}"
            if graph_found
            else "no findings of FS101 to FS106",
            GRAPH_CODES,
        ),
    ]
    # FS207 follows transitions from marketing stages, so it cannot judge a
    # graph with errors.
    criteria = [
        _adjust_for_rules(
            criterion,
            evidence,
            unsound=evidence.graph_problem if criterion.codes == ("FS207",) else "",
        )
        for criterion in criteria
    ]
    return Factor(
        key="customer_path",
        name="Customer path",
        description=(
            "Whether the stages map the buyer's path: a few stages, each entered "
            "by an observable buyer outcome and owned by one team."
        ),
        criteria=tuple(criteria),
    )


def segmentation(spec: Spec, evidence: _Evidence) -> Factor:
    """Score how concrete the target segments are."""
    segments = spec.segments or []
    total = len(segments)
    broad = len(evidence.indexes("FS502", "segments"))
    sized = sum(1 for segment in segments if segment.has_size)
    regional = sum(1 for segment in segments if segment.regions)

    def share(count: int) -> float:
        return count / total if total else 0.0

    named = "The funnel names its target segments"
    blocked = "" if total else named

    criteria = (
        Criterion(
            named,
            40,
            0.0 if total == 0 else 1.0,
            f"{total} segment" if total == 1 else f"{total} segments",
            ("FS501",),
        ),
        _adjust_for_rules(
            Criterion(
                "Segments are sub-industries, not whole industries",
                30,
                share(total - broad),
                f"{total - broad} of {total} segments",
                ("FS502",),
                blocked_by=blocked,
            ),
            evidence,
        ),
        Criterion(
            "Segments state a size threshold (revenue or employees)",
            15,
            share(sized),
            f"{sized} of {total} segments",
            (),
            "Add min_annual_revenue or min_employees to every segment, so each "
            "can be turned into a list of accounts that can afford the product.",
            blocked,
        ),
        Criterion(
            "Segments state the regions the team serves",
            15,
            share(regional),
            f"{regional} of {total} segments",
            (),
            "Add regions to every segment: the regions where sales and service "
            "teams can serve the accounts.",
            blocked,
        ),
    )
    return Factor(
        key="segmentation",
        name="Segmentation",
        description=(
            "Whether the funnel aims at concrete segments: a sub-industry, a size "
            "threshold and the regions that sales and service cover."
        ),
        criteria=criteria,
    )


def _sla_detail(stated: bool, slow: bool, limit: str) -> str:
    if not stated:
        return "not stated"
    return f"slower than {limit}" if slow else f"within {limit}"


def _path_detail(period_stated: bool, exceeds: bool) -> str:
    if not period_stated:
        return "unknown without a conversion period"
    return "does not fit" if exceeds else "fits"


def follow_up(spec: Spec, evidence: _Evidence, wins_nothing: bool = False) -> Factor:
    """Score follow-up: speed, timing targets, buyer roles and stated conversions."""
    stages = len(spec.stages)
    missing_rate = len(evidence.indexes("FS401", "stages"))
    implausible = len(evidence.indexes("FS402", "stages"))
    sla = spec.follow_up_sla
    period = spec.conversion_period
    roles = {role for stage in spec.stages for role in stage.engages}

    def role_criterion(role: str, code: str, label: str) -> Criterion:
        # FS601 and FS602 run for b2b funnels only: a consumer is user and
        # buyer at once, so a b2c funnel earns the points as not scored.
        engaged = role in roles
        return Criterion(
            label,
            15,
            1.0 if engaged else 0.0,
            "engaged" if engaged else "not engaged in any stage",
            (code,),
        )

    path_unsound = evidence.graph_problem
    if not path_unsound and wins_nothing:
        path_unsound = "no opportunity reaches won (simulated win rate 0%)"
    sla_stated = "Follow-up SLA is stated"
    period_stated = "Conversion period is stated"
    sla_limit = evidence.option("FS303", "max", "24 hours")
    criteria = (
        Criterion(
            sla_stated,
            15,
            0.0 if sla is None else 1.0,
            "not stated" if sla is None else sla.text,
            ("FS303",),
        ),
        _adjust_for_rules(
            Criterion(
                f"Follow-up SLA is {sla_limit} or less",
                15,
                _all(evidence.any("FS303")),
                _sla_detail(sla is not None, evidence.any("FS303"), sla_limit),
                ("FS303",),
                blocked_by="" if sla else sla_stated,
            ),
            evidence,
        ),
        Criterion(
            period_stated,
            10,
            0.0 if period is None else 1.0,
            "not stated" if period is None else period.text,
            ("FS301",),
        ),
        _adjust_for_rules(
            Criterion(
                "Typical path to won fits the conversion period",
                10,
                0.0 if period is None else _all(evidence.any("FS302")),
                _path_detail(period is not None, evidence.any("FS302")),
                ("FS302",),
                blocked_by="" if period else period_stated,
            ),
            evidence,
            unsound=path_unsound,
        ),
        _adjust_for_rules(
            role_criterion("decision_maker", "FS601", "The decision maker is engaged"),
            evidence,
        ),
        _adjust_for_rules(
            role_criterion("influencer", "FS602", "The influencer (user) is engaged"),
            evidence,
        ),
        _adjust_for_rules(
            Criterion(
                "Every open stage states its conversion",
                10,
                _share_of(stages, missing_rate),
                _count_text(stages, missing_rate, "stages"),
                ("FS401",),
            ),
            evidence,
        ),
        _adjust_for_rules(
            Criterion(
                "Conversions are plausible (not 0 or 1)",
                10,
                _share_of(stages, implausible),
                _count_text(stages, implausible, "stages"),
                ("FS402",),
            ),
            evidence,
        ),
    )
    return Factor(
        key="follow_up",
        name="Follow-up conversion",
        description=(
            "Whether buyer signals are followed up fast, the influencer and the "
            "decision maker are both worked, and each stage's conversion is known."
        ),
        criteria=criteria,
    )
