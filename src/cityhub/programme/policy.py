"""The policy 聊政办字〔2020〕20号 read from its own text: header, the "十百千" goal, 19 tasks.

Pure: no database. The text ships with the package (``data/policy.txt``, a verbatim copy of the
seed); ``parse_policy`` reads any text of the same shape, so that a changed seed fails loudly
(an unknown 责任单位 or a gap in the task numbering raises ``InvalidInput`` naming where) rather
than loading a different division of work in silence. Punctuation is compared after NFKC
normalisation, so full-width （，：） and ASCII (,:) read the same.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from cityhub.auth.departments import DEPARTMENTS, DepartmentKind
from cityhub.errors import InvalidInput

SECTIONS = ("二", "三", "四", "五")  # the sections that hold numbered tasks
TASK_COUNT = 19

_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Commitment:
    """A dated promise inside a task: the clause that makes it and its due (and start) day."""

    due_on: date
    text: str
    start_on: date | None = None
    subject: str = ""  # what is promised, without the date: a milestone's title


@dataclass(frozen=True)
class PolicyTask:
    """One numbered task （一）…（十九） with its responsible units (lead first)."""

    number: int
    section: str
    section_title: str
    title: str
    text: str
    units_text: str
    unit_codes: tuple[str, ...]
    commitments: tuple[Commitment, ...]
    shared_with_all: bool = False  # 各相关单位 / 各有关单位: every other unit shares the task


@dataclass(frozen=True)
class PolicyGoal:
    """The "十百千" goal of 一、总体要求."""

    parks: int
    projects: int
    people: int
    due_on: date
    clause: str


@dataclass(frozen=True)
class PolicyDocument:
    """The policy's header."""

    number: str
    title: str
    issued_on: date
    issuer: str


@dataclass(frozen=True)
class ParsedPolicy:
    """Everything read from one policy text."""

    document: PolicyDocument
    goal: PolicyGoal
    tasks: tuple[PolicyTask, ...]


def chinese_number(numeral: str) -> int:
    """一 → 1 … 十九 → 19 … 九十九 → 99; raises ValueError for anything else."""
    if not numeral or any(c not in _DIGITS and c != "十" for c in numeral):
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    if "十" not in numeral:
        if len(numeral) != 1:
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
        return _DIGITS[numeral]
    tens_text, _, ones_text = numeral.partition("十")
    # 十一, not 一十一: the policy's numbering writes a leading ten bare.
    if len(tens_text) > 1 or len(ones_text) > 1 or "十" in ones_text or tens_text == "一":
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    tens = _DIGITS[tens_text] if tens_text else 1
    return tens * 10 + (_DIGITS[ones_text] if ones_text else 0)


def chinese_numeral(number: int) -> str:
    """The inverse of ``chinese_number`` for 1…99."""
    if not 1 <= number <= 99:
        raise ValueError(f"out of range: {number}")
    names = {v: k for k, v in _DIGITS.items()}
    tens, ones = divmod(number, 10)
    if tens == 0:
        return names[ones]
    return (names[tens] if tens > 1 else "") + "十" + (names[ones] if ones else "")


# --- responsible units -------------------------------------------------------------------------

_CODES_OF_KIND = {
    kind: tuple(d.code for d in DEPARTMENTS if d.kind is kind) for kind in DepartmentKind
}
_OPERATORS = tuple(d.code for d in DEPARTMENTS if d.code.startswith("OP-"))
# Collective names the policy uses for groups of units.
UNIT_GROUPS: dict[str, tuple[str, ...]] = {
    "各县(市、区)人民政府": _CODES_OF_KIND[DepartmentKind.COUNTY],
    "市属开发区管委会": _CODES_OF_KIND[DepartmentKind.ZONE],
    "各电信运营商": _OPERATORS,
}
SHARED_UNITS = ("各相关单位", "各有关单位")
_UNIT_BY_NAME: dict[str, tuple[str, ...]] = {
    unicodedata.normalize("NFKC", d.name_zh): (d.code,) for d in DEPARTMENTS
}
_UNIT_BY_NAME.update(UNIT_GROUPS)

