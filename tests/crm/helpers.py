"""Paths and helpers shared by the CRM import tests."""

from __future__ import annotations

from dataclasses import dataclass

from conftest import FIXTURES, SHARED_DATA

from funnelspec.lint import document_from_bytes
from funnelspec.rules.engine import lint_document

CRM_FIXTURES = FIXTURES / "crm"
HUBSPOT_PIPELINES = CRM_FIXTURES / "hubspot-default-pipelines.json"
SALESFORCE_DATA = SHARED_DATA / "crm" / "salesforce"
ADOPTION_STAGES = (
    "sfdc-assets-adoption-sales.OpportunityStage.standardValueSet-meta.xml"
)
GUSTO_STAGES = "gusto-sfdc.OpportunityStage.standardValueSet-meta.xml"
GUSTO_PAYROLL = "gusto-sfdc.payroll-sales-process.businessProcess-meta.xml"
GUSTO_BIZDEV = "gusto-sfdc.bizdev-sales-process.businessProcess-meta.xml"


@dataclass(frozen=True)
class Run:
    """Exit code and output of one CLI run."""

    code: int
    stdout: str
    stderr: str


def lint_codes(text: str) -> list[str]:
    """Lint spec text with the recommended rules and return the sorted codes."""
    document = document_from_bytes("imported.yaml", text.encode("utf-8"))
    return sorted(finding.code for finding in lint_document(document))
