"""Monte Carlo against the exact method, closed forms and fixed durations."""

from __future__ import annotations

import math
from typing import Any

import pytest

from funnelspec.simulate import SimulationResult, simulate
from funnelspec.simulate.model import DEFAULT_P90_RATIO, Z90
from funnelspec.simulate.montecarlo import CHUNK_SIZE, VISIT_CAP

from .helpers import INDUSTRIAL, load, load_fixture

N = 100_000


def both(name: str, **options: Any) -> SimulationResult:
    options.setdefault("opportunities", N)
    return simulate(load_fixture(name), method="both", **options)


def monte_carlo(result: SimulationResult) -> Any:
    assert result.monte_carlo is not None
    return result.monte_carlo


@pytest.mark.parametrize("name", ["linear", "branching", "loop", "untimed"])
def test_win_rate_within_four_errors(name: str) -> None:
    result = both(name)
    sampled = monte_carlo(result)
    assert abs(sampled.win_rate - result.win_rate) < 4 * sampled.win_rate_standard_error


def test_industrial_within_four_errors() -> None:
    result = simulate(load(INDUSTRIAL), opportunities=N)
    sampled = monte_carlo(result)
    assert abs(sampled.win_rate - result.win_rate) < 4 * sampled.win_rate_standard_error


@pytest.mark.parametrize("name", ["linear", "branching", "loop"])
def test_visits_within_four_errors(name: str) -> None:
    result = both(name)
    for exact, sampled in zip(result.stages, monte_carlo(result).stages, strict=True):
        assert exact.id == sampled.id
        if sampled.visits_standard_error == 0:
            assert sampled.visits == exact.visits, exact.id
        else:
            difference = abs(sampled.visits - exact.visits)
            assert difference < 4 * sampled.visits_standard_error, exact.id


def test_loop_visit_errors_include_revisits() -> None:
    # nurture is visited 20/17 times on average, with revisits through the
    # loop, so its standard error is positive although every opportunity
    # enters it at least once.
    nurture = monte_carlo(both("loop")).stages[0]
    assert nurture.visits > 1
    assert nurture.visits_standard_error > 0


def test_conservation_per_stage() -> None:
    for stage in monte_carlo(both("loop")).stages:
        assert stage.advanced + stage.lost == pytest.approx(stage.entered)


def test_fixed_durations_percentiles() -> None:
    timing = both("linear").time_to_close
    assert timing is not None
    assert timing.p50 == pytest.approx(35, abs=1e-9)
    assert timing.p80 == pytest.approx(35, abs=1e-9)
    assert timing.p90 == pytest.approx(35, abs=1e-9)
    assert timing.mean == pytest.approx(35)


def test_fixed_durations_within_period() -> None:
    assert both("linear").within_conversion_period == 1.0


def test_two_tracks_percentiles() -> None:
    # 30/54 of wins take 20 days and 24/54 take 50 days.
    timing = both("branching").time_to_close
    assert timing is not None
    assert timing.p50 == pytest.approx(20, abs=1e-9)
    assert timing.p80 == pytest.approx(50, abs=1e-9)
    assert timing.p90 == pytest.approx(50, abs=1e-9)


def test_two_tracks_within_period() -> None:
    result = both("branching")
    within = result.within_conversion_period
    assert within is not None
    wins = monte_carlo(result).win_rate * N
    error = math.sqrt((30 / 54) * (24 / 54) / wins)
    assert abs(within - 30 / 54) < 4 * error


def _quantile_error(quantile: float, median: float, sigma: float) -> float:
    """Standard error of a sample quantile of a lognormal, from N draws."""
    z = {0.5: 0.0, 0.9: Z90}[quantile]
    value = median * math.exp(sigma * z)
    density = math.exp(-(z**2) / 2) / (value * sigma * math.sqrt(2 * math.pi))
    return math.sqrt(quantile * (1 - quantile) / N) / density


def test_lognormal_fit_median_and_p90() -> None:
    timing = both("lognormal").time_to_close
    assert timing is not None
    sigma = math.log(3) / Z90
    assert abs(timing.p50 - 10) < 4 * _quantile_error(0.5, 10, sigma)
    assert abs(timing.p90 - 30) < 4 * _quantile_error(0.9, 10, sigma)


def test_default_spread_p90() -> None:
    timing = both("default-spread").time_to_close
    assert timing is not None
    sigma = math.log(DEFAULT_P90_RATIO) / Z90
    assert abs(timing.p50 - 10) < 4 * _quantile_error(0.5, 10, sigma)
    assert abs(timing.p90 - 20) < 4 * _quantile_error(0.9, 10, sigma)


def test_mean_time_matches_exact() -> None:
    result = simulate(load(INDUSTRIAL), opportunities=N)
    assert result.exact is not None
    timing = result.time_to_close
    assert timing is not None
    exact_mean = result.exact.mean_time_to_close_days
    assert exact_mean is not None
    assert timing.mean == pytest.approx(exact_mean, rel=0.02)


def test_same_seed_same_result() -> None:
    first = both("loop", seed=7)
    second = both("loop", seed=7)
    assert first.as_dict() == second.as_dict()


