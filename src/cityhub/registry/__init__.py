"""Identifiers and codes of the base databases: validators, normalisers and their SQL forms.

- ``codes``: check characters of 公民身份号码 (GB 11643) and 统一社会信用代码 (GB 32100).
- ``validators``: ``validate(kind, value) -> Verdict`` for the ``KINDS``.
- ``normalise``: full-width → half-width, trimming, collapsing spaces, upper-casing, dates.
- ``sql``: the same checks and steps as DuckDB expressions (``valid_sql``, ``normalise_sql``).
- ``regions``: the GB/T 2260 行政区划代码 table shipped with the package.
"""

from cityhub.registry.codes import (
    CREDIT_ALPHABET,
    credit_code_check,
    id_number_check,
)
from cityhub.registry.normalise import STEPS, apply_steps, clean_text, normalise_date, to_halfwidth
from cityhub.registry.regions import Region, region
from cityhub.registry.sql import normalise_sql, valid_sql
from cityhub.registry.validators import KINDS, Verdict, validate

__all__ = [
    "CREDIT_ALPHABET",
    "KINDS",
    "STEPS",
    "Region",
    "Verdict",
    "apply_steps",
    "clean_text",
    "credit_code_check",
    "id_number_check",
    "normalise_date",
    "normalise_sql",
    "region",
    "to_halfwidth",
    "valid_sql",
    "validate",
]
