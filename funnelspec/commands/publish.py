"""``funnelspec docs`` and ``funnelspec audit``: stage pages and audit reports."""

from __future__ import annotations

from pathlib import Path

import click

from funnelspec.publish.output import MANIFEST
from funnelspec.simulate import DEFAULT_OPPORTUNITIES, DEFAULT_SEED


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
def docs(paths: tuple[str, ...], output: Path, output_format: str, force: bool) -> None:
    """Generate stage documentation for funnel specs.

    PATHS are spec files or directories, searched like funnelspec lint does.
    Each funnel gets a page (overview, segments, flowchart, stage table and
    current findings) named after its file, and index.md or index.html links
    them all.

    A second run into the same directory replaces the pages it wrote before
    and deletes those whose spec is gone; it changes no other file. A
    directory that is not empty and has no manifest is rejected unless
    --force is given.
    """
    from funnelspec.publish.docs import write_docs

    result = write_docs(paths, output, output_format, force)
    click.echo(
        f"wrote {len(result.files)} files ({len(result.pages)} funnel pages and "
        f"the index) to {result.directory}"
    )


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write the report to; replaced if it exists.",
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
    type=click.IntRange(min=1),
    default=DEFAULT_OPPORTUNITIES,
    show_default=True,
    help="Opportunities sampled by the Monte Carlo run that times the funnel.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of the Monte Carlo run; the same seed gives the same report.",
)
def audit(
    spec: str,
    output: Path,
    output_format: str | None,
    opportunities: int,
    seed: int,
) -> None:
    """Write an audit report of one funnel spec for a client.

    The report groups the findings by theme, with each rule's rationale and
    fix. Its scorecard rates the three factors of opportunity acceleration
    (customer path, segmentation, follow-up conversion) from 0 to 100 each.
    It shows the simulated volumes, time to close and bottlenecks, and lists
    recommendations in priority order. The same spec, seed and opportunities
    give the same bytes.

    A file that is not a valid spec (YAML or format errors) is rejected with
    exit code 2; run funnelspec lint to see every error.
    """
    from funnelspec.publish.audit import write_audit

    report = write_audit(spec, output, output_format, opportunities, seed)
    card = report.scorecard
    scores = ", ".join(f"{factor.name} {factor.score:.0f}" for factor in card.factors)
    click.echo(
        f"wrote {output}: {scores}; opportunity acceleration {card.acceleration:.0f}"
    )
