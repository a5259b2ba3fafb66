"""The sharing ceiling: a derived dataset is never shared more openly than its strictest source."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub import audit, catalog, derived
from cityhub.catalog import DatasetPatch, OpenType, SecurityLevel, ShareType
from cityhub.catalog.ceiling import ORDER, Ceiling, Limit, most_restricted, violations
from cityhub.derived import DerivedSpec
from cityhub.errors import Conflict
from cityhub.pool.service import Pool
from tests.derived.conftest import STEWARD, SYSTEM

JOIN = (
    'SELECT e."统一社会信用代码", b."带宽" '
    'FROM "legal-entities" AS e JOIN broadband AS b USING ("统一社会信用代码")'
)


def test_the_derived_dataset_takes_the_strictest_sharing_of_its_sources(city: Pool) -> None:
    # legal-entities: 无条件共享, 无条件开放, 公开; broadband: 有条件共享, 有条件开放, 内部.
    derived.define(city.db, STEWARD, city, DerivedSpec(name="eb", title="企业宽带", sql=JOIN))
    dataset = catalog.get_dataset(city.db, STEWARD, "eb")
    assert (dataset.share_type, dataset.open_type, dataset.security_level) == (
        "conditional",
        "conditional",
        "internal",
    )
    assert dataset.share_conditions == "broadband: 仅用于产业分析"  # inherited, as 有条件共享 needs
    assert dataset.sharing_ceiling is not None
    assert dataset.sharing_ceiling["share_type"] == {"value": "conditional", "source": "broadband"}


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        (DatasetPatch(share_type=ShareType.UNCONDITIONAL), "share_type"),
        (DatasetPatch(open_type=OpenType.OPEN), "open_type"),
        (DatasetPatch(security_level=SecurityLevel.PUBLIC), "security_level"),
    ],
)
def test_opening_it_beyond_the_ceiling_is_refused_naming_the_source(
    city: Pool, patch: DatasetPatch, field: str
) -> None:
    derived.define(city.db, STEWARD, city, DerivedSpec(name="eb", title="企业宽带", sql=JOIN))
    for who in (STEWARD, SYSTEM):  # not even an admin
        with pytest.raises(Conflict, match="broadband") as refused:
            catalog.update_dataset(city.db, who, "eb", patch)
        assert refused.value.details["source"] == "broadband"
        assert refused.value.details["field"] == field
    unchanged = catalog.get_dataset(city.db, STEWARD, "eb")
    assert unchanged.share_type == "conditional" and unchanged.security_level == "internal"


def test_closing_it_further_and_back_to_the_ceiling_is_allowed(city: Pool) -> None:
    derived.define(city.db, STEWARD, city, DerivedSpec(name="eb", title="企业宽带", sql=JOIN))
    patch = DatasetPatch(share_type=ShareType.NONE, security_level=SecurityLevel.RESTRICTED)
    assert catalog.update_dataset(city.db, STEWARD, "eb", patch).share_type == "none"
    back = DatasetPatch(share_type=ShareType.CONDITIONAL, security_level=SecurityLevel.INTERNAL)
    assert catalog.update_dataset(city.db, STEWARD, "eb", back).share_type == "conditional"
    # Other fields are untouched by the ceiling.
    assert (
        catalog.update_dataset(city.db, STEWARD, "eb", DatasetPatch(title="新名")).title == "新名"
    )


def test_define_refuses_sharing_more_open_than_the_sources(city: Pool) -> None:
    spec = DerivedSpec(name="eb", title="企业宽带", sql=JOIN, share_type=ShareType.UNCONDITIONAL)
    with pytest.raises(Conflict, match="broadband"):
        derived.define(city.db, STEWARD, city, spec)
    stricter = DerivedSpec(name="eb2", title="企业宽带", sql=JOIN, open_type=OpenType.CLOSED)
    derived.define(city.db, STEWARD, city, stricter)
    assert catalog.get_dataset(city.db, STEWARD, "eb2").open_type == "closed"


def test_a_source_that_became_stricter_tightens_it_at_the_next_refresh(city: Pool) -> None:
    sql = 'SELECT d."河道", e."名称" FROM duty AS d, "legal-entities" AS e'
    derived.define(city.db, STEWARD, city, DerivedSpec(name="mix", title="混合", sql=sql))
    assert catalog.get_dataset(city.db, STEWARD, "mix").share_type == "unconditional"
    # 水利局 stops sharing its own source; the derived dataset follows at its next refresh.
    catalog.update_dataset(city.db, STEWARD, "duty", DatasetPatch(share_type=ShareType.NONE))
    assert catalog.get_dataset(city.db, STEWARD, "mix").share_type == "unconditional"
    derived.refresh(city.db, STEWARD, city, "mix")
    tightened = catalog.get_dataset(city.db, STEWARD, "mix")
    assert tightened.share_type == "none"
    assert tightened.sharing_ceiling is not None
    assert tightened.sharing_ceiling["share_type"]["source"] == "duty"
    with pytest.raises(Conflict, match="duty"):
        catalog.update_dataset(
            city.db, STEWARD, "mix", DatasetPatch(share_type=ShareType.UNCONDITIONAL)
        )
    events = audit.list_events(
        city.db, SYSTEM, audit.AuditFilter(action="dataset.ceiling", object_id="mix")
    ).events
    assert events[0].details["changed"]["share_type"] == {
        "from": "unconditional",
        "to": "none",
        "source": "duty",
    }


class _Source:
    """Just the fields ``most_restricted`` reads."""

    def __init__(self, name: str, share: str, open_: str, level: str) -> None:
        self.name, self.share_type, self.open_type, self.security_level = name, share, open_, level
        self.share_conditions = f"{name} 的条件" if share == "conditional" else ""


SOURCES = st.lists(
    st.tuples(
        st.sampled_from(ORDER["share_type"]),
        st.sampled_from(ORDER["open_type"]),
        st.sampled_from(ORDER["security_level"]),
    ),
    min_size=1,
    max_size=6,
)


@given(SOURCES)
def test_the_ceiling_is_as_strict_as_the_strictest_source(sharing: list[tuple[str, ...]]) -> None:
    sources = [_Source(f"s{i}", *values) for i, values in enumerate(sharing)]
    ceiling = most_restricted(sources)  # type: ignore[arg-type]
    for field in ORDER:
        limit = ceiling.limit(field)
        named = next(s for s in sources if s.name == limit.source)
        assert getattr(named, field) == limit.value  # the named source really sets the limit
        for source in sources:  # and no source is stricter than the ceiling
            assert ORDER[field].index(getattr(source, field)) <= ORDER[field].index(limit.value)
    # The ceiling itself is within the ceiling; one step more open in any field is not.
    at_limit = {f: ceiling.limit(f).value for f in ORDER}
    assert violations(at_limit, ceiling) == {}
    for field in ORDER:
        rank = ORDER[field].index(at_limit[field])
        if rank > 0:
            opened = at_limit | {field: ORDER[field][rank - 1]}
            assert set(violations(opened, ceiling)) == {field}
    assert Ceiling.from_json(ceiling.as_json()) == ceiling


def test_a_dataset_without_a_ceiling_is_not_limited(city: Pool) -> None:
    patch = DatasetPatch(share_type=ShareType.UNCONDITIONAL, open_type=OpenType.OPEN)
    assert catalog.update_dataset(city.db, SYSTEM, "broadband", patch).open_type == "open"
    strictest = Ceiling(Limit("none", "a"), Limit("closed", "a"), Limit("restricted", "a"))
    assert violations({f: values[-1] for f, values in ORDER.items()}, strictest) == {}
