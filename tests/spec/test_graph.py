"""The funnel graph: default and explicit transitions, terminals, queries."""

from __future__ import annotations

import pytest

from funnelspec.graph import LOST, WON, FunnelGraph
from funnelspec.spec.loader import load_text
from funnelspec.spec.model import Spec
from funnelspec.spec.parse import parse_document

HEADER = "funnelspec: 1\nname: Example\nmotion: b2b\nstages:\n"


def graph_of(stages: str) -> FunnelGraph:
    document = load_text(HEADER + stages, "spec.yaml")
    spec = parse_document(document)
    assert document.problems == []
    assert isinstance(spec, Spec)
    return FunnelGraph(spec)


LINEAR = """\
  - {id: engaged, conversion: 0.4}
  - {id: qualified, conversion: 0.5}
  - {id: proposal}
"""

BRANCHING = """\
  - {id: engaged, conversion: 0.4}
  - {id: qualified, next: {evaluating: 0.5, proposal: 0.2}}
  - {id: evaluating, conversion: 0.6}
  - {id: proposal, conversion: 0.5}
"""


def test_terminals_are_nodes() -> None:
    graph = graph_of(LINEAR)
    assert set(graph.graph.nodes) == {"engaged", "qualified", "proposal", WON, LOST}
    assert graph.successors(WON) == []
    assert graph.successors(LOST) == []


def test_entry_is_first_stage() -> None:
    assert graph_of(LINEAR).entry == "engaged"


def test_default_transitions() -> None:
    graph = graph_of(LINEAR)
    assert graph.successors("engaged") == ["qualified", LOST]
    assert graph.probability("engaged", "qualified") == 0.4
    assert graph.probability("engaged", LOST) == pytest.approx(0.6)
    assert graph.edge_path("engaged", "qualified") == ("stages", 0, "conversion")


def test_last_stage_goes_to_won() -> None:
    graph = graph_of(LINEAR)
    assert graph.successors("qualified") == ["proposal", LOST]
    assert graph.successors("proposal") == [WON, LOST]


def test_missing_conversion_is_unknown() -> None:
    graph = graph_of(LINEAR)
    assert graph.probability("proposal", WON) is None
    assert graph.probability("proposal", LOST) is None


def test_explicit_transitions() -> None:
    graph = graph_of(BRANCHING)
    assert graph.successors("qualified") == ["evaluating", "proposal", LOST]
    assert graph.probability("qualified", "proposal") == 0.2
    assert graph.edge_path("qualified", "proposal") == (
        "stages",
        1,
        "next",
        "proposal",
    )


def test_remainder_goes_to_lost() -> None:
    graph = graph_of(BRANCHING)
    assert graph.probability("qualified", LOST) == pytest.approx(0.3)
    assert graph.edge_path("qualified", LOST) == ("stages", 1, "next")


def test_stated_lost_gets_remainder() -> None:
    graph = graph_of("  - {id: a, next: {won: 0.5, lost: 0.1}}\n")
    assert graph.probability("a", LOST) == pytest.approx(0.5)
    assert graph.edge_path("a", LOST) == ("stages", 0, "next", "lost")


def test_next_to_won_directly() -> None:
    graph = graph_of("  - {id: a, next: {won: 0.5}}\n  - {id: b, conversion: 0.5}\n")
    assert graph.successors("a") == [WON, LOST]
    assert graph.reachable_from_entry() == {"a", WON, LOST}


def test_unknown_target_left_out() -> None:
    graph = graph_of("  - {id: a, next: {nowhere: 0.5, won: 0.2}}\n")
    assert "nowhere" not in graph.graph
    assert graph.successors("a") == [WON, LOST]


def test_duplicate_id_keeps_first() -> None:
    graph = graph_of("  - {id: a, conversion: 0.5}\n  - {id: a, conversion: 0.9}\n")
    assert graph.index == {"a": 0}
    assert graph.probability("a", "a") == 0.5


def test_reachability() -> None:
    graph = graph_of(
        "  - {id: a, next: {c: 0.5}}\n  - {id: b, next: {won: 0.5}}\n"
        "  - {id: c, next: {lost: 1.0}}\n"
    )
    assert graph.reachable_from_entry() == {"a", "c", LOST}
    assert graph.can_reach_won() == {"b"}
    assert graph.descendants("a") == {"c", LOST}


def test_no_cycles_in_linear_funnel() -> None:
    assert graph_of(LINEAR).stage_cycles() == []


def test_cycle_in_spec_order() -> None:
    graph = graph_of(
        "  - {id: a, conversion: 0.5}\n  - {id: b, conversion: 0.5}\n"
        "  - {id: c, next: {b: 0.2, won: 0.5}}\n"
    )
    assert graph.stage_cycles() == [["b", "c"]]
    assert graph.find_cycle(["b", "c"]) == [("b", "c"), ("c", "b")]


def test_self_loop_is_cycle() -> None:
    graph = graph_of("  - {id: a, next: {a: 0.2, won: 0.5}}\n")
    assert graph.stage_cycles() == [["a"]]
    assert graph.find_cycle(["a"]) == [("a", "a")]


def test_likely_path_takes_likely_branch() -> None:
    path = graph_of(BRANCHING).likely_path_to_won()
    assert path == ["engaged", "qualified", "evaluating", "proposal", WON]


def test_likely_path_skips_unlikely_branch() -> None:
    stages = BRANCHING.replace(
        "evaluating: 0.5, proposal: 0.2", "evaluating: 0.1, proposal: 0.5"
    )
    path = graph_of(stages).likely_path_to_won()
    assert path == ["engaged", "qualified", "proposal", WON]


def test_likely_path_unknown_counts_as_certain() -> None:
    path = graph_of(LINEAR).likely_path_to_won()
    assert path == ["engaged", "qualified", "proposal", WON]


def test_likely_path_ignores_zero() -> None:
    graph = graph_of(
        "  - {id: a, next: {won: 0, b: 0.5}}\n  - {id: b, conversion: 0.5}\n"
    )
    assert graph.likely_path_to_won() == ["a", "b", WON]


def test_no_path_to_won() -> None:
    graph = graph_of("  - {id: a, next: {lost: 1.0}}\n")
    assert graph.likely_path_to_won() is None
