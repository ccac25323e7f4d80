"""``funnelspec fmt``: canonical layout, nothing lost, atomic writes."""

from __future__ import annotations

import codecs
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, SPECS
from hostile.corpus import many_stages
from hostile.runner import run_cli

from funnelspec.rewrite.atomic import PAUSE_ENV, WriteError, write_atomic
from funnelspec.rewrite.fmt import format_text, percent_to_decimal
from funnelspec.rewrite.order import DURATION_KEYS, SEGMENT_KEYS, SPEC_KEYS, STAGE_KEYS
from funnelspec.rewrite.yamltext import comments, compose
from funnelspec.spec.loader import load_text

FMT_FIXTURES = Path(__file__).resolve().parent / "hostile" / "fmt"
COMMENTED = FMT_FIXTURES / "commented.yaml"
EXAMPLES = sorted(SPECS.glob("*.yaml"))


def comment_texts(text: str) -> Counter[str]:
    return Counter(comment.text for comment in comments(text, compose(text)))


def copy(source: Path, folder: Path) -> Path:
    target = folder / source.name
    target.write_bytes(source.read_bytes())
    return target


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_already_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_text(text, path.name) == text


@pytest.mark.parametrize(
    "path", [*EXAMPLES, COMMENTED], ids=[p.name for p in [*EXAMPLES, COMMENTED]]
)
def test_format_idempotent(path: Path) -> None:
    once = format_text(path.read_text(encoding="utf-8"), path.name)
    assert format_text(once, path.name) == once


def test_write_keeps_every_comment(tmp_path: Path) -> None:
    spec = copy(COMMENTED, tmp_path)
    before = comment_texts(spec.read_text(encoding="utf-8"))
    result = run_cli("fmt", "--write", str(spec))
    assert result.code == 0, result.stderr
    after = comment_texts(spec.read_text(encoding="utf-8"))
    assert after == before
    # 32 lines hold a '#'; two of them are inside block scalars.
    assert sum(before.values()) == 30


def test_write_keeps_data(tmp_path: Path) -> None:
    spec = copy(COMMENTED, tmp_path)
    before = load_text(spec.read_text(encoding="utf-8"), "a").data
    run_cli("fmt", "--write", str(spec))
    after = load_text(spec.read_text(encoding="utf-8"), "b").data
    before["stages"][0]["conversion"] = 0.35
    before["stages"][1]["conversion"] = 0.5
    assert after == before


def test_write_orders_keys(tmp_path: Path) -> None:
    spec = copy(COMMENTED, tmp_path)
    run_cli("fmt", "--write", str(spec))
    data = load_text(spec.read_text(encoding="utf-8"), "x").data
    assert list(data) == sorted(data, key=SPEC_KEYS.index)
    assert list(data["segments"][0]) == sorted(
        data["segments"][0], key=SEGMENT_KEYS.index
    )
    # The first stage keeps owner first: its id line has a suppression.
    assert list(data["stages"][0])[:2] == ["owner", "id"]
    for stage in data["stages"][1:]:
        assert list(stage) == sorted(stage, key=STAGE_KEYS.index)
    for stage in data["stages"]:
        duration = stage.get("duration")
        if isinstance(duration, dict):
            assert list(duration) == sorted(duration, key=DURATION_KEYS.index)


def test_write_layout(tmp_path: Path) -> None:
    spec = copy(COMMENTED, tmp_path)
    run_cli("fmt", "--write", str(spec))
    lines = spec.read_text(encoding="utf-8").splitlines()
    assert "  - owner: marketing        # marketing owns the first touch" in lines
    assert "  - id: qualified" in lines
    assert "    conversion: 0.35       # a percentage string" in lines
    assert (
        "    duration: {median: 2 weeks, p90: 4 weeks}       # flow mapping, "
        "out of order" in lines
    )
    assert "      - Budget confirmed        # first criterion" in lines
    assert "  # A comment at column 0 between stages." in lines
    assert "    # Trailing comment inside the first stage." in lines
    assert "  # This line is text, not a comment." in lines
    assert 'name: "Commented funnel"    # double-quoted on purpose' in lines
    assert (
        "    key_outcome: 'Downloaded the white paper'       # single-quoted" in lines
    )


def test_blank_line_groups_kept(tmp_path: Path) -> None:
    spec = copy(COMMENTED, tmp_path)
    blank_before = spec.read_text(encoding="utf-8").count("\n\n")
    run_cli("fmt", "--write", str(spec))
    assert spec.read_text(encoding="utf-8").count("\n\n") == blank_before


def test_check_reports_unformatted(tmp_path: Path) -> None:
    spec = copy(COMMENTED, tmp_path)
    result = run_cli("fmt", "--check", str(spec), str(SPECS))
    assert result.code == 1
    assert result.stdout == f"would reformat {spec}\n"
    assert "1 file would be reformatted, 4 files already formatted" in result.stderr


