"""What a department registers about a project, and the checks that name the field and value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cityhub.errors import InvalidInput
from cityhub.programme import registry_common as common

DOMAINS = ("agri", "manufacturing", "services", "industrialisation")
KINDS = ("info_network", "it_services", "ecommerce", "other")
STATUSES = ("planned", "building", "done")


@dataclass(frozen=True)
class ProjectSpec:
    """What a department registers; checked by ``register_project``."""

    name: str
    owner_code: str
    owner_name: str
    county: str
    domain: str
    kind: str
    investment: float  # 万元
    start_on: date
    end_on: date
    status: str = "planned"
    provincial_major: bool = False
    city_key: bool = False
    land_priority: bool = False


def check_spec(spec: ProjectSpec) -> ProjectSpec:
    """The spec with normalised values, or InvalidInput naming the first bad field."""
    if spec.end_on < spec.start_on:
        raise InvalidInput(
            f"end_on {spec.end_on} is before start_on {spec.start_on}",
            details={"field": "end_on", "value": spec.end_on.isoformat()},
        )
    return ProjectSpec(
        name=common.text(spec.name, "name"),
        owner_code=common.credit_code(spec.owner_code, "owner_code"),
        owner_name=common.text(spec.owner_name, "owner_name"),
        county=common.county(spec.county),
        domain=common.choice(spec.domain, DOMAINS, "domain"),
        kind=common.choice(spec.kind, KINDS, "kind"),
        investment=common.not_negative(spec.investment, "investment"),
        start_on=spec.start_on,
        end_on=spec.end_on,
        status=common.choice(spec.status, STATUSES, "status"),
        provincial_major=spec.provincial_major,
        city_key=spec.city_key,
        land_priority=spec.land_priority,
    )
