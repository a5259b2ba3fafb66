"""JSON shapes of the API (``<Thing>Public`` out, ``<Thing>Create``/``<Thing>Update`` in)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cityhub.auth import Role


class ErrorBody(BaseModel):
    """The inside of the error envelope."""

    code: str = Field(description="Stable machine-readable error name.")
    message: str = Field(description="What went wrong, for people.")
    details: dict[str, Any] = Field(description="Where: field, row, column, limits.")


class ErrorEnvelope(BaseModel):
    """Every API error: ``{"error": {...}}``."""

    error: ErrorBody


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope} for status in (400, 401, 403, 404, 409, 429)
}


class DepartmentPublic(BaseModel):
    """A department as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    kind: str


class UserPublic(BaseModel):
    """A user as the API shows it (never the password hash)."""

    username: str
    display_name: str
    department: str = Field(description="Department code.")
    role: Role
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class UserCreate(BaseModel):
    """A new user."""

    username: str
    password: str = Field(min_length=1)
    department: str = Field(description="Department code, e.g. SLJ.")
    role: Role
    display_name: str | None = None


class UserUpdate(BaseModel):
    """Changes to a user; omitted fields stay as they are."""

    display_name: str | None = None
    department: str | None = None
    role: Role | None = None
    is_active: bool | None = None
    password: str | None = None


class Me(BaseModel):
    """The caller."""

    username: str
    role: Role
    department: str | None


class TokenCreate(BaseModel):
    """A token to create for oneself."""

    name: str = Field(description="What the token is for, e.g. 'nightly export'.")
    expires_in_days: int = Field(default=30, ge=1, le=3650)


class TokenPublic(BaseModel):
    """A token as listed: never its secret."""

    id: int
    name: str
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenIssued(TokenPublic):
    """A token just created; ``token`` is shown this once."""

    token: str


class AccessToken(BaseModel):
    """The OAuth2 token response of ``POST /api/auth/token`` (RFC 6749 section 5.1)."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class AuditEventPublic(BaseModel):
    """One audit row."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: datetime
    actor: str
    actor_department: str | None
    action: str
    object_type: str | None
    object_id: str | None
    client_address: str | None
    outcome: str
    details: dict[str, Any]


class AuditEventsPublic(BaseModel):
    """A page of audit rows, newest first."""

    data: list[AuditEventPublic]
    next_before_id: int | None = Field(description="Pass as before_id for the next page.")
