"""Properties of ``funnelspec lint`` on generated and mutated specs."""

from __future__ import annotations

import json

from conftest import SPECS
from hostile.runner import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from property.specgen import SpecText, spec_texts

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
EXAMPLES = [path.read_bytes() for path in sorted(SPECS.glob("*.yaml"))]
#: Pieces of YAML syntax and bytes that often break parsers.
TOKENS = [
    b":",
    b": ",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"&a ",
    b"*a",
    b"!!python/object:os.system ",
    b"!custom ",
    b"!!bool ",
    b"!!set ",
    b"!!timestamp ",
    b"\t",
    b"%YAML 1.1\n",
    b"'",
    b'"',
    b"\n",
    b"\r",
    b"# ",
    b"---\n",
    b"...\n",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\xe2\x80\xa8",
    b"\xc2\x85",
    b"? ",
    b"|+\n",
    b">-\n",
    b"<<: *a\n",
    b"1e999",
    b".nan",
    b"-1",
    b"9" * 400,
    b"35%",
    "🚀".encode(),
]


@st.composite
def mutated_specs(draw: st.DrawFn) -> bytes:
    """Draw an example spec with one to eight random byte-level mutations."""
    data = bytearray(draw(st.sampled_from(EXAMPLES)))
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "token"]))
        if kind == "flip" and position < len(data):
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            data[position : position + draw(st.integers(1, 40))] = b""
        elif kind == "repeat":
            piece = data[position : position + draw(st.integers(1, 80))]
            data[position:position] = piece * draw(st.integers(1, 4))
        else:
            data[position:position] = draw(st.sampled_from(TOKENS))
    return bytes(data)


@FAST
@given(spec_texts())
def test_generated_specs_lint(spec: SpecText) -> None:
    result = run_cli("lint", "--format", "json", "-", input=spec.text)
    assert result.code in (0, 1), result.stderr
    report = json.loads(result.stdout)
    codes = {finding["code"] for finding in report["findings"]}
    assert "FS001" not in codes, spec.text
    assert "FS002" not in codes, spec.text


@FAST
@given(mutated_specs())
def test_mutated_specs_lint(data: bytes) -> None:
    result = run_cli("lint", "-", input=data)
    assert result.code in (0, 1, 2)
    assert "Traceback" not in result.stderr


@FAST
@given(mutated_specs())
def test_mutated_specs_json(data: bytes) -> None:
    result = run_cli("lint", "--format", "json", "-", input=data)
    assert result.code in (0, 1, 2)
    if result.code != 2:
        assert "findings" in json.loads(result.stdout)
