"""The registry of check functions that rulesets refer to by name.

A check receives the lint context and the rule's options and yields
``Problem`` objects: where the problem is and the values its rule's message
template needs. The rule, not the check, decides severity and wording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from funnelspec.findings import Path
from funnelspec.graph import FunnelGraph
from funnelspec.spec.loader import SourceMap
from funnelspec.spec.model import Spec


@dataclass(frozen=True, slots=True)
class Problem:
    """One place a check found wrong, with the values for the message."""

    path: Path
    values: Mapping[str, Any] = field(default_factory=dict)
    #: Point at the key of a mapping entry rather than at its value.
    at_key: bool = False


@dataclass
class Context:
    """Input of a check: the spec, its graph and the positions of its values."""

    spec: Spec
    source: SourceMap
    file: str = ""

    @cached_property
    def graph(self) -> FunnelGraph:
        return FunnelGraph(self.spec)


Check = Callable[[Context, Mapping[str, Any]], Iterator[Problem]]

CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    """Register a check function under ``name``, the name rulesets use."""

    def decorator(function: Check) -> Check:
        if name in CHECKS:
            raise ValueError(f"check {name!r} is registered twice")
        CHECKS[name] = function
        return function

    return decorator


#: Entry point group through which installed packages provide checks.
ENTRY_POINT_GROUP = "funnelspec.checks"


def known_check(name: str) -> bool:
    """Tell whether a check is built in, registered by a plugin or installed."""
    try:
        get_check(name)
    except KeyError:
        return False
    return True


def get_check(name: str) -> Check:
    """Return the check registered as ``name``.

    Built-in checks are registered on first use; a name not registered yet is
    looked up among the installed ``funnelspec.checks`` entry points. Raises
    KeyError when no check has that name.
    """
    from funnelspec.rules import checks  # noqa: F401  (registers the built-ins)

    if name not in CHECKS:
        _load_entry_point(name)
    return CHECKS[name]


def _load_entry_point(name: str) -> None:
    from importlib.metadata import entry_points

    for entry_point in entry_points(group=ENTRY_POINT_GROUP, name=name):
        function = entry_point.load()
        if not callable(function):
            raise KeyError(name)
        CHECKS.setdefault(name, function)
        return
