"""Matching features as DuckDB SQL: names, addresses, phones and identifiers normalised to compare.

Every feature is one vectorised SQL expression over a source column, so a million records are
prepared in one scan (no Python per row). What each does, and why:

- **Company names** (``name_*``): half-width, no spaces, brackets or dots; the city prefix
  (山东省/聊城市/临清市 …) is cut off into ``name_city`` rather than thrown away, so that
  "聊城鲁西…" and "鲁西…" compare equal on the core while 聊城 vs 临清 still counts against a
  match; the legal form is canonical in ``name_form`` (有限责任公司 ≡ 有限公司; 股份有限公司;
  集团有限公司); a branch suffix (…公司临清分公司) goes to ``name_branch`` and never matches its
  parent; a bracketed place (鲁西化工(聊城)有限公司) counts as the city too.
  ``name_core`` is what is left: 字号 + 行业, split by a list of common 行业 words into
  ``name_brand`` and ``name_industry`` (the same 字号 in another 行业 is a sister company).
- **Addresses** (``addr_*``): half-width, 山东省/聊城市 removed, cut after each administrative or
  street suffix (区, 县, 街道, 镇, 路, 号 …) into parts, sorted: "东昌府区柳园街道XX路12号" and
  "柳园街道XX路12号 东昌府区" give the same ``addr_tokens``. ``addr_key`` is road + number.
- **Person names** (``rep``, and ``name_core`` for people): half-width, no spaces or dots.
- **Phones**: digits only, +86/0086 dropped; an 11-digit mobile as is, a fixed line with its
  area code (a bare local number gets the city's, 0635 for Liaocheng).
- **Identifiers** (``code``): the credit code or ID number, half-width and upper-case, kept only
  when valid (``cityhub.registry.sql.valid_sql``); an invalid one counts as missing.
"""

from __future__ import annotations

from enum import StrEnum

from cityhub.linking.dialect import DUCKDB, Dialect
from cityhub.registry.sql import normalise_sql, valid_sql

DEFAULT_AREA_CODE = "0635"  # 聊城 (Liaocheng)

# A place at the start of a company name: province, prefecture, county-level unit.
PROVINCE = "山东省|山东"
PREFECTURE = "聊城市|聊城"
COUNTY = (
    "东昌府区|茌平区|茌平县|临清市|阳谷县|莘县|东阿县|冠县|高唐县|东昌府|茌平|临清|阳谷|东阿|高唐"
)
NAME_PREFIX = f"^({PROVINCE})?({PREFECTURE})?({COUNTY})?"
LEGAL_FORMS = (
    "集团有限责任公司|集团股份有限公司|集团有限公司|集团公司|股份有限公司|股份公司|"
    "有限责任公司|有限公司|公司|专业合作社|合作社"
)
# Common 行业 words (企业名称 = 行政区划 + 字号 + 行业 + 组织形式): the longest that ends the core
# is its industry, the rest its 字号. Names whose industry is not listed keep the core as 字号.
INDUSTRY_TERMS = tuple(
    " ".join(
        (
            "房地产开发 建筑工程 装饰工程 安装工程 市政工程 水利工程 园林绿化 信息技术",
            "网络科技 电子科技 生物科技 农业科技 环保科技 食品科技 医疗器械 电子商务",
            "文化传媒 餐饮管理 物业管理 企业管理 人力资源 供应链 新能源 新材料 汽车配件",
            "汽车销售 化工机械 机械设备 电力设备 仪器仪表 塑料制品 纺织品 肉制品 钢结构",
            "运输服务 教育咨询 保安服务 商贸 贸易 工贸 商务 食品 机械 纺织 化工 建材 物流",
            "运输 仓储 快递 电子 科技 医药 制药 药业 农业 能源 汽车 家具 印刷 包装 环保",
            "轴承 钢管 钢铁 棉业 棉纺 粮油 畜牧 养殖 建筑 工程 置业 餐饮 服装 服饰 五金",
            "生物 木业 传媒 电力 电器 电气 装饰 广告 投资 咨询 实业 发展 酒店 旅游 劳务",
            "机电 石油 燃气 热力 水务 网络 软件 通信 矿业 造纸 纸业 陶瓷 玻璃 橡胶 铸造",
            "锻造 模具 管业 线缆 电缆 化纤 鞋业 皮革 家纺 农资 种业 果蔬 蔬菜 饲料 乳业",
            "酒业 茶业 制衣 针织 材料 光电 照明 设备 交通 租赁 家政 商行 超市 药房 诊所",
        )
    ).split(" ")
)
# Patterns keep to what RE2 (DuckDB) and Java (Spark) read alike: ``\z`` rather than ``$``
# (Java's ``$`` also matches before a final line break), whitespace spelled out rather than
# ``\s`` (Java's includes the vertical tab), ``(?s)`` where ``.`` is used.
INDUSTRY = "(" + "|".join(sorted(INDUSTRY_TERMS, key=len, reverse=True)) + r")\z"
BRANCH = r"(?s)公司(.+?(分公司|分厂|分店|营业部|办事处|经营部|分部))\z"
# Parts of an address end with one of these (longest first where one contains another).
ADDRESS_SUFFIX = "街道|社区|大道|小区|单元|省|市|区|县|镇|乡|路|街|巷|号|村|楼|室|栋|座|层"
ROAD_NUMBER = "([^路街道号区县镇乡市]+(?:路|街|大道|巷))([0-9]+号)"
WHITESPACE = r"\t\n\f\r \x{3000}"  # RE2's \s, and the ideographic space
SPACES = f"[{WHITESPACE}]+"
WIDE = r"[\x{2000}-\x{33FF}\x{FE30}-\x{FFEF}]"  # punctuation, symbols, CJK marks, full width
BRACKETED = r"[(（\[【〔]([^()（）\[\]【】〔〕]*)[)）\]】〕]"
NAME_NOISE = WHITESPACE.join(["[", r"()\[\]【】〔〕<>《》·•.,，、'\"“”‘’]+"])


