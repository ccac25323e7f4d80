"""The JSON Schema that editors use: metadata, and agreement with the model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from funnelspec.lint import lint_paths
from funnelspec.spec import units

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schemas" / "funnelspec.schema.json"
INVALID = ROOT / "tests" / "fixtures" / "schema-invalid"
#: Each invalid fixture and the JSON path of the value the schema rejects.
INVALID_PATHS = {
    "bad-currency.yaml": "$.currency",
    "bad-duration.yaml": "$.stages[0].duration",
    "bad-inflow.yaml": "$.inflow",
    "bad-stage-id.yaml": "$.stages[0].id",
    "duration-without-median.yaml": "$.stages[0].duration",
    "missing-motion.yaml": "$",
    "no-stages.yaml": "$.stages",
    "percent-out-of-range.yaml": "$.stages[0].conversion",
    "rate-out-of-range.yaml": "$.stages[0].conversion",
    "unknown-key.yaml": "$.stages[0]",
    "unknown-owner.yaml": "$.stages[0].owner",
    "unknown-role.yaml": "$.stages[0].engages[0]",
    "wrong-kind.yaml": "$.kind",
    "wrong-version.yaml": "$.funnelspec",
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def properties(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``Model.field`` and the schema of every field, nested models too."""
    yield from ((f"Spec.{name}", field) for name, field in schema["properties"].items())
    for model, definition in schema["$defs"].items():
        for name, field in definition.get("properties", {}).items():
            yield f"{model}.{name}", field


def test_schema_identity(schema: dict[str, Any]) -> None:
    assert schema["$id"] == "urn:funnelspec:schema:spec:1"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "funnelspec format v1"


def test_every_field_documented(schema: dict[str, Any]) -> None:
    fields = dict(properties(schema))
    assert len(fields) == 31
    for name, field in fields.items():
        assert field.get("title"), name
        assert field.get("description"), name
        assert field.get("examples"), name


def test_field_examples_are_valid(schema: dict[str, Any]) -> None:
    for name, field in properties(schema):
        field_validator = jsonschema.Draft202012Validator(
            {"$defs": schema["$defs"], **field}
        )
        for example in field["examples"]:
            errors = [error.message for error in field_validator.iter_errors(example)]
            assert errors == [], (name, example)


@pytest.mark.parametrize("spec", sorted((ROOT / "specs").glob("*.yaml")), ids=str)
def test_schema_accepts_specs(
    validator: jsonschema.Draft202012Validator, spec: Path
) -> None:
    errors = [error.message for error in validator.iter_errors(load_yaml(spec))]
    assert errors == []


def test_invalid_fixtures_listed() -> None:
    assert sorted(path.name for path in INVALID.glob("*.yaml")) == sorted(INVALID_PATHS)


@pytest.mark.parametrize(("name", "path"), sorted(INVALID_PATHS.items()))
def test_schema_rejects_fixture(
    validator: jsonschema.Draft202012Validator, name: str, path: str
) -> None:
    errors = list(validator.iter_errors(load_yaml(INVALID / name)))
    assert [error.json_path for error in errors] == [path]


@pytest.mark.parametrize("name", sorted(INVALID_PATHS))
def test_model_rejects_fixture(name: str) -> None:
    result = lint_paths([str(INVALID / name)])
    codes = [finding.code for finding in result.findings]
    assert codes == ["FS002"]


@pytest.mark.parametrize(
    "rate", ["0%", "35%", " 35 %", ".5%", "007%", "100%", "100.0%", "99.99%"]
)
def test_percent_accepted_by_both(
    validator: jsonschema.Draft202012Validator, rate: str
) -> None:
    spec = load_yaml(ROOT / "specs" / "industrial-3d-design.yaml")
    spec["stages"][0]["conversion"] = rate
    assert list(validator.iter_errors(spec)) == []
    assert 0 <= units.parse_rate(rate) <= 1


@pytest.mark.parametrize("rate", ["100.5%", "101%", "135%", "5.%", "-5%"])
def test_percent_rejected_by_both(
    validator: jsonschema.Draft202012Validator, rate: str
) -> None:
    spec = load_yaml(ROOT / "specs" / "industrial-3d-design.yaml")
    spec["stages"][0]["conversion"] = rate
    assert list(validator.iter_errors(spec)) != []
    with pytest.raises(units.UnitError):
        units.parse_rate(rate)
