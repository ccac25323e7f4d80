"""The JSON form of a SimulationResult; field names are documented in
docs/simulate.md and stay stable.

Floats are rounded to 10 significant digits, so floating-point noise in the
last bits (18.480000000000004) does not show.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from funnelspec.simulate.result import (
    CohortForecast,
    ExactResult,
    MonteCarloResult,
    SimulationResult,
    StageFlow,
    TimeToClose,
)

SCHEMA_VERSION = 1


def result_to_dict(result: SimulationResult) -> dict[str, Any]:
    """Return the JSON-ready mapping of a result."""
    monte_carlo = result.monte_carlo
    data: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "spec": result.spec_name,
        "method": result.method,
        "basis": asdict(result.basis),
        "win_rate": result.win_rate,
        "wins": result.wins,
        "pipeline_value": result.pipeline_value,
        "currency": result.currency,
        "conversion_period_days": result.conversion_period_days,
        "stages": [_stage(stage) for stage in result.stages],
        "time_to_close_days": _time(monte_carlo.time_to_close if monte_carlo else None),
        "within_conversion_period": result.within_conversion_period,
        "bottlenecks": [asdict(bottleneck) for bottleneck in result.bottlenecks],
        "required_inflow": (
            asdict(result.required_inflow) if result.required_inflow else None
        ),
        "cohort": _cohort(result.cohort),
        "exact": _exact(result.exact),
        "monte_carlo": _monte_carlo(monte_carlo),
        "warnings": list(result.warnings),
    }
    rounded: dict[str, Any] = _round(data)
    return rounded


def _stage(stage: StageFlow) -> dict[str, Any]:
    data = asdict(stage)
    if stage.visits_standard_error is None:
        del data["visits_standard_error"]
    return data


def _time(time_to_close: TimeToClose | None) -> dict[str, float] | None:
    return asdict(time_to_close) if time_to_close else None


def _exact(exact: ExactResult | None) -> dict[str, Any] | None:
    if exact is None:
        return None
    return {
        "win_rate": exact.win_rate,
        "stages": [_stage(stage) for stage in exact.stages],
        "mean_time_to_close_days": exact.mean_time_to_close_days,
    }


def _monte_carlo(result: MonteCarloResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "opportunities": result.opportunities,
        "seed": result.seed,
        "win_rate": result.win_rate,
        "win_rate_standard_error": result.win_rate_standard_error,
        "stages": [_stage(stage) for stage in result.stages],
        "time_to_close_days": _time(result.time_to_close),
        "within_conversion_period": result.within_conversion_period,
        "visit_cap": result.visit_cap,
        "capped": result.capped,
    }


def _cohort(cohort: CohortForecast | None) -> dict[str, Any] | None:
    if cohort is None:
        return None
    return {
        "cohort_size": cohort.cohort_size,
        "month_days": cohort.month_days,
        "months": [
            {
                "month": month.month,
                "wins": month.wins,
                "cumulative_wins": month.cumulative_wins,
                "in_stage": dict(month.in_stage),
                "ongoing_wins": month.ongoing_wins,
                "ongoing_in_stage": dict(month.ongoing_in_stage),
            }
            for month in cohort.months
        ],
    }


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, dict):
        return {key: _round(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_round(item) for item in value]
    return value