_UNITS_RE = re.compile(r"[(〔]责任单位:(?P<units>[^)〕]*(?:\([^)]*\)[^)〕]*)*)[)〕]\s*$")
_UNITS_TAIL_RE = re.compile(r",?具体分工见[^,]*(?:,下同)?$")


def _split_top_level(text: str) -> list[str]:
    """Split on 、 and , outside parentheses (so 各县(市、区)人民政府 stays whole)."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char in "、," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def parse_units(units_text: str, task: int) -> tuple[tuple[str, ...], bool]:
    """Unit codes in order (lead first, no repeats) and whether 各相关单位 share the task."""
    codes: list[str] = []
    shared = False
    normalised = unicodedata.normalize("NFKC", units_text).strip()
    for name in _split_top_level(_UNITS_TAIL_RE.sub("", normalised)):
        if name in SHARED_UNITS:
            shared = True
            continue
        if name not in _UNIT_BY_NAME:
            raise InvalidInput(
                f"task {task}: unknown responsible unit {name!r}",
                details={"task": task, "unit": name, "units_text": units_text},
            )
        codes.extend(c for c in _UNIT_BY_NAME[name] if c not in codes)
    if not codes:
        raise InvalidInput(
            f"task {task}: no responsible unit in {units_text!r}",
            details={"task": task, "units_text": units_text},
        )
    return tuple(codes), shared


# --- commitments -------------------------------------------------------------------------------

_COMMITMENT_RE = re.compile(
    r"(?P<strive>力争)?到(?P<year_end>\d{4})年底"
    r"|计划\((?P<from_year>\d{4})[-–—~至](?P<to_year>\d{4})\)"
    r"|自(?P<y1>\d{4})年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日至(?P<y2>\d{4})年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日"
)


def _subject(clause: str, match: re.Match[str], offset: int) -> str:
    """The promise without its date: what follows "到2020年底,", or the plan's 《…》 title."""
    if match["from_year"]:
        head, bracket, _ = clause.partition("》")
        return (head + bracket).strip(",。 ")
    return clause[match.end() - offset :].strip(",。 ")


def _dates(match: re.Match[str]) -> tuple[date | None, date]:
    if match["year_end"]:
        return None, date(int(match["year_end"]), 12, 31)
    if match["from_year"]:
        return date(int(match["from_year"]), 1, 1), date(int(match["to_year"]), 12, 31)
    start = date(int(match["y1"]), int(match["m1"]), int(match["d1"]))
    return start, date(int(match["y2"]), int(match["m2"]), int(match["d2"]))


def parse_commitments(text: str) -> tuple[Commitment, ...]:
    """Every dated promise in ``text``, in order.

    The clause of a promise is its sentence; when one sentence makes two promises (task 1:
    "…到2020年底,…部署,力争到2022年底,基本实现…覆盖"), it is cut where the second begins.
    """
    found: list[Commitment] = []
    for sentence in re.findall(r"[^。]+。?", text):
        matches = list(_COMMITMENT_RE.finditer(sentence))
        for index, match in enumerate(matches):
            begin = 0 if index == 0 else match.start()
            end = matches[index + 1].start() if index + 1 < len(matches) else len(sentence)
            clause = sentence[begin:end].strip().rstrip(",")
            start_on, due_on = _dates(match)
            subject = _subject(sentence[begin:end], match, begin)
            found.append(Commitment(due_on, clause, start_on, subject))
    return tuple(found)


# --- the document ------------------------------------------------------------------------------

