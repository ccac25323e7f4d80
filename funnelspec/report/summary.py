"""Counts of findings by severity, shared by the renderers."""

from __future__ import annotations

from funnelspec.findings import Severity
from funnelspec.lint import LintResult


def severity_counts(result: LintResult) -> dict[str, int]:
    """Count findings per severity label, most severe first."""
    counts = {severity.label: 0 for severity in sorted(Severity, reverse=True)}
    for finding in result.findings:
        counts[finding.severity.label] += 1
    return counts


def summary(result: LintResult) -> dict[str, object]:
    """Return the summary object of the JSON output."""
    files_with_findings = len({finding.file for finding in result.findings})
    return {
        "files": len(result.files),
        "files_with_findings": files_with_findings,
        "findings": len(result.findings),
        "by_severity": severity_counts(result),
        "errors": list(result.errors),
    }
