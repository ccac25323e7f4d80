"""``funnelspec docs``: output directory rules, determinism and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.errors import UsageError
from funnelspec.publish.charts import flowchart_svg
from funnelspec.publish.docs import write_docs
from funnelspec.publish.output import MANIFEST

from .helpers import FIXTURES, HUBSPOT, INDUSTRIAL, ROOT, SPECS, load_page


def test_creates_directory(tmp_path: Path) -> None:
    output = tmp_path / "site" / "docs"
    result = write_docs([str(SPECS)], output, "md", force=False)
    assert result.files == [
        "b2c-car-dealership.md",
        "hubspot-default-deal-pipeline.md",
        "industrial-3d-design.md",
        "salesforce-default-opportunity-stages.md",
        "index.md",
    ]
    assert sorted(path.name for path in output.iterdir()) == sorted(
        [*result.files, MANIFEST]
    )


def test_rejects_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty and was not made by funnelspec"):
        write_docs([str(INDUSTRIAL)], tmp_path, "md", force=False)
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_force_keeps_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    write_docs([str(INDUSTRIAL)], tmp_path, "md", force=True)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "industrial-3d-design.md").is_file()


def test_rerun_deletes_stale_pages(tmp_path: Path) -> None:
    write_docs([str(INDUSTRIAL), str(HUBSPOT)], tmp_path, "md", force=False)
    (tmp_path / "notes.txt").write_text("mine")
    write_docs([str(INDUSTRIAL)], tmp_path, "md", force=False)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [MANIFEST, "index.md", "industrial-3d-design.md", "notes.txt"]


def test_manifest_cannot_point_outside(tmp_path: Path) -> None:
    outside = tmp_path / "keep.md"
    outside.write_text("keep")
    output = tmp_path / "docs"
    write_docs([str(INDUSTRIAL)], output, "md", force=False)
    with (output / MANIFEST).open("a") as manifest:
        manifest.write("../keep.md\n/etc/hostname\n")
    write_docs([str(INDUSTRIAL)], output, "md", force=False)
    assert outside.read_text() == "keep"


def test_symlink_is_replaced_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "target.md"
    target.write_text("keep")
    output = tmp_path / "docs"
    write_docs([str(INDUSTRIAL)], output, "md", force=False)
    page = output / "industrial-3d-design.md"
    page.unlink()
    page.symlink_to(target)
    write_docs([str(INDUSTRIAL)], output, "md", force=False)
    assert target.read_text() == "keep"
    assert not page.is_symlink()


def test_output_is_a_file(tmp_path: Path) -> None:
    output = tmp_path / "docs"
    output.write_text("")
    with pytest.raises(UsageError, match="not a directory"):
        write_docs([str(INDUSTRIAL)], output, "md", force=False)


def test_duplicate_stems_get_numbers(tmp_path: Path) -> None:
    copy = tmp_path / "specs" / "industrial-3d-design.yaml"
    copy.parent.mkdir()
    copy.write_bytes(INDUSTRIAL.read_bytes())
    result = write_docs([str(INDUSTRIAL), str(copy)], tmp_path / "out", "md", False)
    assert result.files[:2] == ["industrial-3d-design.md", "industrial-3d-design-2.md"]


def test_same_bytes_twice(tmp_path: Path) -> None:
    for run in ("a", "b"):
        write_docs([str(SPECS), str(FIXTURES)], tmp_path / run, "html", False)
    first = {path.name: path.read_bytes() for path in (tmp_path / "a").iterdir()}
    second = {path.name: path.read_bytes() for path in (tmp_path / "b").iterdir()}
    assert first == second


def test_html_has_no_external_reference(tmp_path: Path) -> None:
    write_docs([str(INDUSTRIAL)], tmp_path, "html", force=False)
    text = (tmp_path / "industrial-3d-design.html").read_text(encoding="utf-8")
    assert "http://" not in text.replace("http://www.w3.org/", "")
    assert "https://" not in text
    assert 'src="data:image/svg+xml;base64,' in text


def test_cli_rejects_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["docs", str(INDUSTRIAL), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "--force" in result.output


def test_cli_rejects_non_spec(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("key: value\n")
    result = CliRunner().invoke(cli, ["docs", str(other), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "not a funnel spec" in result.output
    assert not (tmp_path / "o").exists()


def test_cli_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = CliRunner().invoke(cli, ["docs", str(missing), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_cli_one_page_singular(tmp_path: Path) -> None:
    output = tmp_path / "o"
    result = CliRunner().invoke(cli, ["docs", str(HUBSPOT), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote 2 files (1 funnel page and the index) to {output}\n"


def test_handoff_caption_only_with_handoff(tmp_path: Path) -> None:
    write_docs([str(INDUSTRIAL), str(HUBSPOT)], tmp_path, "html", force=False)
    with_handoff = (tmp_path / "industrial-3d-design.html").read_text()
    all_sales = (tmp_path / "hubspot-default-deal-pipeline.html").read_text()
    assert "the thick orange arrow is the handoff" in with_handoff
    assert "the thick orange arrow is the handoff" not in all_sales
    assert "Arrows carry the stated conversion. Each stage loses" in all_sales


def test_handoff_legend_only_with_handoff() -> None:
    # The SVG keeps each drawn text as a comment, legend labels included.
    assert "<!-- handoff -->" in flowchart_svg(load_page(INDUSTRIAL))
    assert "<!-- handoff -->" not in flowchart_svg(load_page(HUBSPOT))


def test_markdown_handoff_sentence(tmp_path: Path) -> None:
    write_docs([str(INDUSTRIAL), str(HUBSPOT)], tmp_path, "md", force=False)
    with_handoff = (tmp_path / "industrial-3d-design.md").read_text()
    all_sales = (tmp_path / "hubspot-default-deal-pipeline.md").read_text()
    assert "thick arrow is the handoff" in with_handoff
    assert "handoff" not in all_sales


def test_cli_as_subprocess(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "funnelspec", "docs", "specs", "-o", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == (
        f"wrote 5 files (4 funnel pages and the index) to {tmp_path}\n"
    )
