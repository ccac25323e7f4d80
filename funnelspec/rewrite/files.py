"""Find the spec files to rewrite, and apply fixes to them for ``lint --fix``."""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import click
from ruamel.yaml.error import YAMLError

from funnelspec.errors import FunnelspecError, UsageError
from funnelspec.lint import STDIN, discover, is_spec
from funnelspec.rewrite.atomic import write_atomic
from funnelspec.rewrite.fix import Fix, fix_text
from funnelspec.rewrite.source import RewriteError, SourceFile, yaml_error
from funnelspec.rewrite.yamltext import comments, compose
from funnelspec.rules.config import ConfigResolver
from funnelspec.spec.loader import load_text, looks_like_spec

logger = logging.getLogger("funnelspec")


def read_specs(
    paths: Iterable[str], stdin_name: str, errors: list[str] | None
) -> Iterator[SourceFile]:
    """Yield the spec files under paths, as ``funnelspec lint`` selects them.

    Files that cannot be read, and named files that are not specs, are
    reported in errors (or skipped silently when errors is None).
    """
    for target in discover(paths):
        try:
            source = SourceFile.read(target.path, stdin_name)
        except FunnelspecError as exc:
            if errors is not None:
                errors.append(str(exc))
            continue
        if not target.named and not looks_like_spec(source.document.text):
            continue
        if target.named and not is_spec(source.document):
            if errors is not None:
                errors.append(
                    f"{source.name}: not a funnel spec (no top-level 'funnelspec:' "
                    "key); add 'funnelspec: 1' or leave the file out"
                )
            continue
        yield source


@dataclass
class FixRun:
    """Results of ``lint --fix`` or ``lint --diff``: fixes, changed files, diffs."""

    fixes: list[tuple[str, Fix]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self, written: bool) -> str:
        count = len(self.fixes)
        findings = "finding" if count == 1 else "findings"
        files = "file" if len(self.files) == 1 else "files"
        verb = "fixed" if written else "would fix"
        return f"{verb} {count} {findings} in {len(self.files)} {files}"


def fix_files(
    paths: Iterable[str],
    unsafe: bool,
    write: bool,
    stdin_name: str = "<stdin>",
    config: ConfigResolver | None = None,
) -> FixRun:
    """Fix every spec under paths; write them (write=True) or collect diffs.

    Files that do not parse are left alone: lint reports them. Fixes of
    rules that a file's configuration turns off are not applied.
    """
    config = config or ConfigResolver()
    run = FixRun()
    for source in read_specs(paths, stdin_name, errors=None):
        if not source.document.parsed or "\r" in source.text:
            continue
        ruleset = config.ruleset_for(source.path or ".")
        enabled = {code for code, rule in ruleset.rules.items() if rule.enabled}
        try:
            fixed, fixes = fix_text(source.text, unsafe, codes=enabled)
            if not fixes:
                continue
            check_fixed(source, fixed)
            if write:
                assert source.path is not None
                write_atomic(source.path, source.encode(fixed))
            else:
                run.diffs.append(source.diff(fixed))
        except FunnelspecError as exc:
            run.errors.append(str(exc))
            continue
        except YAMLError as exc:
            run.errors.append(str(yaml_error(source.name, "fix", source.text, exc)))
            continue
        except ValueError as exc:
            # apply_edits raises it for overlapping edits, which is a bug here.
            run.errors.append(
                f"{source.name}: fixes not applied: {exc}; the file was left "
                "unchanged (please report this as a bug with the file)"
            )
            continue
        run.files.append(source.name)
        run.fixes += [(source.name, fix) for fix in fixes]
    return run


def check_fixed(source: SourceFile, fixed: str) -> None:
    """Raise RewriteError unless fixed parses and keeps every comment."""
    result = load_text(fixed, source.name)
    reason = ""
    if not result.parsed:
        reason = "the result would not be valid YAML"
    else:
        before = Counter(c.text for c in comments(source.text, compose(source.text)))
        after = Counter(c.text for c in comments(fixed, compose(fixed)))
        if before != after:
            reason = "a comment would be lost or changed"
    if reason:
        raise RewriteError(
            f"{source.name}: fixes not applied: {reason}; the file was left "
            "unchanged (please report this as a bug with the file)"
        )


def apply_lint_fixes(
    paths: Iterable[str],
    fix: bool,
    diff: bool,
    unsafe: bool,
    stdin_name: str,
    config_path: str | None,
) -> list[str]:
    """Run the fix step of ``funnelspec lint`` and return errors for its output.

    With diff, prints the diffs and exits: 0 without changes, 1 with, 2 on
    errors. With fix, writes the files and prints the summary (and each fix
    with -v) to standard error. Raises UsageError for a bad combination.
    """
    if not (fix or diff):
        raise UsageError("--unsafe-fixes applies only with --fix or --diff")
    if fix and not diff and STDIN in paths:
        raise UsageError(
            "--fix cannot write to standard input; use --diff to see the fixes"
        )
    run = fix_files(paths, unsafe, not diff, stdin_name, ConfigResolver(config_path))
    for name, applied in run.fixes:
        logger.info(
            "%s:%d:%d: %s %s",
            name,
            applied.line,
            applied.column,
            applied.code,
            applied.description,
        )
    if diff:
        for text in run.diffs:
            click.echo(text, nl=False)
        for error in run.errors:
            click.echo(f"funnelspec: error: {error}", err=True)
        click.echo(run.summary(written=False), err=True)
        if run.errors:
            sys.exit(2)
        sys.exit(1 if run.fixes else 0)
    if run.fixes:
        click.echo(run.summary(written=True), err=True)
    return run.errors
