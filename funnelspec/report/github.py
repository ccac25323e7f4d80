"""GitHub Actions workflow commands: one annotation per finding.

A line such as ``::warning file=specs/a.yaml,line=9,col=1,title=FS301
missing-conversion-period::funnel states no conversion period`` in a job's
output becomes an annotation on that line of the file, in the job summary
and in the pull request's diff. Errors map to ``error``, warnings to
``warning`` and info findings to ``notice``.
"""

from __future__ import annotations

import os

from funnelspec.findings import Finding, Severity
from funnelspec.lint import LintResult
from funnelspec.report.sarif import workspace_path

COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}


def render_github(result: LintResult, base_dir: str | None = None) -> str:
    """Render lint results as workflow commands, one line per finding.

    File paths are relative to ``base_dir`` (default: the working directory),
    which GitHub expects to be the repository's checkout. Files that could not
    be read become ``error`` annotations without a file.
    """
    base = os.path.abspath(base_dir or os.getcwd())
    lines = [
        _annotation(finding, base)
        for finding in sorted(result.findings, key=Finding.sort_key)
    ]
    lines += [
        f"::error title={escape_property('funnelspec')}::{escape_data(error)}"
        for error in result.errors
    ]
    return "\n".join(lines)


def _annotation(finding: Finding, base_dir: str) -> str:
    properties = {
        "file": workspace_path(finding.file, base_dir).replace(os.sep, "/"),
        "line": str(finding.line),
        "col": str(finding.column),
        "title": f"{finding.code} {finding.name}",
    }
    fields = ",".join(
        f"{key}={escape_property(value)}" for key, value in properties.items()
    )
    message = finding.message
    if finding.fix:
        message += f"\nFix: {finding.fix}"
    return f"::{COMMANDS[finding.severity]} {fields}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """Escape a workflow command's message: ``%``, CR and LF.

    These are the rules of ``escapeData`` in GitHub's actions/toolkit
    (packages/core/src/command.ts).
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value: as data, plus ``:`` and ``,``.

    These are the rules of ``escapeProperty`` in the same file. An unescaped
    comma or colon would end the value early.
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
