"""Find spec files, read them and lint them: the API behind ``funnelspec lint``."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from funnelspec.errors import ReadError
from funnelspec.findings import Finding, Position
from funnelspec.rules.config import ConfigResolver
from funnelspec.rules.engine import lint_document
from funnelspec.spec.loader import (
    Document,
    LoadProblem,
    decode,
    load_text,
    looks_like_spec,
)

SPEC_SUFFIXES = (".yaml", ".yml")
STDIN = "-"
#: Largest file read as a spec; only its first MAX_FILE_BYTES + 1 bytes are
#: read. A spec with 10,000 stages is about 1.5 MB.
MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass
class LintResult:
    """Findings of every linted file, and the files that could not be read."""

    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """A file to lint, and whether the user named it (rather than a directory)."""

    path: str
    named: bool


def discover(paths: Iterable[str]) -> Iterator[Target]:
    """Yield files to lint: named files as given, directories recursed, sorted."""
    for path in paths:
        if path == STDIN or not os.path.isdir(path):
            yield Target(path, named=True)
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                file_path = os.path.join(root, name)
                if name.endswith(SPEC_SUFFIXES) and not _is_special(file_path):
                    yield Target(file_path, named=False)


def _is_special(path: str) -> bool:
    """Tell whether path is a FIFO, socket or device, which a directory walk skips.

    A dangling or looping symbolic link is not special, so reading it reports
    the error.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def read_bytes(path: str, stdin_name: str = "<stdin>") -> tuple[str, bytes]:
    """Return the display name and bytes of a file (``-`` for standard input)."""
    if path == STDIN:
        return stdin_name, sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    try:
        return path, _read_limited(path)
    except FileNotFoundError:
        if os.path.islink(path):
            target = os.readlink(path)
            message = f"{path}: symbolic link to {target!r}, which does not exist"
            raise ReadError(message) from None
        raise ReadError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ReadError(f"{path}: is a directory") from None
    except OSError as exc:
        raise ReadError(f"{path}: cannot read file ({exc.strerror})") from None


def _read_limited(path: str) -> bytes:
    """Read at most MAX_FILE_BYTES + 1 bytes of a file, FIFO or device.

    The file is opened without blocking, so a FIFO that no process writes to
    reads as empty instead of hanging. A FIFO with a writer, such as the path
    bash's process substitution passes, is read until the writer closes it.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(descriptor, "rb") as file:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        os.set_blocking(descriptor, True)
        data = file.read(MAX_FILE_BYTES + 1)
    if not data and not stat.S_ISREG(mode):
        raise ReadError(
            f"{path}: no data to read (a FIFO or device that no process writes "
            "to); pass a regular file"
        )
    return data


def document_from_bytes(name: str, raw: bytes) -> Document:
    """Decode and parse file bytes into a Document."""
    if len(raw) > MAX_FILE_BYTES:
        document = Document(file=name, text="")
        message = (
            f"file is larger than {MAX_FILE_BYTES:,} bytes (10 MiB), the limit "
            "for a spec; split it or remove generated data"
        )
        document.problems.append(LoadProblem("FS001", message, Position(1, 1)))
        return document
    text, problem = decode(raw)
    if problem is not None:
        document = Document(file=name, text="")
        document.problems.append(problem)
        return document
    return load_text(text, name)


def read_document(path: str, stdin_name: str = "<stdin>") -> Document:
    """Read and parse one file (``-`` for standard input) into a Document."""
    return document_from_bytes(*read_bytes(path, stdin_name))


def is_spec(document: Document) -> bool:
    """Tell whether a named file should be linted as a spec."""
    if looks_like_spec(document.text) or not document.parsed:
        return True
    return isinstance(document.data, dict) and "stages" in document.data


def lint_paths(
    paths: Iterable[str],
    config: ConfigResolver | None = None,
    stdin_name: str = "<stdin>",
    suppress: bool = True,
    skip_non_specs: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> LintResult:
    """Lint every spec under paths; other YAML in directories is skipped.

    Each spec is linted with the ruleset of its configuration (``config``, or
    the nearest configuration file). Raises ConfigError for an invalid one.
    With ``skip_non_specs``, named files without a top-level ``funnelspec:``
    key are skipped too, instead of being reported as errors. ``progress`` is
    called with (number, total, path) before each file is read.
    """
    config = config or ConfigResolver()
    result = LintResult()
    targets = list(discover(paths))
    for number, target in enumerate(targets, start=1):
        if progress is not None:
            progress(number, len(targets), target.path)
        try:
            name, raw = read_bytes(target.path, stdin_name)
        except ReadError as exc:
            result.errors.append(str(exc))
            continue
        only_marked = skip_non_specs or not target.named
        if only_marked and not _has_marker(raw):
            continue
        document = document_from_bytes(name, raw)
        if target.named and not is_spec(document):
            result.errors.append(
                f"{document.file}: not a funnel spec (no top-level 'funnelspec:' "
                "key); add 'funnelspec: 1' or leave the file out"
            )
            continue
        result.files.append(document.file)
        ruleset = config.ruleset_for(target.path)
        result.findings.extend(lint_document(document, ruleset, suppress=suppress))
    return result


_BYTE_MARKER = re.compile(rb"^(?:\xef\xbb\xbf)?funnelspec[ \t]*:", re.MULTILINE)


def _has_marker(raw: bytes) -> bool:
    """Tell whether file bytes have a top-level ``funnelspec:`` key.

    A file that is not valid UTF-8 still counts when its bytes hold the key,
    so it is linted and gets FS001 instead of being skipped silently.
    """
    text, problem = decode(raw)
    if problem is None:
        return looks_like_spec(text)
    return _BYTE_MARKER.search(raw) is not None
