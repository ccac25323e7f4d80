"""``funnelspec lint`` through click's runner, and once as real processes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from funnelspec.cli import cli

RULES = FIXTURES / "rules"
SPEC_FIXTURES = FIXTURES / "spec"
CLEAN = RULES / "FS001" / "pass.yaml"
WARNING_ONLY = RULES / "FS303" / "fail.yaml"
ERROR_AND_WARNING = RULES / "FS101" / "fail.yaml"

FINDING_LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>FS\d{3}) "
    r"(?P<severity>error|warning|info) (?P<message>.+) \[(?P<name>[a-z0-9-]+)\]$"
)
SUMMARY_LINE = re.compile(
    r"^\d+ findings? \(\d+ (errors?|warnings?|info)(, \d+ (warnings?|info))*\) "
    r"in \d+ of \d+ files?\.$"
)


def lint(
    runner: CliRunner, *args: str, input: str | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["lint", *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def finding_lines(output: str) -> list[re.Match[str]]:
    """Return the lines of text output that are findings, parsed."""
    matches = []
    for line in output.splitlines():
        match = FINDING_LINE.match(line)
        if match is not None:
            matches.append(match)
    return matches


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the fixture tree, outside the repository and its config."""
    copy = tmp_path / "tree"
    shutil.copytree(SPEC_FIXTURES / "tree", copy)
    return copy


def test_clean_spec(runner: CliRunner) -> None:
    code, out, err = lint(runner, str(CLEAN))
    assert code == 0
    assert out == "1 file checked, no findings.\n"
    assert err == ""


def test_text_line_shape(runner: CliRunner) -> None:
    _, out, _ = lint(runner, str(WARNING_ONLY))
    assert out.splitlines()[0] == (
        f"{WARNING_ONLY}:6:16: FS303 warning funnel has a follow-up SLA of 48 "
        "hours; contact buyers within 24 hours of a signal [slow-follow-up]"
    )


def test_text_summary_line(runner: CliRunner) -> None:
    _, out, _ = lint(runner, str(WARNING_ONLY))
    assert out.splitlines()[-1] == "1 finding (1 warning) in 1 of 1 file."


def test_text_summary_counts(runner: CliRunner) -> None:
    _, out, _ = lint(runner, str(ERROR_AND_WARNING), str(CLEAN))
    last = out.splitlines()[-1]
    assert SUMMARY_LINE.match(last)
    assert last == "6 findings (5 errors, 1 warning) in 1 of 2 files."


def test_text_lines_sorted(runner: CliRunner) -> None:
    _, out, _ = lint(runner, str(RULES / "FS205" / "fail.yaml"), str(ERROR_AND_WARNING))
    keys = [
        (m["file"], int(m["line"]), int(m["column"]), m["code"])
        for m in finding_lines(out)
    ]
    assert len(keys) == 8
    assert keys == sorted(keys)


def test_text_every_finding_line(runner: CliRunner) -> None:
    _, out, _ = lint(runner, str(ERROR_AND_WARNING))
    lines = finding_lines(out)
    assert [m["code"] for m in lines] == ["FS104"] * 4 + ["FS105", "FS101"]
    assert lines[-1]["severity"] == "error"
    assert lines[-1]["name"] == "duplicate-stage-id"


def test_json_structure(runner: CliRunner) -> None:
    code, out, _ = lint(runner, "--format", "json", str(WARNING_ONLY), str(CLEAN))
    assert code == 1
    payload = json.loads(out)
    finding = payload["findings"][0]
    assert finding["code"] == "FS303"
    assert finding["name"] == "slow-follow-up"
    assert finding["severity"] == "warning"
    assert finding["message"].startswith("funnel has a follow-up SLA of 48 hours")
    assert finding["file"] == str(WARNING_ONLY)
    assert finding["line"] == 6
    assert finding["column"] == 16
    assert finding["path"] == "follow_up_sla"
    summary = payload["summary"]
    assert summary["files"] == 2
    assert summary["files_with_findings"] == 1
    assert summary["findings"] == 1
    assert summary["by_severity"] == {"error": 0, "warning": 1, "info": 0}
    assert summary["errors"] == []


def test_json_clean(runner: CliRunner) -> None:
    code, out, _ = lint(runner, "--format", "json", str(CLEAN))
    assert code == 0
    payload = json.loads(out)
    assert payload["findings"] == []
    assert payload["summary"]["files"] == 1


def test_json_paths(runner: CliRunner) -> None:
    _, out, _ = lint(runner, "--format", "json", str(RULES / "FS002" / "fail.yaml"))
    paths = [finding["path"] for finding in json.loads(out)["findings"]]
    assert paths == ["stages[0].owner", "stages[2].key_outcom", "stages[3].conversion"]


@pytest.mark.parametrize(
    ("spec", "fail_on", "expected"),
    [
        (CLEAN, "info", 0),
        (WARNING_ONLY, "info", 1),
        (WARNING_ONLY, "warning", 1),
        (WARNING_ONLY, "error", 0),
        (ERROR_AND_WARNING, "error", 1),
        (RULES / "FS001" / "fail.yaml", "error", 1),
    ],
)
def test_fail_on_threshold(
    runner: CliRunner, spec: Path, fail_on: str, expected: int
) -> None:
    code, _, _ = lint(runner, "--fail-on", fail_on, str(spec))
    assert code == expected


def test_fail_on_default_is_warning(runner: CliRunner) -> None:
    code, _, _ = lint(runner, str(WARNING_ONLY))
    assert code == 1


