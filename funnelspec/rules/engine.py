"""Run a ruleset over a loaded document and produce findings."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from funnelspec.findings import Finding, Severity, format_path
from funnelspec.rules.registry import Context, Problem, get_check
from funnelspec.spec.loader import Document
from funnelspec.spec.parse import parse_document

BUILTIN_RULESETS = ("recommended",)


@dataclass(frozen=True)
class Rule:
    """A rule: a check with its options, severity, conditions and texts."""

    code: str
    name: str
    severity: Severity
    summary: str
    check: str | None
    message: str
    fix: str
    rationale: str
    options: Mapping[str, Any] = field(default_factory=dict)
    when: Mapping[str, Any] = field(default_factory=dict)
    examples: Mapping[str, str] = field(default_factory=dict)

    def applies_to(self, spec_fields: Mapping[str, Any]) -> bool:
        """Tell whether the rule's ``when`` conditions hold for a spec."""
        for key, expected in self.when.items():
            allowed = expected if isinstance(expected, list) else [expected]
            if spec_fields.get(key) not in allowed:
                return False
        return True


@dataclass(frozen=True)
class Ruleset:
    """An ordered collection of rules, by code."""

    name: str
    rules: Mapping[str, Rule]

    def __getitem__(self, code: str) -> Rule:
        return self.rules[code]


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill a message template; a missing value shows as its name in braces."""
    return string.Formatter().vformat(template, (), _Defaulting(values)).strip()


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def rule_from_data(code: str, data: Mapping[str, Any]) -> Rule:
    """Build a Rule from one entry of a ruleset file."""
    return Rule(
        code=code,
        name=data["name"],
        severity=Severity.parse(data.get("severity", "warning")),
        summary=data.get("summary", ""),
        check=data.get("check"),
        message=" ".join(str(data.get("message", "{detail}")).split()),
        fix=" ".join(str(data.get("fix", "")).split()),
        rationale=" ".join(str(data.get("rationale", "")).split()),
        options=dict(data.get("options") or {}),
        when=dict(data.get("when") or {}),
        examples=dict(data.get("examples") or {}),
    )


@cache
def builtin_ruleset(name: str = "recommended") -> Ruleset:
    """Load a ruleset shipped inside the package."""
    if name not in BUILTIN_RULESETS:
        raise KeyError(name)
    text = (
        resources.files("funnelspec.rules") / "rulesets" / f"{name}.yaml"
    ).read_text(encoding="utf-8")
    data = YAML(typ="safe", pure=False).load(text)
    rules = {code: rule_from_data(code, entry) for code, entry in data["rules"].items()}
    return Ruleset(name=data["ruleset"], rules=rules)


def lint_document(document: Document, ruleset: Ruleset | None = None) -> list[Finding]:
    """Lint one loaded document: load problems first, then every applicable rule."""
    ruleset = ruleset or builtin_ruleset()
    spec = parse_document(document)
    findings = [
        _finding(
            ruleset[problem.code],
            document.file,
            problem.position.line,
            problem.position.column,
            format_path(problem.path),
            {"detail": problem.message},
        )
        for problem in document.problems
        if problem.code in ruleset.rules
    ]
    if spec is None:
        return sorted(findings, key=Finding.sort_key)
    context = Context(spec=spec, source=document.source, file=document.file)
    spec_fields = {"motion": spec.motion, "kind": spec.kind}
    for rule in ruleset.rules.values():
        if rule.check is None or not rule.applies_to(spec_fields):
            continue
        check = get_check(rule.check)
        for problem in check(context, rule.options):
            findings.append(_problem_finding(rule, problem, context))
    return sorted(findings, key=Finding.sort_key)


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
