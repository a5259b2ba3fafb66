"""Create SensorThings entities: one entity, or a tree of them (deep insert), in one
transaction — a failure anywhere creates nothing (OGC 18-088 §10.2).

A nested object with ``@iot.id`` links the existing entity and ignores what else comes along
(frost-sta-client sends the full nested state); a missing id is InvalidInput "no such entity".
Server rules: an Observation without phenomenonTime gets now, without FeatureOfInterest the one
made from its Thing's Location; a Thing given Locations gets a HistoricalLocation; a
HistoricalLocation newer than all others of its Thing sets the Thing's Locations.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update

from cityhub.errors import InvalidInput, NotFound
from cityhub.sensing import access
from cityhub.sensing.models import (
    Datastream,
    HistoricalLocation,
    HistoricalLocationLocation,
    ThingLocation,
)
from cityhub.sensing.observations import NewObservation, insert_observations, refresh_latest
from cityhub.sensing.sta import values
from cityhub.sensing.sta.entities import ENTITY_TYPES, EntityType, Relation, entity_set
from cityhub.sensing.sta.validate import (
    at,
    derive_columns,
    invalid,
    link_id,
    property_values,
    split_body,
)
from cityhub.sensing.sta.write_context import WriteContext

ACTION = "sta.create"
Back = tuple[Relation, int]  # the new entity's relation to the entity it is created under


def inverse(owner: EntityType, relation: Relation) -> Relation:
    """The relation of ``relation``'s target that leads back to ``owner``."""
    for candidate in ENTITY_TYPES[relation.target].relations.values():
        if candidate.target != owner.set_name:
            continue
        if relation.shape == "link":
            if candidate.shape == "link" and candidate.link is relation.link:
                return candidate
        elif candidate.shape != "link" and candidate.column == relation.column:
            return candidate
    raise AssertionError(f"no inverse of {owner.name}.{relation.name}")  # pragma: no cover


def parent_back(context: WriteContext, set_name: str, parent: tuple[str, int, str]) -> Back:
    """The link to the parent of a POST to a navigation collection such as
    ``Datastreams(5)/Observations``; NotFound for an unknown or missing parent."""
    parent_set, parent_id, navigation = parent
    parent_type = entity_set(parent_set)
    relation = parent_type.relation(navigation)
    if relation.target != set_name or not relation.many:
        raise InvalidInput(
            f"cannot create a {ENTITY_TYPES[relation.target].name} under "
            f"{parent_type.name}/{navigation}: not a collection of {set_name}",
            details={"path": navigation},
        )
    if not context.exists(parent_set, parent_id):
        raise NotFound(
            f"no {parent_type.name} with id {parent_id}",
            details={"path": parent_set, "id": parent_id},
        )
    return inverse(parent_type, relation), parent_id


