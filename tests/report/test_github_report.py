"""GitHub Actions workflow commands, parsed back the way the runner reads them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.findings import Finding, Severity
from funnelspec.lint import LintResult
from funnelspec.report.github import escape_data, escape_property, render_github

ROOT = Path(__file__).resolve().parents[2]
COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<properties>[^:]*))?::(?P<data>.*)$")


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    text = text.replace("%3A", ":").replace("%2C", ",")
    return unescape_data(text)


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Split one workflow command into name, properties and message."""
    match = COMMAND.match(line)
    assert match is not None, line
    properties = {}
    if match["properties"]:
        for pair in match["properties"].split(","):
            key, _, value = pair.partition("=")
            properties[key] = unescape_property(value)
    return match["name"], properties, unescape_data(match["data"])


def test_github_annotation_fields(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    outcome = runner.invoke(
        cli, ["lint", "--format", "github", "tests/report/specs/invalid-rate.yaml"]
    )
    assert outcome.exit_code == 1
    [line] = outcome.stdout.splitlines()
    name, properties, message = parse_command(line)
    assert name == "error"
    assert properties == {
        "file": "tests/report/specs/invalid-rate.yaml",
        "line": "16",
        "col": "17",
        "title": "FS002 invalid-spec",
    }
    assert message.splitlines()[0] == (
        "stages[0].conversion: rate '135%' is outside 0 to 1 (0% to 100%)"
    )
    assert message.splitlines()[1].startswith("Fix: Use the keys")
    assert "%25" in line
    assert "%0A" in line


def test_github_severity_commands(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    outcome = runner.invoke(
        cli, ["lint", "--format", "github", "tests/report/specs/duplicate-id.yaml"]
    )
    commands = [parse_command(line) for line in outcome.stdout.splitlines()]
    by_title = {props["title"]: name for name, props, _ in commands}
    assert by_title["FS101 duplicate-stage-id"] == "error"
    assert by_title["FS206 missing-owner"] == "warning"
    assert len(commands) == 7


def test_github_info_is_notice() -> None:
    finding = Finding("FS201", "stage-count", Severity.INFO, "m", "a.yaml", 1, 1)
    text = render_github(LintResult(files=["a.yaml"], findings=[finding]))
    assert text.startswith(
        "::notice file=a.yaml,line=1,col=1,title=FS201 stage-count::"
    )


def test_github_escapes_file_name(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    odd = tmp_path / "emea, q3: 100%.yaml"
    shutil.copy(ROOT / "tests" / "report" / "specs" / "invalid-rate.yaml", odd)
    monkeypatch.chdir(tmp_path)
    outcome = runner.invoke(cli, ["lint", "--format", "github", odd.name])
    [line] = outcome.stdout.splitlines()
    assert "file=emea%2C q3%3A 100%25.yaml," in line
    _, properties, _ = parse_command(line)
    assert properties["file"] == "emea, q3: 100%.yaml"
    assert properties["line"] == "16"


def test_github_read_error(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    outcome = runner.invoke(cli, ["lint", "--format", "github", "missing.yaml"])
    assert outcome.exit_code == 2
    name, properties, message = parse_command(outcome.stdout.splitlines()[-1])
    assert name == "error"
    assert properties == {"title": "funnelspec"}
    assert message == "missing.yaml: file not found"


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("50%", "50%25", "50%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("key: a, b", "key: a, b", "key%3A a%2C b"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_github_escape_rules(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop
    assert unescape_data(escape_data(raw)) == raw
    assert unescape_property(escape_property(raw)) == raw
