"""Bad input found by a break test: each case ends in a clear result."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.lint import lint_paths

ROOT = Path(__file__).resolve().parent.parent
SPEC = (ROOT / "specs" / "industrial-3d-design.yaml").read_text(encoding="utf-8")
SMALL = "funnelspec: 1\nname: x\nmotion: b2b\nstages:\n  - id: a\n"


def write_spec(folder: Path, text: str = SPEC, name: str = "spec.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def codes(path: Path) -> list[tuple[str, int, int]]:
    result = lint_paths([str(path)])
    return [(f.code, f.line, f.column) for f in result.findings]


def test_output_symlink_replaced(tmp_path: Path, runner: CliRunner) -> None:
    spec = write_spec(tmp_path)
    victim = tmp_path / "victim.sh"
    victim.write_text("keep me\n")
    (tmp_path / "out.sarif").symlink_to(victim)
    outcome = runner.invoke(
        cli, ["lint", "--format", f"sarif:{tmp_path / 'out.sarif'}", str(spec)]
    )
    assert outcome.exit_code == 0, outcome.output
    assert victim.read_text() == "keep me\n"
    assert not (tmp_path / "out.sarif").is_symlink()


def test_output_named_input_refused(tmp_path: Path, runner: CliRunner) -> None:
    spec = write_spec(tmp_path)
    notes = tmp_path / "notes.yaml"
    notes.write_text("a: 1\n")
    outcome = runner.invoke(cli, ["lint", str(spec), str(notes), "-o", str(notes)])
    assert outcome.exit_code == 2
    assert "is one of the input files" in outcome.output
    assert notes.read_text() == "a: 1\n"


def test_output_hard_link_refused(tmp_path: Path, runner: CliRunner) -> None:
    spec = write_spec(tmp_path)
    os.link(spec, tmp_path / "hard.yaml")
    outcome = runner.invoke(cli, ["lint", str(spec), "-o", str(tmp_path / "hard.yaml")])
    assert outcome.exit_code == 2
    assert spec.read_text(encoding="utf-8") == SPEC


def test_suppression_cannot_hide_fs001(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path, "# funnelspec: ignore-file[FS001] generated\nfunnelspec: [1\n"
    )
    found = codes(spec)
    assert ("FS001", 3, 1) in found
    assert ("FS004", 1, 1) in found


def test_empty_extends_keeps_fs002(tmp_path: Path) -> None:
    (tmp_path / ".funnelspec.yaml").write_text("extends: []\n")
    spec = write_spec(tmp_path, SMALL.replace("b2b", "b2x"))
    assert ("FS002", 3, 9) in codes(spec)


def test_fs001_cannot_be_redefined(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / ".funnelspec.yaml").write_text(
        "rules:\n  FS001: {name: x, check: pattern, message: m, severity: info}\n"
    )
    spec = write_spec(tmp_path)
    outcome = runner.invoke(cli, ["lint", str(spec)])
    assert outcome.exit_code == 2
    assert (
        ".funnelspec.yaml:2:10: rules.FS001: FS001 cannot be changed" in outcome.output
    )


def test_latin1_spec_in_folder(tmp_path: Path) -> None:
    (tmp_path / "latin.yaml").write_bytes(
        SMALL.replace("x", "caf\xe9").encode("latin-1")
    )
    result = lint_paths([str(tmp_path)])
    found = [(f.code, f.line, f.column) for f in result.findings]
    assert found == [("FS001", 2, 10)]


def test_pyproject_without_table_skipped(tmp_path: Path) -> None:
    (tmp_path / ".funnelspec.yaml").write_text("rules:\n  FS205: 'off'\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("tool = 5\n# [tool.funnelspec]\n")
    spec = write_spec(project, SMALL)
    found = {code for code, _, _ in codes(spec)}
    assert "FS205" not in found


def test_bad_ratio_selector(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / ".funnelspec.yaml").write_text(
        "rules:\n  X1:\n    name: x\n    check: ratio\n    message: m\n"
        "    options: {numerator: 5, denominator: {owner: sales}}\n"
    )
    outcome = runner.invoke(cli, ["lint", str(write_spec(tmp_path))])
    assert outcome.exit_code == 2
    assert "rule X1 (x)" in outcome.output
    assert "cannot run" in outcome.output


def test_plugin_reusing_name(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "p.py").write_text(
        "from funnelspec.rules.registry import register\n"
        "@register('pattern')\ndef check(context, options):\n    yield from ()\n"
    )
    (tmp_path / ".funnelspec.yaml").write_text("plugins: [p.py]\n")
    outcome = runner.invoke(cli, ["lint", str(write_spec(tmp_path))])
    assert outcome.exit_code == 2
    assert "registered twice" in outcome.output


def test_plugin_check_raising(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "p.py").write_text(
        "from funnelspec.rules.registry import register\n"
        "@register('boom')\ndef check(context, options):\n"
        "    raise RuntimeError('bang')\n    yield\n"
    )
    (tmp_path / ".funnelspec.yaml").write_text(
        "plugins: [p.py]\nrules:\n  X1: {name: x, check: boom, message: m}\n"
    )
    outcome = runner.invoke(cli, ["lint", str(write_spec(tmp_path))])
    assert outcome.exit_code == 2
    assert "check 'boom' of rule X1 (x)" in outcome.output
    assert "RuntimeError('bang')" in outcome.output


def test_plugin_exit_at_import(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "p.py").write_text("raise SystemExit(0)\n")
    (tmp_path / ".funnelspec.yaml").write_text("plugins: [p.py]\n")
    outcome = runner.invoke(cli, ["lint", str(write_spec(tmp_path))])
    assert outcome.exit_code == 2
    assert "failed to import" in outcome.output


def test_template_width_ignored(tmp_path: Path) -> None:
    (tmp_path / ".funnelspec.yaml").write_text(
        "rules:\n  X1:\n    name: x\n    check: field-required\n"
        "    options: {field: exit_criteria}\n"
        "    message: '{id:>3000000000} has no {field!r}'\n"
    )
    result = lint_paths([str(write_spec(tmp_path, SMALL))])
    [finding] = [f for f in result.findings if f.code == "X1"]
    assert finding.message == "a has no exit_criteria"


def test_nan_option_rejected(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / ".funnelspec.yaml").write_text("rules:\n  FS201: {min: .nan}\n")
    outcome = runner.invoke(cli, ["lint", str(write_spec(tmp_path))])
    assert outcome.exit_code == 2
    assert "option 'min' must be a finite number" in outcome.output


def test_probability_sum_precision(tmp_path: Path) -> None:
    text = SMALL + "    next: {won: 0.7, lost: 0.30000001}\n"
    result = lint_paths([str(write_spec(tmp_path, text))])
    [finding] = [f for f in result.findings if f.code == "FS106"]
    assert "sum to 1.00000001, more than 1" in finding.message


def test_text_output_escapes_controls(tmp_path: Path, runner: CliRunner) -> None:
    text = SMALL.replace(
        "stages:", 'segments:\n  - name: "Evil\\nfake.yaml:1:1: FS101 \\e[31m"\nstages:'
    )
    outcome = runner.invoke(cli, ["lint", str(write_spec(tmp_path, text))])
    lines = [line for line in outcome.output.splitlines() if "Evil" in line]
    assert len(lines) == 1
    assert "Evil\\nfake.yaml:1:1: FS101 \\x1b[31m" in lines[0]


def test_boolean_version_rejected(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SMALL.replace("funnelspec: 1", "funnelspec: true"))
    result = lint_paths([str(spec)])
    messages = [f.message for f in result.findings if f.code == "FS002"]
    assert messages == ["funnelspec: funnelspec is true; write the integer 1"]


def test_yes_is_not_boolean(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SMALL + "    nurture: yes\n")
    assert ("FS002", 6, 14) in codes(spec)


def test_duration_over_limit(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SMALL + "    duration: P99999999999999999999Y\n")
    result = lint_paths([str(spec)])
    [finding] = [f for f in result.findings if f.code == "FS002"]
    assert "longer than 1,000 years" in finding.message
