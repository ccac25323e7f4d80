"""The funnel as a directed graph: stages, transitions and the terminals won and lost.

Each edge carries ``probability`` (None when the spec does not state it) and
``source``, the path of the spec value that created it, so a finding about an
edge points at the ``next`` entry or the ``conversion`` it came from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx

from funnelspec.findings import Path
from funnelspec.spec.model import Spec, Stage

WON = "won"
LOST = "lost"


@dataclass(frozen=True, slots=True)
class Transition:
    """One edge of the funnel graph."""

    source: str
    target: str
    probability: float | None
    path: Path


class FunnelGraph:
    """Stages as nodes, with the implicit terminals ``won`` and ``lost``."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.index = spec.stage_index()
        self.stages: dict[str, Stage] = {
            stage_id: spec.stages[position] for stage_id, position in self.index.items()
        }
        self.entry = spec.stages[0].id
        self.graph: nx.DiGraph[str] = nx.DiGraph()
        self.graph.add_nodes_from(self.stages)
        self.graph.add_nodes_from((WON, LOST))
        for stage_id, position in self.index.items():
            for transition in self._transitions(position):
                if transition.target in self.graph:
                    self.graph.add_edge(
                        stage_id,
                        transition.target,
                        probability=transition.probability,
                        path=transition.path,
                    )

    def _transitions(self, position: int) -> list[Transition]:
        stage = self.spec.stages[position]
        base: Path = ("stages", position)
        if stage.next is not None:
            # Whatever the next map leaves goes to lost, on top of a stated lost.
            remainder = max(0.0, 1.0 - sum(stage.next.values()))
            transitions = [
                Transition(
                    stage.id,
                    target,
                    rate + remainder if target == LOST else rate,
                    (*base, "next", target),
                )
                for target, rate in stage.next.items()
            ]
            if LOST not in stage.next:
                transitions.append(
                    Transition(stage.id, LOST, remainder, (*base, "next"))
                )
            return transitions
        following = (
            self.spec.stages[position + 1].id
            if position + 1 < len(self.spec.stages)
            else WON
        )
        rate = stage.conversion
        lost = None if rate is None else 1.0 - rate
        return [
            Transition(stage.id, following, rate, (*base, "conversion")),
            Transition(stage.id, LOST, lost, (*base, "conversion")),
        ]

    def successors(self, stage_id: str) -> list[str]:
        return list(self.graph.successors(stage_id))

    def probability(self, source: str, target: str) -> float | None:
        value: float | None = self.graph.edges[source, target]["probability"]
        return value

    def edge_path(self, source: str, target: str) -> Path:
        path: Path = self.graph.edges[source, target]["path"]
        return path

    def descendants(self, stage_id: str) -> set[str]:
        found: set[str] = nx.descendants(self.graph, stage_id)
        return found

    def reachable_from(self, sources: list[str]) -> set[str]:
        """Return the sources and every node reachable from them, in one search."""
        lengths = nx.multi_source_dijkstra_path_length(self.graph, set(sources))
        return set(lengths)

    def reachable_from_entry(self) -> set[str]:
        return {self.entry} | set(nx.descendants(self.graph, self.entry))

    def can_reach_won(self) -> set[str]:
        """Return the stages with a path to won; a probability-0 edge is no path."""
        open_edges = nx.subgraph_view(
            self.graph,
            filter_edge=lambda source, target: (
                self.graph.edges[source, target]["probability"] != 0
            ),
        )
        return set(nx.ancestors(open_edges, WON))

    def stage_cycles(self) -> list[list[str]]:
        """Return loops between stages as lists of stage ids, in spec order."""
        # won and lost have no outgoing edges, so they are never on a loop and
        # the whole graph can be searched (faster than a subgraph view).
        loops: list[list[str]] = []
        for component in nx.strongly_connected_components(self.graph):
            if len(component) == 1 and component <= {WON, LOST}:
                continue
            members = sorted(component, key=self.index.__getitem__)
            first = members[0]
            if len(members) > 1 or self.graph.has_edge(first, first):
                loops.append(members)
        loops.sort(key=lambda members: self.index[members[0]])
        return loops

    def find_cycle(self, members: list[str]) -> list[tuple[str, str]]:
        """Return the edges of one loop through ``members``, from the first."""
        edges = nx.find_cycle(self.graph.subgraph(members), source=members[0])
        return [(source, target) for source, target in edges]

    def likely_path_to_won(self) -> list[str] | None:
        """Return the most probable path from the entry stage to won.

        Edges with an unknown probability count as certain, so the path is
        still found in a funnel whose conversions are not all stated.
        """

        def weight(_source: str, _target: str, data: dict[str, object]) -> float | None:
            # networkx hides an edge whose weight is None: a zero probability.
            probability = data["probability"]
            if probability is None:
                return 0.0
            assert isinstance(probability, float)
            return None if probability <= 0 else -math.log(probability)

        try:
            path: list[str] = nx.dijkstra_path(self.graph, self.entry, WON, weight)
        except nx.NetworkXNoPath:
            return None
        return path
