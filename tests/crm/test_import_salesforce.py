"""Import of Salesforce opportunity stages: real org exports and broken files."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from funnelspec.crm.conversion import ImportedFunnel, convert_pipeline
from funnelspec.crm.salesforce import read_salesforce
from funnelspec.crm.writer import render_spec

from .helpers import (
    ADOPTION_STAGES,
    CRM_FIXTURES,
    GUSTO_BIZDEV,
    GUSTO_PAYROLL,
    GUSTO_STAGES,
    Run,
    lint_codes,
)

RunCli = Callable[..., Run]


def import_files(stages: Path, process: Path | None = None) -> ImportedFunnel:
    pipeline = read_salesforce(
        stages.read_bytes(),
        str(stages),
        process.read_bytes() if process else None,
        str(process) if process else None,
    )
    return convert_pipeline(pipeline)


def messages(funnel: ImportedFunnel) -> list[str]:
    return [str(warning) for warning in funnel.warnings]


def value_xml(
    full_name: str,
    probability: str | None = "10",
    closed: str | None = "false",
    won: str | None = "false",
    extra: str = "",
) -> str:
    fields = [f"<fullName>{full_name}</fullName>", f"<label>{full_name}</label>"]
    for tag, text in (("closed", closed), ("probability", probability), ("won", won)):
        if text is not None:
            fields.append(f"<{tag}>{text}</{tag}>")
    body = "\n        ".join(fields)
    return f"    <standardValue>\n        {body}{extra}\n    </standardValue>\n"


def picklist_xml(*values: str, root: str = "StandardValueSet") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        f"{''.join(values)}</{root}>\n"
    )


def process_xml(*full_names: str) -> str:
    values = "".join(
        f"    <values>\n        <fullName>{name}</fullName>\n"
        "        <default>false</default>\n    </values>\n"
        for name in full_names
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<BusinessProcess xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <fullName>Test Process</fullName>\n"
        "    <isActive>true</isActive>\n"
        f"{values}</BusinessProcess>\n"
    )


# The small org: four open stages in a clean, rising order.


def test_adoption_stage_order(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / ADOPTION_STAGES)
    ids = [stage.id for stage in funnel.stages]
    assert ids == [
        "prospecting",
        "qualification",
        "proposal_price_quote",
        "negotiation_review",
    ]


def test_adoption_names_are_labels(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / ADOPTION_STAGES)
    names = [stage.name for stage in funnel.stages]
    assert names == [
        "Prospecting",
        "Qualification",
        "Proposal/Price Quote",
        "Negotiation/Review",
    ]


def test_adoption_conversions(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / ADOPTION_STAGES)
    conversions = [stage.conversion for stage in funnel.stages]
    # 10/10, 10/75, 75/90 and 90/100 (won)
    assert conversions == [1.0, 0.1333, 0.8333, 0.9]


def test_adoption_conversion_notes(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / ADOPTION_STAGES)
    notes = [stage.conversion_note for stage in funnel.stages]
    assert notes == ["10% / 10%", "10% / 75%", "75% / 90%", "90% / 100% (won)"]


def test_adoption_terminals(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / ADOPTION_STAGES)
    assert funnel.won == ["Closed Won"]
    assert funnel.lost == ["Closed Lost"]


def test_adoption_has_no_warnings(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / ADOPTION_STAGES)
    assert funnel.warnings == []
    assert funnel.notes == []


def test_adoption_lint_findings(salesforce_data: Path) -> None:
    text = render_spec(import_files(salesforce_data / ADOPTION_STAGES))
    assert lint_codes(text) == sorted(
        [
            "FS201",  # 4 stages, fewer than 5
            *["FS205"] * 4,  # no key outcome on any stage
            "FS301",  # no conversion period
            "FS303",  # no follow-up SLA
            "FS402",  # prospecting converts 10% / 10% = 1.0
            "FS501",  # no segments
            "FS601",  # no stage engages the decision maker
            "FS602",  # no stage engages the influencer
        ]
    )


# The large org: 57 picklist values from several sales processes.


def test_gusto_picklist_counts(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / GUSTO_STAGES)
    assert len(funnel.pipeline.stages) == 57
    assert len(funnel.stages) == 50
    assert funnel.won == ["Current Partner", "Closed Won", "Fully Executed"]
    assert funnel.lost == [
        "Order Lost",
        "Closed Lost",
        "Closed Admin",
        "Closed Lost Disqualified",
    ]


def test_gusto_picklist_order(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / GUSTO_STAGES)
    ids = [stage.id for stage in funnel.stages]
    assert ids[:6] == ["new", "nurture", "raw", "mql", "attempting_contact", "engaged"]
    assert ids[-3:] == ["business_agreement", "in_contract", "onboarding_completed"]
    assert "alignment_in_progress" in ids
    assert "alignment_in_progress_pc" in ids
    assert "discovery_engaged" in ids
    assert len(set(ids)) == len(ids)


def test_gusto_several_won_warning(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / GUSTO_STAGES)
    several = [text for text in messages(funnel) if "3 won stages" in text]
    assert len(several) == 1
    assert "'Current Partner', 'Closed Won', 'Fully Executed'" in several[0]


def test_gusto_closed_between_open(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / GUSTO_STAGES)
    between = [text for text in messages(funnel) if "comes between open" in text]
    assert len(between) == 7
    assert between[0].endswith(
        f"{GUSTO_STAGES}:244: closed stage 'Current Partner' (won) comes between "
        "open stages; the open stages keep their order and it becomes the "
        "terminal won"
    )


def test_gusto_falling_probability(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / GUSTO_STAGES)
    falling = [text for text in messages(funnel) if "cannot fall" in text]
    assert len(falling) == 10
    assert falling[0].endswith(
        f"{GUSTO_STAGES}:13: 'Nurture' is at 40% but the next open stage, 'Raw', "
        "is at 5%; a cumulative win probability cannot fall, and the ratio would "
        "exceed 1; no conversion is derived for stage 'nurture'"
    )


def test_gusto_open_stage_at_zero(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / GUSTO_STAGES)
    at_zero = [text for text in messages(funnel) if "is at 0%, which" in text]
    before_zero = [text for text in messages(funnel) if "/ 0% has no value" in text]
    assert len(at_zero) == 2  # Open, Future Opportunity
    assert len(before_zero) == 2  # Discovery Call Scheduled, Final Stages
    assert "open stage 'Open' is at 0%" in at_zero[0]


def test_gusto_missing_conversions(salesforce_data: Path) -> None:
    funnel = import_files(salesforce_data / GUSTO_STAGES)
    missing = [stage.id for stage in funnel.stages if stage.conversion is None]
    assert len(missing) == 14
    assert missing[:4] == ["nurture", "engaged", "discovery_call_scheduled", "open"]


def test_gusto_lint_findings(salesforce_data: Path) -> None:
    text = render_spec(import_files(salesforce_data / GUSTO_STAGES))
    assert lint_codes(text) == sorted(
        [
            "FS201",  # 50 stages
            "FS204",  # 'Requires Qualification Check' is an internal check
            *["FS205"] * 50,
            "FS301",
            "FS303",
            *["FS401"] * 14,  # the stages without a derived conversion
            *["FS402"] * 16,  # runs of stages at the same probability
            "FS501",
            "FS601",
            "FS602",
        ]
    )


# The org's two sales processes pick subsets of the picklist.


def test_payroll_stage_order(salesforce_data: Path) -> None:
    funnel = import_files(
        salesforce_data / GUSTO_STAGES, salesforce_data / GUSTO_PAYROLL
    )
    ids = [stage.id for stage in funnel.stages]
    assert ids == [
        "mql",
        "attempting_contact",
        "engaged",
        "discovery_call_scheduled",
        "sal",
        "discovery",
        "qualified",
        "commit",
        "pending_pr",
    ]


def test_payroll_conversions(salesforce_data: Path) -> None:
    funnel = import_files(
        salesforce_data / GUSTO_STAGES, salesforce_data / GUSTO_PAYROLL
    )
    conversions = {stage.id: stage.conversion for stage in funnel.stages}
    assert conversions == {
        "mql": 0.6667,  # 10% / 15%
        "attempting_contact": 0.4286,  # 15% / 35%
        "engaged": None,  # 35% then 20%
        "discovery_call_scheduled": 1.0,  # 20% / 20%
        "sal": 0.4444,  # 20% / 45%
        "discovery": None,  # 45% then 40%
        "qualified": 0.8,  # 40% / 50%
        "commit": 0.7143,  # 50% / 70%
        "pending_pr": 0.7,  # 70% / 100% (won)
    }


def test_payroll_name_and_terminals(salesforce_data: Path) -> None:
    funnel = import_files(
        salesforce_data / GUSTO_STAGES, salesforce_data / GUSTO_PAYROLL
    )
    assert funnel.pipeline.name == "Payroll Sales Process"
    assert funnel.won == ["Closed Won"]
    assert funnel.lost == ["Closed Lost"]


def test_payroll_warnings(salesforce_data: Path) -> None:
    funnel = import_files(
        salesforce_data / GUSTO_STAGES, salesforce_data / GUSTO_PAYROLL
    )
    texts = messages(funnel)
    assert len(texts) == 2
    assert f"{GUSTO_STAGES}:49: 'Engaged' is at 35%" in texts[0]
    assert "'Discovery Call Scheduled', is at 20%" in texts[0]
    assert f"{GUSTO_STAGES}:159: 'Discovery' is at 45%" in texts[1]
    assert "'Qualified', is at 40%" in texts[1]


def test_payroll_lint_findings(salesforce_data: Path) -> None:
    funnel = import_files(
        salesforce_data / GUSTO_STAGES, salesforce_data / GUSTO_PAYROLL
    )
    assert lint_codes(render_spec(funnel)) == sorted(
        [
            "FS201",  # 9 stages
            *["FS205"] * 9,
            "FS301",
            "FS303",
            *["FS401"] * 2,  # engaged, discovery
            "FS402",  # discovery_call_scheduled: 20% / 20%
            "FS501",
            "FS601",
            "FS602",
        ]
    )


def test_bizdev_decodes_process_values(salesforce_data: Path) -> None:
    funnel = import_files(
        salesforce_data / GUSTO_STAGES, salesforce_data / GUSTO_BIZDEV
    )
    names = [stage.name for stage in funnel.stages]
    assert names == [
        "Discovery/Engaged",
        "Qualification",
        "Solution Design",
        "Final Evaluation",
        "Commit",
        "Future Opportunity",
    ]


def test_bizdev_conversions(salesforce_data: Path) -> None:
    funnel = import_files(
        salesforce_data / GUSTO_STAGES, salesforce_data / GUSTO_BIZDEV
    )
    conversions = [stage.conversion for stage in funnel.stages]
    assert conversions == [0.6, 0.625, 0.8889, 0.9, None, None]


def test_bizdev_closed_won_between(salesforce_data: Path) -> None:
    funnel = import_files(
        salesforce_data / GUSTO_STAGES, salesforce_data / GUSTO_BIZDEV
    )
    texts = messages(funnel)
    assert len(texts) == 3
    assert "closed stage 'Current Partner' (won) comes between open stages" in texts[0]
    assert "'Future Opportunity', is at 0%, so 50% / 0% has no value" in texts[1]
    assert "open stage 'Future Opportunity' is at 0%" in texts[2]
    assert funnel.won == ["Current Partner"]
    assert funnel.pipeline.description == (
        "This recordtype is created to track Business Development Opportunities"
    )


def test_bizdev_comment_marks_closed_stage(salesforce_data: Path) -> None:
    funnel = import_files(
        salesforce_data / GUSTO_STAGES, salesforce_data / GUSTO_BIZDEV
    )
    lines = render_spec(funnel).splitlines()
    marker = lines.index(
        "  # Salesforce places closed stage 'Current Partner' (won) here"
    )
    assert lines[marker + 1] == "  - id: future_opportunity"


def test_bizdev_lint_findings(salesforce_data: Path) -> None:
    funnel = import_files(
        salesforce_data / GUSTO_STAGES, salesforce_data / GUSTO_BIZDEV
    )
    assert lint_codes(render_spec(funnel)) == sorted(
        [
            *["FS205"] * 6,
            "FS301",
            "FS303",
            *["FS401"] * 2,  # commit, future_opportunity
            "FS501",
            "FS601",
            "FS602",
        ]
    )


# Edge cases in a small picklist written for the purpose.


def test_edge_case_ids() -> None:
    funnel = import_files(CRM_FIXTURES / "salesforce-edge-cases.xml")
    ids = [stage.id for stage in funnel.stages]
    assert ids == ["stage_1st_call", "negociation", "won_stage"]


def test_edge_case_conversions() -> None:
    funnel = import_files(CRM_FIXTURES / "salesforce-edge-cases.xml")
    conversions = [stage.conversion for stage in funnel.stages]
    notes = [stage.conversion_note for stage in funnel.stages]
    assert conversions == [0.5, 0.25, None]
    assert notes[:2] == ["12.5% / 25%", "25% / 100%"]
    assert (
        notes[2] == "open stage 'Won' is at 100%, which says all of its deals are won"
    )


def test_edge_case_warnings() -> None:
    funnel = import_files(CRM_FIXTURES / "salesforce-edge-cases.xml")
    texts = messages(funnel)
    assert len(texts) == 4
    assert ":2: the picklist is marked sorted" in texts[0]
    assert ":28: stage 'Retired Stage' is inactive; it is left out" in texts[1]
    assert ":45: won stage 'Signed' is at 90%" in texts[2]
    assert ":37: open stage 'Won' is at 100%" in texts[3]


def test_closed_before_first_open_not_flagged() -> None:
    funnel = import_files(CRM_FIXTURES / "salesforce-edge-cases.xml")
    assert funnel.lost == ["Closed Lost Early", "Closed Lost"]
    assert not any("comes between" in text for text in messages(funnel))
    assert funnel.stages[0].notes_before == []


def test_inactive_value_kept_by_process(tmp_path: Path) -> None:
    stages = tmp_path / "stages.xml"
    stages.write_text(
        picklist_xml(
            value_xml("Open", "20"),
            value_xml("Old", "50", extra="\n        <isActive>false</isActive>"),
            value_xml("Won", "100", closed="true", won="true"),
        )
    )
    process = tmp_path / "process.xml"
    process.write_text(process_xml("Old", "Open", "Won"))
    funnel = import_files(stages, process)
    assert [stage.name for stage in funnel.stages] == ["Open", "Old"]
    assert "'Old' is inactive in the picklist but listed" in messages(funnel)[0]


def test_no_won_stage_warning(tmp_path: Path) -> None:
    stages = tmp_path / "stages.xml"
    stages.write_text(picklist_xml(value_xml("Open", "20"), value_xml("Late", "40")))
    funnel = import_files(stages)
    assert [stage.conversion for stage in funnel.stages] == [0.5, 0.4]
    assert "the pipeline has no won stage" in messages(funnel)[0]


# Broken and hostile files: exit code 2 and one line naming the position.


def test_malformed_xml_position(run: RunCli) -> None:
    path = CRM_FIXTURES / "salesforce-malformed.xml"
    result = run("import", "salesforce", path)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"funnelspec: error: {path}:11:1: invalid XML: not well-formed "
        "(invalid token)\n"
    )


@pytest.mark.parametrize(
    "fixture", ["salesforce-entity-expansion.xml", "salesforce-external-entity.xml"]
)
def test_dtd_rejected(run: RunCli, fixture: str) -> None:
    path = CRM_FIXTURES / fixture
    result = run("import", "salesforce", path)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"funnelspec: error: {path}:2:")
    assert "a document type declaration (DTD) is not allowed" in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_probability_line(run: RunCli) -> None:
    path = CRM_FIXTURES / "salesforce-missing-probability.xml"
    result = run("import", "salesforce", path)
    assert result.code == 2
    assert result.stderr == (
        f"funnelspec: error: {path}:11: <standardValue> 'Qualification' has no "
        "<probability> (the stage's win probability in percent); add it, or "
        "export the file again\n"
    )


def test_process_file_as_stages(run: RunCli, salesforce_data: Path) -> None:
    path = salesforce_data / GUSTO_PAYROLL
    result = run("import", "salesforce", path)
    assert result.code == 2
    assert f"{path}:2:1: root element is <BusinessProcess>" in result.stderr
    assert "pass it with --process" in result.stderr


def test_stages_file_as_process(run: RunCli, salesforce_data: Path) -> None:
    stages = salesforce_data / GUSTO_STAGES
    result = run("import", "salesforce", stages, "--process", stages)
    assert result.code == 2
    assert "root element is <StandardValueSet>, expected <BusinessProcess>" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            [value_xml("Open", probability="ten")],
            ":7: probability of stage 'Open' is 'ten' (not a decimal number); "
            "expected a percentage from 0 to 100",
        ),
        (
            [value_xml("Open", probability="150")],
            ":7: probability of stage 'Open' is '150' (outside the range 0 to 100)",
        ),
        (
            [value_xml("Open", probability="NaN")],
            ":7: probability of stage 'Open' is 'NaN' (not a finite number)",
        ),
        (
            [value_xml("Open", probability="1E-100000000")],
            ":7: probability of stage 'Open' is '1E-100000000' (exponent "
            "-100000000 is outside -40 to 40); expected a percentage from 0 to 100",
        ),
        (
            [value_xml("Open", probability="0E-999999999")],
            ":7: probability of stage 'Open' is '0E-999999999' (exponent "
            "-999999999 is outside -40 to 40)",
        ),
        (
            [value_xml("Open", probability="1E+999999999")],
            ":7: probability of stage 'Open' is '1E+999999999' (exponent "
            "999999999 is outside -40 to 40)",
        ),
        (
            [value_xml("Open", probability="0." + "1" * 5000)],
            ":7: probability of stage 'Open' is '0."
            + "1" * 37
            + "... (5004 characters) (exponent -5000 is outside -40 to 40)",
        ),
        (
            [value_xml("Open", closed="maybe")],
            ":6: <closed> of stage 'Open' is 'maybe'; expected true or false",
        ),
        (
            [value_xml("Open", won=None)],
            ":3: <standardValue> 'Open' has no <won> (true or false)",
        ),
        (
            [value_xml("Open", probability="")],
            ":7: <standardValue> 'Open' has an empty <probability>",
        ),
        (
            [value_xml("Open"), value_xml("Open")],
            ":10: duplicate stage 'Open' (first defined on line 3); remove one of them",
        ),
        ([], ":2: <StandardValueSet> contains no <standardValue> elements"),
        (
            [value_xml("Won", "100", closed="true", won="true")],
            ":3: every stage of the pipeline is closed",
        ),
    ],
)
def test_invalid_picklist(
    run: RunCli, tmp_path: Path, values: list[str], expected: str
) -> None:
    path = tmp_path / "stages.xml"
    path.write_text(picklist_xml(*values))
    result = run("import", "salesforce", path)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"funnelspec: error: {path}{expected}")
    assert result.stderr.count("\n") == 1


def test_unknown_process_value(run: RunCli, tmp_path: Path) -> None:
    stages = tmp_path / "stages.xml"
    stages.write_text(picklist_xml(value_xml("Discovery/Engaged"), value_xml("Demo")))
    process = tmp_path / "process.xml"
    process.write_text(process_xml("Demo", "Discovery%2FEngagd"))
    result = run("import", "salesforce", stages, "--process", process)
    assert result.code == 2
    assert result.stderr == (
        f"funnelspec: error: {process}:9: stage 'Discovery/Engagd' of the sales "
        "process is not in the picklist (did you mean 'Discovery/Engaged'?); "
        "export the process and the OpportunityStage value set from the same org\n"
    )


def test_empty_process(run: RunCli, tmp_path: Path) -> None:
    stages = tmp_path / "stages.xml"
    stages.write_text(picklist_xml(value_xml("Demo")))
    process = tmp_path / "process.xml"
    process.write_text(process_xml())
    result = run("import", "salesforce", stages, "--process", process)
    assert result.code == 2
    assert "sales process lists no stages" in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", ":1:1: invalid XML: no element found"),
        (b"<a>\xff</a>", ":1:4: invalid XML: not well-formed (invalid token)"),
        (b"<a>&undefined;</a>", ":1:4: invalid XML: undefined entity"),
        (b"<Opportunity/>", ":1:1: root element is <Opportunity>, expected"),
    ],
)
def test_unreadable_xml(
    run: RunCli, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "stages.xml"
    path.write_bytes(content)
    result = run("import", "salesforce", path)
    assert result.code == 2
    assert result.stderr.startswith(f"funnelspec: error: {path}{expected}")


def test_missing_file(run: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "absent.xml"
    result = run("import", "salesforce", path)
    assert result.code == 2
    assert result.stderr == f"funnelspec: error: {path}: file not found\n"


def test_both_inputs_from_stdin(run: RunCli) -> None:
    result = run("import", "salesforce", "-", "--process", "-")
    assert result.code == 2
    assert "cannot both be - (standard input)" in result.stderr


def test_every_value_inactive(run: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "stages.xml"
    inactive = "\n        <isActive>false</isActive>"
    path.write_text(picklist_xml(value_xml("Old", extra=inactive)))
    result = run("import", "salesforce", path)
    assert result.code == 2
    assert result.stderr == (
        f"funnelspec: error: {path}:2: every value of the picklist is inactive, so "
        "there is no stage to import\n"
    )


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        ("EBCDIC-evil", "is not a text encoding that Python knows"),
        ("base64", "is not a text encoding that Python knows"),
        ("Shift_JIS", "is not supported by the XML parser"),
        ("UTF-7", "is not supported by the XML parser"),
    ],
)
def test_unsupported_encoding(
    run: RunCli, tmp_path: Path, encoding: str, reason: str
) -> None:
    path = tmp_path / "stages.xml"
    text = picklist_xml(value_xml("Open"))
    path.write_text(text.replace('encoding="UTF-8"', f'encoding="{encoding}"'))
    result = run("import", "salesforce", path)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"funnelspec: error: {path}:1: encoding {encoding!r} of the XML "
        f"declaration {reason}"
    )
    assert result.stderr.endswith(
        '; save the file as UTF-8 with encoding="UTF-8" in its XML declaration\n'
    )


def test_probability_rounded(tmp_path: Path) -> None:
    path = tmp_path / "stages.xml"
    path.write_text(picklist_xml(value_xml("Open", probability="12.34567890123456")))
    funnel = import_files(path)
    expected = Fraction(Decimal("12.345678901235")) / 100
    assert funnel.pipeline.stages[0].probability == expected
