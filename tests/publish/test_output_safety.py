"""Output paths of audit and docs that must be rejected, and funnels the
audit cannot simulate."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.publish.output import MANIFEST

from .helpers import INDUSTRIAL

SMALL = "2000"


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    outcome = runner.invoke(cli, list(args))
    return outcome.exit_code, outcome.stdout, outcome.stderr


def copy_spec(tmp_path: Path) -> Path:
    spec = tmp_path / "spec.yaml"
    shutil.copyfile(INDUSTRIAL, spec)
    return spec


def audit(runner: CliRunner, spec: Path, output: Path, *extra: str) -> tuple[int, str]:
    code, _, err = invoke(
        runner, "audit", str(spec), "-o", str(output), "--opportunities", SMALL, *extra
    )
    return code, err


def test_audit_output_is_spec(tmp_path: Path, runner: CliRunner) -> None:
    spec = copy_spec(tmp_path)
    before = spec.read_bytes()
    code, err = audit(runner, spec, spec, "--force")
    assert code == 2
    assert f"{spec}: the output file is the input file {spec}" in err
    assert spec.read_bytes() == before


def test_audit_output_hard_link(tmp_path: Path, runner: CliRunner) -> None:
    spec = copy_spec(tmp_path)
    link = tmp_path / "report.html"
    os.link(spec, link)
    code, err = audit(runner, spec, link)
    assert code == 2
    assert "the output file is the input file" in err
    assert link.read_bytes() == INDUSTRIAL.read_bytes()


def test_audit_chart_is_spec(tmp_path: Path, runner: CliRunner) -> None:
    spec = copy_spec(tmp_path)
    chart = tmp_path / "report-funnel.svg"
    os.link(spec, chart)
    code, err = audit(runner, spec, tmp_path / "report.md", "--force")
    assert code == 2
    assert f"{chart}: the output file is the input file" in err
    assert not (tmp_path / "report.md").exists()


def test_audit_output_is_config(tmp_path: Path, runner: CliRunner) -> None:
    spec = copy_spec(tmp_path)
    config = tmp_path / ".funnelspec.yaml"
    config.write_text("extends: recommended\n", encoding="utf-8")
    code, err = audit(runner, spec, config, "--format", "html", "--force")
    assert code == 2
    assert f"the output file is the input file {config}" in err


def test_audit_keeps_other_file(tmp_path: Path, runner: CliRunner) -> None:
    spec = copy_spec(tmp_path)
    notes = tmp_path / "notes.html"
    notes.write_text("my notes\n", encoding="utf-8")
    code, err = audit(runner, spec, notes)
    assert code == 2
    assert f"{notes}: file exists and was not written by funnelspec audit" in err
    assert "pass --force to replace it" in err
    assert notes.read_text(encoding="utf-8") == "my notes\n"


def test_audit_force_replaces(tmp_path: Path, runner: CliRunner) -> None:
    spec = copy_spec(tmp_path)
    notes = tmp_path / "notes.html"
    notes.write_text("my notes\n", encoding="utf-8")
    code, err = audit(runner, spec, notes, "--force")
    assert code == 0, err
    assert '<meta name="generator" content="funnelspec ' in notes.read_text("utf-8")


def test_audit_replaces_own_reports(tmp_path: Path, runner: CliRunner) -> None:
    spec = copy_spec(tmp_path)
    for name in ("report.html", "report.md"):
        output = tmp_path / name
        first, err = audit(runner, spec, output)
        assert first == 0, err
        second, err = audit(runner, spec, output)
        assert second == 0, err
    assert (tmp_path / "report-funnel.svg").is_file()


def test_audit_keeps_other_chart(tmp_path: Path, runner: CliRunner) -> None:
    spec = copy_spec(tmp_path)
    chart = tmp_path / "report-time-to-close.svg"
    chart.write_text("<svg/>", encoding="utf-8")
    code, err = audit(runner, spec, tmp_path / "report.md")
    assert code == 2
    assert f"{chart}: file exists and was not written by funnelspec audit" in err
    assert chart.read_text(encoding="utf-8") == "<svg/>"


def test_audit_opportunities_cap(tmp_path: Path, runner: CliRunner) -> None:
    spec = copy_spec(tmp_path)
    code, _, err = invoke(
        runner,
        "audit",
        str(spec),
        "-o",
        str(tmp_path / "r.html"),
        "--opportunities",
        "1000000000000",
    )
    assert code == 2
    assert "not in the range 1<=x<=100000000" in err


def test_audit_unreached_closed_loop(tmp_path: Path, runner: CliRunner) -> None:
    spec = tmp_path / "loop.yaml"
    spec.write_text(
        "funnelspec: 1\nname: Loop\nmotion: b2b\ninflow: 100 per month\n"
        "stages:\n"
        "  - id: a\n    duration: 1 week\n    next: {won: 0.5}\n"
        "  - id: b\n    duration: 1 week\n    next: {c: 1}\n"
        "  - id: c\n    duration: 1 week\n    next: {b: 1}\n",
        encoding="utf-8",
    )
    output = tmp_path / "loop.html"
    code, err = audit(runner, spec, output)
    assert code == 0, err
    assert "Traceback" not in err
    html = output.read_text(encoding="utf-8")
    assert "stages &#39;b&#39;, &#39;c&#39; cannot be reached" in html


def write_manifest(directory: Path, names: list[str]) -> None:
    directory.mkdir()
    lines = "".join(f"{name}\n" for name in names)
    (directory / MANIFEST).write_text(lines, encoding="utf-8")


def test_docs_page_is_directory(tmp_path: Path, runner: CliRunner) -> None:
    site = tmp_path / "site"
    write_manifest(site, ["industrial-3d-design.md"])
    (site / "industrial-3d-design.md").mkdir()
    code, _, err = invoke(runner, "docs", str(INDUSTRIAL), "-o", str(site))
    assert code == 2
    assert f"{site / 'industrial-3d-design.md'}: is a directory" in err
    assert "move or remove the directory" in err
    assert not (site / "index.md").exists()


def test_docs_stale_entry_is_directory(tmp_path: Path, runner: CliRunner) -> None:
    site = tmp_path / "site"
    write_manifest(site, ["old.md", "index.md"])
    (site / "old.md").mkdir()
    code, _, err = invoke(runner, "docs", str(INDUSTRIAL), "-o", str(site))
    assert code == 2
    assert f"{site / 'old.md'}: is a directory" in err
    assert (site / "old.md").is_dir()
