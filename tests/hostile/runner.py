"""Run the CLI in-process as ``funnelspec.cli.main`` runs it, with a hang alarm.

``main`` is what the installed command runs: it turns errors a user can
cause into one line and an exit code. Any other exception propagates into
the test, so a test fails on a traceback.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from dataclasses import dataclass

from click.testing import CliRunner

from funnelspec.cli import main

#: Seconds before a run counts as hung. Generous, because CI machines are
#: shared; benchmarks/hostile.py measures the real times.
HANG_SECONDS = 60


class Hung(Exception):
    """The CLI did not finish within HANG_SECONDS."""


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def hang_alarm(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Raise Hung in the main thread if the block runs longer than seconds."""

    def alarm(signum: int, frame: object) -> None:
        raise Hung(f"no result after {seconds} seconds")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(*args: str, input: str | bytes | None = None) -> Result:
    """Run ``funnelspec ARGS`` and return its exit code and output."""
    runner = CliRunner()
    code = 0
    with runner.isolation(input=input) as (stdout, stderr, _), hang_alarm():
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return Result(
        code,
        stdout.getvalue().decode("utf-8", "replace"),
        stderr.getvalue().decode("utf-8", "replace"),
    )
