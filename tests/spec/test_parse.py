"""Validation of a loaded document against the model: messages and positions."""

from __future__ import annotations

import pytest

from funnelspec.findings import Position
from funnelspec.spec.loader import LoadProblem, load_text
from funnelspec.spec.parse import parse_document

VALID = """\
funnelspec: 1
name: Example
motion: b2b
conversion_period: 6 months
inflow: 400 per month
stages:
  - id: engaged
    owner: marketing
    conversion: "35%"
    duration: {median: 2 weeks, p90: 6 weeks}
  - id: qualified
    owner: sales
    next: {won: 0.5}
"""


def problems(text: str) -> list[LoadProblem]:
    document = load_text(text, "spec.yaml")
    spec = parse_document(document)
    assert spec is None
    return document.problems


def only_problem(text: str) -> LoadProblem:
    found = problems(text)
    assert len(found) == 1
    return found[0]


def test_valid_spec() -> None:
    document = load_text(VALID, "spec.yaml")
    spec = parse_document(document)
    assert spec is not None
    assert document.problems == []
    assert spec.kind == "sales"
    assert spec.stages[0].conversion == 0.35
    assert spec.stages[0].duration is not None
    assert spec.stages[0].duration.median.days == 14
    assert spec.stages[1].next == {"won": 0.5}
    assert spec.inflow is not None
    assert spec.inflow.period == "month"


def test_owner_did_you_mean() -> None:
    problem = only_problem(VALID.replace("owner: sales", "owner: salez"))
    assert problem.code == "FS002"
    assert problem.position == Position(12, 12)
    assert problem.path == ("stages", 1, "owner")
    assert problem.message == (
        "stages[1].owner is 'salez' (did you mean 'sales'?); "
        "use one of: marketing, sales, partner, customer_success"
    )


def test_role_did_you_mean() -> None:
    text = VALID.replace(
        "owner: sales\n", "owner: sales\n    engages: [decison_maker]\n"
    )
    problem = only_problem(text)
    assert problem.position == Position(13, 15)
    assert problem.message.startswith(
        "stages[1].engages[0] is 'decison_maker' (did you mean 'decision_maker'?)"
    )


def test_motion_did_you_mean() -> None:
    problem = only_problem(VALID.replace("motion: b2b", "motion: B2B"))
    assert (
        problem.message == "motion is 'B2B' (did you mean 'b2b'?); use one of: b2b, b2c"
    )


def test_enum_given_a_list() -> None:
    problem = only_problem(VALID.replace("motion: b2b", "motion: [b2b]"))
    assert problem.message == "motion is a list; use one of: b2b, b2c"


def test_unknown_top_level_key() -> None:
    problem = only_problem(VALID.replace("inflow:", "inflw:"))
    assert problem.position == Position(5, 1)
    assert problem.path == ("inflw",)
    assert problem.message.startswith(
        "unknown key 'inflw' (did you mean 'inflow'?); allowed keys: funnelspec, name,"
    )


def test_unknown_stage_key() -> None:
    problem = only_problem(VALID.replace("    owner: marketing", "    ownr: marketing"))
    assert problem.position == Position(8, 5)
    assert problem.message.startswith(
        "unknown key 'ownr' (did you mean 'owner'?); allowed keys: id, name,"
    )


def test_unknown_key_without_suggestion() -> None:
    problem = only_problem(VALID.replace("inflow:", "xyzzy:"))
    assert problem.message.startswith("unknown key 'xyzzy'; allowed keys:")


def test_unknown_duration_key() -> None:
    problem = only_problem(VALID.replace("p90: 6 weeks", "p99: 6 weeks"))
    assert problem.position == Position(10, 15)
    assert problem.message == (
        "stages[0].duration: unknown key 'p99' in a stage duration "
        "(did you mean 'p90'?); use median and p90, or fixed"
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("funnelspec", "add 'funnelspec: 1' as the first line"),
        ("name", "add name: with the funnel's name"),
        ("motion", "add motion: b2b or motion: b2c"),
    ],
)
def test_missing_top_level_key(key: str, message: str) -> None:
    text = "\n".join(
        line for line in VALID.splitlines() if not line.startswith(key + ":")
    )
    problem = only_problem(text)
    assert problem.path == (key,)
    assert problem.position == Position(1, 1)
    assert problem.message == f"missing required key '{key}' in the spec; {message}"


def test_missing_stages() -> None:
    problem = only_problem("funnelspec: 1\nname: Example\nmotion: b2b\n")
    assert problem.message == (
        "missing required key 'stages' in the spec; "
        "add stages: with the funnel's stages in order"
    )


