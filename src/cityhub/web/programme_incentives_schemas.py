"""Request and response bodies of the incentives API (``/api/programme/incentives``)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from cityhub.programme.incentives import (
    Answer,
    CheckResult,
    DeclarationView,
    DeclaredFacts,
    Level,
    ProjectKind,
    QualifyingPage,
    Rule,
)


class DeclaredFactsBody(BaseModel):
    """Facts an enterprise declares; omitted ones count as not declared."""

    small_scale_vat: bool | None = Field(None, description="增值税小规模纳税人")
    digital_tech: bool | None = Field(
        None, description="数字技术企业 (overrides the industry-code classification)"
    )
    industry_code: str | None = Field(
        None, max_length=8, description="GB/T 4754 code, used when the base database has none"
    )
    provincial_members: int = Field(0, ge=0, description="省级人才工程入选者 working here")
    municipal_members: int = Field(0, ge=0, description="市级人才工程入选者 working here")
    long_term_employer: bool | None = Field(None, description="the members' 长期所在企业")
    project_kinds: list[ProjectKind] = Field(default_factory=list)
    key_project_lists: list[Level] = Field(
        default_factory=list, description="省、市重点项目名录 holding one of its projects"
    )

    def facts(self) -> DeclaredFacts:
        """As the engine's ``DeclaredFacts``."""
        return DeclaredFacts(
            small_scale_vat=self.small_scale_vat,
            digital_tech=self.digital_tech,
            industry_code=self.industry_code or None,
            provincial_members=self.provincial_members,
            municipal_members=self.municipal_members,
            long_term_employer=self.long_term_employer,
            project_kinds=frozenset(self.project_kinds),
            key_project_lists=frozenset(self.key_project_lists),
        )

    @classmethod
    def of(cls, facts: DeclaredFacts) -> DeclaredFactsBody:
        """From the engine's ``DeclaredFacts``."""
        return cls(
            small_scale_vat=facts.small_scale_vat,
            digital_tech=facts.digital_tech,
            industry_code=facts.industry_code,
            provincial_members=facts.provincial_members,
            municipal_members=facts.municipal_members,
            long_term_employer=facts.long_term_employer,
            project_kinds=sorted(facts.project_kinds),
            key_project_lists=sorted(facts.key_project_lists),
        )


class CheckBody(BaseModel):
    """Which enterprise, on which day, with which facts (none: the stored declaration)."""

    credit_code: str | None = Field(None, description="统一社会信用代码 (18 characters)")
    on: date | None = Field(None, description="the day asked about; today when omitted")
    declared: DeclaredFactsBody | None = Field(
        None, description="facts to use, not stored; omit to use the stored declaration"
    )


class RuleOut(BaseModel):
    """An incentive rule with its clause."""

    id: str
    version: int
    task: int
    source: str
    title_zh: str
    title_en: str
    clause: str
    valid_from: date | None
    valid_to: date | None
    benefit_zh: str
    benefit_en: str
    units: list[str]

    @classmethod
    def of(cls, rule: Rule) -> RuleOut:
        return cls(
            id=rule.id,
            version=rule.version,
            task=rule.task,
            source=rule.source,
            title_zh=rule.title_zh,
            title_en=rule.title_en,
            clause=rule.clause,
            valid_from=rule.valid_from,
            valid_to=rule.valid_to,
            benefit_zh=rule.benefit_zh,
            benefit_en=rule.benefit_en,
            units=list(rule.units),
        )


class ReasonOut(BaseModel):
    """One condition: met or not, why, and where the fact came from."""

    met: bool
    zh: str
    en: str
    source: str
    source_ref: str | None


class TaxOut(BaseModel):
    zh: str
    en: str


class AnswerOut(BaseModel):
    """A rule's answer for the enterprise on the day."""

    rule: RuleOut
    on: date
    applies: bool
    period_start: date | None
    period_end: date | None
    benefit_zh: str | None
    benefit_en: str | None
    cap_yuan: int | None
    taxes: list[TaxOut]
    reasons: list[ReasonOut]

    @classmethod
    def of(cls, answer: Answer) -> AnswerOut:
        return cls(
            rule=RuleOut.of(answer.rule),
            on=answer.on,
            applies=answer.applies,
            period_start=answer.period_start,
            period_end=answer.period_end,
            benefit_zh=answer.benefit_zh,
            benefit_en=answer.benefit_en,
            cap_yuan=answer.cap_yuan,
            taxes=[TaxOut(zh=zh, en=en) for zh, en in answer.taxes],
            reasons=[
                ReasonOut(met=r.met, zh=r.zh, en=r.en, source=r.source, source_ref=r.source_ref)
                for r in answer.reasons
            ],
        )


class CheckOut(BaseModel):
    """Every rule's answer, and what the answers rest on."""

    credit_code: str | None
    enterprise_name: str | None
    on: date
    base_status: str
    base_sources: list[str]
    note_zh: str
    note_en: str
    declared_stored: bool
    declared: DeclaredFactsBody
    answers: list[AnswerOut]

    @classmethod
    def of(cls, result: CheckResult) -> CheckOut:
        return cls(
            credit_code=result.credit_code,
            enterprise_name=result.enterprise_name,
            on=result.on,
            base_status=result.base_status,
            base_sources=list(result.base_sources),
            note_zh=result.note_zh,
            note_en=result.note_en,
            declared_stored=result.declared_stored,
            declared=DeclaredFactsBody.of(result.declared),
            answers=[AnswerOut.of(a) for a in result.answers],
        )


class QualifierOut(BaseModel):
    credit_code: str
    name: str | None
    answer: AnswerOut


class QualifyingOut(BaseModel):
    """A page of the enterprises that qualify without applying (免申即享)."""

    rule: str
    on: date
    total: int
    limit: int
    offset: int
    sources: list[str]
    items: list[QualifierOut]

    @classmethod
    def of(cls, page: QualifyingPage) -> QualifyingOut:
        return cls(
            rule=page.rule.id,
            on=page.on,
            total=page.total,
            limit=page.limit,
            offset=page.offset,
            sources=list(page.sources),
            items=[
                QualifierOut(credit_code=q.credit_code, name=q.name, answer=AnswerOut.of(q.answer))
                for q in page.items
            ],
        )


class DeclarationBody(BaseModel):
    """An enterprise's declaration to store."""

    enterprise_name: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=2000)
    facts: DeclaredFactsBody


class DeclarationOut(BaseModel):
    """A stored declaration."""

    credit_code: str
    enterprise_name: str | None
    note: str | None
    department: str | None
    recorded_by: str
    updated_at: datetime
    facts: DeclaredFactsBody

    @classmethod
    def of(cls, view: DeclarationView) -> DeclarationOut:
        return cls(
            credit_code=view.credit_code,
            enterprise_name=view.enterprise_name,
            note=view.note,
            department=view.department,
            recorded_by=view.recorded_by,
            updated_at=view.updated_at,
            facts=DeclaredFactsBody.of(view.facts),
        )
