"""The spec that ``funnelspec import`` writes: comments, files, and the lint pipe."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from funnelspec.lint import document_from_bytes
from funnelspec.spec.parse import parse_document

from .helpers import (
    ADOPTION_STAGES,
    CRM_FIXTURES,
    GUSTO_PAYROLL,
    GUSTO_STAGES,
    HUBSPOT_PIPELINES,
    Run,
    lint_codes,
)

RunCli = Callable[..., Run]


def adoption_spec(run: RunCli, salesforce_data: Path) -> str:
    result = run("import", "salesforce", salesforce_data / ADOPTION_STAGES)
    assert result.code == 0
    return result.stdout


def test_stage_comments(run: RunCli, salesforce_data: Path) -> None:
    lines = adoption_spec(run, salesforce_data).splitlines()
    start = lines.index("  - id: qualification")
    assert lines[start : start + 5] == [
        "  - id: qualification",
        "    name: Qualification             # Salesforce: 10%, forecast category "
        "Pipeline",
        "    owner: sales                    # TODO: confirm the owner",
        "    conversion: 0.1333              # 10% / 75%",
        "    # TODO: add key_outcome, engages and duration",
    ]


def test_top_level_comments(run: RunCli, salesforce_data: Path) -> None:
    text = adoption_spec(run, salesforce_data)
    assert "\nmotion: b2b  # TODO: confirm the motion (b2b or b2c)\n" in text
    assert (
        "\n# TODO: add conversion_period, follow_up_sla and segments, which "
        "Salesforce does\n#   not store\nstages:\n"
    ) in text


def test_header_names_source(run: RunCli, salesforce_data: Path) -> None:
    text = adoption_spec(run, salesforce_data)
    assert text.startswith(
        "# Imported from Salesforce by `funnelspec import`.\n#\n# Source: "
        "sfdc-assets-adoption-sales.OpportunityStage.standardValueSet-meta.xml\n"
        "#   (opportunity stage picklist)\n"
    )
    assert "# won: Closed Won\n# lost: Closed Lost\n" in text
    assert "WARNING" not in text


def test_header_has_no_date(run: RunCli, salesforce_data: Path) -> None:
    text = adoption_spec(run, salesforce_data)
    assert re.search(r"\d{4}-\d{2}-\d{2}", text) is None


def test_missing_conversion_comment(run: RunCli, salesforce_data: Path) -> None:
    result = run(
        "import",
        "salesforce",
        salesforce_data / GUSTO_STAGES,
        "--process",
        salesforce_data / GUSTO_PAYROLL,
    )
    lines = result.stdout.splitlines()
    start = lines.index("  - id: engaged")
    assert lines[start + 2 : start + 6] == [
        "    owner: sales                    # TODO: confirm the owner",
        "    # TODO: conversion not derived: 'Engaged' is at 35% but the next open "
        "stage,",
        "    #   'Discovery Call Scheduled', is at 20%; a cumulative win probability "
        "cannot fall,",
        "    #   and the ratio would exceed 1",
    ]
    assert (
        "# WARNING: no conversion is derived for 2 of 9 open stages; the TODO "
        "comments at\n#   those stages say why.\n"
    ) in result.stdout


def test_warnings_on_stderr(run: RunCli, salesforce_data: Path) -> None:
    stages = salesforce_data / GUSTO_STAGES
    result = run(
        "import", "salesforce", stages, "--process", salesforce_data / GUSTO_PAYROLL
    )
    assert result.code == 0
    assert result.stderr.splitlines() == [
        f"funnelspec: warning: {stages}:49: 'Engaged' is at 35% but the next open "
        "stage, 'Discovery Call Scheduled', is at 20%; a cumulative win "
        "probability cannot fall, and the ratio would exceed 1; no conversion is "
        "derived for stage 'engaged'",
        f"funnelspec: warning: {stages}:159: 'Discovery' is at 45% but the next "
        "open stage, 'Qualified', is at 40%; a cumulative win probability cannot "
        "fall, and the ratio would exceed 1; no conversion is derived for stage "
        "'discovery'",
    ]


def test_output_is_deterministic(
    run: RunCli, salesforce_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run("import", "salesforce", salesforce_data / GUSTO_STAGES)
    monkeypatch.chdir(salesforce_data)
    second = run("import", "salesforce", GUSTO_STAGES)
    assert first.code == 0
    assert second.code == 0
    assert first.stdout == second.stdout


def test_round_trip_keeps_text(run: RunCli, salesforce_data: Path) -> None:
    text = adoption_spec(run, salesforce_data)
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump(yaml.load(text), stream)
    assert stream.getvalue() == text


def test_hostile_labels_stay_values(run: RunCli) -> None:
    result = run("import", "salesforce", CRM_FIXTURES / "salesforce-hostile-labels.xml")
    assert result.code == 0
    document = document_from_bytes("hostile.yaml", result.stdout.encode("utf-8"))
    spec = parse_document(document)
    assert document.problems == []
    assert spec is not None
    assert spec.funnelspec == 1
    assert [stage.name for stage in spec.stages] == [
        "Evil\nowner: marketing\nconversion: 0.99 # & more",
        "Split\u2028key: value\x85other: 1",
        "Quiet \uff03 funnelspec: ignore-file[FS] hidden",
    ]
    assert [stage.owner for stage in spec.stages] == ["sales"] * 3
    assert [stage.conversion for stage in spec.stages] == [0.4, 0.625, 0.8]
    assert [stage.nurture for stage in spec.stages] == [False] * 3
    assert "# won: Closed funnelspec: 2\n" in result.stdout


def test_hostile_labels_suppress_nothing(run: RunCli) -> None:
    path = CRM_FIXTURES / "salesforce-hostile-labels.xml"
    result = run("import", "salesforce", path)
    assert "# funnelspec:" not in result.stdout
    assert "#funnelspec:" not in result.stdout
    assert lint_codes(result.stdout).count("FS205") == 3
    assert result.stderr == (
        f"funnelspec: warning: {path}:20: stage label 'Quiet # funnelspec: "
        "ignore-file[FS] hidden' contains '# funnelspec:', which funnelspec lint "
        "reads as a suppression comment; the '#' is written as '\uff03'\n"
    )


def test_output_file(run: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "default.yaml"
    result = run(
        "import", "hubspot", HUBSPOT_PIPELINES, "--pipeline", "default", "-o", target
    )
    assert result.code == 0
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("# Imported from HubSpot")


def test_output_file_not_replaced(run: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "default.yaml"
    target.write_text("keep me\n")
    result = run(
        "import", "hubspot", HUBSPOT_PIPELINES, "--pipeline", "default", "-o", target
    )
    assert result.code == 2
    assert result.stderr == (
        f"funnelspec: error: {target}: file exists; use --force to replace it, or "
        "choose another --output\n"
    )
    assert target.read_text() == "keep me\n"


def test_output_file_forced(run: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "default.yaml"
    target.write_text("replace me\n")
    result = run(
        "import",
        "hubspot",
        HUBSPOT_PIPELINES,
        "--pipeline",
        "default",
        "--output",
        target,
        "--force",
    )
    assert result.code == 0
    assert target.read_text(encoding="utf-8").startswith("# Imported from HubSpot")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["default.yaml"]


def test_output_to_directory(run: RunCli, tmp_path: Path) -> None:
    for extra in ([], ["--force"]):
        result = run(
            "import",
            "hubspot",
            HUBSPOT_PIPELINES,
            "--pipeline",
            "default",
            "-o",
            tmp_path,
            *extra,
        )
        assert result.code == 2
        assert result.stderr == (
            f"funnelspec: error: {tmp_path}: is a directory; give --output a file "
            "name\n"
        )


def test_output_to_missing_directory(run: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "absent" / "spec.yaml"
    result = run(
        "import", "hubspot", HUBSPOT_PIPELINES, "--pipeline", "default", "-o", target
    )
    assert result.code == 2
    assert result.stderr == (
        f"funnelspec: error: {target}: cannot write file (No such file or directory)\n"
    )


def test_help_lists_options(run: RunCli) -> None:
    salesforce = run("import", "salesforce", "--help")
    hubspot = run("import", "hubspot", "--help")
    group = run("import", "--help")
    assert salesforce.code == 0
    assert "--process PROCESS.xml" in salesforce.stdout
    assert "--force" in salesforce.stdout
    assert "--pipeline LABEL_OR_ID" in hubspot.stdout
    assert "-o, --output FILE" in hubspot.stdout
    assert "salesforce" in group.stdout
    assert "hubspot" in group.stdout


def test_pipe_into_lint(salesforce_data: Path) -> None:
    stages = str(salesforce_data / ADOPTION_STAGES)
    command = [sys.executable, "-m", "funnelspec"]
    with (
        subprocess.Popen(
            [*command, "import", "salesforce", stages],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as importer,
        subprocess.Popen(
            [*command, "lint", "--stdin-filename", "adoption.yaml", "-"],
            stdin=importer.stdout,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as linter,
    ):
        assert importer.stdout is not None
        importer.stdout.close()  # the linter owns the read end now
        lint_output, lint_errors = linter.communicate(timeout=60)
        import_errors = importer.stderr.read() if importer.stderr else b""
        importer.wait(timeout=60)

    assert importer.returncode == 0
    assert import_errors == b""
    assert linter.returncode == 1
    assert lint_errors == b""

    lines = lint_output.decode("utf-8").splitlines()
    codes = sorted(line.split()[1] for line in lines[:-1])
    assert codes == sorted(
        ["FS201", *["FS205"] * 4, "FS301", "FS303", "FS402", "FS501", "FS601", "FS602"]
    )
    assert all(line.startswith("adoption.yaml:") for line in lines[:-1])
    assert lines[-1] == "11 findings (11 warnings) in 1 of 1 file."


def test_no_warnings_when_write_fails(
    run: RunCli, salesforce_data: Path, tmp_path: Path
) -> None:
    target = tmp_path / "payroll.yaml"
    target.write_text("keep me\n")
    result = run(
        "import",
        "salesforce",
        salesforce_data / GUSTO_STAGES,
        "--process",
        salesforce_data / GUSTO_PAYROLL,
        "-o",
        target,
    )
    assert result.code == 2
    assert "funnelspec: warning:" not in result.stderr
    assert result.stderr.count("\n") == 1


def copy_export(tmp_path: Path) -> Path:
    path = tmp_path / "pipelines.json"
    path.write_bytes(HUBSPOT_PIPELINES.read_bytes())
    return path


@pytest.mark.parametrize("link", ["none", "hard", "symbolic"])
def test_output_is_input(run: RunCli, tmp_path: Path, link: str) -> None:
    source = copy_export(tmp_path)
    target = tmp_path / "alias.json"
    if link == "none":
        target = source
    elif link == "hard":
        target.hardlink_to(source)
    else:
        target.symlink_to(source)
    result = run(
        "import", "hubspot", source, "--pipeline", "default", "-o", target, "--force"
    )
    assert result.code == 2
    assert result.stderr == (
        f"funnelspec: error: {target}: --output is the same file as the input "
        f"{source}; choose another --output so that the CRM export is kept\n"
    )
    assert source.read_bytes() == HUBSPOT_PIPELINES.read_bytes()


def test_output_is_process_input(
    run: RunCli, salesforce_data: Path, tmp_path: Path
) -> None:
    process = tmp_path / "process.xml"
    process.write_bytes((salesforce_data / GUSTO_PAYROLL).read_bytes())
    stages = salesforce_data / GUSTO_STAGES
    result = run(
        "import", "salesforce", stages, "--process", process, "-o", process, "--force"
    )
    assert result.code == 2
    assert "--output is the same file as the input" in result.stderr
    assert process.read_bytes() == (salesforce_data / GUSTO_PAYROLL).read_bytes()


def test_output_dangling_link(run: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "spec.yaml"
    target.symlink_to("missing/spec.yaml")
    result = run(
        "import", "hubspot", HUBSPOT_PIPELINES, "--pipeline", "default", "-o", target
    )
    assert result.code == 2
    assert result.stderr == (
        f"funnelspec: error: {target}: is a symbolic link to 'missing/spec.yaml'; "
        "use --force to replace the link with a file (its target is not "
        "changed), or choose another --output\n"
    )
    assert os.readlink(target) == "missing/spec.yaml"
    assert not (tmp_path / "missing").exists()


def test_output_dangling_link_forced(run: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "spec.yaml"
    target.symlink_to("missing/spec.yaml")
    result = run(
        "import",
        "hubspot",
        HUBSPOT_PIPELINES,
        "--pipeline",
        "default",
        "-o",
        target,
        "--force",
    )
    assert result.code == 0
    assert not target.is_symlink()
    assert target.read_text(encoding="utf-8").startswith("# Imported from HubSpot")
    assert not (tmp_path / "missing").exists()


def test_output_link_target_kept(run: RunCli, tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_text("keep me\n")
    target = tmp_path / "spec.yaml"
    target.symlink_to(kept)
    result = run(
        "import",
        "hubspot",
        HUBSPOT_PIPELINES,
        "--pipeline",
        "default",
        "-o",
        target,
        "--force",
    )
    assert result.code == 0
    assert not target.is_symlink()
    assert kept.read_text() == "keep me\n"


def test_output_forced_mode(run: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "spec.yaml"
    target.write_text("replace me\n")
    result = run(
        "import",
        "hubspot",
        HUBSPOT_PIPELINES,
        "--pipeline",
        "default",
        "-o",
        target,
        "--force",
    )
    assert result.code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(path.name for path in tmp_path.iterdir()) == ["spec.yaml"]
