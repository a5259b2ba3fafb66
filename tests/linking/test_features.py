"""Matching features: names, addresses, phones and identifiers as the records table holds them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.linking import features as f
from cityhub.linking.features import Kind
from cityhub.linking.records import ColumnMap, SourceFiles, build_records
from tests.linking.conftest import PARENT

NAMES = {
    # written as: city, core, legal form, branch, 字号, 行业
    "聊城市鲁西化工机械有限公司": ("聊城", "鲁西化工机械", "有限公司", "", "鲁西", "化工机械"),
    "聊城鲁西化工机械有限责任公司": ("聊城", "鲁西化工机械", "有限公司", "", "鲁西", "化工机械"),
    "聊城市 鲁西化工机械 有限公司": ("聊城", "鲁西化工机械", "有限公司", "", "鲁西", "化工机械"),
    "聊城市鲁西化工机械有限公司临清分公司": (
        "聊城", "鲁西化工机械", "有限公司", "临清分公司", "鲁西", "化工机械"
    ),
    "聊城市鲁西化工机械有限公司临清市分公司": (
        "聊城", "鲁西化工机械", "有限公司", "临清分公司", "鲁西", "化工机械"
    ),
    "临清市鲁西化工机械有限公司": ("临清", "鲁西化工机械", "有限公司", "", "鲁西", "化工机械"),
    "山东鲁西化工（聊城）股份有限公司": ("聊城", "鲁西化工", "股份有限公司", "", "鲁西", "化工"),
    "山东鲁西化工股份公司": ("山东", "鲁西化工", "股份有限公司", "", "鲁西", "化工"),
    "鲁西集团有限责任公司": (None, "鲁西", "集团有限公司", "", "鲁西", None),
    "东阿阿胶股份有限公司": ("东阿", "阿胶", "股份有限公司", "", "阿胶", None),
    "ＡＢＣ电子科技有限公司": (None, "ABC电子科技", "有限公司", "", "ABC", "电子科技"),
}  # fmt: skip
ADDRESSES = {
    "聊城市东昌府区柳园街道建设路12号": "建设路12号",
    "山东省聊城市东昌府区柳园街道建设路12号": "建设路12号",
    "柳园街道建设路１２号 东昌府区": "建设路12号",
    "建设路12号 柳园街道 东昌府区 聊城市": "建设路12号",
    "聊城东昌府区 柳园街道 建设路 12号": "建设路12号",
}
PHONES = {
    "0635-8216688": "06358216688",
    "(0635)8216688": "06358216688",
    "（０６３５）８２１６６８８": "06358216688",
    "8216688": "06358216688",
    "+86 138 1234 5678": "13812345678",
    "008613812345678": "13812345678",
    "138-1234-5678": "13812345678",
    "12345": None,
    "": None,
}


def _table(tmp: Path, rows: list[dict[str, Any]]) -> duckdb.DuckDBPyConnection:
    path = tmp / "source.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    columns = ColumnMap("key", "name", "address", None, "phone", "code")
    con = duckdb.connect()
    build_records(con, [SourceFiles("s", (str(path),), columns)], Kind.LEGAL_ENTITY)
    return con


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    rows = []
    for i, name in enumerate(NAMES):
        rows.append({"key": f"n{i}", "name": name, "address": None, "phone": None, "code": None})
    for i, address in enumerate(ADDRESSES):
        rows.append({"key": f"a{i}", "name": "x", "address": address, "phone": None, "code": None})
    for i, phone in enumerate(PHONES):
        rows.append({"key": f"p{i}", "name": "x", "address": None, "phone": phone, "code": None})
    codes = [PARENT, PARENT[:-1] + "0", PARENT.translate(f_width()), f" {PARENT.lower()} "]
    for i, code in enumerate(codes):
        rows.append({"key": f"c{i}", "name": "x", "address": None, "phone": None, "code": code})
    con = _table(tmp_path_factory.mktemp("features"), rows)
    cursor = con.execute("SELECT * FROM records")
    names = [d[0] for d in cursor.description or []]
    return {
        r[names.index("source_key")]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()
    }


def f_width() -> dict[int, int]:
    return {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"}


@pytest.mark.parametrize(("i", "name"), list(enumerate(NAMES)))
def test_company_names_fall_into_parts(
    records: dict[str, dict[str, Any]], i: int, name: str
) -> None:
    row = records[f"n{i}"]
    parts = ("name_city", "name_core", "name_form", "name_branch", "name_brand", "name_industry")
    assert tuple(row[p] for p in parts) == NAMES[name]


def test_address_parts_in_any_order_are_the_same(records: dict[str, dict[str, Any]]) -> None:
    rows = [records[f"a{i}"] for i in range(len(ADDRESSES))]
    assert {tuple(r["addr_tokens"]) for r in rows} == {("12号", "东昌府区", "建设路", "柳园街道")}
    assert [r["addr_key"] for r in rows] == list(ADDRESSES.values())


@pytest.mark.parametrize(("i", "phone"), list(enumerate(PHONES)))
def test_phones_take_one_form(records: dict[str, dict[str, Any]], i: int, phone: str) -> None:
    assert records[f"p{i}"]["phone"] == PHONES[phone]


def test_only_valid_identifiers_are_kept(records: dict[str, dict[str, Any]]) -> None:
    kept = [records[f"c{i}"]["code"] for i in range(4)]
    assert kept == [PARENT, None, PARENT, PARENT]  # a wrong check character is no code
    assert records["c1"]["code_raw"] == PARENT[:-1] + "0"  # but still compared as written


COUNTIES = st.sampled_from(["东昌府区", "临清市", "冠县", "莘县", "高唐县", "东阿县"])
TOWNS = st.sampled_from(["柳园街道", "古楼街道", "烟庄街道", "松林镇", "大桥镇"])
CON = duckdb.connect()
ROADS = st.sampled_from(["建设路", "东昌路", "光岳大道", "运河街", "花园路"])


@settings(max_examples=30, deadline=None)
@given(
    county=COUNTIES,
    town=TOWNS,
    road=ROADS,
    number=st.integers(1, 999),
    order=st.permutations(range(4)),
    separator=st.sampled_from(["", " ", "\u3000"]),
    prefix=st.sampled_from(["", "聊城市", "山东省聊城市", "聊城"]),
)
def test_address_tokens_do_not_depend_on_order(
    county: str, town: str, road: str, number: int, order: list[int], separator: str, prefix: str
) -> None:
    parts = [county, town, road, f"{number}号"]
    written = prefix + separator.join(parts[i] for i in order)
    tokens, key = _tokens(written)
    assert tokens == _tokens("".join(parts))[0]
    if order.index(2) + 1 == order.index(3):  # the number right after its road
        assert key == f"{road}{number}号"


def _tokens(address: str) -> tuple[list[str], str | None]:
    cleaned = f.cleaned_address(f.halfwidth(_literal(address)))
    row = CON.execute(f"SELECT {f.address_tokens(cleaned)}, {f.address_key(cleaned)}")
    tokens, key = row.fetchall()[0]
    return tokens, key


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def test_rows_without_a_key_are_keyed_by_their_values(tmp_path: Path) -> None:
    rows: list[dict[str, str | None]] = [
        {"name": "聊城市鲁西化工机械有限公司", "address": "建设路12号"}
    ] * 2
    rows.append({"name": "临清市运河纺织有限公司", "address": None})
    path = tmp_path / "nokey.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    con = duckdb.connect()
    columns = ColumnMap(None, "name", "address")
    build_records(con, [SourceFiles("s", (str(path),), columns)], Kind.LEGAL_ENTITY)
    keys = [
        k for (k,) in con.execute("SELECT source_key FROM records ORDER BY unique_id").fetchall()
    ]
    assert keys[0] == keys[1] != keys[2] and all(k.startswith("h:") for k in keys)
