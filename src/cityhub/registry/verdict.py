"""What a validator answers: valid or not, the normalised value, and why (Chinese and English)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Verdict:
    """The answer of ``validate(kind, value)``.

    ``normalised`` is the canonical form of the value (half-width, trimmed, upper-case check
    characters, ISO dates) whenever the value has the shape of its kind, even if a check then
    fails; None when it cannot be normalised. ``reason_zh``/``reason_en`` name the first problem
    found and are None for a valid value; ``details`` carries what was read from the value
    (region name, birth date, organisation type …).

    >>> Verdict(True, "252000").valid
    True
    """

    valid: bool
    normalised: str | None
    reason_zh: str | None = None
    reason_en: str | None = None
    details: dict[str, str] = field(default_factory=dict)


def accept(normalised: str, **details: str) -> Verdict:
    """A valid value."""
    return Verdict(True, normalised, None, None, details)


def reject(zh: str, en: str, normalised: str | None = None, **details: str) -> Verdict:
    """An invalid value, with the reason in Chinese and English."""
    return Verdict(False, normalised, zh, en, details)
