"""Thematic groups through the CKAN Action API, driven by the real ckanapi client."""

from __future__ import annotations

from datetime import timedelta

import ckanapi  # type: ignore[import-untyped]  # ships no type information
import pytest

from cityhub import auth, catalog
from cityhub.db import Database
from tests.conftest import People


@pytest.fixture
def keys(db: Database, people: People) -> dict[str, str]:
    """API keys of 水利局's steward and analyst and 农业农村局's steward."""
    holders = {"steward": people.steward, "analyst": people.analyst, "other": people.other_steward}
    return {
        role: auth.create_token(
            db, auth.Actor.system(), name="ckan", lifetime=timedelta(days=1), username=username
        ).secret
        for role, username in holders.items()
    }


@pytest.fixture
def packages(db: Database) -> None:
    """An open dataset of 水利局 and a closed one of 农业农村局."""
    for name, title, department, open_type in (
        ("water", "河道水位监测", "SLJ", catalog.OpenType.OPEN),
        ("farms", "农业合作社名录", "NYNCJ", catalog.OpenType.CLOSED),
    ):
        spec = catalog.DatasetSpec(
            name=name,
            title=title,
            department=department,
            resource_class=catalog.ResourceClass.SPATIAL,
            open_type=open_type,
        )
        catalog.create_dataset(db, auth.Actor.system(), spec)


def test_groups_are_created_filled_and_read_with_ckanapi(
    live_server: str, packages: None, keys: dict[str, str]
) -> None:
    with (
        ckanapi.RemoteCKAN(live_server) as public,
        ckanapi.RemoteCKAN(live_server, apikey=keys["steward"]) as steward,
        ckanapi.RemoteCKAN(live_server, apikey=keys["analyst"]) as analyst,
        ckanapi.RemoteCKAN(live_server, apikey=keys["other"]) as other,
    ):
        created = steward.action.group_create(
            name="water-topic", title="水资源专题", description="防汛与供水"
        )
        assert (created["id"], created["type"], created["package_count"]) == (
            "group-water-topic",
            "group",
            0,
        )
        for package in ("water", "farms"):
            member = steward.action.member_create(
                id="water-topic", object=package, object_type="package", capacity="public"
            )
            assert member["table_name"] == "package"

        # group_list: the eight 6+N classes and the thematic group, counted as each caller sees.
        listed = public.action.group_list(all_fields=True)
        assert len(listed) == 9
        topic = next(g for g in listed if g["name"] == "water-topic")
        assert (topic["title"], topic["package_count"]) == ("水资源专题", 1)
        assert "water-topic" in public.action.group_list()
        assert (
            analyst.action.group_list(groups=["water-topic"], all_fields=True)[0]["package_count"]
            == 2
        )

        shown = steward.action.group_show(id="group-water-topic", include_datasets=True)
        assert [p["name"] for p in shown["packages"]] == ["farms", "water"]
        assert shown["description"] == "防汛与供水"
        assert [
            p["name"]
            for p in public.action.group_show(id="water-topic", include_datasets=True)["packages"]
        ] == ["water"]
        assert len(steward.action.member_list(id="water-topic")) == 2

        # A package shows its thematic groups beside its resource class; fq and facets see them.
        package = public.action.package_show(id="water")
        assert [g["name"] for g in package["groups"]] == ["spatial", "water-topic"]
        assert package["groups"][1]["title"] == "水资源专题"
        found = steward.action.package_search(
            fq="groups:water-topic", include_private=True, **{"facet.field": ["groups"]}
        )
        assert sorted(p["name"] for p in found["results"]) == ["farms", "water"]
        items = {i["name"]: i for i in found["search_facets"]["groups"]["items"]}
        assert (items["water-topic"]["count"], items["water-topic"]["display_name"]) == (
            2,
            "水资源专题",
        )
        assert public.action.package_search(fq="-groups:water-topic")["count"] == 0

        # ckanapi's round trip keeps the memberships: they are the group managers' to change.
        updated = steward.action.package_update(**package | {"title": "河道水位"})
        assert [g["name"] for g in updated["groups"]] == ["spatial", "water-topic"]
        patched = steward.action.package_patch(id="water", groups=[{"name": "water-topic"}])
        assert patched["groups"][0]["name"] == "spatial"

        # Only the group's department's stewards (and admins) change it.
        with pytest.raises(ckanapi.NotAuthorized):
            other.action.member_delete(id="water-topic", object="water", object_type="package")
        with pytest.raises(ckanapi.NotAuthorized):
            analyst.action.group_create(name="mine", title="我的")
        with pytest.raises(ckanapi.NotAuthorized):
            public.action.member_create(id="water-topic", object="water", object_type="package")
        steward.action.member_delete(id="water-topic", object="water", object_type="package")
        assert public.action.group_show(id="water-topic")["package_count"] == 0

        with pytest.raises(ckanapi.NotFound):
            public.action.group_show(id="no-such-group")
        with pytest.raises(ckanapi.ValidationError):
            steward.action.group_create(name="spatial", title="空间")
        with pytest.raises(ckanapi.ValidationError):
            steward.action.member_create(id="water-topic", object="water", object_type="user")
