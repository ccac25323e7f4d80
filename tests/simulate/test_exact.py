"""The exact method against closed forms computed by hand."""

from __future__ import annotations

import math
from typing import Any

import pytest

from funnelspec.simulate import SimulationResult, simulate

from .helpers import INDUSTRIAL, load, load_fixture


def exact(name: str, **options: Any) -> SimulationResult:
    return simulate(load_fixture(name), method="exact", **options)


def test_linear_win_rate() -> None:
    result = exact("linear")
    assert result.win_rate == pytest.approx(0.5 * 0.4 * 0.8)


def test_linear_stage_flows() -> None:
    engaged, evaluating, negotiation = exact("linear").stages
    assert engaged.entered == pytest.approx(100)
    assert engaged.advanced == pytest.approx(50)
    assert engaged.lost == pytest.approx(50)
    assert evaluating.entered == pytest.approx(50)
    assert evaluating.advanced == pytest.approx(20)
    assert evaluating.lost == pytest.approx(30)
    assert negotiation.entered == pytest.approx(20)
    assert negotiation.advanced == pytest.approx(16)
    assert negotiation.lost == pytest.approx(4)
    assert [stage.conversion for stage in (engaged, evaluating, negotiation)] == (
        pytest.approx([0.5, 0.4, 0.8])
    )


def test_linear_wins_and_value() -> None:
    result = exact("linear")
    assert result.basis.opportunities == 100
    assert result.basis.period == "month"
    assert result.wins == pytest.approx(16)
    assert result.pipeline_value == pytest.approx(16_000)
    assert result.currency == "EUR"


def test_linear_mean_time_to_close() -> None:
    result = exact("linear")
    assert result.exact is not None
    assert result.exact.mean_time_to_close_days == pytest.approx(35)


def test_exact_has_no_timing() -> None:
    result = exact("linear")
    assert result.monte_carlo is None
    assert result.time_to_close is None
    assert result.within_conversion_period is None
    assert result.cohort is None


def test_branching_win_rate() -> None:
    result = exact("branching")
    assert result.win_rate == pytest.approx(0.6 * 0.5 + 0.3 * 0.8)


def test_branching_stage_flows() -> None:
    engaged, fast, slow = exact("branching").stages
    assert engaged.entered == pytest.approx(50)
    assert engaged.advanced == pytest.approx(45)
    assert engaged.lost == pytest.approx(5)
    assert engaged.conversion == pytest.approx(0.9)
    assert fast.entered == pytest.approx(30)
    assert fast.advanced == pytest.approx(15)
    assert slow.entered == pytest.approx(15)
    assert slow.advanced == pytest.approx(12)


def test_branching_mean_time_to_close() -> None:
    # Wins: 0.30 by the fast track (20 days), 0.24 by the slow one (50 days).
    result = exact("branching")
    assert result.exact is not None
    expected = (0.30 * 20 + 0.24 * 50) / 0.54
    assert result.exact.mean_time_to_close_days == pytest.approx(expected)


def test_loop_win_rate() -> None:
    result = exact("loop")
    assert result.win_rate == pytest.approx(2 / 17)


def test_loop_visits() -> None:
    nurture, qualified, proposal = exact("loop").stages
    assert nurture.visits == pytest.approx(20 / 17)
    assert qualified.visits == pytest.approx(10 / 17)
    assert proposal.visits == pytest.approx(4 / 17)


def test_loop_entries_per_period() -> None:
    nurture, qualified, proposal = exact("loop").stages
    assert nurture.entered == pytest.approx(200)
    assert qualified.entered == pytest.approx(100)
    assert qualified.advanced == pytest.approx(70)
    assert qualified.lost == pytest.approx(30)
    assert proposal.entered == pytest.approx(40)


