"""Small valid events of the farm-to-shop chain, for table tests to break one field at a time."""

from __future__ import annotations

import copy
from typing import Any

from cityhub.trace.epcis import Step

LOT = "https://id.gs1.org/01/06901234000016/10/L1"
PLOT = "urn:epc:id:sgln:6901234.00001.0"
PALLET = "https://id.gs1.org/00/106141412345678908"

PESTICIDE: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2025-06-01T08:00:00+08:00",
    "eventTimeZoneOffset": "+08:00",
    "action": "OBSERVE",
    "epcList": [],
    "bizStep": Step.PESTICIDE_APPLYING.uri,
    "bizLocation": {"id": PLOT},
    "cityhub:agriInput": {
        "name": "吡虫啉",
        "registrationNumber": "PD20080001",
        "source": "莘县农资店",
        "lot": "urn:epc:class:lgtin:6901234.000001.P7",
        "dose": 1.5,
        "uom": "LTR",
        "method": "喷雾",
        "startDate": "2025-06-01",
        "endDate": "2025-06-02",
        "safetyIntervalDays": 7,
    },
}

HARVEST: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2025-06-10T06:30:00.250+08:00",
    "eventTimeZoneOffset": "+08:00",
    "action": "ADD",
    "quantityList": [{"epcClass": LOT, "quantity": 500, "uom": "KGM"}],
    "bizStep": Step.HARVESTING.uri,
    "bizLocation": {"id": PLOT},
    "ilmd": {"cityhub:harvestDate": "2025-06-10", "cityhub:variety": "鸭梨"},
}

PACKING: dict[str, Any] = {
    "type": "AggregationEvent",
    "eventTime": "2025-06-11T09:00:00+08:00",
    "eventTimeZoneOffset": "+08:00",
    "action": "ADD",
    "parentID": PALLET,
    "childQuantityList": [{"epcClass": LOT, "quantity": 480, "uom": "KGM"}],
    "bizStep": "packing",
}

PROCESSING: dict[str, Any] = {
    "type": "TransformationEvent",
    "eventTime": "2025-06-12T10:00:00+08:00",
    "eventTimeZoneOffset": "+08:00",
    "inputQuantityList": [{"epcClass": LOT, "quantity": 100, "uom": "KGM"}],
    "outputQuantityList": [{"epcClass": "https://id.gs1.org/01/06901234000023/10/J1"}],
    "bizStep": Step.PROCESSING.uri,
    "sensorElementList": [
        {
            "sensorReport": [
                {
                    "type": "MassConcentration",
                    "chemicalSubstance": "https://identifiers.org/inchikey:YWTYJOPNNQFBPC-UHFFFAOYSA-N",
                    "value": 0.02,
                    "uom": "M1",
                }
            ]
        }
    ],
}


def event(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with top-level changes; a value of ``...`` removes the key."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if value is ...:
            out.pop(key, None)
        else:
            out[key] = value
    return out
