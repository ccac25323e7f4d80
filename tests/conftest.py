"""Shared fixtures: paths to the repository's specs, fixtures and shared data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: Third-party inputs (CRM exports) kept beside the repository, not in it, because
#: their licences were not checked. FUNNELSPEC_SHARED_DATA overrides.
SHARED_DATA = Path(
    os.environ.get("FUNNELSPEC_SHARED_DATA", ROOT.parent / "shared" / "data")
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
