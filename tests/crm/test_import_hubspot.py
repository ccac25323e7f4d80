"""Import of HubSpot deal pipelines from the CRM pipelines API response."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from funnelspec.crm.conversion import ImportedFunnel, convert_pipeline
from funnelspec.crm.hubspot import read_hubspot
from funnelspec.crm.writer import render_spec

from .helpers import CRM_FIXTURES, HUBSPOT_PIPELINES, Run, lint_codes

RunCli = Callable[..., Run]


def import_pipeline(path: Path, pipeline: str | None) -> ImportedFunnel:
    return convert_pipeline(read_hubspot(path.read_bytes(), str(path), pipeline))


def response() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(HUBSPOT_PIPELINES.read_text())
    return data


def write_json(directory: Path, data: Any) -> Path:
    path = directory / "pipelines.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def default_pipeline() -> dict[str, Any]:
    pipeline: dict[str, Any] = copy.deepcopy(response()["results"][0])
    return pipeline


def test_default_pipeline_stages() -> None:
    funnel = import_pipeline(HUBSPOT_PIPELINES, "Sales Pipeline")
    ids = [stage.id for stage in funnel.stages]
    assert ids == [
        "appointment_scheduled",
        "qualified_to_buy",
        "presentation_scheduled",
        "decision_maker_bought_in",
        "contract_sent",
    ]


def test_default_pipeline_conversions() -> None:
    funnel = import_pipeline(HUBSPOT_PIPELINES, "Sales Pipeline")
    conversions = [stage.conversion for stage in funnel.stages]
    # 20/40, 40/60, 60/80, 80/90 and 90/100 (won)
    assert conversions == [0.5, 0.6667, 0.75, 0.8889, 0.9]


def test_default_pipeline_terminals() -> None:
    funnel = import_pipeline(HUBSPOT_PIPELINES, "Sales Pipeline")
    assert funnel.won == ["Closed won"]
    assert funnel.lost == ["Closed lost"]
    assert funnel.warnings == []


def test_default_pipeline_notes() -> None:
    funnel = import_pipeline(HUBSPOT_PIPELINES, "Sales Pipeline")
    first = funnel.stages[0]
    assert first.source_note == "HubSpot: 20%, stage id appointmentscheduled"
    assert first.conversion_note == "20% / 40%"
    assert funnel.stages[-1].conversion_note == "90% / 100% (won)"


def test_default_pipeline_lint_findings() -> None:
    text = render_spec(import_pipeline(HUBSPOT_PIPELINES, "default"))
    assert lint_codes(text) == sorted(
        [
            *["FS205"] * 5,  # no key outcomes
            "FS301",  # no conversion period
            "FS303",  # no follow-up SLA
            "FS501",  # no segments
            "FS601",  # no stage engages the decision maker
            "FS602",  # no stage engages the influencer
        ]
    )


def test_renewals_sorted_by_display_order() -> None:
    funnel = import_pipeline(HUBSPOT_PIPELINES, "Renewals")
    names = [stage.name for stage in funnel.stages]
    conversions = [stage.conversion for stage in funnel.stages]
    assert names == ["Renewal due", "Renewal quote sent", "Verbal commit"]
    assert conversions == [0.6, 0.625, 0.8]
    assert funnel.won == ["Renewal signed"]
    assert funnel.lost == ["Churned"]


@pytest.mark.parametrize(
    ("choice", "name"),
    [
        ("default", "Sales Pipeline"),
        ("812345678", "Renewals"),
        ("Renewals", "Renewals"),
        ("sales pipeline", "Sales Pipeline"),
        ("RENEWALS", "Renewals"),
    ],
)
def test_pipeline_choice(choice: str, name: str) -> None:
    funnel = import_pipeline(HUBSPOT_PIPELINES, choice)
    assert funnel.pipeline.name == name


def test_several_pipelines_need_choice(run: RunCli) -> None:
    result = run("import", "hubspot", HUBSPOT_PIPELINES)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"funnelspec: error: {HUBSPOT_PIPELINES} contains 2 pipelines; choose one "
        "with --pipeline LABEL_OR_ID: 'Sales Pipeline' (id default), 'Renewals' "
        "(id 812345678)\n"
    )


def test_unknown_pipeline(run: RunCli) -> None:
    result = run("import", "hubspot", HUBSPOT_PIPELINES, "--pipeline", "Renewal")
    assert result.code == 2
    assert result.stderr == (
        f"funnelspec: error: --pipeline 'Renewal' matches no pipeline of "
        f"{HUBSPOT_PIPELINES} (did you mean 'Renewals'?); choose one of: "
        "'Sales Pipeline' (id default), 'Renewals' (id 812345678)\n"
    )


def test_ambiguous_pipeline(run: RunCli, tmp_path: Path) -> None:
    data = response()
    data["results"][1]["label"] = "sales pipeline"
    path = write_json(tmp_path, data)
    result = run("import", "hubspot", path, "--pipeline", "SALES PIPELINE")
    assert result.code == 2
    assert result.stderr == (
        "funnelspec: error: --pipeline 'SALES PIPELINE' matches 2 pipelines of "
        f"{path} (ids default, 812345678); give the id instead\n"
    )


def test_exact_label_beats_case_match(tmp_path: Path) -> None:
    data = response()
    data["results"][1]["label"] = "sales pipeline"
    path = write_json(tmp_path, data)
    funnel = import_pipeline(path, "sales pipeline")
    assert funnel.pipeline.sources == [
        "pipelines.json (deal pipeline 'sales pipeline', id 812345678)"
    ]


def test_single_pipeline_needs_no_choice(tmp_path: Path) -> None:
    path = write_json(tmp_path, {"results": [default_pipeline()]})
    funnel = import_pipeline(path, None)
    assert funnel.pipeline.name == "Sales Pipeline"


def test_single_pipeline_object(tmp_path: Path) -> None:
    path = write_json(tmp_path, default_pipeline())
    funnel = import_pipeline(path, None)
    assert len(funnel.stages) == 5


def test_archived_stage_left_out(tmp_path: Path) -> None:
    pipeline = default_pipeline()
    pipeline["stages"][1]["archived"] = True
    path = write_json(tmp_path, pipeline)
    funnel = import_pipeline(path, None)
    assert [stage.id for stage in funnel.stages][:2] == [
        "appointment_scheduled",
        "presentation_scheduled",
    ]
    assert funnel.stages[0].conversion == round(0.2 / 0.6, 4)
    assert str(funnel.warnings[0]) == (
        f"{path}: stages[1]: stage 'Qualified to buy' is archived; it is left out"
    )


def test_closed_stage_between_open(tmp_path: Path) -> None:
    pipeline = default_pipeline()
    pipeline["stages"][6]["displayOrder"] = 2.5  # Closed lost after presentation
    path = write_json(tmp_path, pipeline)
    funnel = import_pipeline(path, None)
    texts = [str(warning) for warning in funnel.warnings]
    assert texts == [
        f"{path}: stages[6]: closed stage 'Closed lost' (lost) comes between open "
        "stages; the open stages keep their order and it becomes the terminal lost"
    ]
    assert funnel.stages[3].notes_before == [
        "HubSpot places closed stage 'Closed lost' (lost) here"
    ]


def test_closed_stage_between_zero_and_one(tmp_path: Path) -> None:
    pipeline = default_pipeline()
    pipeline["stages"][6]["metadata"]["probability"] = "0.5"
    path = write_json(tmp_path, pipeline)
    funnel = import_pipeline(path, None)
    assert funnel.lost == ["Closed lost"]
    assert "closed stage 'Closed lost' has probability 50%" in str(funnel.warnings[0])


def test_native_json_types_accepted(tmp_path: Path) -> None:
    pipeline = default_pipeline()
    for stage in pipeline["stages"]:
        metadata = stage["metadata"]
        metadata["probability"] = float(metadata["probability"])
        metadata["isClosed"] = metadata["isClosed"] == "true"
    path = write_json(tmp_path, pipeline)
    funnel = import_pipeline(path, None)
    assert [stage.conversion for stage in funnel.stages] == [
        0.5,
        0.6667,
        0.75,
        0.8889,
        0.9,
    ]


def test_stdin_input(run: RunCli) -> None:
    result = run(
        "import",
        "hubspot",
        "-",
        "--pipeline",
        "Renewals",
        input=HUBSPOT_PIPELINES.read_bytes(),
    )
    assert result.code == 0
    assert "# Source: <stdin> (deal pipeline 'Renewals', id 812345678)" in (
        result.stdout
    )


def test_malformed_json_position(run: RunCli) -> None:
    path = CRM_FIXTURES / "hubspot-malformed.json"
    result = run("import", "hubspot", path)
    assert result.code == 2
    assert result.stdout == ""
    assert (
        result.stderr
        == f"funnelspec: error: {path}:9:7: invalid JSON: Expecting value\n"
    )


def _drop(keys: list[str | int]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return change


def _set(keys: list[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


STAGE: list[str | int] = ["results", 0, "stages", 2]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            _drop([*STAGE, "metadata", "probability"]),
            "results[0].stages[2].metadata.probability is missing; export the "
            "pipelines again with GET /crm/v3/pipelines/deals",
        ),
        (
            _set([*STAGE, "metadata", "probability"], "1.5"),
            "results[0].stages[2].metadata.probability of stage 'Presentation "
            "scheduled' is '1.5' (outside the range 0 to 1); expected a decimal "
            'from 0 to 1 such as "0.2"',
        ),
        (
            _set([*STAGE, "metadata", "probability"], "1E-100000000"),
            "results[0].stages[2].metadata.probability of stage 'Presentation "
            "scheduled' is '1E-100000000' (exponent -100000000 is outside -40 to "
            "40)",
        ),
        (
            _set([*STAGE, "metadata", "probability"], 1e-320),
            "results[0].stages[2].metadata.probability of stage 'Presentation "
            "scheduled' is 1e-320 (exponent -320 is outside -40 to 40)",
        ),
        (
            _set([*STAGE, "metadata", "probability"], "NaN"),
            "results[0].stages[2].metadata.probability of stage 'Presentation "
            "scheduled' is 'NaN' (not a finite number)",
        ),
        (
            _set([*STAGE, "metadata", "probability"], [0.2]),
            "results[0].stages[2].metadata.probability of stage 'Presentation "
            "scheduled' is [0.2] (not a number or a string)",
        ),
        (
            _set([*STAGE, "displayOrder"], float("nan")),
            "results[0].stages[2].displayOrder is NaN; expected a number",
        ),
        (
            _set([*STAGE, "metadata", "probability"], "high"),
            "results[0].stages[2].metadata.probability of stage 'Presentation "
            "scheduled' is 'high'",
        ),
        (
            _set([*STAGE, "metadata", "isClosed"], "maybe"),
            "results[0].stages[2].metadata.isClosed is 'maybe'; expected \"true\" "
            'or "false"',
        ),
        (
            _drop([*STAGE, "metadata"]),
            "results[0].stages[2].metadata is missing",
        ),
        (
            _set([*STAGE, "metadata"], []),
            "results[0].stages[2].metadata is a list; expected an object",
        ),
        (
            _drop([*STAGE, "label"]),
            "results[0].stages[2].label is missing",
        ),
        (
            _set([*STAGE, "label"], " "),
            "results[0].stages[2].label is ' '; expected a non-empty string",
        ),
        (
            _drop([*STAGE, "displayOrder"]),
            "results[0].stages[2].displayOrder is missing",
        ),
        (
            _set([*STAGE, "displayOrder"], "2"),
            "results[0].stages[2].displayOrder is '2'; expected a number",
        ),
        (
            _set([*STAGE], "stage"),
            "results[0].stages[2] is the string 'stage'; expected an object",
        ),
        (
            _set(["results", 0, "stages"], {}),
            "results[0].stages is an object; expected a list of stages",
        ),
        (
            _set(["results", 0, "stages"], []),
            "results[0].stages is empty",
        ),
        (
            _set(["results"], {}),
            "results is an object; expected a list of pipelines",
        ),
        (
            _set(["results"], []),
            "results is empty; the response has no pipeline",
        ),
        (
            _set(["results", 0], None),
            "results[0] is null; expected an object",
        ),
        (
            _drop(["results"]),
            "top level is an object without 'results'; expected the response of "
            "GET /crm/v3/pipelines/deals",
        ),
    ],
)
def test_invalid_response(
    run: RunCli,
    tmp_path: Path,
    change: Callable[[dict[str, Any]], None],
    expected: str,
) -> None:
    data = response()
    change(data)
    path = write_json(tmp_path, data)
    result = run("import", "hubspot", path, "--pipeline", "default")
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"funnelspec: error: {path}: {expected}")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("field", [["metadata", "probability"], ["displayOrder"]])
def test_oversized_integer(run: RunCli, tmp_path: Path, field: list[str]) -> None:
    data = response()
    _set([*STAGE, *field], "PLACEHOLDER")(data)
    path = tmp_path / "pipelines.json"
    # json.dumps cannot write an int of more than 4300 digits either.
    text = json.dumps(data).replace('"PLACEHOLDER"', "7" * 5000)
    path.write_text(text)
    result = run("import", "hubspot", path, "--pipeline", "default")
    limit = sys.get_int_max_str_digits()
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"funnelspec: error: {path}: results[0].stages[2].{'.'.join(field)}"
    )
    assert " is an integer of 5000 digits" in result.stderr
    assert str(limit) in result.stderr
    assert result.stderr.count("\n") == 1


def test_large_display_order(tmp_path: Path) -> None:
    pipeline = default_pipeline()
    pipeline["stages"][0]["displayOrder"] = 10**400
    funnel = import_pipeline(write_json(tmp_path, pipeline), None)
    assert funnel.stages[-1].name == "Appointment scheduled"


def test_every_stage_archived(run: RunCli, tmp_path: Path) -> None:
    pipeline = default_pipeline()
    for stage in pipeline["stages"]:
        stage["archived"] = True
    path = write_json(tmp_path, pipeline)
    result = run("import", "hubspot", path)
    assert result.code == 2
    assert result.stderr.startswith(
        f"funnelspec: error: {path}: stages has only archived stages"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[1, 2]", ": top level is a list without 'results'"),
        (b"\xff{}", ": file is not valid UTF-8 (byte 0xff at offset 0)"),
        (b"", ":1:1: invalid JSON: Expecting value"),
        (b"[" * 100_000 + b"]" * 100_000, ": JSON nesting is too deep to read"),
    ],
)
def test_unreadable_json(
    run: RunCli, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "pipelines.json"
    path.write_bytes(content)
    result = run("import", "hubspot", path)
    assert result.code == 2
    assert result.stderr.startswith(f"funnelspec: error: {path}{expected}")
