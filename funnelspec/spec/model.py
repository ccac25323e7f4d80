"""The typed model of spec format v1.

Fields that a lint rule reports as missing (owner, key outcome, conversion,
conversion period, follow-up SLA, segments) are optional here, so that a spec
without them still loads and the rule can say what is missing and why. The
JSON Schema in ``schemas/`` is generated from these classes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from funnelspec.spec import units

FORMAT_VERSION = 1
TERMINALS = ("won", "lost")
OWNERS = ("marketing", "sales", "partner", "customer_success")
ROLES = (
    "influencer",
    "decision_maker",
    "champion",
    "economic_buyer",
    "technical_evaluator",
    "procurement",
    "legal",
    "executive_sponsor",
)
STAGE_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"

_DURATION_TEXT = {
    "type": "string",
    "pattern": (
        r"^\s*(\d+(\.\d+)?|\.\d+)\s*[A-Za-z]+\s*$"
        r"|^[Pp](\d+(\.\d+)?[YMWD])*(T(\d+(\.\d+)?[HMS])+)?$"
    ),
    "description": (
        "A number and a unit (minutes, hours, days, weeks, months, quarters, "
        "years; singular or plural) or an ISO 8601 duration such as P6M. "
        "A month is 30.44 days."
    ),
    "examples": ["24 hours", "2 weeks", "6 months", "P6M"],
}


def _validated(parser: Any, kind: str) -> PlainValidator:
    def validate(value: object) -> Any:
        try:
            return parser(value)
        except units.UnitError as exc:
            raise PydanticCustomError(kind, str(exc)) from None

    return PlainValidator(validate)


def _as_text(value: object) -> str:
    return str(value)


Duration = Annotated[
    units.Duration,
    _validated(units.parse_duration, "duration"),
    PlainSerializer(_as_text),
    WithJsonSchema(_DURATION_TEXT),
]

StageDuration = Annotated[
    units.StageDuration,
    _validated(units.parse_stage_duration, "duration"),
    PlainSerializer(
        lambda d: (
            d.median.text
            if d.p90 is None and not d.fixed
            else {"fixed": d.median.text}
            if d.fixed
            else {"median": d.median.text, "p90": d.p90.text}
        )
    ),
    WithJsonSchema(
        {
            "description": (
                "Median time an opportunity spends in the stage, as a duration, "
                "or a mapping with median and p90 (fitted to a lognormal by the "
                "simulator), or {fixed: duration} for a time that never varies."
            ),
            "anyOf": [
                _DURATION_TEXT,
                {
                    "type": "object",
                    "properties": {"median": _DURATION_TEXT, "p90": _DURATION_TEXT},
                    "required": ["median"],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {"fixed": _DURATION_TEXT},
                    "required": ["fixed"],
                    "additionalProperties": False,
                },
            ],
            "examples": ["2 weeks", {"median": "3 weeks", "p90": "8 weeks"}],
        }
    ),
]

Rate = Annotated[
    float,
    _validated(units.parse_rate, "rate"),
    WithJsonSchema(
        {
            "description": "A share between 0 and 1, or a percentage string.",
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$"},
            ],
            "examples": [0.35, "35%"],
        }
    ),
]

Inflow = Annotated[
    units.Inflow,
    _validated(units.parse_inflow, "inflow"),
    PlainSerializer(_as_text),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*\d+(\.\d+)?\s*(per|/)\s*[A-Za-z]+\s*$",
            "description": (
                "New opportunities entering the first stage: a count per day, "
                "week, month, quarter or year."
            ),
            "examples": ["400 per month"],
        }
    ),
]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
    )


class Segment(_Model):
    """A concrete target group: sub-industry, size threshold and region."""

    name: str = Field(min_length=1)
    """Name of the segment, as the team calls it."""
    industry: str | None = None
    """Sub-industry the segment covers, as specific as the team can state it."""
    description: str | None = None
    """Why this segment, in a sentence or two."""
    min_annual_revenue: float | None = Field(default=None, ge=0)
    """Smallest annual revenue of a target company, in the spec's currency."""
    max_annual_revenue: float | None = Field(default=None, ge=0)
    """Largest annual revenue of a target company, in the spec's currency."""
    min_employees: int | None = Field(default=None, ge=0)
    """Smallest headcount of a target company."""
    max_employees: int | None = Field(default=None, ge=0)
    """Largest headcount of a target company."""
    regions: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    """Regions the team can serve for this segment."""

    @property
    def has_size(self) -> bool:
        return any(
            value is not None
            for value in (
                self.min_annual_revenue,
                self.max_annual_revenue,
                self.min_employees,
                self.max_employees,
            )
        )


