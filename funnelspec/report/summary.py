"""Counts of findings by severity, rule and file, shared by the renderers."""

from __future__ import annotations

from collections import Counter

from funnelspec.findings import Severity
from funnelspec.lint import LintResult


def severity_counts(result: LintResult) -> dict[str, int]:
    """Count findings per severity label, most severe first."""
    counts = {severity.label: 0 for severity in sorted(Severity, reverse=True)}
    for finding in result.findings:
        counts[finding.severity.label] += 1
    return counts


def rule_counts(result: LintResult) -> dict[str, int]:
    """Count findings per rule code, most frequent first, then by code."""
    counts = Counter(finding.code for finding in result.findings)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def file_counts(result: LintResult) -> dict[str, dict[str, int]]:
    """Count findings per file and severity, for files with findings, by name."""
    counts: dict[str, dict[str, int]] = {}
    for finding in sorted(result.findings, key=lambda finding: finding.file):
        by_severity = counts.setdefault(
            finding.file,
            {severity.label: 0 for severity in sorted(Severity, reverse=True)},
        )
        by_severity[finding.severity.label] += 1
    return counts


def summary(result: LintResult) -> dict[str, object]:
    """Return the summary object of the JSON output."""
    files_with_findings = len({finding.file for finding in result.findings})
    return {
        "files": len(result.files),
        "files_with_findings": files_with_findings,
        "findings": len(result.findings),
        "by_severity": severity_counts(result),
        "by_rule": rule_counts(result),
        "by_file": file_counts(result),
        "errors": list(result.errors),
    }
