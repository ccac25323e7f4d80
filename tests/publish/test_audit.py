"""The audit report: scorecard, themes, recommendations, output and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.errors import UsageError
from funnelspec.publish.audit import build_audit, output_format_for, write_audit
from funnelspec.publish.scorecard import Criterion

from .helpers import FIXTURES, HUBSPOT, INDUSTRIAL, MARKUP, MISTYPED, NURTURE
from .markdown_structure import parse_markdown
from .mermaid_subset import parse_flowchart

MISSING_CONVERSION = FIXTURES / "missing-conversion.yaml"
#: Monte Carlo size for tests that do not look at times to close.
SMALL = 2_000


def scores(path: Path) -> dict[str, float]:
    card = build_audit(str(path), SMALL, 1).scorecard
    result = {factor.key: round(factor.score, 6) for factor in card.factors}
    result["acceleration"] = round(card.acceleration, 6)
    return result


def test_scores_of_worked_example() -> None:
    result = scores(INDUSTRIAL)
    assert result["customer_path"] == 100
    assert result["segmentation"] == 100
    assert result["follow_up"] == 100
    assert result["acceleration"] == 100


def test_scores_without_segments() -> None:
    result = scores(HUBSPOT)
    # No key outcome on any stage: 20 of 100 points lost.
    assert result["customer_path"] == 80
    assert result["segmentation"] == 0
    # Only the decision maker (15) and the two conversion criteria (10 + 10).
    assert result["follow_up"] == 35
    assert result["acceleration"] == 0


def test_scores_with_partial_shares() -> None:
    result = scores(MISSING_CONVERSION)
    assert result["customer_path"] == 100
    # One broad segment without size or region earns only the 40 for naming it.
    assert result["segmentation"] == 40
    # The SLA of 2 days (-15) and 1 of 5 stages without conversion (-2).
    assert result["follow_up"] == 83
    assert result["acceleration"] == pytest.approx(33.2)


def criteria_by_label(path: Path) -> dict[str, Criterion]:
    card = build_audit(str(path), SMALL, 1).scorecard
    return {
        criterion.label: criterion
        for factor in card.factors
        for criterion in factor.criteria
    }


def test_graph_error_zeroes_acceleration() -> None:
    card = build_audit(str(MISTYPED), SMALL, 1).scorecard
    assert card.product > 0
    assert card.acceleration == 0
    assert card.zero_reasons == (
        "the spec has 6 error findings (FS102, FS103, FS104)",
        "the funnel wins nothing (simulated win rate 0%)",
    )


def test_graph_error_zeroes_dependent_criteria() -> None:
    criteria = criteria_by_label(MISTYPED)
    path = criteria["Typical path to won fits the conversion period"]
    assert path.earned == 0
    assert path.detail == (
        "not scored: the funnel graph has errors (FS102, FS103, FS104)"
    )
    handoff = criteria["One handoff from marketing to sales"]
    assert handoff.earned == 0
    assert handoff.detail.startswith("not scored: the funnel graph has errors")
    graph = criteria[
        "Every stage is reachable and leads to won, without unmarked loops"
    ]
    assert graph.earned == 0
    assert graph.detail == "findings of FS102, FS103, FS104"


def test_graph_error_scores_of_factors() -> None:
    result = scores(MISTYPED)
    # The graph criterion and the handoff, 10 points each.
    assert result["customer_path"] == 80
    assert result["segmentation"] == 100
    # The path to won (10 points) cannot be judged.
    assert result["follow_up"] == 90
    assert result["acceleration"] == 0


def test_root_cause_recommended_first() -> None:
    titles = [
        item.title for item in build_audit(str(MISTYPED), SMALL, 1).recommendations
    ]
    assert titles[:4] == [
        "Fix FS102 unknown-stage (line 39)",
        "Fix FS103 unreachable-stage (line 42)",
        "Fix FS104 dead-end-stage (lines 15, 22, 28, 35)",
        "Make the funnel win opportunities",
    ]


def test_consequence_names_its_cause() -> None:
    items = build_audit(str(MISTYPED), SMALL, 1).recommendations
    effects = {item.title: item.effect for item in items}
    effect = effects["Fix FS103 unreachable-stage (line 42)"]
    assert effect.endswith(
        "These can follow from the FS102 error above; run funnelspec lint again "
        "once it is fixed."
    )


def test_graph_criteria_not_recommended_twice() -> None:
    titles = [
        item.title for item in build_audit(str(MISTYPED), SMALL, 1).recommendations
    ]
    assert not any(title.startswith("Every stage is reachable") for title in titles)
    assert "Typical path to won fits the conversion period" not in titles
    assert "One handoff from marketing to sales" not in titles


def test_duplicate_id_before_consequences(tmp_path: Path) -> None:
    text = MISTYPED.read_text(encoding="utf-8")
    text = text.replace("next: {negotiaton: 0.55}", "conversion: 0.55")
    text = text.replace("  - id: demo\n", "  - id: qualified\n")
    spec = tmp_path / "duplicate.yaml"
    spec.write_text(text, encoding="utf-8")
    titles = [item.title for item in build_audit(str(spec), SMALL, 1).recommendations]
    assert titles[:3] == [
        "Fix FS101 duplicate-stage-id (line 28)",
        "Fix FS103 unreachable-stage (lines 35, 42)",
        "Fix FS104 dead-end-stage (lines 15, 22)",
    ]


def test_markdown_report_explains_zero(tmp_path: Path) -> None:
    output = tmp_path / "audit.md"
    write_audit(str(MISTYPED), output, opportunities=SMALL, seed=1)
    text = output.read_text(encoding="utf-8")
    assert (
        "Opportunity acceleration is 0 because the spec has 6 error findings "
        "(FS102, FS103, FS104) and the funnel wins nothing (simulated win rate 0%)."
    ) in text
    assert "while the spec has an error finding or the funnel wins" in text
    table = parse_markdown(text).table_after("Scorecard")
    assert table.rows[-1][1].startswith("0 / 100 (the product of the factors is 72;")


def test_cli_audit_says_why_zero(tmp_path: Path) -> None:
    output = tmp_path / "report.md"
    result = CliRunner().invoke(
        cli, ["audit", str(MISTYPED), "-o", str(output), "--opportunities", "1000"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"wrote {output}: Customer path 80, Segmentation 100, Follow-up conversion "
        "90; opportunity acceleration 0 because the spec has 6 error findings "
        "(FS102, FS103, FS104) and the funnel wins nothing (simulated win rate 0%)\n"
    )


def test_theme_order() -> None:
    themes = build_audit(str(HUBSPOT), SMALL, 1).themes
    assert [theme.title for theme in themes] == [
        "Stage design",
        "Timing and follow-up",
        "Numbers",
        "Segmentation",
        "Stakeholders",
        "Funnel graph",
        "File and format",
    ]


def test_theme_groups_by_rule() -> None:
    themes = {
        theme.title: theme for theme in build_audit(str(HUBSPOT), SMALL, 1).themes
    }
    stage_design = themes["Stage design"]
    assert [group.rule.code for group in stage_design.failed] == ["FS205"]
    assert len(stage_design.failed[0].findings) == 5
    assert stage_design.failed[0].rule.rationale.startswith("Without a key outcome")


def test_passed_rules_skip_other_motion() -> None:
    themes = {
        theme.title: theme for theme in build_audit(str(HUBSPOT), SMALL, 1).themes
    }
    passed = [rule.code for rule in themes["Stage design"].passed]
    assert "FS202" in passed
    assert "FS203" not in passed


def test_recommendations_weakest_factor_first() -> None:
    titles = [
        item.title for item in build_audit(str(HUBSPOT), SMALL, 1).recommendations
    ]
    assert titles[0] == "The funnel names its target segments"
    assert titles[-2:] == [
        "Raise the conversion of Appointment scheduled",
        "Raise the conversion of Qualified to buy",
    ]


def test_blocked_criteria_not_recommended() -> None:
    titles = [
        item.title for item in build_audit(str(HUBSPOT), SMALL, 1).recommendations
    ]
    assert "Segments state the regions the team serves" not in titles
    assert "Follow-up SLA is 24 hours or less" not in titles


def test_zero_factor_named_in_effect() -> None:
    items = build_audit(str(HUBSPOT), SMALL, 1).recommendations
    effects = {item.title: item.effect for item in items}
    assert effects["Follow-up SLA is stated"] == (
        "Follow-up conversion +15 points; opportunity acceleration stays 0 until "
        "Segmentation scores above 0."
    )


def test_bottleneck_recommendation() -> None:
    items = build_audit(str(INDUSTRIAL), SMALL, 1).recommendations
    assert items[0].title == "Raise the conversion of Engaged"
    assert items[0].effect == "+2.64 wins per month (792,000 CNY)."


def test_unsimulable_spec_still_reported() -> None:
    report = build_audit(str(MISSING_CONVERSION), SMALL, 1)
    assert report.simulation is None
    assert "stage 'proposal' states no conversion" in report.simulation_error
    assert report.recommendations[0].title == "Make the funnel simulable"


def test_invalid_spec_rejected(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("funnelspec: 1\nname: x\nmotion: b2x\nstages: []\n")
    with pytest.raises(
        UsageError, match=r"broken.yaml: not a valid funnel spec \(line"
    ):
        build_audit(str(broken), SMALL, 1)


def test_format_from_suffix() -> None:
    assert output_format_for(Path("report.md"), None) == "md"
    assert output_format_for(Path("report.html"), None) == "html"
    assert output_format_for(Path("report"), None) == "html"
    assert output_format_for(Path("report.md"), "html") == "html"


def test_markdown_report_sections(tmp_path: Path) -> None:
    output = tmp_path / "audit.md"
    write_audit(str(INDUSTRIAL), output, opportunities=SMALL, seed=1)
    structure = parse_markdown(output.read_text(encoding="utf-8"))
    assert [line for line in structure.headings if line.startswith("## ")] == [
        "## Summary",
        "## Scorecard",
        "## Simulation",
        "## Findings by theme",
        "## Recommendations",
        "## The funnel",
    ]
    (block,) = structure.code_blocks["mermaid"]
    assert len(parse_flowchart(block).nodes) == 6


def test_markdown_report_key_figures(tmp_path: Path) -> None:
    output = tmp_path / "audit.md"
    write_audit(str(INDUSTRIAL), output, opportunities=SMALL, seed=1)
    figures = dict(parse_markdown(output.read_text()).table_after("Summary").rows)
    assert figures["Win rate"] == "4.6%"
    assert figures["Wins per month"] == "18.5"
    assert figures["Won value per month"] == "5,544,000 CNY"


def test_markdown_report_bottleneck_rows(tmp_path: Path) -> None:
    output = tmp_path / "audit.md"
    write_audit(str(INDUSTRIAL), output, opportunities=SMALL, seed=1)
    table = parse_markdown(output.read_text()).table_after("Bottlenecks")
    assert table.header[3] == "Extra wins per month"
    assert table.rows[0] == ["Engaged", "35%", "40%", "2.64", "792,000 CNY"]
    assert len(table.rows) == 5


def test_markdown_charts_beside_report(tmp_path: Path) -> None:
    output = tmp_path / "audit.md"
    write_audit(str(INDUSTRIAL), output, opportunities=SMALL, seed=1)
    text = output.read_text()
    assert "](audit-funnel.svg)" in text
    assert "](audit-time-to-close.svg)" in text
    assert (tmp_path / "audit-funnel.svg").read_text().startswith("<?xml")
    assert (tmp_path / "audit-time-to-close.svg").is_file()


def test_markdown_report_escapes_markup(tmp_path: Path) -> None:
    output = tmp_path / "audit.md"
    write_audit(str(MARKUP), output, opportunities=SMALL, seed=1)
    text = output.read_text()
    assert "<script>" not in text
    assert "&lt;script&gt;alert('stage')&lt;/script&gt;" in text


def test_html_same_bytes_twice(tmp_path: Path) -> None:
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    write_audit(str(NURTURE), first, opportunities=SMALL, seed=7)
    write_audit(str(NURTURE), second, opportunities=SMALL, seed=7)
    assert first.read_bytes() == second.read_bytes()


def test_html_has_no_date_or_link(tmp_path: Path) -> None:
    output = tmp_path / "a.html"
    write_audit(str(INDUSTRIAL), output, opportunities=SMALL, seed=1)
    text = output.read_text()
    assert "<dc:date>" not in text
    assert "https://" not in text
    assert "<script" not in text


def test_html_escapes_markup(tmp_path: Path) -> None:
    output = tmp_path / "a.html"
    write_audit(str(MARKUP), output, opportunities=SMALL, seed=1)
    text = output.read_text()
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert "&lt;script&gt;alert(&#39;stage&#39;)&lt;/script&gt;" in text


def test_cli_audit_writes_report(tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli, ["audit", str(HUBSPOT), "-o", str(output), "--opportunities", "1000"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"wrote {output}: Customer path 80, Segmentation 0, Follow-up conversion 35; "
        "opportunity acceleration 0\n"
    )
    assert output.read_text().startswith("<!DOCTYPE html>")


def test_cli_audit_output_is_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["audit", str(INDUSTRIAL), "-o", str(tmp_path)])
    assert result.exit_code == 2


def test_cli_audit_missing_parent(tmp_path: Path) -> None:
    output = tmp_path / "missing" / "report.html"
    result = CliRunner().invoke(cli, ["audit", str(INDUSTRIAL), "-o", str(output)])
    assert result.exit_code == 2
    assert "directory not found" in result.output


def test_cli_audit_invalid_spec(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("funnelspec: 1\nstages: [\n")
    result = CliRunner().invoke(cli, ["audit", str(broken), "-o", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "not a valid funnel spec" in result.output
    assert "Traceback" not in result.output
