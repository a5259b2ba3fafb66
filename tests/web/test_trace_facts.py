"""The key facts the batch page shows of an event, in Chinese and English."""

from __future__ import annotations

from typing import Any

import pytest

from cityhub.web.i18n import Translator
from cityhub.web.pages.trace_facts import event_facts, step_label

SPRAY = {
    "cityhub:agriInput": {
        "name": "吡虫啉",
        "registrationNumber": "PD20070001",
        "dose": 1.5,
        "uom": "KGM",
        "method": "喷雾",
        "startDate": "2026-06-13",
        "endDate": "2026-06-13",
        "safetyIntervalDays": 14,
    }
}
RESIDUES = {
    "sensorElementList": [
        {
            "sensorMetadata": {"time": "2026-09-01T10:00:00+08:00"},
            "sensorReport": [
                {
                    "type": "Dimensionless",
                    "chemicalSubstance": "https://identifiers.org/cas:138261-41-3",
                    "value": 0.25,
                    "uom": "NA",
                }
            ],
        }
    ],
    "disposition": "non_conformant",
}
COLD = {
    "sensorElementList": [
        {"sensorReport": [{"type": "Temperature", "minValue": 0.5, "maxValue": 3.5, "uom": "CEL"}]}
    ],
    "quantityList": [{"epcClass": "x", "quantity": 120.0, "uom": "KGM"}],
}

CASES: list[tuple[str, dict[str, Any], str, list[tuple[str, str]]]] = [
    (
        "pesticide",
        SPRAY,
        "zh-CN",
        [
            ("投入品", "吡虫啉"),
            ("登记证号", "PD20070001"),
            ("用量", "1.5 kg"),
            ("方法", "喷雾"),
            ("使用日期", "2026-06-13"),
            ("安全间隔期", "14 天"),
        ],
    ),
    (
        "pesticide",
        SPRAY,
        "en",
        [
            ("Input", "吡虫啉"),
            ("Registration no.", "PD20070001"),
            ("Dose", "1.5 kg"),
            ("Method", "喷雾"),
            ("Applied", "2026-06-13"),
            ("Safety interval", "14 days"),
        ],
    ),
    (
        "residue",
        RESIDUES,
        "zh-CN",
        [("检测 CAS 138261-41-3", "0.25 mg/kg"), ("状态", "non conformant")],
    ),
    ("cold chain", COLD, "en", [("Temperature", "0.5 – 3.5 °C"), ("Quantity", "120 kg")]),
    ("nothing to say", {"type": "ObjectEvent"}, "zh-CN", []),
]


@pytest.mark.parametrize(("case", "event", "language", "facts"), CASES, ids=[c[0] for c in CASES])
def test_facts_of_an_event(
    case: str, event: dict[str, Any], language: str, facts: list[tuple[str, str]]
) -> None:
    shown = event_facts(Translator(language), event)
    assert [(f.label, f.value) for f in shown] == facts


@pytest.mark.parametrize(
    ("step", "language", "label"),
    [
        ("pesticide_applying", "zh-CN", "施药"),
        ("retail_selling", "en", "Retail sale"),
        ("dismantling", "en", "dismantling"),  # a CBV step we have no name for shows itself
        (None, "zh-CN", "其他记录"),
    ],
)
def test_step_names(step: str | None, language: str, label: str) -> None:
    assert step_label(Translator(language), step) == label
