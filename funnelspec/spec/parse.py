"""Validate a loaded document against the model, turning errors into problems."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from funnelspec.findings import Path, format_path
from funnelspec.spec.loader import Document, LoadProblem
from funnelspec.spec.model import Segment, Spec, Stage
from funnelspec.spec.units import did_you_mean, shorten

_STAGE_DURATION_KEYS = ["median", "p90", "fixed"]
#: How to add each required key, by its path with list indexes written as [].
_REQUIRED_HINTS: dict[tuple[str, ...], str] = {
    ("funnelspec",): "add 'funnelspec: 1' as the first line",
    ("name",): "add name: with the funnel's name",
    ("motion",): "add motion: b2b or motion: b2c",
    ("stages",): "add stages: with the funnel's stages in order",
    ("stages", "[]", "id"): "add id: with a unique lowercase stage id",
    ("segments", "[]", "name"): "add name: with the segment's name",
}
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
        for path, error in _located_errors(exc.errors(include_url=False), data):
            document.problems.append(_problem(error, path, document))
        return None
    if any(problem.code in ("FS001", "FS002") for problem in document.problems):
        return None
    return spec


def _located_errors(
    errors: list[ErrorDetails], data: Any
) -> list[tuple[Path, ErrorDetails]]:
    """Pair each error with its document path, one error per path.

    For a union such as ``str | list[str]``, pydantic reports every member's
    error. Errors about the type of the value itself are dropped when another
    member's errors point inside it (a list with a wrong item), and the rest
    at one path are merged into one "should be a valid string or a valid list".
    """
    located = [
        (_clean_path(error["loc"], data, error["type"] == "missing"), error)
        for error in errors
    ]
    inner = {path[:length] for path, _ in located for length in range(len(path))}
    by_path: dict[Path, list[ErrorDetails]] = {}
    for path, error in located:
        if error["type"].endswith("_type") and path in inner:
            continue
        by_path.setdefault(path, []).append(error)
    return [(path, _merged(group)) for path, group in by_path.items()]


def _merged(errors: list[ErrorDetails]) -> ErrorDetails:
    first = errors[0]
    prefix = "Input should be "
    if len(errors) == 1 or not all(e["msg"].startswith(prefix) for e in errors):
        return first
    choices = " or ".join(error["msg"].removeprefix(prefix) for error in errors)
    merged: ErrorDetails = {**first, "msg": prefix + choices}
    return merged


def _problem(error: ErrorDetails, path: Path, document: Document) -> LoadProblem:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(path[-1])
        choices = _fields_at(path[:-1])
        message = f"unknown key {shorten(key)}{did_you_mean(key, choices)}"
        if choices:
            message += "; allowed keys: " + ", ".join(choices)
        return LoadProblem("FS002", message, document.source.locate_key(path), path)
    if kind == "missing":
        parent = path[:-1]
        where = format_path(parent) or "the spec"
        message = f"missing required key {path[-1]!r} in {where}"
        pattern = tuple("[]" if isinstance(part, int) else part for part in path)
        message += "; " + _REQUIRED_HINTS.get(pattern, f"add {path[-1]}:")
        return LoadProblem("FS002", message, document.source.locate(parent), path)
    message = _value_message(error, path)
    return LoadProblem("FS002", message, document.source.locate(path), path)


def _value_message(error: ErrorDetails, path: Path) -> str:
    kind = error["type"]
    value = error.get("input")
    where = format_path(path)
    if kind == "literal_error":
        expected = _QUOTED.findall(str(error.get("ctx", {}).get("expected", "")))
        shown = _describe(value)
        hint = did_you_mean(str(value), expected) if isinstance(value, str) else ""
        if path == ("funnelspec",):
            return f"{where} is {shown}; this version of funnelspec reads format 1"
        options = ", ".join(expected) or str(error.get("ctx", {}).get("expected"))
        return f"{where} is {shown}{hint}; use one of: {options}"
    if kind == "string_pattern_mismatch" and path[-1:] == ("id",):
        return (
            f"stage id {shorten(value)} must be lowercase letters, digits, '_' "
            "or '-', starting with a letter"
        )
    if kind == "string_pattern_mismatch" and path == ("currency",):
        return (
            f"currency {shorten(value)} must be an ISO 4217 code of three capital "
            "letters, like CNY"
        )
    message = error["msg"]
    if kind in ("duration", "rate", "inflow", "reserved_id", "version"):
        return f"{where}: {message}"
    return f"{where}: {message[:1].lower()}{message[1:]} (got {_describe(value)})"


def _clean_path(loc: tuple[int | str, ...], data: Any, missing: bool) -> Path:
    """Keep the parts of a pydantic location that are keys and indexes of data.

    Pydantic adds the name of a union member ('str', 'list[str]') or of a
    function validator to the location, and these are not in the document.
    For a missing key, the last part names the key, so it stays.
    """
    parts: list[int | str] = []
    value = data
    for part in loc[:-1] if missing else loc:
        if _contains(value, part):
            value = value[part]
            parts.append(part)
    if missing:
        parts.append(loc[-1])
    return tuple(parts)


def _contains(value: Any, part: int | str) -> bool:
    if isinstance(value, dict):
        return part in value
    return isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)


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
