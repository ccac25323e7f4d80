"""JSON output: one object with ``findings`` and ``summary``."""

from __future__ import annotations

import json

from funnelspec.findings import Finding
from funnelspec.lint import LintResult
from funnelspec.report.summary import summary


def render_json(result: LintResult) -> str:
    findings = sorted(result.findings, key=Finding.sort_key)
    payload = {
        "findings": [finding.as_dict() for finding in findings],
        "summary": summary(result),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)
