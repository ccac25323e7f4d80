"""Text output: ``path:line:col: CODE severity message [rule-name]`` lines."""

from __future__ import annotations

import re

import click

from funnelspec.findings import Finding, Severity
from funnelspec.lint import LintResult
from funnelspec.report.summary import file_counts, rule_counts, severity_counts

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


#: Control characters (C0, DEL, C1) and line and paragraph separators, which
#: a spec's text could use to forge output lines or drive the terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """Escape control characters, so one finding is always one output line."""
    return _CONTROL.sub(lambda match: ascii(match.group(0))[1:-1], text)


def format_finding(finding: Finding, color: bool = False) -> str:
    severity = finding.severity.label
    if color:
        severity = click.style(severity, fg=_COLORS[finding.severity])
    return (
        f"{printable(finding.file)}:{finding.line}:{finding.column}: {finding.code} "
        f"{severity} {printable(finding.message)} [{printable(finding.name)}]"
    )


def summary_line(result: LintResult) -> str:
    files = len(result.files)
    file_word = "file" if files == 1 else "files"
    if not result.findings:
        return f"{files} {file_word} checked, no findings."
    parts = _severity_parts(severity_counts(result))
    flagged = len({finding.file for finding in result.findings})
    total = len(result.findings)
    noun = "finding" if total == 1 else "findings"
    return f"{total} {noun} ({parts}) in {flagged} of {files} {file_word}."


def file_count_lines(result: LintResult) -> list[str]:
    """Return one ``count  file  (counts per severity)`` line per file."""
    lines = []
    for file, counts in file_counts(result).items():
        total = sum(counts.values())
        parts = _severity_parts(counts)
        lines.append(f"{total:>6}  {file}  ({parts})")
    return lines


def rule_count_lines(result: LintResult) -> list[str]:
    """Return one ``count  code  name`` line per rule, most frequent first."""
    names = {finding.code: finding.name for finding in result.findings}
    return [
        f"{count:>6}  {code}  {names[code]}"
        for code, count in rule_counts(result).items()
    ]


def render_text(
    result: LintResult,
    color: bool = False,
    statistics: bool = False,
    quiet: bool = False,
) -> str:
    """Render findings, count sections and the summary line.

    Counts per file follow the findings when more than one file has findings.
    ``statistics`` adds counts per rule. ``quiet`` leaves out the findings and
    the counts per file, and returns an empty string when nothing was found.
    """
    lines: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    if not quiet:
        lines = [
            format_finding(finding, color)
            for finding in sorted(result.findings, key=Finding.sort_key)
        ]
        if len(file_counts(result)) > 1:
            sections.append(("Findings per file:", file_count_lines(result)))
    if statistics and result.findings:
        sections.append(("Findings per rule:", rule_count_lines(result)))
    for title, section in sections:
        lines += ["", title, *section] if lines else [title, *section]
    if quiet and not result.findings:
        return "\n".join(lines)
    if result.files or not result.errors:
        lines += ["", summary_line(result)] if sections else [summary_line(result)]
    return "\n".join(lines)


def _severity_parts(counts: dict[str, int]) -> str:
    return ", ".join(
        f"{count} {_plural(label, count)}" for label, count in counts.items() if count
    )


def _plural(label: str, count: int) -> str:
    return label if count == 1 or label == "info" else label + "s"
