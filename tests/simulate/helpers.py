"""Loading fixture specs for the simulator tests."""

from __future__ import annotations

from pathlib import Path

from funnelspec.lint import read_document
from funnelspec.spec.model import Spec
from funnelspec.spec.parse import parse_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "simulate"
SPECS = Path(__file__).resolve().parent.parent.parent / "specs"
INDUSTRIAL = SPECS / "industrial-3d-design.yaml"


def fixture(name: str) -> Path:
    return FIXTURES / f"{name}.yaml"


def load(path: Path) -> Spec:
    spec = parse_document(read_document(str(path)))
    assert spec is not None, f"{path} does not parse"
    return spec


def load_fixture(name: str) -> Spec:
    return load(fixture(name))
