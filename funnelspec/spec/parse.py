"""Validate a loaded document against the model, turning errors into problems."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from funnelspec.findings import Path, format_path
from funnelspec.spec.loader import Document, LoadProblem
from funnelspec.spec.model import Segment, Spec, Stage
from funnelspec.spec.units import did_you_mean

_STAGE_DURATION_KEYS = ["median", "p90", "fixed"]
_QUOTED = re.compile(r"'([^']*)'")


def parse_document(document: Document) -> Spec | None:
    """Validate the document's data as a Spec; append FS002 problems on failure."""
    if not document.parsed:
        return None
    data = document.data
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {_yaml_kind(data)}"
        document.problems.append(
            LoadProblem(
                "FS002",
                f"top level of the spec is {kind}; a spec is a mapping that starts "
                "with 'funnelspec: 1'",
                document.source.locate(()),
            )
        )
        return None
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            document.problems.append(_problem(error, document))
        return None
    if any(problem.code in ("FS001", "FS002") for problem in document.problems):
        return None
    return spec


def _problem(error: ErrorDetails, document: Document) -> LoadProblem:
    path = _clean_path(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(path[-1])
        choices = _fields_at(path[:-1])
        message = f"unknown key {key!r}{did_you_mean(key, choices)}"
        if choices:
            message += "; allowed keys: " + ", ".join(choices)
        return LoadProblem("FS002", message, document.source.locate_key(path), path)
    if kind == "missing":
        parent = path[:-1]
        where = format_path(parent) or "the spec"
        message = f"missing required key {path[-1]!r} in {where}"
        if path == ("funnelspec",):
            message += "; add 'funnelspec: 1' as the first line"
        return LoadProblem("FS002", message, document.source.locate(parent), path)
    message = _value_message(error, path)
    return LoadProblem("FS002", message, document.source.locate(path), path)


def _value_message(error: ErrorDetails, path: Path) -> str:
    kind = error["type"]
    value = error.get("input")
    where = format_path(path)
    if kind == "literal_error":
        expected = _QUOTED.findall(str(error.get("ctx", {}).get("expected", "")))
        shown = repr(value) if not isinstance(value, dict | list) else _yaml_kind(value)
        hint = did_you_mean(str(value), expected) if isinstance(value, str) else ""
        if path == ("funnelspec",):
            return f"{where} is {shown}; this version of funnelspec reads format 1"
        options = ", ".join(expected) or str(error.get("ctx", {}).get("expected"))
        return f"{where} is {shown}{hint}; use one of: {options}"
    if kind == "string_pattern_mismatch" and path[-1:] == ("id",):
        return (
            f"stage id {value!r} must be lowercase letters, digits, '_' or '-', "
            "starting with a letter"
        )
    if kind == "string_pattern_mismatch" and path == ("currency",):
        return f"currency {value!r} must be a three-letter ISO 4217 code, like CNY"
    message = error["msg"]
    if kind in ("duration", "rate", "inflow", "reserved_id"):
        return f"{where}: {message}"
    return f"{where}: {message[:1].lower()}{message[1:]} (got {_describe(value)})"


def _clean_path(loc: tuple[int | str, ...]) -> Path:
    # Pydantic adds the name of a union member or of a function validator
    # to the location; only keys and indexes of the document are kept.
    parts: list[int | str] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue
        parts.append(part)
    return tuple(parts)


def _fields_at(path: Path) -> list[str]:
    model: type[BaseModel] | None = Spec
    if path[:1] == ("stages",) and len(path) == 2:
        model = Stage
    elif path[:1] == ("segments",) and len(path) == 2:
        model = Segment
    elif path[:1] == ("stages",) and path[2:] == ("duration",):
        return list(_STAGE_DURATION_KEYS)
    elif path:
        model = None
    return list(model.model_fields) if model else []


def _yaml_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "null"
    return "scalar"


def _describe(value: Any) -> str:
    if isinstance(value, dict | list):
        return "a " + _yaml_kind(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