def test_check_passes_examples() -> None:
    result = run_cli("fmt", "--check", str(SPECS))
    assert result.code == 0
    assert result.stdout == ""


def test_diff_writes_nothing(tmp_path: Path) -> None:
    spec = copy(COMMENTED, tmp_path)
    before = spec.read_bytes()
    result = run_cli("fmt", "--diff", str(spec))
    assert result.code == 1
    assert f"--- {spec}\n+++ {spec}\n" in result.stdout
    assert '-        conversion: "35%"   # a percentage string' in result.stdout
    assert spec.read_bytes() == before


def test_print_one_file() -> None:
    result = run_cli("fmt", str(COMMENTED))
    assert result.code == 0
    assert result.stdout == format_text(COMMENTED.read_text(encoding="utf-8"), "x")


def test_print_stdin() -> None:
    result = run_cli("fmt", "-", input=COMMENTED.read_bytes())
    assert result.code == 0
    assert result.stdout.startswith("# yaml-language-server")


def test_print_rejects_two_files() -> None:
    result = run_cli("fmt", str(COMMENTED), str(EXAMPLES[0]))
    assert result.code == 2
    assert "2 paths were given; use --write" in result.stderr


def test_print_rejects_directory() -> None:
    result = run_cli("fmt", str(SPECS))
    assert result.code == 2
    assert "is a directory" in result.stderr


def test_options_exclusive() -> None:
    result = run_cli("fmt", "--check", "--write", str(COMMENTED))
    assert result.code == 2
    assert "use only one of --check, --write and --diff" in result.stderr


def test_write_rejects_stdin() -> None:
    result = run_cli("fmt", "--write", "-", input="funnelspec: 1\n")
    assert result.code == 2
    assert "cannot write to standard input" in result.stderr


def test_unchanged_file_not_written(tmp_path: Path) -> None:
    spec = copy(EXAMPLES[0], tmp_path)
    os.utime(spec, (1_000_000_000, 1_000_000_000))
    result = run_cli("fmt", "--write", str(spec))
    assert result.code == 0
    assert spec.stat().st_mtime == 1_000_000_000
    assert "0 files reformatted, 1 file left unchanged" in result.stderr


def test_invalid_yaml_not_written(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("funnelspec: 1\nname: [unclosed\nstages: []\n", encoding="utf-8")
    before = spec.read_bytes()
    result = run_cli("fmt", "--write", str(spec))
    assert result.code == 2
    assert f"{spec}:3:7: cannot format: invalid YAML" in result.stderr
    assert spec.read_bytes() == before


def test_duplicate_keys_not_written(tmp_path: Path) -> None:
    spec = tmp_path / "twice.yaml"
    spec.write_text("funnelspec: 1\nname: a\nname: b\n", encoding="utf-8")
    result = run_cli("fmt", "--write", str(spec))
    assert result.code == 2
    assert "3:1: cannot format: duplicate key 'name'" in result.stderr
    assert spec.read_text(encoding="utf-8") == "funnelspec: 1\nname: a\nname: b\n"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!bool hello", "invalid value 'hello' for tag !!bool"),
        ("!!set x", "invalid value 'x' for tag !!set"),
        ("!!omap x", "invalid value 'x' for tag !!omap"),
        ("!!timestamp soon", 'failed to construct timestamp from "soon"'),
        ("!!map [a]", "expected a mapping node, but found sequence"),
    ],
)
def test_invalid_tag_not_written(tmp_path: Path, value: str, message: str) -> None:
    spec = tmp_path / "tagged.yaml"
    text = f"funnelspec: 1\nname: {value}\nmotion: b2b\n"
    spec.write_text(text, encoding="utf-8")
    result = run_cli("fmt", "--write", str(spec))
    assert result.code == 2
    assert f"{spec}:2:7: cannot format: {message}" in result.stderr
    assert "Traceback" not in result.stderr
    assert spec.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    ("separator", "label"),
    [("\u2028", "U+2028 (LINE SEPARATOR)"), ("\x85", "U+0085 (NEXT LINE)")],
)
def test_unicode_line_break_rejected(
    tmp_path: Path, separator: str, label: str
) -> None:
    spec = tmp_path / "breaks.yaml"
    text = "funnelspec: 1\nname: Base\nmotion: b2b\n".replace("\n", separator)
    spec.write_text(text, encoding="utf-8")
    before = spec.read_bytes()
    result = run_cli("fmt", "--write", str(spec))
    assert result.code == 2
    assert f"{spec}:1:19: cannot format: mapping values" in result.stderr
    assert f"the file contains {label}" in result.stderr
    assert len(result.stderr.splitlines()) == 2
    assert spec.read_bytes() == before


