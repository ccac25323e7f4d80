"""Errors a user can cause, each with the exit code the CLI returns for it.

They are click exceptions, so click prints them as one line without a
traceback, whether the CLI runs as a program or through click's test runner.
"""

from __future__ import annotations

from typing import IO, Any

import click


class FunnelspecError(click.ClickException):
    """Base of errors shown to the user as one line, without a traceback."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"funnelspec: error: {self.format_message()}", err=True, file=file)


class UsageError(FunnelspecError):
    """A bad option, path or configuration."""


class ReadError(FunnelspecError):
    """A file that cannot be read."""
