"""The hostile input corpus: the recipe of every file in corpus/, and large cases.

Small cases are committed in corpus/ so that a reader can open them.
``python tests/hostile/corpus.py`` writes them again from the recipes below,
and ``python tests/hostile/corpus.py FOLDER`` writes the large cases there.
Large cases (50 MB, 10,000 stages, 10,000 levels of nesting, 1 MB strings) are
generated into a temporary folder by ``write_large_cases``, at test and
benchmark time, and never committed.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Callable
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"

#: A valid spec with no findings, which the cases below break in one place.
HEAD = """\
funnelspec: 1
name: Hostile input
motion: b2b
conversion_period: 6 months
follow_up_sla: 24 hours
segments:
  - name: Heavy machinery
    industry: heavy machinery
    min_annual_revenue: 25000000
    regions: [East China]
"""
STAGES = """\
stages:
  - id: engaged
    owner: marketing
    key_outcome: Downloaded the product demo
    conversion: 0.35
    duration: 2 weeks
    engages: [influencer]
  - id: qualified
    owner: sales
    key_outcome: Buyer confirmed budget and a project
    conversion: 0.5
    duration: 3 weeks
    engages: [influencer]
  - id: evaluating
    owner: sales
    key_outcome: Design team ran a trial on its own parts
    conversion: 0.6
    duration: 4 weeks
    engages: [influencer]
  - id: proposal
    owner: sales
    key_outcome: Decision maker reviewed the proposal
    conversion: 0.55
    duration: 3 weeks
    engages: [decision_maker]
  - id: negotiation
    owner: sales
    key_outcome: Buyer sent the purchase order
    conversion: 0.8
    duration: 2 weeks
    engages: [decision_maker]
"""
SPEC = HEAD + STAGES


def _alias_bomb() -> str:
    # Nine levels of nine aliases each: 9**9 strings from a 1 kB file.
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        previous, current = chr(ord("a") + level - 1), chr(ord("a") + level)
        aliases = ", ".join([f"*{previous}"] * 9)
        lines.append(f"{current}: &{current} [{aliases}]")
    return SPEC + "description:\n" + "".join(f"  {line}\n" for line in lines)


def _replace(old: str, new: str) -> Callable[[], str]:
    def build() -> str:
        assert old in SPEC, old
        return SPEC.replace(old, new, 1)

    return build


#: File name to a function returning its text (str, written as UTF-8) or bytes.
RECIPES: dict[str, Callable[[], str | bytes]] = {
    "valid.yaml": lambda: SPEC,
    "empty.yaml": lambda: "",
    "only-comments.yaml": lambda: "# A funnel spec, to be written\n# later\n",
    "null-document.yaml": lambda: "null\n",
    "several-documents.yaml": lambda: SPEC + "---\n" + SPEC,
    "top-level-list.yaml": lambda: "- funnelspec: 1\n- name: A list\n",
    "top-level-scalar.yaml": lambda: "funnelspec 1 name stages\n",
    "top-level-list-with-marker.yaml": lambda: "- a\nfunnelspec: 1\n",
    "unclosed-bracket.yaml": lambda: HEAD + "stages: [{id: engaged, owner: sales}\n",
    "unclosed-quote.yaml": _replace("name: Hostile input", 'name: "Hostile input'),
    "tab-indentation.yaml": _replace("    owner: sales", "\towner: sales"),
    "bad-indentation.yaml": _replace("    owner: sales", "      owner: sales"),
    "duplicate-top-level-key.yaml": _replace(
        "motion: b2b\n", "motion: b2b\nmotion: b2c\n"
    ),
    "duplicate-stage-key.yaml": _replace(
        "    owner: sales\n", "    owner: sales\n    owner: marketing\n"
    ),
    "alias-bomb.yaml": _alias_bomb,
    "recursive-alias.yaml": lambda: SPEC + "description: &loop [*loop]\n",
    "binary.yaml": lambda: bytes(range(256)) * 4,
    "nul-character.yaml": lambda: SPEC.replace(
        "Hostile input", "Hostile\x00input"
    ).encode(),
    "invalid-utf8.yaml": lambda: SPEC.encode().replace(b"Hostile", b"Host\xffile"),
    "latin1.yaml": lambda: SPEC.replace("Hostile input", "Entrée café").encode(
        "latin-1"
    ),
    "utf8-bom.yaml": lambda: codecs.BOM_UTF8 + SPEC.encode(),
    "utf16-le-bom.yaml": lambda: codecs.BOM_UTF16_LE + SPEC.encode("utf-16-le"),
    "utf16-be-bom.yaml": lambda: codecs.BOM_UTF16_BE + SPEC.encode("utf-16-be"),
    "python-object-tag.yaml": lambda: (
        SPEC + 'description: !!python/object/apply:os.system ["echo owned"]\n'
    ),
    "python-tag-on-mapping.yaml": _replace(
        "  - id: qualified", "  - !!python/object:builtins.dict\n    id: qualified"
    ),
    "nan-rate.yaml": _replace("conversion: 0.5\n", "conversion: .nan\n"),
    "infinite-deal-value.yaml": lambda: HEAD + "deal_value: .inf\n" + STAGES,
    "huge-integer-rate.yaml": _replace(
        "conversion: 0.5\n", f"conversion: {'9' * 400}\n"
    ),
    "huge-integer-digits.yaml": lambda: HEAD + f"deal_value: {'9' * 5000}\n" + STAGES,
    "huge-duration.yaml": _replace("duration: 3 weeks", f"duration: {'9' * 400} days"),
    "zero-duration.yaml": _replace("duration: 3 weeks", "duration: 0 days"),
    "negative-duration.yaml": _replace("duration: 3 weeks", "duration: -3 weeks"),
    "unknown-duration-unit.yaml": _replace(
        "duration: 3 weeks", "duration: 3 fortnights"
    ),
    "unicode-stage-id.yaml": _replace("id: qualified", "id: qualifié"),
    "emoji-stage-id.yaml": _replace("id: qualified", 'id: "🚀"'),
    "emoji-everywhere.yaml": lambda: SPEC.replace(
        "Hostile input", "漏斗 🚀 funnel"
    ).replace("Buyer confirmed budget and a project", "买家确认了预算 ✅"),
    "crlf-line-breaks.yaml": lambda: SPEC.replace("\n", "\r\n"),
}


def write_corpus(folder: Path = CORPUS) -> None:
    """Write every recipe's file into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in RECIPES.items():
        content = build()
        data = content.encode() if isinstance(content, str) else content
        (folder / name).write_bytes(data)


