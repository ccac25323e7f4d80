"""Simulate a funnel: exact absorbing Markov chain and vectorised Monte Carlo.

numpy is imported by the modules that do the work, on the first call of
``simulate``, so importing this package stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable

from funnelspec.simulate.result import (
    Basis,
    Bottleneck,
    CohortForecast,
    CohortMonth,
    ExactResult,
    MonteCarloResult,
    RequiredInflow,
    SimulationResult,
    StageFlow,
    TimeToClose,
)
from funnelspec.spec.model import Spec

METHODS = ("exact", "monte-carlo", "both")
DEFAULT_OPPORTUNITIES = 100_000
DEFAULT_SEED = 20240601
DEFAULT_MONTHS = 12
#: Largest number of opportunities sampled; times to close take 8 bytes per
#: won opportunity, so 100,000,000 wins need 800 MB.
MAX_OPPORTUNITIES = 100_000_000

__all__ = [
    "DEFAULT_MONTHS",
    "DEFAULT_OPPORTUNITIES",
    "DEFAULT_SEED",
    "MAX_OPPORTUNITIES",
    "METHODS",
    "Basis",
    "Bottleneck",
    "CohortForecast",
    "CohortMonth",
    "ExactResult",
    "MonteCarloResult",
    "RequiredInflow",
    "SimulationResult",
    "StageFlow",
    "TimeToClose",
    "simulate",
]


def simulate(
    spec: Spec,
    *,
    method: str = "both",
    opportunities: int = DEFAULT_OPPORTUNITIES,
    seed: int = DEFAULT_SEED,
    months: int = DEFAULT_MONTHS,
    target_wins: float | None = None,
    per: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Simulate the funnel of a spec that passed lint without errors.

    ``method`` is exact, monte-carlo or both. ``per`` is the period of the
    per-period counts and of ``target_wins`` (default: the inflow's period,
    else month). ``progress`` is called with the number of opportunities
    sampled since the previous call.

    Raises ``funnelspec.simulate.errors.SpecError`` (a UsageError) when a
    stage has no conversion or a loop traps opportunities.
    """
    from funnelspec.simulate.run import run

    return run(
        spec,
        method=method,
        opportunities=opportunities,
        seed=seed,
        months=months,
        target_wins=target_wins,
        per=per,
        progress=progress,
    )
