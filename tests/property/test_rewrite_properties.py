"""Properties of ``fmt`` and ``lint --fix`` on generated specs."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from hostile.runner import run_cli
from hypothesis import HealthCheck, given, settings

from funnelspec.rewrite.fix import fix_text
from funnelspec.rewrite.fmt import format_text, normalised_rate_data
from funnelspec.rewrite.order import SPEC_KEYS, STAGE_KEYS
from funnelspec.rewrite.yamltext import comments, compose
from funnelspec.spec.loader import load_text
from property.specgen import SpecText, spec_data, spec_texts
from property.test_lint_properties import mutated_specs

FAST = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def comment_texts(text: str) -> Counter[str]:
    return Counter(comment.text for comment in comments(text, compose(text)))


@FAST
@given(spec_texts())
def test_fmt_idempotent(spec: SpecText) -> None:
    once = format_text(spec.text, "gen.yaml")
    assert format_text(once, "gen.yaml") == once


@FAST
@given(spec_texts())
def test_fmt_keeps_data(spec: SpecText) -> None:
    formatted = format_text(spec.text, "gen.yaml")
    data = load_text(formatted, "gen.yaml").data
    assert data == normalised_rate_data(load_text(spec.text, "gen.yaml").data)


@FAST
@given(spec_texts())
def test_fmt_keeps_comments(spec: SpecText) -> None:
    formatted = format_text(spec.text, "gen.yaml")
    assert comment_texts(formatted) == Counter(spec.comments)


@FAST
@given(spec_texts())
def test_fmt_orders_keys(spec: SpecText) -> None:
    data = load_text(format_text(spec.text, "gen.yaml"), "gen.yaml").data
    top = list(data)
    assert top == sorted(top, key=SPEC_KEYS.index)
    for stage in data["stages"]:
        assert list(stage) == sorted(stage, key=STAGE_KEYS.index)


@FAST
@given(spec_texts())
def test_fix_leaves_valid_spec(spec: SpecText) -> None:
    fixed, fixes = fix_text(spec.text, unsafe=True)
    assert fixes == []
    assert fixed == spec.text


def shout(data: dict[str, Any]) -> dict[str, Any]:
    """Write every stage id, reference and owner in capitals, which fix undoes."""
    loud = copy.deepcopy(data)
    for stage in loud["stages"]:
        stage["id"] = stage["id"].upper()
        stage["owner"] = stage["owner"].title()
        if "next" in stage:
            stage["next"] = {
                target if target == "won" else target.upper(): rate
                for target, rate in stage["next"].items()
            }
    del loud["funnelspec"]
    return loud


def quiet(data: dict[str, Any]) -> dict[str, Any]:
    """Return what fix should make of shouted data."""
    calm = copy.deepcopy(data)
    for stage in calm["stages"]:
        stage["id"] = stage["id"].lower()
        stage["owner"] = stage["owner"].lower()
        if "next" in stage:
            stage["next"] = {t.lower(): rate for t, rate in stage["next"].items()}
    return {"funnelspec": 1, **calm}


@FAST
@given(spec_texts(spec_data().map(shout)))
def test_fix_restores_shouted(spec: SpecText) -> None:
    fixed, fixes = fix_text(spec.text)
    assert load_text(fixed, "gen.yaml").data == quiet(spec.data)
    assert comment_texts(fixed) == Counter(spec.comments)
    assert all(fix.safe for fix in fixes)


@FAST
@given(mutated_specs())
def test_mutated_specs_fmt(data: bytes) -> None:
    # run_cli lets any exception but SystemExit through, so a traceback fails.
    result = run_cli("fmt", "-", input=data)
    assert result.code in (0, 2), result.stderr


@FAST
@given(mutated_specs())
def test_mutated_specs_fix_diff(data: bytes) -> None:
    result = run_cli("lint", "--diff", "--unsafe-fixes", "-", input=data)
    assert result.code in (0, 1, 2), result.stderr
