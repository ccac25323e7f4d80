"""Parse untrusted XML into a small element tree that keeps line numbers.

The parser is the standard library's expat binding with document type
declarations rejected. Without a DTD a document can declare no entities, so
entity expansion attacks (billion laughs, quadratic blowup) and external
entities that read files or URLs are impossible, whatever the expat version.
This matters because the Python documentation warns that expat before 2.7.2
may be vulnerable to those expansion attacks, and Python builds that use the
system's expat can have an older one. Salesforce metadata files never contain
a DTD, so rejecting one loses nothing.

``xml.etree.ElementTree`` is not used because it does not report the line of
each element, which error messages need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

from funnelspec.errors import ReadError

#: The encoding that an XML declaration at the start of a file names.
_DECLARED_ENCODING = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*?encoding\s*=\s*["']([^"']{0,100})["']"""
)


@dataclass
class Element:
    """An XML element: its local name, namespace, text and children."""

    name: str
    namespace: str
    line: int
    column: int
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def find(self, name: str) -> Element | None:
        """Return the first child with the local name, or None."""
        return next((child for child in self.children if child.name == name), None)

    def find_all(self, name: str) -> list[Element]:
        """Return every child with the local name, in document order."""
        return [child for child in self.children if child.name == name]

    def child_text(self, name: str) -> str | None:
        """Return the stripped text of the first child with the name, or None."""
        child = self.find(name)
        return None if child is None else child.text.strip()


class _RejectedMarkup(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class _TreeBuilder:
    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.root: Element | None = None
        self.stack: list[Element] = []
        self.text: list[str] = []

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        namespace, _, name = tag.rpartition(" ")
        element = Element(
            name=name,
            namespace=namespace,
            line=self.parser.CurrentLineNumber,
            column=self.parser.CurrentColumnNumber + 1,
        )
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)
        self.text = []

    def end(self, tag: str) -> None:
        element = self.stack.pop()
        if not element.children:
            element.text = "".join(self.text)
        self.text = []

    def characters(self, data: str) -> None:
        self.text.append(data)

    def reject(self, markup: str) -> None:
        raise _RejectedMarkup(
            f"{markup} is not allowed; remove the <!DOCTYPE> declaration",
            self.parser.CurrentLineNumber,
            self.parser.CurrentColumnNumber + 1,
        )


def parse_xml(raw: bytes, name: str) -> Element:
    """Parse XML bytes into an Element tree, rejecting DTDs and entities.

    Raises ReadError naming the file, line and column of invalid XML or of a
    rejected declaration.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    builder = _TreeBuilder(parser)
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.characters

    def reject_doctype(*_: object) -> None:
        builder.reject("a document type declaration (DTD)")

    def reject_entity(*_: object) -> None:
        builder.reject("an entity declaration")

    def reject_external_entity(*_: object) -> int:
        builder.reject("an external entity reference")
        return 0

    parser.StartDoctypeDeclHandler = reject_doctype
    parser.EntityDeclHandler = reject_entity
    parser.ExternalEntityRefHandler = reject_external_entity
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        column = exc.offset + 1
        raise ReadError(
            f"{name}:{exc.lineno}:{column}: invalid XML: {reason}"
        ) from None
    except _RejectedMarkup as exc:
        raise ReadError(f"{name}:{exc.line}:{exc.column}: {exc}") from None
    except (LookupError, ValueError) as exc:
        # pyexpat looks up an encoding that expat lacks in Python's codecs. An
        # unknown name raises LookupError, and pyexpat raises ValueError for
        # a multi-byte codec such as Shift_JIS or UTF-7 (UnicodeError, a
        # subclass, for idna).
        raise ReadError(_encoding_message(raw, name, exc)) from None
    if builder.root is None:
        raise ReadError(f"{name}: invalid XML: no root element")
    return builder.root


def _encoding_message(raw: bytes, name: str, error: Exception) -> str:
    if isinstance(error, LookupError):
        reason = "is not a text encoding that Python knows"
    else:
        reason = "is not supported by the XML parser"
    match = _DECLARED_ENCODING.match(raw)
    if match is None:
        subject = f"{name}: the encoding of the file"
    else:
        declared = match.group(1).decode("ascii", "backslashreplace")
        subject = f"{name}:1: encoding {declared!r} of the XML declaration"
    return (
        f'{subject} {reason}; save the file as UTF-8 with encoding="UTF-8" in '
        "its XML declaration"
    )