_SECTION_RE = re.compile(r"^\s*(?P<numeral>[一二三四五六七八九十]+)、(?P<title>\S.*?)\s*$")
_TASK_RE = re.compile(r"^\s*\((?P<numeral>[一二三四五六七八九十]+)\)(?P<body>\S.*?)\s*$")
_NUMBER_RE = re.compile(r"\S+〔\d{4}〕\d+号")
_DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_GOAL_RE = re.compile(
    r"到(?P<year>\d{4})年底,[^。]*?“十百千”工程\(培育(?P<parks>\d+)个数字经济园区,"
    r"抓好(?P<projects>\d+)个数字经济项目建设,培养(?P<people>\d+)名数字经济人才\)"
)


def _task(number: int, section: tuple[str, str], body: str) -> PolicyTask:
    title, _, _ = body.partition("。")
    units_match = _UNITS_RE.search(body)
    if units_match is None:
        raise InvalidInput(
            f"task {number}: no 责任单位 list at the end of its paragraph", details={"task": number}
        )
    units_text = units_match["units"]
    codes, shared = parse_units(units_text, number)
    text = body[: units_match.start()].strip()
    return PolicyTask(
        number=number,
        section=section[0],
        section_title=section[1],
        title=title,
        text=text,
        units_text=units_text,
        unit_codes=codes,
        commitments=parse_commitments(text[len(title) + 1 :]),
        shared_with_all=shared,
    )


def _document(lines: list[str], text: str) -> PolicyDocument:
    number = _NUMBER_RE.search(text)
    # The body repeats the title under the issuer's name (the page header has it too).
    title = next((ln.strip() for ln in reversed(lines) if ln.strip().startswith("关于")), None)
    dates = _DATE_RE.findall(text)
    if number is None or title is None or not dates:
        raise InvalidInput("the policy header (number, title, date) was not found")
    title_at = max(i for i, line in enumerate(lines) if line.strip() == title)
    issuer = next(line.strip() for line in reversed(lines[:title_at]) if line.strip())
    year, month, day = (int(part) for part in dates[-1])
    return PolicyDocument(
        number=number.group(0), title=title, issued_on=date(year, month, day), issuer=issuer
    )


def _goal(text: str) -> PolicyGoal:
    match = _GOAL_RE.search(text)
    if match is None:
        raise InvalidInput("the “十百千” goal was not found in 一、总体要求")
    return PolicyGoal(
        parks=int(match["parks"]),
        projects=int(match["projects"]),
        people=int(match["people"]),
        due_on=date(int(match["year"]), 12, 31),
        clause=match.group(0),
    )


def parse_policy(raw: str) -> ParsedPolicy:
    """Read a policy text: header, goal, and its numbered tasks (numbered 1…n without gaps)."""
    text = unicodedata.normalize("NFKC", raw)
    lines = text.splitlines()
    section: tuple[str, str] | None = None
    tasks: list[PolicyTask] = []
    for line in lines:
        if heading := _SECTION_RE.match(line):
            section = (heading["numeral"], heading["title"])
        elif (task_line := _TASK_RE.match(line)) and section is not None:
            number = chinese_number(task_line["numeral"])
            if number != len(tasks) + 1:
                raise InvalidInput(
                    f"task ({task_line['numeral']}) follows task {len(tasks)}: numbering has a gap",
                    details={"task": number},
                )
            tasks.append(_task(number, section, task_line["body"]))
    return ParsedPolicy(document=_document(lines, text), goal=_goal(text), tasks=tuple(tasks))


def policy_text() -> str:
    """The policy as shipped with the package."""
    return resources.files("cityhub.programme").joinpath("data/policy.txt").read_text("utf-8")


@cache
def _shipped() -> ParsedPolicy:
    parsed = parse_policy(policy_text())
    if len(parsed.tasks) != TASK_COUNT:
        raise InvalidInput(f"the policy has {len(parsed.tasks)} tasks, expected {TASK_COUNT}")
    return parsed


def policy_tasks() -> tuple[PolicyTask, ...]:
    """The shipped policy's 19 tasks (parsed once)."""
    return _shipped().tasks


GOAL: PolicyGoal = _shipped().goal
POLICY: PolicyDocument = _shipped().document
