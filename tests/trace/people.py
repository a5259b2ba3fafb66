"""Traceability actors and accounts the domain tests share."""

from __future__ import annotations

from dataclasses import dataclass

from cityhub import auth
from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.trace.actors import ActorIn, link_account, register_actor

# Valid 统一社会信用代码 (GB 32100 check characters) of Liaocheng counties.
FARM_CODE = "93371522MA3C0002X1"  # 莘县, a cooperative farm
PROCESSOR_CODE = "91371521MA3C000111"  # 阳谷县
SUPPLIER_CODE = "91371500MA3C00003Q"  # 聊城市, a fertiliser supplier
RETAILER_A_CODE = "91371502MA3C000388"  # 东昌府区
RETAILER_B_CODE = "91371581MA3C00054B"  # 临清市
CARRIER_CODE = "91371525MA3C00046D"  # 冠县
FARMER_SUBJECT_CODE = "3715220012345678"  # a natural person's 主体码


@dataclass(frozen=True)
class Cast:
    """Registered actors (by public ref) and the callers that act for them."""

    farm: str
    processor: str
    supplier: str
    retailer_a: str
    retailer_b: str
    carrier: str
    farmer: str
    recorder: Actor  # linked to the farm only
    stranger: Actor  # a recorder linked to nothing
    steward: Actor  # TRACE_MANAGE


def _user(db: Database, username: str, role: Role, department: str = "NYNCJ") -> Actor:
    user = auth.create_user(
        db,
        Actor.system(),
        username=username,
        password="correct-horse-battery",
        department_code=department,
        role=role,
    )
    return Actor(user.id, user.username, role, department)


def cast(db: Database) -> Cast:
    """Register the actors of the tests and link a recorder account to the farm."""
    system = Actor.system()
    refs = {}
    for name, code, kind in (
        ("farm", FARM_CODE, "farm"),
        ("processor", PROCESSOR_CODE, "processor"),
        ("supplier", SUPPLIER_CODE, "input_supplier"),
        ("retailer_a", RETAILER_A_CODE, "retailer"),
        ("retailer_b", RETAILER_B_CODE, "retailer"),
        ("carrier", CARRIER_CODE, "logistics"),
    ):
        view = register_actor(
            db,
            system,
            ActorIn(code=code, name_zh=f"{name}公司", name_en=name, kind=kind, lon=115.9, lat=36.4),
        )
        refs[name] = view.ref
    farmer = register_actor(
        db,
        system,
        ActorIn(
            code=FARMER_SUBJECT_CODE,
            ref_kind="subject_code",
            natural_person=True,
            name_zh="王小明",
            name_en="Wang Xiaoming",
            kind="farm",
            lon=115.6712,
            lat=36.2345,
        ),
    )
    recorder = _user(db, "farm.recorder", Role.RECORDER)
    stranger = _user(db, "other.recorder", Role.RECORDER)
    steward = _user(db, "nyncj.trace", Role.STEWARD)
    link_account(db, system, refs["farm"], recorder.username)
    return Cast(**refs, farmer=farmer.ref, recorder=recorder, stranger=stranger, steward=steward)
