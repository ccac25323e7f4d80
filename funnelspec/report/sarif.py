"""SARIF 2.1.0 output, the format GitHub code scanning and SARIF viewers read.

The log has one run. Its ``tool.driver.rules`` describe every rule of the
built-in recommended ruleset, plus any other rule that produced a finding.
Each finding becomes one result. The result points at the finding's file,
line and column, and names its path (``stages[2].owner``) as a logical
location.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from funnelspec import __version__
from funnelspec.findings import Finding, Severity
from funnelspec.lint import LintResult
from funnelspec.rules.engine import builtin_ruleset, render
from funnelspec.rules.ruleset import Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
    "sarif-schema-2.1.0.json"
)
#: Base of every relative artifact URI: the working directory of the run.
SOURCE_ROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(
    result: LintResult,
    rules: Mapping[str, Rule] | None = None,
    base_dir: str | None = None,
) -> str:
    """Render lint results as a SARIF 2.1.0 log (indented JSON text)."""
    log = sarif_log(result, rules, base_dir)
    return json.dumps(log, indent=2, ensure_ascii=False)


def sarif_log(
    result: LintResult,
    rules: Mapping[str, Rule] | None = None,
    base_dir: str | None = None,
) -> dict[str, Any]:
    """Build the SARIF log object.

    ``rules`` defaults to the recommended ruleset. File URIs are relative to
    ``base_dir`` (default: the working directory) for files inside it, and
    absolute ``file://`` URIs otherwise.
    """
    rules = builtin_ruleset().rules if rules is None else rules
    findings = sorted(result.findings, key=Finding.sort_key)
    descriptors, index = _rule_descriptors(rules, findings)
    base = os.path.abspath(base_dir or os.getcwd())
    run = {
        "tool": {
            "driver": {
                "name": "funnelspec",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": descriptors,
            }
        },
        "invocations": [_invocation(result)],
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(finding, index[finding.code], base) for finding in findings
        ],
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def artifact_location(file: str, base_dir: str) -> dict[str, str]:
    """Return the SARIF artifactLocation of a finding's file."""
    relative = workspace_path(file, base_dir)
    if os.path.isabs(relative):
        return {"uri": Path(relative).as_uri()}
    return {"uri": quote(relative.replace(os.sep, "/")), "uriBaseId": SOURCE_ROOT}


def workspace_path(file: str, base_dir: str) -> str:
    """Return ``file`` relative to ``base_dir`` when it is inside it.

    Other files keep an absolute path. CI services resolve annotations
    against the checkout, which is the working directory of a typical run.
    """
    absolute = os.path.abspath(file)
    try:
        relative = os.path.relpath(absolute, base_dir)
    except ValueError:  # another drive on Windows
        return absolute
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return absolute
    return relative


def _rule_descriptors(
    rules: Mapping[str, Rule], findings: list[Finding]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    descriptors = [_descriptor(rule) for rule in rules.values()]
    # A rule from a user's configuration or plugin is not in ``rules``, so its
    # descriptor has only what the finding carries.
    extra = sorted({(f.code, f.name) for f in findings if f.code not in rules})
    descriptors += [{"id": code, "name": name} for code, name in extra]
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    return descriptors, index


def _descriptor(rule: Rule) -> dict[str, Any]:
    fix = render(rule.fix, rule.options)
    summary = _sentence(rule.summary or rule.name)
    help_text = "\n\n".join(
        part for part in (rule.rationale, f"Fix: {fix}" if fix else "") if part
    )
    configuration: dict[str, Any] = {"level": LEVELS[rule.severity]}
    if not rule.enabled:
        configuration["enabled"] = False
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": rule.rationale or summary},
        "defaultConfiguration": configuration,
    }
    if help_text:
        descriptor["help"] = {"text": help_text}
    return descriptor


def _result(finding: Finding, rule_index: int, base_dir: str) -> dict[str, Any]:
    text = finding.message
    if finding.fix:
        text += f"\nFix: {finding.fix}"
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact_location(finding.file, base_dir),
            "region": {
                "startLine": max(finding.line, 1),
                "startColumn": max(finding.column, 1),
            },
        }
    }
    if finding.path:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.path}]
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [location],
    }


def _invocation(result: LintResult) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": not result.errors}
    if result.errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": error}} for error in result.errors
        ]
    return invocation


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."
