"""A spec file read for rewriting: its text, encoding and line breaks."""

from __future__ import annotations

import codecs
import difflib
from dataclasses import dataclass

from ruamel.yaml.error import MarkedYAMLError, YAMLError

from funnelspec.errors import FunnelspecError
from funnelspec.lint import STDIN, document_from_bytes, read_bytes
from funnelspec.spec.loader import Document

#: Byte order marks and the codec of the text after each, longest first.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF8, "utf-8"),
)


#: Characters that YAML 1.1 (libyaml, which lint uses) reads as line breaks
#: and YAML 1.2 (ruamel.yaml's round trip, which rewriting uses) does not.
_OTHER_BREAKS = {
    "\x85": "U+0085 (NEXT LINE)",
    "\u2028": "U+2028 (LINE SEPARATOR)",
    "\u2029": "U+2029 (PARAGRAPH SEPARATOR)",
}


class RewriteError(FunnelspecError):
    """A file that cannot be formatted or fixed without losing something."""


def yaml_error(name: str, action: str, text: str, exc: YAMLError) -> RewriteError:
    """Return a one-line RewriteError for a YAML error met while rewriting text.

    The position is the 1-based line and column that ruamel.yaml reports.
    """
    position = ""
    problem = " ".join(str(exc).split())
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            position = f":{mark.line + 1}:{mark.column + 1}"
        parts = [part for part in (exc.context, exc.problem) if part]
        problem = " ".join(": ".join(parts).split()) or problem
    message = f"{name}{position}: cannot {action}: {problem}"
    found = [label for char, label in _OTHER_BREAKS.items() if char in text]
    if found:
        message += (
            f"; the file contains {' and '.join(found)}, which YAML 1.2 does "
            "not read as a line break; replace each with \\n"
        )
    return RewriteError(f"{message}; the file was left unchanged")


@dataclass
class SourceFile:
    """A file's bytes, its text with ``\\n`` line breaks, and how to write it back.

    The text is written back with the same byte order mark and codec, and
    with the line break that most of the original's lines end with.
    """

    name: str
    path: str | None  # None for standard input
    raw: bytes
    document: Document
    text: str = ""
    bom: bytes = b""
    codec: str = "utf-8"
    newline: str = "\n"

    @classmethod
    def read(cls, path: str, stdin_name: str = "<stdin>") -> SourceFile:
        """Read and parse a file (``-`` for standard input); raises ReadError."""
        name, raw = read_bytes(path, stdin_name)
        document = document_from_bytes(name, raw)
        source = cls(name, None if path == STDIN else path, raw, document)
        if document.parsed:
            source._decode()
        return source

    def _decode(self) -> None:
        for bom, codec in _BOMS:
            if self.raw.startswith(bom):
                self.bom, self.codec = bom, codec
                break
        text = self.raw[len(self.bom) :].decode(self.codec)
        crlf = text.count("\r\n")
        if crlf and crlf >= text.count("\n") - crlf:
            self.newline = "\r\n"
        self.text = text.replace("\r\n", "\n")

    def check_parsed(self, action: str) -> None:
        """Raise RewriteError naming the first YAML problem, if there is one."""
        for problem in self.document.problems:
            if problem.code == "FS001":
                line, column = problem.position.line, problem.position.column
                raise RewriteError(
                    f"{self.name}:{line}:{column}: cannot {action}: "
                    f"{problem.message}; the file was left unchanged"
                )
        if "\r" in self.text:
            raise RewriteError(
                f"{self.name}: cannot {action}: the file uses carriage returns "
                "(\\r) alone as line breaks; convert them to \\n or \\r\\n first"
            )

    def encode(self, text: str) -> bytes:
        """Return text as the file's bytes: its codec, BOM and line breaks."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return self.bom + text.encode(self.codec)

    def changed(self, text: str) -> bool:
        return self.encode(text) != self.raw

    def diff(self, text: str) -> str:
        """Return a unified diff from the file to text, empty if nothing changed."""
        before = _diff_lines(self.raw[len(self.bom) :].decode(self.codec))
        after = _diff_lines(self.encode(text)[len(self.bom) :].decode(self.codec))
        lines = difflib.unified_diff(before, after, self.name, self.name)
        return "".join(lines)


def _diff_lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines
