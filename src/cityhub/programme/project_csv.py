"""Reading a CSV of projects for ``register_projects`` (pure; no database).

UTF-8 or GB18030 (as ``attendees.parse_attendees_csv``); headers Chinese or English in any order
(``COLUMNS``). Domain, kind and status take the codes or their Chinese names; flags take
是/否, 1/0, true/false, yes/no or empty (no). A value that cannot be read (a date, a number) is
reported with its row and column; the service's own checks (credit code, county …) add the row.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from cityhub.errors import InvalidInput
from cityhub.programme.attendees import decode_csv
from cityhub.programme.projects import ProjectSpec

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称", "name"),
    "owner_code": ("项目单位统一社会信用代码", "owner_code"),
    "owner_name": ("项目单位", "owner_name"),
    "county": ("县市区代码", "county"),
    "domain": ("领域", "domain"),
    "kind": ("类别", "kind"),
    "investment": ("总投资（万元）", "投资额", "investment"),
    "start_on": ("开工日期", "start_on"),
    "end_on": ("完工日期", "end_on"),
    "status": ("状态", "status"),
    "provincial_major": ("省重大项目", "provincial_major"),
    "city_key": ("市重点项目", "city_key"),
    "land_priority": ("优先保障用地", "land_priority"),
}
REQUIRED = ("name", "owner_code", "owner_name", "county", "domain", "kind", "investment",
            "start_on", "end_on")  # fmt: skip
NAMES = {  # Chinese names of the codes
    "农业数字化": "agri",
    "制造业数字化": "manufacturing",
    "服务业数字化": "services",
    "数字产业化": "industrialisation",
    "信息网络": "info_network",
    "信息技术服务": "it_services",
    "电子商务": "ecommerce",
    "其他": "other",
    "计划": "planned",
    "在建": "building",
    "建成": "done",
}
TRUE = {"是", "1", "true", "yes", "y"}
FALSE = {"否", "0", "false", "no", "n", ""}


def _problem(row: int, field: str, value: str, reason: str) -> InvalidInput:
    return InvalidInput(
        f"row {row}, {COLUMNS[field][0]}: {value!r} {reason}",
        details={"row": row, "column": COLUMNS[field][0], "field": field, "value": value},
    )


def _flag(row: int, field: str, value: str) -> bool:
    text = value.strip().lower()
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise _problem(row, field, value, "is not 是/否")


def _day(row: int, field: str, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _problem(row, field, value, "is not a date (YYYY-MM-DD)") from None


def _number(row: int, value: str) -> float:
    try:
        return float(value.strip().replace(",", ""))
    except ValueError:
        raise _problem(row, "investment", value, "is not a number") from None


def parse_projects_csv(data: bytes, filename: str = "projects.csv") -> list[ProjectSpec]:
    """The projects of a CSV file, or InvalidInput naming the first unreadable row and column."""
    rows = list(csv.reader(io.StringIO(decode_csv(data, filename), newline="")))
    if not rows:
        raise InvalidInput(f"{filename} is empty", details={"row": 1})
    where: dict[str, int] = {}
    for index, title in enumerate(rows[0]):
        for field, names in COLUMNS.items():
            if title.strip().lstrip("\ufeff") in names:
                where[field] = index
    missing = [f for f in REQUIRED if f not in where]
    if missing:
        raise InvalidInput(
            f"the header lacks {[COLUMNS[f][0] for f in missing]}",
            details={"row": 1, "column": COLUMNS[missing[0]][0]},
        )
    specs: list[ProjectSpec] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {f: (row[i] if i < len(row) else "") for f, i in where.items()}

        def code(field: str, cells: dict[str, str] = cells) -> str:
            value = cells.get(field, "").strip()
            return NAMES.get(value, value)

        specs.append(
            ProjectSpec(
                name=cells["name"],
                owner_code=cells["owner_code"],
                owner_name=cells["owner_name"],
                county=cells["county"].strip(),
                domain=code("domain"),
                kind=code("kind"),
                investment=_number(number, cells["investment"]),
                start_on=_day(number, "start_on", cells["start_on"]),
                end_on=_day(number, "end_on", cells["end_on"]),
                status=code("status") or "planned",
                provincial_major=_flag(
                    number, "provincial_major", cells.get("provincial_major", "")
                ),
                city_key=_flag(number, "city_key", cells.get("city_key", "")),
                land_priority=_flag(number, "land_priority", cells.get("land_priority", "")),
            )
        )
    return specs
