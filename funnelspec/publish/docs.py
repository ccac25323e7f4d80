"""Stage documentation: one page per funnel spec and an index, in Markdown or HTML."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from funnelspec import __version__
from funnelspec.errors import UsageError
from funnelspec.findings import Finding
from funnelspec.lint import (
    discover,
    document_from_bytes,
    is_spec,
    read_bytes,
)
from funnelspec.publish import mermaid
from funnelspec.publish.output import (
    check_generated_name,
    check_not_directories,
    finish_output_directory,
    prepare_output_directory,
    write_file,
)
from funnelspec.publish.pages import FunnelPage, build_page, slugify
from funnelspec.publish.render import render_template
from funnelspec.rules.config import ConfigResolver
from funnelspec.rules.engine import lint_document
from funnelspec.spec.loader import decode, looks_like_spec
from funnelspec.spec.parse import parse_document

logger = logging.getLogger("funnelspec.publish")

FORMATS = ("md", "html")


@dataclass(frozen=True)
class DocsResult:
    """The output directory of a docs run and the files it wrote there."""

    directory: Path
    files: list[str]
    pages: list[FunnelPage]


def load_pages(
    paths: Iterable[str], config: ConfigResolver | None = None
) -> list[FunnelPage]:
    """Read and lint every spec under paths into pages, with unique slugs.

    Each spec is linted with the ruleset of its configuration (``config``, or
    the nearest configuration file). Files found in directories that lack a
    top-level ``funnelspec:`` key are skipped, as ``funnelspec lint`` does. A
    named file that is not a spec, or a file that cannot be read, raises
    UsageError or ReadError, and an invalid configuration raises ConfigError.
    """
    config = config or ConfigResolver()
    pages: list[FunnelPage] = []
    used: set[str] = {"index"}
    for target in discover(paths):
        if target.path == "-":
            raise UsageError("docs cannot read a spec from standard input; name a file")
        name, raw = read_bytes(target.path)
        if not target.named and not looks_like_spec(decode(raw)[0]):
            continue
        document = document_from_bytes(name, raw)
        if target.named and not is_spec(document):
            raise UsageError(
                f"{document.file}: not a funnel spec (no top-level 'funnelspec:' "
                "key); add 'funnelspec: 1' or leave the file out"
            )
        settings = config.config_for(target.path)
        findings = lint_document(document, settings.ruleset_for(target.path))
        spec = parse_document(document)
        slug = _unique_slug(slugify(Path(name).stem), used)
        pages.append(build_page(document, spec, findings, slug, settings.path))
    if not pages:
        searched = " ".join(paths) or "."
        raise UsageError(
            f"no funnel specs found in {searched}; name .yaml files with a top-level "
            "'funnelspec: 1' key, or directories that contain them"
        )
    return pages


def _unique_slug(slug: str, used: set[str]) -> str:
    candidate = slug
    number = 2
    while candidate in used:
        candidate = f"{slug}-{number}"
        number += 1
    used.add(candidate)
    return candidate


def render_page(page: FunnelPage, output_format: str) -> str:
    """Render one funnel's page as Markdown (md) or self-contained HTML (html)."""
    values = _page_values(page)
    if output_format == "md":
        flowchart = mermaid.flowchart(page) if page.spec else ""
        return render_template("docs_page.md", flowchart=Markup(flowchart), **values)
    from funnelspec.publish.charts import flowchart_svg, svg_data_uri

    image = svg_data_uri(flowchart_svg(page)) if page.spec else ""
    return render_template("docs_page.html", flowchart_uri=image, **values)


def _page_values(page: FunnelPage) -> dict[str, object]:
    findings = sorted(page.findings, key=Finding.sort_key)
    return {"page": page, "findings": findings, "version": __version__}


def render_index(pages: list[FunnelPage], output_format: str) -> str:
    """Render the index page that links every funnel's page."""
    name = "docs_index.md" if output_format == "md" else "docs_index.html"
    return render_template(name, pages=pages, suffix=output_format, version=__version__)


def write_docs(
    paths: Iterable[str],
    directory: Path,
    output_format: str,
    force: bool,
    config: ConfigResolver | None = None,
) -> DocsResult:
    """Generate the pages of every spec under paths into directory.

    Every spec is read and linted before anything is written, so an invalid
    spec path or configuration leaves the directory as it was. Only files
    named in the manifest are replaced or deleted; see
    ``funnelspec.publish.output`` for the rules that protect other files.
    """
    if output_format not in FORMATS:
        raise UsageError(f"invalid format {output_format!r}; use md or html")
    pages = load_pages(paths, config)
    previous = prepare_output_directory(directory, force)
    names = [check_generated_name(f"{page.slug}.{output_format}") for page in pages]
    index = check_generated_name(f"index.{output_format}")
    check_not_directories(directory, [*names, index])
    written: list[str] = []
    for page, name in zip(pages, names, strict=True):
        write_file(directory / name, render_page(page, output_format))
        logger.info("wrote %s (%s)", directory / name, page.file)
        written.append(name)
    write_file(directory / index, render_index(pages, output_format))
    written.append(index)
    finish_output_directory(directory, written, previous)
    return DocsResult(directory=directory, files=written, pages=pages)
