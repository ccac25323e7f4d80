"""The JSON Schema of spec format v1, generated from the model."""

from __future__ import annotations

import json
from typing import Any

from funnelspec.spec.model import Spec

SCHEMA_ID = "urn:funnelspec:schema:spec:1"


def spec_schema() -> dict[str, Any]:
    schema = Spec.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def schema_text() -> str:
    """Return the schema as the text committed in schemas/, newline-terminated."""
    return json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"
