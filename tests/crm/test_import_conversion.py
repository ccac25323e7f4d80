"""Stage ids and conversions derived from CRM stages."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funnelspec.crm.conversion import convert_pipeline, round_rate, stage_ids
from funnelspec.crm.pipeline import CrmPipeline, CrmStage, format_percent, parse_share
from funnelspec.spec.model import STAGE_ID_PATTERN, TERMINALS


def pipeline(*stages: tuple[str, str, str]) -> CrmPipeline:
    """Build a pipeline from (label, percent, state) with state open, won or lost."""
    crm_stages = [
        CrmStage(
            label=label,
            probability=Fraction(percent) / 100,
            closed=state != "open",
            won=state == "won",
            location=f"test:{line}",
        )
        for line, (label, percent, state) in enumerate(stages, start=1)
    ]
    return CrmPipeline(crm="Test", name="Test", sources=["test"], stages=crm_stages)


def test_ids_from_labels() -> None:
    labels = ["Needs Analysis", "Id. Decision Makers", "Proposal/Price Quote"]
    assert stage_ids(labels) == [
        "needs_analysis",
        "id_decision_makers",
        "proposal_price_quote",
    ]


def test_ids_made_unique() -> None:
    assert stage_ids(["Demo", "demo", "DEMO!"]) == ["demo", "demo_2", "demo_3"]


def test_ids_for_special_labels() -> None:
    labels = ["初步接触", "Won", "lost", "2nd call", "Évaluation", "--"]
    assert stage_ids(labels) == [
        "stage_1",
        "won_stage",
        "lost_stage",
        "stage_2nd_call",
        "evaluation",
        "stage_6",
    ]


def test_ids_capped_at_64() -> None:
    label = "Very long stage name " * 5
    ids = stage_ids([label, label])
    assert [len(stage_id) for stage_id in ids] == [64, 64]
    assert ids[1] == ids[0][:62] + "_2"


@given(st.lists(st.text(max_size=80), max_size=12))
def test_ids_always_valid(labels: list[str]) -> None:
    ids = stage_ids(labels)
    assert len(ids) == len(labels)
    assert len(set(ids)) == len(ids)
    for stage_id in ids:
        assert re.match(STAGE_ID_PATTERN, stage_id)
        assert len(stage_id) <= 64
        assert stage_id not in TERMINALS


def test_round_rate_keeps_open_interval() -> None:
    assert round_rate(Fraction(1, 3)) == 0.3333
    assert round_rate(Fraction(99_999, 100_000)) == 0.99999
    assert round_rate(Fraction(1, 1_000_000)) == 0.000001
    assert round_rate(Fraction(1)) == 1.0
    assert round_rate(Fraction(0)) == 0.0


def test_parse_share_range() -> None:
    assert parse_share("10", 100) == Fraction(1, 10)
    assert parse_share(" 0.25 ", 1) == Fraction(1, 4)
    assert parse_share("12.5", 100) == Fraction(1, 8)
    assert parse_share("1E+2", 100) == 1
    assert parse_share("0.1234567890126", 1) == Fraction(123456789013, 10**12)


@pytest.mark.parametrize(
    ("text", "scale", "reason"),
    [
        ("101", 100, "outside the range 0 to 100"),
        ("-1", 100, "outside the range 0 to 100"),
        ("1.01", 1, "outside the range 0 to 1"),
        ("NaN", 100, "not a finite number"),
        ("Infinity", 1, "not a finite number"),
        ("ten", 100, "not a decimal number"),
        ("1E-100000000", 1, "exponent -100000000 is outside -40 to 40"),
        ("1E+41", 100, "exponent 41 is outside -40 to 40"),
    ],
)
def test_parse_share_invalid(text: str, scale: int, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_share(text, scale)
    assert str(caught.value) == reason


def test_format_percent() -> None:
    assert format_percent(Fraction(1, 5)) == "20%"
    assert format_percent(Fraction(1, 8)) == "12.5%"
    assert format_percent(Fraction(1, 3)) == "33.33%"


def test_next_stage_at_full_probability() -> None:
    funnel = convert_pipeline(
        pipeline(
            ("Demo", "50", "open"), ("Signed", "100", "open"), ("Won", "100", "won")
        )
    )
    assert [stage.conversion for stage in funnel.stages] == [0.5, None]
    assert [str(warning) for warning in funnel.warnings] == [
        "test:2: open stage 'Signed' is at 100%, which says all of its deals are "
        "won; no conversion is derived for stage 'signed'"
    ]


def test_equal_probabilities_convert_fully() -> None:
    funnel = convert_pipeline(
        pipeline(("A", "10", "open"), ("B", "10", "open"), ("Won", "100", "won"))
    )
    assert [stage.conversion for stage in funnel.stages] == [1.0, 0.1]
    assert funnel.warnings == []


def test_closed_stages_listed_before_next_open() -> None:
    funnel = convert_pipeline(
        pipeline(
            ("Lost early", "0", "lost"),
            ("A", "20", "open"),
            ("Won", "100", "won"),
            ("Lost", "0", "lost"),
            ("B", "40", "open"),
        )
    )
    assert funnel.stages[0].notes_before == []
    assert funnel.stages[1].notes_before == [
        "Test places closed stage 'Won' (won) here",
        "Test places closed stage 'Lost' (lost) here",
    ]
    between = [str(w) for w in funnel.warnings if "comes between" in w.message]
    assert [text.split(":")[1] for text in between] == ["3", "4"]


def test_won_but_not_closed() -> None:
    stages = [
        CrmStage("Open", Fraction(1, 2), closed=False, won=False, location="t:1"),
        CrmStage("Won", Fraction(1), closed=False, won=True, location="t:2"),
    ]
    funnel = convert_pipeline(
        CrmPipeline(crm="Test", name="Test", sources=["t"], stages=stages)
    )
    assert [stage.id for stage in funnel.stages] == ["open"]
    assert funnel.won == ["Won"]
    assert [str(warning) for warning in funnel.warnings] == [
        "t:2: stage 'Won' is won but not closed; it is treated as closed"
    ]
