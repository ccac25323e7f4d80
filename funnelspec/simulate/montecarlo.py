"""The Monte Carlo method: opportunities sampled in vectorised chunks.

Opportunities of a chunk are processed stage by stage: every opportunity
waiting in a stage draws its lognormal time there and its next stage at once,
then joins the queue of that stage. Stages are processed in spec order, and
again while loops send opportunities back. Memory is bounded by the chunk
size, except for the times to close, which take 8 bytes per won opportunity.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from funnelspec.simulate.model import Chain, Durations
from funnelspec.simulate.result import MonteCarloResult, StageFlow, TimeToClose

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Maximum stage visits followed per opportunity in a funnel with loops.
#: Opportunities that would make more visits stop and count as neither won
#: nor lost. A funnel without loops is followed to the end.
VISIT_CAP = 100
#: Opportunities sampled together. The random draws depend on it, so it is a
#: constant and not sized to the machine's memory.
CHUNK_SIZE = 1 << 18


@dataclass
class Samples:
    """Counts accumulated over all chunks."""

    opportunities: int
    entered: NDArray[np.int64]
    lost: NDArray[np.int64]
    visits_squared: NDArray[np.float64]
    """Sum over opportunities of the squared number of visits, per stage."""
    won_days: list[NDArray[np.float64]] = field(default_factory=list)
    capped: int = 0
    cohort_wins: NDArray[np.int64] | None = None
    """Wins closing in each month, for opportunities entering in month 1."""
    cohort_open: NDArray[np.int64] | None = None
    """Shape (stages, months + 2): visits entering minus visits leaving, by
    the first month end at or after the day. The running sum along a row is
    the count in the stage at each month end."""

    @property
    def won(self) -> int:
        return sum(times.size for times in self.won_days)

    def won_times(self) -> NDArray[np.float64]:
        if not self.won_days:
            return np.zeros(0)
        return np.concatenate(self.won_days)

    def in_stage(self) -> NDArray[np.int64]:
        """Return open opportunities per stage (rows) at each month end (columns)."""
        assert self.cohort_open is not None
        counts: NDArray[np.int64] = np.cumsum(self.cohort_open, axis=1)[:, 1:-1]
        return counts


@dataclass(frozen=True)
class _Route:
    """Targets of one stage that have a probability above 0."""

    targets: tuple[int, ...]
    """Columns of the transition matrix: stages, then won, then lost."""
    thresholds: NDArray[np.float64]
    """Cumulative probabilities; a uniform draw u picks the first target whose
    threshold exceeds u. The last threshold is 1."""


@dataclass
class _Waiting:
    """Opportunities waiting to enter one stage, as parallel arrays."""

    clock: list[NDArray[np.float64]] = field(default_factory=list)
    """Day each opportunity enters the stage, counted from day 0 of the chunk."""
    entry: list[NDArray[np.float64]] = field(default_factory=list)
    """Day each opportunity entered the funnel (only with a cohort forecast)."""
    ids: list[NDArray[np.intp]] = field(default_factory=list)
    """Index in the chunk (only with loops)."""
    visits: list[NDArray[np.int32]] = field(default_factory=list)
    """Stage visits made so far (only with loops)."""

    def take(self) -> tuple[NDArray[Any], ...]:
        arrays = tuple(
            _join(parts) for parts in (self.clock, self.entry, self.ids, self.visits)
        )
        self.clock, self.entry, self.ids, self.visits = [], [], [], []
        return arrays


def _join(parts: list[NDArray[Any]]) -> NDArray[Any]:
    if not parts:
        return np.zeros(0)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


@dataclass(frozen=True)
class _Sampler:
    durations: Durations
    routes: tuple[_Route, ...]
    size: int
    months: int
    month_days: float
    loop_column: tuple[int, ...]
    """Column of each stage in the per-opportunity visit counts, or -1."""
    loop_count: int


def sample(
    chain: Chain,
    durations: Durations,
    opportunities: int,
    seed: int,
    *,
    months: int = 0,
    month_days: float = 30.44,
    progress: Callable[[int], None] | None = None,
) -> Samples:
    """Sample ``opportunities`` opportunities through the funnel.

    With ``months`` above 0, each opportunity enters at a uniform time in the
    first month and the wins and stage occupancy of each month are counted.
    """
    size = chain.size
    rng = np.random.default_rng(seed)
    samples = Samples(
        opportunities=opportunities,
        entered=np.zeros(size, dtype=np.int64),
        lost=np.zeros(size, dtype=np.int64),
        visits_squared=np.zeros(size),
    )
    if months > 0:
        samples.cohort_wins = np.zeros(months, dtype=np.int64)
        samples.cohort_open = np.zeros((size, months + 2), dtype=np.int64)
    sampler = _make_sampler(chain, durations, months, month_days)
    for start in range(0, opportunities, CHUNK_SIZE):
        count = min(CHUNK_SIZE, opportunities - start)
        _sample_chunk(sampler, rng, count, samples)
        if progress is not None:
            progress(count)
    loops = chain.loop_stages()
    samples.visits_squared[~loops] = samples.entered[~loops]
    return samples


def _make_sampler(
    chain: Chain, durations: Durations, months: int, month_days: float
) -> _Sampler:
    routes = []
    for row in chain.transitions:
        targets = np.flatnonzero(row > 0)
        thresholds = np.cumsum(row[targets])
        thresholds[-1] = 1.0
        routes.append(_Route(tuple(targets.tolist()), thresholds))
    loops = chain.loop_stages()
    loop_column = np.full(chain.size, -1, dtype=np.intp)
    loop_column[loops] = np.arange(int(loops.sum()))
    return _Sampler(
        durations=durations,
        routes=tuple(routes),
        size=chain.size,
        months=months,
        month_days=month_days,
        loop_column=tuple(loop_column.tolist()),
        loop_count=int(loops.sum()),
    )


def _sample_chunk(
    sampler: _Sampler, rng: np.random.Generator, count: int, samples: Samples
) -> None:
    looping = sampler.loop_count > 0
    waiting = [_Waiting() for _ in range(sampler.size)]
    first = waiting[0]
    if sampler.months:
        entry = rng.random(count) * sampler.month_days
        first.clock.append(entry)
        first.entry.append(entry)
    else:
        first.clock.append(np.zeros(count))
    loop_visits = np.zeros((count, sampler.loop_count), dtype=np.uint8)
    if looping:
        first.ids.append(np.arange(count))
        first.visits.append(np.zeros(count, dtype=np.int32))
    pending = True
    while pending:
        pending = False
        for stage in range(sampler.size):
            if waiting[stage].clock:
                _visit(sampler, rng, stage, waiting, samples, loop_visits)
                pending = True
    for column in range(sampler.loop_count):
        visits = loop_visits[:, column].astype(np.int64)
        stage = sampler.loop_column.index(column)
        samples.visits_squared[stage] += float(visits @ visits)


def _visit(
    sampler: _Sampler,
    rng: np.random.Generator,
    stage: int,
    waiting: list[_Waiting],
    samples: Samples,
    loop_visits: NDArray[np.uint8],
) -> None:
    """Move every opportunity waiting for ``stage`` through it."""
    clock, entry, ids, visits = waiting[stage].take()
    count = clock.size
    samples.entered[stage] += count
    column = sampler.loop_column[stage]
    if column >= 0:
        loop_visits[ids, column] += 1
    median = float(sampler.durations.median[stage])
    sigma = float(sampler.durations.sigma[stage])
    if sigma > 0:
        leave = clock + median * np.exp(sigma * rng.standard_normal(count))
    else:
        leave = clock + median
    if sampler.months:
        _count_open(sampler, samples, stage, clock, leave)
    route = sampler.routes[stage]
    for target, chosen in zip(route.targets, _choose(route, rng, count), strict=True):
        if target == sampler.size + 1:
            samples.lost[stage] += int(np.count_nonzero(chosen))
            continue
        chosen_leave = leave[chosen]
        if target == sampler.size:
            chosen_entry = entry[chosen] if sampler.months else 0.0
            _count_wins(sampler, samples, chosen_leave, chosen_entry)
            continue
        _enqueue(waiting[target], chosen, chosen_leave, entry, ids, visits, samples)


def _choose(
    route: _Route, rng: np.random.Generator, count: int
) -> list[NDArray[np.bool_]]:
    """Draw each opportunity's next target; return one mask per target."""
    if len(route.targets) == 1:
        return [np.ones(count, dtype=bool)]
    draws = rng.random(count)
    if len(route.targets) == 2:
        first = draws < route.thresholds[0]
        return [first, ~first]
    choice = np.searchsorted(route.thresholds, draws, side="right")
    return [choice == position for position in range(len(route.targets))]


