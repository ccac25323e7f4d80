"""Stage documentation and audit reports: Markdown and self-contained HTML.

Everything here imports jinja2 and (for charts) matplotlib, so only the
``docs`` and ``audit`` commands load this package.
"""
