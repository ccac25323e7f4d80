"""``funnelspec lint`` output options: several formats, files, counts and exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from funnelspec.cli import cli

ROOT = Path(__file__).resolve().parents[2]
HUBSPOT = "specs/hubspot-default-deal-pipeline.yaml"
CLEAN = "specs/industrial-3d-design.yaml"
DUPLICATE = "tests/report/specs/duplicate-id.yaml"


@pytest.fixture(autouse=True)
def in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_formats_in_one_run(runner: CliRunner, tmp_path: Path) -> None:
    outcome = runner.invoke(
        cli,
        [
            "lint",
            "specs",
            "--format",
            "text",
            "--format",
            f"sarif:{tmp_path / 'out.sarif'}",
            "--format",
            f"junit:{tmp_path / 'out.xml'}",
            "--format",
            f"json:{tmp_path / 'out.json'}",
            "--format",
            f"github:{tmp_path / 'out.txt'}",
        ],
    )
    assert outcome.exit_code == 1
    assert outcome.stdout.endswith("23 findings (23 warnings) in 2 of 4 files.\n")
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == 23
    junit = ET.fromstring((tmp_path / "out.xml").read_text(encoding="utf-8"))
    assert len(list(junit.iter("failure"))) == 23
    report = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert report["summary"]["findings"] == 23
    annotations = (tmp_path / "out.txt").read_text(encoding="utf-8").splitlines()
    assert len(annotations) == 23
    assert all(line.startswith("::warning file=specs/") for line in annotations)


def test_output_option_takes_format(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "results.sarif"
    outcome = runner.invoke(
        cli, ["lint", HUBSPOT, "--format", "sarif", "--output", str(target)]
    )
    assert outcome.exit_code == 1
    assert outcome.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_text_file_has_no_color(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "lint.txt"
    runner.invoke(cli, ["lint", HUBSPOT, "--format", f"text:{target}"], color=True)
    text = target.read_text(encoding="utf-8")
    assert "\x1b[" not in text
    assert text.endswith("9 findings (9 warnings) in 1 of 1 file.\n")


def test_explicit_stdout_target(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", CLEAN, "--format", "json:-"])
    assert outcome.exit_code == 0
    assert json.loads(outcome.stdout)["summary"]["findings"] == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--format", "text", "--format", "json"],
            "formats text and json both write to standard output",
        ),
        (
            ["--format", "sarif:same.out", "--format", "junit:same.out"],
            "formats sarif and junit both write to 'same.out'",
        ),
        (["--format", "yaml"], "invalid output format 'yaml'; use one of text, json"),
        (["--format", "json:"], "output format 'json:' names no file after ':'"),
        (
            ["--format", "json:no-such-dir/out.json"],
            "cannot write output file 'no-such-dir/out.json': directory",
        ),
        (["--format", "json:specs"], "output file 'specs' is a directory"),
        (
            ["--format", "json:a.json", "--output", "b.json"],
            "--output b.json is not used because every --format names its own file",
        ),
    ],
)
def test_bad_output_is_usage_error(
    runner: CliRunner, args: list[str], expected: str
) -> None:
    outcome = runner.invoke(cli, ["lint", CLEAN, *args])
    assert outcome.exit_code == 2
    assert expected in outcome.stderr
    assert "Traceback" not in outcome.output


def test_output_never_overwrites_spec(runner: CliRunner, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    original = (ROOT / HUBSPOT).read_text(encoding="utf-8")
    spec.write_text(original, encoding="utf-8")
    outcome = runner.invoke(cli, ["lint", str(spec), "--format", f"json:{spec}"])
    assert outcome.exit_code == 2
    assert "is one of the input files" in outcome.stderr
    assert spec.read_text(encoding="utf-8") == original


def test_per_file_counts_section(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", "specs", DUPLICATE])
    lines = outcome.stdout.splitlines()
    start = lines.index("Findings per file:")
    assert lines[start - 1] == ""
    assert lines[start + 1 : start + 4] == [
        "     9  specs/hubspot-default-deal-pipeline.yaml  (9 warnings)",
        "    14  specs/salesforce-default-opportunity-stages.yaml  (14 warnings)",
        "     7  tests/report/specs/duplicate-id.yaml  (2 errors, 5 warnings)",
    ]
    assert lines[-1] == "30 findings (2 errors, 28 warnings) in 3 of 5 files."


def test_no_file_counts_for_one_file(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", HUBSPOT, CLEAN])
    assert outcome.exit_code == 1
    assert "Findings per file:" not in outcome.stdout
    assert outcome.stdout.splitlines()[-2].startswith(f"{HUBSPOT}:32:5: FS205")


def test_statistics_counts_rules(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", HUBSPOT, "--statistics"])
    lines = outcome.stdout.splitlines()
    start = lines.index("Findings per rule:")
    assert lines[start + 1 : start + 6] == [
        "     5  FS205  missing-key-outcome",
        "     1  FS301  missing-conversion-period",
        "     1  FS303  slow-follow-up",
        "     1  FS501  missing-segments",
        "     1  FS602  influencer-not-engaged",
    ]
    assert lines[-2] == ""
    assert lines[-1] == "9 findings (9 warnings) in 1 of 1 file."


def test_quiet_prints_summary_only(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", "specs", "--quiet"])
    assert outcome.exit_code == 1
    assert outcome.stdout == "23 findings (23 warnings) in 2 of 4 files.\n"


def test_quiet_clean_run_prints_nothing(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", CLEAN, "-q"])
    assert outcome.exit_code == 0
    assert outcome.output == ""


def test_quiet_keeps_statistics(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", HUBSPOT, "-q", "--statistics"])
    lines = outcome.stdout.splitlines()
    assert lines[0] == "Findings per rule:"
    assert lines[-1] == "9 findings (9 warnings) in 1 of 1 file."
    assert not any(line.startswith("specs/") for line in lines)


def test_quiet_keeps_read_errors(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", "missing.yaml", "-q"])
    assert outcome.exit_code == 2
    assert outcome.stderr == "funnelspec: error: missing.yaml: file not found\n"


def test_exit_zero_with_findings(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", DUPLICATE, "--exit-zero"])
    assert outcome.exit_code == 0
    assert "FS101 error" in outcome.stdout


def test_exit_zero_keeps_read_errors(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", "missing.yaml", DUPLICATE, "--exit-zero"])
    assert outcome.exit_code == 2


def test_skip_non_specs(runner: CliRunner, tmp_path: Path) -> None:
    other = tmp_path / "workflow.yml"
    other.write_text("on: push\njobs: {}\n", encoding="utf-8")
    skipped = runner.invoke(cli, ["lint", "--skip-non-specs", str(other), CLEAN])
    assert skipped.exit_code == 0
    assert skipped.stdout == "1 file checked, no findings.\n"
    rejected = runner.invoke(cli, ["lint", str(other), CLEAN])
    assert rejected.exit_code == 2
    assert "not a funnel spec" in rejected.stderr


def test_skip_non_specs_keeps_broken_spec(runner: CliRunner) -> None:
    outcome = runner.invoke(
        cli, ["lint", "--skip-non-specs", "tests/report/specs/broken.yaml"]
    )
    assert outcome.exit_code == 1
    assert "FS001 error" in outcome.stdout


def test_json_summary_counts(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", "--format", "json", DUPLICATE, CLEAN])
    summary = json.loads(outcome.stdout)["summary"]
    assert summary["by_rule"] == {
        "FS206": 2,
        "FS101": 1,
        "FS104": 1,
        "FS105": 1,
        "FS201": 1,
        "FS202": 1,
    }
    assert summary["by_file"] == {DUPLICATE: {"error": 2, "warning": 5, "info": 0}}


def test_help_explains_options(runner: CliRunner) -> None:
    text = runner.invoke(cli, ["lint", "--help"]).stdout
    for option in (
        "--format FORMAT[:FILE]",
        "-o, --output FILE",
        "--statistics",
        "-q, --quiet",
        "--exit-zero",
        "--skip-non-specs",
    ):
        assert option in text
