"""Generated legal-entity rows for the scale benchmark, written as Parquet with NumPy and Arrow.

Row ``i``'s codes are a function of ``i``, its random figures come from a generator seeded per
chunk, so a table of N rows is the same on every run; 100M rows take minutes: fixed-width codes are
built as byte matrices (one row per value) and handed to Arrow as string buffers without a
Python loop. The columns are those of ``benchmarks/quality_rules.py``:

- 统一社会信用代码: valid codes (organisation code ``i``, both check characters right); 1% with a
  wrong check character, 0.1% a copy of the previous row's code (a ``unique`` failure);
- 法定代表人身份证号: valid ID numbers (birth 1950-2004), 1% with the check character ``Y``;
- 企业名称 (0.5% empty), 注册资本 (1% negative), 成立日期 (1% in 2030), 行政区划代码 (1% not a
  county of the reference list), 联系电话 (1% not a mobile number), 企业类型 (1% not listed).

The files are laid out as an ingest writes them: 8M rows a file, 1M-row row groups, snappy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from quality_rules import (  # the same legal-entity table, beside this script
    CATEGORIES,
    REGIONS,
    SURNAMES,
    TYPES,
)

__all__ = ["CATEGORIES", "COUNTY_SCHEMA", "SCHEMA", "TYPES", "write_counties", "write_legal"]

from cityhub.pool.ingest import ROWS_PER_FILE
from cityhub.registry.codes import CREDIT_ALPHABET, CREDIT_WEIGHTS, ID_CHECK, ID_WEIGHTS
from cityhub.registry.credit_code import ORG_CODE_WEIGHTS

ROW_GROUP = 1 << 20
CHUNK = 2_000_000  # rows generated at once (about 1 GB of temporaries at most)
MAX_ROWS = 100_000_000  # the organisation code is ``i`` in 8 digits
COUNTY_NAMES = (
    "东昌府区",
    "茌平区",
    "阳谷县",
    "莘县",
    "茌平县",
    "东阿县",
    "冠县",
    "高唐县",
    "临清市",
)
SCHEMA = pa.schema(
    [
        ("统一社会信用代码", pa.string()),
        ("法定代表人身份证号", pa.string()),
        ("企业名称", pa.string()),
        ("注册资本", pa.float64()),
        ("成立日期", pa.date32()),
        ("行政区划代码", pa.string()),
        ("联系电话", pa.string()),
        ("企业类型", pa.string()),
    ]
)
COUNTY_SCHEMA = pa.schema([("代码", pa.string()), ("名称", pa.string())])

_ZERO = ord("0")
_CREDIT = np.frombuffer(CREDIT_ALPHABET.encode(), dtype=np.uint8)
_ID_CHECK = np.frombuffer(ID_CHECK.encode(), dtype=np.uint8)
_EPOCH_1950 = (np.datetime64("1950-01-01") - np.datetime64("1970-01-01")).astype(int)
_EPOCH_1980 = (np.datetime64("1980-01-01") - np.datetime64("1970-01-01")).astype(int)
_IN_2030 = (np.datetime64("2030-01-01") - np.datetime64("1970-01-01")).astype(int)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """``values`` as a (n, width) matrix of decimal digits, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10).astype(np.uint8)


