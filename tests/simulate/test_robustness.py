"""Specs and options at the edges: singular and ill-conditioned chains, huge
durations, rare wins, non-finite targets and long funnels."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.errors import UsageError
from funnelspec.simulate import simulate
from funnelspec.simulate.errors import SpecError
from funnelspec.simulate.exact import BOTTLENECK_STEP, solve, solve_chain
from funnelspec.simulate.model import Chain, build_chain
from funnelspec.spec import units
from funnelspec.spec.model import Spec

from .helpers import INDUSTRIAL, fixture, load

HEADER = "funnelspec: 1\nname: Edge case\nmotion: b2b\ninflow: 100 per month\n"


def write_spec(tmp_path: Path, stages: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(HEADER + "stages:\n" + stages, encoding="utf-8")
    return path


def stage(stage_id: str, route: str, duration: str = "1 week") -> str:
    return (
        f"  - id: {stage_id}\n    owner: sales\n    key_outcome: k\n"
        f"    duration: {duration}\n    {route}\n"
    )


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    outcome = runner.invoke(cli, list(args))
    return outcome.exit_code, outcome.stdout, outcome.stderr


def test_unreached_closed_loop(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        stage("a", "next: {won: 0.5}")
        + stage("b", "next: {c: 1}")
        + stage("c", "next: {b: 1}"),
    )
    with pytest.raises(SpecError) as caught:
        simulate(load(path), method="exact")
    message = str(caught.value)
    assert "stages 'b', 'c' cannot be reached from the entry stage" in message
    assert "never reach won or lost" in message
    assert caught.value.path == ("stages", 1)


def test_near_closed_loop_rejected(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path, stage("a", "next: {a: 0.99999999999999, won: 0.00000000000001}")
    )
    with pytest.raises(SpecError) as caught:
        simulate(load(path), method="exact")
    message = str(caught.value)
    assert "the loop through stage 'a' is left with a probability of 1e-14" in message
    assert "below 1e-09" in message
    assert caught.value.path == ("stages", 0, "next")


def test_slow_loop_accepted(tmp_path: Path) -> None:
    path = write_spec(tmp_path, stage("a", "next: {a: 0.999999, won: 0.000001}"))
    result = simulate(load(path), method="exact")
    assert result.win_rate == pytest.approx(1.0)
    assert result.win_rate <= 1.0


def with_duration(path: Path, duration: units.StageDuration) -> Spec:
    """Load a spec and give its first stage a duration that parsing would reject.

    The spec format stops durations above 1,000 years, so only a Spec built in
    code reaches the simulator's own check.
    """
    spec = load(path)
    first = spec.stages[0].model_copy(update={"duration": duration})
    return spec.model_copy(update={"stages": [first, *spec.stages[1:]]})


def test_huge_median_rejected(tmp_path: Path) -> None:
    path = write_spec(tmp_path, stage("a", "conversion: 0.5"))
    huge = units.StageDuration(median=units.Duration(1e300, "1e300 days"))
    with pytest.raises(SpecError) as caught:
        simulate(with_duration(path, huge), opportunities=1000)
    message = str(caught.value)
    assert "the duration median of stage 'a' is 1e+300 days" in message
    assert "more than the 365,250 days (1,000 years)" in message
    assert caught.value.path == ("stages", 0, "duration")


def test_huge_p90_rejected(tmp_path: Path) -> None:
    path = write_spec(tmp_path, stage("a", "conversion: 0.5"))
    huge = units.StageDuration(
        median=units.Duration(1 / 1440, "1 minute"),
        p90=units.Duration(1e300, "1e300 days"),
    )
    with pytest.raises(SpecError, match="the duration p90 of stage 'a' is 1e"):
        simulate(with_duration(path, huge), opportunities=1000)


def test_widest_duration_samples(tmp_path: Path) -> None:
    # A median of 1 minute and a p90 of 1,000 years gives sigma 15.6, so
    # sampled times reach 1e30 days and more. They must stay finite.
    path = write_spec(
        tmp_path,
        stage("a", "conversion: 0.5", "{median: 1 minute, p90: 365250 days}"),
    )
    result = simulate(load(path), opportunities=20_000)
    assert result.time_to_close is not None
    assert np.isfinite(result.time_to_close.p90)
    assert result.cohort is not None


def test_infinite_target_rejected(runner: CliRunner) -> None:
    code, out, err = invoke(
        runner, "simulate", str(INDUSTRIAL), "--target-wins", "inf", "--format", "json"
    )
    assert code == 2
    assert "invalid target wins inf; give a finite number of wins above 0" in err
    assert out == ""


def test_target_checks_in_api() -> None:
    spec = load(INDUSTRIAL)
    for value in (float("inf"), float("nan"), 0.0, -1.0):
        with pytest.raises(UsageError, match="give a finite number of wins above 0"):
            simulate(spec, method="exact", target_wins=value)


def test_rare_win_message(tmp_path: Path, runner: CliRunner) -> None:
    path = write_spec(tmp_path, stage("a", "conversion: 0.0001"))
    code, out, err = invoke(runner, "simulate", str(path), "--opportunities", "1000")
    assert code == 0, err
    assert "none of the 1,000 opportunities sampled by Monte Carlo was won" in out
    assert "raise --opportunities" in out
    assert "Percentiles need Monte Carlo" not in out


def test_exact_only_percentile_hint(runner: CliRunner) -> None:
    code, out, err = invoke(
        runner, "simulate", str(fixture("linear")), "--method", "exact"
    )
    assert code == 0, err
    assert "Percentiles need Monte Carlo (--method both)." in out


def test_opportunities_cap(runner: CliRunner) -> None:
    code, _, err = invoke(
        runner, "simulate", str(INDUSTRIAL), "--opportunities", "100000001"
    )
    assert code == 2
    assert "not in the range 1<=x<=100000000" in err


def direct_gains(path: Path) -> list[float]:
    """Return each stage's bottleneck gain by solving the improved chain again."""
    chain = build_chain(load(path))
    baseline = solve(chain.transitions).win_rate
    gains = []
    for row in range(chain.size):
        transitions = chain.transitions.copy()
        lost = transitions[row, chain.lost]
        applied = min(BOTTLENECK_STEP, lost)
        others = transitions[row, : chain.lost]
        others *= (others.sum() + applied) / others.sum()
        transitions[row, chain.lost] = lost - applied
        gains.append(solve(transitions).win_rate - baseline)
    return gains