def test_comment_in_flow_mapping_rejected(tmp_path: Path) -> None:
    # ruamel.yaml drops a comment inside a flow mapping; the check catches it.
    spec = tmp_path / "flow.yaml"
    text = "funnelspec: 1\nname: x\nmotion: b2b\nstages: [{id: a,  # here\n  b: 1}]\n"
    spec.write_text(text, encoding="utf-8")
    result = run_cli("fmt", "--write", str(spec))
    assert result.code == 2
    assert "comment '# here' would be lost" in result.stderr
    assert spec.read_text(encoding="utf-8") == text


def test_not_a_spec_rejected(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("a: 1\n", encoding="utf-8")
    result = run_cli("fmt", "--check", str(other))
    assert result.code == 2
    assert "not a funnel spec" in result.stderr


def test_keeps_utf16_bom(tmp_path: Path) -> None:
    spec = tmp_path / "utf16.yaml"
    text = COMMENTED.read_text(encoding="utf-8")
    spec.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    run_cli("fmt", "--write", str(spec))
    raw = spec.read_bytes()
    assert raw.startswith(codecs.BOM_UTF16_LE)
    assert raw[2:].decode("utf-16-le") == format_text(text, "x")


def test_keeps_crlf(tmp_path: Path) -> None:
    spec = tmp_path / "crlf.yaml"
    text = COMMENTED.read_text(encoding="utf-8")
    spec.write_bytes(text.replace("\n", "\r\n").encode())
    run_cli("fmt", "--write", str(spec))
    written = spec.read_bytes().decode()
    assert written == format_text(text, "x").replace("\n", "\r\n")


def test_keeps_permissions(tmp_path: Path) -> None:
    spec = copy(COMMENTED, tmp_path)
    spec.chmod(0o640)
    run_cli("fmt", "--write", str(spec))
    assert spec.stat().st_mode & 0o777 == 0o640


def test_writes_through_symlink(tmp_path: Path) -> None:
    spec = copy(COMMENTED, tmp_path)
    link = tmp_path / "link.yaml"
    link.symlink_to(spec)
    run_cli("fmt", "--write", str(link))
    assert link.is_symlink()
    assert spec.read_text(encoding="utf-8").startswith("# yaml-language-server")
    assert "funnelspec: 1               # format version\nname:" in spec.read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("percent", "decimal"),
    [("35%", "0.35"), ("33.3%", "0.333"), ("100%", "1"), ("0%", "0"), (" 5 %", "0.05")],
)
def test_percent_to_decimal(percent: str, decimal: str) -> None:
    assert percent_to_decimal(percent) == decimal


@pytest.mark.parametrize("text", ["150%", "-5%", "35", "abc%", "1e2%"])
def test_percent_left_alone(text: str) -> None:
    assert percent_to_decimal(text) is None


def test_help_states_exit_codes() -> None:
    result = run_cli("fmt", "--help")
    assert result.code == 0
    assert "--check" in result.stdout
    assert "Exit codes: 0" in result.stdout


def test_write_atomic_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="cannot write file"):
        write_atomic(str(tmp_path / "gone" / "spec.yaml"), b"x")


def test_write_atomic_replaces(tmp_path: Path) -> None:
    target = tmp_path / "spec.yaml"
    target.write_bytes(b"old")
    write_atomic(str(target), b"new")
    assert target.read_bytes() == b"new"
    assert [path.name for path in tmp_path.iterdir()] == ["spec.yaml"]


def test_killed_write_keeps_original(tmp_path: Path) -> None:
    # The test hook pauses after half of the temporary file is written, and
    # the process is killed there, as a crash or a power cut would stop it.
    spec = tmp_path / "large.yaml"
    funnelspec, name, rest = many_stages(500).split("\n", 2)
    spec.write_text(f"{name}\n{funnelspec}\n{rest}", encoding="utf-8")
    original = spec.read_bytes()
    env = {**os.environ, PAUSE_ENV: "60"}
    command = [sys.executable, "-m", "funnelspec", "fmt", "--write", str(spec)]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        temporary = _wait_for_temporary(tmp_path, process)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert spec.read_bytes() == original
    assert 0 < temporary.stat().st_size < len(original)


def _wait_for_temporary(folder: Path, process: subprocess.Popen[bytes]) -> Path:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
        if found and found[0].stat().st_size > 0:
            return found[0]
        assert process.poll() is None, "fmt finished before the pause"
        time.sleep(0.05)
    raise AssertionError("no temporary file appeared")


def test_subprocess_check() -> None:
    command = [sys.executable, "-m", "funnelspec", "fmt", "--check", str(SPECS)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0
    assert "0 files would be reformatted, 4 files already formatted" in done.stderr
