"""Message catalogs: UI strings live in ``locales/<lang>.json`` and ``locales/<area>/<lang>.json``.

Each area of the platform (governance, sensing …) keeps its own catalog file beside the shared one,
so that the files stay small; an id defined twice is a mistake and fails loudly. Chinese is the
default.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import Request

LOCALES = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "zh-CN"
LANGUAGES = ("zh-CN", "en")
LANGUAGE_COOKIE = "cityhub_lang"


@cache
def catalog(language: str) -> dict[str, str]:
    """The messages of one language, keyed by message id."""
    messages: dict[str, str] = {}
    for path in [LOCALES / f"{language}.json", *sorted(LOCALES.glob(f"*/{language}.json"))]:
        with path.open(encoding="utf-8") as handle:
            part: dict[str, str] = json.load(handle)
        twice = messages.keys() & part.keys()
        if twice:
            raise ValueError(f"{path}: message ids defined twice: {sorted(twice)}")
        messages.update(part)
    return messages


def language_of(request: Request) -> str:
    """The language chosen by the toggle (a cookie), else Chinese."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


class Translator:
    """Looks messages up in one language; a missing id shows as itself, so it is seen and fixed."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._messages = catalog(language)

    def __call__(self, message_id: str, **values: object) -> str:
        text = self._messages.get(message_id, message_id)
        return text.format(**values) if values else text