def test_missing_stage_id() -> None:
    problem = only_problem(VALID.replace("  - id: qualified\n    owner", "  - owner"))
    assert problem.path == ("stages", 1, "id")
    assert problem.position == Position(11, 5)
    assert problem.message == (
        "missing required key 'id' in stages[1]; "
        "add id: with a unique lowercase stage id"
    )


def test_empty_stage_list() -> None:
    text = VALID.split("stages:")[0] + "stages: []\n"
    problem = only_problem(text)
    assert problem.path == ("stages",)
    assert problem.position == Position(6, 9)
    assert "at least 1 item" in problem.message


def test_rate_out_of_range() -> None:
    problem = only_problem(VALID.replace('"35%"', "1.35"))
    assert problem.position == Position(9, 17)
    assert problem.message == (
        "stages[0].conversion: rate 1.35 is outside 0 to 1 (0% to 100%)"
    )


def test_next_probability_position() -> None:
    problem = only_problem(VALID.replace("{won: 0.5}", "{won: 5%x}"))
    assert problem.path == ("stages", 1, "next", "won")
    assert problem.position == Position(13, 17)


def test_bad_duration_message() -> None:
    problem = only_problem(VALID.replace("6 months", "6 moths"))
    assert problem.position == Position(4, 20)
    assert problem.message == (
        "conversion_period: unknown duration unit 'moths' in '6 moths' "
        "(did you mean 'months'?); use hours, days, weeks, months or years"
    )


def test_union_errors_merged() -> None:
    text = VALID.replace("owner: sales\n", "owner: sales\n    exit_criteria: 5\n")
    problem = only_problem(text)
    assert problem.path == ("stages", 1, "exit_criteria")
    assert problem.position == Position(13, 20)
    assert problem.message == (
        "stages[1].exit_criteria: input should be a valid string or a valid list "
        "(got 5)"
    )


def test_union_item_errors() -> None:
    text = VALID.replace("owner: sales\n", "owner: sales\n    exit_criteria: [a, 3]\n")
    problem = only_problem(text)
    assert problem.path == ("stages", 1, "exit_criteria", 1)
    assert problem.position == Position(13, 24)
    assert problem.message == (
        "stages[1].exit_criteria[1]: input should be a valid string (got 3)"
    )


@pytest.mark.parametrize("terminal", ["won", "lost"])
def test_reserved_stage_id(terminal: str) -> None:
    problem = only_problem(VALID.replace("id: qualified", f"id: {terminal}"))
    assert problem.position == Position(11, 9)
    assert problem.message == (
        f"stages[1].id: stage id '{terminal}' is reserved for the implicit "
        "terminal of that name; choose another id"
    )


def test_stage_id_pattern() -> None:
    problem = only_problem(VALID.replace("id: qualified", "id: Qualified"))
    assert problem.message == (
        "stage id 'Qualified' must be lowercase letters, digits, '_' or '-', "
        "starting with a letter"
    )


def test_currency_pattern() -> None:
    problem = only_problem(
        VALID.replace("motion: b2b\n", "motion: b2b\ncurrency: cny\n")
    )
    assert problem.message == (
        "currency 'cny' must be an ISO 4217 code of three capital letters, like CNY"
    )


def test_format_version() -> None:
    problem = only_problem(VALID.replace("funnelspec: 1", "funnelspec: 2"))
    assert problem.position == Position(1, 13)
    assert problem.message == (
        "funnelspec is 2; this version of funnelspec reads format 1"
    )


def test_format_version_as_text() -> None:
    problem = only_problem(VALID.replace("funnelspec: 1", 'funnelspec: "1"'))
    assert problem.message == (
        "funnelspec is '1'; this version of funnelspec reads format 1"
    )


def test_several_errors_all_reported() -> None:
    text = VALID.replace("owner: sales", "owner: salez").replace("inflow:", "inflw:")
    paths = [problem.path for problem in problems(text)]
    assert ("inflw",) in paths
    assert ("stages", 1, "owner") in paths


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("- funnelspec: 1\n", "a list"),
        ("funnelspec\n", "a scalar"),
        ("# empty\n", "empty"),
    ],
)
def test_top_level_not_mapping(text: str, kind: str) -> None:
    problem = only_problem(text)
    assert problem.message == (
        f"top level of the spec is {kind}; a spec is a mapping that starts with "
        "'funnelspec: 1'"
    )


def test_load_problem_stops_validation() -> None:
    document = load_text(VALID + "extra: [\n", "spec.yaml")
    assert parse_document(document) is None
    assert [problem.code for problem in document.problems] == ["FS001"]


def test_duplicate_key_fails_parse() -> None:
    document = load_text(VALID + "name: Again\n", "spec.yaml")
    assert parse_document(document) is None
    assert [problem.code for problem in document.problems] == ["FS002"]
