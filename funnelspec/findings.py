"""Findings, severities and the paths that locate a value in a spec."""

from __future__ import annotations

import enum
from dataclasses import dataclass

PathPart = str | int
Path = tuple[PathPart, ...]


class Severity(enum.IntEnum):
    """Severity of a finding; a higher value is more severe."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            names = ", ".join(severity.label for severity in cls)
            message = f"invalid severity {text!r}; use one of: {names}"
            raise ValueError(message) from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in a file."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in one file, at one position."""

    code: str
    name: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int
    path: str = ""
    fix: str = ""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "fix": self.fix,
        }


def format_path(path: Path) -> str:
    """Format a path like ``stages[2].owner``; the empty path is the document."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif text:
            text += f".{part}"
        else:
            text = part
    return text
