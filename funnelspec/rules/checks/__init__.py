"""Built-in check functions; importing this package registers them."""

from funnelspec.rules.checks import (
    generic,
    graph,
    numbers,
    roles,
    segments,
    stages,
    timing,
)

__all__ = ["generic", "graph", "numbers", "roles", "segments", "stages", "timing"]
