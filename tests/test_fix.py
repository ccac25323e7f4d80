"""``funnelspec lint --fix``, ``--unsafe-fixes`` and ``--diff``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import SPECS
from hostile.runner import run_cli

from funnelspec.rewrite.fix import fix_text
from funnelspec.rewrite.yamltext import comments, compose
from funnelspec.spec.loader import load_text

FMT_FIXTURES = Path(__file__).resolve().parent / "hostile" / "fmt"
FIXABLE = FMT_FIXTURES / "fixable.yaml"
COMMENTED = FMT_FIXTURES / "commented.yaml"


def comment_texts(text: str) -> Counter[str]:
    return Counter(comment.text for comment in comments(text, compose(text)))


def copy(source: Path, folder: Path) -> Path:
    target = folder / source.name
    target.write_bytes(source.read_bytes())
    return target


def test_fix_reports_count(tmp_path: Path) -> None:
    spec = copy(FIXABLE, tmp_path)
    result = run_cli("lint", "--fix", str(spec))
    assert "fixed 10 findings in 1 file" in result.stderr


def test_fix_leaves_unsafe_finding(tmp_path: Path) -> None:
    spec = copy(FIXABLE, tmp_path)
    result = run_cli("lint", "--fix", str(spec))
    assert result.code == 1
    findings = [line for line in result.stdout.splitlines() if " FS" in line]
    assert len(findings) == 1
    assert f"{spec}:17:5: FS002 error unknown key 'key_outcom'" in findings[0]


def test_fix_result(tmp_path: Path) -> None:
    spec = copy(FIXABLE, tmp_path)
    run_cli("lint", "--fix", str(spec))
    lines = spec.read_text(encoding="utf-8").splitlines()
    assert lines[1] == "funnelspec: 1"
    assert "motion: b2b                # capitals: motion is lowercase" in lines
    assert "currency: CNY              # lowercase currency code" in lines
    assert "  - id: engaged            # capital letter in the id" in lines
    assert "    owner: marketing       # capital letter in the owner" in lines
    assert "    engages: [influencer]  # capital letter in the role" in lines
    assert "    next: {qualified: 0.35}    # a reference to the id below" in lines
    assert "  - id: qualified" in lines
    assert "    # repeated with the same value" in lines
    assert "    engages: [decision_maker]" in lines


def test_fix_keeps_comments(tmp_path: Path) -> None:
    spec = copy(FIXABLE, tmp_path)
    before = comment_texts(spec.read_text(encoding="utf-8"))
    run_cli("lint", "--fix", "--unsafe-fixes", str(spec))
    assert comment_texts(spec.read_text(encoding="utf-8")) == before
    assert sum(before.values()) == 11


def test_fix_keeps_commented_spec(tmp_path: Path) -> None:
    # Nothing to fix in the heavily commented spec: the file stays byte for byte.
    spec = copy(COMMENTED, tmp_path)
    result = run_cli("lint", "--fix", "--unsafe-fixes", str(spec))
    assert "fixed" not in result.stderr
    assert spec.read_bytes() == COMMENTED.read_bytes()


def test_fmt_then_fix_keep_comments(tmp_path: Path) -> None:
    spec = copy(FIXABLE, tmp_path)
    before = comment_texts(spec.read_text(encoding="utf-8"))
    run_cli("lint", "--fix", "--unsafe-fixes", str(spec))
    run_cli("fmt", "--write", str(spec))
    assert comment_texts(spec.read_text(encoding="utf-8")) == before


def test_unsafe_fixes(tmp_path: Path) -> None:
    spec = copy(FIXABLE, tmp_path)
    result = run_cli("lint", "--fix", "--unsafe-fixes", str(spec))
    assert "fixed 11 findings in 1 file" in result.stderr
    text = spec.read_text(encoding="utf-8")
    assert "    key_outcome: Buyer confirmed budget   # unknown key" in text
    assert " FS002 " not in result.stdout


def test_unsafe_duplicate_keeps_first(tmp_path: Path) -> None:
    spec = tmp_path / "twice.yaml"
    spec.write_text(
        "funnelspec: 1\nname: x\nmotion: b2b\nmotion: b2c  # second\nstages:\n"
        "  - id: a\n",
        encoding="utf-8",
    )
    run_cli("lint", "--fix", str(spec))
    assert "motion: b2c" in spec.read_text(encoding="utf-8")
    run_cli("lint", "--fix", "--unsafe-fixes", str(spec))
    text = spec.read_text(encoding="utf-8")
    assert "motion: b2b\n# second\nstages:" in text
    assert load_text(text, "x").data["motion"] == "b2b"


def test_diff_writes_nothing(tmp_path: Path) -> None:
    spec = copy(FIXABLE, tmp_path)
    result = run_cli("lint", "--diff", str(spec))
    assert result.code == 1
    assert "-motion: B2B                # capitals" in result.stdout
    assert "+motion: b2b                # capitals" in result.stdout
    assert "would fix 10 findings in 1 file" in result.stderr
    assert spec.read_bytes() == FIXABLE.read_bytes()


def test_diff_clean_exit_zero() -> None:
    result = run_cli("lint", "--diff", str(SPECS))
    assert result.code == 0
    assert result.stdout == ""
    assert "would fix 0 findings in 0 files" in result.stderr


def test_diff_stdin() -> None:
    result = run_cli("lint", "--diff", "-", input=FIXABLE.read_bytes())
    assert result.code == 1
    assert "--- <stdin>" in result.stdout


def test_fix_rejects_stdin() -> None:
    result = run_cli("lint", "--fix", "-", input=FIXABLE.read_bytes())
    assert result.code == 2
    assert "--fix cannot write to standard input" in result.stderr


def test_unsafe_alone_rejected() -> None:
    result = run_cli("lint", "--unsafe-fixes", str(SPECS))
    assert result.code == 2
    assert "--unsafe-fixes applies only with --fix or --diff" in result.stderr


def test_fix_twice_changes_nothing(tmp_path: Path) -> None:
    spec = copy(FIXABLE, tmp_path)
    run_cli("lint", "--fix", str(spec))
    once = spec.read_bytes()
    result = run_cli("lint", "--fix", str(spec))
    assert "fixed" not in result.stderr
    assert spec.read_bytes() == once


def test_invalid_yaml_untouched(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("funnelspec: 1\nmotion: B2B\nname: [unclosed\n", encoding="utf-8")
    before = spec.read_bytes()
    result = run_cli("lint", "--fix", str(spec))
    assert result.code == 1
    assert ":4:1: FS001 error invalid YAML" in result.stdout
    assert spec.read_bytes() == before


@pytest.mark.parametrize(
    ("separator", "label"),
    [("\u2028", "U+2028 (LINE SEPARATOR)"), ("\x85", "U+0085 (NEXT LINE)")],
)
@pytest.mark.parametrize("option", ["--fix", "--diff"])
def test_unicode_line_break_untouched(
    tmp_path: Path, option: str, separator: str, label: str
) -> None:
    # lint reads these characters as line breaks (YAML 1.1) and the
    # round-trip parser that fixes use does not (YAML 1.2).
    spec = tmp_path / "breaks.yaml"
    text = FIXABLE.read_text(encoding="utf-8").replace("\n", separator)
    spec.write_text(text, encoding="utf-8")
    before = spec.read_bytes()
    result = run_cli("lint", option, str(spec))
    assert result.code == 2
    assert f"{spec}:1:" in result.stderr
    assert "cannot fix:" in result.stderr
    assert f"the file contains {label}" in result.stderr
    assert "Traceback" not in result.stderr
    assert spec.read_bytes() == before


def test_fix_respects_config(tmp_path: Path) -> None:
    (tmp_path / ".funnelspec.yaml").write_text(
        'rules:\n  FS102: "off"\n', encoding="utf-8"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "funnelspec: 1\nname: x\nmotion: b2b\nstages:\n"
        "  - id: a\n    next: {B: 0.5}\n  - id: b\n",
        encoding="utf-8",
    )
    run_cli("lint", "--fix", str(spec))
    assert "next: {B: 0.5}" in spec.read_text(encoding="utf-8")


def test_fix_keeps_crlf(tmp_path: Path) -> None:
    spec = tmp_path / "crlf.yaml"
    spec.write_bytes(FIXABLE.read_bytes().replace(b"\n", b"\r\n"))
    run_cli("lint", "--fix", str(spec))
    raw = spec.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert b"funnelspec: 1\r\n" in raw


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("funnelspec: '1'\n", "funnelspec: 1\n"),
        ("funnelspec: 1.0\n", "funnelspec: 1\n"),
        ("kind: Marketing\n", "kind: marketing\n"),
        (
            "stages:\n- owner: Customer Success\n",
            "stages:\n- owner: customer_success\n",
        ),
        ("stages:\n- id: 'Won_Deal'\n", "stages:\n- id: 'won_deal'\n"),
        (
            "stages:\n- id: a\n  next: {WON: 1}\n",
            "stages:\n- id: a\n  next: {won: 1}\n",
        ),
    ],
)
def test_safe_fix_table(text: str, fixed: str) -> None:
    prefix = "" if text.startswith("funnelspec") else "funnelspec: 1\n"
    result, fixes = fix_text(prefix + text)
    assert result == prefix + fixed
    assert len(fixes) == 1


@pytest.mark.parametrize(
    "text",
    [
        "funnelspec: 1\nstages:\n- id: Won\n",  # would collide with the terminal
        "funnelspec: 1\nstages:\n- id: A\n- id: a\n",  # would collide with a stage
        "funnelspec: 1\nstages:\n- id: Stage 1\n",  # no valid lowercase form
        "funnelspec: 1\nstages:\n- owner: |\n    Sales\n",  # block scalar
        "funnelspec: 1\nmotion: !!str B2B\n",  # explicit tag
    ],
)
def test_no_safe_fix(text: str) -> None:
    result, fixes = fix_text(text)
    assert fixes == []
    assert result == text


def test_lowercase_id_stays_a_string() -> None:
    # Unquoted, "true" would read as a boolean: the quotes stay.
    result, _ = fix_text('funnelspec: 1\nstages:\n- id: "TRUE"\n')
    assert result == 'funnelspec: 1\nstages:\n- id: "true"\n'
