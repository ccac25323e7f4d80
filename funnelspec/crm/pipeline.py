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


#: Characters of an input value that a message quotes before it cuts it off.
MAX_QUOTED = 40
#: Decimal places a probability is rounded to, in the CRM's own scale.
SHARE_DECIMALS = 12
#: Maximum magnitude of a probability's exponent as written: ``1E-40`` and
#: 40 decimal places pass, ``1E-100000000`` does not. The exact fraction of
#: that number would need the integer 10**100000000, of 100 million digits.
MAX_SHARE_EXPONENT = 40


def parse_share(text: str, scale: int) -> Fraction:
    """Parse a probability written as a decimal number from 0 to ``scale``.

    Returns the probability as an exact fraction of 1 (``"10"`` with scale 100
    is 1/10), after rounding it to SHARE_DECIMALS places in its own scale.
    Raises ValueError with the reason when the text is not a finite decimal
    number, has an exponent beyond MAX_SHARE_EXPONENT, or is not in the range.
    """
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError("not a decimal number") from None
    if not number.is_finite():
        raise ValueError("not a finite number")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # Only NaN and infinity have a str exponent.
    if abs(exponent) > MAX_SHARE_EXPONENT:
        raise ValueError(
            f"exponent {exponent} is outside -{MAX_SHARE_EXPONENT} to "
            f"{MAX_SHARE_EXPONENT}"
        )
    if number < 0 or number > scale:
        raise ValueError(f"outside the range 0 to {scale}")
    rounded = number.quantize(Decimal(1).scaleb(-SHARE_DECIMALS))
    return Fraction(rounded) / scale


def quote_value(value: object) -> str:
    """Quote an input value for a message, cut to MAX_QUOTED characters."""
    text = repr(value)
    if len(text) <= MAX_QUOTED:
        return text
    return f"{text[:MAX_QUOTED]}... ({len(text)} characters)"


def format_percent(share: Fraction) -> str:
    """Format a share of 1 as a percentage with at most two decimals: ``12.5%``."""
    percent = share * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    text = f"{float(percent):.2f}".rstrip("0").rstrip(".")
    return f"{text}%"
