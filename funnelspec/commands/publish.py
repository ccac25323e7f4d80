"""``funnelspec docs`` and ``funnelspec audit``: stage pages and audit reports."""

from __future__ import annotations

from pathlib import Path

import click

from funnelspec.commands.options import config_option
from funnelspec.publish.output import MANIFEST
from funnelspec.rules.config import ConfigResolver
from funnelspec.simulate import DEFAULT_OPPORTUNITIES, DEFAULT_SEED, MAX_OPPORTUNITIES


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help=(
        "Directory to write the pages into; created when missing. "
        f"funnelspec records the files it writes in {MANIFEST} there."
    ),
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["md", "html"]),
    default="md",
    show_default=True,
    help=(
        "md: GitHub-flavoured Markdown with Mermaid flowcharts. html: "
        "self-contained pages that work offline, with the flowchart as an "
        "embedded SVG image."
    ),
)
@click.option(
    "--force",
    is_flag=True,
    help=(
        "Write into a directory that is not empty and was not made by "
        "funnelspec docs. Files with the names of generated pages are replaced; "
        "other files are left alone."
    ),
)
@config_option
def docs(
    paths: tuple[str, ...],
    output: Path,
    output_format: str,
    force: bool,
    config_path: str | None,
) -> None:
    """Generate stage documentation for funnel specs.

    PATHS are spec files or directories, searched like funnelspec lint does.
    Each funnel gets a page (overview, segments, flowchart, stage table and
    current findings) named after its file, and index.md or index.html links
    them all. Findings come from the configuration that funnelspec lint would
    use for each spec, and each page names it. An invalid configuration stops
    the command with exit code 2 before anything is written.

    A second run into the same directory replaces the pages it wrote before
    and deletes those whose spec is gone; it changes no other file. A
    directory that is not empty and has no manifest is rejected unless
    --force is given.
    """
    from funnelspec.publish.docs import write_docs

    config = ConfigResolver(config_path)
    result = write_docs(paths, output, output_format, force, config)
    pages = len(result.pages)
    page_noun = "funnel page" if pages == 1 else "funnel pages"
    click.echo(
        f"wrote {len(result.files)} files ({pages} {page_noun} and the index) "
        f"to {result.directory}"
    )


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=(
        "File to write the report to. An earlier funnelspec audit report there "
        "is replaced; any other existing file needs --force. The spec and its "
        "configuration file are never replaced."
    ),
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["html", "md"]),
    default=None,
    help=(
        "html: one self-contained file that works offline, charts embedded. "
        "md: GitHub-flavoured Markdown, with the charts written beside it as "
        "<name>-funnel.svg and <name>-time-to-close.svg. Default: md when the "
        "output name ends in .md, else html."
    ),
)
@click.option(
    "--opportunities",
    type=click.IntRange(min=1, max=MAX_OPPORTUNITIES),
    default=DEFAULT_OPPORTUNITIES,
    show_default=True,
    help="Opportunities sampled by the Monte Carlo run that times the funnel "
    f"(count, at most {MAX_OPPORTUNITIES:,}).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of the Monte Carlo run; the same seed gives the same report.",
)
@config_option
@click.option(
    "--force",
    is_flag=True,
    help=(
        "Replace existing output files (the report, and the charts of a "
        "Markdown report) that funnelspec audit did not write."
    ),
)
def audit(
    spec: str,
    output: Path,
    output_format: str | None,
    opportunities: int,
    seed: int,
    config_path: str | None,
    force: bool,
) -> None:
    """Write an audit report of one funnel spec for a client.

    The spec is linted with the configuration that funnelspec lint would use
    for it, and the report names it. The report groups the findings by
    theme, with each rule's rationale and fix. Its scorecard rates the three
    factors of opportunity acceleration (customer path, segmentation,
    follow-up conversion) from 0 to 100 each. Acceleration is 0 while the
    spec has an error finding or the funnel wins nothing. The report shows the
    simulated volumes, time to close and bottlenecks, and lists
    recommendations in priority order. The same spec, configuration, seed
    and opportunities give the same bytes.

    A file that is not a valid spec (YAML or format errors), or an invalid
    configuration, is rejected with exit code 2; run funnelspec lint to see
    every error.
    """
    from funnelspec.publish.audit import write_audit

    config = ConfigResolver(config_path)
    report = write_audit(
        spec, output, output_format, opportunities, seed, config, force
    )
    card = report.scorecard
    scores = ", ".join(f"{factor.name} {factor.score:.0f}" for factor in card.factors)
    because = ""
    if card.zero_reasons:
        because = f" because {' and '.join(card.zero_reasons)}"
    click.echo(
        f"wrote {output}: {scores}; opportunity acceleration "
        f"{card.acceleration:.0f}{because}"
    )
