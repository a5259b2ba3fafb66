"""Known-truth test data for record linking: enterprises of Liaocheng as two departments hold them.

``KnownTruth.generate(rows, seed)`` makes true enterprises (城市前缀 + 字号 + 行业 + 组织形式, a
valid 统一社会信用代码, an address, a legal representative, a phone) and two department views
of them: ``scjgj`` (市场监管局, the registry: clean and coded) and ``swj`` (税务局: noisy — a
homophone typo in the 字号, full-width characters, 有限公司/有限责任公司 swapped, the city prefix
shortened or dropped, address parts in another order, phones written other ways, and the credit
code missing or invalid in about 40% of rows, so that probabilistic matching must do the work).
Some enterprises have a branch (…有限公司临清分公司) or a sister company of the same group (same
字号, another 行业, often the same legal representative or address): distinct entities with
similar names.
Each view holds a random subset of the enterprises; ``truth`` says which records are the same.

Used by ``benchmarks/linking.py`` and the tests; deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pyarrow as pa

from cityhub.registry.codes import CREDIT_ALPHABET, credit_code_check

COUNTIES = (
    (
        "371502",
        "东昌府区",
        ("柳园街道", "古楼街道", "新区街道", "湖西街道", "道口铺街道", "闫寺街道"),
    ),
    ("371503", "茌平区", ("振兴街道", "信发街道", "温陈街道", "乐平铺镇", "冯官屯镇", "菜屯镇")),
    ("371521", "阳谷县", ("侨润街道", "博济桥街道", "狮子楼街道", "阿城镇", "七级镇", "安乐镇")),
    ("371522", "莘县", ("莘州街道", "莘亭街道", "燕店镇", "观城镇", "古城镇", "张鲁回族镇")),
    ("371524", "东阿县", ("铜城街道", "新城街道", "刘集镇", "牛角店镇", "大桥镇", "高集镇")),
    ("371525", "冠县", ("清泉街道", "崇文街道", "烟庄街道", "贾镇", "桑阿镇", "柳林镇")),
    ("371526", "高唐县", ("鱼邱湖街道", "汇鑫街道", "人和街道", "梁村镇", "尹集镇", "清平镇")),
    (
        "371581",
        "临清市",
        ("青年路街道", "新华路街道", "先锋路街道", "大辛庄街道", "松林镇", "老赵庄镇"),
    ),
)
# The city part of a name: the prefecture most often, a county-level unit sometimes, or none.
NAME_CITIES: tuple[tuple[str, int | None], ...] = (
    ("聊城市", None), ("聊城市", None), ("聊城市", None), ("聊城市", None), ("聊城市", None),
    ("临清市", 7), ("东阿县", 4), ("高唐县", 6), ("冠县", 5), ("莘县", 3), ("阳谷县", 2),
    ("茌平区", 1), ("东昌府区", 0), ("山东", None),
)  # fmt: skip
BRAND_CHARS = (
    "鲁西金泰华信恒通瑞丰宏达鑫源盛昌隆兴永安利民嘉禾德福祥和润泽新东方正天元光明远景辉凯旭晨"
    "阳海山河春秋诚益博富佳汇聚腾飞龙凤鹏发康健中宇星百万顺畅茂荣创智云峰林森宝玉锦绣合众联邦"
    "凯胜威力美亚欣悦佰仟豪迈诺泓铭浩川晟睿骏弘毅"
)
# Homophones and look-alikes: a tax clerk types 鑫 as 新, 泰 as 太 …
CONFUSABLE = {
    "鑫": "新信欣", "新": "鑫信欣", "信": "鑫新", "欣": "新鑫", "泰": "太", "华": "化骅",
    "恒": "衡横",
    "达": "大", "源": "元园", "元": "源园", "盛": "胜晟", "晟": "盛胜", "昌": "长", "隆": "龙",
    "龙": "隆", "兴": "星", "星": "兴", "利": "力立", "德": "得", "福": "富", "富": "福",
    "祥": "翔详", "和": "合禾", "合": "和禾", "禾": "和合", "润": "闰", "通": "同", "瑞": "锐",
    "丰": "峰风", "峰": "丰锋", "宏": "鸿红弘", "弘": "宏鸿", "安": "岸", "金": "今锦", "锦": "金",
    "凯": "恺", "博": "搏", "佳": "嘉家", "嘉": "佳家", "汇": "会惠", "聚": "巨", "腾": "藤",
    "飞": "菲", "鹏": "朋", "康": "慷", "健": "建", "宇": "雨羽", "茂": "贸", "荣": "蓉容",
    "创": "闯", "智": "志", "云": "芸", "林": "琳", "森": "生", "宝": "保", "玉": "钰",
    "众": "中", "中": "众", "联": "连", "邦": "帮", "威": "伟", "美": "梅", "亚": "雅",
    "悦": "越", "豪": "浩", "浩": "豪", "迈": "麦", "铭": "明", "明": "铭", "睿": "瑞",
    "骏": "俊", "毅": "益", "益": "毅", "诚": "成", "远": "源", "辉": "晖", "旭": "绪",
}  # fmt: skip
INDUSTRIES = (
    "商贸", "食品", "机械", "纺织", "化工", "建材", "物流", "电子科技", "医药", "农业科技",
    "新能源",
    "汽车配件", "家具", "印刷", "环保科技", "轴承", "钢管", "棉业", "粮油", "畜牧", "建筑工程",
    "房地产开发", "信息技术", "餐饮管理", "物业管理", "服装", "五金", "塑料制品", "化工机械",
    "生物科技", "钢结构", "木业", "工贸", "文化传媒", "电力设备",
)  # fmt: skip
FORMS = ("有限公司",) * 14 + ("股份有限公司",) * 3 + ("集团有限公司",)
ROADS = (
    "建设", "东昌", "柳园", "湖南", "花园", "振兴", "兴华", "光岳", "站前", "昌润", "卫育", "龙山",
    "向阳", "育新", "鲁化", "黄河", "运河", "新华", "先锋", "青年", "人民", "文化", "财干", "利民",
    "工业", "团结", "长江", "嫩江", "松桂", "闸口", "铁塔", "古楼", "兴业", "开发", "金牛", "凤凰",
)  # fmt: skip
ROAD_KINDS = ("路", "路", "路", "街", "大道")
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
    + "程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红海波宁鹏飞东亮斌俊峰晓燕"
FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789()-+ABCDEFGHJKLMNPQRTUWXY"}

COLUMNS = ("记录编号", "企业名称", "统一社会信用代码", "住所", "法定代表人", "联系电话")


@dataclass(frozen=True)
class Enterprise:
    """One true enterprise (or branch), as the registry knows it."""

    entity: int
    city: str
    brand: str
    industry: str
    note: str  # "" or a bracketed place such as "(聊城)"
    form: str
    branch: str  # "" or e.g. "临清分公司"
    code: str
    county: int
    town: str
    road: str
    number: int
    legal_rep: str
    phone: str

    @property
    def name(self) -> str:
        """The registered name."""
        return f"{self.city}{self.brand}{self.industry}{self.note}{self.form}{self.branch}"

    @property
    def address(self) -> str:
        """The registered address."""
        return f"聊城市{COUNTIES[self.county][1]}{self.town}{self.road}{self.number}号"


def _credit_code(rng: random.Random, entity: int, county: int) -> str:
    # Organisation code (GB 11714): eight digits, unique per entity, and its check character.
    body8 = f"{(entity * 7919 + 12_345_678) % 10**8:08d}"
    total = sum(int(c) * w for c, w in zip(body8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    org = body8 + ("X" if check == 10 else "0" if check == 11 else str(check))
    body = "91" + COUNTIES[county][0] + org
    return body + credit_code_check(body)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
    return f"0635-{rng.randrange(2, 9)}{rng.randrange(10**6):06d}"


def _enterprise(rng: random.Random, entity: int, used: set[str]) -> Enterprise:
    size = rng.choice((2, 2, 3))
    while True:
        city, home = rng.choice(NAME_CITIES)
        brand = "".join(rng.choices(BRAND_CHARS, k=size))
        industry = rng.choice(INDUSTRIES)
        key = brand + industry
        if key not in used:  # the registry refuses a second enterprise of the same 字号 and 行业
            used.add(key)
            break
        size = 3  # two-character 字号 run out first in a big city
    county = home if home is not None else rng.randrange(8)
    return Enterprise(
        entity=entity,
        city=city,
        brand=brand,
        industry=industry,
        note="(聊城)" if city == "山东" and rng.random() < 0.5 else "",
        form=rng.choice(FORMS),
        branch="",
        code=_credit_code(rng, entity, county),
        county=county,
        town=rng.choice(COUNTIES[county][2]),
        road=rng.choice(ROADS) + rng.choice(ROAD_KINDS),
        number=rng.randrange(1, 400),
        legal_rep=_person(rng),
        phone=_phone(rng),
    )


def _branch(rng: random.Random, parent: Enterprise, entity: int) -> Enterprise:
    county = rng.choice([i for i in range(8) if i != parent.county])
    place = COUNTIES[county][1].rstrip("市县区") if county != 0 else "东昌"
    return Enterprise(
        entity=entity,
        city=parent.city,
        brand=parent.brand,
        industry=parent.industry,
        note=parent.note,
        form=parent.form,
        branch=f"{place}分公司",
        code=_credit_code(rng, entity, county),
        county=county,
        town=rng.choice(COUNTIES[county][2]),
        road=rng.choice(ROADS) + rng.choice(ROAD_KINDS),
        number=rng.randrange(1, 400),
        legal_rep=parent.legal_rep if rng.random() < 0.5 else _person(rng),
        phone=_phone(rng),
    )


def _sibling(
    rng: random.Random, parent: Enterprise, entity: int, used: set[str]
) -> Enterprise | None:
    """Another enterprise of the same group: same 字号 and city, another 行业 (集团子公司)."""
    free = [i for i in INDUSTRIES if parent.brand + i not in used]
    if not free:
        return None
    industry = rng.choice(free)
    used.add(parent.brand + industry)
    same_place = rng.random() < 0.3  # in the same industrial park
    return Enterprise(
        entity=entity,
        city=parent.city,
        brand=parent.brand,
        industry=industry,
        note=parent.note,
        form=rng.choice(FORMS),
        branch="",
        code=_credit_code(rng, entity, parent.county),
        county=parent.county,
        town=parent.town if same_place else rng.choice(COUNTIES[parent.county][2]),
        road=parent.road if same_place else rng.choice(ROADS) + rng.choice(ROAD_KINDS),
        number=parent.number if same_place else rng.randrange(1, 400),
        legal_rep=parent.legal_rep if rng.random() < 0.5 else _person(rng),
        phone=_phone(rng),
    )


def _typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(len(text))
    options = CONFUSABLE.get(text[i]) or BRAND_CHARS
    return text[:i] + rng.choice(options) + text[i + 1 :]


def _noisy_name(rng: random.Random, e: Enterprise) -> str:
    brand = _typo(rng, e.brand) if rng.random() < 0.2 else e.brand
    form = e.form
    if form == "有限公司" and rng.random() < 0.35:
        form = "有限责任公司"
    city = e.city
    roll = rng.random()
    if city.endswith(("市", "县")) and len(city) == 3 and roll < 0.2:
        city = city[:2]  # 聊城市 → 聊城
    elif roll < 0.3:
        city = ""
    note = e.note.translate(FULL_WIDTH) if rng.random() < 0.7 else e.note
    if rng.random() < 0.1:
        return f"{city} {brand}{e.industry}{note} {form}{e.branch}"
    return f"{city}{brand}{e.industry}{note}{form}{e.branch}"


def _noisy_address(rng: random.Random, e: Enterprise) -> str:
    county = COUNTIES[e.county][1]
    parts = [county, e.town, e.road, f"{e.number}号"]
    if rng.random() < 0.3:  # 柳园街道建设路12号 东昌府区
        parts = [*parts[1:], county] if rng.random() < 0.5 else [e.town, county, *parts[2:]]
    if rng.random() < 0.1:
        parts.remove(e.town)
    prefix = rng.choice(("", "", "山东省聊城市", "聊城市", "聊城"))
    text = prefix + (" " if rng.random() < 0.3 else "").join(parts)
    return text.translate(FULL_WIDTH) if rng.random() < 0.25 else text


def _noisy_phone(rng: random.Random, phone: str) -> str | None:
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.14:
        return _phone(rng)  # the tax office has another number
    if phone.startswith("1"):
        forms: tuple[str, ...] = (
            phone,
            f"{phone[:3]} {phone[3:7]} {phone[7:]}",
            f"+86 {phone}",
            f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
        )
    else:
        local = phone[5:]
        forms = (phone, f"0635{local}", f"(0635){local}", local, f"0635 {local}")  # fmt: skip
    chosen = rng.choice(forms)
    return chosen.translate(FULL_WIDTH) if rng.random() < 0.1 else chosen


def _noisy_code(rng: random.Random, code: str) -> str | None:
    roll = rng.random()
    if roll < 0.25:
        return None
    if roll < 0.40:  # invalid: a wrong check character, or one character lost
        if rng.random() < 0.5:
            wrong = rng.choice([c for c in CREDIT_ALPHABET if c != code[-1]])
            return code[:-1] + wrong
        i = rng.randrange(18)
        return code[:i] + code[i + 1 :]
    return code.translate(FULL_WIDTH) if rng.random() < 0.1 else code


def _noisy_rep(rng: random.Random, rep: str) -> str | None:
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.10:
        return _person(rng)  # a new legal representative since registration
    return rep


@dataclass(frozen=True)
class KnownTruth:
    """Two departments' views of the same enterprises, and which records are one enterprise."""

    scjgj: pa.Table  # 市场监管局: registry, every code valid
    swj: pa.Table  # 税务局: noisy copies
    truth: pa.Table  # source_dataset, source_key, entity

    @classmethod
    def generate(cls, rows: int, seed: int = 7, *, share: float = 0.85) -> KnownTruth:
        """About ``rows`` records in each view; each view holds ``share`` of the enterprises."""
        rng = random.Random(seed)
        used: set[str] = set()
        entities: list[Enterprise] = []
        for _ in range(round(rows / share)):
            parent = _enterprise(rng, len(entities), used)
            entities.append(parent)
            if rng.random() < 0.04:
                entities.append(_branch(rng, parent, len(entities)))
            sister = _sibling(rng, parent, len(entities), used) if rng.random() < 0.05 else None
            if sister is not None:
                entities.append(sister)
        registry = [e for e in entities if rng.random() < share]
        tax = [e for e in entities if rng.random() < share]
        rng.shuffle(tax)
        scjgj: dict[str, list[str | None]] = {c: [] for c in COLUMNS}
        truth: dict[str, list[object]] = {"source_dataset": [], "source_key": [], "entity": []}
        for i, e in enumerate(registry):
            key = f"SC{i:08d}"
            values: tuple[str | None, ...] = (key, e.name, e.code, e.address, e.legal_rep, e.phone)
            for column, value in zip(COLUMNS, values, strict=True):
                scjgj[column].append(value)
            truth["source_dataset"].append("scjgj")
            truth["source_key"].append(key)
            truth["entity"].append(e.entity)
        swj: dict[str, list[str | None]] = {c: [] for c in COLUMNS}
        for i, e in enumerate(tax):
            key = f"SW{i:08d}"
            values = (
                key,
                _noisy_name(rng, e),
                _noisy_code(rng, e.code),
                _noisy_address(rng, e),
                _noisy_rep(rng, e.legal_rep),
                _noisy_phone(rng, e.phone),
            )
            for column, value in zip(COLUMNS, values, strict=True):
                swj[column].append(value)
            truth["source_dataset"].append("swj")
            truth["source_key"].append(key)
            truth["entity"].append(e.entity)
        return cls(pa.table(scjgj), pa.table(swj), pa.table(truth))
