"""Reading the sources of a run under the sharing rules, unmasked where linking is allowed.

Every source goes through ``pool.service.readable``, so a source the actor may not read is
refused (and the refusal audited) exactly as a row read would be. Masked values would not match
anything, so columns marked personal are read in the clear, and that only for the owner
department (whose view is unmasked anyway) and for admins; a steward of another department who
maps a personal column is refused, naming the columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from cityhub import audit
from cityhub.auth import Actor, Role
from cityhub.errors import InvalidInput, PermissionDenied
from cityhub.linking.features import Kind
from cityhub.linking.records import SourceFiles
from cityhub.linking.spec import SourceSpec
from cityhub.pool.service import Pool, Readable, readable

ACTION = "linking.run"


@dataclass(frozen=True)
class Source:
    """A source as the run reads it: the spec, the version read, and its files."""

    spec: SourceSpec
    readable: Readable

    @property
    def name(self) -> str:
        """The dataset's name."""
        return self.readable.dataset.name

    def files(self, kind: Kind) -> SourceFiles:
        """The source for the linker."""
        return SourceFiles(self.name, self.readable.relation.files, self.spec.columns(kind))

    def record(self) -> dict[str, object]:
        """How the run remembers it."""
        return {
            "dataset": self.name,
            "version": self.readable.version.number,
            "requested_version": self.spec.version,
            "columns": self.spec.mapping(),
        }


def _check_columns(actor: Actor, spec: SourceSpec, source: Readable) -> None:
    name = source.dataset.name
    wanted = list(spec.mapping().values())
    schema = {c["name"] for c in source.version.schema}
    absent = [c for c in wanted if c not in schema]
    if absent:
        raise InvalidInput(
            f"dataset {name!r} version {source.version.number} has no column {absent[0]!r}",
            details={"dataset": name, "column": absent[0]},
        )
    hidden = [c for c in wanted if c not in source.types]
    if hidden:
        raise PermissionDenied(
            f"column {hidden[0]!r} of {name!r} is not among the columns granted to your department",
            details={"dataset": name, "column": hidden[0]},
        )
    personal = {c.name for c in source.dataset.columns if c.personal}
    clear = [c for c in wanted if c in personal]
    if clear and source.masked and actor.role is not Role.ADMIN:
        raise PermissionDenied(
            f"columns {', '.join(clear)} of {name!r} are personal: only its owner department "
            f"({source.dataset.department.code}) or an admin may link on them",
            details={"dataset": name, "columns": clear},
        )


def load(pool: Pool, actor: Actor, specs: list[SourceSpec]) -> list[Source]:
    """Every source the actor may link, or the first refusal (audited)."""
    sources = []
    for spec in specs:
        source = readable(pool, actor, spec.dataset, spec.version, ACTION)
        try:
            _check_columns(actor, spec, source)
        except PermissionDenied:
            audit.deny(pool.db, actor, ACTION, object_type="dataset", object_id=source.dataset.name)
            raise
        sources.append(Source(spec, source))
    return sources
