"""The audit scorecard: customer path, segmentation and follow-up, 0 to 100 each.

Opportunity acceleration is the product of the three factors, so a weak one
pulls the whole funnel down however good the other two are. Each factor is
the sum of points for criteria that the lint findings and the spec decide.
A criterion about every stage or every segment earns its points in
proportion to the share that meets it. The report prints every criterion
with its points, so a client can recompute each score by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from funnelspec.findings import Finding
from funnelspec.spec.model import Spec


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
    """Label of an unmet criterion that has to be met first; the audit then
    recommends only that one."""

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
    """The three factors and their product."""

    factors: tuple[Factor, ...]

    @property
    def acceleration(self) -> float:
        """Product of the factor scores, scaled back to 0 to 100."""
        product = 1.0
        for factor in self.factors:
            product *= factor.score / 100
        return product * 100


class _Findings:
    """Findings of one spec, looked up by rule code."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.by_code: dict[str, list[Finding]] = {}
        for finding in findings:
            self.by_code.setdefault(finding.code, []).append(finding)

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


def _all(flagged: bool) -> float:
    return 0.0 if flagged else 1.0


def _share_of(total: int, flagged: int) -> float:
    return 1.0 if total == 0 else (total - flagged) / total


def _count_text(total: int, flagged: int, noun: str) -> str:
    return f"{total - flagged} of {total} {noun}"


def build_scorecard(spec: Spec, findings: Iterable[Finding]) -> Scorecard:
    """Score a valid spec from its lint findings."""
    found = _Findings(findings)
    return Scorecard(
        factors=(
            customer_path(spec, found),
            segmentation(spec, found),
            follow_up(spec, found),
        )
    )


def customer_path(spec: Spec, found: _Findings) -> Factor:
    """Score how well the stages map the buyer's path from first touch to close."""
    stages = len(spec.stages)

    def per_stage(code: str) -> tuple[float, str]:
        flagged = len(found.indexes(code, "stages"))
        return _share_of(stages, flagged), _count_text(stages, flagged, "stages")

    outcome_share, outcome_text = per_stage("FS205")
    owner_share, owner_text = per_stage("FS206")
    trivial_share, trivial_text = per_stage("FS204")
    graph_codes = ("FS101", "FS102", "FS103", "FS104", "FS105", "FS106")
    criteria = (
        Criterion(
            "Key stages in the recommended range",
            20,
            _all(found.any("FS201")),
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
            _all(found.any("FS202", "FS203")),
            f"motion {spec.motion}",
            ("FS202", "FS203"),
        ),
        Criterion(
            "One handoff from marketing to sales",
            10,
            _all(found.any("FS207")),
            "ownership does not go back to marketing"
            if not found.any("FS207")
            else "ownership goes back to marketing",
            ("FS207",),
        ),
        Criterion(
            "Every stage is reachable and leads to won, without unmarked loops",
            10,
            _all(found.any(*graph_codes)),
            "graph rules FS101 to FS106",
            graph_codes,
        ),
    )
    return Factor(
        key="customer_path",
        name="Customer path",
        description=(
            "Whether the stages map the buyer's path: a few stages, each entered "
            "by an observable buyer outcome and owned by one team."
        ),
        criteria=criteria,
    )


def segmentation(spec: Spec, found: _Findings) -> Factor:
    """Score how concrete the target segments are."""
    segments = spec.segments or []
    total = len(segments)
    broad = len(found.indexes("FS502", "segments"))
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
        Criterion(
            "Segments are sub-industries, not whole industries",
            30,
            share(total - broad),
            f"{total - broad} of {total} segments",
            ("FS502",),
            blocked_by=blocked,
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


def follow_up(spec: Spec, found: _Findings) -> Factor:
    """Score follow-up: speed, timing targets, buyer roles and stated conversions."""
    stages = len(spec.stages)
    missing_rate = len(found.indexes("FS401", "stages"))
    implausible = len(found.indexes("FS402", "stages"))
    sla = spec.follow_up_sla
    roles = {role for stage in spec.stages for role in stage.engages}

    def role_criterion(role: str, code: str, label: str) -> Criterion:
        if spec.motion == "b2c":
            # A consumer is user and buyer at once, so the rule does not apply.
            return Criterion(label, 15, 1.0, "not scored for b2c: full points", ())
        engaged = role in roles
        return Criterion(
            label,
            15,
            1.0 if engaged else 0.0,
            "engaged" if engaged else "not engaged in any stage",
            (code,),
        )

    sla_stated = "Follow-up SLA is stated"
    period_stated = "Conversion period is stated"
    criteria = (
        Criterion(
            sla_stated,
            15,
            0.0 if sla is None else 1.0,
            "not stated" if sla is None else sla.text,
            ("FS303",),
        ),
        Criterion(
            "Follow-up SLA is 24 hours or less",
            15,
            _all(found.any("FS303")),
            "within 24 hours" if not found.any("FS303") else "slower or missing",
            ("FS303",),
            blocked_by="" if sla else sla_stated,
        ),
        Criterion(
            period_stated,
            10,
            _all(found.any("FS301")),
            spec.conversion_period.text if spec.conversion_period else "not stated",
            ("FS301",),
        ),
        Criterion(
            "Typical path to won fits the conversion period",
            10,
            _all(found.any("FS301", "FS302")),
            "fits" if not found.any("FS301", "FS302") else "does not fit or unknown",
            ("FS302",),
            blocked_by="" if spec.conversion_period else period_stated,
        ),
        role_criterion("decision_maker", "FS601", "The decision maker is engaged"),
        role_criterion("influencer", "FS602", "The influencer (user) is engaged"),
        Criterion(
            "Every open stage states its conversion",
            10,
            _share_of(stages, missing_rate),
            _count_text(stages, missing_rate, "stages"),
            ("FS401",),
        ),
        Criterion(
            "Conversions are plausible (not 0 or 1)",
            10,
            _share_of(stages, implausible),
            _count_text(stages, implausible, "stages"),
            ("FS402",),
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
