"""``funnelspec lint``: check specs against the rules."""

from __future__ import annotations

import sys

import click

from funnelspec.findings import Severity
from funnelspec.lint import lint_paths
from funnelspec.report import render_json, render_text
from funnelspec.rules.config import ConfigResolver


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format: one line per finding (text) or one JSON object (json).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="warning",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help=(
        "Configuration file (.funnelspec.yaml or pyproject.toml) to use for every "
        "spec, instead of searching upward from each spec."
    ),
)
@click.option(
    "--no-suppress",
    is_flag=True,
    help="Ignore '# funnelspec: ignore[...]' comments and report every finding.",
)
@click.option(
    "--stdin-filename",
    default="<stdin>",
    show_default=True,
    help="File name to show in findings when PATH is - (standard input).",
)
def lint(
    paths: tuple[str, ...],
    output_format: str,
    fail_on: str,
    config_path: str | None,
    no_suppress: bool,
    stdin_filename: str,
) -> None:
    """Lint funnel specs.

    PATHS are spec files or directories; directories are searched recursively
    for *.yaml and *.yml files with a top-level 'funnelspec:' key, and other
    YAML files are skipped. Use - to read one spec from standard input. With no
    PATHS, the current directory is linted.

    Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it
    (YAML that does not parse included); 2 usage error or a file that cannot
    be read.
    """
    result = lint_paths(
        paths or (".",),
        config=ConfigResolver(config_path),
        stdin_name=stdin_filename,
        suppress=not no_suppress,
    )
    if output_format == "json":
        click.echo(render_json(result))
    else:
        text = render_text(result, color=sys.stdout.isatty())
        if text:
            click.echo(text)
    for error in result.errors:
        click.echo(f"funnelspec: error: {error}", err=True)
    threshold = Severity.parse(fail_on)
    if result.errors:
        sys.exit(2)
    if any(finding.severity >= threshold for finding in result.findings):
        sys.exit(1)
