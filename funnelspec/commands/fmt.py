"""``funnelspec fmt``: format specs in the canonical layout."""

from __future__ import annotations

import os
import sys

import click

from funnelspec.errors import FunnelspecError, UsageError
from funnelspec.lint import STDIN
from funnelspec.rewrite.atomic import write_atomic
from funnelspec.rewrite.files import read_specs
from funnelspec.rewrite.fmt import format_text
from funnelspec.rewrite.source import SourceFile


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; list the files that would change and exit 1 if any would.",
)
@click.option(
    "--write",
    is_flag=True,
    help="Format the files in place (atomically; unchanged files are not touched).",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Write nothing; print a unified diff per file and exit 1 if any would change.",
)
@click.option(
    "--stdin-filename",
    default="<stdin>",
    show_default=True,
    help="File name to show in messages when PATH is - (standard input).",
)
def fmt(
    paths: tuple[str, ...], check: bool, write: bool, diff: bool, stdin_filename: str
) -> None:
    """Format funnel specs: key order, indentation and rates.

    Keys go in the order of the spec format (funnelspec, name, ..., stages;
    id, name, ..., next in a stage). Indentation is 2 spaces, with sequences
    indented under their key. Rates written as "35%" become 0.35. Every
    comment, blank line, quote style and flow collection is kept, and a file
    is only written if it reads back as the same data with the same comments.

    PATHS are spec files or directories, searched as by funnelspec lint. With
    no option, the one spec given (or - for standard input) is printed
    formatted; --check, --write and --diff take any number of PATHS and
    default to the current directory.

    Exit codes: 0 nothing to change (or written); 1 --check or --diff found
    files that would change; 2 usage error, or a file that cannot be read,
    parsed or formatted safely (it is left unchanged).
    """
    chosen = [name for name, on in (("--check", check), ("--write", write)) if on]
    if diff:
        chosen.append("--diff")
    if len(chosen) > 1:
        given = " and ".join(chosen)
        raise UsageError(f"use only one of --check, --write and --diff, not {given}")
    mode = chosen[0].removeprefix("--") if chosen else "print"
    if mode == "print":
        _check_print_paths(paths)
    if mode == "write" and STDIN in paths:
        raise UsageError("--write cannot write to standard input; omit --write")
    errors: list[str] = []
    changed = unchanged = 0
    for source in read_specs(paths or (".",), stdin_filename, errors):
        try:
            formatted = _format(source)
            if source.changed(formatted):
                changed += 1
            else:
                unchanged += 1
            _emit(mode, source, formatted)
        except FunnelspecError as exc:
            errors.append(str(exc))
    for error in errors:
        click.echo(f"funnelspec: error: {error}", err=True)
    if mode != "print":
        click.echo(_summary(mode, changed, unchanged), err=True)
    if errors:
        sys.exit(2)
    if changed and mode in ("check", "diff"):
        sys.exit(1)


def _check_print_paths(paths: tuple[str, ...]) -> None:
    if len(paths) != 1:
        raise UsageError(
            "funnelspec fmt without --write, --check or --diff prints one "
            f"formatted spec, and {len(paths)} paths were given; use --write to "
            "format files in place"
        )
    if os.path.isdir(paths[0]):
        raise UsageError(
            f"{paths[0]} is a directory; funnelspec fmt without --write, --check "
            "or --diff prints one formatted spec"
        )


def _format(source: SourceFile) -> str:
    source.check_parsed("format")
    return format_text(source.text, source.name)


def _emit(mode: str, source: SourceFile, formatted: str) -> None:
    if mode == "print":
        click.echo(formatted, nl=False)
    elif mode == "diff":
        click.echo(source.diff(formatted), nl=False)
    elif mode == "check" and source.changed(formatted):
        click.echo(f"would reformat {source.name}")
    elif mode == "write" and source.changed(formatted):
        assert source.path is not None
        write_atomic(source.path, source.encode(formatted))
        click.echo(f"reformatted {source.name}", err=True)


def _summary(mode: str, changed: int, unchanged: int) -> str:
    def files(count: int) -> str:
        return f"{count} file" if count == 1 else f"{count} files"

    if mode == "write":
        return f"{files(changed)} reformatted, {files(unchanged)} left unchanged"
    return (
        f"{files(changed)} would be reformatted, {files(unchanged)} already formatted"
    )
