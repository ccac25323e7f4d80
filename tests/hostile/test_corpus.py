"""Hostile input: every case ends with a finding or a one-line error, never a crash.

Each row names a file, the exit code of ``funnelspec lint FILE``, and the
finding (code, text in its message, line and column) or the error text.
Exit 1 means findings (YAML that does not parse included), 2 an error: a
file that is not a spec or cannot be read.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from funnelspec.lint import MAX_FILE_BYTES
from hostile.corpus import CORPUS, RECIPES, SPEC, write_large_cases
from hostile.runner import Result, run_cli

#: file, exit code, finding code (or None for an error line), text, line, column
CASES: list[tuple[str, int, str | None, str, int, int]] = [
    ("valid.yaml", 0, None, "", 0, 0),
    ("empty.yaml", 2, None, "not a funnel spec", 0, 0),
    ("only-comments.yaml", 2, None, "not a funnel spec", 0, 0),
    ("null-document.yaml", 2, None, "not a funnel spec", 0, 0),
    ("top-level-list.yaml", 2, None, "not a funnel spec", 0, 0),
    ("top-level-scalar.yaml", 2, None, "not a funnel spec", 0, 0),
    ("top-level-list-with-marker.yaml", 1, "FS001", "expected '-'", 2, 1),
    ("several-documents.yaml", 1, "FS001", "more than one YAML document", 42, 1),
    ("unclosed-bracket.yaml", 1, "FS001", "expected ',' or ']'", 12, 1),
    ("unclosed-quote.yaml", 1, "FS001", "quoted scalar started on line 2", 42, 1),
    ("tab-indentation.yaml", 1, "FS001", "tab character", 19, 1),
    ("bad-indentation.yaml", 1, "FS001", "mapping values are not allowed", 19, 12),
    ("duplicate-top-level-key.yaml", 1, "FS002", "duplicate key 'motion'", 4, 1),
    ("duplicate-stage-key.yaml", 1, "FS002", "duplicate key 'owner'", 20, 5),
    ("alias-bomb.yaml", 1, "FS001", "more than 1,000,000 values", 49, 6),
    ("recursive-alias.yaml", 1, "FS001", "alias refers to a value", 42, 14),
    ("binary.yaml", 1, "FS001", "not valid UTF-8 (byte 0x80", 2, 118),
    ("nul-character.yaml", 1, "FS001", "NUL character", 2, 14),
    ("invalid-utf8.yaml", 1, "FS001", "not valid UTF-8 (byte 0xff", 2, 11),
    ("latin1.yaml", 1, "FS001", "not valid UTF-8 (byte 0xe9", 2, 11),
    ("utf8-bom.yaml", 0, None, "", 0, 0),
    ("utf16-le-bom.yaml", 0, None, "", 0, 0),
    ("utf16-be-bom.yaml", 0, None, "", 0, 0),
    ("crlf-line-breaks.yaml", 0, None, "", 0, 0),
    ("python-object-tag.yaml", 1, "FS002", "'!!python/object/apply:os.system'", 42, 14),
    (
        "python-tag-on-mapping.yaml",
        1,
        "FS002",
        "'!!python/object:builtins.dict'",
        18,
        5,
    ),
    ("nan-rate.yaml", 1, "FS002", "rate nan is outside 0 to 1", 21, 17),
    ("infinite-deal-value.yaml", 1, "FS002", "finite number", 11, 13),
    ("huge-integer-rate.yaml", 1, "FS002", "rate 99999", 21, 17),
    ("huge-integer-digits.yaml", 1, "FS002", "too large to read", 11, 13),
    ("huge-duration.yaml", 1, "FS002", "too long to compute with", 22, 15),
    ("zero-duration.yaml", 1, "FS002", "'0 days' must be longer than zero", 22, 15),
    ("negative-duration.yaml", 1, "FS002", "'-3 weeks' must be longer than", 22, 15),
    ("unknown-duration-unit.yaml", 1, "FS002", "unknown duration unit", 22, 15),
    ("unicode-stage-id.yaml", 1, "FS002", "stage id 'qualifié' must be", 18, 9),
    ("emoji-stage-id.yaml", 1, "FS002", "stage id '🚀' must be", 18, 9),
    ("emoji-everywhere.yaml", 0, None, "", 0, 0),
]

#: Generated cases: file, exit code, finding code, text, line, column.
LARGE_CASES: list[tuple[str, int, str | None, str, int, int]] = [
    ("deep-nesting.yaml", 1, "FS001", "nesting is deeper than 64", 42, 78),
    ("deep-block-nesting.yaml", 1, "FS001", "nesting is deeper than 64", 106, 65),
    ("fifty-megabytes.yaml", 1, "FS001", f"larger than {MAX_FILE_BYTES:,} bytes", 1, 1),
    (
        "half-million-values.yaml",
        1,
        "FS001",
        "more than 300,000 YAML values",
        42,
        899724,
    ),
    ("ten-thousand-stages.yaml", 1, "FS201", "has 10000 key stages", 11, 1),
    ("megabyte-stage-id.yaml", 1, "FS002", "at most 64 characters", 18, 9),
    ("megabyte-strings.yaml", 0, None, "", 0, 0),
]


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_large_cases(tmp_path_factory.mktemp("large"))


def check_case(
    result: Result, code: int, rule: str | None, text: str, line: int, column: int
) -> None:
    assert "Traceback" not in result.stderr
    assert result.code == code, result.stdout + result.stderr
    if rule is not None:
        expected = f":{line}:{column}: {rule} "
        matching = [row for row in result.stdout.splitlines() if expected in row]
        assert matching, result.stdout
        assert any(text in row for row in matching), matching
    elif text:
        assert text in result.stderr
        assert len(result.stderr.splitlines()) == 1
    else:
        assert "no findings" in result.stdout


def test_corpus_matches_recipes() -> None:
    names = sorted(path.name for path in CORPUS.glob("*.yaml"))
    assert names == sorted(RECIPES)
    assert sorted(row[0] for row in CASES) == sorted(RECIPES)


@pytest.mark.parametrize(
    ("name", "code", "rule", "text", "line", "column"),
    CASES,
    ids=[row[0] for row in CASES],
)
def test_corpus(
    name: str, code: int, rule: str | None, text: str, line: int, column: int
) -> None:
    result = run_cli("lint", str(CORPUS / name))
    check_case(result, code, rule, text, line, column)


@pytest.mark.parametrize(
    ("name", "code", "rule", "text", "line", "column"),
    LARGE_CASES,
    ids=[row[0] for row in LARGE_CASES],
)
def test_large(
    large: dict[str, Path],
    name: str,
    code: int,
    rule: str | None,
    text: str,
    line: int,
    column: int,
) -> None:
    result = run_cli("lint", str(large[name]))
    check_case(result, code, rule, text, line, column)


def test_messages_stay_short(large: dict[str, Path]) -> None:
    result = run_cli("lint", str(large["megabyte-stage-id.yaml"]))
    longest = max(len(row) for row in result.stdout.splitlines())
    assert longest < 400


def test_stdin_is_bounded() -> None:
    endless = b"a" * (MAX_FILE_BYTES + 10)
    result = run_cli("lint", "-", input=endless)
    assert result.code == 1
    assert "larger than" in result.stdout


def test_directory_with_every_case(tmp_path: Path) -> None:
    # Linting the corpus as a folder reports each file; nothing stops the walk.
    for path in CORPUS.glob("*.yaml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    result = run_cli("lint", str(tmp_path))
    assert "Traceback" not in result.stderr
    assert result.code == 1
    assert "several-documents.yaml:42:1: FS001" in result.stdout


def test_fifo_without_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = run_cli("lint", str(fifo))
    assert result.code == 2
    assert "no data to read" in result.stderr


def test_fifo_in_directory_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "valid.yaml").write_text(SPEC, encoding="utf-8")
    result = run_cli("lint", str(tmp_path))
    assert result.code == 0
    assert "1 file checked" in result.stdout


def test_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "gone.yaml"
    link.symlink_to(tmp_path / "missing.yaml")
    result = run_cli("lint", str(link))
    assert result.code == 2
    assert "which does not exist" in result.stderr


def test_symlink_loop_directory(tmp_path: Path) -> None:
    (tmp_path / "valid.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    (tmp_path / "self.yaml").symlink_to(tmp_path / "self.yaml")
    result = run_cli("lint", str(tmp_path))
    assert result.code == 2
    assert "1 file checked" in result.stdout
    assert "self.yaml: cannot read file" in result.stderr


def test_unreadable_file(tmp_path: Path) -> None:
    # Permission bits do not stop root (as in CI) from reading, so as root the
    # lint runs without the capabilities that let root bypass them.
    spec = tmp_path / "locked.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    spec.chmod(0)
    command = [sys.executable, "-m", "funnelspec", "lint", str(spec)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to drop root's capabilities"
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=60, check=False
        )
    finally:
        spec.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert completed.returncode == 2, completed.stderr
    assert "locked.yaml" in completed.stderr
    assert "not readable" in completed.stderr or "Permission denied" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_device_is_bounded() -> None:
    result = run_cli("lint", "/dev/zero")
    assert result.code == 1
    assert "larger than" in result.stdout
