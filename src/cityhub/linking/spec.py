"""What a steward asks for: the sources and their columns, the kind, thresholds and the output.

The same model serves the API body, the CLI's ``--spec`` file and the page's form::

    {"kind": "legal_entity", "output": "enterprise-links", "title": "企业主体关联",
     "threshold": 0.9, "review_lower": 0.5, "review_upper": 0.95,
     "sources": [{"dataset": "scjgj-enterprises", "key": "统一社会信用代码", "name": "企业名称",
                  "address": "住所", "legal_rep": "法定代表人", "phone": "联系电话",
                  "credit_code": "统一社会信用代码"}, …]}
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cityhub.catalog.datasets import NAME
from cityhub.errors import InvalidInput
from cityhub.linking.features import Kind
from cityhub.linking.records import ColumnMap

MAX_SOURCES = 8


class SourceSpec(BaseModel):
    """One source dataset (newest version unless ``version``) and which column holds what."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dataset: str = Field(min_length=1, max_length=100)
    version: int | None = Field(default=None, ge=1)
    key: str | None = Field(
        default=None,
        description="the column that identifies a row; none: a hash of the row's linked values",
    )
    name: str = Field(min_length=1, description="company name, or the person's name")
    address: str | None = None
    legal_rep: str | None = None
    phone: str | None = None
    credit_code: str | None = None
    id_number: str | None = None

    def columns(self, kind: Kind) -> ColumnMap:
        """The column map the linker reads."""
        code = self.credit_code if kind is Kind.LEGAL_ENTITY else self.id_number
        return ColumnMap(self.key, self.name, self.address, self.legal_rep, self.phone, code)

    def mapping(self) -> dict[str, str]:
        """The named columns, by role (for the run's record)."""
        roles = ("key", "name", "address", "legal_rep", "phone", "credit_code", "id_number")
        return {r: getattr(self, r) for r in roles if getattr(self, r)}


class LinkSpec(BaseModel):
    """A linking run to start."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind = Kind.LEGAL_ENTITY
    sources: list[SourceSpec] = Field(min_length=1, max_length=MAX_SOURCES)
    output: str = Field(description="name of the link table dataset (created if new)")
    title: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, description="owner; None: the actor's")
    threshold: float = Field(default=0.9, gt=0, lt=1)
    review_lower: float = Field(default=0.5, gt=0, lt=1)
    review_upper: float = Field(default=0.95, gt=0, le=1)

    @model_validator(mode="after")
    def _consistent(self) -> LinkSpec:
        if not NAME.fullmatch(self.output):
            raise ValueError("output must be a dataset name: a-z, 0-9, '-' and '_'")
        if not self.review_lower <= self.threshold <= self.review_upper:
            raise ValueError("review_lower ≤ threshold ≤ review_upper is needed")
        names = [s.dataset for s in self.sources]
        if len(set(names)) != len(names):
            raise ValueError("each source dataset may appear once")
        if self.output in names:
            raise ValueError("the output cannot be one of the sources")
        wrong = "id_number" if self.kind is Kind.LEGAL_ENTITY else "credit_code"
        if any(getattr(s, wrong) for s in self.sources):
            raise ValueError(f"{wrong} is not a column of kind {self.kind.value}")
        return self

    @property
    def display_title(self) -> str:
        """The output's title: as given, or one naming the sources."""
        what = "法人主体关联" if self.kind is Kind.LEGAL_ENTITY else "自然人关联"
        return self.title or f"{what}: {'、'.join(s.dataset for s in self.sources)}"

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> LinkSpec:
        """Validate a spec from JSON; errors name the field (InvalidInput)."""
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "spec"
            raise InvalidInput(
                f"linking spec: {where}: {first['msg']}", details={"field": where}
            ) from exc
