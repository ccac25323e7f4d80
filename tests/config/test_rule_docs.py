"""Rule documentation comes from the ruleset data and stays in sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.rules.docs import rules_markdown
from funnelspec.rules.engine import builtin_ruleset, lint_document
from funnelspec.spec.loader import load_text

ROOT = Path(__file__).resolve().parent.parent.parent
RULES = builtin_ruleset()


def test_rules_md_in_sync() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(RULES), (
        "docs/rules.md is out of date; run: funnelspec rules --format markdown "
        "> docs/rules.md"
    )


@pytest.mark.parametrize("code", list(RULES.rules))
def test_fail_example_fails(code: str) -> None:
    example = RULES[code].examples["fail"]
    findings = lint_document(load_text(example, "fail.yaml"), RULES)
    assert code in {finding.code for finding in findings}


@pytest.mark.parametrize("code", list(RULES.rules))
def test_pass_example_passes(code: str) -> None:
    example = RULES[code].examples["pass"]
    findings = lint_document(load_text(example, "pass.yaml"), RULES)
    assert code not in {finding.code for finding in findings}


@pytest.mark.parametrize("code", list(RULES.rules))
def test_rule_has_texts(code: str) -> None:
    rule = RULES[code]
    assert rule.summary
    assert rule.rationale
    assert rule.fix


def test_rule_command_prints_examples(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["rule", "FS204"])
    assert outcome.exit_code == 0
    assert outcome.output.startswith("FS204 trivial-stage (warning)")
    assert "Why:" in outcome.output
    assert "Fails:" in outcome.output
    assert "Passes:" in outcome.output
    assert "min_duration" in outcome.output


def test_rule_command_by_name(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["rule", "trivial-stage"])
    assert outcome.exit_code == 0
    assert outcome.output.startswith("FS204")


def test_rule_command_unknown(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["rule", "FS2O4"])
    assert outcome.exit_code == 2
    assert "unknown rule 'FS2O4'" in outcome.output
    assert "did you mean 'FS204'" in outcome.output


def test_rules_command_lists_all(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["rules"])
    lines = outcome.output.splitlines()
    assert len(lines) == len(RULES.rules)
    assert lines[0].split() == ["FS001", "yaml-syntax", "error", "on"]
