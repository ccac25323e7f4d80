"""Durations, rates and inflow: parsing the spec's text forms into typed values.

A month is 30.44 days (365.25 / 12) and a year 365.25 days. Every parser
raises ``UnitError`` with a message that names the value and the accepted forms.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Maximum duration a spec may state, in years. It keeps simulated times finite.
MAX_DURATION_YEARS = 1000
DAYS_PER_MONTH = 30.44
DAYS_PER_YEAR = 365.25

MAX_DURATION_DAYS = MAX_DURATION_YEARS * DAYS_PER_YEAR

#: Length in days of each duration unit, by every accepted spelling.
_UNIT_DAYS: dict[str, float] = {}
for _names, _days in (
    (("minute", "minutes", "min", "mins"), 1 / 1440),
    (("hour", "hours", "h", "hr", "hrs"), 1 / 24),
    (("day", "days", "d"), 1.0),
    (("week", "weeks", "w", "wk", "wks"), 7.0),
    (("month", "months", "mo"), DAYS_PER_MONTH),
    (("quarter", "quarters", "q"), DAYS_PER_YEAR / 4),
    (("year", "years", "y", "yr", "yrs"), DAYS_PER_YEAR),
):
    for _name in _names:
        _UNIT_DAYS[_name] = _days

#: Periods that an inflow or a target can be stated per.
PERIOD_DAYS: dict[str, float] = {
    "day": 1.0,
    "week": 7.0,
    "month": DAYS_PER_MONTH,
    "quarter": DAYS_PER_YEAR / 4,
    "year": DAYS_PER_YEAR,
}

_NUMBER = r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+"
_DURATION = re.compile(rf"^\s*(?P<number>-?(?:{_NUMBER}))\s*(?P<unit>[A-Za-z]+)\s*$")
_ISO = re.compile(
    r"^P(?!$)(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_ISO_DAYS = {
    "years": DAYS_PER_YEAR,
    "months": DAYS_PER_MONTH,
    "weeks": 7.0,
    "days": 1.0,
    "hours": 1 / 24,
    "minutes": 1 / 1440,
    "seconds": 1 / 86400,
}
_INFLOW = re.compile(
    rf"^\s*(?P<number>{_NUMBER})\s*(?:per|/|a|an|each)\s*(?P<period>[A-Za-z]+)\s*$"
)
_PERCENT = re.compile(rf"^\s*(?P<number>-?(?:{_NUMBER}))\s*%\s*$")

DURATION_FORMS = "a number and a unit (24 hours, 2 weeks, 6 months) or ISO 8601 (P6M)"


class UnitError(ValueError):
    """A value that is not a valid duration, rate or inflow."""


@dataclass(frozen=True, slots=True)
class Duration:
    """A length of time, kept in days with the text it was written as."""

    days: float
    text: str

    @property
    def hours(self) -> float:
        return self.days * 24

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class StageDuration:
    """Time an opportunity spends in a stage: a median, and optionally a p90.

    ``fixed`` means every opportunity takes exactly the median.
    """

    median: Duration
    p90: Duration | None = None
    fixed: bool = False


@dataclass(frozen=True, slots=True)
class Inflow:
    """New opportunities entering the funnel's first stage per period."""

    count: float
    period: str
    text: str

    @property
    def per_day(self) -> float:
        return self.count / PERIOD_DAYS[self.period]

    def per(self, period: str) -> float:
        """Return the inflow per the named period (day, week, month, ...)."""
        return self.per_day * PERIOD_DAYS[period]

    def __str__(self) -> str:
        return self.text


def parse_duration(value: object) -> Duration:
    """Parse ``2 weeks``, ``24 hours``, ``6 months`` or ISO 8601 ``P6M``."""
    if isinstance(value, Duration):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UnitError(f"expected a duration as {DURATION_FORMS}")
    if isinstance(value, float) and not math.isfinite(value):
        raise UnitError(f"duration {value!r} is not a length of time")
    if isinstance(value, int | float):
        number = shorten(value)
        raise UnitError(
            f"duration {number} has no unit; write it as {number} days, "
            f"{number} weeks or {number} months"
        )
    text = value.strip()
    iso = _ISO.match(text.upper()) if text[:1] in "Pp" else None
    if iso:
        days = sum(
            float(amount) * _ISO_DAYS[part]
            for part, amount in iso.groupdict().items()
            if amount
        )
        return _positive(days, text)
    match = _DURATION.match(text)
    if not match:
        raise UnitError(f"invalid duration {shorten(text)}; expected {DURATION_FORMS}")
    unit = match["unit"].lower()
    if unit not in _UNIT_DAYS:
        raise UnitError(
            f"unknown duration unit {shorten(match['unit'])} in {shorten(text)}"
            + did_you_mean(unit, _UNIT_DAYS)
            + "; use hours, days, weeks, months or years"
        )
    return _positive(float(match["number"]) * _UNIT_DAYS[unit], text)


