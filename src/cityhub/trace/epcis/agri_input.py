"""Our extension ``cityhub:agriInput``: the farm input (农业投入品) an event applied.

``{"name", "registrationNumber" (登记证号), "source", "lot" (LGTIN), "dose", "uom", "method",
"startDate", "endDate", "safetyIntervalDays" (安全间隔期)}`` — the items 《农产品质量安全法》
requires in a 生产记录 (name, source, usage, dosage, start and stop dates).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from cityhub.trace.epcis.errors import EpcisError
from cityhub.trace.epcis.gs1 import parse_lgtin
from cityhub.trace.epcis.hash_values import parse_timestamp
from cityhub.trace.epcis.schema_errors import json_path

AGRI_INPUT = "cityhub:agriInput"
FIELDS = frozenset(
    {"name", "registrationNumber", "source", "lot", "dose", "uom", "method"}
    | {"startDate", "endDate", "safetyIntervalDays"}
)
# 农药登记证号: PD (正式登记), LS (临时登记), WP (卫生杀虫剂), WL (卫生临时), then year and serial.
PESTICIDE_REGISTRATION = re.compile(r"^(PD|LS|WP|WL)\d{8}$")
_UOM = re.compile(r"^[A-Z0-9]{2,3}$")  # UN/CEFACT Rec. 20 code, as EPCIS quantities use
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date_or_time(value: Any) -> date | datetime | None:
    """An ISO date (``2025-06-01``) or an RFC 3339 date-time with offset, else None."""
    if not isinstance(value, str):
        return None
    if _DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return parse_timestamp(value)


def as_date(value: date | datetime) -> date:
    """The calendar date of a date, or of a date-time in its own offset."""
    return value.date() if isinstance(value, datetime) else value


def _fail(path: str, field: str, zh: str, en: str) -> EpcisError:
    return EpcisError(
        f"{AGRI_INPUT}.{field}: {en}",
        rule="agri_input_invalid",
        path=json_path(path, [field]) if field else path,
        reason_zh=zh,
        reason_en=en,
    )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_agri_input(value: Any, path: str, *, pesticide: bool) -> None:
    """Raise EpcisError unless ``value`` is a well-formed agriInput object."""
    if type(value) is not dict and not isinstance(value, Mapping):
        raise _fail(path, "", "投入品记录须为对象", "agriInput must be an object")
    unknown = sorted(set(value) - FIELDS)
    if unknown:
        raise _fail(path, unknown[0], f"未知字段 {unknown[0]}", f"unknown field {unknown[0]}")
    for field in ("name", "source", "method", "registrationNumber"):
        text = value.get(field)
        if text is not None and (not isinstance(text, str) or not text.strip() or len(text) > 200):
            raise _fail(
                path, field, "须为非空文本（≤200 字）", "must be non-empty text (≤ 200 chars)"
            )
    if not value.get("name"):
        raise _fail(path, "name", "缺少投入品名称", "name is required")
    registration = value.get("registrationNumber")
    if pesticide and (registration is None or not PESTICIDE_REGISTRATION.match(registration)):
        raise _fail(
            path,
            "registrationNumber",
            "施药记录须有农药登记证号，如 PD20080001、LS20130001、WP20080001",
            "pesticide use needs a registration number such as PD20080001, LS…, WP…",
        )
    if "lot" in value:
        try:
            parse_lgtin(value["lot"])
        except EpcisError as exc:
            raise _fail(path, "lot", "投入品批次须为 LGTIN", "lot must be an LGTIN URI") from exc
    if not _number(value.get("dose")) or value["dose"] <= 0:
        raise _fail(path, "dose", "用量须为大于 0 的数", "dose must be a number > 0")
    if not isinstance(value.get("uom"), str) or not _UOM.match(value["uom"]):
        raise _fail(
            path, "uom", "单位须为 UN/CEFACT 代码，如 KGM、LTR", "uom must be a UN/CEFACT code"
        )
    _check_dates(value, path)
    interval = value.get("safetyIntervalDays")
    if interval is None and pesticide:
        raise _fail(
            path, "safetyIntervalDays", "施药记录须有安全间隔期", "safetyIntervalDays is required"
        )
    if interval is not None and (not isinstance(interval, int) or isinstance(interval, bool)):
        raise _fail(
            path, "safetyIntervalDays", "安全间隔期须为整数天", "must be a whole number of days"
        )
    if interval is not None and interval < 0:
        raise _fail(path, "safetyIntervalDays", "安全间隔期不能为负", "must not be negative")


def _check_dates(value: Mapping[str, Any], path: str) -> None:
    start = parse_date_or_time(value.get("startDate"))
    if start is None:
        raise _fail(
            path, "startDate", "开始日期须为 ISO 日期或带时区时间", "startDate must be an ISO date"
        )
    if "endDate" not in value:
        return
    end = parse_date_or_time(value["endDate"])
    if end is None:
        raise _fail(
            path, "endDate", "结束日期须为 ISO 日期或带时区时间", "endDate must be an ISO date"
        )
    if isinstance(start, datetime) and isinstance(end, datetime):
        backwards = end < start
    else:
        backwards = as_date(end) < as_date(start)
    if backwards:
        raise _fail(path, "endDate", "结束日期早于开始日期", "endDate is before startDate")
