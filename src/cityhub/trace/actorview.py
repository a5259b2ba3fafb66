"""How callers see actors: natural persons' names, codes and exact places masked for everyone
without TRACE_MANAGE (enterprises are public records and shown as registered)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub.auth import Actor, Permission
from cityhub.auth.models import Department
from cityhub.trace.models import TraceActor


@dataclass(frozen=True)
class ActorView:
    """An actor as the caller may see it (masked for natural persons unless TRACE_MANAGE)."""

    id: int
    ref: str
    ref_kind: str
    code: str
    natural_person: bool
    name_zh: str
    name_en: str | None
    kind: str
    county: str | None
    lon: float | None
    lat: float | None
    gln: str | None
    department: str | None
    masked: bool

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the fields."""
        return dict(vars(self))


def masked_for(row: TraceActor, caller: Actor) -> bool:
    """Whether ``caller`` sees ``row`` masked."""
    return row.natural_person and not caller.can(Permission.TRACE_MANAGE)


def masked_place(row: TraceActor, caller: Actor) -> tuple[float | None, float | None]:
    """(lon, lat) as ``caller`` may see them: two decimals (about 1 km) for masked actors."""
    if masked_for(row, caller) and row.lon is not None and row.lat is not None:
        return round(row.lon, 2), round(row.lat, 2)
    return row.lon, row.lat


def mask_name(name: str) -> str:
    """王小明 → 王**: the first character stays, so a neighbour may still recognise the farm."""
    return name[:1] + "*" * max(len(name) - 1, 1)


def actor_view(session: Session, row: TraceActor, caller: Actor) -> ActorView:
    """``row`` as ``caller`` may see it."""
    department = (
        session.scalar(select(Department.code).where(Department.id == row.department_id))
        if row.department_id is not None
        else None
    )
    view = ActorView(
        id=row.id,
        ref=row.ref,
        ref_kind=row.ref_kind,
        code=row.code,
        natural_person=row.natural_person,
        name_zh=row.name_zh,
        name_en=row.name_en,
        kind=row.kind,
        county=row.county,
        lon=row.lon,
        lat=row.lat,
        gln=row.gln,
        department=department,
        masked=False,
    )
    if not masked_for(row, caller):
        return view
    return replace(
        view,
        code=row.code[:2] + "*" * (len(row.code) - 4) + row.code[-2:],
        name_zh=mask_name(row.name_zh),
        name_en=mask_name(row.name_en) if row.name_en else None,
        lon=masked_place(row, caller)[0],
        lat=masked_place(row, caller)[1],
        masked=True,
    )


def display_name(row: TraceActor, caller: Actor) -> tuple[str, str | None]:
    """(name_zh, name_en) of ``row`` as ``caller`` may see them."""
    if masked_for(row, caller):
        return mask_name(row.name_zh), mask_name(row.name_en) if row.name_en else None
    return row.name_zh, row.name_en
