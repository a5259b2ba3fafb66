"""The incentive rules of 聊政办字〔2020〕20号 十七 and 十八, each versioned, dated and quoted.

A rule's ``clause`` is a verbatim sentence of the shipped policy text (a test checks this), so an
answer can always show the words it rests on. ``valid_from``/``valid_to`` are inclusive calendar
days; None means open (the 十七 rules and the talent loans run from the policy's issue date until
the policy is replaced). A new version of a rule is a new entry with a higher ``version`` and its
own dates; ``RULES`` lists the current ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from cityhub.errors import NotFound
from cityhub.programme.policy import POLICY, policy_tasks

TAX_HALVING = "tax-halving"
TALENT_LOAN = "talent-loan"
LAND_PRIORITY = "land-priority"
COMMERCIAL_LAND = "commercial-land"
MAJOR_PROJECT_LIBRARY = "major-project-library"

# The eight local taxes and fees halved by 十八, in the order the clause lists them.
HALVED_TAXES: tuple[tuple[str, str], ...] = (
    ("地方资源税", "local resource tax"),
    ("城市维护建设税", "urban maintenance and construction tax"),
    ("房产税", "property tax"),
    ("城镇土地使用税", "urban land use tax"),
    ("印花税(不含证券交易印花税)", "stamp duty (excluding securities transaction stamp duty)"),
    ("耕地占用税", "farmland occupation tax"),
    ("教育费附加", "education surcharge"),
    ("地方教育附加", "local education surcharge"),
)

PROVINCIAL_CAP_YUAN = 10_000_000
MUNICIPAL_CAP_YUAN = 5_000_000


@dataclass(frozen=True)
class Rule:
    """One incentive rule: what it grants, when, the clause, and who answers for it."""

    id: str
    version: int
    task: int  # 17 or 18: the numbered task of the policy holding the clause
    title_zh: str
    title_en: str
    clause: str  # verbatim from the policy text
    valid_from: date | None
    valid_to: date | None
    benefit_zh: str
    benefit_en: str

    @property
    def task_label(self) -> str:
        """The task as the policy numbers it, e.g. ``(十八)``."""
        return "(十七)" if self.task == 17 else "(十八)"

    @property
    def source(self) -> str:
        """Document number and task, e.g. ``聊政办字〔2020〕20号 (十八)``."""
        return f"{POLICY.number} {self.task_label}"

    @property
    def units(self) -> tuple[str, ...]:
        """The responsible units (department codes, lead first) of the rule's task."""
        return policy_tasks()[self.task - 1].unit_codes

    def in_force(self, on: date) -> bool:
        """Whether ``on`` lies within the rule's dates (inclusive)."""
        if self.valid_from is not None and on < self.valid_from:
            return False
        return self.valid_to is None or on <= self.valid_to


RULES: tuple[Rule, ...] = (
    Rule(
        id=TAX_HALVING,
        version=1,
        task=18,
        title_zh="小规模纳税人数字技术企业地方税费减半征收",
        title_en="Local taxes and fees halved for small-scale VAT taxpayers "
        "among digital-technology enterprises",
        clause="自2019年1月1日至2021年12月31日,对数字技术企业中的增值税小规模纳税人减半征收"
        "地方资源税、城市维护建设税、房产税、城镇土地使用税、印花税(不含证券交易印花税)、"
        "耕地占用税、教育费附加、地方教育附加。",
        valid_from=date(2019, 1, 1),
        valid_to=date(2021, 12, 31),
        benefit_zh="减半征收:" + "、".join(zh for zh, _ in HALVED_TAXES),
        benefit_en="halved: " + ", ".join(en for _, en in HALVED_TAXES),
    ),
    Rule(
        id=TALENT_LOAN,
        version=1,
        task=18,
        title_zh="人才贷无抵押、无担保贷款额度",
        title_en="Talent loans without collateral or guarantee",
        clause="对符合人才贷有关规定条件的,由试点银行给予省级人才工程入选者或其长期所在企业最高"
        "1000万元无抵押、无担保贷款额度,给予市级人才工程入选者或其长期所在企业最高500万元"
        "无抵押、无担保贷款额度,用于科技成果转化和创新创业。",
        valid_from=POLICY.issued_on,
        valid_to=None,
        benefit_zh="试点银行无抵押、无担保贷款额度:省级最高1000万元,市级最高500万元",
        benefit_en="unsecured loan line from pilot banks: up to 10,000,000 yuan (provincial), "
        "5,000,000 yuan (municipal)",
    ),
    Rule(
        id=LAND_PRIORITY,
        version=1,
        task=17,
        title_zh="重点项目建设用地优先保障",
        title_en="Priority land supply for key projects",
        clause="对纳入省、市重点项目名录的数字经济发展项目,优先保障其建设用地。",
        valid_from=POLICY.issued_on,
        valid_to=None,
        benefit_zh="优先保障建设用地",
        benefit_en="construction land supplied with priority",
    ),
    Rule(
        id=COMMERCIAL_LAND,
        version=1,
        task=17,
        title_zh="经营服务项目按商服用途落实用地",
        title_en="Commercial-use land for network, IT service and e-commerce projects",
        clause="对下一代信息网络产业(通信设施除外)、新型信息技术服务、电子商务等经营服务项目,"
        "可按商服用途落实用地。",
        valid_from=POLICY.issued_on,
        valid_to=None,
        benefit_zh="可按商服用途落实用地",
        benefit_en="land may be provided as commercial-service use",
    ),
    Rule(
        id=MAJOR_PROJECT_LIBRARY,
        version=1,
        task=17,
        title_zh="优先列入省新旧动能转换重大项目库",
        title_en="Priority for the provincial major project library",
        clause="优先支持大数据、云计算、5G、物联网、数字经济园区等重点领域项目列入省新旧动能转换"
        "重大项目库。",
        valid_from=POLICY.issued_on,
        valid_to=None,
        benefit_zh="优先支持列入省新旧动能转换重大项目库",
        benefit_en="priority for listing in the provincial major project library "
        "(new and old growth drivers)",
    ),
)


@cache
def _by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in RULES}


def rule_by_id(rule_id: str) -> Rule:
    """The current version of rule ``rule_id``; NotFound names the known rules."""
    rule = _by_id().get(rule_id.strip().lower())
    if rule is None:
        raise NotFound(
            f"no incentive rule {rule_id!r}; rules: {', '.join(_by_id())}",
            details={"rule": rule_id},
        )
    return rule
