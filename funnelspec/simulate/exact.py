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

from funnelspec.simulate.errors import SpecError
from funnelspec.simulate.model import Chain, Durations
from funnelspec.simulate.result import Bottleneck, ExactResult, StageFlow

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Absolute conversion improvement that the bottleneck ranking tries per stage.
BOTTLENECK_STEP = 0.05
#: Rounding error allowed on a win rate before the solve is reported as wrong.
_RATE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Solution:
    """Expected visits from the entry stage and won probability from each stage."""

    visits: NDArray[np.float64]
    won_from: NDArray[np.float64]

    @property
    def win_rate(self) -> float:
        return float(self.won_from[0])


def solve(transitions: NDArray[np.float64]) -> Solution:
    """Solve the chain whose entry stage is the first row.

    Raises numpy.linalg.LinAlgError when I - Q is singular, which happens
    when a loop has no way out.
    """
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


def solve_chain(chain: Chain) -> Solution:
    """Solve the chain; raise SpecError when the result cannot be trusted.

    ``build_chain`` already rejects loops without a way out and loops left
    with a probability below 1e-9, so the errors here are a safeguard.
    """
    loops = ", ".join(
        repr(stage_id)
        for stage_id, looped in zip(chain.stage_ids, chain.loop_stages(), strict=True)
        if looped
    )
    fix = f" (stages on loops: {loops})" if loops else ""
    try:
        solution = solve(chain.transitions)
    except np.linalg.LinAlgError:
        raise SpecError(
            f"the funnel's transition matrix is singular, so it cannot be "
            f"solved{fix}; give every loop a transition to won or lost with a "
            "probability above 0",
            ("stages",),
        ) from None
    rate = solution.win_rate
    if not (-_RATE_TOLERANCE <= rate <= 1 + _RATE_TOLERANCE) or not bool(
        np.isfinite(solution.visits).all()
    ):
        raise SpecError(
            f"the exact solve gave a win rate of {rate:.6g}, outside 0 to 1, "
            f"because the funnel's loops are left with too low a probability"
            f"{fix}; raise the probability of a transition out of each loop",
            ("stages",),
        )
    clipped = np.clip(solution.won_from, 0.0, 1.0)
    return Solution(visits=np.maximum(solution.visits, 0.0), won_from=clipped)


def exact_result(
    chain: Chain, durations: Durations, basis: float
) -> tuple[ExactResult, Solution]:
    """Solve the chain and express stage flows per ``basis`` opportunities."""
    solution = solve_chain(chain)
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

    Improving one stage changes one row of I - Q and one entry of the won
    column, so the new win rate follows from the baseline solution by the
    Sherman-Morrison formula instead of a new solve per stage.
    """
    columns = _inverse_columns(chain)
    ranked = []
    for row, stage_id in enumerate(chain.stage_ids):
        delta, applied = _improvement(chain, row, step)
        gain = 0.0
        if applied:
            gain = _win_rate_gain(chain, baseline, columns.get(row), row, delta)
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


def _inverse_columns(chain: Chain) -> dict[int, NDArray[np.float64]]:
    """Solve for the columns of N = (I - Q)^-1 that belong to stages on a loop.

    Column i contains the expected visits to stage i from each stage. For a
    stage on no loop, no stage it leads to can reach it again, so the
    Sherman-Morrison denominator is 1 and its column is not needed.
    """
    looped = np.flatnonzero(chain.loop_stages())
    if looped.size == 0:
        return {}
    size = chain.size
    matrix = np.eye(size) - chain.transitions[:, :size]
    identity_columns = np.zeros((size, looped.size))
    identity_columns[looped, np.arange(looped.size)] = 1.0
    solved = np.asarray(np.linalg.solve(matrix, identity_columns), dtype=np.float64)
    return {int(row): solved[:, position] for position, row in enumerate(looped)}


def _win_rate_gain(
    chain: Chain,
    baseline: Solution,
    column: NDArray[np.float64] | None,
    row: int,
    delta: NDArray[np.float64],
) -> float:
    """Compute the win rate change when ``delta`` is added to one stage's row.

    ``delta`` covers the stage and won columns. With v the expected visits,
    w the won probability from each stage and c column ``row`` of N, the
    Sherman-Morrison formula gives
    gain = v[row] * (delta_q . w + delta_won) / (1 - delta_q . c).
    """
    to_stages = delta[: chain.size]
    numerator = float(to_stages @ baseline.won_from) + float(delta[chain.size])
    denominator = 1.0
    if column is not None:
        denominator -= float(to_stages @ column)
    if denominator <= 0:
        return 0.0
    return float(baseline.visits[row]) * numerator / denominator


def _improvement(
    chain: Chain, row: int, step: float
) -> tuple[NDArray[np.float64], float]:
    """Return the change to a row's stage and won columns, and the step applied."""
    lost = float(chain.transitions[row, chain.lost])
    others = chain.transitions[row, : chain.lost]
    delta = np.zeros(chain.lost)
    applied = min(step, lost)
    if applied <= 0:
        return delta, 0.0
    total = float(others.sum())
    # Scaling a near-zero total (5e-324) would overflow to inf, so such a row
    # is treated like one whose advancing probabilities are all zero.
    if total > 1e-12:
        delta[:] = others * (applied / total)
    else:
        targets = chain.edges[row, : chain.lost]
        if not targets.any():
            return delta, 0.0
        delta[targets] = applied / int(targets.sum())
    return delta, applied
