"""The progress line: drawn on a real pseudo-terminal, never on pipes."""

from __future__ import annotations

import io
import os
import select
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from funnelspec.report.progress import Progress, progress_for

ROOT = Path(__file__).resolve().parents[2]
CLEAR = "\r\x1b[K"

pytestmark = pytest.mark.skipif(
    not hasattr(os, "openpty"), reason="needs a POSIX pseudo-terminal"
)


def set_width(fd: int, columns: int) -> None:
    import fcntl
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))


@pytest.fixture
def terminal() -> Iterator[tuple[TextIO, int]]:
    """A pseudo-terminal: the terminal side as a text stream, and the reader fd."""
    reader, writer = os.openpty()
    set_width(writer, 60)
    stream = open(writer, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
    try:
        yield stream, reader
    finally:
        stream.close()
        os.close(reader)


def read_available(fd: int) -> str:
    chunks = []
    while select.select([fd], [], [], 0.2)[0]:
        try:
            data = os.read(fd, 65536)
        except OSError:  # the other side is closed
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8")


def run_lint(args: list[str], stderr: int) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "TERM": "xterm"}
    return subprocess.run(
        [sys.executable, "-m", "funnelspec", "lint", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=env,
        timeout=60,
        check=False,
    )


def test_progress_draws_and_clears(terminal: tuple[TextIO, int]) -> None:
    stream, reader = terminal
    progress = progress_for(stream)
    assert progress is not None
    progress.update(1, 12, "specs/a.yaml")
    progress.close()
    assert read_available(reader) == f"{CLEAR}[ 1/12] specs/a.yaml{CLEAR}"


def test_progress_throttles_redraws(terminal: tuple[TextIO, int]) -> None:
    stream, reader = terminal
    progress = Progress(stream, interval=60)
    progress.update(1, 3, "a.yaml")
    progress.update(2, 3, "b.yaml")
    progress.update(3, 3, "c.yaml")
    output = read_available(reader)
    assert "a.yaml" in output
    assert "b.yaml" not in output
    assert "[3/3] c.yaml" in output


def test_progress_truncates_long_paths(terminal: tuple[TextIO, int]) -> None:
    stream, reader = terminal
    progress = Progress(stream)
    long_name = "specs/" + "regional/" * 10 + "emea-smb.yaml"
    progress.update(1, 1, long_name)
    line = read_available(reader).removeprefix(CLEAR)
    assert len(line) == 59
    assert line.startswith("[1/1] ...")
    assert line.endswith("/emea-smb.yaml")


def test_no_progress_off_terminal() -> None:
    assert progress_for(io.StringIO()) is None


def test_no_progress_when_disabled(terminal: tuple[TextIO, int]) -> None:
    stream, _ = terminal
    assert progress_for(stream, enabled=False) is None


def test_no_progress_on_dumb_terminal(
    terminal: tuple[TextIO, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    stream, _ = terminal
    monkeypatch.setenv("TERM", "dumb")
    assert progress_for(stream) is None


def test_lint_progress_on_terminal() -> None:
    reader, writer = os.openpty()
    set_width(writer, 120)
    try:
        outcome = run_lint(["specs", "tests/report/specs"], stderr=writer)
        drawn = read_available(reader)
    finally:
        os.close(writer)
        os.close(reader)
    assert outcome.returncode == 1
    assert drawn.startswith(f"{CLEAR}[1/7] specs/b2c-car-dealership.yaml")
    assert drawn.endswith(CLEAR)
    assert b"\x1b" not in outcome.stdout


def test_lint_no_progress_when_piped() -> None:
    outcome = run_lint(["specs"], stderr=subprocess.PIPE)
    assert outcome.returncode == 1
    assert outcome.stderr == b""


def test_lint_quiet_hides_progress() -> None:
    reader, writer = os.openpty()
    try:
        outcome = run_lint(["specs", "--quiet"], stderr=writer)
        drawn = read_available(reader)
    finally:
        os.close(writer)
        os.close(reader)
    assert outcome.returncode == 1
    assert drawn == ""
