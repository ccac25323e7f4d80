"""Options that several subcommands share."""

from __future__ import annotations

import click

#: ``--config FILE``: the configuration to use instead of searching upward.
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help=(
        "Configuration file (.funnelspec.yaml or pyproject.toml) to use for every "
        "spec, instead of searching upward from each spec."
    ),
)
