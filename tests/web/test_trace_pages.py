"""The traceability pages: overview, the consumer's batch and product pages, the QR code, the
recall page and the key page; Chinese by default, English by the toggle."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import segno
from fastapi.testclient import TestClient

from cityhub.auth import Actor
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.trace.epcis import lgtin_uri
from cityhub.trace.events import record_events, seal_event
from cityhub.web.i18n import catalog
from tests.conftest import PASSWORD, People
from tests.trace.chain import FERTILISER, PRODUCT, RAW, Chain, agri_input, event, qty
from tests.trace.people import FARM_CODE
from tests.web.test_i18n import LITERAL_ID
from tests.web.test_pages import log_in
from tests.web.test_trace_api import fast, log_of, seed_chain

TEMPLATES = Path(__file__).parents[2] / "src" / "cityhub" / "web" / "templates" / "trace"
PRODUCT_PAGE = "/01/06901234000061/10/P1"
PEARS = lgtin_uri("06901234000054", "R2")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return fast(settings).model_copy(update={"public_url": "https://trace.liaocheng.example"})


@pytest.fixture
def chain(client: TestClient, db: Database, people: People) -> Chain:
    return seed_chain(client.app, db)  # type: ignore[arg-type]


@pytest.fixture
def sprayed(client: TestClient, db: Database, chain: Chain) -> str:
    """Crop lot C2 planted and sprayed, then harvested into PEARS four days later (within the
    14-day safety interval)."""
    crop = lgtin_uri("06901234000047", "C2")
    spray = {"cityhub:agriInput": agri_input(FERTILISER, pesticide=True, day="2026-06-13")}
    bodies = [
        event(
            "ObjectEvent", 1000, "city:planting", action="ADD", quantityList=[qty(crop, 9, "H87")]
        ),
        event(
            "ObjectEvent",
            1024,
            "city:pesticide_applying",
            action="OBSERVE",
            quantityList=[qty(crop, 9, "H87")],
            **spray,
        ),
        event(
            "TransformationEvent",
            1120,
            "city:harvesting",
            inputQuantityList=[qty(crop, 9, "H87")],
            outputQuantityList=[qty(PEARS, 40)],
        ),
    ]
    envelopes = [seal_event(body, chain.keys["farm"]) for body in bodies]
    record_events(db, log_of(client.app), Actor.system(), envelopes)  # type: ignore[arg-type]
    return "/01/06901234000054/10/R2"


def _ids(html: str, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="([^"]+)"', html)


# --- overview ------------------------------------------------------------------------------------


def test_the_overview_is_chinese_by_default_and_english_on_request(
    client: TestClient, chain: Chain
) -> None:
    zh = client.get("/trace")
    assert zh.status_code == 200
    assert "农产品质量追溯" in zh.text and 'href="/trace/log/vkeys"' in zh.text
    size = log_of(client.app).published_size()  # type: ignore[arg-type]
    assert f'<span class="value" id="log-size">{size}</span>' in zh.text
    assert f'href="{PRODUCT_PAGE}"' in zh.text
    client.get("/lang/en", follow_redirects=False)
    en = client.get("/trace")
    assert "Farm produce traceability" in en.text and "农产品质量追溯" not in en.text
    assert "Published entries" in en.text


def test_the_overview_of_an_empty_platform(client: TestClient) -> None:
    page = client.get("/trace")
    assert page.status_code == 200
    assert "还没有批次。" in page.text
    assert 'id="log-empty"' in page.text or 'id="log-size">0<' in page.text


@pytest.mark.parametrize(("who", "shown"), [(None, False), ("slj.steward", True)])
def test_actors_and_anchors_are_listed_for_managers_only(
    client: TestClient, chain: Chain, who: str | None, shown: bool
) -> None:
    if who:
        log_in(client, who, PASSWORD)
    page = client.get("/trace").text
    assert ('id="trace-actors"' in page) is shown
    assert ('id="trace-anchors"' in page) is shown
    assert ("王小明" in page) is shown  # the natural person, in full for a manager


# --- the consumer's pages ------------------------------------------------------------------------


def test_the_batch_page_lists_the_lots_own_events_for_the_verifier(
    client: TestClient, chain: Chain
) -> None:
    page = client.get(PRODUCT_PAGE)
    assert page.status_code == 200, page.text
    document = client.get("/api/trace/batches/evidence", params={"lot": PRODUCT}).json()
    expected = [
        event["bundle"].split("\n")[1].removeprefix("index ") for event in document["events"]
    ]
    assert _ids(page.text, "data-log-index") == expected
    assert _ids(page.text, "data-via") == ["https://id.gs1.org/00/069012340000000016"] * 2
    evidence = _ids(page.text, "data-evidence-url")
    assert evidence == [
        "/api/trace/batches/evidence?lot=https%3A%2F%2Fid.gs1.org%2F01%2F06901234000061%2F10%2FP1"
    ]
    assert client.get(evidence[0].replace("&amp;", "&")).json()["batch"] == PRODUCT
    assert '<script type="module" src="/static/trace/batch.js"></script>' in page.text
    assert 'id="trace-verdict"' in page.text and 'id="trace-checkpoint"' in page.text
    assert "https://trace.liaocheng.example" + PRODUCT_PAGE in page.text


def test_the_batch_page_shows_the_farming_records_upstream(
    client: TestClient, chain: Chain
) -> None:
    page = client.get(PRODUCT_PAGE).text
    origins = page[page.index("产地记录") :]
    assert "施肥" in origins and "复合肥" in origins and "鲁农肥（2020）准字0001号" in origins
    assert "1.5 kg" in origins and 'href="/01/06901234000047/10/C1"' in origins
    assert "data-log-index" not in origins  # verified on their own lot's page, not here


def test_a_harvest_within_the_safety_interval_is_shown_as_a_warning(
    client: TestClient, sprayed: str
) -> None:
    zh = client.get(sprayed).text
    warnings = zh[zh.index('id="trace-warnings"') : zh.index('id="trace-timeline"')]
    assert "采收" in warnings and "安全间隔期" in warnings
    origins = zh[zh.index("产地记录") :]
    assert (
        "施药" in origins and "吡虫啉" in origins and "PD20070001" in origins and "14 天" in origins
    )
    en = client.get(sprayed, params={"lang": "en"}).text
    assert "Harvesting" in en[en.index('id="trace-warnings"') :] and "Safety interval" in en


def test_the_map_has_each_place_in_order(client: TestClient, chain: Chain) -> None:
    page = client.get(PRODUCT_PAGE).text
    raw = re.search(r'<script type="application/json" id="trace-map-data">(.*?)</script>', page)
    assert raw is not None
    points = json.loads(raw.group(1))["points"]
    assert [p["name"] for p in points] == [
        "processor公司",
        "retailer_b公司",
        "retailer_a公司",
        "retailer_b公司",
    ]
    assert points[0]["steps"] == ["加工", "装箱", "发货"]
    assert all(p["lon"] == 115.9 and p["lat"] == 36.4 for p in points)


def test_the_product_page_lists_its_batches(client: TestClient, chain: Chain) -> None:
    page = client.get("/01/06901234000061")
    assert page.status_code == 200
    assert f'href="{PRODUCT_PAGE}"' in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/01/06901234000061/10/NOPE",  # no such lot
        "/01/06901234000062/10/P1",  # wrong check digit
        "/01/06901234000085",  # no batches of the product
        "/01/123",  # not a GTIN
    ],
)
def test_unknown_batches_and_products_are_not_found(
    client: TestClient, chain: Chain, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


def test_the_qr_code_encodes_the_public_consumer_url(client: TestClient) -> None:
    response = client.get("/trace/qr/01/6901234000061/10/P1.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    expected = io.BytesIO()
    code = segno.make("https://trace.liaocheng.example" + PRODUCT_PAGE, error="m", micro=False)
    code.save(expected, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    assert response.content == expected.getvalue()
    assert client.get("/trace/qr/01/06901234000062/10/P1.svg").status_code == 404


# --- recall --------------------------------------------------------------------------------------


def _graph(page: str) -> dict[str, Any]:
    raw = re.search(r'<script type="application/json" id="recall-data">(.*?)</script>', page)
    assert raw is not None
    data: dict[str, Any] = json.loads(raw.group(1))
    return data


def test_the_recall_page_lists_the_retailers_and_draws_the_graph(
    client: TestClient, chain: Chain
) -> None:
    page = client.get("/trace/recall", params={"lot": FERTILISER})
    assert page.status_code == 200, page.text
    retailers = page.text[page.text.index('id="recall-retailers"') :]
    retailers = retailers[: retailers.index("</ul>")]
    assert _ids(retailers, "data-ref") == sorted([chain.people.retailer_a, chain.people.retailer_b])
    graph = _graph(page.text)
    categories = {n["id"]: n["category"] for n in graph["nodes"]}
    assert categories[FERTILISER] == "start"
    assert categories[PRODUCT] == "product_lot" and categories[RAW] == "product_lot"
    assert categories[f"actor:{chain.people.retailer_a}"] == "retailer"
    assert {e["step"] for e in graph["edges"]} >= {"施肥", "采收", "加工"}
    assert graph["legend"]["input_lot"] == "投入品批次"


def test_the_recall_page_back_from_a_product(client: TestClient, chain: Chain) -> None:
    page = client.get("/trace/recall", params={"lot": PRODUCT, "direction": "back", "lang": "en"})
    graph = _graph(page.text)
    categories = {n["id"]: n["category"] for n in graph["nodes"]}
    assert categories[FERTILISER] == "input_lot" and categories[f"actor:{FARM_CODE}"] == "farm"
    assert "Farms and producers" in page.text


@pytest.mark.parametrize(
    ("lot", "status"), [("not a lot", 400), ("https://id.gs1.org/01/06901234000061/10/X9", 404)]
)
def test_the_recall_page_says_what_is_wrong_with_a_lot(
    client: TestClient, chain: Chain, lot: str, status: int
) -> None:
    page = client.get("/trace/recall", params={"lot": lot})
    assert page.status_code == status
    assert 'id="recall-error"' in page.text and 'id="recall-form"' in page.text
    assert 'id="recall-data"' not in page.text


def test_the_recall_page_without_a_lot_is_the_form(client: TestClient) -> None:
    page = client.get("/trace/recall")
    assert page.status_code == 200 and 'id="recall-form"' in page.text
    assert "echarts" not in page.text


# --- the key page --------------------------------------------------------------------------------


def test_the_key_page_is_for_recorders(client: TestClient, chain: Chain) -> None:
    anonymous = client.get("/trace/keys/new", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    log_in(client, "slj.analyst", PASSWORD)
    assert client.get("/trace/keys/new").status_code == 403


def test_the_key_page_says_the_private_key_stays_in_the_browser(
    client: TestClient, chain: Chain
) -> None:
    log_in(client, "farm.recorder", PASSWORD)
    page = client.get("/trace/keys/new", params={"ref": FARM_CODE})
    assert page.status_code == 200
    assert "私钥只在您的浏览器中生成和保存，绝不会发送到平台" in page.text
    assert 'data-endpoint="/api/trace/keys"' in page.text and 'name="csrf_token"' in page.text
    listed = page.text[page.text.index('id="key-list"') :]
    assert chain.keys["farm"].key_id.hex() in listed
    assert '<script type="module" src="/static/trace/pages_keys.js"></script>' in page.text


def test_the_role_of_a_recorder_is_named(client: TestClient, chain: Chain) -> None:
    log_in(client, "farm.recorder", PASSWORD)
    assert "追溯记录员" in client.get("/trace").text


# --- templates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_trace_templates_use_known_ids_and_no_inline_script(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert set(LITERAL_ID.findall(text)) - set(catalog("zh-CN")) == set()
    for tag in re.findall(r"<script[^>]*>", text):
        assert 'src="' in tag or 'type="application/json"' in tag, tag
    assert "style=" not in text  # the CSP allows no inline styles either
