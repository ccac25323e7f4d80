"""The published JSON Schema: in sync with the model, and true to the specs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, SPECS
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from funnelspec.cli import cli

SCHEMA_FILE = ROOT / "schemas" / "funnelspec.schema.json"
REGENERATE = "regenerate it with: funnelspec schema > schemas/funnelspec.schema.json"

VALID = """\
funnelspec: 1
name: Example
motion: b2b
stages:
  - id: engaged
    owner: marketing
    conversion: 0.35
    duration: 2 weeks
"""


def read_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def test_schema_file_up_to_date(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert result.stdout == committed, (
        f"{SCHEMA_FILE.name} is out of date; {REGENERATE}"
    )


def test_schema_is_valid_json_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)


def test_schema_declares_draft() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("spec", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.name)
def test_example_spec_valid(validator: Draft202012Validator, spec: Path) -> None:
    errors = [
        error.message for error in validator.iter_errors(read_yaml(spec.read_text()))
    ]
    assert errors == []


# Passing rule fixtures use every value form the format accepts (percentages,
# ISO 8601 durations, {median, p90}, {fixed}, next maps, nurture).
PASSING_FIXTURES = sorted((FIXTURES / "rules").glob("*/pass*.yaml"))


@pytest.mark.parametrize(
    "spec",
    PASSING_FIXTURES,
    ids=[path.relative_to(FIXTURES / "rules").as_posix() for path in PASSING_FIXTURES],
)
def test_passing_fixture_valid(validator: Draft202012Validator, spec: Path) -> None:
    errors = [
        error.message for error in validator.iter_errors(read_yaml(spec.read_text()))
    ]
    assert errors == []


def test_minimal_spec_valid(validator: Draft202012Validator) -> None:
    assert validator.is_valid(read_yaml(VALID))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("motion: b2b\n", ""),
        ("funnelspec: 1", "funnelspec: 2"),
        ("motion: b2b", "motion: b2x"),
        ("owner: marketing", "owner: salez"),
        ("conversion: 0.35", "conversion: 1.35"),
        ("conversion: 0.35", "conversion: 135%"),
        ("duration: 2 weeks", "duration: two weeks"),
        ("duration: 2 weeks", "duration: {median: 2 weeks, p50: 1 week}"),
        ("id: engaged", "id: Engaged"),
        ("    owner: marketing\n", "    ownr: marketing\n"),
        ("name: Example\n", "name: Example\ninflow: lots\n"),
        ("name: Example\n", "name: Example\ncurrency: yuan\n"),
    ],
)
def test_invalid_spec_rejected(
    validator: Draft202012Validator, old: str, new: str
) -> None:
    assert VALID.count(old) == 1
    assert not validator.is_valid(read_yaml(VALID.replace(old, new)))


def test_empty_stages_rejected(validator: Draft202012Validator) -> None:
    assert not validator.is_valid(read_yaml(VALID.split("stages:")[0] + "stages: []\n"))
