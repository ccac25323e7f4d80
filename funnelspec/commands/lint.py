"""``funnelspec lint``: check specs against the rules."""

from __future__ import annotations

import sys

import click

from funnelspec.commands.options import config_option
from funnelspec.findings import Severity
from funnelspec.lint import lint_paths
from funnelspec.report.outputs import (
    OutputTarget,
    RenderOptions,
    complete_format,
    parse_format_option,
    resolve_targets,
    write_outputs,
)
from funnelspec.report.progress import progress_for
from funnelspec.rules.config import ConfigResolver


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--format",
    "output_formats",
    multiple=True,
    metavar="FORMAT[:FILE]",
    callback=parse_format_option,
    shell_complete=complete_format,
    help=(
        "Output format, repeatable: text (one line per finding, the default), "
        "json, sarif (SARIF 2.1.0), junit (JUnit XML) or github (GitHub Actions "
        "annotations). FORMAT:FILE writes that format to FILE, e.g. "
        "--format text --format sarif:results.sarif."
    ),
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Write the format given without :FILE to FILE instead of standard output.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="warning",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@config_option
@click.option(
    "--no-suppress",
    is_flag=True,
    help="Ignore '# funnelspec: ignore[...]' comments and report every finding.",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Add the number of findings per rule to the text output.",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help=(
        "Text output: print only the summary line, and nothing when there are "
        "no findings. Also hides the progress line."
    ),
)
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit with 0 even when findings reach --fail-on (2 still reports errors).",
)
@click.option(
    "--skip-non-specs",
    is_flag=True,
    help=(
        "Skip named files without a top-level 'funnelspec:' key instead of "
        "reporting them as errors (for pre-commit, which passes every YAML file)."
    ),
)
@click.option(
    "--fix",
    is_flag=True,
    help="Apply safe fixes to the files in place, then lint the fixed files.",
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help=(
        "With --fix or --diff, also apply fixes that can change what a spec "
        "means: remove a duplicate key with a different value (the first is "
        "kept) and rename an unknown key to the closest known key."
    ),
)
@click.option(
    "--diff",
    is_flag=True,
    help=(
        "Print the changes --fix would make as a unified diff and write "
        "nothing, without linting; exit 1 if there are changes."
    ),
)
@click.option(
    "--stdin-filename",
    default="<stdin>",
    show_default=True,
    help="File name to show in findings when PATH is - (standard input).",
)
def lint(
    paths: tuple[str, ...],
    output_formats: list[OutputTarget],
    output: str | None,
    fail_on: str,
    config_path: str | None,
    no_suppress: bool,
    statistics: bool,
    quiet: bool,
    exit_zero: bool,
    skip_non_specs: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    stdin_filename: str,
) -> None:
    """Lint funnel specs.

    PATHS are spec files or directories. Directories are searched recursively
    for *.yaml and *.yml files with a top-level 'funnelspec:' key, and other
    YAML files are skipped. Use - to read one spec from standard input. With no
    PATHS, the current directory is linted.

    Several formats can be written in one run, each to its own destination:
    --format github --format sarif:results.sarif prints GitHub annotations
    and writes SARIF to results.sarif. On a terminal, a progress line on
    standard error shows which file is being linted.

    --fix writes the fixes that keep a spec's meaning (see docs/fmt-and-fix.md),
    reports "fixed N findings in M files" on standard error, and lints as
    usual; a file that does not parse is left unchanged.

    Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it
    (YAML that does not parse included); 2 usage error or a file that cannot
    be read.
    """
    fix_errors: list[str] = []
    if fix or diff or unsafe_fixes:
        from funnelspec.rewrite.files import apply_lint_fixes

        fix_errors = apply_lint_fixes(
            paths or (".",), fix, diff, unsafe_fixes, stdin_filename, config_path
        )
    targets = resolve_targets(output_formats, output)
    threshold = Severity.parse(fail_on)
    progress = progress_for(sys.stderr, enabled=not quiet)
    try:
        result = lint_paths(
            paths or (".",),
            config=ConfigResolver(config_path),
            stdin_name=stdin_filename,
            suppress=not no_suppress,
            skip_non_specs=skip_non_specs,
            progress=progress.update if progress else None,
        )
    finally:
        if progress is not None:
            progress.close()
    result.errors[:0] = fix_errors
    options = RenderOptions(
        color=sys.stdout.isatty(),
        statistics=statistics,
        quiet=quiet,
        fail_on=threshold,
    )
    write_outputs(targets, result, options, inputs=paths)
    for error in result.errors:
        click.echo(f"funnelspec: error: {error}", err=True)
    if not result.files and not result.errors and not skip_non_specs:
        # A mistyped folder would otherwise pass CI with "0 files checked".
        searched = " ".join(paths) or "."
        click.echo(
            f"funnelspec: warning: no funnel specs found in {searched} (files "
            "ending in .yaml or .yml with a top-level 'funnelspec:' key)",
            err=True,
        )
    if result.errors:
        sys.exit(2)
    failing = any(finding.severity >= threshold for finding in result.findings)
    if failing and not exit_zero:
        sys.exit(1)
