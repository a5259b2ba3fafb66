"""Who may see, read and manage a dataset: the sharing rules (共享类型, 开放属性) as code.

- Metadata: every user sees the whole catalogue (the 目录 is how departments find data to share);
  the public sees datasets whose open type is open or conditional.
- Data: the owner department always; other departments by share type — 无条件共享 all,
  有条件共享 those holding a grant, 不予共享 none; anyone, public included, when the dataset is
  无条件开放.
- A grant may be limited to some columns: a reader who reads only through such a grant sees
  those columns and no others.
- Personal columns are masked for everyone outside the owner department.
- Management (metadata, uploads): the owner department's stewards, and admins.
"""

from __future__ import annotations

from collections.abc import Sequence

from cityhub.auth import Actor, Permission, Role
from cityhub.catalog.models import Dataset
from cityhub.catalog.vocab import OpenType, ShareType

PUBLIC_VISIBLE = (OpenType.OPEN.value, OpenType.CONDITIONAL.value)


def is_owner(actor: Actor, dataset: Dataset) -> bool:
    """Whether the actor belongs to the department that owns the dataset."""
    return actor.department_code is not None and actor.department_code == dataset.department.code


def can_see(actor: Actor, dataset: Dataset) -> bool:
    """Whether the dataset's catalogue entry is visible to the actor."""
    return actor.is_authenticated or dataset.open_type in PUBLIC_VISIBLE


def can_read(actor: Actor, dataset: Dataset, granted_departments: frozenset[str]) -> bool:
    """Whether the actor may read the dataset's rows (masked or not)."""
    if dataset.open_type == OpenType.OPEN.value or is_owner(actor, dataset):
        return True
    if not actor.is_authenticated or actor.role is Role.PUBLIC:
        return False
    if dataset.share_type == ShareType.UNCONDITIONAL.value:
        return True
    if dataset.share_type == ShareType.CONDITIONAL.value:
        return actor.department_code in granted_departments
    return False


def readable_columns(
    actor: Actor, dataset: Dataset, granted: Sequence[str] | None
) -> frozenset[str] | None:
    """The columns the actor may read (None: all), given the columns of its department's grant.

    Only a reader who reads through a grant is limited by it: the owner, readers of 无条件共享
    data and everyone reading 无条件开放 data see every column. Call it for readers only
    (``can_read`` true).
    """
    if dataset.open_type == OpenType.OPEN.value or is_owner(actor, dataset):
        return None
    if dataset.share_type != ShareType.CONDITIONAL.value or granted is None:
        return None
    return frozenset(granted)


def masks_personal_data(actor: Actor, dataset: Dataset) -> bool:
    """Whether personal columns are masked for this actor: everywhere outside the owner."""
    return not is_owner(actor, dataset)


def can_manage(actor: Actor, dataset: Dataset) -> bool:
    """Whether the actor may change the dataset's metadata and upload versions."""
    if actor.role is Role.ADMIN:
        return True
    return actor.can(Permission.DATASETS_PUBLISH) and is_owner(actor, dataset)
