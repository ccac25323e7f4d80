"""Built-in check functions; importing this package registers them."""

from funnelspec.rules.checks import graph, numbers, roles, segments, stages, timing

__all__ = ["graph", "numbers", "roles", "segments", "stages", "timing"]
