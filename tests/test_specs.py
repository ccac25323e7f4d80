"""The example specs in specs/ give the findings the README describes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import SPECS

from funnelspec.cli import cli

#: Findings of HubSpot's default deal pipeline as (code, line): HubSpot sets no
#: time target, follow-up SLA, segments, key outcomes or influencer.
HUBSPOT = [
    ("FS301", 9),
    ("FS303", 9),
    ("FS501", 9),
    ("FS602", 14),
    ("FS205", 15),
    ("FS205", 19),
    ("FS205", 23),
    ("FS205", 27),
    ("FS205", 32),
]

#: Findings of Salesforce's default opportunity stages as (code, line): the
#: same gaps as HubSpot, plus eight stages and a first stage whose conversion
#: is 1.0 (Prospecting and Qualification both have a probability of 10%).
SALESFORCE = [
    ("FS301", 10),
    ("FS303", 10),
    ("FS501", 10),
    ("FS201", 15),
    ("FS602", 15),
    ("FS205", 16),
    ("FS402", 19),
    ("FS205", 20),
    ("FS205", 24),
    ("FS205", 28),
    ("FS205", 32),
    ("FS205", 37),
    ("FS205", 41),
    ("FS205", 45),
]


def lint_json(runner: CliRunner, name: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(cli, ["lint", "--format", "json", str(SPECS / name)])
    return result.exit_code, json.loads(result.stdout)


def found(payload: dict[str, object]) -> list[tuple[str, int]]:
    findings = payload["findings"]
    assert isinstance(findings, list)
    return [(finding["code"], finding["line"]) for finding in findings]


@pytest.mark.parametrize(
    "name", ["industrial-3d-design.yaml", "b2c-car-dealership.yaml"]
)
def test_worked_example_clean(runner: CliRunner, name: str) -> None:
    code, payload = lint_json(runner, name)
    assert found(payload) == []
    assert code == 0


def test_hubspot_findings(runner: CliRunner) -> None:
    code, payload = lint_json(runner, "hubspot-default-deal-pipeline.yaml")
    assert found(payload) == HUBSPOT
    assert code == 1


def test_salesforce_findings(runner: CliRunner) -> None:
    code, payload = lint_json(runner, "salesforce-default-opportunity-stages.yaml")
    assert found(payload) == SALESFORCE
    assert code == 1


def test_crm_findings_are_warnings(runner: CliRunner) -> None:
    for name in (
        "hubspot-default-deal-pipeline.yaml",
        "salesforce-default-opportunity-stages.yaml",
    ):
        _, payload = lint_json(runner, name)
        summary = payload["summary"]
        assert isinstance(summary, dict)
        assert summary["by_severity"]["error"] == 0


def test_specs_have_no_errors(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["lint", "--format", "json", str(SPECS)])
    summary = json.loads(result.stdout)["summary"]
    assert summary["files"] == len(list(SPECS.glob("*.yaml")))
    assert summary["by_severity"]["error"] == 0
