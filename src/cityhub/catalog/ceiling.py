"""Sharing ceilings: the most open sharing a dataset may have, because of the data it came from.

A dataset made from other datasets (a derived dataset, a link table) must never be shared more
openly than the most restricted of them. Whoever makes such a dataset computes its ceiling with
``most_restricted`` and stores it with ``apply_ceiling``; the catalogue then refuses any change
that opens the dataset beyond it (``check_ceiling``, called by ``update_dataset``). The catalogue
does not know who set a ceiling or why: it keeps the limit and the name of the limiting source.

Order, most open first (the most restricted value wins):

- 共享类型: 无条件共享 < 有条件共享 < 不予共享
- 开放属性: 无条件开放 < 有条件开放 < 不予开放
- 数据分级: 公开 < 内部 < 敏感 < 重要 (here the highest level wins)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor
from cityhub.catalog.models import Dataset
from cityhub.catalog.vocab import OpenType, SecurityLevel, ShareType
from cityhub.errors import Conflict

# Each field's values, most open first.
ORDER: dict[str, tuple[str, ...]] = {
    "share_type": tuple(ShareType),
    "open_type": tuple(OpenType),
    "security_level": tuple(SecurityLevel),
}


@dataclass(frozen=True)
class Limit:
    """The most open value a field may take, and the source dataset that sets it."""

    value: str
    source: str  # name of the limiting source dataset


@dataclass(frozen=True)
class Ceiling:
    """The most open sharing a dataset may have: one limit per sharing field.

    ``conditions`` are the 共享条件 of the sources that are 有条件共享, which a dataset
    brought down to 有条件共享 inherits.
    """

    share_type: Limit
    open_type: Limit
    security_level: Limit
    conditions: str = ""

    def limit(self, field: str) -> Limit:
        """The limit of one sharing field."""
        limit: Limit = getattr(self, field)
        return limit

    def as_json(self) -> dict[str, Any]:
        """The form stored in ``datasets.sharing_ceiling``."""
        stored: dict[str, Any] = {
            field: {"value": self.limit(field).value, "source": self.limit(field).source}
            for field in ORDER
        }
        return stored | {"conditions": self.conditions}

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> Ceiling:
        """The ceiling as ``as_json`` stored it."""
        limits = {field: Limit(**stored[field]) for field in ORDER}
        return cls(**limits, conditions=stored.get("conditions", ""))


def _rank(field: str, value: str) -> int:
    return ORDER[field].index(value)


def most_restricted(sources: Iterable[Dataset]) -> Ceiling:
    """The ceiling that a dataset made from ``sources`` inherits (at least one source)."""
    chosen = list(sources)
    if not chosen:
        raise ValueError("a ceiling needs at least one source")
    limits: dict[str, Limit] = {}
    for field in ORDER:
        # Ties go to the first source by name, so the message does not change between runs.
        top = max(
            sorted(chosen, key=lambda d: d.name), key=lambda d: _rank(field, getattr(d, field))
        )
        limits[field] = Limit(getattr(top, field), top.name)
    conditions = "; ".join(
        f"{d.name}: {d.share_conditions}"
        for d in sorted(chosen, key=lambda d: d.name)
        if d.share_type == ShareType.CONDITIONAL.value and d.share_conditions.strip()
    )
    return Ceiling(**limits, conditions=conditions)


def ceiling_of(dataset: Dataset) -> Ceiling | None:
    """The dataset's stored ceiling, or None when nothing limits it."""
    return Ceiling.from_json(dataset.sharing_ceiling) if dataset.sharing_ceiling else None


def violations(values: Mapping[str, str], ceiling: Ceiling) -> dict[str, Limit]:
    """The sharing fields whose values are more open than the ceiling allows."""
    return {
        field: ceiling.limit(field)
        for field in ORDER
        if _rank(field, values[field]) < _rank(field, ceiling.limit(field).value)
    }


def sharing_of(dataset: Dataset) -> dict[str, str]:
    """The dataset's sharing fields."""
    return {field: getattr(dataset, field) for field in ORDER}


def refuse_beyond(name: str, values: Mapping[str, str], ceiling: Ceiling) -> None:
    """Raise ``Conflict``, naming the source, if ``values`` open ``name`` beyond the ceiling."""
    over = violations(values, ceiling)
    if not over:
        return
    field, limit = next(iter(over.items()))
    raise Conflict(
        f"{field} {values[field]!r} is more open than source dataset {limit.source!r} allows "
        f"(at most {limit.value!r})",
        details={
            "dataset": name,
            "field": field,
            "value": values[field],
            "ceiling": limit.value,
            "source": limit.source,
        },
    )


def check_ceiling(dataset: Dataset) -> None:
    """Raise ``Conflict`` if the dataset is more open than its stored ceiling."""
    ceiling = ceiling_of(dataset)
    if ceiling is not None:
        refuse_beyond(dataset.name, sharing_of(dataset), ceiling)


def apply_ceiling(
    session: Session, actor: Actor, dataset: Dataset, ceiling: Ceiling
) -> dict[str, Any]:
    """Store the ceiling and bring the dataset's sharing down to it; audited with what changed.

    Runs in the caller's transaction, so the stricter sharing lands with whatever caused it
    (for a derived dataset: the version made from the stricter source).
    """
    stored = ceiling.as_json()
    before = dataset.sharing_ceiling
    dataset.sharing_ceiling = stored
    changed: dict[str, Any] = {}
    for field, limit in violations(sharing_of(dataset), ceiling).items():
        changed[field] = {
            "from": getattr(dataset, field),
            "to": limit.value,
            "source": limit.source,
        }
        setattr(dataset, field, limit.value)
    if dataset.share_type == ShareType.CONDITIONAL.value and not dataset.share_conditions.strip():
        # 有条件共享 needs its conditions: those of the sources that made it conditional.
        dataset.share_conditions = ceiling.conditions or "同来源数据集的共享条件"
        changed["share_conditions"] = {"from": "", "to": dataset.share_conditions}
    if before == stored and not changed:
        return changed
    audit.record(
        session,
        actor,
        "dataset.ceiling",
        object_type="dataset",
        object_id=dataset.name,
        details={"ceiling": stored, "changed": changed},
    )
    return changed
