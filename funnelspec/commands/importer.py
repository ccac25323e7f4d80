"""``funnelspec import``: convert a CRM's deal pipeline into a funnel spec."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import click

from funnelspec.crm.conversion import convert_pipeline
from funnelspec.crm.hubspot import read_hubspot
from funnelspec.crm.pipeline import CrmPipeline
from funnelspec.crm.salesforce import read_salesforce
from funnelspec.crm.writer import render_spec
from funnelspec.errors import UsageError
from funnelspec.lint import STDIN, read_bytes

_FILE = click.Path(allow_dash=True)
_output = click.option(
    "-o",
    "--output",
    metavar="FILE",
    type=_FILE,
    default="-",
    show_default=True,
    help="File to write the spec to; - is standard output. An existing file or "
    "symbolic link is kept unless --force is given, and an input file is never "
    "replaced.",
)
_force = click.option(
    "--force",
    is_flag=True,
    help="Replace the --output file if it exists. A symbolic link is replaced "
    "by the file; the file it points to is not written.",
)


@click.group("import")
def import_group() -> None:
    """Convert a CRM's deal pipeline into a funnel spec.

    Stages, their order and their win probabilities come from the CRM. Each
    open stage's conversion is its probability divided by the next open
    stage's (the last one's by 100%, won). What the CRM does not store (owner,
    key outcome, buyer roles, durations, conversion period, follow-up SLA,
    segments) is marked with TODO comments, so `funnelspec lint` reports it.
    Problems in the CRM's data are printed as warnings on standard error and
    kept as comments in the spec.
    """


@import_group.command("salesforce")
@click.argument("stages_file", metavar="STAGES.xml", type=_FILE)
@click.option(
    "--process",
    "process_file",
    metavar="PROCESS.xml",
    type=_FILE,
    help="Sales process (*.businessProcess-meta.xml) whose stages make the "
    "funnel. Default: every active value of the picklist.",
)
@_output
@_force
def salesforce(
    stages_file: str, process_file: str | None, output: str, force: bool
) -> None:
    """Import Salesforce opportunity stages from metadata API files.

    STAGES.xml is the org's OpportunityStage.standardValueSet-meta.xml (the
    stage picklist with probabilities in percent). Use - to read it from
    standard input.
    """
    if stages_file == STDIN and process_file == STDIN:
        raise UsageError(
            "STAGES.xml and --process cannot both be - (standard input); "
            "give one of them as a file"
        )
    reject_output_onto_input(output, [stages_file, process_file])
    stages_name, stages_raw = read_bytes(stages_file)
    process_name, process_raw = (
        read_bytes(process_file) if process_file else (None, None)
    )
    pipeline = read_salesforce(stages_raw, stages_name, process_raw, process_name)
    _write(pipeline, output, force)


@import_group.command("hubspot")
@click.argument("pipelines_file", metavar="PIPELINES.json", type=_FILE)
@click.option(
    "--pipeline",
    metavar="LABEL_OR_ID",
    help="Label or id of the pipeline to import; required when the file has "
    "more than one. A label matches case-insensitively.",
)
@_output
@_force
def hubspot(
    pipelines_file: str, pipeline: str | None, output: str, force: bool
) -> None:
    """Import a HubSpot deal pipeline from the CRM pipelines API.

    PIPELINES.json is the response body of GET /crm/v3/pipelines/deals (or of
    GET /crm/v3/pipelines/deals/{pipelineId}); probabilities are decimals from
    0 to 1. Use - to read it from standard input.
    """
    reject_output_onto_input(output, [pipelines_file])
    name, raw = read_bytes(pipelines_file)
    _write(read_hubspot(raw, name, pipeline), output, force)


def _write(pipeline: CrmPipeline, output: str, force: bool) -> None:
    """Write the spec, then the warnings, which are left out if writing fails."""
    funnel = convert_pipeline(pipeline)
    text = render_spec(funnel)
    if output == "-":
        click.echo(text, nl=False)
    else:
        write_file(Path(output), text, force)
    for warning in funnel.warnings:
        click.echo(f"funnelspec: warning: {warning}", err=True)


def reject_output_onto_input(output: str, inputs: list[str | None]) -> None:
    """Raise UsageError when --output is one of the input files.

    os.path.samefile compares device and inode, so a hard link or a symbolic
    link to an input counts as the input. --force does not lift this, because
    the import would replace the CRM export it reads.
    """
    if output == STDIN:
        return
    for name in inputs:
        if name is None or name == STDIN:
            continue
        try:
            same = os.path.samefile(output, name)
        except OSError:
            continue
        if same:
            raise UsageError(
                f"{output}: --output is the same file as the input {name}; "
                "choose another --output so that the CRM export is kept"
            )


def write_file(path: Path, text: str, force: bool) -> None:
    """Write text to a new file, or replace an existing one only with ``force``.

    Without ``force`` the file is created exclusively, so an existing file or
    symbolic link is never touched. With it, the text goes to a new file in
    the same directory that then replaces the target in one rename. A symbolic
    link at the target is replaced, and the file it points to is not written.
    """
    if path.is_symlink():
        if not force:
            raise UsageError(
                f"{path}: is a symbolic link to {os.readlink(path)!r}; use --force "
                "to replace the link with a file (its target is not changed), or "
                "choose another --output"
            )
    elif path.is_dir():
        raise UsageError(f"{path}: is a directory; give --output a file name")
    data = text.encode("utf-8")
    try:
        if force:
            _replace(path, data)
            return
        with path.open("xb") as stream:
            stream.write(data)
    except FileExistsError:
        raise UsageError(
            f"{path}: file exists; use --force to replace it, or choose another "
            "--output"
        ) from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot write file ({exc.strerror})") from None


def _replace(path: Path, data: bytes) -> None:
    # mkstemp creates the temporary file with O_EXCL, so a symbolic link
    # planted under its name cannot redirect the write.
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp creates the file readable by its owner only. A spec is not
        # secret, so it gets the mode a new file gets with the usual umask 022.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