@pytest.mark.parametrize("name", ["loop", "long-loop", "branching"])
def test_bottleneck_matches_direct_solve(name: str) -> None:
    path = fixture(name)
    result = simulate(load(path), method="exact")
    by_stage = {item.stage: item.win_rate_gain for item in result.bottlenecks}
    stage_ids = build_chain(load(path)).stage_ids
    for stage_id, expected in zip(stage_ids, direct_gains(path), strict=True):
        assert by_stage[stage_id] == pytest.approx(expected, abs=1e-12)


def test_thousand_stages_fast(tmp_path: Path) -> None:
    stages = "".join(stage(f"s{index}", "conversion: 0.99") for index in range(1000))
    spec = load(write_spec(tmp_path, stages))
    started = time.perf_counter()
    result = simulate(spec, method="exact")
    elapsed = time.perf_counter() - started
    assert result.win_rate == pytest.approx(0.99**1000)
    assert len(result.bottlenecks) == 1000
    # The run took 0.3 s on a shared 2-core machine; the bound allows for load.
    assert elapsed < 10


def test_json_stays_valid(runner: CliRunner) -> None:
    code, out, err = invoke(
        runner,
        "simulate",
        str(INDUSTRIAL),
        "--format",
        "json",
        "--opportunities",
        "1000",
        "--target-wins",
        "20",
    )
    assert code == 0, err
    assert "Infinity" not in out
    assert json.loads(out)["required_inflow"]["target_wins"] == 20


def test_singular_chain_message() -> None:
    # build_chain rejects this chain, so it is built by hand: stage 'b' loops
    # on itself with probability 1 and makes I - Q singular.
    transitions = np.array([[0.0, 0.0, 0.5, 0.5], [0.0, 1.0, 0.0, 0.0]])
    chain = Chain(
        stage_ids=("a", "b"),
        names=("a", "b"),
        transitions=transitions,
        edges=transitions > 0,
    )
    with pytest.raises(SpecError) as caught:
        solve_chain(chain)
    message = str(caught.value)
    assert "transition matrix is singular" in message
    assert "(stages on loops: 'b')" in message
