"""Group actions: the 6+N system as CKAN groups.

The six base databases and the two other resource classes are groups without members of their
own (a package's resource class puts it in one); thematic groups (主题库) are the catalogue's
``cityhub.catalog.groups``, with members chosen by their department's stewards through
``member_create`` and ``member_delete`` (or ``/api/groups``). Both kinds share one name space and
one id form, ``group-<name>``.
"""

from __future__ import annotations

from typing import Any

from cityhub import catalog
from cityhub.catalog import groups
from cityhub.errors import InvalidInput, NotFound
from cityhub.web.ckan.envelope import Call, action, required
from cityhub.web.ckan.organizations import listing, packages_in, visible_counts
from cityhub.web.ckan.packages import package_of
from cityhub.web.ckan.params import as_bool, as_text
from cityhub.web.ckan.shapes import group_dict, group_of, thematic_group_dict


@action(reads=True)
def group_list(call: Call, data: dict[str, Any]) -> list[Any]:
    """Groups (the 6+N resource classes and the thematic groups): names, or dicts (all_fields)."""
    counts = visible_counts(call, "resource_class")
    entries = [group_dict(c, counts.get(c.value, 0)) for c in catalog.ResourceClass]
    entries += [thematic_group_dict(g, n) for g, n in groups.list_groups(call.db, call.actor)]
    return listing(data, entries, "groups")


@action(reads=True)
def group_show(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """A group by id or name; include_datasets lists its packages (those the caller may see)."""
    reference = required(data, "id")
    resource_class = group_of(reference)
    wanted = as_bool(data.get("include_datasets"), "include_datasets")
    if resource_class is not None:
        count = visible_counts(call, "resource_class").get(resource_class.value, 0)
        result = group_dict(resource_class, count)
        if wanted:
            result["packages"] = packages_in(call, "resource_class", resource_class.value)
        return result
    try:
        view = groups.get_group(call.db, call.actor, reference)
    except NotFound:
        raise NotFound(f"no group {reference!r}", details={"id": reference}) from None
    result = thematic_group_dict(view.group, len(view.datasets))
    if wanted:
        result["packages"] = [package_of(call, d) for d in view.datasets]
    return result


@action(reads=False)
def group_create(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Create a thematic group managed by the caller's department (stewards, admins)."""
    spec = groups.GroupSpec(
        name=required(data, "name"),
        title=as_text(data.get("title")) or required(data, "name"),
        description=as_text(data.get("description")),
    )
    return thematic_group_dict(groups.create_group(call.db, call.actor, spec), 0)


def _member_target(data: dict[str, Any]) -> tuple[str, str]:
    object_type = as_text(data.get("object_type")) or "package"
    if object_type != "package":
        raise InvalidInput(
            "object_type: only packages are members of groups", details={"field": "object_type"}
        )
    return required(data, "id"), required(data, "object")


@action(reads=False)
def member_create(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Put a package (``object``) in a thematic group (``id``); the group's managers."""
    group_name, package = _member_target(data)
    groups.add_dataset(call.db, call.actor, group_name, package)
    dataset = catalog.get_dataset(call.db, call.actor, package)
    view = groups.get_group(call.db, call.actor, group_name)
    return {
        "id": f"member-{view.group.name}-{dataset.uuid}",
        "group_id": f"group-{view.group.name}",
        "table_id": dataset.uuid,
        "table_name": "package",
        "capacity": as_text(data.get("capacity")) or "public",
        "state": "active",
    }


@action(reads=False)
def member_delete(call: Call, data: dict[str, Any]) -> None:
    """Take a package (``object``) out of a thematic group (``id``); the group's managers."""
    group_name, package = _member_target(data)
    groups.remove_dataset(call.db, call.actor, group_name, package)


@action(reads=True)
def member_list(call: Call, data: dict[str, Any]) -> list[list[str]]:
    """The packages of a thematic group as CKAN's (id, type, capacity) triples."""
    view = groups.get_group(call.db, call.actor, required(data, "id"))
    return [[d.uuid, "package", "public"] for d in view.datasets]
