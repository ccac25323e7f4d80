"""Results of a simulation: frozen dataclasses and their JSON form.

Counts of opportunities and wins are per ``Basis``: the spec's inflow over
the reporting period (400 opportunities per month), or 100 opportunities
entering the funnel when the spec states no inflow. Shares are in [0, 1]
and times are in days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Opportunities in the basis when the spec states no inflow.
DEFAULT_BASIS_OPPORTUNITIES = 100.0


@dataclass(frozen=True, slots=True)
class Basis:
    """The number of opportunities that per-basis counts refer to."""

    opportunities: float
    """Opportunities entering the first stage per period."""
    period: str | None
    """day, week, month, quarter or year; None when the spec states no inflow."""

    def describe(self) -> str:
        """Return ``400 opportunities per month`` or ``100 opportunities``."""
        text = f"{self.opportunities:,.4g} opportunities"
        return f"{text} per {self.period}" if self.period else text


@dataclass(frozen=True, slots=True)
class StageFlow:
    """Flow through one stage, per basis."""

    id: str
    name: str
    entered: float
    """Entries into the stage, re-entries through loops included."""
    advanced: float
    """Exits to another stage or to won."""
    lost: float
    """Exits to lost."""
    conversion: float
    """advanced / entered; the stated rate when no opportunity enters."""
    visits: float
    """Expected entries into the stage per opportunity entering the funnel."""
    visits_standard_error: float | None = None
    """Standard error of ``visits`` (Monte Carlo only)."""


@dataclass(frozen=True, slots=True)
class TimeToClose:
    """Time from entering the funnel to won, over won opportunities, in days."""

    p50: float
    p80: float
    p90: float
    mean: float


@dataclass(frozen=True, slots=True)
class ExactResult:
    """The funnel solved as an absorbing Markov chain."""

    win_rate: float
    stages: tuple[StageFlow, ...]
    mean_time_to_close_days: float | None
    """Expected time to won from mean stage durations; None if a stage on a
    path to won has no duration."""


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """The funnel sampled one opportunity at a time, vectorised."""

    opportunities: int
    seed: int
    win_rate: float
    win_rate_standard_error: float
    stages: tuple[StageFlow, ...]
    time_to_close: TimeToClose | None
    """None when no sampled opportunity was won."""
    within_conversion_period: float | None
    """Share of won opportunities closing within the conversion period; None
    without a conversion period or without wins."""
    visit_cap: int
    """Maximum stage visits followed per opportunity."""
    capped: int
    """Opportunities still open at the visit cap; counted neither won nor lost."""


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """Gain from raising one stage's conversion by ``step`` (absolute)."""

    stage: str
    name: str
    conversion: float
    improved_conversion: float
    step: float
    win_rate_gain: float
    extra_wins: float
    """Additional wins per basis."""
    extra_value: float | None
    """extra_wins times deal_value; None without a deal value."""


@dataclass(frozen=True, slots=True)
class RequiredInflow:
    """Inflow needed to reach a target number of wins per period."""

    target_wins: float
    per: str
    opportunities: float
    """Opportunities entering the first stage per ``per`` to reach the target."""
    current: float | None
    """The spec's inflow per ``per``; None when the spec states no inflow."""


@dataclass(frozen=True, slots=True)
class CohortMonth:
    """Wins during one month and open opportunities at its end."""

    month: int
    """1 for the first month after the cohort starts entering."""
    wins: float
    """Wins of the first month's cohort closing during this month."""
    cumulative_wins: float
    in_stage: Mapping[str, float]
    """Open opportunities of the cohort in each stage at the month's end."""
    ongoing_wins: float
    """Wins during this month when a new cohort enters every month."""
    ongoing_in_stage: Mapping[str, float]
    """Open opportunities in each stage at the month's end with a new cohort
    every month, starting from an empty funnel."""


@dataclass(frozen=True, slots=True)
class CohortForecast:
    """Month-by-month forecast for one month's inflow, from the Monte Carlo run."""

    cohort_size: float
    """Opportunities entering during the first month, spread evenly over it."""
    month_days: float
    months: tuple[CohortMonth, ...]


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """Everything ``funnelspec simulate`` reports for one spec.

    ``win_rate`` and ``stages`` come from the exact method when it ran and
    from Monte Carlo otherwise. Timing needs Monte Carlo.
    """

    spec_name: str
    method: str
    basis: Basis
    win_rate: float
    wins: float
    """Wins per basis."""
    pipeline_value: float | None
    """wins times deal_value, in ``currency``; None without a deal value."""
    currency: str | None
    stages: tuple[StageFlow, ...]
    exact: ExactResult | None
    monte_carlo: MonteCarloResult | None
    conversion_period_days: float | None
    bottlenecks: tuple[Bottleneck, ...]
    """Stages ranked by extra wins, largest first."""
    required_inflow: RequiredInflow | None
    cohort: CohortForecast | None
    warnings: tuple[str, ...] = ()

    @property
    def time_to_close(self) -> TimeToClose | None:
        return self.monte_carlo.time_to_close if self.monte_carlo else None

    @property
    def within_conversion_period(self) -> float | None:
        return self.monte_carlo.within_conversion_period if self.monte_carlo else None

    def as_dict(self) -> dict[str, Any]:
        """Return the documented JSON form (see docs/simulate.md)."""
        from funnelspec.simulate.json_form import result_to_dict

        return result_to_dict(self)