class Kind(StrEnum):
    """What is linked: enterprises and other legal entities (法人), or people (自然人)."""

    LEGAL_ENTITY = "legal_entity"
    PERSON = "person"


def halfwidth(column: str, d: Dialect = DUCKDB) -> str:
    """The column with full-width letters, digits, brackets and spaces made half-width.

    Every other feature takes half-width text: the records table computes this once per column.
    Text without any full-width or symbol character (most of it) is passed through unchanged
    after one cheap regular-expression test.
    """
    wide = d.registry(normalise_sql("halfwidth", column))
    return f"(CASE WHEN {d.contains(column, WIDE)} THEN {wide} ELSE {column} END)"


def _nullif_empty(expression: str) -> str:
    return f"nullif({expression}, '')"


def cleaned_name(column: str, d: Dialect = DUCKDB) -> str:
    """A (half-width) company name without bracketed parts, spaces and punctuation."""
    return _nullif_empty(d.replace_all(d.replace_all(column, BRACKETED), NAME_NOISE))


def bracketed_place(column: str, d: Dialect = DUCKDB) -> str:
    """The text in the first bracket of a name (鲁西化工(聊城)有限公司 → 聊城), or NULL."""
    return _nullif_empty(d.extract(column, BRACKETED, 1))


def person_name(column: str, d: Dialect = DUCKDB) -> str:
    """A (half-width) person's name without spaces and dots (买买提·艾力 = 买买提艾力)."""
    return _nullif_empty(d.replace_all(column, NAME_NOISE))


def phone_digits(column: str, d: Dialect = DUCKDB) -> str:
    """The digits of a (half-width) phone number, without +86 or 0086 in front."""
    digits = d.replace_all(column, "[^0-9]")
    # Anchored at the start: at most one match, so replacing every match replaces that one.
    return d.replace_all(digits, r"^(0086|86(1[3-9][0-9]{9})\z)", r"\2")


def phone(digits: str, area_code: str = DEFAULT_AREA_CODE, d: Dialect = DUCKDB) -> str:
    """Phone digits as 11 mobile digits or area code + local number; NULL when neither."""
    mobile_or_fixed = d.full_match(digits, "1[3-9][0-9]{9}|0[1-9][0-9]{8,10}")
    local = d.full_match(digits, "[2-9][0-9]{6,7}")
    return (
        f"(CASE WHEN {mobile_or_fixed} THEN {digits} "
        f"WHEN {local} THEN {d.literal(area_code)} || {digits} ELSE NULL END)"
    )


def identifier_text(column: str, d: Dialect = DUCKDB) -> str:
    """A (half-width) identifier upper-cased without spaces, NULL when empty: valid or not."""
    return _nullif_empty(f"upper({d.replace_all(column, SPACES)})")


