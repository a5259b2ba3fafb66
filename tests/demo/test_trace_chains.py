"""The demo traceability chains: deterministic, causal, well identified, valid EPCIS, with the
recall and safety-interval cases the demo relies on. The walkers and identifier checks are written
here again, independently of the generator's helpers, so that a shared mistake cannot hide."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker  # type: ignore[import-untyped]
from referencing import Registry, Resource

import cityhub
from cityhub.auth.departments import DEPARTMENTS
from cityhub.demo.city import COUNTIES
from cityhub.demo.trace_chains import DemoTrace, build_demo_trace
from cityhub.errors import InvalidInput
from cityhub.registry import validate
from cityhub.trace.epcis import validate_event

Event = dict[str, Any]
CITY_STEP = "https://liaocheng.cityhub.example/voc/BizStep-"
LGTIN = re.compile(r"https://id\.gs1\.org/01/(\d{14})/10/([A-Za-z0-9._-]{1,20})")
SSCC = re.compile(r"https://id\.gs1\.org/00/(\d{18})")
GLN = re.compile(r"https://id\.gs1\.org/41[47]/(\d{13})")
TIME = re.compile(r"2026-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00")
QUANTITIES = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
EPCS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
NOW = datetime.fromisoformat("2026-11-27T00:00:00+08:00")
HAN = re.compile(r"[\u4e00-\u9fff]")
SCHEMA = Path(cityhub.__file__).parent / "trace" / "epcis" / "schema"
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")


@pytest.fixture(scope="module", params=[{}, {"seed": 7, "batches": 45}], ids=["default", "small"])
def trace(request: pytest.FixtureRequest) -> DemoTrace:
    return build_demo_trace(**request.param)


def gs1_valid(code: str) -> bool:
    body, check = code[:-1], int(code[-1])
    total = sum(int(d) * (1 if i % 2 else 3) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def refs(event: Event) -> set[str]:
    found = {q["epcClass"] for key in QUANTITIES for q in event.get(key, [])}
    found |= {epc for key in EPCS for epc in event.get(key, [])}
    found |= {event["parentID"]} if "parentID" in event else set()
    lot = event.get("cityhub:agriInput", {}).get("lot")
    return found | ({lot} if lot else set())


def created(event: Event) -> set[str]:
    """Lots and containers an event brings into being: ADDs and transformation outputs."""
    if event["type"] == "TransformationEvent":
        return {q["epcClass"] for q in event["outputQuantityList"]}
    if event.get("action") != "ADD":
        return set()
    if event["type"] == "AggregationEvent":
        return {event["parentID"]}
    return {q["epcClass"] for q in event["quantityList"]}


def step(event: Event) -> str:
    return str(event.get("bizStep", "")).removeprefix(CITY_STEP)


def when(event: Event) -> datetime:
    return datetime.fromisoformat(event["eventTime"])


def test_the_same_seed_gives_the_same_trace() -> None:
    first = build_demo_trace()
    assert build_demo_trace() == first
    assert build_demo_trace(seed=1) != first


@pytest.mark.parametrize("batches", [30, 97, 300])
def test_batches_is_the_number_of_product_lots(batches: int) -> None:
    lots = build_demo_trace(batches=batches).product_lots
    assert len(lots) == len(set(lots)) == batches


def test_product_lots_of_all_three_chains(trace: DemoTrace) -> None:
    made = [d for d in trace.events if d.event["type"] == "TransformationEvent"]
    outputs = {q["epcClass"]: d.product for d in made for q in d.event["outputQuantityList"]}
    assert {outputs[lot] for lot in trace.product_lots} == {"ejiao", "pear", "vegetable"}
    assert {d.product for d in trace.events} == {"ejiao", "pear", "vegetable"}
    all_lots = {r for d in trace.events for r in refs(d.event) if LGTIN.fullmatch(r)}
    assert len(all_lots) > 1.5 * len(trace.product_lots)  # crops, donkeys, hides, inputs too


def causality_problems(events: list[Event]) -> list[str]:
    """Lots used before they exist, two events of a lot at one time, events out of order."""
    problems: list[str] = []
    made: set[str] = set()
    last: dict[str, datetime] = {}
    previous = when(events[0])
    for event in events:
        at = when(event)
        if at < previous:
            problems.append(f"event at {at} after one at {previous}")
        previous = at
        new = created(event)
        for ref in refs(event):
            if ref not in made and ref not in new:
                problems.append(f"{ref} used at {at} before it exists")
            if ref in last and at <= last[ref]:
                problems.append(f"{ref} has an event at {at} not after {last[ref]}")
            last[ref] = at
        made |= new
    return problems


def test_lots_exist_before_use_and_their_events_have_increasing_times(trace: DemoTrace) -> None:
    events = [d.event for d in trace.events]
    assert causality_problems(events) == []
    first_use = next(i for i, e in enumerate(events) if refs(e) - created(e))
    assert causality_problems(events[first_use:])  # the walker notices missing creations
    assert causality_problems([*events[1:], {**events[0], "eventTime": events[-1]["eventTime"]}])


def test_receiving_follows_shipping_and_sales_follow_arrival(trace: DemoTrace) -> None:
    kinds = {a.ref: a.kind for a in trace.actors}
    shipped: dict[str, tuple[datetime, str]] = {}
    arrived: dict[tuple[str, str], datetime] = {}
    sales = 0
    for demo in trace.events:
        event, at, where = demo.event, when(demo.event), demo.event.get("bizLocation", {}).get("id")
        if step(event) == "shipping":
            to = [d["destination"] for d in event["destinationList"] if d["type"] == "location"]
            shipped[event["bizTransactionList"][0]["bizTransaction"]] = (at, to[0])
        elif step(event) == "receiving" and event["action"] == "OBSERVE":
            sent, destination = shipped[event["bizTransactionList"][0]["bizTransaction"]]
            assert sent < at and destination == where
        if step(event) in {"receiving", "unpacking"}:
            arrived.update({(str(where), ref): at for ref in refs(event)})
        if step(event) == "retail_selling":
            sales += 1
            lot = event["quantityList"][0]["epcClass"]
            assert kinds[demo.recorder] == "retailer" and arrived[(str(where), lot)] < at
    assert sales >= len(trace.product_lots)


def test_times_are_china_standard_time_in_2026_before_the_present(trace: DemoTrace) -> None:
    for event in (d.event for d in trace.events):
        assert TIME.fullmatch(event["eventTime"]) and event["eventTimeZoneOffset"] == "+08:00"
        assert "eventID" not in event and when(event) < NOW


def test_identifiers_have_gs1_china_prefixes_and_valid_check_digits(trace: DemoTrace) -> None:
    text = json.dumps([d.event for d in trace.events])
    uris = set(re.findall(r"https://id\.gs1\.org/[^\"]+", text))
    assert uris and gs1_valid("4006381333931") and not gs1_valid("4006381333932")  # the helper
    for uri in uris:
        if lgtin := LGTIN.fullmatch(uri):
            code = lgtin[1]
            assert code.startswith("069") and gs1_valid(code), uri
        elif sscc := SSCC.fullmatch(uri):
            assert sscc[1][1:3] == "69" and gs1_valid(sscc[1]), uri
        elif gln := GLN.fullmatch(uri):
            assert gln[1].startswith("69") and gs1_valid(gln[1]), uri
        else:
            assert uri.startswith("https://id.gs1.org/8004/69"), uri  # greenhouse loggers, trucks


def test_actors_are_identified_and_placed_in_liaocheng(trace: DemoTrace) -> None:
    departments = {d.name_zh for d in DEPARTMENTS}
    people = [a for a in trace.actors if a.ref.startswith("NZ")]
    assert len(people) == 1 and re.fullmatch(r"NZ3715\d{10}", people[0].ref)
    for actor in trace.actors:
        if actor is not people[0]:
            assert validate("credit_code", actor.ref).valid, actor
        assert len(actor.gln) == 13 and actor.gln.startswith("69") and gs1_valid(actor.gln)
        assert actor.kind in {"producer", "processor", "logistics", "retailer", "lab", "supplier"}
        assert actor.county in COUNTIES.values() and actor.department in departments
        assert 115.2 < actor.lon < 116.6 and 35.8 < actor.lat < 37.1
        assert HAN.search(actor.name_zh) and actor.name_en.isascii()
    known = {a.ref for a in trace.actors}
    assert len(known) == len({a.gln for a in trace.actors}) == len(trace.actors)
    assert {d.recorder for d in trace.events} <= known


def test_exactly_one_harvest_lies_inside_a_safety_interval(trace: DemoTrace) -> None:
    intervals: dict[str, list[tuple[date, int]]] = defaultdict(list)
    flagged, checked = [], 0
    for demo in trace.events:
        event = demo.event
        record = event.get("cityhub:agriInput", {})
        if "safetyIntervalDays" in record:
            end = date.fromisoformat(record["endDate"])
            for q in event["quantityList"]:
                intervals[q["epcClass"]].append((end, record["safetyIntervalDays"]))
        if event["type"] == "TransformationEvent" and step(event) in {"harvesting", "killing"}:
            checked += 1
            day = when(event).date()
            lots = [q["epcClass"] for q in event["inputQuantityList"]]
            if any(day < end + timedelta(days=n) for lot in lots for end, n in intervals[lot]):
                flagged.append((demo.product, step(event)))
    assert checked > len(trace.product_lots) // 2
    assert flagged == [("pear", "harvesting")]


def test_the_contaminated_sugar_lot_reaches_some_but_not_all_retailers(trace: DemoTrace) -> None:
    names = {p.gtin: p.name_zh for p in trace.products}
    sugar = LGTIN.fullmatch(trace.contaminated_lot)
    assert sugar and "冰糖" in names[sugar[1]]
    kinds = {a.ref: a.kind for a in trace.actors}
    reached, retailers, boils = {trace.contaminated_lot}, set(), 0
    for demo in trace.events:
        event = demo.event
        if event["type"] == "TransformationEvent":
            used = {q["epcClass"] for q in event["inputQuantityList"]}
            boils += trace.contaminated_lot in used
            if used & reached:
                reached |= {q["epcClass"] for q in event["outputQuantityList"]}
        elif event["type"] == "AggregationEvent" and event["action"] == "ADD":
            children = {q["epcClass"] for q in event["childQuantityList"]}
            reached |= {event["parentID"]} if children & reached else set()
        selling = step(event) in {"receiving", "retail_selling"}
        if selling and refs(event) & reached and kinds[demo.recorder] == "retailer":
            retailers.add(demo.recorder)
    products = {r for r in reached if LGTIN.fullmatch(r)} - {trace.contaminated_lot}
    assert products == set(trace.expected_recall_products) and len(products) >= boils
    assert retailers == set(trace.expected_recall_retailers)
    sales = [d for d in trace.events if d.product == "ejiao" and step(d.event) == "retail_selling"]
    assert boils >= 2 and 3 <= len(retailers) < len({d.recorder for d in sales})


def test_chinese_records_sensor_readings_and_residue_tests(trace: DemoTrace) -> None:
    assert all(HAN.search(p.name_zh) for p in trace.products)
    plantings = [d.event for d in trace.events if step(d.event) == "planting"]
    assert {"鸭梨", "黄瓜（津优35号）"} <= {e["ilmd"]["cityhub:variety"] for e in plantings}
    climate = [d.event for d in trace.events if step(d.event) == "sensor_reporting"]
    kinds = {r["type"] for e in climate for s in e["sensorElementList"] for r in s["sensorReport"]}
    assert climate and kinds == {"Temperature", "RelativeHumidity"}
    tests = [d for d in trace.events if step(d.event) == "inspecting" and d.product != "ejiao"]
    assert len(tests) == sum(1 for lot in trace.product_lots if "/10/EJ" not in lot)
    for demo in tests:
        reports = demo.event["sensorElementList"][0]["sensorReport"]
        substances = [r["chemicalSubstance"] for r in reports]
        assert substances and all(s.startswith("https://identifiers.org/cas:") for s in substances)
        assert demo.event["disposition"] == "conformant"


def test_every_event_passes_the_platforms_epcis_validation(trace: DemoTrace) -> None:
    for demo in trace.events:
        validate_event(demo.event)


def _schema_validator() -> Draft7Validator:
    documents = [json.loads(p.read_text()) for p in sorted(SCHEMA.glob("**/*JSON-Schema.json"))]
    resources = [(d["$id"], Resource.from_contents(d)) for d in documents]
    registry: Registry[Any] = Registry().with_resources(resources)
    # The schema's formats, which jsonschema checks only with optional packages: checked here.
    formats = FormatChecker(formats=())
    formats.checks("uri")(lambda v: not isinstance(v, str) or URI.fullmatch(v) is not None)
    formats.checks("date-time")(lambda v: not isinstance(v, str) or TIME.fullmatch(v) is not None)
    event = "https://gs1.github.io/EPCIS/JSON-Schema/EPCIS-Event-JSON-Schema.json"
    schema = {"$ref": event + "#/definitions/EPCIS-Document-Event"}
    return Draft7Validator(schema, registry=registry, format_checker=formats)


def test_events_of_every_shape_match_the_gs1_json_schema(trace: DemoTrace) -> None:
    # jsonschema is slow: one event of each shape (type, action, step, fields, chain); the
    # platform's own validation above checks every event against the same schema.
    shapes: dict[tuple[object, ...], Event] = {}
    for demo in trace.events:
        event = demo.event
        key = (event["type"], event.get("action"), step(event), tuple(event), demo.product)
        shapes.setdefault(key, event)
    assert len(shapes) > 30
    validator = _schema_validator()
    bad = dict(trace.events[0].event, readPoint={"id": "no uri"})
    assert not validator.is_valid(bad)  # the formats are really checked
    for event in shapes.values():
        errors = [e.message for e in validator.iter_errors(event)]
        assert not errors, (event, errors[:3])


# Too few batches; a start in 2025; a start so late the chains would run past 27 November.
REFUSED = [({"batches": 29}, "batches"), ({"start": date(2025, 12, 1)}, "start")]


@pytest.mark.parametrize(("arguments", "field"), [*REFUSED, ({"start": date(2026, 4, 1)}, "start")])
def test_arguments_out_of_range_are_refused(arguments: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        build_demo_trace(**arguments)
    assert caught.value.details["field"] == field
