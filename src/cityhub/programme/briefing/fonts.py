"""The CJK face the briefing PDF embeds: Noto Sans CJK SC from the ``noto-cjk-sans-otc`` wheel.

The wheel (SIL Open Font License 1.1, 15 MB) carries one OpenType collection of ten faces with
CFF outlines; the Simplified Chinese face is found by its family name rather than by position,
so a reordered collection does not silently switch the PDF to Japanese glyph forms. fpdf2
embeds only the glyphs a document uses (a subset), so a briefing stays small.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]

FONT_PACKAGE = "noto_cjk_sans_otc"
FONT_FILE = "NotoSansCJK-Regular.ttc"
FAMILY = "Noto Sans CJK SC"
LICENCE = "SIL Open Font License 1.1"


@dataclass(frozen=True)
class CjkFont:
    """A face inside a font collection file."""

    path: Path
    face: int  # index in the collection
    family: str


@cache
def cjk_font() -> CjkFont:
    """The Simplified Chinese face of the shipped Noto Sans CJK collection."""
    path = Path(str(resources.files(FONT_PACKAGE).joinpath(FONT_FILE)))
    collection = TTCollection(str(path), lazy=True)
    try:
        for index, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == FAMILY:
                return CjkFont(path, index, FAMILY)
    finally:
        collection.close()
    raise LookupError(f"{path} has no face named {FAMILY!r}")
