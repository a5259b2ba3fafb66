"""Identifiers of the base databases: 公民身份号码 (GB 11643), 统一社会信用代码 (GB 32100)."""

from cityhub.registry.codes import (
    CREDIT_ALPHABET,
    credit_code_check,
    id_number_check,
)

__all__ = ["CREDIT_ALPHABET", "credit_code_check", "id_number_check"]
