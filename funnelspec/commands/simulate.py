"""``funnelspec simulate``: forecast a funnel's wins, timing and bottlenecks."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from funnelspec.errors import UsageError
from funnelspec.findings import Finding, Severity
from funnelspec.lint import is_spec, read_document
from funnelspec.report.text import format_finding
from funnelspec.rules.config import ConfigResolver
from funnelspec.rules.engine import lint_document
from funnelspec.simulate import (
    DEFAULT_MONTHS,
    DEFAULT_OPPORTUNITIES,
    DEFAULT_SEED,
    MAX_OPPORTUNITIES,
    METHODS,
    SimulationResult,
)
from funnelspec.simulate import (
    simulate as run_simulation,
)
from funnelspec.simulate.errors import SpecError
from funnelspec.spec.loader import Document
from funnelspec.spec.parse import parse_document
from funnelspec.spec.units import PERIOD_DAYS


@click.command()
@click.argument("spec_path", metavar="SPEC", type=click.Path(allow_dash=True))
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="both",
    show_default=True,
    help="exact: absorbing Markov chain (no timing); monte-carlo: sampled "
    "opportunities (timing and cohort forecast); both: exact counts with "
    "Monte Carlo timing.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format: readable tables (text) or one JSON object (json).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of the Monte Carlo random numbers; the same seed and "
    "--opportunities give the same output.",
)
@click.option(
    "--opportunities",
    type=click.IntRange(min=1, max=MAX_OPPORTUNITIES),
    default=DEFAULT_OPPORTUNITIES,
    show_default=True,
    help="Number of opportunities Monte Carlo samples (count).",
)
@click.option(
    "--months",
    type=click.IntRange(min=1, max=240),
    default=DEFAULT_MONTHS,
    show_default=True,
    help="Length of the cohort forecast, in months of 30.44 days.",
)
@click.option(
    "--target-wins",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Wins per --per period to compute the required inflow for (count, a "
    "finite number above 0).",
)
@click.option(
    "--per",
    type=click.Choice(list(PERIOD_DAYS)),
    default=None,
    help="Period of the per-period counts and of --target-wins "
    "[default: the period of the spec's inflow, else month].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Configuration file (.funnelspec.yaml or pyproject.toml) for the lint "
    "that runs first, instead of searching upward from SPEC.",
)
def simulate(
    spec_path: str,
    method: str,
    output_format: str,
    seed: int,
    opportunities: int,
    months: int,
    target_wins: float | None,
    per: str | None,
    config_path: str | None,
) -> None:
    """Simulate the funnel in SPEC: win rate, stage flows, time to close,
    bottlenecks, required inflow and a month-by-month cohort forecast.

    SPEC is a spec file, or - for standard input. The spec is linted first.
    Findings at error severity are printed to standard error and stop the
    simulation with exit code 1. Warnings are printed to standard error, and
    the simulation goes on.

    Exit codes: 0 simulated; 1 the spec has lint errors; 2 usage error, a
    file that cannot be read, or a spec that cannot be simulated (a stage
    without a conversion, or a loop with no way out).
    """
    document = read_document(spec_path)
    if not is_spec(document):
        raise UsageError(
            f"{document.file}: not a funnel spec (no top-level 'funnelspec:' key); "
            "add 'funnelspec: 1'"
        )
    ruleset = ConfigResolver(config_path).ruleset_for(spec_path)
    findings = lint_document(document, ruleset)
    color = sys.stderr.isatty()
    for finding in findings:
        click.echo(format_finding(finding, color), err=True)
    errors = [f for f in findings if f.severity >= Severity.ERROR]
    if errors:
        _reject(document, errors)
    spec = parse_document(document)
    if spec is None:
        # Only reached when the configuration lowers FS001 or FS002 below error.
        raise UsageError(
            f"{document.file}: the spec is not valid format 1, so it cannot be "
            "simulated; fix the FS001 and FS002 findings"
        )
    try:
        with _progress(opportunities, method) as progress:
            result = run_simulation(
                spec,
                method=method,
                opportunities=opportunities,
                seed=seed,
                months=months,
                target_wins=target_wins,
                per=per,
                progress=progress,
            )
    except SpecError as exc:
        position = document.source.locate(exc.path)
        raise UsageError(
            f"{document.file}:{position.line}:{position.column}: {exc}"
        ) from None
    for warning in result.warnings:
        click.echo(f"funnelspec: warning: {warning}", err=True)
    click.echo(_render(result, output_format))


def _reject(document: Document, errors: list[Finding]) -> None:
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    click.echo(
        f"funnelspec: error: {document.file} has {count} lint {noun}; fix "
        f"{'it' if count == 1 else 'them'} before simulating",
        err=True,
    )
    sys.exit(1)


def _render(result: SimulationResult, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(result.as_dict(), indent=2, ensure_ascii=False)
    from funnelspec.simulate.text import render_text

    return render_text(result)


@contextmanager
def _progress(
    opportunities: int, method: str
) -> Iterator[Callable[[int], None] | None]:
    """Yield a progress callback drawing a bar on standard error, if it is a tty."""
    if method == "exact" or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(
        length=opportunities, label="Sampling opportunities", file=sys.stderr
    ) as bar:
        yield bar.update
