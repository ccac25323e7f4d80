"""Text output: ``path:line:col: CODE severity message [rule-name]`` lines."""

from __future__ import annotations

import click

from funnelspec.findings import Finding, Severity
from funnelspec.lint import LintResult
from funnelspec.report.summary import severity_counts

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def format_finding(finding: Finding, color: bool = False) -> str:
    severity = finding.severity.label
    if color:
        severity = click.style(severity, fg=_COLORS[finding.severity])
    return (
        f"{finding.file}:{finding.line}:{finding.column}: {finding.code} "
        f"{severity} {finding.message} [{finding.name}]"
    )


def summary_line(result: LintResult) -> str:
    files = len(result.files)
    file_word = "file" if files == 1 else "files"
    if not result.findings:
        return f"{files} {file_word} checked, no findings."
    counts = severity_counts(result)
    parts = ", ".join(
        f"{count} {_plural(label, count)}" for label, count in counts.items() if count
    )
    flagged = len({finding.file for finding in result.findings})
    total = len(result.findings)
    noun = "finding" if total == 1 else "findings"
    return f"{total} {noun} ({parts}) in {flagged} of {files} {file_word}."


def render_text(result: LintResult, color: bool = False) -> str:
    lines = [
        format_finding(finding, color)
        for finding in sorted(result.findings, key=Finding.sort_key)
    ]
    if result.files or not result.errors:
        lines.append(summary_line(result))
    return "\n".join(lines)


def _plural(label: str, count: int) -> str:
    return label if count == 1 or label == "info" else label + "s"