def _enqueue(
    queue: _Waiting,
    chosen: NDArray[np.bool_],
    clock: NDArray[np.float64],
    entry: NDArray[np.float64],
    ids: NDArray[np.intp],
    visits: NDArray[np.int32],
    samples: Samples,
) -> None:
    """Add the chosen opportunities to a stage's queue, stopping at VISIT_CAP.

    ``clock`` contains the chosen opportunities only. The other arrays cover
    the whole batch, or are empty when the chunk does not track them.
    """
    tracks_entry = entry.size > 0
    tracks_visits = ids.size > 0
    if tracks_entry:
        entry = entry[chosen]
    if tracks_visits:
        ids = ids[chosen]
        visits = visits[chosen] + 1
        below_cap = visits < VISIT_CAP
        samples.capped += int(clock.size - np.count_nonzero(below_cap))
        clock, ids, visits = clock[below_cap], ids[below_cap], visits[below_cap]
        if tracks_entry:
            entry = entry[below_cap]
    if clock.size == 0:
        return

    queue.clock.append(clock)
    if tracks_entry:
        queue.entry.append(entry)
    if tracks_visits:
        queue.ids.append(ids)
        queue.visits.append(visits)


def _count_wins(
    sampler: _Sampler,
    samples: Samples,
    leave: NDArray[np.float64],
    entry: NDArray[np.float64] | float,
) -> None:
    samples.won_days.append(leave - entry)
    if sampler.months:
        assert samples.cohort_wins is not None
        months = sampler.months
        month_index = np.minimum(leave // sampler.month_days, months).astype(np.intp)
        samples.cohort_wins += np.bincount(month_index, minlength=months + 1)[:months]


def _count_open(
    sampler: _Sampler,
    samples: Samples,
    stage: int,
    clock: NDArray[np.float64],
    leave: NDArray[np.float64],
) -> None:
    """Add a stage's occupancy at month ends for one batch of visits.

    At the end of month j (day j * month_days) the stage contains the visits
    that entered by then minus those that left by then. A visit has entered by
    month end j exactly when ceil(clock / month_days) <= j, so the running
    sum of a bincount of that index counts them.
    """
    assert samples.cohort_open is not None
    last = sampler.months + 1
    length = last + 1
    entered = np.minimum(np.ceil(clock / sampler.month_days), last).astype(np.intp)
    left = np.minimum(np.ceil(leave / sampler.month_days), last).astype(np.intp)
    samples.cohort_open[stage] += np.bincount(entered, minlength=length)
    samples.cohort_open[stage] -= np.bincount(left, minlength=length)


def monte_carlo_result(
    chain: Chain,
    samples: Samples,
    seed: int,
    basis: float,
    conversion_period_days: float | None,
    timed: bool,
) -> MonteCarloResult:
    """Summarise samples: win rate, stage flows per ``basis``, time to close."""
    count = samples.opportunities
    win_rate = samples.won / count
    stages = []
    for row, stage_id in enumerate(chain.stage_ids):
        entered = int(samples.entered[row])
        lost = int(samples.lost[row])
        visits = entered / count
        variance = max(float(samples.visits_squared[row]) / count - visits**2, 0.0)
        stated = 1.0 - float(chain.transitions[row, chain.lost])
        stages.append(
            StageFlow(
                id=stage_id,
                name=chain.names[row],
                entered=basis * visits,
                advanced=basis * (entered - lost) / count,
                lost=basis * lost / count,
                conversion=(entered - lost) / entered if entered else stated,
                visits=visits,
                visits_standard_error=math.sqrt(variance / count),
            )
        )
    time_to_close = None
    within = None
    times = samples.won_times()
    if timed and times.size:
        p50, p80, p90 = np.percentile(times, [50, 80, 90]).tolist()
        time_to_close = TimeToClose(p50=p50, p80=p80, p90=p90, mean=float(times.mean()))
        if conversion_period_days is not None:
            closed = np.count_nonzero(times <= conversion_period_days)
            within = int(closed) / times.size
    return MonteCarloResult(
        opportunities=count,
        seed=seed,
        win_rate=win_rate,
        win_rate_standard_error=math.sqrt(win_rate * (1 - win_rate) / count),
        stages=tuple(stages),
        time_to_close=time_to_close,
        within_conversion_period=within,
        visit_cap=VISIT_CAP,
        capped=samples.capped,
    )
