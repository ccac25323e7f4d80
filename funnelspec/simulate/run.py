"""Run the requested methods on a spec and assemble a SimulationResult."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from funnelspec.errors import UsageError
from funnelspec.simulate import MAX_OPPORTUNITIES, METHODS
from funnelspec.simulate.exact import Solution, bottlenecks, exact_result
from funnelspec.simulate.model import Chain, Durations, build_chain, build_durations
from funnelspec.simulate.montecarlo import (
    VISIT_CAP,
    Samples,
    monte_carlo_result,
    sample,
)
from funnelspec.simulate.result import (
    DEFAULT_BASIS_OPPORTUNITIES,
    Basis,
    CohortForecast,
    CohortMonth,
    MonteCarloResult,
    RequiredInflow,
    SimulationResult,
)
from funnelspec.spec.model import Spec
from funnelspec.spec.units import DAYS_PER_MONTH, PERIOD_DAYS

if TYPE_CHECKING:
    from numpy.typing import NDArray

MAX_MONTHS = 240


def run(
    spec: Spec,
    *,
    method: str,
    opportunities: int,
    seed: int,
    months: int,
    target_wins: float | None,
    per: str | None,
    progress: Callable[[int], None] | None,
) -> SimulationResult:
    """Validate the options, then solve and sample the funnel as requested."""
    _check_options(method, opportunities, seed, months, target_wins, per)
    chain = build_chain(spec)
    durations = build_durations(spec, chain.stage_ids)
    period = per or (spec.inflow.period if spec.inflow else "month")
    basis = _basis(spec, period)
    warnings: list[str] = []
    if spec.inflow is None:
        warnings.append(
            f"the spec states no inflow, so counts are per "
            f"{DEFAULT_BASIS_OPPORTUNITIES:g} opportunities entering the funnel "
            "and there is no cohort forecast; add inflow: (for example "
            "inflow: 400 per month)"
        )

    exact, solution = exact_result(chain, durations, basis.opportunities)
    monte_carlo = None
    cohort = None
    if method != "exact":
        timed = _check_durations(chain, durations, solution, warnings)
        monte_carlo, cohort = _run_monte_carlo(
            spec,
            chain,
            durations,
            basis,
            opportunities=opportunities,
            seed=seed,
            months=months if timed else 0,
            progress=progress,
        )
        _check_capped(monte_carlo, warnings)

    use_exact = monte_carlo is None or method != "monte-carlo"
    win_rate = exact.win_rate if use_exact else _mc(monte_carlo).win_rate
    stages = exact.stages if use_exact else _mc(monte_carlo).stages
    wins = basis.opportunities * win_rate
    return SimulationResult(
        spec_name=spec.name,
        method=method,
        basis=basis,
        win_rate=win_rate,
        wins=wins,
        pipeline_value=None if spec.deal_value is None else wins * spec.deal_value,
        currency=spec.currency,
        stages=stages,
        exact=exact if method != "monte-carlo" else None,
        monte_carlo=monte_carlo,
        conversion_period_days=(
            spec.conversion_period.days if spec.conversion_period else None
        ),
        bottlenecks=bottlenecks(chain, solution, basis.opportunities, spec.deal_value),
        required_inflow=_required_inflow(spec, win_rate, target_wins, period),
        cohort=cohort,
        warnings=tuple(warnings),
    )


def _run_monte_carlo(
    spec: Spec,
    chain: Chain,
    durations: Durations,
    basis: Basis,
    *,
    opportunities: int,
    seed: int,
    months: int,
    progress: Callable[[int], None] | None,
) -> tuple[MonteCarloResult, CohortForecast | None]:
    """Sample the funnel; ``months`` 0 means no timing and no cohort forecast."""
    cohort_months = months if spec.inflow is not None else 0
    samples = sample(
        chain,
        durations,
        opportunities,
        seed,
        months=cohort_months,
        month_days=DAYS_PER_MONTH,
        progress=progress,
    )
    period_days = spec.conversion_period.days if spec.conversion_period else None
    result = monte_carlo_result(
        chain, samples, seed, basis.opportunities, period_days, timed=months > 0
    )
    cohort = None
    if spec.inflow is not None and cohort_months:
        cohort = _cohort(chain, samples, spec.inflow.per("month"))
    return result, cohort


def _mc(result: MonteCarloResult | None) -> MonteCarloResult:
    assert result is not None
    return result


def _check_options(
    method: str,
    opportunities: int,
    seed: int,
    months: int,
    target_wins: float | None,
    per: str | None,
) -> None:
    if method not in METHODS:
        raise UsageError(f"invalid method {method!r}; use one of: {', '.join(METHODS)}")
    if not 1 <= opportunities <= MAX_OPPORTUNITIES:
        raise UsageError(
            f"opportunities must be from 1 to {MAX_OPPORTUNITIES:,} (got "
            f"{opportunities:,}); use 100000 or more for stable percentiles"
        )
    if seed < 0:
        raise UsageError(f"seed must be 0 or more (got {seed})")
    if not 1 <= months <= MAX_MONTHS:
        raise UsageError(f"months must be from 1 to {MAX_MONTHS} (got {months})")
    if target_wins is not None and not (math.isfinite(target_wins) and target_wins > 0):
        raise UsageError(
            f"invalid target wins {target_wins:g}; give a finite number of wins "
            "above 0, for example --target-wins 20"
        )
    if per is not None and per not in PERIOD_DAYS:
        raise UsageError(
            f"invalid period {per!r}; use one of: {', '.join(PERIOD_DAYS)}"
        )


def _basis(spec: Spec, period: str) -> Basis:
    if spec.inflow is None:
        return Basis(opportunities=DEFAULT_BASIS_OPPORTUNITIES, period=None)
    return Basis(opportunities=spec.inflow.per(period), period=period)


def _check_durations(
    chain: Chain, durations: Durations, solution: Solution, warnings: list[str]
) -> bool:
    """Warn about visited stages without a duration; return whether to time."""
    visited = solution.visits > 0
    missing = [
        chain.stage_ids[row]
        for row in np.flatnonzero(visited & ~durations.stated).tolist()
    ]
    if not missing:
        return True
    names = ", ".join(repr(stage_id) for stage_id in missing)
    stages = f"stage {names}" if len(missing) == 1 else f"stages {names}"
    if not bool(durations.stated[visited].any()):
        warnings.append(
            f"no stage states a duration, so there is no time to close and no "
            f"cohort forecast; add duration: (for example duration: 2 weeks) to "
            f"{stages}"
        )
        return False
    verb = "states" if len(missing) == 1 else "state"
    warnings.append(
        f"{stages} {verb} no duration; Monte Carlo counts zero days there, so "
        "times to close and the cohort forecast are too short; add duration: "
        "(for example duration: 2 weeks)"
    )
    return True


def _check_capped(result: MonteCarloResult, warnings: list[str]) -> None:
    if result.capped:
        share = result.capped / result.opportunities
        warnings.append(
            f"{result.capped:,} of {result.opportunities:,} opportunities "
            f"({share:.2%}) were still in a loop after {VISIT_CAP} stage visits; "
            "they count as neither won nor lost, so raise the loop's exit "
            "probabilities"
        )


def _required_inflow(
    spec: Spec, win_rate: float, target_wins: float | None, per: str
) -> RequiredInflow | None:
    if target_wins is None:
        return None
    if win_rate <= 0:
        raise UsageError(
            f"the funnel wins no opportunity (win rate 0), so no inflow reaches "
            f"{target_wins:g} wins per {per}; raise a conversion on the way to won"
        )
    return RequiredInflow(
        target_wins=target_wins,
        per=per,
        opportunities=target_wins / win_rate,
        current=spec.inflow.per(per) if spec.inflow else None,
    )


def _cohort(chain: Chain, samples: Samples, cohort_size: float) -> CohortForecast:
    assert samples.cohort_wins is not None
    scale = cohort_size / samples.opportunities
    wins = samples.cohort_wins * scale
    cumulative = np.cumsum(wins)
    in_stage = np.asarray(samples.in_stage() * scale, dtype=np.float64)
    ongoing_in_stage = np.asarray(np.cumsum(in_stage, axis=1), dtype=np.float64)
    months = []
    for month in range(wins.size):
        months.append(
            CohortMonth(
                month=month + 1,
                wins=float(wins[month]),
                cumulative_wins=float(cumulative[month]),
                in_stage=_by_stage(chain, in_stage[:, month]),
                ongoing_wins=float(cumulative[month]),
                ongoing_in_stage=_by_stage(chain, ongoing_in_stage[:, month]),
            )
        )
    return CohortForecast(
        cohort_size=cohort_size, month_days=DAYS_PER_MONTH, months=tuple(months)
    )


def _by_stage(chain: Chain, counts: NDArray[np.float64]) -> dict[str, float]:
    return {
        stage_id: float(count)
        for stage_id, count in zip(chain.stage_ids, counts.tolist(), strict=True)
    }
