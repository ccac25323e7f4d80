"""The YAML loader: positions, duplicate keys, tags, aliases and encodings."""

from __future__ import annotations

import codecs
import subprocess
import sys
import time
from pathlib import Path

import pytest

from funnelspec.findings import Position
from funnelspec.spec import loader
from funnelspec.spec.loader import (
    MAX_DEPTH,
    Document,
    LoadProblem,
    decode,
    load_text,
    looks_like_spec,
)

SPEC = """\
# A comment before the first key.
funnelspec: 1
name: Example
stages:
  - id: engaged
    owner: marketing
  - {id: qualified, next: {won: 0.5}}
"""

ALIAS_BOMB = """\
funnelspec: 1
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def only_problem(document: Document) -> LoadProblem:
    assert len(document.problems) == 1
    return document.problems[0]


def test_data_is_plain() -> None:
    document = load_text(SPEC, "spec.yaml")
    assert document.data == {
        "funnelspec": 1,
        "name": "Example",
        "stages": [
            {"id": "engaged", "owner": "marketing"},
            {"id": "qualified", "next": {"won": 0.5}},
        ],
    }
    assert document.problems == []
    assert document.parsed


def test_key_positions() -> None:
    keys = load_text(SPEC, "spec.yaml").source.keys
    assert keys[("funnelspec",)] == Position(2, 1)
    assert keys[("stages",)] == Position(4, 1)
    assert keys[("stages", 0, "owner")] == Position(6, 5)
    assert keys[("stages", 1, "id")] == Position(7, 6)
    assert keys[("stages", 1, "next", "won")] == Position(7, 28)


def test_value_positions() -> None:
    values = load_text(SPEC, "spec.yaml").source.values
    assert values[()] == Position(2, 1)
    assert values[("funnelspec",)] == Position(2, 13)
    assert values[("stages",)] == Position(5, 3)
    assert values[("stages", 0)] == Position(5, 5)
    assert values[("stages", 0, "owner")] == Position(6, 12)
    assert values[("stages", 1)] == Position(7, 5)
    assert values[("stages", 1, "next", "won")] == Position(7, 33)


def test_locate_falls_back_to_parent() -> None:
    source = load_text(SPEC, "spec.yaml").source
    assert source.locate(("stages", 0, "conversion")) == Position(5, 5)
    assert source.locate(("segments",)) == Position(2, 1)


def test_locate_key_falls_back_to_value() -> None:
    source = load_text(SPEC, "spec.yaml").source
    assert source.locate_key(("stages", 0, "owner")) == Position(6, 5)
    assert source.locate_key(("stages", 0)) == Position(5, 5)


def test_duplicate_top_level_key() -> None:
    document = load_text("funnelspec: 1\nname: A\nname: B\n", "spec.yaml")
    problem = only_problem(document)
    assert problem.code == "FS002"
    assert problem.position == Position(3, 1)
    assert problem.path == ("name",)
    assert problem.message == (
        "duplicate key 'name' (first defined on line 2); remove one of them"
    )
    assert document.data["name"] == "A"


def test_duplicate_stage_key() -> None:
    text = "stages:\n  - id: a\n    owner: sales\n    owner: marketing\n"
    problem = only_problem(load_text(text, "spec.yaml"))
    assert problem.code == "FS002"
    assert problem.position == Position(4, 5)
    assert problem.path == ("stages", 0, "owner")
    assert "first defined on line 3" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system [touch {marker}]\n",
        "a: !!python/object/apply:os.system\n  args: [touch {marker}]\n",
        "a: !!python/object/new:os.system [touch {marker}]\n",
        "a: !!python/name:os.system ''\n",
    ],
)
def test_python_tag_never_constructed(text: str, tmp_path: Path) -> None:
    marker = tmp_path / "constructed"
    document = load_text(text.format(marker=marker), "spec.yaml")
    problem = only_problem(document)
    assert problem.code == "FS002"
    assert problem.position == Position(1, 4)
    assert problem.message.startswith("YAML tag '!!python/")
    assert problem.message.endswith("is not allowed in a spec; remove it")
    assert not marker.exists()


def test_local_tag_reported() -> None:
    problem = only_problem(load_text("name: !secret hunter2\n", "spec.yaml"))
    assert problem.message == "YAML tag '!secret' is not allowed in a spec; remove it"


def test_set_tag_reported() -> None:
    document = load_text("regions: !!set {East China: null}\n", "spec.yaml")
    problem = only_problem(document)
    assert problem.message == "YAML tag '!!set' is not allowed in a spec; remove it"
    assert document.data == {"regions": {"East China": None}}


def test_non_specific_tag_allowed() -> None:
    document = load_text("a: ! Sales\nb: ! [1]\n", "spec.yaml")
    assert document.problems == []
    assert document.data == {"a": "Sales", "b": [1]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!int abc\n", "'abc' is not a valid integer; remove the !!int tag"),
        ("a: !!float abc\n", "'abc' is not a valid number; remove the !!float tag"),
        ("a: !!bool maybe\n", "'maybe' is not a valid boolean (true or false)"),
    ],
)
def test_explicit_tag_invalid(text: str, message: str) -> None:
    problem = only_problem(load_text(text, "spec.yaml"))
    assert problem.code == "FS002"
    assert problem.message.startswith(message)
    assert problem.position == Position(1, 4)


def test_explicit_tag_valid() -> None:
    text = "a: !!int '12'\nb: !!float 2\nc: !!str 12\nd: !!bool true\n"
    document = load_text(text, "spec.yaml")
    assert document.problems == []
    assert document.data == {"a": 12, "b": 2.0, "c": "12", "d": True}


def test_core_schema_scalars() -> None:
    text = """\
