"""Text output of ``funnelspec simulate``: a summary and aligned tables."""

from __future__ import annotations

from collections.abc import Sequence

from funnelspec.simulate.result import (
    Bottleneck,
    CohortForecast,
    SimulationResult,
    StageFlow,
)
from funnelspec.spec.units import DAYS_PER_MONTH

_METHOD_NAMES = {
    "exact": "Exact (absorbing Markov chain)",
    "monte-carlo": "Monte Carlo",
    "both": "Exact (absorbing Markov chain) and Monte Carlo",
}


def render_text(result: SimulationResult) -> str:
    """Render a result as the sections of ``funnelspec simulate`` text output."""
    sections = [
        _summary(result),
        _stage_table(result.stages),
        _timing(result),
        _bottleneck_table(result),
        _required_inflow(result),
    ]
    if result.cohort is not None:
        sections.append(_cohort_tables(result.cohort))
    return "\n\n".join(section for section in sections if section)


def _summary(result: SimulationResult) -> str:
    method = _METHOD_NAMES[result.method]
    monte_carlo = result.monte_carlo
    if monte_carlo is not None:
        method += (
            f" ({monte_carlo.opportunities:,} opportunities, seed {monte_carlo.seed})"
        )
    per = _per(result)
    lines = [
        result.spec_name,
        f"{method}.",
        f"Counts are per {result.basis.describe()}.",
        "",
        f"Win rate        {result.win_rate:.2%}",
        f"Wins            {result.wins:,.2f}{per}",
    ]
    if monte_carlo is not None:
        error = monte_carlo.win_rate_standard_error
        if result.exact is not None:
            lines[4] += f"  (Monte Carlo {monte_carlo.win_rate:.2%} ± {error:.2%})"
        else:
            lines[4] += f" ± {error:.2%} (standard error)"
    if result.pipeline_value is not None:
        value = _money(result.pipeline_value, result.currency)
        lines.append(f"Pipeline value  {value}{per} (won deals times deal_value)")
    return "\n".join(lines)


def _stage_table(stages: Sequence[StageFlow]) -> str:
    rows = [
        [
            stage.id,
            f"{stage.entered:,.1f}",
            f"{stage.advanced:,.1f}",
            f"{stage.lost:,.1f}",
            f"{stage.conversion:.1%}",
            f"{stage.visits:.4f}",
        ]
        for stage in stages
    ]
    headers = ["Stage", "Entered", "Advanced", "Lost", "Conversion", "Visits"]
    legend = (
        "Visits: expected entries into the stage per opportunity entering the "
        "funnel, loops included."
    )
    return _table(headers, rows) + "\n" + legend


def _timing(result: SimulationResult) -> str:
    lines = []
    exact_mean = result.exact.mean_time_to_close_days if result.exact else None
    time_to_close = result.time_to_close
    if time_to_close is not None:
        lines.append("Time to close (won opportunities, Monte Carlo)")
        for label, days in (
            ("p50", time_to_close.p50),
            ("p80", time_to_close.p80),
            ("p90", time_to_close.p90),
            ("mean", time_to_close.mean),
        ):
            lines.append(f"  {label:<5}{_days(days)}")
        if exact_mean is not None:
            lines[-1] += f"; exact mean {exact_mean:.1f} days"
    elif exact_mean is not None:
        lines.append(f"Mean time to close (exact): {_days(exact_mean)}")
        monte_carlo = result.monte_carlo
        if monte_carlo is None:
            lines.append("Percentiles need Monte Carlo (--method both).")
        elif monte_carlo.win_rate == 0:
            lines.append(
                f"No percentiles: none of the {monte_carlo.opportunities:,} "
                "opportunities sampled by Monte Carlo was won; raise "
                "--opportunities to sample more of them."
            )
    within = result.within_conversion_period
    if within is not None and result.conversion_period_days is not None:
        period = f"{result.conversion_period_days:.1f} days"
        lines.append(f"Won within the conversion period of {period}: {within:.1%}")
    return "\n".join(lines)


def _bottleneck_table(result: SimulationResult) -> str:
    if not result.bottlenecks:
        return ""
    step = result.bottlenecks[0].step
    title = (
        f"Bottlenecks: extra wins{_per(result)} from {step * 100:g} more "
        "percentage points of conversion at one stage"
    )
    rows = [
        _bottleneck_row(rank, bottleneck, result.currency)
        for rank, bottleneck in enumerate(result.bottlenecks, start=1)
    ]
    headers = ["Rank", "Stage", "Conversion", "Extra wins", "Extra value"]
    return title + "\n" + _table(headers, rows, left=(1, 2))


def _bottleneck_row(
    rank: int, bottleneck: Bottleneck, currency: str | None
) -> list[str]:
    conversion = f"{bottleneck.conversion:.0%} -> {bottleneck.improved_conversion:.0%}"
    value = bottleneck.extra_value
    return [
        str(rank),
        bottleneck.stage,
        conversion,
        f"{bottleneck.extra_wins:,.2f}",
        "-" if value is None else _money(value, currency),
    ]


def _required_inflow(result: SimulationResult) -> str:
    required = result.required_inflow
    if required is None:
        return ""
    text = (
        f"Required inflow: {required.opportunities:,.1f} opportunities per "
        f"{required.per} for {required.target_wins:g} wins per {required.per}"
    )
    if required.current is not None:
        change = required.opportunities / required.current - 1
        text += f" (now {required.current:,.1f}, {change:+.1%})"
    return text


def _cohort_tables(cohort: CohortForecast) -> str:
    stage_ids = list(cohort.months[0].in_stage) if cohort.months else []
    headers = ["Month", "Wins", "Cumulative", *stage_ids]
    rows = [
        [
            str(month.month),
            f"{month.wins:,.1f}",
            f"{month.cumulative_wins:,.1f}",
            *(f"{month.in_stage[stage_id]:,.1f}" for stage_id in stage_ids),
        ]
        for month in cohort.months
    ]
    ongoing_rows = [
        [
            str(month.month),
            f"{month.ongoing_wins:,.1f}",
            *(f"{month.ongoing_in_stage[stage_id]:,.1f}" for stage_id in stage_ids),
        ]
        for month in cohort.months
    ]
    return "\n".join(
        [
            f"Cohort forecast: {cohort.cohort_size:,.1f} opportunities entering "
            f"evenly during month 1 (a month is {DAYS_PER_MONTH} days).",
            "Wins closing in each month, and open opportunities per stage at "
            "each month end:",
            _table(headers, rows, left=()),
            "",
            "With the same inflow entering every month, from an empty funnel:",
            _table(["Month", "Wins", *stage_ids], ongoing_rows, left=()),
        ]
    )


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], left: tuple[int, ...] = (0,)
) -> str:
    """Align columns: those in ``left`` to the left, the others to the right."""
    widths = [
        max(len(row[column]) for row in [headers, *rows])
        for column in range(len(headers))
    ]
    lines = []
    for row in [headers, *rows]:
        cells = [
            cell.ljust(width) if column in left else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _per(result: SimulationResult) -> str:
    period = result.basis.period
    return f" per {period}" if period else ""


def _days(days: float) -> str:
    if days >= 60:
        return f"{days:.1f} days ({days / DAYS_PER_MONTH:.1f} months)"
    return f"{days:.1f} days"


def _money(amount: float, currency: str | None) -> str:
    text = f"{amount:,.0f}"
    return f"{currency} {text}" if currency else text
