"""The Mermaid flowchart: structure, escaping, and rendering by the Mermaid CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from funnelspec.publish.docs import render_page
from funnelspec.publish.mermaid import escape_label, flowchart

from .helpers import INDUSTRIAL, MARKUP, NURTURE, SCRIPT_NAME, load_page
from .mermaid_subset import MermaidSyntaxError, parse_flowchart

DEFAULT_MMDC = Path.home() / ".cache/funnelspec/mermaid-cli/node_modules/.bin/mmdc"
CHROMIUM = Path("/usr/bin/chromium")
#: Specs whose Markdown pages the Mermaid CLI renders; each has a Proposal stage.
RENDERED = [INDUSTRIAL, NURTURE, MARKUP]


def test_escape_label_entities() -> None:
    assert escape_label('a "b" <c> & #d | `e`') == (
        "a #quot;b#quot; #lt;c#gt; #amp; #35;d #124; #96;e#96;"
    )


def test_escape_label_joins_lines() -> None:
    assert escape_label("one\n  two") == "one two"


def test_industrial_nodes() -> None:
    chart = parse_flowchart(flowchart(load_page(INDUSTRIAL)))
    assert chart.direction == "TD"
    assert chart.nodes == {
        "s0": "Engaged\nMarketing",
        "s1": "Qualified\nSales",
        "s2": "Evaluating\nSales",
        "s3": "Proposal\nSales",
        "s4": "Negotiation\nSales",
        "won": "won",
    }


def test_industrial_edges() -> None:
    chart = parse_flowchart(flowchart(load_page(INDUSTRIAL)))
    edges = [(edge.source, edge.target, edge.label) for edge in chart.edges]
    assert edges == [
        ("s0", "s1", "handoff to sales: 35%"),
        ("s1", "s2", "50%"),
        ("s2", "s3", "60%"),
        ("s3", "s4", "55%"),
        ("s4", "won", "80%"),
    ]


def test_handoff_is_the_only_thick_edge() -> None:
    chart = parse_flowchart(flowchart(load_page(INDUSTRIAL)))
    thick = [(edge.source, edge.target) for edge in chart.edges if edge.thick]
    assert thick == [("s0", "s1")]


def test_owner_classes() -> None:
    chart = parse_flowchart(flowchart(load_page(INDUSTRIAL)))
    assert chart.members["s0"] == "marketing"
    assert chart.members["s3"] == "sales"
    assert chart.members["won"] == "terminal"


def test_next_map_edges() -> None:
    chart = parse_flowchart(flowchart(load_page(NURTURE)))
    edges = {(edge.source, edge.target): edge for edge in chart.edges}
    assert edges["s1", "s2"].label == "50%"
    assert edges["s1", "s3"].label == "20%"
    assert edges["s3", "won"].label == "45%"
    assert edges["s3", "s4"].label == "25%"
    assert edges["s4", "s1"].label == "15%"


def test_nurture_return_is_not_handoff() -> None:
    chart = parse_flowchart(flowchart(load_page(NURTURE)))
    thick = [(edge.source, edge.target) for edge in chart.edges if edge.thick]
    assert thick == [("s0", "s1")]


def test_markup_in_names_round_trips() -> None:
    chart = parse_flowchart(flowchart(load_page(MARKUP)))
    assert chart.nodes["s0"] == f"{SCRIPT_NAME}\nMarketing"
    assert chart.nodes["s1"] == "Qualified #1 `code` --> end\nSales"


def test_markup_is_not_raw_in_text() -> None:
    text = flowchart(load_page(MARKUP))
    assert "<script>" not in text
    assert "-->" not in text.split("\n")[2]


def test_subset_parser_rejects_unquoted_label() -> None:
    with pytest.raises(MermaidSyntaxError):
        parse_flowchart('flowchart TD\n    s0[Engaged "x"]')


def test_subset_parser_rejects_bare_hash() -> None:
    with pytest.raises(MermaidSyntaxError):
        parse_flowchart('flowchart TD\n    s0["#1"]')


def test_subset_parser_rejects_undeclared_node() -> None:
    with pytest.raises(MermaidSyntaxError):
        parse_flowchart('flowchart TD\n    s0["a"]\n    s0 -->|"1%"| s9')


def _mmdc() -> Path | None:
    configured = os.environ.get("FUNNELSPEC_MMDC")
    candidate = Path(configured) if configured else DEFAULT_MMDC
    if candidate.is_file() and CHROMIUM.is_file() and shutil.which("node"):
        return candidate
    return None


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Render the Markdown pages of three specs in one Mermaid CLI run.

    The CLI renders every mermaid block of a Markdown file to out-N.svg and
    exits with 1 when any block fails to parse.
    """
    mmdc = _mmdc()
    if mmdc is None:
        message = "Mermaid CLI or Chromium missing; .ci/run installs both"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    directory = tmp_path_factory.mktemp("mermaid")
    config = directory / "puppeteer.json"
    config.write_text(
        json.dumps(
            {
                "executablePath": str(CHROMIUM),
                "args": ["--no-sandbox", "--disable-gpu", "--no-first-run"],
            }
        )
    )
    pages = [render_page(load_page(path), "md") for path in RENDERED]
    source = directory / "pages.md"
    source.write_text("\n\n".join(pages), encoding="utf-8")
    completed = subprocess.run(
        [
            str(mmdc),
            "-p",
            str(config),
            "-i",
            str(source),
            "-o",
            str(directory / "out.md"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return [
        (directory / f"out-{number}.svg").read_text(encoding="utf-8")
        for number in range(1, len(RENDERED) + 1)
    ]


@pytest.mark.browser
def test_mermaid_cli_renders_every_page(rendered: list[str]) -> None:
    for svg in rendered:
        assert "Proposal" in svg


@pytest.mark.browser
def test_mermaid_cli_shows_markup_as_text(rendered: list[str]) -> None:
    markup = rendered[RENDERED.index(MARKUP)]
    assert "&lt;script&gt;alert('stage')&lt;/script&gt;" in markup
    assert "<script>alert" not in markup