hex: 0x1F
octal: 0o17
binary: 0b101
grouped: 1_000
signed: +12
leading_zero: 012
exponent: 1.5e3
negative_infinity: -.inf
yes_is_text: yes
on_is_text: on
quoted: '12'
date: 2024-01-01
tilde: ~
empty:
capital: True
equals: =
"""
    document = load_text(text, "spec.yaml")
    assert document.problems == []
    assert document.data == {
        "hex": 31,
        "octal": 15,
        "binary": 5,
        "grouped": 1000,
        "signed": 12,
        "leading_zero": 12,
        "exponent": 1500.0,
        "negative_infinity": float("-inf"),
        "yes_is_text": "yes",
        "on_is_text": "on",
        "quoted": "12",
        "date": "2024-01-01",
        "tilde": None,
        "empty": None,
        "capital": True,
        "equals": "=",
    }


def test_huge_integer() -> None:
    problem = only_problem(load_text("a: " + "9" * 5000 + "\n", "spec.yaml"))
    assert problem.message.startswith("integer '9999")
    assert problem.message.endswith("is too large to read")


def test_merge_key_rejected() -> None:
    document = load_text("base: &b {owner: sales}\nstage:\n  <<: *b\n", "x.yaml")
    problem = only_problem(document)
    assert problem.code == "FS002"
    assert problem.position == Position(3, 3)
    assert problem.message.startswith("merge keys (<<) are not supported")


def test_mapping_key_rejected() -> None:
    problem = only_problem(load_text("? [a, b]\n: c\n", "spec.yaml"))
    assert problem.message == "a mapping key must be a plain string"
    assert problem.position == Position(1, 3)


def test_alias_copies_value() -> None:
    document = load_text("a: &x Sales\nb: *x\n", "spec.yaml")
    assert document.problems == []
    assert document.data == {"a": "Sales", "b": "Sales"}


def test_alias_bomb_rejected_quickly() -> None:
    started = time.perf_counter()
    document = load_text(ALIAS_BOMB, "spec.yaml")
    elapsed = time.perf_counter() - started
    problem = only_problem(document)
    assert problem.code == "FS001"
    # g is the first value that alone expands past 1,000,000 values.
    assert problem.position == Position(8, 4)
    assert "expands to more than 1,000,000 values through aliases" in problem.message
    assert document.data is None
    # Expanded in full, i has about 387 million values (9 ** 9). Counting
    # them takes milliseconds, so one second leaves room for a busy machine.
    assert elapsed < 1.0


def test_recursive_alias_rejected() -> None:
    problem = only_problem(load_text("a: &a [x, *a]\n", "spec.yaml"))
    assert problem.code == "FS001"
    assert problem.position == Position(1, 4)
    assert problem.message.startswith("an alias refers to a value that contains it")


def test_nesting_limit() -> None:
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    problem = only_problem(load_text(text, "spec.yaml"))
    assert problem.code == "FS001"
    assert (
        problem.message == f"nesting is deeper than {MAX_DEPTH} levels; a spec needs 5"
    )


def test_multiple_documents() -> None:
    document = load_text("funnelspec: 1\n---\nfunnelspec: 1\n", "spec.yaml")
    problem = only_problem(document)
    assert problem.code == "FS001"
    assert problem.position == Position(2, 1)
    assert problem.message == (
        "invalid YAML: file contains more than one YAML document; "
        "keep one funnel per file"
    )
    assert not document.parsed


def test_explicit_document_markers() -> None:
    document = load_text("---\nfunnelspec: 1\n...\n", "spec.yaml")
    assert document.problems == []
    assert document.data == {"funnelspec": 1}


def test_parse_error_position() -> None:
    text = "funnelspec: 1\nname: [Example\nmotion: b2b\n"
    problem = only_problem(load_text(text, "spec.yaml"))
    assert problem.code == "FS001"
    assert problem.position == Position(3, 7)
    assert problem.message == (
        "invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence started on line 2)"
    )


def test_bad_indentation_position() -> None:
    problem = only_problem(load_text("funnelspec: 1\nname: a\n  motion: b\n", "x"))
    assert problem.position == Position(3, 9)
    assert problem.message == (
        "invalid YAML: mapping values are not allowed in this context"
    )


def test_tab_indentation() -> None:
    problem = only_problem(load_text("funnelspec: 1\n\tname: a\n", "spec.yaml"))
    assert problem.code == "FS001"
    assert problem.position.line == 2
    assert "tab" in problem.message


def test_nul_character() -> None:
    problem = only_problem(load_text("funnelspec: 1\nname: a\x00b\n", "spec.yaml"))
    assert problem.code == "FS001"
    assert problem.position == Position(2, 8)
    assert problem.message == "file contains a NUL character; a spec is a text file"


def test_empty_document() -> None:
    document = load_text("# nothing here\n", "spec.yaml")
    assert document.data is None
    assert document.problems == []


def test_decode_utf8() -> None:
    assert decode("name: café\n".encode()) == ("name: café\n", None)


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_decode_byte_order_marks(bom: bytes, encoding: str) -> None:
    text, problem = decode(bom + "funnelspec: 1\nname: café\n".encode(encoding))
    assert problem is None
    assert text == "funnelspec: 1\nname: café\n"


def test_decode_invalid_utf8() -> None:
    text, problem = decode("funnelspec: 1\nname: café ".encode() + b"caf\xe9\n")
    assert text == ""
    assert problem is not None
    assert problem.code == "FS001"
    # Columns count characters: é before the bad byte is one column.
    assert problem.position == Position(2, 15)
    assert problem.message == (
        "file is not valid UTF-8 (byte 0xe9 at offset 29); save the spec as UTF-8"
    )


def test_decode_invalid_after_bom() -> None:
    _, problem = decode(codecs.BOM_UTF8 + b"name: \xe9\n")
    assert problem is not None
    assert problem.position == Position(1, 7)
    assert "(byte 0xe9 at offset 9)" in problem.message


def test_decode_truncated_utf16() -> None:
    raw = codecs.BOM_UTF16_LE + "name: a\n".encode("utf-16-le")
    _, problem = decode(raw[:-1])
    assert problem is not None
    assert problem.position == Position(1, 8)
    assert problem.message.startswith("file is not valid UTF-16")


def test_looks_like_spec() -> None:
    assert looks_like_spec("# comment\nfunnelspec: 1\n")
    assert looks_like_spec("funnelspec : 1\n")
    assert not looks_like_spec("name: funnelspec: 1\n")
    assert not looks_like_spec("  funnelspec: 1\n")


def test_pure_python_composer(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without ruamel.yaml.clib (PyPy, or a failed build), the pure-Python
    # composer reads the same data and positions.
    expected = load_text(SPEC + "tagged: !!int '7'\n", "spec.yaml")
    monkeypatch.setattr(loader, "_LIBYAML_COMPOSER", None)
    document = load_text(SPEC + "tagged: !!int '7'\n", "spec.yaml")
    assert document.data == expected.data
    assert document.source == expected.source
    assert document.problems == []


def test_pure_python_composer_tags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "_LIBYAML_COMPOSER", None)
    problem = only_problem(load_text("a: !!python/object:os.system {}\n", "x"))
    assert problem.message == (
        "YAML tag '!!python/object:os.system' is not allowed in a spec; remove it"
    )


NEST = """\
import sys
from funnelspec.spec.loader import load_text
depth = int(sys.argv[2])
if sys.argv[1] == "flow":
    text = "stages: " + "[" * depth + "]" * depth + "\\n"
else:
    text = "- " * depth + "x\\n"
for problem in load_text(text, "spec.yaml").problems:
    print(problem.code, problem.message)
"""


@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_no_crash(style: str) -> None:
    # libyaml's composer recurses once per level and crashed this process at
    # 25,000 to 30,000 levels, so the loader must stop before composing. A
    # child process keeps a crash from taking pytest down with it.
    done = subprocess.run(
        [sys.executable, "-c", NEST, style, "100000"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"FS001 nesting is deeper than {MAX_DEPTH} levels; a spec needs 5\n"
    )


def test_too_many_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_TEXT_NODES", 1_000)
    problem = only_problem(load_text("[" + "a, " * 1_000 + "a]\n", "spec.yaml"))
    assert problem.code == "FS001"
    assert problem.message.startswith("file has more than 1,000 YAML values")
