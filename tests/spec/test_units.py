"""Durations, rates and inflow: every accepted form and every error message."""

from __future__ import annotations

import pytest

from funnelspec.spec.units import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    UnitError,
    did_you_mean,
    parse_duration,
    parse_inflow,
    parse_rate,
    parse_stage_duration,
)

DURATIONS = [
    ("30 minutes", 30 / 1440),
    ("1 min", 1 / 1440),
    ("24 hours", 1.0),
    ("1 hour", 1 / 24),
    ("36h", 1.5),
    ("2 hrs", 2 / 24),
    ("1 day", 1.0),
    ("5 days", 5.0),
    ("3d", 3.0),
    ("1 week", 7.0),
    ("2 weeks", 14.0),
    ("3 wks", 21.0),
    ("1 month", DAYS_PER_MONTH),
    ("6 months", 6 * DAYS_PER_MONTH),
    ("1 quarter", DAYS_PER_YEAR / 4),
    ("2 quarters", DAYS_PER_YEAR / 2),
    ("1 year", DAYS_PER_YEAR),
    ("2 yrs", 2 * DAYS_PER_YEAR),
    ("1.5 days", 1.5),
    (".5 days", 0.5),
    ("2weeks", 14.0),
    ("  2   Weeks ", 14.0),
    ("1 MONTHS", DAYS_PER_MONTH),
]

ISO_DURATIONS = [
    ("P6M", 6 * DAYS_PER_MONTH),
    ("P1Y", DAYS_PER_YEAR),
    ("P1Y2M", DAYS_PER_YEAR + 2 * DAYS_PER_MONTH),
    ("P2W", 14.0),
    ("P3D", 3.0),
    ("PT24H", 1.0),
    ("PT90M", 90 / 1440),
    ("PT3600S", 1 / 24),
    ("P1DT12H", 1.5),
    ("P1.5Y", 1.5 * DAYS_PER_YEAR),
    ("PT0.5H", 1 / 48),
    ("p6m", 6 * DAYS_PER_MONTH),
]

DURATION_ERRORS = [
    (
        "2 wekks",
        "unknown duration unit 'wekks' in '2 wekks' (did you mean 'weeks'?); "
        "use hours, days, weeks, months or years",
    ),
    (
        "2 fortnights",
        "unknown duration unit 'fortnights' in '2 fortnights'; "
        "use hours, days, weeks, months or years",
    ),
    (
        "weeks",
        "invalid duration 'weeks'; expected a number and a unit "
        "(24 hours, 2 weeks, 6 months) or ISO 8601 (P6M)",
    ),
    (
        "",
        "invalid duration ''; expected a number and a unit "
        "(24 hours, 2 weeks, 6 months) or ISO 8601 (P6M)",
    ),
    (
        "P",
        "invalid duration 'P'; expected a number and a unit "
        "(24 hours, 2 weeks, 6 months) or ISO 8601 (P6M)",
    ),
    (
        "PT",
        "invalid duration 'PT'; expected a number and a unit "
        "(24 hours, 2 weeks, 6 months) or ISO 8601 (P6M)",
    ),
    (
        "P1DT",
        "invalid duration 'P1DT'; expected a number and a unit "
        "(24 hours, 2 weeks, 6 months) or ISO 8601 (P6M)",
    ),
    ("0 days", "duration '0 days' must be longer than zero"),
    ("-1 days", "duration '-1 days' must be longer than zero"),
    ("P0D", "duration 'P0D' must be longer than zero"),
    (
        "1" + "0" * 400 + " years",
        "duration '10000000000000000...00000000000 years' is too long to compute with",
    ),
    (3, "duration 3 has no unit; write it as 3 days, 3 weeks or 3 months"),
    (2.5, "duration 2.5 has no unit; write it as 2.5 days, 2.5 weeks or 2.5 months"),
    (
        True,
        "expected a duration as a number and a unit (24 hours, 2 weeks, 6 months) "
        "or ISO 8601 (P6M)",
    ),
    (
        None,
        "expected a duration as a number and a unit (24 hours, 2 weeks, 6 months) "
        "or ISO 8601 (P6M)",
    ),
    (
        ["2 weeks"],
        "expected a duration as a number and a unit (24 hours, 2 weeks, 6 months) "
        "or ISO 8601 (P6M)",
    ),
]


@pytest.mark.parametrize(("text", "days"), DURATIONS)
def test_duration_units(text: str, days: float) -> None:
    duration = parse_duration(text)
    assert duration.days == pytest.approx(days)
    assert duration.text == text.strip()


@pytest.mark.parametrize(("text", "days"), ISO_DURATIONS)
def test_duration_iso_8601(text: str, days: float) -> None:
    assert parse_duration(text).days == pytest.approx(days)


def test_duration_hours() -> None:
    assert parse_duration("2 days").hours == pytest.approx(48)


def test_duration_str_is_text() -> None:
    assert str(parse_duration("6 months")) == "6 months"


@pytest.mark.parametrize(("value", "message"), DURATION_ERRORS)
def test_duration_errors(value: object, message: str) -> None:
    with pytest.raises(UnitError) as error:
        parse_duration(value)
    assert str(error.value) == message


def test_stage_duration_text() -> None:
    duration = parse_stage_duration("2 weeks")
    assert duration.median.days == 14
    assert duration.p90 is None
    assert not duration.fixed


def test_stage_duration_median_p90() -> None:
    duration = parse_stage_duration({"median": "3 weeks", "p90": "8 weeks"})
    assert duration.median.days == 21
    assert duration.p90 is not None
    assert duration.p90.days == 56
    assert not duration.fixed


