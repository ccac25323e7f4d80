"""Read HubSpot deal pipelines from the CRM pipelines API's JSON response.

The input is the body of ``GET /crm/v3/pipelines/deals``: ``results`` is a
list of pipelines, each with ``id``, ``label`` and ``stages``. A stage has
``id``, ``label``, ``displayOrder`` and ``metadata`` with ``probability`` (a
decimal from 0 to 1) and ``isClosed``, both as strings. HubSpot marks a won
stage as closed with probability 1.0 and a lost stage as closed with 0.0. The
body of ``GET /crm/v3/pipelines/deals/{pipelineId}`` (one pipeline object) is
accepted too.
"""

from __future__ import annotations

import json
import math
import sys
from fractions import Fraction
from pathlib import PurePath
from typing import Any

from funnelspec.crm.pipeline import (
    CrmPipeline,
    CrmStage,
    CrmWarning,
    format_percent,
    parse_share,
    quote_value,
)
from funnelspec.errors import ReadError, UsageError
from funnelspec.findings import Path, format_path
from funnelspec.spec.units import did_you_mean

CRM = "HubSpot"
_BOOLEANS = {"true": True, "false": False}


class OversizedInteger:
    """A JSON integer with more digits than Python converts to int.

    Python 3.11 and later raise ValueError for more than
    ``sys.get_int_max_str_digits()`` digits (4300 by default). The JSON reader
    stores such an integer as this object, so the field check that reads it
    can name the field.
    """

    def __init__(self, text: str) -> None:
        self.digits = len(text.lstrip("-"))

    def __repr__(self) -> str:
        return f"an integer of {self.digits} digits"


def read_hubspot(raw: bytes, name: str, pipeline: str | None = None) -> CrmPipeline:
    """Read one deal pipeline of a pipelines API response.

    ``pipeline`` is the label or id of the pipeline to import, and may be None
    when the response contains only one. Raises ReadError for invalid JSON
    (with line and column) or a missing or invalid field (with its JSON path),
    and UsageError when ``pipeline`` matches none or several pipelines.
    """
    data = _load_json(raw, name)
    candidates = _pipelines(data, name)
    path, chosen = _choose(candidates, pipeline, name)
    label = _text(chosen, (*path, "label"), name)
    pipeline_id = _text(chosen, (*path, "id"), name)
    warnings: list[CrmWarning] = []
    if chosen.get("archived") is True:
        warnings.append(
            CrmWarning(_location(name, path), f"pipeline {label!r} is archived")
        )
    stages = _read_stages(chosen, path, name, warnings)
    source = f"{PurePath(name).name} (deal pipeline {label!r}, id {pipeline_id})"
    return CrmPipeline(
        crm=CRM, name=label, sources=[source], stages=stages, warnings=warnings
    )


def _load_json(raw: bytes, name: str) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{name}: file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at "
            f"offset {exc.start}); save the response as UTF-8"
        ) from None
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise ReadError(
            f"{name}: JSON nesting is too deep to read; a pipelines response "
            "needs 5 levels"
        ) from None


def _parse_int(text: str) -> int | OversizedInteger:
    try:
        return int(text)
    except ValueError:
        return OversizedInteger(text)


def _pipelines(data: Any, name: str) -> list[tuple[Path, dict[str, Any]]]:
    if isinstance(data, dict) and "results" in data:
        results = data["results"]
        if not isinstance(results, list):
            raise ReadError(
                f"{name}: results is {_kind(results)}; expected a list of pipelines"
            )
        if not results:
            raise ReadError(f"{name}: results is empty; the response has no pipeline")
        for index, item in enumerate(results):
            _expect_object(item, ("results", index), name)
        return [(("results", index), item) for index, item in enumerate(results)]
    if isinstance(data, dict) and "stages" in data:
        return [((), data)]
    raise ReadError(
        f"{name}: top level is {_kind(data)} without 'results'; expected the "
        "response of GET /crm/v3/pipelines/deals"
    )


def _choose(
    candidates: list[tuple[Path, dict[str, Any]]], wanted: str | None, name: str
) -> tuple[Path, dict[str, Any]]:
    labelled = [
        (path, item, _text(item, (*path, "label"), name), str(item.get("id", "")))
        for path, item in candidates
    ]
    choices = ", ".join(f"{label!r} (id {ident})" for _, _, label, ident in labelled)
    if wanted is None:
        if len(candidates) == 1:
            return candidates[0]
        raise UsageError(
            f"{name} contains {len(candidates)} pipelines; choose one with "
            f"--pipeline LABEL_OR_ID: {choices}"
        )
    by_id = [(p, item) for p, item, _, ident in labelled if ident == wanted]
    by_label = [(p, item) for p, item, label, _ in labelled if label == wanted]
    if not by_label:
        folded = wanted.casefold()
        by_label = [
            (p, item) for p, item, label, _ in labelled if label.casefold() == folded
        ]
    matches = by_id or by_label
    if len(matches) == 1:
        return matches[0]
    if matches:
        ids = ", ".join(str(item.get("id")) for _, item in matches)
        raise UsageError(
            f"--pipeline {wanted!r} matches {len(matches)} pipelines of {name} "
            f"(ids {ids}); give the id instead"
        )
    hint = did_you_mean(wanted, [label for _, _, label, _ in labelled])
    raise UsageError(
        f"--pipeline {wanted!r} matches no pipeline of {name}{hint}; choose one "
        f"of: {choices}"
    )


