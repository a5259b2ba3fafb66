"""Reading the policy text: header, goal, the 19 tasks, their units and dated commitments."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.auth.departments import DEPARTMENTS
from cityhub.errors import InvalidInput
from cityhub.programme.policy import (
    GOAL,
    POLICY,
    UNIT_GROUPS,
    chinese_number,
    chinese_numeral,
    parse_commitments,
    parse_policy,
    parse_units,
    policy_tasks,
    policy_text,
)

# SHA-256 of the seed file (../shared/seed/000_1b224cf20ee24884.txt, 聊政办字〔2020〕20号) the
# package's copy was taken from; a changed copy fails here, wherever the suite runs.
SEED_SHA256 = "d5d90c90b681dbcfd7ce11d1bab810f582b79a9f9fbda8c44e53ee794c5af8ce"
COUNTY_CODES = ("371502", "371503", "371521", "371522", "371524", "371525", "371526", "371581")
COUNTIES = tuple(f"GOV-{code}" for code in COUNTY_CODES)
ZONES = ("ZONE-JKQ", "ZONE-GXQ", "ZONE-DJQ")
OPERATORS = ("OP-CT", "OP-CM", "OP-CU")

# number, section, title, unit codes (lead first), shared with 各相关单位
TASKS: list[tuple[int, str, str, tuple[str, ...], bool]] = [
    (1, "二", "夯实新一代信息基础设施", ("JTYSJ", "GXJ", *OPERATORS), False),
    (2, "二", "推进“一网一云一中心”建设", ("DSJJ",), True),
    (3, "二", "优化数据资源供给", ("DSJJ",), False),
    (
        4,
        "二",
        "推进智能感知基础设施建设",
        ("DSJJ", "ZJJ", "CGJ", "SLJ", "SWENJ", *COUNTIES, *ZONES),
        False,
    ),
    (5, "三", "创新发展智慧农业", ("NYNCJ",), False),
    (6, "三", "推动智能制造升级", ("GXJ",), False),
    (7, "三", "深化电子商务应用", ("SWTCJ", "GXJ", "NYNCJ"), False),
    (8, "三", "推进智慧物流服务", ("FGW", "JTYSJ", "SWTCJ"), False),
    (9, "四", "推进数字经济园区建设", ("DSJJ",), False),
    (10, "四", "培育大数据产业生态圈", ("KJJ", "GXJ", "DSJJ"), False),
    (11, "四", "推进智能产业发展", ("GXJ", "KJJ"), False),
    (12, "四", "加快推广5G融合应用", ("JTYSJ", "GXJ", *OPERATORS), True),
    (13, "四", "发展数字文旅产业", ("WHLYJ",), False),
    (14, "四", "推动区块链技术应用", ("DSJJ",), True),
    (15, "四", "引导发展“宅经济”", ("DSJJ",), False),
    (16, "五", "加强组织协调", ("DSJJ", "WXB", "GXJ", *COUNTIES, *ZONES), False),
    (17, "五", "加大项目支持力度", ("FGW", "ZRZYJ", "DSJJ", *COUNTIES, *ZONES), False),
    (18, "五", "加大财税支持力度", ("JRJGJ", "KJJ", "DSJJ", "YBJFJ", "SWUJ", "RMYH"), True),
    (19, "五", "深化数字经济人才支撑", ("ZZB", "CZJ", "RSJ", "KJJ", "DSJJ"), False),
]

# number → (start, due, a phrase of the clause, a phrase of the subject) per commitment
COMMITMENTS: dict[int, list[tuple[date | None, date, str, str]]] = {
    1: [
        (None, date(2020, 12, 31), "重点提升县级以下区域", "基本普及中小型企业千兆宽带"),
        (None, date(2020, 12, 31), "积极推进5G规模组网建设", "多样化场景应用部署"),
        (None, date(2022, 12, 31), "力争到2022年底", "重点乡镇(街道)5G网络覆盖"),
    ],
    4: [
        (date(2019, 1, 1), date(2021, 12, 31), "三年行动计划(2019-2021)", "推动落实《"),
        (None, date(2022, 12, 31), "天地一体化水利感知网", "初步建成站点布局合理"),
    ],
    18: [(date(2019, 1, 1), date(2021, 12, 31), "自2019年1月1日至", "减半征收地方资源税")],
}


def test_the_shipped_text_is_the_seed() -> None:
    assert hashlib.sha256(policy_text().encode("utf-8")).hexdigest() == SEED_SHA256


def test_header_and_goal() -> None:
    assert POLICY.number == "聊政办字〔2020〕20号"
    assert POLICY.title == "关于支持数字经济发展的实施意见"
    assert POLICY.issued_on == date(2020, 4, 7)
    assert POLICY.issuer == "聊城市人民政府办公室"
    assert (GOAL.parks, GOAL.projects, GOAL.people) == (10, 100, 1000)
    assert GOAL.due_on == date(2022, 12, 31)
    assert "“十百千”工程" in GOAL.clause


@pytest.mark.parametrize(("number", "section", "title", "units", "shared"), TASKS)
def test_each_task(
    number: int, section: str, title: str, units: tuple[str, ...], shared: bool
) -> None:
    task = policy_tasks()[number - 1]
    assert (task.number, task.section, task.title) == (number, section, title)
    assert task.unit_codes == units
    assert task.shared_with_all is shared
    assert task.text.startswith(title + "。")
    assert "责任单位" not in task.text


def test_sections_and_their_titles() -> None:
    titles = {t.section: t.section_title for t in policy_tasks()}
    assert titles == {
        "二": "加强数字经济基础设施建设",
        "三": "大力推进产业数字化",
        "四": "推动发展数字产业化",
        "五": "保障措施",
    }


@pytest.mark.parametrize("number", range(1, 20))
def test_commitments_of_each_task(number: int) -> None:
    found = policy_tasks()[number - 1].commitments
    expected = COMMITMENTS.get(number, [])
    assert len(found) == len(expected)
    for commitment, (start, due, phrase, subject) in zip(found, expected, strict=True):
        assert (commitment.start_on, commitment.due_on) == (start, due)
        assert phrase in commitment.text
        assert subject in commitment.subject
        assert commitment.subject in commitment.text or commitment.subject.startswith("推动落实")


def test_task_16_is_the_leading_group() -> None:
    assert "数字聊城建设领导小组" in policy_tasks()[15].text


@pytest.mark.parametrize(
    ("units_text", "expected", "shared"),
    [
        ("市大数据局", ("DSJJ",), False),
        ("市大数据局、各相关单位", ("DSJJ",), True),
        ("市大数据局、各有关单位", ("DSJJ",), True),
        ("市大数据局,市大数据局", ("DSJJ",), False),
        ("各电信运营商、市交通运输局", (*OPERATORS, "JTYSJ"), False),
        ("市水利局,各县(市、区)人民政府、市属开发区管委会", ("SLJ", *COUNTIES, *ZONES), False),
        ("市工业和信息化局,具体分工见重点任务落实分工表,下同", ("GXJ",), False),
    ],
)
def test_units(units_text: str, expected: tuple[str, ...], shared: bool) -> None:
    assert parse_units(units_text, 1) == (expected, shared)


@pytest.mark.parametrize("units_text", ["市大数据局、市宇宙局", "各相关单位", ""])
def test_unknown_or_missing_units_fail_naming_the_task(units_text: str) -> None:
    with pytest.raises(InvalidInput, match="task 7") as caught:
        parse_units(units_text, 7)
    assert caught.value.details["task"] == 7
    if "宇宙" in units_text:
        assert caught.value.details["unit"] == "市宇宙局"


def test_a_changed_seed_fails_loudly() -> None:
    changed = policy_text().replace("(责任单位:市农业农村局)", "(责任单位:市农业局)")
    with pytest.raises(InvalidInput, match="task 5: unknown responsible unit '市农业局'"):
        parse_policy(changed)


def test_a_gap_in_the_numbering_fails() -> None:
    changed = policy_text().replace("(十三)发展数字文旅产业", "(二十)发展数字文旅产业")
    with pytest.raises(InvalidInput, match="gap"):
        parse_policy(changed)


def test_full_width_punctuation_reads_the_same() -> None:
    full_width = policy_text().translate(str.maketrans("(),:", "（），："))
    assert parse_policy(full_width).tasks == policy_tasks()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("到2020年底,完成。", [(None, date(2020, 12, 31))]),
        (
            "力争到2022年底,覆盖。到2023年底,完成。",
            [(None, date(2022, 12, 31)), (None, date(2023, 12, 31))],
        ),
        ("落实《计划(2019-2021)》。", [(date(2019, 1, 1), date(2021, 12, 31))]),
        ("自2019年1月1日至2021年12月31日,减半。", [(date(2019, 1, 1), date(2021, 12, 31))]),
        ("加快建设,没有日期。", []),
    ],
)
def test_commitment_patterns(text: str, expected: list[tuple[date | None, date]]) -> None:
    assert [(c.start_on, c.due_on) for c in parse_commitments(text)] == expected


@given(st.integers(min_value=1, max_value=99))
def test_chinese_numerals_round_trip(number: int) -> None:
    assert chinese_number(chinese_numeral(number)) == number


@given(st.text(alphabet="一二三四五六七八九十百", min_size=0, max_size=4))
def test_chinese_number_parses_or_refuses(numeral: str) -> None:
    try:
        number = chinese_number(numeral)
    except ValueError:
        return
    assert chinese_numeral(number) == numeral


@given(
    year=st.integers(min_value=2000, max_value=2099),
    before=st.text(alphabet="推进建设网络覆盖,、", max_size=20),
    after=st.text(alphabet="推进建设网络覆盖,、", max_size=20),
)
def test_any_year_end_promise_is_found_once(year: int, before: str, after: str) -> None:
    found = parse_commitments(f"{before}到{year}年底,{after}。")
    assert [(c.start_on, c.due_on) for c in found] == [(None, date(year, 12, 31))]
    assert f"到{year}年底" in found[0].text


KNOWN_NAMES = sorted(n for n in UNIT_GROUPS) + [d.name_zh for d in DEPARTMENTS]


@given(
    names=st.lists(st.sampled_from(KNOWN_NAMES), min_size=1, max_size=8),
    separators=st.lists(st.sampled_from(["、", ",", "，"]), min_size=8, max_size=8),
    shared=st.booleans(),
)
def test_units_keep_order_drop_repeats_and_expand_groups(
    names: list[str], separators: list[str], shared: bool
) -> None:
    listed = names + (["各相关单位"] if shared else [])
    text = listed[0] + "".join(s + n for s, n in zip(separators, listed[1:], strict=False))
    codes, shared_found = parse_units(text, 3)
    expected: list[str] = []
    for name in names:
        group = UNIT_GROUPS.get(name) or tuple(d.code for d in DEPARTMENTS if d.name_zh == name)
        expected.extend(code for code in group if code not in expected)
    assert codes == tuple(expected)
    assert shared_found is shared
