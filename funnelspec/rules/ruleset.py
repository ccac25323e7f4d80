"""Rules and rulesets as data: definitions, overrides and ``extends``.

A ruleset file and a configuration file share one format. ``extends`` names
the rulesets a file builds on, and ``rules`` defines new rules or adjusts
inherited ones. ``select`` and ``ignore`` pick rules by code prefix, and
``overrides`` adjust rules for files matching a glob. See
docs/configuration.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from funnelspec.findings import Severity
from funnelspec.spec.units import did_you_mean

#: Codes of rules that always run: other rules need a readable, valid spec.
ALWAYS_ON = ("FS001", "FS002")
#: Keys of a rule entry that defines a rule rather than adjusting one.
DEFINITION_KEYS = frozenset(
    {
        "name",
        "check",
        "summary",
        "message",
        "fix",
        "rationale",
        "when",
        "given",
        "examples",
    }
)
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*[0-9]+$")
OFF = "off"


@dataclass(frozen=True)
class Rule:
    """A rule: a check with its options, severity, conditions and texts."""

    code: str
    name: str
    severity: Severity
    summary: str
    check: str | None
    message: str
    fix: str = ""
    rationale: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    #: Conditions on the spec's top-level fields, e.g. {"motion": "b2b"}.
    when: Mapping[str, Any] = field(default_factory=dict)
    #: Selector of the stages or segments a generic check looks at.
    given: Mapping[str, Any] = field(default_factory=dict)
    examples: Mapping[str, str] = field(default_factory=dict)
    enabled: bool = True
    #: Ruleset or configuration file that defined the rule last.
    origin: str = ""

    def applies_to(self, spec_fields: Mapping[str, Any]) -> bool:
        """Tell whether the rule's ``when`` conditions hold for a spec."""
        for key, expected in self.when.items():
            allowed = expected if isinstance(expected, list) else [expected]
            if spec_fields.get(key) not in allowed:
                return False
        return True


@dataclass(frozen=True)
class Ruleset:
    """Rules by code, in definition order, with the select and ignore lists."""

    name: str
    rules: Mapping[str, Rule]
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def __getitem__(self, code: str) -> Rule:
        return self.rules[code]

    def is_active(self, code: str) -> bool:
        """Tell whether a rule runs: enabled, selected and not ignored."""
        if code in ALWAYS_ON:
            return True
        rule = self.rules.get(code)
        if rule is None or not rule.enabled:
            return False
        if self.select and not _matches(code, self.select):
            return False
        return not _matches(code, self.ignore)

    def active(self) -> list[Rule]:
        return [rule for code, rule in self.rules.items() if self.is_active(code)]


def _matches(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


def flatten(text: object) -> str:
    """Join a folded or multi-line text into single-spaced prose."""
    return " ".join(str(text).split())


def rule_from_data(code: str, data: Mapping[str, Any], origin: str = "") -> Rule:
    """Build a Rule from a full definition in a ruleset or configuration file."""
    return Rule(
        code=code,
        name=str(data["name"]),
        severity=Severity.parse(str(data.get("severity", "warning"))),
        summary=flatten(data.get("summary", "")),
        check=data.get("check"),
        message=flatten(data.get("message", "{detail}")),
        fix=flatten(data.get("fix", "")),
        rationale=flatten(data.get("rationale", "")),
        options=dict(data.get("options") or {}),
        when=dict(data.get("when") or {}),
        given=dict(data.get("given") or {}),
        examples={
            key: str(value) for key, value in (data.get("examples") or {}).items()
        },
        origin=origin,
    )


def adjust_rule(rule: Rule, setting: Any, origin: str = "") -> Rule:
    """Apply a configuration setting (off, a severity, or options) to a rule.

    Raises ValueError with a message for the user when the setting is invalid.
    """
    if isinstance(setting, str):
        if setting == OFF:
            return replace(rule, enabled=False, origin=origin)
        return replace(
            rule, severity=Severity.parse(setting), enabled=True, origin=origin
        )
    if not isinstance(setting, Mapping):
        raise ValueError(
            f"setting of {rule.code} must be off, a severity or a mapping of options"
        )
    settings = dict(setting)
    severity = settings.pop("severity", None)
    options = settings.pop("options", None)
    if options is None:
        options = settings
    elif settings:
        raise ValueError(
            f"{rule.code}: put options either under 'options' or directly, not both"
        )
    unknown = sorted(set(options) - set(rule.options))
    if unknown:
        known = ", ".join(rule.options) or "none"
        hint = did_you_mean(str(unknown[0]), list(rule.options))
        raise ValueError(
            f"{rule.code} ({rule.name}) has no option {unknown[0]!r}{hint}; "
            f"its options are: {known}"
        )
    for key, value in options.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{rule.code} option {key!r} must be a finite number")
    updated = replace(
        rule,
        options={**rule.options, **options},
        enabled=True,
        origin=origin,
    )
    if severity is not None:
        if severity == OFF:
            return replace(updated, enabled=False)
        updated = replace(updated, severity=Severity.parse(str(severity)))
    return updated


def merge_rules(
    base: Mapping[str, Rule], entries: Mapping[str, Any], origin: str
) -> dict[str, Rule]:
    """Apply a file's ``rules`` mapping over inherited rules.

    An entry with any definition key (such as ``check`` or ``name``) defines
    or replaces a rule; other entries adjust an inherited rule. Raises
    ValueError naming the code when an entry is invalid.
    """
    rules = dict(base)
    for code, setting in entries.items():
        code = str(code)
        if code in ALWAYS_ON and code in rules:
            raise ValueError(
                f"{code} cannot be changed: it reports specs that cannot be read, "
                "so every other rule depends on it"
            )
        if isinstance(setting, Mapping) and DEFINITION_KEYS & set(setting):
            inherited = rules.get(code)
            if inherited is not None and "check" not in setting:
                raise ValueError(
                    f"{code} is already defined by {inherited.origin or 'a ruleset'}; "
                    "adjust it with off, a severity or options, or give a check "
                    "to replace it"
                )
            if "name" not in setting:
                raise ValueError(f"new rule {code} needs a name")
            rules[code] = rule_from_data(code, setting, origin)
        elif code in rules:
            rules[code] = adjust_rule(rules[code], setting, origin)
        else:
            raise ValueError(
                f"unknown rule {code}; to define a new rule give it a name, a "
                "check and a message"
            )
    return rules
