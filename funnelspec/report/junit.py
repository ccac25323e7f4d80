"""JUnit XML output, for CI services that show test reports.

Each linted spec is one ``testcase``. Every finding at or above the failing
severity (``--fail-on``) is a ``failure`` element of its spec's test case, so
a spec with three such findings has three failures. Findings below it are
listed in the test case's ``system-out`` and do not fail it. A file that
could not be read is a test case with an ``error`` element.

NOTE: The Apache Ant JUnit schema allows one failure per test case, so
viewers built on it may show only the first failure of a spec.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from funnelspec.findings import Finding, Severity
from funnelspec.lint import LintResult

SUITE_NAME = "funnelspec lint"
CLASS_NAME = "funnelspec"

# Characters that XML 1.0 does not allow, even escaped: most C0 controls,
# surrogates, U+FFFE and U+FFFF.
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_junit(result: LintResult, fail_on: Severity = Severity.WARNING) -> str:
    """Render lint results as a JUnit XML document (text, with declaration)."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(result.findings, key=Finding.sort_key):
        by_file[finding.file].append(finding)
    suite = ET.Element("testsuite", name=SUITE_NAME)
    failed = 0
    for file in result.files:
        case = _test_case(file, by_file.get(file, []), fail_on)
        if case.find("failure") is not None:
            failed += 1
        suite.append(case)
    for error in result.errors:
        case = ET.SubElement(suite, "testcase", name=_xml_text(error))
        case.set("classname", CLASS_NAME)
        ET.SubElement(case, "error", message=_xml_text(error), type="read-error")
    counts = {
        "tests": str(len(result.files) + len(result.errors)),
        "failures": str(failed),
        "errors": str(len(result.errors)),
        "skipped": "0",
    }
    suite.attrib.update(counts)
    root = ET.Element("testsuites", {"name": SUITE_NAME, **counts})
    root.append(suite)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _test_case(file: str, findings: list[Finding], fail_on: Severity) -> ET.Element:
    name = _xml_text(file)
    case = ET.Element("testcase", name=name, classname=CLASS_NAME, file=name)
    below: list[str] = []
    for finding in findings:
        if finding.severity < fail_on:
            below.append(_finding_line(finding))
            continue
        failure = ET.SubElement(
            case,
            "failure",
            message=_xml_text(f"{finding.code} {finding.name}: {finding.message}"),
            type=finding.code,
        )
        failure.text = _xml_text(_failure_text(finding))
    if below:
        ET.SubElement(case, "system-out").text = _xml_text("\n".join(below))
    return case


def _failure_text(finding: Finding) -> str:
    lines = [_finding_line(finding)]
    if finding.path:
        lines.append(f"path: {finding.path}")
    if finding.fix:
        lines.append(f"fix: {finding.fix}")
    return "\n".join(lines)


def _finding_line(finding: Finding) -> str:
    return (
        f"{finding.file}:{finding.line}:{finding.column}: {finding.code} "
        f"{finding.severity.label} {finding.message} [{finding.name}]"
    )


def _xml_text(text: str) -> str:
    """Replace characters XML cannot carry with a visible ``\\xNN`` escape."""
    return _INVALID_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
