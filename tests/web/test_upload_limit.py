"""A dataset upload larger than CITYHUB_MAX_UPLOAD_MB is refused while it streams, leaving no
version and no file behind."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cityhub import auth, catalog
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.web import create_app
from tests.conftest import ADMIN_PASSWORD, People, token_for


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(
    settings: Settings, db: Database, people: People
) -> None:
    spec = catalog.DatasetSpec(name="water", title="河道水位", department="SLJ")
    catalog.create_dataset(db, auth.Actor.system(), spec)
    app = create_app(settings.model_copy(update={"max_upload_mb": 1}), db)
    body = b"station,level\n" + b"liaocheng,32.5\n" * 110_000  # 1.6 MiB
    with TestClient(app) as client:
        admin = token_for(client, people.admin, ADMIN_PASSWORD)
        answer = client.post(
            "/api/datasets/water/versions",
            files={"file": ("water.csv", body, "text/csv")},
            headers=admin,
        )
        versions = client.get("/api/datasets/water/versions", headers=admin).json()
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["details"] == {"file": "water.csv", "limit_mb": 1}
    assert "larger than 1 MB" in error["message"]
    assert versions == []
    assert list((settings.data_dir / "uploads").glob("*")) == []
