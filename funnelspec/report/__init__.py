"""Renderers of lint results, one per output format."""

from funnelspec.report.json_report import render_json
from funnelspec.report.text import render_text

__all__ = ["render_json", "render_text"]