def test_loop_mean_time_uses_lognormal_means() -> None:
    # Given won, a stage's expected visits are visits * w(stage) / w(entry),
    # with w the win probability from a stage: 2/17, 4/17 and 1/2.
    result = exact("loop")
    assert result.exact is not None
    sigma_default = math.log(2) / 1.2815515655446004
    sigma_qualified = math.log(3) / 1.2815515655446004
    w_nurture = 2 / 17
    w_qualified = 4 / 17
    w_proposal = 0.5
    visits = {"nurture": 20 / 17, "qualified": 10 / 17, "proposal": 4 / 17}
    won_from = {"nurture": w_nurture, "qualified": w_qualified, "proposal": w_proposal}
    means = {
        "nurture": 21 * math.exp(sigma_default**2 / 2),
        "qualified": 14 * math.exp(sigma_qualified**2 / 2),
        "proposal": 10 * math.exp(sigma_default**2 / 2),
    }
    expected = sum(
        visits[stage] * won_from[stage] / w_nurture * means[stage] for stage in visits
    )
    assert result.exact.mean_time_to_close_days == pytest.approx(expected)


def test_industrial_win_rate() -> None:
    result = simulate(load(INDUSTRIAL), method="exact")
    assert result.win_rate == pytest.approx(0.35 * 0.5 * 0.6 * 0.55 * 0.8)
    assert result.wins == pytest.approx(400 * 0.0462)


def test_bottleneck_gains() -> None:
    bottlenecks = {b.stage: b for b in exact("linear").bottlenecks}
    assert bottlenecks["engaged"].win_rate_gain == pytest.approx(
        0.55 * 0.4 * 0.8 - 0.16
    )
    assert bottlenecks["evaluating"].win_rate_gain == pytest.approx(
        0.5 * 0.45 * 0.8 - 0.16
    )
    assert bottlenecks["negotiation"].win_rate_gain == pytest.approx(
        0.5 * 0.4 * 0.85 - 0.16
    )
    assert bottlenecks["evaluating"].extra_wins == pytest.approx(100 * 0.02)
    assert bottlenecks["evaluating"].extra_value == pytest.approx(2_000)
    assert bottlenecks["evaluating"].improved_conversion == pytest.approx(0.45)


def test_bottleneck_ranking() -> None:
    ranked = [b.stage for b in exact("linear").bottlenecks]
    assert ranked == ["evaluating", "engaged", "negotiation"]


def test_bottleneck_next_map_proportional() -> None:
    # engaged keeps its 0.6 : 0.3 split and loses 0.05 less: 0.6333 and 0.3167.
    bottlenecks = {b.stage: b for b in exact("branching").bottlenecks}
    expected = (0.6 * 0.95 / 0.9) * 0.5 + (0.3 * 0.95 / 0.9) * 0.8 - 0.54
    assert bottlenecks["engaged"].win_rate_gain == pytest.approx(expected)
    assert bottlenecks["engaged"].improved_conversion == pytest.approx(0.95)


def test_bottleneck_capped_by_lost() -> None:
    # Every opportunity in the stage is won already, so there is nothing to gain.
    [bottleneck] = exact("lognormal").bottlenecks
    assert bottleneck.conversion == 1.0
    assert bottleneck.improved_conversion == 1.0
    assert bottleneck.win_rate_gain == 0.0


def test_required_inflow() -> None:
    required = exact("linear", target_wins=20).required_inflow
    assert required is not None
    assert required.opportunities == pytest.approx(20 / 0.16)
    assert required.per == "month"
    assert required.current == pytest.approx(100)


def test_required_inflow_per_week() -> None:
    result = exact("linear", target_wins=20, per="week")
    required = result.required_inflow
    assert required is not None
    assert required.opportunities == pytest.approx(125)
    assert required.current == pytest.approx(100 * 7 / 30.44)
    assert result.basis.period == "week"
    assert result.wins == pytest.approx(0.16 * 100 * 7 / 30.44)


def test_no_inflow_uses_hundred() -> None:
    result = exact("untimed")
    assert result.basis.opportunities == 100
    assert result.basis.period is None
    assert result.wins == pytest.approx(25)
    assert result.pipeline_value is None
    assert any("states no inflow" in warning for warning in result.warnings)
