"""The key facts of an EPCIS event, as short lines the batch page's timeline shows.

Pure formatting of the decoded event: farming inputs (what, 登记证号, dose, method, dates,
安全间隔期), sensor reports (inspection results per substance, temperatures), quantities and the
disposition. Labels are message ids of ``locales/trace``; values stay as recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cityhub.web.i18n import Translator

AGRI_INPUT = "cityhub:agriInput"
QUANTITY_LISTS = ("quantityList", "inputQuantityList", "outputQuantityList", "childQuantityList")
CAS = "https://identifiers.org/cas:"
# UN/CEFACT Rec 20 codes the chains use, as people write them.
UNITS = {
    "KGM": "kg",
    "GRM": "g",
    "TNE": "t",
    "LTR": "L",
    "MLT": "mL",
    "H87": "件",
    "CEL": "°C",
    "P1": "%",
    "NA": "mg/kg",
    "MTK": "m²",
    "HAR": "ha",
    "KGH": "kg/h",
}
KNOWN_STEPS = frozenset(
    {
        "planting",
        "fertilising",
        "pesticide_applying",
        "harvesting",
        "feeding",
        "processing",
        "commissioning",
        "creating_class_instance",
        "inspecting",
        "sampling",
        "packing",
        "unpacking",
        "shipping",
        "receiving",
        "retail_selling",
        "storing",
        "killing",
        "sensor_reporting",
        "loading",
        "departing",
        "arriving",
        "accepting",
        "holding",
        "transforming",
    }
)


@dataclass(frozen=True)
class Fact:
    """One line: a label and its value."""

    label: str
    value: str


def unit(code: Any) -> str:
    """A readable unit for a UN/CEFACT code (the code itself when unknown)."""
    return UNITS.get(str(code), str(code)) if code is not None else ""


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _amount(value: Any, code: Any) -> str:
    return f"{_number(value)} {unit(code)}".strip()


def step_label(t: Translator, step: str | None) -> str:
    """The step's name in the page's language; an unknown step shows its own word."""
    if step is None:
        return t("trace.step.unknown")
    return t(f"trace.step.{step}") if step in KNOWN_STEPS else step.replace("_", " ")


def _agri_input(t: Translator, record: Mapping[str, Any]) -> list[Fact]:
    facts = [Fact(t("trace.fact.input"), str(record.get("name", "—")))]
    if record.get("registrationNumber"):
        facts.append(Fact(t("trace.fact.registration"), str(record["registrationNumber"])))
    if record.get("dose") is not None:
        facts.append(Fact(t("trace.fact.dose"), _amount(record["dose"], record.get("uom"))))
    if record.get("method"):
        facts.append(Fact(t("trace.fact.method"), str(record["method"])))
    dates = [str(record[k]) for k in ("startDate", "endDate") if record.get(k)]
    if dates:
        facts.append(Fact(t("trace.fact.dates"), " – ".join(dict.fromkeys(dates))))
    if record.get("safetyIntervalDays") is not None:
        days = t("trace.fact.days", days=_number(record["safetyIntervalDays"]))
        facts.append(Fact(t("trace.fact.safety_interval"), days))
    return facts


def _report(t: Translator, report: Mapping[str, Any]) -> Fact | None:
    uom = report.get("uom")
    substance = report.get("chemicalSubstance")
    if substance:
        name = str(substance).removeprefix(CAS)
        label = t("trace.fact.substance", name=f"CAS {name}" if substance != name else name)
        return Fact(label, _amount(report.get("value", "—"), uom))
    kind = str(report.get("type", ""))
    label = t("trace.fact.temperature") if kind.endswith("Temperature") else kind or "—"
    if report.get("value") is not None:
        return Fact(label, _amount(report["value"], uom))
    low, high = report.get("minValue"), report.get("maxValue")
    if low is not None and high is not None:
        return Fact(label, f"{_number(low)} – {_amount(high, uom)}")
    return None


def _sensors(t: Translator, event: Mapping[str, Any]) -> list[Fact]:
    facts = []
    for element in event.get("sensorElementList") or []:
        if not isinstance(element, Mapping):
            continue
        for report in element.get("sensorReport") or []:
            if isinstance(report, Mapping) and (fact := _report(t, report)) is not None:
                facts.append(fact)
    return facts


def _quantities(t: Translator, event: Mapping[str, Any]) -> list[Fact]:
    facts = []
    for key in QUANTITY_LISTS:
        for item in event.get(key) or []:
            if isinstance(item, Mapping) and item.get("quantity") is not None:
                label = t(f"trace.fact.{key}")
                facts.append(Fact(label, _amount(item["quantity"], item.get("uom"))))
    return facts


def event_facts(t: Translator, event: Mapping[str, Any] | None) -> list[Fact]:
    """The lines of one event, in the order a reader wants them."""
    if not event:
        return []
    facts: list[Fact] = []
    record = event.get(AGRI_INPUT)
    if isinstance(record, Mapping):
        facts += _agri_input(t, record)
    facts += _sensors(t, event)
    facts += _quantities(t, event)
    disposition = event.get("disposition")
    if isinstance(disposition, str):
        word = disposition.rsplit("Disp-", 1)[-1]
        facts.append(Fact(t("trace.fact.disposition"), word.replace("_", " ")))
    return facts
