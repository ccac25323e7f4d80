"""A CRM's deal pipeline as read from its export, before conversion to a spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction


@dataclass(frozen=True)
class CrmWarning:
    """A fact about the CRM's data that the spec cannot represent faithfully."""

    location: str
    """Message prefix naming the file and the line or JSON path."""
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True)
class CrmStage:
    """One stage of a CRM pipeline, in the CRM's own terms."""

    label: str
    """Display label, the source of the stage's id and name in the spec."""
    probability: Fraction
    """Win probability the CRM assigns to a deal in this stage, from 0 to 1."""
    closed: bool
    won: bool
    location: str
    """Position of the stage's definition, as a message prefix: ``FILE:LINE``
    or ``FILE: results[0].stages[2]``."""
    details: str = ""
    """CRM facts worth keeping beside the stage (API name, forecast category)."""


@dataclass(frozen=True)
class CrmPipeline:
    """The stages of one CRM pipeline in funnel order, and where they came from."""

    crm: str
    """Name of the CRM, for comments and messages: Salesforce or HubSpot."""
    name: str
    """Name of the pipeline, used as the funnel's name."""
    sources: list[str]
    """Descriptions of the files read, for the spec's header comment."""
    stages: list[CrmStage]
    description: str | None = None
    warnings: list[CrmWarning] = field(default_factory=list)
    """Problems found while reading the export."""


def parse_share(text: str, scale: int) -> Fraction | None:
    """Parse a probability written as a decimal number from 0 to ``scale``.

    Returns the probability as an exact fraction of 1 (``"10"`` with scale 100
    is 1/10), or None when the text is not a number in that range.
    """
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0 or number > scale:
        return None
    return Fraction(number) / scale


def format_percent(share: Fraction) -> str:
    """Format a share of 1 as a percentage with at most two decimals: ``12.5%``."""
    percent = share * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    text = f"{float(percent):.2f}".rstrip("0").rstrip(".")
    return f"{text}%"