def many_stages(count: int, owner: str = "sales") -> str:
    """Return a valid spec with count stages, each with seven keys."""
    lines = [HEAD.rstrip("\n"), "stages:"]
    for index in range(count):
        lines += [
            f"  - id: s{index}",
            f"    name: Stage {index}",
            f"    owner: {owner}",
            f"    key_outcome: Buyer action number {index}",
            "    conversion: 0.9",
            "    duration: 2 weeks",
            "    engages: [influencer, decision_maker]",
        ]
    return "\n".join(lines) + "\n"


def write_large_cases(folder: Path) -> dict[str, Path]:
    """Write the generated cases into folder; return their paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        "deep-nesting.yaml": SPEC + "description: " + "[" * 10_000 + "]" * 10_000,
        "deep-block-nesting.yaml": SPEC
        + "description:\n"
        + "".join(" " * (level + 1) + "a:\n" for level in range(2_000))
        + " " * 2_001
        + "end\n",
        "ten-thousand-stages.yaml": many_stages(10_000),
        "megabyte-strings.yaml": _replace(
            "key_outcome: Buyer confirmed budget and a project",
            "key_outcome: " + "x" * 1_000_000,
        )()
        + f"description: {'y' * 1_000_000}\n",
        "megabyte-stage-id.yaml": _replace(
            "id: qualified", "id: Q" + "x" * 1_000_000
        )(),
        "half-million-values.yaml": SPEC
        + "description: ["
        + ", ".join(["1"] * 500_000)
        + "]\n",
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = folder / name
        paths[name].write_text(text, encoding="utf-8")
    # 50 MB, written in pieces: a valid start, then one long string value.
    big = folder / "fifty-megabytes.yaml"
    with big.open("w", encoding="utf-8") as file:
        file.write(SPEC + "description: ")
        chunk = "z" * 1_000_000
        for _ in range(50):
            file.write(chunk)
        file.write("\n")
    paths[big.name] = big
    return paths


if __name__ == "__main__":
    # No argument: rewrite corpus/. With a folder: write the large cases there.
    if len(sys.argv) > 1:
        write_large_cases(Path(sys.argv[1]))
    else:
        write_corpus()
