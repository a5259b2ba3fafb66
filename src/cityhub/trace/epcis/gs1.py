"""GS1 identifiers of lots, serialised items and containers, in canonical Digital Link form.

A batch is an LGTIN ``https://id.gs1.org/01/<GTIN-14>/10/<lot>``, a container an SSCC
``https://id.gs1.org/00/<SSCC-18>``. EPC URNs and Digital Link URIs on any host (for example
our own resolver, ``<public_url>/01/<GTIN>/10/<lot>``) are accepted and converted.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from cityhub.trace.epcis.digital_link import canonical_gs1
from cityhub.trace.epcis.epc_urn import urn_to_dl
from cityhub.trace.epcis.errors import EpcisError

GS1_DL = "https://id.gs1.org/"
# GS1 AI encodable character set 82 (GS1 General Specifications §7.11, figure 7.11-1).
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")
# Characters a canonical lot or serial keeps literal; the rest is %-escaped in upper-case hex.
# The set matches what the reference event hash produces from EPC URNs, so an identifier
# written either way ends up as the same string.
_LITERAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._';=")
_FIXED_LENGTH_KEYS = {"00": 18, "01": 14, "414": 13, "417": 13, "402": 17, "8017": 18, "8018": 18}


def check_digit(digits: str) -> str:
    """GS1 mod-10 check digit for a key written without it (General Specifications §7.9.1)."""
    total = sum(int(ch) * (3 if i % 2 == 0 else 1) for i, ch in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _check_digit_ok(key: str) -> bool:
    return key.isascii() and key.isdigit() and len(key) > 1 and check_digit(key[:-1]) == key[-1]


def gtin_valid(gtin: str) -> bool:
    """True for a GTIN-8, -12, -13 or -14 whose check digit is right."""
    return len(gtin) in (8, 12, 13, 14) and _check_digit_ok(gtin)


def _invalid(value: str, reason_zh: str, reason_en: str) -> EpcisError:
    return EpcisError(
        f"not a valid GS1 identifier: {value!r} ({reason_en})",
        rule="identifier_not_gs1",
        reason_zh=reason_zh,
        reason_en=reason_en,
        details={"value": value},
    )


def _gtin14(gtin: str) -> str:
    if not gtin_valid(gtin):
        raise _invalid(gtin, "GTIN 长度或校验位错误", "GTIN length or check digit is wrong")
    return gtin.zfill(14)


def _encode(value: str, what: str) -> str:
    if not _CSET82.match(value):
        raise _invalid(
            value,
            f"{what}须为 1–20 个 GS1 字符集 82 中的字符",
            f"a {what} must be 1-20 characters of GS1 character set 82",
        )
    return "".join(ch if ch in _LITERAL else f"%{ord(ch):02X}" for ch in value)


def lgtin_uri(gtin: str, lot: str) -> str:
    """The canonical Digital Link URI of a lot: ``https://id.gs1.org/01/<GTIN-14>/10/<lot>``."""
    return f"{GS1_DL}01/{_gtin14(gtin)}/10/{_encode(lot, 'lot')}"


def sscc_uri(sscc: str) -> str:
    """The canonical Digital Link URI of an SSCC-18 (check digit included)."""
    if len(sscc) != 18 or not _check_digit_ok(sscc):
        raise _invalid(
            sscc, "SSCC 须为 18 位且校验位正确", "an SSCC has 18 digits and a valid check digit"
        )
    return f"{GS1_DL}00/{sscc}"


def parse_lgtin(uri: str) -> tuple[str, str]:
    """(GTIN-14, lot) of an LGTIN in any accepted form; EpcisError if it is not an LGTIN."""
    canonical = normalise_id(uri)
    match = re.fullmatch(r"https://id\.gs1\.org/01/(\d{14})/10/([^/]+)", canonical)
    if match is None:
        raise _invalid(uri, "不是批次标识（LGTIN）", "not a lot identifier (LGTIN)")
    return match.group(1), unquote(match.group(2))


def _gtin_path(segments: list[str]) -> str | None:
    """Canonical form of ``…/01/<gtin>[/22/<cpv>][/10/<lot>][/21/<serial>]``, or None."""
    names = {"gtin": "01", "cpv": "22", "lot": "10", "ser": "21"}
    starts = [i for i, s in enumerate(segments) if s in ("01", "gtin")]
    if not starts:
        return None
    parts = segments[starts[0] :]
    if len(parts) % 2:
        raise _invalid(
            "/".join(segments), "Digital Link 路径不完整", "incomplete Digital Link path"
        )
    keys = [names.get(s, s) for s in parts[0::2]]
    pairs = dict(zip(keys, parts[1::2], strict=True))
    if set(pairs) - {"01", "22", "10", "21"}:
        return None  # another qualifier (e.g. 235): leave it to the reference normaliser
    gtin = _gtin14(pairs["01"])
    if "21" in pairs:
        return f"{GS1_DL}01/{gtin}/21/{_encode(unquote(pairs['21']), 'serial')}"
    if "10" in pairs:
        return f"{GS1_DL}01/{gtin}/10/{_encode(unquote(pairs['10']), 'lot')}"
    return f"{GS1_DL}01/{gtin}"


def _strict_check(canonical: str) -> None:
    """Verify the check digit of fixed-length numeric keys, which the reference skips."""
    ai, _, rest = canonical[len(GS1_DL) :].partition("/")
    length = _FIXED_LENGTH_KEYS.get(ai)
    key = rest.split("/", 1)[0]
    if length is not None and (len(key) != length or not _check_digit_ok(key)):
        raise _invalid(canonical, "校验位错误", f"wrong check digit in AI ({ai})")


def normalise_id(value: str) -> str:
    """Canonical ``https://id.gs1.org/…`` form of an EPC URN or a Digital Link on any host.

    >>> normalise_id("urn:epc:class:lgtin:4012345.012345.998877")
    'https://id.gs1.org/01/04012345123456/10/998877'
    """
    if not isinstance(value, str) or not value:
        raise _invalid(str(value), "标识须为非空字符串", "an identifier is a non-empty string")
    return _normalise(value)


@lru_cache(maxsize=1 << 16)  # the same lots appear in event after event; errors are not cached
def _normalise(value: str) -> str:
    if value.startswith("urn:"):
        canonical = urn_to_dl(value)
        if canonical is None:
            raise _invalid(value, "无法识别的 EPC URN", "not a recognised EPC URN")
        # Re-encode lots and serials so %-escapes come out the same however the URN wrote them.
        value = canonical
    if value.startswith(("https://", "http://")):
        parts = urlsplit(value)
        segments = [s for s in parts.path.split("/") if s]
        canonical = _gtin_path(segments)
        if canonical is None:
            canonical = canonical_gs1(f"https://id.gs1.org{parts.path}")
        if canonical is None:
            raise _invalid(
                value, "无法识别的 GS1 数字链接", "not a recognised GS1 Digital Link URI"
            )
        _strict_check(canonical)
        return canonical
    raise _invalid(
        value, "须为 GS1 数字链接或 EPC URN", "expected a GS1 Digital Link URI or an EPC URN"
    )
