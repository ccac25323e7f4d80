"""``funnelspec schema``: print the JSON Schema of the spec format."""

from __future__ import annotations

import click

from funnelspec.spec.schema import schema_text


@click.command()
def schema() -> None:
    """Print the JSON Schema of spec format v1.

    Editors use it for completion and hover; the same file is committed as
    schemas/funnelspec.schema.json.
    """
    click.echo(schema_text(), nl=False)