def test_other_seed_other_result() -> None:
    first = monte_carlo(both("loop", seed=7))
    second = monte_carlo(both("loop", seed=8))
    assert first.win_rate != second.win_rate


def test_progress_counts_every_opportunity() -> None:
    calls: list[int] = []
    count = CHUNK_SIZE + 1000
    simulate(
        load_fixture("linear"),
        method="monte-carlo",
        opportunities=count,
        progress=calls.append,
    )
    assert calls == [CHUNK_SIZE, 1000]


def test_monte_carlo_method_uses_samples() -> None:
    result = simulate(load_fixture("linear"), method="monte-carlo", opportunities=N)
    assert result.exact is None
    assert result.win_rate == monte_carlo(result).win_rate
    assert result.stages == monte_carlo(result).stages


def test_visit_cap_warning() -> None:
    result = both("long-loop", opportunities=10_000)
    sampled = monte_carlo(result)
    assert sampled.visit_cap == VISIT_CAP
    assert sampled.capped > 0
    assert any("still in a loop" in warning for warning in result.warnings)


def test_no_durations_no_timing() -> None:
    result = both("untimed")
    assert result.time_to_close is None
    assert result.cohort is None
    assert any("no stage states a duration" in w for w in result.warnings)


def test_missing_duration_counts_zero() -> None:
    result = both("partly-timed")
    timing = result.time_to_close
    assert timing is not None
    assert timing.p50 == pytest.approx(7 + 14, abs=1e-9)
    assert any("stage 'qualified' states no duration" in w for w in result.warnings)


def test_cohort_wins_by_month() -> None:
    # Opportunities enter evenly over month 1 and close 35 days later, so
    # wins fall in months 2 and 3 in the ratio (2 * 30.44 - 35) : (35 - 30.44).
    result = both("linear", months=4)
    cohort = result.cohort
    assert cohort is not None
    wins = [month.wins for month in cohort.months]
    total = 100 * monte_carlo(result).win_rate
    share_month_3 = (35 - 30.44) / 30.44
    error = 100 * math.sqrt(0.16 * share_month_3 / N)
    assert wins[0] == 0
    assert abs(wins[2] - 16 * share_month_3) < 4 * error
    assert wins[3] == 0
    assert cohort.months[-1].cumulative_wins == pytest.approx(total)


def test_cohort_stage_at_month_end() -> None:
    # At day 30.44, opportunities entering in the last 10 days are in
    # engaged. Those entering in the 20 days before are in evaluating if they
    # advanced (0.5). Those entering in the first 0.44 days are in
    # negotiation if they advanced twice (0.2).
    cohort = both("linear", months=2).cohort
    assert cohort is not None
    month = cohort.months[0]
    engaged_share = 10 / 30.44
    evaluating_share = 0.5 * 20 / 30.44
    engaged_error = 100 * math.sqrt(engaged_share * (1 - engaged_share) / N)
    evaluating_error = 100 * math.sqrt(evaluating_share * (1 - evaluating_share) / N)
    assert abs(month.in_stage["engaged"] - 100 * engaged_share) < 4 * engaged_error
    assert (
        abs(month.in_stage["evaluating"] - 100 * evaluating_share)
        < 4 * evaluating_error
    )
    negotiation_share = 0.2 * 0.44 / 30.44
    negotiation_error = 100 * math.sqrt(negotiation_share / N)
    assert (
        abs(month.in_stage["negotiation"] - 100 * negotiation_share)
        < 4 * negotiation_error
    )


def test_ongoing_follows_littles_law() -> None:
    # With the same inflow every month, the number in a stage settles at
    # entries per month times the mean months spent in the stage.
    result = simulate(load(INDUSTRIAL), opportunities=N, months=24)
    cohort = result.cohort
    assert cohort is not None
    means = {"engaged": 14, "qualified": 21, "evaluating": 28, "proposal": 21}
    sigmas = {
        "engaged": math.log(2) / Z90,
        "qualified": math.log(8 / 3) / Z90,
        "evaluating": math.log(10 / 4) / Z90,
        "proposal": math.log(2) / Z90,
    }
    last = cohort.months[-1]
    for stage in result.stages[:4]:
        mean_days = means[stage.id] * math.exp(sigmas[stage.id] ** 2 / 2)
        expected = stage.entered * mean_days / 30.44
        assert last.ongoing_in_stage[stage.id] == pytest.approx(expected, rel=0.03)


def test_ongoing_wins_settle_at_rate() -> None:
    result = simulate(load(INDUSTRIAL), opportunities=N, months=24)
    cohort = result.cohort
    assert cohort is not None
    assert cohort.months[-1].ongoing_wins == pytest.approx(result.wins, rel=0.03)


def test_loop_cohort_keeps_all_wins() -> None:
    result = both("loop", months=36)
    cohort = result.cohort
    assert cohort is not None
    total = 170 * monte_carlo(result).win_rate
    cumulative = cohort.months[-1].cumulative_wins
    assert cumulative <= total + 1e-9
    assert cumulative > 0.999 * total
    assert min(min(month.in_stage.values()) for month in cohort.months) >= 0
