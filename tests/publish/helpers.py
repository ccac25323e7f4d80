"""Loading specs into documentation pages for the publishing tests."""

from __future__ import annotations

from pathlib import Path

from funnelspec.lint import read_document
from funnelspec.publish.pages import FunnelPage, build_page
from funnelspec.rules.engine import lint_document
from funnelspec.spec.parse import parse_document

ROOT = Path(__file__).resolve().parent.parent.parent
SPECS = ROOT / "specs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
INDUSTRIAL = SPECS / "industrial-3d-design.yaml"
HUBSPOT = SPECS / "hubspot-default-deal-pipeline.yaml"
NURTURE = FIXTURES / "nurture-loop.yaml"
MARKUP = FIXTURES / "script-name.yaml"
#: A funnel whose proposal stage sends everything to a mistyped stage id.
MISTYPED = FIXTURES / "mistyped-next.yaml"
#: Stage name of the markup fixture's first stage.
SCRIPT_NAME = "<script>alert('stage')</script>"


def load_page(path: Path) -> FunnelPage:
    document = read_document(str(path))
    findings = lint_document(document)
    spec = parse_document(document)
    return build_page(document, spec, findings, path.stem)