def identifier(cleaned: str, kind: Kind, d: Dialect = DUCKDB) -> str:
    """The cleaned credit code (legal entities) or ID number (people) when valid, else NULL."""
    check = valid_sql("credit_code" if kind is Kind.LEGAL_ENTITY else "id_card", cleaned)
    return f"(CASE WHEN {d.registry(check)} THEN {cleaned} END)"


def cleaned_address(column: str, d: Dialect = DUCKDB) -> str:
    """A (half-width) address without spaces and without 山东省/聊城市."""
    text = d.replace_all(d.replace_all(column, SPACES), "(中国|山东省|聊城市)")
    return _nullif_empty(d.replace_all(text, "^(山东|聊城)"))  # anchored: one match at most


def address_tokens(cleaned: str, d: Dialect = DUCKDB) -> str:
    """The parts of a cleaned address, sorted and distinct: the same set in any written order."""
    return d.sorted_parts(d.replace_all(cleaned, f"({ADDRESS_SUFFIX})", r"\1|"), "|")


def address_key(cleaned: str, d: Dialect = DUCKDB) -> str:
    """Road and house number (建设路12号), wherever they stand in the address; NULL without."""
    road = d.extract(cleaned, ROAD_NUMBER, 1)
    number = d.extract(cleaned, ROAD_NUMBER, 2)
    return _nullif_empty(f"{road} || {number}")


def place_city(text: str, *, province: bool = True, d: Dialect = DUCKDB) -> str:
    """The city a place at the start of ``text`` names: county stem (临清), 聊城, 山东 or NULL."""
    county = d.extract(text, NAME_PREFIX, 3)
    prefecture = d.extract(text, NAME_PREFIX, 2)
    wide = d.extract(text, NAME_PREFIX, 1)
    last = f"WHEN {wide} <> '' THEN '山东' " if province else ""
    stem = d.replace_all(county, r"(市|县|区)\z")
    return f"(CASE WHEN {county} <> '' THEN {stem} WHEN {prefecture} <> '' THEN '聊城' {last}END)"


def name_parts(cleaned: str, bracket: str, d: Dialect = DUCKDB) -> dict[str, str]:
    """The city of a cleaned company name and the rest of the name after its place prefix.

    The city is the most local place named: the prefix's county or prefecture, else a bracketed
    place (山东鲁西化工(聊城)有限公司 → 聊城), else the province. The branch, form and core
    are cut from ``rest`` by ``branch_parts`` and ``form_parts`` in later steps.
    """
    prefix = d.extract(cleaned, NAME_PREFIX, 0)
    local = place_city(cleaned, province=False, d=d)
    return {
        "city": f"coalesce({local}, {place_city(bracket, d=d)}, {place_city(cleaned, d=d)})",
        "rest": f"substr({cleaned}, length({prefix}) + 1)",
    }


def branch_parts(rest: str, d: Dialect = DUCKDB) -> dict[str, str]:
    """The branch suffix of a name (临清分公司, with 市/县/区 dropped) and the head before it."""
    raw = d.extract(rest, BRANCH, 1)
    return {
        "branch": d.replace_all(raw, r"(市|县|区)(分公司|分厂|分店)\z", r"\2"),
        "head": f"left({rest}, length({rest}) - length({raw}))",
    }


def form_parts(head: str, d: Dialect = DUCKDB) -> dict[str, str]:
    """The canonical legal form of a name's head and the core (字号 + 行业) before it."""
    raw = d.extract(head, rf"({LEGAL_FORMS})\z", 1)
    canonical = (
        f"(CASE WHEN {raw} LIKE '集团%' THEN '集团有限公司' "
        f"WHEN {raw} LIKE '股份%' THEN '股份有限公司' "
        f"WHEN {raw} IN ('有限责任公司', '有限公司') THEN '有限公司' "
        f"WHEN {raw} = '专业合作社' THEN '合作社' ELSE {raw} END)"
    )
    return {
        "form": canonical,
        "core": _nullif_empty(f"left({head}, length({head}) - length({raw}))"),
    }


def industry_parts(core: str, d: Dialect = DUCKDB) -> dict[str, str]:
    """The 行业 at the end of a name core (NULL when none is known) and the 字号 before it."""
    raw = d.extract(core, INDUSTRY, 1)
    return {
        "industry": _nullif_empty(raw),
        "brand": f"coalesce(nullif(left({core}, length({core}) - length({raw})), ''), {core})",
    }
