"""In-file suppression comments."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.lint import lint_paths

SPEC = """\
funnelspec: 1
name: Example
motion: b2b
stages:
  - id: lead_validity_check  # funnelspec: ignore[FS204] the regulator requires it
    owner: sales
  - id: handoff
    owner: sales
    duration: 2 hours  # funnelspec: ignore[FS204]
  - id: qualified
    owner: sales
    conversion: 0.5  # funnelspec: ignore[FS402] not a finding here
# funnelspec: ignore-file[FS5, FS6] segments are defined per region elsewhere
"""


def lint_text(
    tmp_path: Path, text: str, suppress: bool = True
) -> list[tuple[str, int, int]]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    result = lint_paths([str(spec)], suppress=suppress)
    return [(f.code, f.line, f.column) for f in result.findings]


def test_stage_line_suppresses(tmp_path: Path) -> None:
    found = lint_text(tmp_path, SPEC)
    assert ("FS204", 5, 9) not in found


def test_offending_line_suppresses(tmp_path: Path) -> None:
    found = lint_text(tmp_path, SPEC)
    assert ("FS204", 9, 15) not in found


def test_missing_reason_reported(tmp_path: Path) -> None:
    found = lint_text(tmp_path, SPEC)
    assert ("FS003", 9, 24) in found


def test_unused_suppression_reported(tmp_path: Path) -> None:
    found = lint_text(tmp_path, SPEC)
    assert ("FS004", 12, 22) in found


def test_file_suppression_by_prefix(tmp_path: Path) -> None:
    found = lint_text(tmp_path, SPEC)
    codes = {code for code, _, _ in found}
    assert "FS501" not in codes
    assert "FS601" not in codes
    assert ("FS004", 13, 1) not in found


def test_no_suppress_shows_everything(tmp_path: Path) -> None:
    found = lint_text(tmp_path, SPEC, suppress=False)
    assert ("FS204", 5, 9) in found
    assert ("FS204", 9, 15) in found
    assert ("FS501", 1, 1) in found
    codes = {code for code, _, _ in found}
    assert "FS003" not in codes
    assert "FS004" not in codes


def test_cli_no_suppress_flag(tmp_path: Path, runner: CliRunner) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    quiet = runner.invoke(cli, ["lint", str(spec)])
    loud = runner.invoke(cli, ["lint", "--no-suppress", str(spec)])
    assert "lead_validity_check' is an internal step" not in quiet.output
    assert "lead_validity_check' is an internal step" in loud.output


def test_hash_inside_value_ignored(tmp_path: Path) -> None:
    text = SPEC.replace("name: Example", "name: 'Example#funnelspec: ignore[FS301] x'")
    found = lint_text(tmp_path, text)
    assert ("FS301", 1, 1) in found


def test_comment_text_in_scalars_ignored(tmp_path: Path) -> None:
    text = SPEC.replace(
        "name: Example\n",
        'name: "x # funnelspec: ignore-file[FS] y"\n'
        "description: |\n  # funnelspec: ignore-file[FS3] block text\n",
    )
    found = lint_text(tmp_path, text)
    assert ("FS301", 1, 1) in found
    assert ("FS004", 2, 9) not in found
