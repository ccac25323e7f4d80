"""In-file suppressions: ``# funnelspec: ignore[CODE] reason`` comments.

``ignore[...]`` on a line suppresses the listed codes for findings on that
line, or, on a stage's first line, for findings anywhere in that stage.
``ignore-file[...]`` anywhere suppresses them in the whole file. Codes are
comma-separated and may be prefixes (FS2). The comment must start where a
YAML comment can start: at the beginning of a line or after a space.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from funnelspec.findings import Finding, Severity
from funnelspec.rules.ruleset import ALWAYS_ON
from funnelspec.spec.loader import SourceMap

_COMMENT = re.compile(
    r"(?:^|\s)#\s*funnelspec:\s*(?P<kind>ignore-file|ignore)\s*"
    r"\[(?P<codes>[^\]]*)\]\s*(?P<reason>.*?)\s*$"
)
_MARKER = "funnelspec:"

MISSING_REASON = ("FS003", "suppression-without-reason")
UNUSED = ("FS004", "unused-suppression")


@dataclass
class Suppression:
    """One suppression comment and the findings it has suppressed."""

    kind: str  # "ignore" or "ignore-file"
    codes: tuple[str, ...]
    reason: str
    line: int
    column: int
    used: set[str] = field(default_factory=set)

    def covers(self, code: str) -> bool:
        return any(code.startswith(prefix) for prefix in self.codes)


def find_suppressions(text: str) -> list[Suppression]:
    """Return every suppression comment in a file's text."""
    if _MARKER not in text or "ignore" not in text:
        return []
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if _MARKER not in line:
            continue
        match = _COMMENT.search(line)
        if match is None:
            continue
        codes = tuple(
            code.strip().upper() for code in match["codes"].split(",") if code.strip()
        )
        column = line.index("#", match.start()) + 1
        found.append(Suppression(match["kind"], codes, match["reason"], number, column))
    if found:
        spans = _scalar_spans(text)
        found = [s for s in found if not _inside(spans, s.line - 1, s.column - 1)]
    return found


def _scalar_spans(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Return (start, end) of every scalar, as 0-based (line, column) pairs.

    A '#' inside a quoted or block scalar is text, not a comment, so
    suppression candidates found there are dropped. Runs only on files that
    contain a candidate, because the pure-Python scanner is slow.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.tokens import ScalarToken

    spans = []
    try:
        for token in YAML(typ="safe", pure=True).scan(text):
            if isinstance(token, ScalarToken):
                start, end = token.start_mark, token.end_mark
                spans.append(((start.line, start.column), (end.line, end.column)))
    except YAMLError:
        pass  # The spans found before the syntax error are still right.
    return spans


def _inside(
    spans: list[tuple[tuple[int, int], tuple[int, int]]], line: int, column: int
) -> bool:
    # Scalars do not overlap and the scanner yields them in order, so only the
    # last span that starts before the position can contain it.
    position = (line, column)
    index = bisect.bisect_right(spans, (position, (sys.maxsize, sys.maxsize))) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def stage_first_lines(source: SourceMap) -> dict[int, int]:
    """Map the first line of each stage to the stage's index."""
    lines = {}
    for path, position in source.values.items():
        if len(path) == 2 and path[0] == "stages" and isinstance(path[1], int):
            lines[position.line] = path[1]
    return lines


def apply_suppressions(
    findings: Iterable[Finding],
    suppressions: list[Suppression],
    source: SourceMap,
    file: str,
) -> list[Finding]:
    """Drop suppressed findings; add findings for bad or unused suppressions.

    The findings about suppressions themselves (FS003, FS004) cannot be
    suppressed, so a stale comment is always reported.
    """
    if not suppressions:
        return list(findings)
    stage_lines = {index: line for line, index in stage_first_lines(source).items()}
    by_line: dict[int, list[Suppression]] = {}
    whole_file = []
    for suppression in suppressions:
        if suppression.kind == "ignore-file":
            whole_file.append(suppression)
        else:
            by_line.setdefault(suppression.line, []).append(suppression)
    kept = []
    for finding in findings:
        candidates = [*by_line.get(finding.line, []), *whole_file]
        stage_line = _stage_line(finding, stage_lines)
        if stage_line is not None:
            candidates += by_line.get(stage_line, [])
        if finding.code in ALWAYS_ON:
            kept.append(finding)
            continue
        matching = [s for s in candidates if s.covers(finding.code)]
        for suppression in matching:
            suppression.used.add(finding.code)
        if not matching:
            kept.append(finding)
    return kept + list(_comment_findings(suppressions, file))


def _stage_line(finding: Finding, stage_lines: dict[int, int]) -> int | None:
    """Return the first line of the stage a finding is in, from index to line."""
    match = re.match(r"stages\[(\d+)\]", finding.path)
    if match is None:
        return None
    return stage_lines.get(int(match.group(1)))


def _comment_findings(suppressions: list[Suppression], file: str) -> Iterable[Finding]:
    for suppression in suppressions:
        codes = ", ".join(suppression.codes) or "no codes"
        if not suppression.reason:
            yield Finding(
                code=MISSING_REASON[0],
                name=MISSING_REASON[1],
                severity=Severity.WARNING,
                message=f"suppression of {codes} gives no reason",
                file=file,
                line=suppression.line,
                column=suppression.column,
            )
        unused = [
            code
            for code in suppression.codes
            if not any(used.startswith(code) for used in suppression.used)
        ]
        if unused or not suppression.codes:
            shown = ", ".join(unused) or "no codes"
            yield Finding(
                code=UNUSED[0],
                name=UNUSED[1],
                severity=Severity.WARNING,
                message=f"suppression of {shown} matches no finding",
                file=file,
                line=suppression.line,
                column=suppression.column,
            )
