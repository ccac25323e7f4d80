"""Every recommended rule against its failing and passing fixture files.

Each rule code has a directory under tests/fixtures/rules/ with ``fail*.yaml``
files, whose findings of that code are listed exactly in FAILING below, and
``pass*.yaml`` files, which must produce no finding of that code.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from funnelspec.findings import Finding
from funnelspec.lint import read_document
from funnelspec.rules.engine import builtin_ruleset, lint_document

RULE_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"

#: Failing fixture, relative to RULE_FIXTURES, and the (code, line, column) of
#: every finding of the fixture's rule, in output order.
FAILING: dict[str, list[tuple[str, int, int]]] = {
    "FS001/fail.yaml": [("FS001", 19, 7)],
    "FS001/fail-two-documents.yaml": [("FS001", 40, 1)],
    "FS002/fail.yaml": [("FS002", 14, 12), ("FS002", 26, 5), ("FS002", 32, 17)],
    "FS003/fail.yaml": [("FS003", 23, 24)],
    "FS004/fail.yaml": [("FS004", 23, 24)],
    "FS101/fail.yaml": [("FS101", 36, 9)],
    "FS102/fail.yaml": [("FS102", 22, 29)],
    "FS103/fail.yaml": [("FS103", 24, 9)],
    "FS104/fail.yaml": [("FS104", 40, 9)],
    "FS105/fail.yaml": [("FS105", 32, 30)],
    "FS105/fail-self-loop.yaml": [("FS105", 27, 27)],
    "FS106/fail.yaml": [("FS106", 22, 5)],
    "FS107/fail.yaml": [("FS107", 22, 17)],
    "FS201/fail.yaml": [("FS201", 12, 1)],
    "FS201/fail-too-many.yaml": [("FS201", 12, 1)],
    "FS201/fail-marketing.yaml": [("FS201", 13, 1)],
    "FS202/fail.yaml": [("FS202", 12, 1)],
    "FS202/fail-tie.yaml": [("FS202", 12, 1)],
    "FS203/fail.yaml": [("FS203", 10, 1)],
    "FS204/fail.yaml": [("FS204", 19, 9)],
    "FS204/fail-duration.yaml": [("FS204", 17, 15), ("FS204", 23, 15)],
    "FS205/fail.yaml": [("FS205", 24, 5), ("FS205", 28, 5)],
    "FS206/fail.yaml": [("FS206", 24, 5)],
    "FS207/fail.yaml": [("FS207", 22, 17)],
    "FS207/fail-next.yaml": [("FS207", 22, 29)],
    "FS301/fail.yaml": [("FS301", 2, 1)],
    "FS302/fail.yaml": [("FS302", 5, 20)],
    "FS302/fail-branching.yaml": [("FS302", 6, 20)],
    "FS303/fail.yaml": [("FS303", 6, 16)],
    "FS303/fail-missing.yaml": [("FS303", 2, 1)],
    "FS401/fail.yaml": [("FS401", 24, 5)],
    "FS402/fail.yaml": [("FS402", 23, 17), ("FS402", 33, 17)],
    "FS501/fail.yaml": [("FS501", 2, 1)],
    "FS501/fail-empty.yaml": [("FS501", 7, 1)],
    "FS502/fail.yaml": [("FS502", 9, 15), ("FS502", 12, 11)],
    "FS503/fail.yaml": [("FS503", 8, 5)],
    "FS601/fail.yaml": [("FS601", 12, 1)],
    "FS602/fail.yaml": [("FS602", 12, 1)],
}

#: Failing fixture, and a part of its first finding's message that shows the
#: rule looked at the right thing.
MESSAGES: dict[str, str] = {
    "FS002/fail.yaml": "(did you mean 'sales'?)",
    "FS101/fail.yaml": "already used by stages[1] (line 20)",
    "FS102/fail.yaml": "(did you mean 'proposal'?)",
    "FS105/fail.yaml": "(evaluating -> proposal -> evaluating)",
    "FS105/fail-self-loop.yaml": "(evaluating -> evaluating)",
    "FS106/fail.yaml": "sum to 1.2",
    "FS201/fail-marketing.yaml": "marketing funnel has 4 key stages; keep 5 to 9",
    "FS202/fail-tie.yaml": "2 sales-owned and 2 marketing-owned",
    "FS204/fail.yaml": "an internal step, not a buyer outcome ('lead validity')",
    "FS204/fail-duration.yaml": "a quick step (median 12 hours, under 1 day)",
    "FS207/fail-next.yaml": "from sales ('qualified') to marketing ('webinar')",
    "FS302/fail-branching.yaml": (
        "(engaged -> qualified -> evaluating -> proposal -> negotiation -> won) "
        "takes 6.9 months"
    ),
    "FS303/fail.yaml": "follow-up SLA of 48 hours",
    "FS402/fail.yaml": "conversion 1.0, so every opportunity moves on",
}


def lint_fixture(name: str) -> list[Finding]:
    document = read_document(str(RULE_FIXTURES / name))
    return lint_document(document, builtin_ruleset())


def fixture_code(name: str) -> str:
    return name.split("/")[0]


def recommended_codes() -> list[str]:
    ruleset = resources.files("funnelspec.rules") / "rulesets" / "recommended.yaml"
    data = YAML(typ="safe").load(ruleset.read_text(encoding="utf-8"))
    return sorted(data["rules"])


def fixture_names(pattern: str) -> list[str]:
    return sorted(
        path.relative_to(RULE_FIXTURES).as_posix()
        for path in RULE_FIXTURES.glob(f"*/{pattern}")
    )


@pytest.mark.parametrize(("name", "expected"), FAILING.items(), ids=list(FAILING))
def test_failing_fixture(name: str, expected: list[tuple[str, int, int]]) -> None:
    code = fixture_code(name)
    found = [
        (finding.code, finding.line, finding.column)
        for finding in lint_fixture(name)
        if finding.code == code
    ]
    assert found == expected


@pytest.mark.parametrize("name", fixture_names("pass*.yaml"))
def test_passing_fixture(name: str) -> None:
    code = fixture_code(name)
    found = [finding for finding in lint_fixture(name) if finding.code == code]
    assert found == []


@pytest.mark.parametrize(("name", "part"), MESSAGES.items(), ids=list(MESSAGES))
def test_failing_message(name: str, part: str) -> None:
    code = fixture_code(name)
    messages = [f.message for f in lint_fixture(name) if f.code == code]
    assert part in messages[0]


@pytest.mark.parametrize("code", recommended_codes())
def test_rule_has_fixtures(code: str) -> None:
    assert (RULE_FIXTURES / code / "fail.yaml").is_file()
    assert (RULE_FIXTURES / code / "pass.yaml").is_file()


def test_failing_fixtures_listed() -> None:
    assert fixture_names("fail*.yaml") == sorted(FAILING)


def test_fixture_directories_are_rules() -> None:
    codes = {path.name for path in RULE_FIXTURES.iterdir() if path.is_dir()}
    assert codes <= set(recommended_codes())


@pytest.mark.parametrize("name", fixture_names("pass.yaml"))
def test_pass_fixture_clean(name: str) -> None:
    # The main passing fixture of every rule is a spec with no finding at all,
    # so that it shows a complete, correct spec next to the failing one.
    assert lint_fixture(name) == []
