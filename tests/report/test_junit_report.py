"""JUnit XML output, parsed back with xml.etree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.findings import Finding, Severity
from funnelspec.lint import LintResult
from funnelspec.report.junit import render_junit

ROOT = Path(__file__).resolve().parents[2]
SPECS = ["specs", "tests/report/specs"]


def lint_junit(runner: CliRunner, *args: str) -> ET.Element:
    outcome = runner.invoke(cli, ["lint", "--format", "junit", *args])
    assert outcome.exit_code in (0, 1, 2), outcome.output
    assert outcome.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(outcome.stdout)


def cases_by_name(root: ET.Element) -> dict[str, ET.Element]:
    return {case.attrib["name"]: case for case in root.iter("testcase")}


@pytest.fixture(autouse=True)
def in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_junit_one_case_per_spec(runner: CliRunner) -> None:
    root = lint_junit(runner, *SPECS)
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    names = sorted(cases_by_name(root))
    assert names == [
        "specs/b2c-car-dealership.yaml",
        "specs/hubspot-default-deal-pipeline.yaml",
        "specs/industrial-3d-design.yaml",
        "specs/salesforce-default-opportunity-stages.yaml",
        "tests/report/specs/broken.yaml",
        "tests/report/specs/duplicate-id.yaml",
        "tests/report/specs/invalid-rate.yaml",
    ]
    assert suite.attrib["tests"] == "7"
    assert suite.attrib["failures"] == "5"
    assert suite.attrib["errors"] == "0"
    assert root.attrib["tests"] == "7"
    assert root.attrib["failures"] == "5"


def test_junit_failure_per_finding(runner: CliRunner) -> None:
    root = lint_junit(runner, "tests/report/specs/duplicate-id.yaml")
    case = cases_by_name(root)["tests/report/specs/duplicate-id.yaml"]
    failures = case.findall("failure")
    assert len(failures) == 7
    types = [failure.attrib["type"] for failure in failures]
    assert types == ["FS201", "FS202", "FS206", "FS104", "FS105", "FS206", "FS101"]
    duplicate = failures[-1]
    assert duplicate.attrib["message"] == (
        "FS101 duplicate-stage-id: stage id 'engaged' is already used by "
        "stages[0] (line 13)"
    )
    text = duplicate.text or ""
    assert text.startswith("tests/report/specs/duplicate-id.yaml:18:9: FS101 error")
    assert "path: stages[1].id" in text
    assert "fix: Give every stage its own id" in text


def test_junit_clean_spec_passes(runner: CliRunner) -> None:
    root = lint_junit(runner, "specs/industrial-3d-design.yaml")
    case = cases_by_name(root)["specs/industrial-3d-design.yaml"]
    assert list(case) == []
    assert case.attrib["classname"] == "funnelspec"
    assert case.attrib["file"] == "specs/industrial-3d-design.yaml"
    assert root.attrib["failures"] == "0"


def test_junit_below_fail_on_in_output(runner: CliRunner) -> None:
    root = lint_junit(
        runner, "--fail-on", "error", "specs/hubspot-default-deal-pipeline.yaml"
    )
    case = cases_by_name(root)["specs/hubspot-default-deal-pipeline.yaml"]
    assert case.findall("failure") == []
    output = case.findtext("system-out") or ""
    lines = output.splitlines()
    assert len(lines) == 9
    assert lines[0].startswith(
        "specs/hubspot-default-deal-pipeline.yaml:9:1: FS301 warning"
    )
    assert root.attrib["failures"] == "0"


def test_junit_read_error_case(runner: CliRunner) -> None:
    root = lint_junit(runner, "missing.yaml", "specs/industrial-3d-design.yaml")
    error_case = cases_by_name(root)["missing.yaml: file not found"]
    error = error_case.find("error")
    assert error is not None
    assert error.attrib["message"] == "missing.yaml: file not found"
    assert root.attrib["errors"] == "1"
    assert root.attrib["tests"] == "2"


def test_junit_control_characters_escaped() -> None:
    finding = Finding(
        "FS002",
        "invalid-spec",
        Severity.ERROR,
        "unknown key 'a\x01b' <&>",
        "spec\x1b.yaml",
        4,
        1,
        path="a\x01b",
    )
    text = render_junit(LintResult(files=["spec\x1b.yaml"], findings=[finding]))
    root = ET.fromstring(text)
    [case] = root.iter("testcase")
    assert case.attrib["name"] == "spec\\x1b.yaml"
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "FS002 invalid-spec: unknown key 'a\\x01b' <&>"
    assert "path: a\\x01b" in (failure.text or "")