def _read_stages(
    pipeline: dict[str, Any], path: Path, name: str, warnings: list[CrmWarning]
) -> list[CrmStage]:
    stages_path = (*path, "stages")
    items = _field(pipeline, stages_path, name)
    if not isinstance(items, list):
        raise ReadError(
            f"{name}: {format_path(stages_path)} is {_kind(items)}; expected a "
            "list of stages"
        )
    if not items:
        raise ReadError(f"{name}: {format_path(stages_path)} is empty")
    ordered: list[tuple[float, int, CrmStage]] = []
    for index, item in enumerate(items):
        stage_path = (*stages_path, index)
        _expect_object(item, stage_path, name)
        stage = _read_stage(item, stage_path, name, warnings)
        if item.get("archived") is True:
            warnings.append(
                CrmWarning(
                    stage.location, f"stage {stage.label!r} is archived; it is left out"
                )
            )
            continue
        order = _number(item, (*stage_path, "displayOrder"), name)
        ordered.append((order, index, stage))
    if not ordered:
        raise ReadError(f"{name}: {format_path(stages_path)} has only archived stages")
    return [stage for _, _, stage in sorted(ordered, key=lambda entry: entry[:2])]


def _read_stage(
    item: dict[str, Any], path: Path, name: str, warnings: list[CrmWarning]
) -> CrmStage:
    label = _text(item, (*path, "label"), name)
    stage_id = _text(item, (*path, "id"), name)
    metadata_path = (*path, "metadata")
    metadata = _field(item, metadata_path, name)
    _expect_object(metadata, metadata_path, name)

    probability_path = (*metadata_path, "probability")
    probability_value = _field(metadata, probability_path, name)
    probability = _probability(probability_value, probability_path, label, name)
    closed = _boolean(metadata, (*metadata_path, "isClosed"), name)

    location = _location(name, path)
    won = closed and probability == 1
    if closed and probability not in (0, 1):
        warnings.append(
            CrmWarning(
                location,
                f"closed stage {label!r} has probability "
                f"{format_percent(probability)}; HubSpot marks won stages with "
                "100% and lost ones with 0%, so it is treated as lost",
            )
        )
    return CrmStage(
        label=label,
        probability=probability,
        closed=closed,
        won=won,
        location=location,
        details=f"stage id {stage_id}",
    )


def _probability(value: Any, path: Path, label: str, name: str) -> Fraction:
    if isinstance(value, OversizedInteger):
        reason = f"Python reads at most {sys.get_int_max_str_digits()} digits"
    else:
        reason = "not a number or a string"
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            return parse_share(str(value), 1)
        except ValueError as exc:
            reason = str(exc)
    raise ReadError(
        f"{name}: {format_path(path)} of stage {label!r} is {quote_value(value)} "
        f'({reason}); expected a decimal from 0 to 1 such as "0.2"'
    )


def _location(name: str, path: Path) -> str:
    return f"{name}: {format_path(path)}" if path else name


def _field(item: dict[str, Any], path: Path, name: str) -> Any:
    key = str(path[-1])
    if key not in item or item[key] is None:
        raise ReadError(
            f"{name}: {format_path(path)} is missing; export the pipelines again "
            "with GET /crm/v3/pipelines/deals"
        )
    return item[key]


def _text(item: dict[str, Any], path: Path, name: str) -> str:
    value = _field(item, path, name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise ReadError(
            f"{name}: {format_path(path)} is {quote_value(value)}; expected a "
            "non-empty string"
        )
    return value


def _number(item: dict[str, Any], path: Path, name: str) -> float:
    value = _field(item, path, name)
    if isinstance(value, OversizedInteger):
        raise ReadError(
            f"{name}: {format_path(path)} is {value!r}; expected a number of at "
            f"most {sys.get_int_max_str_digits()} digits such as 3"
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReadError(
            f"{name}: {format_path(path)} is {quote_value(value)}; expected a number"
        )
    if isinstance(value, float) and math.isnan(value):
        raise ReadError(f"{name}: {format_path(path)} is NaN; expected a number")
    # An int stays an int: float() raises OverflowError above 1.8e308, and
    # Python compares int and float exactly when it sorts them.
    return value


def _boolean(item: dict[str, Any], path: Path, name: str) -> bool:
    value = _field(item, path, name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    raise ReadError(
        f"{name}: {format_path(path)} is {quote_value(value)}; expected "
        '"true" or "false"'
    )


def _expect_object(value: Any, path: Path, name: str) -> None:
    if not isinstance(value, dict):
        where = format_path(path) or "top level"
        raise ReadError(f"{name}: {where} is {_kind(value)}; expected an object")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {quote_value(value)}"
    if isinstance(value, OversizedInteger):
        return repr(value)
    return f"the number {quote_value(value)}"
