"""Headings, tables and fenced code blocks of a Markdown text, for assertions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SEPARATOR = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Structure:
    headings: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    code_blocks: dict[str, list[str]] = field(default_factory=dict)

    def table_after(self, heading: str) -> Table:
        """Return the first table under a heading, before the next heading."""
        return self._tables_by_heading[heading][0]

    _tables_by_heading: dict[str, list[Table]] = field(default_factory=dict)


def split_cells(line: str) -> list[str]:
    """Split a table row on unescaped pipes; an escaped pipe stays in its cell."""
    inner = line.strip()[1:-1]
    return [cell.strip() for cell in _UNESCAPED_PIPE.split(inner)]


def parse_markdown(text: str) -> Structure:
    """Collect headings, tables (checked for a constant cell count) and code."""
    structure = Structure()
    lines = text.splitlines()
    heading = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("```"):
            language = line[3:].strip()
            end = lines.index("```", index + 1)
            structure.code_blocks.setdefault(language, []).append(
                "\n".join(lines[index + 1 : end])
            )
            index = end + 1
            continue
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            structure.headings.append(line)
        elif line.startswith("|"):
            header = split_cells(line)
            if not _SEPARATOR.match(lines[index + 1]):
                raise AssertionError(f"table header without separator: {line!r}")
            table = Table(header)
            index += 2
            while index < len(lines) and lines[index].startswith("|"):
                row = split_cells(lines[index])
                if len(row) != len(header):
                    raise AssertionError(
                        f"row has {len(row)} cells, header {len(header)}: "
                        f"{lines[index]!r}"
                    )
                table.rows.append(row)
                index += 1
            structure.tables.append(table)
            structure._tables_by_heading.setdefault(heading, []).append(table)
            continue
        index += 1
    return structure
