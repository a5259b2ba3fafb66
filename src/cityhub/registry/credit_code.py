"""统一社会信用代码 (GB 32100-2015) and the 组织机构代码 inside it (GB 11714-1997).

Clause 4 of GB 32100: 18 characters over ``CREDIT_ALPHABET``: position 1 the registration
authority (登记管理部门), position 2 the organisation type (机构类别) within that authority
(Annex A, with the amendments that added A 中央军委改革和编制办公室 and N 农业), positions 3-8 the
GB/T 2260 code of the registering office, positions 9-17 the organisation code (GB 11714: eight
characters and its own MOD 11 check character, weights 3 7 9 10 5 8 4 2, 10 → X, 11 → 0),
position 18 the check character (GB/T 17710 MOD 31-3, ``codes.credit_code_check``).
"""

from __future__ import annotations

from cityhub.registry.codes import CREDIT_ALPHABET, credit_code_check
from cityhub.registry.normalise import to_halfwidth, trim, upper_ascii
from cityhub.registry.regions import NATIONAL_CODE, region
from cityhub.registry.verdict import Verdict, accept, reject

# Annex A of GB 32100-2015 (as amended): authority code → (name, {type code: type name}).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),  # "不再具体划分机构类别，统一用 1 表示"
}
# Every allowed (authority, type) pair as one regular expression, e.g. 1[1239]|…|Y1.
PREFIX_PATTERN = "|".join(f"{a}[{''.join(types)}]" for a, (_, types) in AUTHORITIES.items())

ORG_CODE_VALUES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714: A = 10 … Z = 35
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
DIGITS = "0123456789"


def organisation_code_check(body: str) -> str:
    """The 9th character of a 组织机构代码 whose first 8 characters are ``body`` (GB 11714)."""
    if len(body) != 8 or any(c not in ORG_CODE_VALUES for c in body):
        raise ValueError("an organisation code body is 8 characters of 0-9 and A-Z")
    total = sum(ORG_CODE_VALUES.index(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_credit_code(value: str) -> Verdict:
    """Check a 统一社会信用代码 part by part; the reason names the first part that is wrong."""
    text = upper_ascii(trim(to_halfwidth(value)))
    if not text:
        return reject("空值", "empty value")
    if len(text) != 18:
        return reject(f"长度为 {len(text)} 位，应为 18 位", f"length is {len(text)}, expected 18")
    for position, char in enumerate(text, start=1):
        if char not in CREDIT_ALPHABET:
            return reject(
                f"第 {position} 位“{char}”不是代码字符（0-9、除 I O S V Z 外的大写字母）",
                f"character at position {position} is {char!r}, not one of 0-9 and A-Y "
                "without I O S V Z",
            )
    return _parts(text)


def _parts(text: str) -> Verdict:
    authority, kind = text[0], text[1]
    if authority not in AUTHORITIES:
        return reject(
            f"第 1 位登记管理部门代码“{authority}”未定义（应为 1-9、A、N、Y）",
            f"registration authority code {authority!r} (position 1) is not defined (1-9, A, N, Y)",
            text,
        )
    authority_name, types = AUTHORITIES[authority]
    if kind not in types:
        allowed = " ".join(types)
        return reject(
            f"第 2 位机构类别代码“{kind}”不属于登记管理部门 {authority} {authority_name}"
            f"（可用：{allowed}）",
            f"organisation type {kind!r} (position 2) is not defined for registration "
            f"authority {authority} {authority_name} (allowed: {allowed})",
            text,
        )
    code = text[2:8]
    place = region(code)
    if code != NATIONAL_CODE and place is None:
        return reject(
            f"第 3-8 位登记管理机关行政区划码 {code} 不是已知的行政区划代码",
            f"unknown region code {code} (positions 3-8)",
            text,
        )
    organisation = _organisation_problem(text[8:17])
    if organisation is not None:
        return reject(*organisation, text)
    check = credit_code_check(text[:17])
    if check != text[17]:
        return reject(
            f"校验码应为 {check}，实为 {text[17]}",
            f"check character expected {check} got {text[17]}",
            text,
        )
    return accept(
        text,
        registration_authority=f"{authority} {authority_name}",
        organisation_type=f"{kind} {types[kind]}",
        region=code,
        region_name=place.name if place else "中央（国家级登记管理机关）",
        organisation_code=f"{text[8:16]}-{text[16]}",
    )


def _organisation_problem(organisation: str) -> tuple[str, str] | None:
    if organisation[8] not in DIGITS + "X":
        return (
            f"第 17 位（组织机构代码校验码）“{organisation[8]}”应为数字或 X",
            f"character at position 17 (organisation code check) is {organisation[8]!r}, "
            "expected a digit or X",
        )
    check = organisation_code_check(organisation[:8])
    if check != organisation[8]:
        return (
            f"组织机构代码 {organisation[:8]}-{organisation[8]} 的校验码（第 17 位）应为 {check}",
            f"organisation code {organisation[:8]}-{organisation[8]}: check character "
            f"(position 17) expected {check} got {organisation[8]}",
        )
    return None
