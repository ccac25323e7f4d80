"""Lint, simulate and document sales and marketing funnels described in YAML."""

__version__ = "0.1.0"