class Creator:
    """Creates one entity tree inside a ``WriteContext``."""

    def __init__(self, context: WriteContext) -> None:
        self.context = context
        self.session = context.session
        self.gathering: dict[int, set[int]] = {}  # new Thing → its Locations, set at once
        self.history_locations: dict[int, int] = {}  # new HistoricalLocation → # Locations

    def create(self, entity_type: EntityType, body: Any, path: str, back: Back | None) -> int:
        """Create the entity of ``body`` (and what it nests); its id."""
        split = split_body(entity_type, body, path)
        if back is not None and back[0].name in split.relations:
            raise invalid(f"{back[0].name} is given by the URL already", at(path, back[0].name))
        references: dict[str, int] = {}
        for relation in entity_type.relations.values():
            if relation.shape != "fk":
                continue
            if back is not None and relation is back[0]:
                references[relation.name] = back[1]
            elif relation.name in split.relations:
                value = split.relations[relation.name]
                references[relation.name] = self.reference(relation, value, at(path, relation.name))
            elif relation.required:
                raise invalid(
                    f"a {entity_type.name} needs a {relation.name}", at(path, relation.name)
                )
        columns = property_values(entity_type, split.properties, path, complete=True)
        derive_columns(entity_type, columns, path)
        for relation_name, target_id in references.items():
            columns[entity_type.relations[relation_name].column] = target_id
        if entity_type.name == "Observation":
            return self.observation(split.properties, columns, path)
        new_id = self.insert(entity_type, columns)
        for relation in entity_type.relations.values():
            if relation.shape == "fk":
                continue
            if back is not None and relation is back[0]:
                self.link(entity_type, relation, new_id, back[1])
            if relation.name in split.relations:
                self.collection(entity_type, relation, new_id, split.relations[relation.name], path)
            if entity_type.name == "Thing" and relation.name == "Locations":
                locations = self.gathering.pop(new_id)
                if locations:
                    self.context.set_locations(new_id, locations)
        if entity_type.name == "HistoricalLocation":
            self.check_history(new_id, columns, path)
        return new_id

    def reference(self, relation: Relation, value: Any, path: str) -> int:
        """The id of a to-one related entity: linked by ``@iot.id`` or created."""
        target = ENTITY_TYPES[relation.target]
        target_id = link_id(value, path)
        if target_id is None:
            return self.create(target, value, path, None)
        if not self.context.exists(target.set_name, target_id):
            raise invalid(f"no such entity: {target.name} {target_id}", path, id=target_id)
        return target_id

    def insert(self, entity_type: EntityType, columns: dict[str, Any]) -> int:
        """Check access, insert the row of a non-Observation entity, audit it; its id."""
        name = entity_type.name
        if name == "Thing":
            department_id = access.actor_department_id(self.session, self.context.actor)
            self.context.allow_department(department_id, ACTION, name)
            columns["department_id"] = department_id
        elif name in ("Datastream", "HistoricalLocation"):
            self.context.allow_things({columns["thing_id"]}, ACTION, name)
        else:
            self.context.allow_vocabulary(ACTION, name)
        row = entity_type.model(**columns)
        self.session.add(row)
        self.session.flush()
        new_id: int = row.id  # type: ignore[attr-defined]
        self.context.audit(ACTION, name, new_id)
        if name == "Thing":
            self.gathering[new_id] = set()
        elif name == "HistoricalLocation":
            self.history_locations[new_id] = 0
        return new_id

    def observation(self, given: dict[str, Any], columns: dict[str, Any], path: str) -> int:
        """Store an Observation through the ingest fast path (FoI, latest, ranges)."""
        datastream_id = columns["datastream_id"]
        thing_id, observation_type = self.session.execute(
            select(Datastream.thing_id, Datastream.observation_type).where(
                Datastream.id == datastream_id
            )
        ).one()
        self.context.allow_things({thing_id}, ACTION, "Observation")
        if "result" not in given:
            raise invalid("result is mandatory for an Observation", at(path, "result"))
        result = given["result"]
        if not values.result_fits(observation_type, result):
            raise invalid(
                f"result must be {values.expected_result(observation_type)} for this "
                "Datastream's observationType",
                at(path, "result"),
                observationType=observation_type,
            )
        feature_id = columns.get("feature_id")
        if feature_id is None and not self.session.scalar(
            select(func.count()).where(ThingLocation.thing_id == thing_id)
        ):
            raise invalid(
                "the Datastream's Thing has no Location to make a FeatureOfInterest from: give one",
                at(path, "FeatureOfInterest"),
            )
        row = NewObservation(
            datastream_id=datastream_id,
            phenomenon_time_start=columns["phenomenon_time_start"] or self.context.now,
            phenomenon_time_end=columns["phenomenon_time_end"],
            result=result,
            result_time=columns["result_time"],
            feature_id=feature_id,
            result_quality=columns["result_quality"],
            valid_time_start=columns["valid_time_start"],
            valid_time_end=columns["valid_time_end"],
            parameters=columns["parameters"],
        )
        stored = insert_observations(self.session, [row])[0]
        self.context.stored.append(stored)
        self.context.audit(ACTION, "Observation", stored.id)
        return stored.id

    def collection(
        self, owner: EntityType, relation: Relation, owner_id: int, items: Any, path: str
    ) -> None:
        """The to-many relation ``relation`` of a new entity: link or create each item."""
        here = at(path, relation.name)
        if not isinstance(items, list):
            raise invalid(f"{relation.name} must be a list", here)
        target = ENTITY_TYPES[relation.target]
        for index, item in enumerate(items):
            item_path = f"{here}[{index}]"
            target_id = link_id(item, item_path)
            if target_id is None:
                self.create(target, item, item_path, (inverse(owner, relation), owner_id))
                continue
            if not self.context.exists(target.set_name, target_id):
                raise invalid(f"no such entity: {target.name} {target_id}", item_path)
            if relation.shape == "link":
                self.link(owner, relation, owner_id, target_id)
            else:
                self.adopt(relation, owner_id, target.set_name, target_id)

    def adopt(self, relation: Relation, owner_id: int, set_name: str, target_id: int) -> None:
        """Point an existing entity's to-one relation at a new owner (e.g. an existing
        Datastream listed under a new Thing's Datastreams)."""
        self.context.allow_existing(set_name, target_id, ACTION)
        model = ENTITY_TYPES[set_name].model
        moved_from: set[int] = set()
        if set_name == "Observations":
            moved_from = set(
                self.session.scalars(
                    select(model.datastream_id).where(model.id == target_id)  # type: ignore[attr-defined]
                )
            )
        self.session.execute(
            update(model).where(model.id == target_id).values({relation.column: owner_id})  # type: ignore[attr-defined]
        )
        if set_name == "Observations" and relation.column == "datastream_id":
            refresh_latest(self.session, moved_from | {owner_id})

    def link(self, owner: EntityType, relation: Relation, owner_id: int, other_id: int) -> None:
        """Link the new entity ``owner_id`` to ``other_id`` through a link table."""
        if owner.name == "Thing":  # Thing.Locations: gathered, set when all are known
            self.gathering[owner_id].add(other_id)
        elif owner.name == "Location" and relation.name == "Things":
            self.context.allow_things({other_id}, ACTION, "Thing")
            if other_id in self.gathering:
                self.gathering[other_id].add(owner_id)
            else:
                self.context.set_locations(other_id, {owner_id})
        else:
            if owner.name == "HistoricalLocation":
                history_id, location_id = owner_id, other_id
            else:  # Location.HistoricalLocations: an existing HistoricalLocation
                history_id, location_id = other_id, owner_id
                self.context.allow_existing("HistoricalLocations", history_id, ACTION)
            self.session.execute(
                insert(HistoricalLocationLocation).values(
                    historical_location_id=history_id, location_id=location_id
                )
            )
            if history_id in self.history_locations:
                self.history_locations[history_id] += 1

    def check_history(self, history_id: int, columns: dict[str, Any], path: str) -> None:
        """A HistoricalLocation needs Locations; the newest of its Thing sets the Thing's."""
        if not self.history_locations.pop(history_id):
            raise invalid("a HistoricalLocation needs at least one Location", at(path, "Locations"))
        thing_id = columns["thing_id"]
        later = self.session.scalar(
            select(func.count()).where(
                HistoricalLocation.thing_id == thing_id,
                HistoricalLocation.time > columns["time"],
            )
        )
        if not later:
            locations = set(
                self.session.scalars(
                    select(HistoricalLocationLocation.location_id).where(
                        HistoricalLocationLocation.historical_location_id == history_id
                    )
                )
            )
            self.context.replace_locations(thing_id, locations)


def create_in(
    context: WriteContext, set_name: str, body: Any, parent: tuple[str, int, str] | None
) -> int:
    """Create the entity of ``body`` in ``set_name`` (under ``parent``) within ``context``."""
    entity_type = entity_set(set_name)
    back = parent_back(context, set_name, parent) if parent is not None else None
    return Creator(context).create(entity_type, body, "", back)
