"""Choose output formats and destinations for ``funnelspec lint``, and write them.

Each ``--format`` value is ``NAME`` or ``NAME:FILE``. A format without a file
goes to ``--output`` if given, otherwise to standard output, and ``NAME:-``
names standard output explicitly. Every destination takes exactly one format,
so ``--format text --format sarif:results.sarif`` prints text and writes SARIF
to a file in the same run. Renderers are imported only for the formats a run
uses.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import click
from click.shell_completion import CompletionItem

from funnelspec.errors import UsageError
from funnelspec.findings import Severity
from funnelspec.lint import LintResult

STDOUT = "-"
#: Format name to "module:function" of its renderer.
RENDERERS: dict[str, str] = {
    "text": "funnelspec.report.text:render_text",
    "json": "funnelspec.report.json_report:render_json",
    "sarif": "funnelspec.report.sarif:render_sarif",
    "junit": "funnelspec.report.junit:render_junit",
    "github": "funnelspec.report.github:render_github",
}
FORMATS = tuple(RENDERERS)


@dataclass(frozen=True)
class OutputTarget:
    """One output of a run: a format and where it goes (``-`` is standard output)."""

    format: str
    path: str | None = None

    @property
    def to_stdout(self) -> bool:
        return self.path in (None, STDOUT)


@dataclass(frozen=True)
class RenderOptions:
    """Options that change what the text and JUnit renderers print."""

    color: bool = False
    statistics: bool = False
    quiet: bool = False
    fail_on: Severity = Severity.WARNING


def parse_target(value: str) -> OutputTarget:
    """Parse ``NAME`` or ``NAME:FILE``, raising UsageError for an invalid value."""
    name, separator, path = value.partition(":")
    name = name.strip().lower()
    if name not in RENDERERS:
        choices = ", ".join(FORMATS)
        raise UsageError(
            f"invalid output format {value!r}; use one of {choices}, "
            "optionally followed by :FILE (for example sarif:results.sarif)"
        )
    if separator and not path:
        raise UsageError(
            f"output format {value!r} names no file after ':'; "
            f"write {name}:FILE, or {name} for standard output"
        )
    return OutputTarget(name, path or None)


def parse_format_option(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> list[OutputTarget]:
    """Click callback of the repeatable ``--format`` option."""
    try:
        return [parse_target(value) for value in values]
    except UsageError as exc:
        raise click.BadParameter(exc.format_message(), ctx, param) from None


def complete_format(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Complete format names in shells that use click's completion."""
    return [CompletionItem(name) for name in FORMATS if name.startswith(incomplete)]


def resolve_targets(
    targets: Sequence[OutputTarget], output: str | None = None
) -> list[OutputTarget]:
    """Give every target a destination and check that no two share one.

    With no targets the run prints text. ``output`` is the destination of
    targets without their own file.
    """
    targets = targets or [OutputTarget("text")]
    if output and all(target.path for target in targets):
        raise UsageError(
            f"--output {output} is not used because every --format names its own "
            "file; remove --output or a :FILE"
        )
    resolved = [
        target if target.path else OutputTarget(target.format, output or STDOUT)
        for target in targets
    ]
    seen: dict[str, str] = {}
    for target in resolved:
        key = STDOUT if target.to_stdout else os.path.abspath(str(target.path))
        if key in seen:
            where = "standard output" if key == STDOUT else repr(target.path)
            raise UsageError(
                f"formats {seen[key]} and {target.format} both write to {where}; "
                f"give one of them its own file, as in {target.format}:FILE"
            )
        seen[key] = target.format
    for target in resolved:
        if not target.to_stdout:
            check_writable(str(target.path))
    return resolved


def check_writable(path: str) -> None:
    """Raise UsageError if ``path`` cannot be an output file."""
    if os.path.isdir(path):
        raise UsageError(f"output file {path!r} is a directory; name a file")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(
            f"cannot write output file {path!r}: directory {folder!r} not found; "
            "create it first"
        )


def render(target_format: str, result: LintResult, options: RenderOptions) -> str:
    """Render ``result`` in one format, importing its renderer on first use."""
    module_name, function_name = RENDERERS[target_format].split(":")
    renderer = getattr(importlib.import_module(module_name), function_name)
    if target_format == "text":
        text: str = renderer(
            result,
            color=options.color,
            statistics=options.statistics,
            quiet=options.quiet,
        )
    elif target_format == "junit":
        text = renderer(result, fail_on=options.fail_on)
    else:
        text = renderer(result)
    return text


def write_outputs(
    targets: Iterable[OutputTarget],
    result: LintResult,
    options: RenderOptions,
    inputs: Iterable[str] = (),
) -> None:
    """Render and write every target.

    Only standard output gets color, and only if ``options.color`` is set.
    Raises UsageError before writing anything when an output file is one of
    the files just linted or named as input (hard links included), and when
    an output file cannot be written.
    """
    targets = list(targets)
    read = [*result.files, *inputs]
    for target in targets:
        if not target.to_stdout and _is_any(str(target.path), read):
            raise UsageError(
                f"output file {target.path!r} is one of the input files; "
                "choose another file name"
            )
    for target in targets:
        if target.to_stdout:
            text = render(target.format, result, options)
            if text:
                click.echo(text)
            continue
        path = str(target.path)
        plain = RenderOptions(False, options.statistics, options.quiet, options.fail_on)
        text = render(target.format, result, plain)
        _write_file(path, text + "\n" if text else "")


def _is_any(path: str, inputs: Iterable[str]) -> bool:
    if not os.path.exists(path) or os.path.islink(path):
        return False
    for name in inputs:
        try:
            if os.path.samefile(path, name):
                return True
        except OSError:
            continue
    return False


def _write_file(path: str, text: str) -> None:
    # The report goes to a temporary file that then replaces the path, so a
    # symbolic link planted at the output path is replaced, never followed.
    folder = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".funnelspec-", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as exc:
        raise UsageError(
            f"cannot write output file {path!r} ({exc.strerror}); "
            "check that its directory exists and is writable"
        ) from None
