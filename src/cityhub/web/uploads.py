"""Uploaded files: streamed to a temporary file under the data directory, with a size limit."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from cityhub.config import Settings
from cityhub.errors import InvalidInput

CHUNK = 1 << 20


@contextmanager
def saved_upload(upload: UploadFile, settings: Settings) -> Iterator[Path]:
    """The upload as a file on disk for the duration of the block; removed afterwards."""
    folder = settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    limit = settings.max_upload_mb << 20
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".upload") as target:
        path = Path(target.name)
        try:
            written = 0
            while chunk := upload.file.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise InvalidInput(
                        f"the file is larger than {settings.max_upload_mb} MB",
                        details={"file": upload.filename, "limit_mb": settings.max_upload_mb},
                    )
                target.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
