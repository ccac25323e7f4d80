"""The funnel as numbers: a transition matrix over stages, won and lost, and
lognormal stage durations.

Columns of the transition matrix are the stages in spec order, then won, then
lost. A stage's lost probability is whatever its other transitions leave, so
a ``next`` map that names ``lost`` and sums to less than 1 still sends the
remainder to lost, as the format states.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from funnelspec.graph import LOST, WON, FunnelGraph
from funnelspec.simulate.errors import SpecError
from funnelspec.spec.model import Spec

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Ratio of p90 to median for a duration given as a median only.
DEFAULT_P90_RATIO = 2.0
#: The standard normal's 90th percentile: a lognormal's p90 is
#: median * exp(sigma * Z90).
Z90 = 1.2815515655446004
#: Tolerance for probabilities that sum to slightly more than 1 in floating point.
_SUM_TOLERANCE = 1e-9
#: Smallest per-visit probability of leaving a loop that the simulator accepts.
#: Below it, the exact solve of I - Q is too ill-conditioned to trust.
MIN_LOOP_EXIT = 1e-9
#: Largest duration median or p90 that the simulator accepts, in days
#: (1,000 years of 365.25 days). Durations far above it (1e300 days) overflow
#: to infinity when sampled.
MAX_DURATION_DAYS = 365_250.0


@dataclass(frozen=True)
class Chain:
    """Transition probabilities of the funnel, as an absorbing Markov chain."""

    stage_ids: tuple[str, ...]
    names: tuple[str, ...]
    transitions: NDArray[np.float64]
    """Shape (n, n + 2): stages, then won, then lost; rows sum to 1."""
    edges: NDArray[np.bool_]
    """Shape (n, n + 2): True where the spec states a transition."""

    @property
    def size(self) -> int:
        return len(self.stage_ids)

    @property
    def won(self) -> int:
        return self.size

    @property
    def lost(self) -> int:
        return self.size + 1

    def loop_stages(self) -> NDArray[np.bool_]:
        """Return a mask of the stages on a loop (positive-probability edges)."""
        graph = _positive_graph(self.transitions[:, : self.size])
        mask = np.zeros(self.size, dtype=bool)
        for component in nx.strongly_connected_components(graph):
            members = sorted(component)
            if len(members) > 1 or graph.has_edge(members[0], members[0]):
                mask[members] = True
        return mask


@dataclass(frozen=True)
class Durations:
    """Lognormal time in each stage, in days."""

    median: NDArray[np.float64]
    """Median days per stage; 0 for a stage without a duration."""
    sigma: NDArray[np.float64]
    """Standard deviation of the log of the duration; 0 for fixed durations."""
    stated: NDArray[np.bool_]
    """True for stages that state a duration."""

    @property
    def mean(self) -> NDArray[np.float64]:
        """Mean days per stage: median * exp(sigma**2 / 2) for a lognormal."""
        result: NDArray[np.float64] = self.median * np.exp(self.sigma**2 / 2)
        return result


def build_chain(spec: Spec) -> Chain:
    """Build the transition matrix; raise SpecError for what cannot be simulated."""
    graph = FunnelGraph(spec)
    stage_ids = tuple(graph.stages)
    size = len(stage_ids)
    transitions = np.zeros((size, size + 2))
    edges = np.zeros((size, size + 2), dtype=bool)
    columns = {stage_id: position for position, stage_id in enumerate(stage_ids)}
    columns[WON] = size
    columns[LOST] = size + 1
    for row, stage_id in enumerate(stage_ids):
        _fill_row(graph, columns, stage_id, transitions[row], edges[row])

    chain = Chain(
        stage_ids=stage_ids,
        names=tuple(graph.stages[stage_id].label for stage_id in stage_ids),
        transitions=transitions,
        edges=edges,
    )
    _check_absorbing(chain, graph)
    return chain


def _fill_row(
    graph: FunnelGraph,
    columns: dict[str, int],
    stage_id: str,
    transitions: NDArray[np.float64],
    edges: NDArray[np.bool_],
) -> None:
    """Fill one stage's row; lost gets whatever the other transitions leave."""
    position = graph.index[stage_id]
    stage = graph.stages[stage_id]
    if stage.next is None and stage.conversion is None:
        message = _missing_conversion(graph.spec, position)
        raise SpecError(message, ("stages", position))
    for target in graph.successors(stage_id):
        edges[columns[target]] = True
        if target != LOST:
            transitions[columns[target]] = graph.probability(stage_id, target)

    stated = float(transitions.sum())
    if stated > 1 + _SUM_TOLERANCE:
        raise SpecError(
            f"transitions of stage {stage_id!r} sum to {stated:g}, more than 1; "
            "lower them so that they sum to at most 1",
            ("stages", position, "next"),
        )
    transitions[columns[LOST]] = max(0.0, 1.0 - stated)
    edges[columns[LOST]] = True


def _missing_conversion(spec: Spec, position: int) -> str:
    stage = spec.stages[position]
    following = spec.stages[position + 1].id if position + 1 < len(spec.stages) else WON
    return (
        f"stage {stage.id!r} states no conversion, so the funnel cannot be "
        f"simulated; add conversion: the share of '{stage.id}' that reaches "
        f"'{following}' (for example conversion: 0.5)"
    )