def test_stage_duration_median_only() -> None:
    duration = parse_stage_duration({"median": "3 weeks", "p90": None})
    assert duration.median.days == 21
    assert duration.p90 is None


def test_stage_duration_p90_equals_median() -> None:
    duration = parse_stage_duration({"median": "1 week", "p90": "7 days"})
    assert duration.p90 is not None
    assert duration.p90.days == duration.median.days


def test_stage_duration_fixed() -> None:
    duration = parse_stage_duration({"fixed": "P1W"})
    assert duration.median.days == 7
    assert duration.p90 is None
    assert duration.fixed


STAGE_DURATION_ERRORS = [
    (
        {"fixed": "1 week", "median": "1 week"},
        "a fixed duration takes no median or p90",
    ),
    ({"p90": "1 week"}, "a stage duration mapping needs a median (and may give p90)"),
    ({}, "a stage duration mapping needs a median (and may give p90)"),
    (
        {"median": "3 weeks", "p90": "1 week"},
        "p90 (1 week) is shorter than the median (3 weeks); "
        "p90 must be at least the median",
    ),
    (
        {"mediam": "1 week"},
        "unknown key 'mediam' in a stage duration (did you mean 'median'?); "
        "use median and p90, or fixed",
    ),
    (
        {"median": "1 week", "p95": "2 weeks"},
        "unknown key 'p95' in a stage duration (did you mean 'p90'?); "
        "use median and p90, or fixed",
    ),
    (
        {"median": "3 wekks"},
        "unknown duration unit 'wekks' in '3 wekks' (did you mean 'weeks'?); "
        "use hours, days, weeks, months or years",
    ),
]


@pytest.mark.parametrize(("value", "message"), STAGE_DURATION_ERRORS)
def test_stage_duration_errors(value: object, message: str) -> None:
    with pytest.raises(UnitError) as error:
        parse_stage_duration(value)
    assert str(error.value) == message


RATES = [
    (0.35, 0.35),
    (0, 0.0),
    (1, 1.0),
    ("0.35", 0.35),
    ("35%", 0.35),
    (" 35 % ", 0.35),
    ("35.5%", 0.355),
    ("100%", 1.0),
    ("0%", 0.0),
    ("1e-1", 0.1),
]

RATE_ERRORS = [
    (1.35, "rate 1.35 is outside 0 to 1 (0% to 100%)"),
    (-0.1, "rate -0.1 is outside 0 to 1 (0% to 100%)"),
    ("101%", "rate '101%' is outside 0 to 1 (0% to 100%)"),
    ("-1%", "rate '-1%' is outside 0 to 1 (0% to 100%)"),
    ("35", "rate '35' is outside 0 to 1 (0% to 100%)"),
    ("nan", "rate 'nan' is outside 0 to 1 (0% to 100%)"),
    (
        "high",
        "invalid rate 'high'; write a number between 0 and 1 (0.35) "
        'or a percentage ("35%")',
    ),
    (True, "expected a rate between 0 and 1 (0.35) or a percentage"),
    (None, "expected a rate between 0 and 1 (0.35) or a percentage"),
]


@pytest.mark.parametrize(("value", "rate"), RATES)
def test_rate_forms(value: object, rate: float) -> None:
    assert parse_rate(value) == pytest.approx(rate)


@pytest.mark.parametrize(("value", "message"), RATE_ERRORS)
def test_rate_errors(value: object, message: str) -> None:
    with pytest.raises(UnitError) as error:
        parse_rate(value)
    assert str(error.value) == message


INFLOWS = [
    ("400 per month", 400, "month"),
    ("400/month", 400, "month"),
    ("400 / month", 400, "month"),
    ("400 a month", 400, "month"),
    ("400 per months", 400, "month"),
    ("12 per Day", 12, "day"),
    ("1.5 per week", 1.5, "week"),
    ("1000 each quarter", 1000, "quarter"),
    ("5000 per year", 5000, "year"),
]

INFLOW_ERRORS = [
    (
        "400 per mnth",
        "unknown inflow period 'mnth' (did you mean 'month'?); "
        "use day, week, month, quarter or year",
    ),
    (
        "400 per fortnight",
        "unknown inflow period 'fortnight'; use day, week, month, quarter or year",
    ),
    (
        "400",
        "invalid inflow '400'; write a count per period, for example 400 per month",
    ),
    ("0 per month", "inflow '0 per month' must be more than zero"),
    (400, "expected inflow as a count per period, for example 400 per month"),
]


@pytest.mark.parametrize(("text", "count", "period"), INFLOWS)
def test_inflow_forms(text: str, count: float, period: str) -> None:
    inflow = parse_inflow(text)
    assert inflow.count == count
    assert inflow.period == period
    assert str(inflow) == text.strip()


def test_inflow_per_period() -> None:
    inflow = parse_inflow("400 per month")
    assert inflow.per_day == pytest.approx(400 / DAYS_PER_MONTH)
    assert inflow.per("year") == pytest.approx(400 * 12, rel=1e-3)


@pytest.mark.parametrize(("value", "message"), INFLOW_ERRORS)
def test_inflow_errors(value: object, message: str) -> None:
    with pytest.raises(UnitError) as error:
        parse_inflow(value)
    assert str(error.value) == message


def test_did_you_mean_close() -> None:
    assert did_you_mean("salez", ["marketing", "sales"]) == " (did you mean 'sales'?)"


def test_did_you_mean_far() -> None:
    assert did_you_mean("xyz", ["marketing", "sales"]) == ""
