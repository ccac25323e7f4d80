"""SARIF output, validated against the official SARIF 2.1.0 JSON schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.findings import Finding, Severity
from funnelspec.lint import LintResult, lint_paths
from funnelspec.report.sarif import render_sarif, sarif_log
from funnelspec.rules.engine import builtin_ruleset

ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
REPORT_SPECS = ROOT / "tests" / "report" / "specs"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def lint_sarif(runner: CliRunner, *args: str) -> dict[str, Any]:
    outcome = runner.invoke(cli, ["lint", "--format", "sarif", *args])
    assert outcome.exit_code in (0, 1), outcome.output
    log: dict[str, Any] = json.loads(outcome.stdout)
    return log


def test_vendored_schema_is_official() -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


@pytest.mark.parametrize("folder", [ROOT / "specs", REPORT_SPECS])
def test_sarif_matches_schema(
    runner: CliRunner,
    validator: jsonschema.Draft4Validator,
    monkeypatch: pytest.MonkeyPatch,
    folder: Path,
) -> None:
    monkeypatch.chdir(ROOT)
    log = lint_sarif(runner, str(folder.relative_to(ROOT)))
    errors = [error.message for error in validator.iter_errors(log)]
    assert errors == []
    assert log["version"] == "2.1.0"


def test_sarif_rules_from_ruleset(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    log = lint_sarif(runner, "specs")
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    ruleset = builtin_ruleset()
    assert [rule["id"] for rule in rules] == list(ruleset.rules)
    fs205 = next(rule for rule in rules if rule["id"] == "FS205")
    assert fs205["name"] == "missing-key-outcome"
    assert fs205["shortDescription"]["text"] == "Every stage names its key outcome."
    assert fs205["fullDescription"]["text"] == ruleset["FS205"].rationale
    assert fs205["help"]["text"].startswith(ruleset["FS205"].rationale)
    assert "Fix: Add key_outcome" in fs205["help"]["text"]
    assert fs205["defaultConfiguration"]["level"] == "warning"
    fs101 = next(rule for rule in rules if rule["id"] == "FS101")
    assert fs101["defaultConfiguration"]["level"] == "error"


def test_sarif_fix_template_filled(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    rules = lint_sarif(runner, "specs")["runs"][0]["tool"]["driver"]["rules"]
    fs303 = next(rule for rule in rules if rule["id"] == "FS303")
    assert "Fix: Set follow_up_sla to 24 hours or less." in fs303["help"]["text"]


def test_sarif_result_location(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    log = lint_sarif(runner, "tests/report/specs/invalid-rate.yaml")
    run = log["runs"][0]
    [result] = run["results"]
    assert result["ruleId"] == "FS002"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "FS002"
    assert result["level"] == "error"
    assert result["message"]["text"].startswith(
        "stages[0].conversion: rate '135%' is outside 0 to 1"
    )
    [location] = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": "tests/report/specs/invalid-rate.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert physical["region"] == {"startLine": 16, "startColumn": 17}
    assert location["logicalLocations"] == [
        {"fullyQualifiedName": "stages[0].conversion"}
    ]
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_levels_per_severity(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    log = lint_sarif(runner, "tests/report/specs/duplicate-id.yaml")
    levels = {result["ruleId"]: result["level"] for result in log["runs"][0]["results"]}
    assert levels["FS101"] == "error"
    assert levels["FS206"] == "warning"


def test_sarif_info_is_note() -> None:
    finding = Finding(
        "FS201", "stage-count", Severity.INFO, "too many stages", "a.yaml", 3, 1
    )
    log = sarif_log(LintResult(files=["a.yaml"], findings=[finding]))
    assert log["runs"][0]["results"][0]["level"] == "note"


def test_sarif_document_finding_no_logical_location(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    log = lint_sarif(runner, "tests/report/specs/broken.yaml")
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "FS001"
    assert "logicalLocations" not in result["locations"][0]


def test_sarif_unknown_rule_descriptor(validator: jsonschema.Draft4Validator) -> None:
    finding = Finding(
        "ACME001", "acme-check", Severity.WARNING, "custom problem", "a.yaml", 2, 3
    )
    log = sarif_log(LintResult(files=["a.yaml"], findings=[finding]))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    result = log["runs"][0]["results"][0]
    assert rules[result["ruleIndex"]] == {"id": "ACME001", "name": "acme-check"}
    assert list(validator.iter_errors(log)) == []


def test_sarif_file_outside_base(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "my spec.yaml"
    finding = Finding(
        "FS301", "missing-conversion-period", Severity.WARNING, "m", str(outside), 1, 1
    )
    base = tmp_path / "checkout"
    log = sarif_log(
        LintResult(files=[str(outside)], findings=[finding]), None, str(base)
    )
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": outside.as_uri()}
    assert location["artifactLocation"]["uri"].endswith("/elsewhere/my%20spec.yaml")


def test_sarif_read_error_notification(
    runner: CliRunner,
    validator: jsonschema.Draft4Validator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    outcome = runner.invoke(cli, ["lint", "--format", "sarif", "missing.yaml"])
    assert outcome.exit_code == 2
    log = json.loads(outcome.stdout)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == "missing.yaml: file not found"
    assert list(validator.iter_errors(log)) == []


def test_sarif_same_bytes_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    first = render_sarif(lint_paths(["specs", "tests/report/specs"]))
    second = render_sarif(lint_paths(["specs", "tests/report/specs"]))
    assert first == second
