"""Fixtures for the CRM import tests: the real exports and a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from funnelspec.cli import main

from .helpers import (
    ADOPTION_STAGES,
    GUSTO_BIZDEV,
    GUSTO_PAYROLL,
    GUSTO_STAGES,
    SALESFORCE_DATA,
    Run,
)


@pytest.fixture(scope="session")
def salesforce_data() -> Path:
    """Return the directory of real Salesforce exports; fail when it is missing."""
    expected = [ADOPTION_STAGES, GUSTO_STAGES, GUSTO_PAYROLL, GUSTO_BIZDEV]
    missing = [name for name in expected if not (SALESFORCE_DATA / name).is_file()]
    if missing:
        message = (
            f"Salesforce exports missing from {SALESFORCE_DATA}: "
            f"{', '.join(missing)}; the CRM import tests read them from the "
            "shared data directory beside the repository, or from the folder "
            "that FUNNELSPEC_SHARED_DATA names"
        )
        # CI always has the data, so there a missing file is a failure.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SALESFORCE_DATA


@pytest.fixture
def run(runner: CliRunner) -> Callable[..., Run]:
    """Return a function that runs ``funnelspec ARGS`` as the entry point does.

    It calls ``funnelspec.cli.main``, so a user error ends in SystemExit with
    its exit code and a one-line message, as on the command line. Any other
    exception fails the test with its traceback.
    """

    def invoke(*args: str | Path, input: bytes | None = None) -> Run:
        with runner.isolation(input=input) as streams:
            stdout, stderr = streams[0], streams[1]
            try:
                main([str(arg) for arg in args])
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            return Run(
                code=code,
                stdout=stdout.getvalue().decode("utf-8"),
                stderr=stderr.getvalue().decode("utf-8"),
            )

    return invoke
