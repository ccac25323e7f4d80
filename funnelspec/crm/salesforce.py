"""Read Salesforce's opportunity stages from metadata API files.

Two file types of the metadata API are read:

- ``OpportunityStage.standardValueSet-meta.xml``, the org's stage picklist: a
  ``<StandardValueSet>`` whose ``<standardValue>`` entries have ``fullName``,
  ``label``, ``probability`` (a percentage), ``forecastCategory``, ``closed``
  and ``won``, in the order the org shows them.
- ``*.businessProcess-meta.xml``, a sales process: a ``<BusinessProcess>``
  that lists the subset of stages one funnel uses. Its ``<values>`` are sorted
  alphabetically and their ``fullName`` is URL-encoded (``Discovery%2FEngaged``),
  so the funnel's order comes from the picklist.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import unquote

from funnelspec.crm.pipeline import (
    CrmPipeline,
    CrmStage,
    CrmWarning,
    parse_share,
    quote_value,
)
from funnelspec.crm.safexml import Element, parse_xml
from funnelspec.errors import ReadError
from funnelspec.spec.units import did_you_mean

CRM = "Salesforce"
#: Spellings of xsd:boolean, the type of the metadata API's flags.
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


@dataclass(frozen=True)
class _Value:
    full_name: str
    stage: CrmStage
    active: bool


def read_salesforce(
    stages_raw: bytes,
    stages_name: str,
    process_raw: bytes | None = None,
    process_name: str | None = None,
) -> CrmPipeline:
    """Read a stage picklist, and optionally a sales process, into a pipeline.

    Without a process, every active value of the picklist is a stage. With one,
    only the values it lists are, in picklist order. Raises ReadError naming
    the file and line of invalid XML, a wrong root element, a missing or
    invalid field, or a process value that the picklist does not contain.
    """
    picklist = parse_xml(stages_raw, stages_name)
    _expect_root(picklist, "StandardValueSet", stages_name)
    values = _read_values(picklist, stages_name)
    sources = [f"{PurePath(stages_name).name} (opportunity stage picklist)"]
    warnings: list[CrmWarning] = []
    if picklist.child_text("sorted") == "true":
        warnings.append(
            CrmWarning(
                f"{stages_name}:{picklist.line}",
                "the picklist is marked sorted, so Salesforce shows its values "
                "alphabetically; the import keeps the order of the file, which "
                "may not be the order of the sales process",
            )
        )
    if process_raw is None or process_name is None:
        name = "Salesforce opportunity stages"
        description = None
        selected = [value for value in values if value.active]
        warnings += [
            CrmWarning(
                value.stage.location,
                f"stage {value.stage.label!r} is inactive; it is left out",
            )
            for value in values
            if not value.active
        ]
    else:
        process = parse_xml(process_raw, process_name)
        _expect_root(process, "BusinessProcess", process_name)
        name = process.child_text("fullName") or PurePath(process_name).stem
        description = process.child_text("description") or None
        selected = _select(values, process, process_name, warnings)
        sources.append(f"{PurePath(process_name).name} (sales process {name!r})")
    if not selected:
        raise ReadError(
            f"{stages_name}:{picklist.line}: every value of the picklist is "
            "inactive, so there is no stage to import"
        )
    return CrmPipeline(
        crm=CRM,
        name=name,
        sources=sources,
        stages=[value.stage for value in selected],
        description=description,
        warnings=warnings,
    )


def _expect_root(root: Element, expected: str, name: str) -> None:
    if root.name == expected:
        return
    message = (
        f"{name}:{root.line}:{root.column}: root element is <{root.name}>, "
        f"expected <{expected}>"
    )
    if expected == "StandardValueSet" and root.name == "BusinessProcess":
        message += (
            "; this is a sales process file, so pass it with --process and give "
            "OpportunityStage.standardValueSet-meta.xml as STAGES"
        )
    elif expected == "StandardValueSet":
        message += "; give the org's OpportunityStage.standardValueSet-meta.xml"
    else:
        message += "; give a *.businessProcess-meta.xml file of Opportunity"
    raise ReadError(message)


def _read_values(picklist: Element, name: str) -> list[_Value]:
    values: list[_Value] = []
    first_line: dict[str, int] = {}
    for element in picklist.find_all("standardValue"):
        value = _read_value(element, name)
        if value.full_name in first_line:
            raise ReadError(
                f"{name}:{element.line}: duplicate stage {value.full_name!r} "
                f"(first defined on line {first_line[value.full_name]}); "
                "remove one of them"
            )
        first_line[value.full_name] = element.line
        values.append(value)
    if not values:
        raise ReadError(
            f"{name}:{picklist.line}: <StandardValueSet> contains no "
            "<standardValue> elements; export the OpportunityStage value set"
        )
    return values


def _read_value(element: Element, name: str) -> _Value:
    full_name = _required(element, "fullName", name, "the stage's API name")
    label = element.child_text("label") or full_name
    probability_text = _required(
        element, "probability", name, "the stage's win probability in percent"
    )
    try:
        probability = parse_share(probability_text, 100)
    except ValueError as exc:
        raise ReadError(
            f"{name}:{_line_of(element, 'probability')}: probability of stage "
            f"{full_name!r} is {quote_value(probability_text)} ({exc}); expected "
            "a percentage from 0 to 100"
        ) from None
    closed = _boolean(element, "closed", name, full_name)
    won = _boolean(element, "won", name, full_name)
    active = element.find("isActive") is None or _boolean(
        element, "isActive", name, full_name
    )

    details = []
    if label != full_name:
        details.append(f"API name {full_name!r}")
    category = element.child_text("forecastCategory")
    if category:
        details.append(f"forecast category {category}")
    stage = CrmStage(
        label=label,
        probability=probability,
        closed=closed,
        won=won,
        location=f"{name}:{element.line}",
        details=", ".join(details),
    )
    return _Value(full_name=full_name, stage=stage, active=active)


def _required(element: Element, field: str, name: str, meaning: str) -> str:
    text = element.child_text(field)
    if text:
        return text
    subject = f"<{element.name}>"
    full_name = element.child_text("fullName")
    if full_name and field != "fullName":
        subject += f" {full_name!r}"
    state = "no" if element.find(field) is None else "an empty"
    raise ReadError(
        f"{name}:{_line_of(element, field)}: {subject} has {state} <{field}> "
        f"({meaning}); add it, or export the file again"
    )


def _boolean(element: Element, field: str, name: str, full_name: str) -> bool:
    text = _required(element, field, name, "true or false")
    if text.lower() not in _BOOLEANS:
        raise ReadError(
            f"{name}:{_line_of(element, field)}: <{field}> of stage "
            f"{full_name!r} is {text!r}; expected true or false"
        )
    return _BOOLEANS[text.lower()]


def _line_of(element: Element, field: str) -> int:
    child = element.find(field)
    return element.line if child is None else child.line


def _select(
    values: list[_Value], process: Element, name: str, warnings: list[CrmWarning]
) -> list[_Value]:
    by_name = {value.full_name: value for value in values}
    chosen: set[str] = set()
    for element in process.find_all("values"):
        encoded = element.child_text("fullName")
        if not encoded:
            raise ReadError(
                f"{name}:{element.line}: <values> has no <fullName>; each value "
                "of a sales process names a stage"
            )
        full_name = encoded if encoded in by_name else unquote(encoded)
        if full_name not in by_name:
            hint = did_you_mean(full_name, by_name)
            raise ReadError(
                f"{name}:{element.line}: stage {full_name!r} of the sales process "
                f"is not in the picklist{hint}; export the process and the "
                "OpportunityStage value set from the same org"
            )
        chosen.add(full_name)
    if not chosen:
        raise ReadError(
            f"{name}:{process.line}: sales process lists no stages (<values>)"
        )
    if process.child_text("isActive") == "false":
        warnings.append(
            CrmWarning(f"{name}:{process.line}", "the sales process is inactive")
        )
    selected = [value for value in values if value.full_name in chosen]
    warnings += [
        CrmWarning(
            value.stage.location,
            f"stage {value.stage.label!r} is inactive in the picklist but listed "
            "by the sales process; it is kept",
        )
        for value in selected
        if not value.active
    ]
    return selected
