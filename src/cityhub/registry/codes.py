"""Check characters of Chinese identifiers, computed from the first 17 characters.

- 公民身份号码, GB 11643-1999: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 indexes
  "10X98765432".
- 统一社会信用代码, GB 32100-2015: characters 0-9 A-H J-N P-R T U W-Y (31 of them, no I O Z S V),
  weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, check = 31 - (sum mod 31), 31 → 0.
"""

from __future__ import annotations

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_number_check(body: str) -> str:
    """The 18th character of an ID number whose first 17 digits are ``body``."""
    if len(body) != 17 or not body.isdigit() or not body.isascii():
        raise ValueError("an ID number body is 17 ASCII digits")
    return ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def credit_code_check(body: str) -> str:
    """The 18th character of a unified social credit code whose first 17 characters are ``body``."""
    if len(body) != 17 or any(c not in CREDIT_ALPHABET for c in body):
        raise ValueError("a credit code body is 17 characters of 0-9 and A-Y without I O S V Z")
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]
