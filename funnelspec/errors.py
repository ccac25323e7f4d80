"""Errors a user can cause, each with the exit code the CLI returns for it."""

from __future__ import annotations


class FunnelspecError(Exception):
    """Base of errors shown to the user as one line, without a traceback."""

    exit_code = 2


class UsageError(FunnelspecError):
    """A bad option, path or configuration."""


class ReadError(FunnelspecError):
    """A file that cannot be read."""