def test_fail_on_invalid_value(runner: CliRunner) -> None:
    code, _, err = lint(runner, "--fail-on", "fatal", str(CLEAN))
    assert code == 2
    assert "Invalid value for '--fail-on'" in err


def test_directory_recursion(runner: CliRunner, tree: Path) -> None:
    code, out, err = lint(runner, str(tree))
    assert code == 1
    assert err == ""
    files = sorted({m["file"] for m in finding_lines(out)})
    assert files == [
        str(tree / "sales" / "broken.yaml"),
        str(tree / "sales" / "pipeline.yml"),
    ]
    assert out.splitlines()[-1] == "2 findings (1 error, 1 warning) in 2 of 3 files."


def test_directory_skips_non_specs(runner: CliRunner, tree: Path) -> None:
    _, out, _ = lint(runner, "--format", "json", str(tree))
    summary = json.loads(out)["summary"]
    # The three specs are funnel.yaml, sales/pipeline.yml and sales/broken.yaml.
    # ci.yaml has no funnelspec key, notes.txt is not .yaml, and .drafts/ is
    # hidden, so none of them counts.
    assert summary["files"] == 3
    assert summary["errors"] == []


def test_named_non_spec_file(runner: CliRunner, tree: Path) -> None:
    code, out, err = lint(runner, str(tree / "ci.yaml"))
    assert code == 2
    assert err == (
        f"funnelspec: error: {tree / 'ci.yaml'}: not a funnel spec (no top-level "
        "'funnelspec:' key); add 'funnelspec: 1' or leave the file out\n"
    )
    assert finding_lines(out) == []


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    code, _, err = lint(runner, str(missing))
    assert code == 2
    assert err == f"funnelspec: error: {missing}: file not found\n"


def test_missing_file_beside_spec(runner: CliRunner, tmp_path: Path) -> None:
    code, out, err = lint(runner, str(tmp_path / "missing.yaml"), str(WARNING_ONLY))
    assert code == 2
    assert "file not found" in err
    assert len(finding_lines(out)) == 1


def test_stdin(runner: CliRunner) -> None:
    code, out, _ = lint(runner, "-", input=WARNING_ONLY.read_text())
    assert code == 1
    assert out.splitlines()[0].startswith("<stdin>:6:16: FS303 warning")


def test_stdin_filename(runner: CliRunner) -> None:
    text = WARNING_ONLY.read_text()
    _, out, _ = lint(runner, "--stdin-filename", "funnel.yaml", "-", input=text)
    assert out.splitlines()[0].startswith("funnel.yaml:6:16: FS303 warning")


def test_no_path_lints_current_directory(
    runner: CliRunner, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    code, out, _ = lint(runner)
    assert code == 1
    files = sorted({m["file"] for m in finding_lines(out)})
    assert files == ["./sales/broken.yaml", "./sales/pipeline.yml"]


def test_invalid_utf8_file(runner: CliRunner) -> None:
    spec = SPEC_FIXTURES / "invalid-utf8.yaml"
    code, out, _ = lint(runner, str(spec))
    assert code == 1
    assert out.splitlines()[0] == (
        f"{spec}:3:10: FS001 error file is not valid UTF-8 (byte 0xe9 at offset 78); "
        "save the spec as UTF-8 [yaml-syntax]"
    )


def test_utf16_file(runner: CliRunner) -> None:
    code, out, _ = lint(runner, str(SPEC_FIXTURES / "utf16-bom.yaml"))
    assert code == 0
    assert out == "1 file checked, no findings.\n"


def test_same_output_twice(runner: CliRunner, tree: Path) -> None:
    first = lint(runner, "--format", "json", str(tree))
    second = lint(runner, "--format", "json", str(tree))
    assert first == second


def run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def console_script() -> str:
    # The script pip installed next to this interpreter, as a user runs it.
    script = Path(sys.executable).parent / "funnelspec"
    assert script.is_file(), f"{script} is missing; install the package with pip"
    return str(script)


def test_console_script(tree: Path) -> None:
    done = run(console_script(), "lint", "sales/pipeline.yml", cwd=tree)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        "sales/pipeline.yml:2:1: FS303 warning funnel states no follow-up SLA; "
        "contact buyers within 24 hours of a signal [slow-follow-up]"
    )
    assert done.stderr == ""


def test_console_script_missing_file(tmp_path: Path) -> None:
    done = run(console_script(), "lint", "missing.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "funnelspec: error: missing.yaml: file not found\n"


def test_python_module(tree: Path) -> None:
    done = run(sys.executable, "-m", "funnelspec", "lint", "funnel.yaml", cwd=tree)
    assert done.returncode == 0
    assert done.stdout == "1 file checked, no findings.\n"


def test_python_module_stdin() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "funnelspec", "lint", "-"],
        input=WARNING_ONLY.read_text(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.startswith("<stdin>:6:16: FS303 warning")


LIST_IMPORTS = """\
import sys
from funnelspec.cli import main
try:
    main(["lint", sys.argv[1]])
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""


@pytest.fixture(scope="module")
def lint_modules() -> set[str]:
    """Modules loaded by a cold ``funnelspec lint`` of the example specs."""
    done = run(sys.executable, "-c", LIST_IMPORTS, str(ROOT / "specs"))
    assert done.returncode == 0, done.stderr
    return set(done.stdout.splitlines()[-1].split())


def test_lint_imports_linter(lint_modules: set[str]) -> None:
    assert "funnelspec.lint" in lint_modules


@pytest.mark.parametrize("heavy", ["numpy", "jinja2", "matplotlib", "scipy", "pandas"])
def test_lint_skips_heavy_imports(lint_modules: set[str], heavy: str) -> None:
    assert heavy not in lint_modules