def _positive_graph(matrix: NDArray[np.float64]) -> nx.DiGraph[int]:
    graph: nx.DiGraph[int] = nx.DiGraph()
    graph.add_nodes_from(range(max(matrix.shape)))
    rows, columns = np.nonzero(matrix > 0)
    graph.add_edges_from(zip(rows.tolist(), columns.tolist(), strict=True))
    return graph


def _check_absorbing(chain: Chain, funnel: FunnelGraph) -> None:
    """Raise SpecError when opportunities can enter a loop that they never leave."""
    graph = _positive_graph(chain.transitions)
    terminals = {chain.won, chain.lost}
    reachable = ({0} | nx.descendants(graph, 0)) - terminals
    leaving = set().union(*(nx.ancestors(graph, node) for node in terminals))
    trapped = sorted(reachable - leaving)
    if trapped:
        names = ", ".join(repr(chain.stage_ids[index]) for index in trapped)
        stage_id = chain.stage_ids[trapped[0]]
        raise SpecError(
            f"opportunities that reach stage {stage_id!r} never reach won or lost "
            f"(stages {names} have no way out with a probability above 0); give "
            "one of them a transition to won or lost with a probability above 0",
            ("stages", funnel.index[stage_id]),
        )
    # An unreachable loop without a way out gets no opportunities, but it
    # still makes I - Q singular, so the exact solve fails on it.
    unreached = sorted(set(range(chain.size)) - leaving)
    if unreached:
        stage_id = chain.stage_ids[unreached[0]]
        raise SpecError(
            f"{_stage_list(chain, unreached)} cannot be reached from the entry "
            "stage and never reach won or lost, so the funnel cannot be solved; "
            "connect them to the funnel and give one of them a transition to "
            "won or lost, or remove them",
            ("stages", funnel.index[stage_id]),
        )
    _check_loop_exits(chain, graph, funnel)


def _check_loop_exits(
    chain: Chain, graph: nx.DiGraph[int], funnel: FunnelGraph
) -> None:
    """Raise SpecError for a loop that opportunities leave with almost no chance.

    Opportunities stay in such a loop for about 1 / exit probability visits,
    and the exact solve loses its precision: an exit probability of 1e-14
    gave a win rate of 100.08%.
    """
    stage_graph = graph.subgraph(range(chain.size))
    for component in nx.strongly_connected_components(stage_graph):
        members = sorted(component)
        if len(members) == 1 and not stage_graph.has_edge(members[0], members[0]):
            continue
        inside = np.zeros(chain.size + 2, dtype=bool)
        inside[members] = True
        rows = chain.transitions[members]
        exit_probability = float(rows[:, ~inside].sum(axis=1).max())
        if exit_probability >= MIN_LOOP_EXIT:
            continue
        stage_id = chain.stage_ids[members[0]]
        raise SpecError(
            f"the loop through {_stage_list(chain, members)} is left with a "
            f"probability of "
            f"{exit_probability:.3g} per visit, below {MIN_LOOP_EXIT:g}, so the "
            "simulation cannot compute its win rate precisely; raise the "
            "probability of a transition out of the loop",
            ("stages", funnel.index[stage_id], "next"),
        )


def _stage_list(chain: Chain, rows: list[int]) -> str:
    names = ", ".join(repr(chain.stage_ids[row]) for row in rows)
    return f"stage {names}" if len(rows) == 1 else f"stages {names}"


def build_durations(spec: Spec, stage_ids: tuple[str, ...]) -> Durations:
    """Turn each stage's duration into a lognormal median and sigma, in days.

    A median alone gets p90 = DEFAULT_P90_RATIO * median; {median, p90} is
    fitted exactly; {fixed} has sigma 0.
    """
    stages = {stage.id: stage for stage in reversed(spec.stages)}
    median = np.zeros(len(stage_ids))
    sigma = np.zeros(len(stage_ids))
    stated = np.zeros(len(stage_ids), dtype=bool)
    for row, stage_id in enumerate(stage_ids):
        duration = stages[stage_id].duration
        if duration is None:
            continue
        stated[row] = True
        median[row] = duration.median.days
        _check_duration(spec, stage_id, "median", median[row])
        if duration.fixed:
            continue
        p90 = duration.p90.days if duration.p90 else DEFAULT_P90_RATIO * median[row]
        _check_duration(spec, stage_id, "p90", p90)
        sigma[row] = math.log(p90 / median[row]) / Z90
    return Durations(median=median, sigma=sigma, stated=stated)


def _check_duration(spec: Spec, stage_id: str, quantity: str, days: float) -> None:
    if days <= MAX_DURATION_DAYS:
        return
    position = next(
        index for index, stage in enumerate(spec.stages) if stage.id == stage_id
    )
    raise SpecError(
        f"the duration {quantity} of stage {stage_id!r} is {days:.4g} days, more "
        f"than the {MAX_DURATION_DAYS:,.0f} days (1,000 years) the simulator "
        "accepts; give a shorter duration",
        ("stages", position, "duration"),
    )
