"""The ``funnelspec`` command line. Subcommands live in ``funnelspec.commands``.

Subcommands are imported only when they run, so ``funnelspec lint`` does not
pay for the simulator's or the report's imports.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from funnelspec import __version__

#: Subcommand name to "module:attribute" of its click command.
COMMANDS: dict[str, str] = {
    "lint": "funnelspec.commands.lint:lint",
    "schema": "funnelspec.commands.schema:schema",
    "simulate": "funnelspec.commands.simulate:simulate",
    "rules": "funnelspec.commands.rules:rules",
    "rule": "funnelspec.commands.rules:rule",
    "config": "funnelspec.commands.rules:config",
    "docs": "funnelspec.commands.publish:docs",
    "audit": "funnelspec.commands.publish:audit",
    "import": "funnelspec.commands.importer:import_group",
    "fmt": "funnelspec.commands.fmt:fmt",
}


class LazyGroup(click.Group):
    """A click group that imports each subcommand's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = COMMANDS[cmd_name].split(":")
        module = importlib.import_module(module_name)
        command: click.Command = getattr(module, attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="funnelspec")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log configuration and rule timings to standard error (-vv for more).",
)
def cli(verbose: int) -> None:
    """Lint, simulate and document sales and marketing funnels described in YAML."""
    if verbose:
        logging.basicConfig(
            level=logging.INFO if verbose == 1 else logging.DEBUG,
            format="funnelspec: %(levelname)s: %(message)s",
        )


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI; user errors print one line and exit with their code."""
    try:
        return cli.main(args=argv, prog_name="funnelspec", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
