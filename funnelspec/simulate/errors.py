"""The error for a spec that passed lint but cannot be simulated."""

from __future__ import annotations

from funnelspec.errors import UsageError
from funnelspec.findings import Path


class SpecError(UsageError):
    """A spec that cannot be simulated, with the path of the offending value."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path
