"""Jinja2 environments for the HTML and Markdown templates.

Both escape every value that a template prints unless the value is
``markupsafe.Markup``: the HTML environment with HTML escaping, the Markdown
environment with ``escape_markdown``. Text from a spec therefore always
shows as text, never as markup, in either format.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

#: Characters that start Markdown emphasis, links, headings, tables or code.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~$])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape_markdown(value: Any) -> str:
    """Escape a value for one line of GitHub-flavoured Markdown, table cells included.

    HTML special characters become entities, Markdown punctuation gets a
    backslash, and line breaks become spaces so a table row stays one line.
    """
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    text = _LINE_BREAKS.sub(" ", str(value))
    text = "".join(_HTML_SPECIAL.get(character, character) for character in text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _finalize_markdown(value: Any) -> Any:
    return escape_markdown(value)


@cache
def html_environment() -> jinja2.Environment:
    """Return the environment of the HTML templates (autoescaped)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("funnelspec.publish", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def markdown_environment() -> jinja2.Environment:
    """Return the environment of the Markdown templates (Markdown-escaped)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("funnelspec.publish", "templates"),
        autoescape=False,
        finalize=_finalize_markdown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(name: str, **values: Any) -> str:
    """Render a template; the name's suffix (.html or .md) picks the environment."""
    if name.endswith(".html"):
        environment = html_environment()
    elif name.endswith(".md"):
        environment = markdown_environment()
    else:
        raise ValueError(f"template {name!r} is neither .html nor .md")
    return environment.get_template(name).render(**values)
