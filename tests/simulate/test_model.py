"""The transition matrix and the duration fit built from a spec."""

from __future__ import annotations

import math

import pytest

from funnelspec.errors import UsageError
from funnelspec.simulate import simulate
from funnelspec.simulate.errors import SpecError
from funnelspec.simulate.model import (
    DEFAULT_P90_RATIO,
    Z90,
    build_chain,
    build_durations,
)

from .helpers import INDUSTRIAL, load, load_fixture


def test_chain_columns() -> None:
    chain = build_chain(load_fixture("linear"))
    assert chain.stage_ids == ("engaged", "evaluating", "negotiation")
    assert chain.transitions.shape == (3, 5)
    assert chain.transitions[0].tolist() == [0, 0.5, 0, 0, 0.5]
    assert chain.transitions[2].tolist() == [0, 0, 0, 0.8, pytest.approx(0.2)]


def test_rows_sum_to_one() -> None:
    for name in ("linear", "branching", "loop", "named-lost"):
        chain = build_chain(load_fixture(name))
        assert chain.transitions.sum(axis=1).tolist() == pytest.approx(
            [1.0] * chain.size
        )


def test_named_lost_gets_remainder() -> None:
    chain = build_chain(load_fixture("named-lost"))
    assert chain.transitions[0, chain.won] == 0.3
    assert chain.transitions[0, chain.lost] == pytest.approx(0.7)


def test_loop_stages_mask() -> None:
    chain = build_chain(load_fixture("loop"))
    assert chain.loop_stages().tolist() == [True, True, False]


def test_missing_conversion_raises() -> None:
    with pytest.raises(SpecError) as caught:
        build_chain(load_fixture("missing-conversion"))
    assert caught.value.path == ("stages", 1)
    assert "stage 'qualified' states no conversion" in str(caught.value)
    assert "reaches 'proposal'" in str(caught.value)


def test_sum_over_one_raises() -> None:
    with pytest.raises(SpecError) as caught:
        build_chain(load_fixture("over-one"))
    assert caught.value.path == ("stages", 0, "next")
    assert "sum to 1.2, more than 1" in str(caught.value)


def test_trapped_loop_raises() -> None:
    with pytest.raises(SpecError) as caught:
        build_chain(load_fixture("trapped-loop"))
    assert caught.value.path == ("stages", 0)
    assert "'engaged', 'qualified'" in str(caught.value)


def test_durations_fit() -> None:
    spec = load(INDUSTRIAL)
    durations = build_durations(spec, tuple(stage.id for stage in spec.stages))
    assert durations.median.tolist() == [14, 21, 28, 21, 14]
    assert durations.sigma[0] == pytest.approx(math.log(DEFAULT_P90_RATIO) / Z90)
    assert durations.sigma[1] == pytest.approx(math.log(8 / 3) / Z90)
    assert durations.stated.all()


def test_fixed_duration_has_no_spread() -> None:
    spec = load_fixture("linear")
    durations = build_durations(spec, tuple(stage.id for stage in spec.stages))
    assert durations.sigma.tolist() == [0, 0, 0]
    assert durations.mean.tolist() == [10, 20, 5]


def test_option_errors() -> None:
    spec = load_fixture("linear")
    with pytest.raises(UsageError, match="invalid method 'fast'"):
        simulate(spec, method="fast")
    with pytest.raises(UsageError, match="opportunities must be from 1 to"):
        simulate(spec, opportunities=0)
    with pytest.raises(UsageError, match=r"to 100,000,000 \(got 100,000,001\)"):
        simulate(spec, opportunities=100_000_001)
    with pytest.raises(UsageError, match="invalid period 'fortnight'"):
        simulate(spec, per="fortnight")