def _positive(days: float, text: str) -> Duration:
    if not math.isfinite(days):
        raise UnitError(f"duration {shorten(text)} is too long to compute with")
    if days <= 0:
        raise UnitError(f"duration {text!r} must be longer than zero")
    if days > MAX_DURATION_DAYS:
        raise UnitError(
            f"duration {shorten(text)} is longer than {MAX_DURATION_YEARS:,} years; "
            "no funnel step takes that long"
        )
    return Duration(days=days, text=text)


def parse_stage_duration(value: object) -> StageDuration:
    """Parse a stage duration: ``2 weeks``, ``{median, p90}`` or ``{fixed}``."""
    if isinstance(value, StageDuration):
        return value
    if not isinstance(value, dict):
        return StageDuration(median=parse_duration(value))
    unknown = sorted(set(value) - {"median", "p90", "fixed"})
    if unknown:
        raise UnitError(
            f"unknown key {unknown[0]!r} in a stage duration"
            + did_you_mean(str(unknown[0]), ("median", "p90", "fixed"))
            + "; use median and p90, or fixed"
        )
    if "fixed" in value:
        if len(value) > 1:
            raise UnitError("a fixed duration takes no median or p90")
        return StageDuration(median=parse_duration(value["fixed"]), fixed=True)
    if "median" not in value:
        raise UnitError("a stage duration mapping needs a median (and may give p90)")
    median = parse_duration(value["median"])
    p90 = parse_duration(value["p90"]) if value.get("p90") is not None else None
    if p90 is not None and p90.days < median.days:
        raise UnitError(
            f"p90 ({p90.text}) is shorter than the median ({median.text}); "
            "p90 must be at least the median"
        )
    return StageDuration(median=median, p90=p90)


def parse_rate(value: object) -> float:
    """Parse a share in [0, 1], as a number (0.35) or a percentage ("35%")."""
    if isinstance(value, bool):
        raise UnitError("expected a rate between 0 and 1 (0.35) or a percentage")
    if isinstance(value, str):
        percent = _PERCENT.match(value)
        if percent:
            rate = float(percent["number"]) / 100
        else:
            try:
                rate = float(value.strip())
            except ValueError:
                raise UnitError(
                    f"invalid rate {shorten(value)}; write a number between 0 "
                    'and 1 (0.35) or a percentage ("35%")'
                ) from None
    elif isinstance(value, int):
        # float() of an integer beyond about 1e308 raises OverflowError.
        rate = float(value) if abs(value) <= 1 else math.inf
    elif isinstance(value, float):
        rate = value
    else:
        raise UnitError("expected a rate between 0 and 1 (0.35) or a percentage")
    if not math.isfinite(rate) or not 0 <= rate <= 1:
        raise UnitError(f"rate {shorten(value)} is outside 0 to 1 (0% to 100%)")
    return rate


def parse_inflow(value: object) -> Inflow:
    """Parse ``400 per month`` (also ``400/month``) into an Inflow."""
    if isinstance(value, Inflow):
        return value
    if not isinstance(value, str):
        raise UnitError(
            "expected inflow as a count per period, for example 400 per month"
        )
    match = _INFLOW.match(value)
    if not match:
        raise UnitError(
            f"invalid inflow {shorten(value)}; write a count per period, for example "
            "400 per month"
        )
    period = match["period"].lower().removesuffix("s")
    if period not in PERIOD_DAYS:
        raise UnitError(
            f"unknown inflow period {shorten(match['period'])}"
            + did_you_mean(period, PERIOD_DAYS)
            + "; use day, week, month, quarter or year"
        )
    count = float(match["number"])
    if not math.isfinite(count):
        raise UnitError(f"inflow {shorten(value)} is too large to compute with")
    if count <= 0:
        raise UnitError(f"inflow {shorten(value)} must be more than zero")
    return Inflow(count=count, period=period, text=value.strip())


def shorten(value: object, limit: int = 40) -> str:
    """Return repr(value), cut in the middle to about limit characters.

    Both ends stay, so a long duration still shows its unit.
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return text[:half] + "..." + text[-half:]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or an empty string.

    Case is ignored, so ``B2B`` suggests ``b2b``.
    """
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean {by_lower[close[0]]!r}?)" if close else ""