def _strings(matrix: np.ndarray) -> pa.Array:
    """Each row of a (n, width) byte matrix as one string, without a Python loop."""
    count, width = matrix.shape
    offsets = np.arange(0, (count + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix, dtype=np.uint8)
    return pa.Array.from_buffers(
        pa.string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _pick(choices: tuple[str, ...], index: np.ndarray) -> pa.Array:
    return pa.array(choices, pa.string()).take(pa.array(index))


def _credit_codes(i: np.ndarray) -> np.ndarray:
    """Valid 统一社会信用代码 of enterprises (91), organisation code ``i``, as a byte matrix."""
    regions = np.array([[int(c) for c in r] for r in REGIONS], dtype=np.uint8)[i % len(REGIONS)]
    org = _digits(i, 8)
    check = 11 - (org.astype(np.int64) @ np.array(ORG_CODE_WEIGHTS)) % 11
    # 10 is written X and 11 as 0; the values below are the characters' places in the alphabet.
    org_check = np.where(check == 10, CREDIT_ALPHABET.index("X"), check % 11).astype(np.uint8)
    body = np.concatenate(
        [np.tile(np.array([9, 1], np.uint8), (len(i), 1)), regions, org, org_check[:, None]],
        axis=1,
    )
    total = body.astype(np.int64) @ np.array(CREDIT_WEIGHTS)
    last = (31 - total % 31) % 31
    return np.concatenate([_CREDIT[body], _CREDIT[last][:, None]], axis=1)


def _id_numbers(i: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Valid 公民身份号码 (born 1950-2004) as a byte matrix."""
    regions = np.array([[int(c) for c in r] for r in REGIONS], dtype=np.uint8)
    region = regions[(i // 7) % len(REGIONS)]
    born = (np.datetime64("1950-01-01") + rng.integers(0, 20_000, len(i))).astype("datetime64[D]")
    years = born.astype("datetime64[Y]").astype(np.int64) + 1970
    months = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (born - born.astype("datetime64[M]")).astype(np.int64) + 1
    date = _digits(years * 10_000 + months * 100 + days, 8)
    body = np.concatenate([region, date, _digits(i % 1000, 3)], axis=1)
    total = body.astype(np.int64) @ np.array(ID_WEIGHTS)
    return np.concatenate([body + _ZERO, _ID_CHECK[total % 11][:, None]], axis=1)


def legal_batch(start: int, count: int, seed: int = 7) -> pa.RecordBatch:
    """Rows ``start`` .. ``start + count - 1`` of the legal-entity table."""
    if start + count > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS:,} rows (the organisation code is 8 digits)")
    i = np.arange(start, start + count, dtype=np.int64)
    rng = np.random.default_rng([seed, start])
    rest = i % 100
    credit = _credit_codes(i)
    credit[rest == 7, 17] = np.where(credit[rest == 7, 17] == _ZERO, _ZERO + 1, _ZERO)
    # A copy of the code two rows up (a valid one); that row may sit in the previous chunk.
    copied = np.flatnonzero((i % 1000 == 8) & (i - 2 >= start))
    credit[copied] = credit[copied - 2]
    ids = _id_numbers(i, rng)
    ids[rest == 11, 17] = ord("Y")
    surname = pa.array(list(SURNAMES)).take(pa.array(i % len(SURNAMES)))
    names = pc.binary_join_element_wise(
        "聊城市", surname, "氏第", pc.cast(pa.array(i), pa.string()), "号企业有限公司", ""
    )
    names = pc.if_else(pa.array(i % 200 == 3), pa.nulls(count, pa.string()), names)
    capital = np.where(rest == 5, -1.0, rng.integers(0, 10_000_000, count) / 100.0)
    founded = np.where(rest == 9, _IN_2030, _EPOCH_1980 + rng.integers(0, 16_000, count))
    region = np.where(rest == 13, len(REGIONS), i % len(REGIONS))
    ones = np.full((count, 1), _ZERO + 1, np.uint8)
    phone = np.concatenate([ones, _digits(rng.integers(0, 10**10, count), 10) + _ZERO], axis=1)
    phone[:, 1] = np.where(rest == 17, _ZERO + 2, _ZERO + 3 + (i % 7))  # 12…: not a mobile
    kind = np.where(rest == 19, len(CATEGORIES), i % len(CATEGORIES))
    columns = [
        _strings(credit),
        _strings(ids),
        names,
        pa.array(capital, pa.float64()),
        pa.array(founded.astype(np.int32), pa.int32()).cast(pa.date32()),
        _pick((*REGIONS, "379999"), region),
        _strings(phone),
        _pick((*CATEGORIES, "未知"), kind),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=SCHEMA)


def batches(rows: int, seed: int = 7) -> Iterator[pa.RecordBatch]:
    """The table's rows in chunks of at most ``CHUNK``."""
    for start in range(0, rows, CHUNK):
        yield legal_batch(start, min(CHUNK, rows - start), seed)


def write_legal(folder: Path, rows: int, seed: int = 7) -> list[Path]:
    """Write ``rows`` rows into ``folder`` as ingest lays files out; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    writer: pq.ParquetWriter | None = None
    in_file = 0
    try:
        for batch in batches(rows, seed):
            if writer is None or in_file >= ROWS_PER_FILE:
                if writer is not None:
                    writer.close()
                files.append(folder / f"part-{len(files):05d}.parquet")
                writer = pq.ParquetWriter(files[-1], SCHEMA, compression="snappy")
                in_file = 0
            writer.write_batch(batch, row_group_size=ROW_GROUP)
            in_file += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
    return files


def write_counties(folder: Path) -> Path:
    """The reference list of county codes (without 379999) and their names."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "part-00000.parquet"
    table = pa.table({"代码": list(REGIONS), "名称": list(COUNTY_NAMES)}, schema=COUNTY_SCHEMA)
    pq.write_table(table, path, compression="snappy")
    return path
