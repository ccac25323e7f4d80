"""Run a ruleset over a loaded document and produce findings."""

from __future__ import annotations

import logging
import re
import string
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from funnelspec.errors import UsageError
from funnelspec.findings import Finding, format_path
from funnelspec.rules.registry import Context, Problem, get_check
from funnelspec.rules.ruleset import Rule, Ruleset
from funnelspec.rules.suppress import apply_suppressions, find_suppressions
from funnelspec.spec.loader import Document
from funnelspec.spec.parse import parse_document

logger = logging.getLogger("funnelspec")

__all__ = ["Rule", "Ruleset", "builtin_ruleset", "lint_document", "render"]


def builtin_ruleset(name: str = "recommended") -> Ruleset:
    """Return a ruleset shipped inside the package, fully resolved."""
    from funnelspec.rules.config import builtin_config

    return builtin_config(name).ruleset


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill a message template's ``{name}`` fields with values.

    A name without a value shows as written, in braces. Format specs and
    conversions (``{x:>9}``, ``{x!r}``) are ignored, because templates come
    from configuration files and a width could ask for gigabytes.
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return template.strip()  # unbalanced braces: shown as written
    text = []
    for literal, field, _spec, _conversion in parts:
        text.append(literal)
        if field is None:
            continue
        text.append(str(values[field]) if field in values else "{" + field + "}")
    return "".join(text).strip()


def lint_document(
    document: Document, ruleset: Ruleset | None = None, suppress: bool = True
) -> list[Finding]:
    """Lint one loaded document: load problems first, then every active rule.

    With ``suppress``, ``# funnelspec: ignore[...]`` comments drop the
    findings they name and report their own problems (FS003, FS004).
    """
    ruleset = ruleset or builtin_ruleset()
    spec = parse_document(document)
    findings = [
        _finding(
            _load_rule(ruleset, problem.code),
            document.file,
            problem.position.line,
            problem.position.column,
            format_path(problem.path),
            {"detail": problem.message},
        )
        for problem in document.problems
    ]
    if spec is not None:
        context = Context(spec=spec, source=document.source, file=document.file)
        spec_fields = {"motion": spec.motion, "kind": spec.kind}
        for rule in ruleset.active():
            if rule.check is None or not rule.applies_to(spec_fields):
                continue
            findings.extend(_run_rule(rule, context))
    if suppress:
        suppressions = find_suppressions(document.text)
        findings = apply_suppressions(
            findings, suppressions, document.source, document.file
        )
        findings = _restamp(findings, ruleset)
    return sorted(findings, key=Finding.sort_key)


def _load_rule(ruleset: Ruleset, code: str) -> Rule:
    # FS001 and FS002 always report, even under a ruleset that does not
    # extend the built-in one.
    return ruleset.rules.get(code) or builtin_ruleset()[code]


def _run_rule(rule: Rule, context: Context) -> list[Finding]:
    assert rule.check is not None
    check = get_check(rule.check)
    options = {**rule.options, "given": rule.given} if rule.given else rule.options
    started = time.perf_counter()
    try:
        found = [
            _problem_finding(rule, problem, context)
            for problem in check(context, options)
        ]
    except (ValueError, KeyError, TypeError, AttributeError, re.error) as exc:
        # Options come from configuration files, so a bad value (a duration
        # without a unit, a missing option of a custom rule) is a usage error.
        where = f", set in {rule.origin}" if rule.origin else ""
        detail = f"missing option {exc}" if isinstance(exc, KeyError) else str(exc)
        raise UsageError(
            f"rule {rule.code} ({rule.name}){where} cannot run: {detail}; "
            "fix the rule's options"
        ) from None
    except (Exception, SystemExit) as exc:
        if check.__module__.startswith("funnelspec."):
            raise  # a bug in a built-in check: keep the traceback
        raise UsageError(
            f"check {rule.check!r} of rule {rule.code} ({rule.name}), from "
            f"{check.__module__}, failed: {exc!r}"
        ) from None
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = (time.perf_counter() - started) * 1e6
        logger.debug(
            "%s %s: %.0f µs, %d findings", rule.code, rule.name, elapsed, len(found)
        )
    return found


def _restamp(findings: list[Finding], ruleset: Ruleset) -> list[Finding]:
    # Findings about suppression comments take name, severity and whether they
    # are reported at all from the ruleset, like every other finding.
    result = []
    for finding in findings:
        rule = ruleset.rules.get(finding.code)
        if rule is None or finding.code not in ("FS003", "FS004"):
            result.append(finding)
        elif ruleset.is_active(finding.code):
            result.append(
                replace(finding, name=rule.name, severity=rule.severity, fix=rule.fix)
            )
    return result


def _problem_finding(rule: Rule, problem: Problem, context: Context) -> Finding:
    source = context.source
    if problem.at_key:
        position = source.locate_key(problem.path)
    else:
        position = source.locate(problem.path)
    values = {**rule.options, **problem.values}
    return _finding(
        rule,
        context.file,
        position.line,
        position.column,
        format_path(problem.path),
        values,
    )


def _finding(
    rule: Rule,
    file: str,
    line: int,
    column: int,
    path: str,
    values: Mapping[str, Any],
) -> Finding:
    return Finding(
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=render(rule.message, values),
        file=file,
        line=line,
        column=column,
        path=path,
        fix=render(rule.fix, values),
    )