class Stage(_Model):
    """A state an opportunity is in, entered when its key outcome happens."""

    id: str = Field(pattern=STAGE_ID_PATTERN, max_length=64)
    """Unique lowercase identifier used in next maps (letters, digits, _ and -)."""
    name: str | None = None
    """Display name of the stage."""
    description: str | None = None
    """What happens in this stage."""
    owner: Literal["marketing", "sales", "partner", "customer_success"] | None = None
    """Team responsible for moving opportunities out of this stage."""
    key_outcome: str | None = None
    """Observable buyer action that marks entry into this stage."""
    exit_criteria: str | list[str] | None = None
    """What must be true before an opportunity moves on."""
    conversion: Rate | None = None
    """Share of opportunities in this stage that reach the next stage."""
    duration: StageDuration | None = None
    """Typical time an opportunity spends in this stage."""
    engages: list[
        Literal[
            "influencer",
            "decision_maker",
            "champion",
            "economic_buyer",
            "technical_evaluator",
            "procurement",
            "legal",
            "executive_sponsor",
        ]
    ] = Field(default_factory=list)
    """Buyer roles worked in this stage: influencer (the product's user), decision
    maker (who signs) and others."""
    next: dict[str, Rate] | None = None
    """Explicit transitions: target stage id (or won or lost) to probability.
    The remainder goes to lost. Without it, the next stage in the list follows."""
    nurture: bool = False
    """Marks a stage that deliberately recycles opportunities, so loops through it
    are intended."""

    @field_validator("id")
    @classmethod
    def _not_terminal(cls, value: str) -> str:
        if value in TERMINALS:
            raise PydanticCustomError(
                "reserved_id",
                "stage id {id!r} is reserved for the implicit terminal; "
                "choose another id",
                {"id": value},
            )
        return value

    @property
    def label(self) -> str:
        return self.name or self.id


class Spec(_Model):
    """One funnel: its stages, targets, segments and timing."""

    model_config = ConfigDict(title="funnelspec format v1")

    funnelspec: Literal[1]
    """Format version; always 1."""
    name: str = Field(min_length=1)
    """Name of the funnel."""
    description: str | None = None
    """What this funnel covers."""
    motion: Literal["b2b", "b2c"]
    """Selling to businesses (b2b) or to consumers (b2c)."""
    kind: Literal["sales", "marketing"] = "sales"
    """A sales funnel (opportunities to close) or a marketing funnel (spend to
    pipeline)."""
    conversion_period: Duration | None = None
    """Target time from funnel entry to close."""
    follow_up_sla: Duration | None = None
    """Maximum time from a buyer signal to the first contact."""
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    """ISO 4217 currency code of deal_value and segment revenues."""
    deal_value: float | None = Field(default=None, gt=0)
    """Average value of a won deal, in currency."""
    inflow: Inflow | None = None
    """New opportunities entering the first stage per period."""
    segments: list[Segment] | None = None
    """Target segments of this funnel."""
    stages: list[Stage] = Field(min_length=1)
    """Stages in order; the first is the entry stage."""

    def stage_index(self) -> dict[str, int]:
        """Map each stage id to its first index in ``stages``."""
        index: dict[str, int] = {}
        for position, stage in enumerate(self.stages):
            index.setdefault(stage.id, position)
        return index
