"""The exact method: the funnel solved as an absorbing Markov chain.

With Q the stage-to-stage block of the transition matrix and R the
stage-to-terminal block, the fundamental matrix N = (I - Q)^-1 gives the
expected visits of every stage. Only the entry stage's row of N and the
absorption probabilities B = N R are needed, so both come from linear solves
instead of an inverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from funnelspec.simulate.model import Chain, Durations
from funnelspec.simulate.result import Bottleneck, ExactResult, StageFlow

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Absolute conversion improvement that the bottleneck ranking tries per stage.
BOTTLENECK_STEP = 0.05


@dataclass(frozen=True)
class Solution:
    """Expected visits from the entry stage and won probability from each stage."""

    visits: NDArray[np.float64]
    won_from: NDArray[np.float64]

    @property
    def win_rate(self) -> float:
        return float(self.won_from[0])


def solve(transitions: NDArray[np.float64]) -> Solution:
    """Solve the chain whose entry stage is the first row."""
    size = transitions.shape[0]
    fundamental_inverse = np.eye(size) - transitions[:, :size]
    entry = np.zeros(size)
    entry[0] = 1.0
    visits = np.linalg.solve(fundamental_inverse.T, entry)
    won_from = np.linalg.solve(fundamental_inverse, transitions[:, size])
    return Solution(
        visits=np.asarray(visits, dtype=np.float64),
        won_from=np.asarray(won_from, dtype=np.float64),
    )


def exact_result(
    chain: Chain, durations: Durations, basis: float
) -> tuple[ExactResult, Solution]:
    """Solve the chain and express stage flows per ``basis`` opportunities."""
    solution = solve(chain.transitions)
    lost_share = chain.transitions[:, chain.lost]
    stages = []
    for row, stage_id in enumerate(chain.stage_ids):
        entered = basis * float(solution.visits[row])
        lost = entered * float(lost_share[row])
        stages.append(
            StageFlow(
                id=stage_id,
                name=chain.names[row],
                entered=entered,
                advanced=entered - lost,
                lost=lost,
                conversion=1.0 - float(lost_share[row]),
                visits=float(solution.visits[row]),
            )
        )
    result = ExactResult(
        win_rate=solution.win_rate,
        stages=tuple(stages),
        mean_time_to_close_days=_mean_time_to_close(solution, durations),
    )
    return result, solution


def _mean_time_to_close(solution: Solution, durations: Durations) -> float | None:
    """Expected days from entry to won, given won.

    Visits to a stage on the way to won are visits * won_from / win_rate,
    because the path after a visit does not depend on how the stage was reached.
    """
    if solution.win_rate <= 0:
        return None
    weights = solution.visits * solution.won_from / solution.win_rate
    on_path = weights > 1e-12
    if not bool(durations.stated[on_path].all()):
        return None
    return float(weights @ durations.mean)


def bottlenecks(
    chain: Chain,
    baseline: Solution,
    basis: float,
    deal_value: float | None,
    step: float = BOTTLENECK_STEP,
) -> tuple[Bottleneck, ...]:
    """Rank stages by the extra wins that ``step`` more conversion there yields.

    The step moves probability from lost to the stage's other transitions in
    proportion to their probabilities (evenly when they are all 0), and is
    capped by the stage's lost probability.
    """
    ranked = []
    for row, stage_id in enumerate(chain.stage_ids):
        improved, applied = _improve(chain, row, step)
        gain = solve(improved).win_rate - baseline.win_rate if applied else 0.0
        extra_wins = basis * gain
        conversion = 1.0 - float(chain.transitions[row, chain.lost])
        ranked.append(
            Bottleneck(
                stage=stage_id,
                name=chain.names[row],
                conversion=conversion,
                improved_conversion=conversion + applied,
                step=step,
                win_rate_gain=gain,
                extra_wins=extra_wins,
                extra_value=None if deal_value is None else extra_wins * deal_value,
            )
        )
    order = sorted(range(len(ranked)), key=lambda row: (-ranked[row].extra_wins, row))
    return tuple(ranked[row] for row in order)


def _improve(chain: Chain, row: int, step: float) -> tuple[NDArray[np.float64], float]:
    transitions = chain.transitions.copy()
    lost = transitions[row, chain.lost]
    applied = min(step, float(lost))
    if applied <= 0:
        return transitions, 0.0
    others = transitions[row, : chain.lost]
    total = float(others.sum())
    # Scaling a near-zero total (5e-324) would overflow to inf, so such a row
    # is treated like one whose advancing probabilities are all zero.
    if total > 1e-12:
        others *= (total + applied) / total
    else:
        targets = chain.edges[row, : chain.lost]
        if not targets.any():
            return transitions, 0.0
        others[targets] = applied / int(targets.sum())
    transitions[row, chain.lost] = lost - applied
    return transitions, applied
