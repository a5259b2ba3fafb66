"""Column names from a file's header: cleaned, checked, and turned into safe identifiers."""

from __future__ import annotations

import re
import unicodedata

from cityhub.errors import InvalidInput

MAX_NAME = 63  # PostgreSQL's identifier limit; Chinese headers count characters, not bytes
_UNSAFE = re.compile(r"[^0-9a-z_\u4e00-\u9fff]+")


def clean_label(raw: object) -> str:
    """A header cell as people wrote it: NFKC-normalised (full-width → half-width), trimmed."""
    text = "" if raw is None else str(raw)
    return unicodedata.normalize("NFKC", text).strip().lstrip("\ufeff")


def column_name(label: str) -> str:
    """A SQL-safe column name for a label: lower case, '_' for anything else, Chinese kept."""
    name = _UNSAFE.sub("_", label.lower()).strip("_")
    if not name or name[0].isdigit():
        name = f"c_{name}"
    return name[:MAX_NAME]


def check_headers(raw: list[object], *, file: str) -> tuple[list[str], list[str]]:
    """Labels and unique column names for a header row; empty or duplicate labels are errors.

    Returns ``(labels, names)``. The error names the file and the 1-based column.
    """
    labels = [clean_label(cell) for cell in raw]
    if not labels:
        raise InvalidInput(f"{file}: the file has no header row", details={"file": file, "row": 1})
    seen: dict[str, int] = {}
    for index, label in enumerate(labels, start=1):
        if not label:
            raise InvalidInput(
                f"{file}: column {index} of the header is empty",
                details={"file": file, "row": 1, "column": index},
            )
        if label in seen:
            raise InvalidInput(
                f"{file}: column {index} repeats the header {label!r} of column {seen[label]}",
                details={"file": file, "row": 1, "column": index, "header": label},
            )
        seen[label] = index
    names: list[str] = []
    for label in labels:
        name = base = column_name(label)
        suffix = 2
        while name in names:  # '人口(2020)' and '人口 2020' both give '人口_2020'
            name = f"{base[: MAX_NAME - 4]}_{suffix}"
            suffix += 1
        names.append(name)
    return labels, names
