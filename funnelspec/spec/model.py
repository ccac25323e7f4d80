"""The typed model of spec format v1.

Fields that a lint rule reports as missing (owner, key outcome, conversion,
conversion period, follow-up SLA, segments) are optional here, so that a spec
without them still loads and the rule can report what is missing and why. The
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
    StrictBool,
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
                {
                    "type": "string",
                    # 0% to 100%, the range the model accepts.
                    "pattern": (
                        r"^\s*0*(?:100(?:\.0+)?|[0-9]{1,2}(?:\.[0-9]+)?|\.[0-9]+)"
                        r"\s*%\s*$"
                    ),
                },
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
            "pattern": (r"^\s*(\d+(\.\d+)?|\.\d+)\s*(per|/|a|an|each)\s*[A-Za-z]+\s*$"),
            "description": (
                "New opportunities entering the first stage: a count per day, "
                "week, month, quarter or year."
            ),
            "examples": ["400 per month"],
        }
    ),
]


#: Examples for editors' completion and hover, from the worked example spec.
_SEGMENT_EXAMPLE = {
    "name": "Design and engineering services",
    "industry": "design and engineering services",
    "min_annual_revenue": 25000000,
    "regions": ["East China", "South China", "North China"],
}
_STAGE_EXAMPLE = {
    "id": "engaged",
    "name": "Engaged",
    "owner": "marketing",
    "key_outcome": "Downloaded the white paper or the product demo",
    "conversion": 0.35,
    "duration": "2 weeks",
    "engages": ["influencer"],
}


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
    )


class Segment(_Model):
    """A concrete target group: sub-industry, size threshold and region."""

    name: str = Field(min_length=1, examples=["Design and engineering services"])
    """Name of the segment, as the team calls it."""
    industry: str | None = Field(
        default=None, examples=["design and engineering services", "heavy machinery"]
    )
    """Sub-industry the segment covers, as specific as the team can state it."""
    description: str | None = Field(
        default=None,
        examples=["Mid-size firms that design machines for others in 3D."],
    )
    """Why this segment, in a sentence or two."""
    min_annual_revenue: float | None = Field(default=None, ge=0, examples=[25000000])
    """Smallest annual revenue of a target company, in the spec's currency."""
    max_annual_revenue: float | None = Field(default=None, ge=0, examples=[500000000])
    """Largest annual revenue of a target company, in the spec's currency."""
    min_employees: int | None = Field(default=None, ge=0, examples=[50])
    """Smallest headcount of a target company."""
    max_employees: int | None = Field(default=None, ge=0, examples=[1000])
    """Largest headcount of a target company."""
    regions: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, examples=[["East China", "South China", "North China"]]
    )
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

    id: str = Field(
        pattern=STAGE_ID_PATTERN, max_length=64, examples=["engaged", "qualified"]
    )
    """Unique lowercase identifier used in next maps (letters, digits, _ and -)."""
    name: str | None = Field(default=None, examples=["Engaged"])
    """Display name of the stage."""
    description: str | None = Field(
        default=None,
        examples=["Marketing follows up on the download and checks the segment."],
    )
    """What happens in this stage."""
    owner: Literal["marketing", "sales", "partner", "customer_success"] | None = Field(
        default=None, examples=["marketing", "sales"]
    )
    """Team responsible for moving opportunities out of this stage."""
    key_outcome: str | None = Field(
        default=None, examples=["Downloaded the white paper or the product demo"]
    )
    """Observable buyer action that marks entry into this stage."""
    exit_criteria: str | list[str] | None = Field(
        default=None,
        examples=[
            "Company matches a target segment",
            ["Project, budget and timeline confirmed", "First contact within 24 hours"],
        ],
    )
    """What must be true before an opportunity moves on."""
    conversion: Rate | None = Field(default=None, examples=[0.35, "35%"])
    """Share of opportunities in this stage that reach the next stage."""
    duration: StageDuration | None = Field(
        default=None, examples=["2 weeks", {"median": "3 weeks", "p90": "8 weeks"}]
    )
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
    ] = Field(default_factory=list, examples=[["influencer", "decision_maker"]])
    """Buyer roles worked in this stage: influencer (the product's user), decision
    maker (who signs) and others."""
    next: dict[str, Rate] | None = Field(
        default=None, examples=[{"qualified": 0.3, "nurture": 0.1}]
    )
    """Explicit transitions: target stage id (or won or lost) to probability.
    The remainder goes to lost. Without it, the next stage in the list follows."""
    nurture: StrictBool = Field(default=False, examples=[True])
    """Marks a stage that deliberately recycles opportunities, so loops through it
    are intended."""

    @field_validator("id")
    @classmethod
    def _not_terminal(cls, value: str) -> str:
        if value in TERMINALS:
            raise PydanticCustomError(
                "reserved_id",
                # Pydantic fills {id} without format conversions such as !r.
                "stage id '{id}' is reserved for the implicit terminal of that "
                "name; choose another id",
                {"id": value},
            )
        return value

    @property
    def label(self) -> str:
        return self.name or self.id


class Spec(_Model):
    """One funnel: its stages, targets, segments and timing."""

    model_config = ConfigDict(title="funnelspec format v1")

    funnelspec: Literal[1] = Field(examples=[1])
    """Format version; always 1."""

    @field_validator("funnelspec", mode="before")
    @classmethod
    def _integer_version(cls, value: object) -> object:
        # Literal[1] alone would also take true and 1.0, which are not versions.
        if isinstance(value, bool | float):
            raise PydanticCustomError(
                "version",
                "funnelspec is {value}; write the integer 1",
                {"value": str(value).lower()},
            )
        return value

    name: str = Field(
        min_length=1, examples=["Industrial 3D design software, new customers"]
    )
    """Name of the funnel."""
    description: str | None = Field(
        default=None, examples=["Direct sales to mid-size manufacturers."]
    )
    """What this funnel covers."""
    motion: Literal["b2b", "b2c"] = Field(examples=["b2b", "b2c"])
    """Selling to businesses (b2b) or to consumers (b2c)."""
    kind: Literal["sales", "marketing"] = Field(
        default="sales", examples=["sales", "marketing"]
    )
    """A sales funnel (opportunities to close) or a marketing funnel (spend to
    pipeline)."""
    conversion_period: Duration | None = Field(default=None, examples=["6 months"])
    """Target time from funnel entry to close."""
    follow_up_sla: Duration | None = Field(default=None, examples=["24 hours"])
    """Maximum time from a buyer signal to the first contact."""
    currency: str | None = Field(
        default=None, pattern=r"^[A-Z]{3}$", examples=["CNY", "EUR", "USD"]
    )
    """ISO 4217 currency code of deal_value and segment revenues."""
    deal_value: float | None = Field(default=None, gt=0, examples=[300000])
    """Average value of a won deal, in currency."""
    inflow: Inflow | None = Field(default=None, examples=["400 per month"])
    """New opportunities entering the first stage per period."""
    segments: list[Segment] | None = Field(default=None, examples=[[_SEGMENT_EXAMPLE]])
    """Target segments of this funnel."""
    stages: list[Stage] = Field(min_length=1, examples=[[_STAGE_EXAMPLE]])
    """Stages in order; the first is the entry stage."""

    def stage_index(self) -> dict[str, int]:
        """Map each stage id to its first index in ``stages``."""
        index: dict[str, int] = {}
        for position, stage in enumerate(self.stages):
            index.setdefault(stage.id, position)
        return index
