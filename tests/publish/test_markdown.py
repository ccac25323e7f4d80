"""Markdown pages and reports: structure, escaping and the index."""

from __future__ import annotations

from funnelspec.publish.docs import render_index, render_page
from funnelspec.publish.render import escape_markdown

from .helpers import HUBSPOT, INDUSTRIAL, MARKUP, SCRIPT_NAME, load_page
from .markdown_structure import parse_markdown
from .mermaid_subset import parse_flowchart


def test_escape_markdown_html() -> None:
    assert escape_markdown("<b>a & b</b>") == "&lt;b&gt;a &amp; b&lt;/b&gt;"


def test_escape_markdown_punctuation() -> None:
    assert escape_markdown("a|b *c* _d_ [e](f) #g `h` $i$") == (
        r"a\|b \*c\* \_d\_ \[e\](f) \#g \`h\` \$i\$"
    )


def test_escape_markdown_line_breaks() -> None:
    assert escape_markdown("one\n  two\r\nthree") == "one two three"


def test_escape_markdown_keeps_spaces() -> None:
    assert escape_markdown(" per month") == " per month"


def test_page_headings() -> None:
    structure = parse_markdown(render_page(load_page(INDUSTRIAL), "md"))
    assert structure.headings == [
        "# Industrial 3D design software, new customers",
        "## Overview",
        "### Segments",
        "## Flowchart",
        "## Stages",
        "## Findings",
    ]


def test_page_overview_rows() -> None:
    structure = parse_markdown(render_page(load_page(INDUSTRIAL), "md"))
    rows = dict(structure.table_after("Overview").rows)
    assert rows["Motion"] == "B2B"
    assert rows["Conversion period"] == "6 months"
    assert rows["Follow-up SLA"] == "24 hours"
    assert rows["Average deal value"] == "300,000 CNY"


def test_page_segment_rows() -> None:
    table = parse_markdown(render_page(load_page(INDUSTRIAL), "md")).table_after(
        "Segments"
    )
    assert len(table.rows) == 3
    assert table.rows[1] == [
        "Heavy machinery",
        "heavy machinery",
        "annual revenue at least 25,000,000 CNY",
        "East China, South China, North China",
    ]


def test_page_stage_rows() -> None:
    table = parse_markdown(render_page(load_page(INDUSTRIAL), "md")).table_after(
        "Stages"
    )
    assert table.header[:3] == ["#", "Stage", "Owner"]
    assert len(table.rows) == 5
    assert table.rows[1] == [
        "2",
        "Qualified",
        "Sales",
        "Buyer confirmed a design project and a budget in a call",
        "Project, budget and timeline confirmed; First contact made within 24 "
        "hours of the download",
        "50%",
        "3 weeks (p90 8 weeks)",
        "influencer",
    ]


def test_page_flowchart_parses() -> None:
    structure = parse_markdown(render_page(load_page(INDUSTRIAL), "md"))
    (block,) = structure.code_blocks["mermaid"]
    chart = parse_flowchart(block)
    assert len(chart.edges) == 5


def test_page_without_findings() -> None:
    text = render_page(load_page(INDUSTRIAL), "md")
    assert "No findings: the spec passes every rule" in text


def test_page_findings_rows() -> None:
    table = parse_markdown(render_page(load_page(HUBSPOT), "md")).table_after(
        "Findings"
    )
    assert len(table.rows) == 9
    assert table.rows[0][:3] == ["9:1", "FS301 missing-conversion-period", "warning"]


def test_page_markup_is_text() -> None:
    text = render_page(load_page(MARKUP), "md")
    assert SCRIPT_NAME not in text
    assert "<img" not in text
    assert "&lt;script&gt;alert('stage')&lt;/script&gt;" in text


def test_page_pipe_stays_in_cell() -> None:
    table = parse_markdown(render_page(load_page(MARKUP), "md")).table_after("Stages")
    assert table.rows[0][3] == (
        r'Clicked "Download" \| then \[linked\](http://example.invalid)'
    )


def test_index_rows() -> None:
    pages = [load_page(INDUSTRIAL), load_page(HUBSPOT)]
    table = parse_markdown(render_index(pages, "md")).table_after("Funnels")
    assert table.rows[0][0] == (
        "[Industrial 3D design software, new customers](industrial-3d-design.md)"
    )
    assert table.rows[1][4] == "9"
