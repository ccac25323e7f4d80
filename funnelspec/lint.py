"""Find spec files, read them and lint them: the API behind ``funnelspec lint``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from funnelspec.errors import ReadError
from funnelspec.findings import Finding
from funnelspec.rules.config import ConfigResolver
from funnelspec.rules.engine import lint_document
from funnelspec.spec.loader import Document, decode, load_text, looks_like_spec

SPEC_SUFFIXES = (".yaml", ".yml")
STDIN = "-"


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
                if name.endswith(SPEC_SUFFIXES):
                    yield Target(os.path.join(root, name), named=False)


def read_bytes(path: str, stdin_name: str = "<stdin>") -> tuple[str, bytes]:
    """Return the display name and bytes of a file (``-`` for standard input)."""
    if path == STDIN:
        return stdin_name, sys.stdin.buffer.read()
    try:
        return path, Path(path).read_bytes()
    except FileNotFoundError:
        raise ReadError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ReadError(f"{path}: is a directory") from None
    except OSError as exc:
        raise ReadError(f"{path}: cannot read file ({exc.strerror})") from None


def document_from_bytes(name: str, raw: bytes) -> Document:
    """Decode and parse file bytes into a Document."""
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
        if only_marked and not looks_like_spec(decode(raw)[0]):
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
