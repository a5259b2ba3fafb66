"""EPC URNs (``urn:epc:id:…``, ``urn:epc:class:lgtin:…``, ``urn:epc:idpat:…``) to GS1 Digital Link.

A port of the URN half of ``dl_normaliser.normaliser`` in RalphTro/epcis-event-hash-generator
(MIT, the reference implementation of the CBV 2.0 event hash). The regular expressions are
kept character for character (``tests/trace/epcis/test_epc_urn.py`` compares them with the
reference source), because the event hash must canonicalise identifiers exactly as the
reference does, quirks included (for example a 12-digit company prefix never matches the
GRAI pattern).
"""

from __future__ import annotations

import re
from collections.abc import Callable

DL = "https://id.gs1.org/"

# One character of an EPC URN serial: a permitted %-escape or a literal (TDS §6.3, "xkey").
_SER = (
    r"(\%2[125-9A-Fa-f]|\%3[0-9A-Fa-f]|\%4[1-9A-Fa-f]|\%5[0-9AaFf]|\%6[1-9A-Fa-f]"
    r"|\%7[0-9Aa]|[!\')(*+,.0-9:;=A-Za-z_-])"
)
_CPI = r"(\%2[3dfDF]|\%3[0-9]|\%4[1-9A-Fa-f]|\%5[0-9Aa]|[0-9A-Z-])"


def _split(total: int, sep: str = r"\.", digit: str = r"\d", last: str = "") -> str:
    """Alternatives "company prefix (6..12 digits) . reference" whose lengths add up to total."""
    parts = []
    for cp in range(6, 13):
        rest = total - cp
        ref = f"{digit}{{{rest}}}" if rest > 0 else ""
        if rest == 0 and last:
            ref = last
        parts.append(f"({digit}{{{cp}}}{sep}{ref})")
    return "(" + "|".join(parts) + ")"


def _split_end(total: int, digit: str) -> str:
    """Like _split, each alternative anchored with ``$`` (the SSCC, GSRN and GSIN style)."""
    alts = "|".join(f"({digit}{{{cp}}}\\.{digit}{{{total - cp}}}$)" for cp in range(6, 13))
    return "(" + alts + ")"


def _split_var(digit: str, char: str, total: int, wrap: bool = True) -> str:
    """Company prefix then a variable-length reference of up to total - len(prefix) chars."""
    alts = []
    for cp in range(6, 13):
        alt = f"{digit}{{{cp}}}\\.{char}{{1,{total - cp}}}"
        alts.append(f"({alt})" if wrap else alt)
    return "(" + "|".join(alts) + ")"


_GTIN = _split(13)  # company prefix + indicator/item reference = 13 digits
_GTIN_B = _split(13, digit=r"[\d]")
_GLN = _split(12, last="")  # 12-digit prefix leaves an empty location reference
_GLN_B = _split(12, digit=r"[\d]")
_GLN_DD = _split(12, digit=r"[\d]", last=r"\.")  # the reference writes 12 digits as "\.\."


def _cd(digits: str) -> str:
    """GS1 mod-10 check digit of a key written without its check digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def _enc(value: str) -> str:
    """The reference's percent-encoding of characters an EPC URN leaves literal."""
    for ch, esc in (("!", "%21"), ("(", "%28"), (")", "%29"), ("*", "%2A"), ("+", "%2B")):
        value = value.replace(ch, esc)
    return value.replace(",", "%2C").replace(":", "%3A")


def _gtin(uri: str, start: int) -> str:
    dot = uri.index(".")
    cp = uri[start:dot]
    ref = uri[dot + 1 : dot + 1 + 13 - len(cp)]
    raw = ref[:1] + cp + ref[1:]
    return raw + _cd(raw)


def _gln(uri: str, start: int) -> str:
    dot = uri.index(".")
    cp = uri[start:dot]
    raw = cp + uri[dot + 1 : dot + 1 + 12 - len(cp)]
    return raw + _cd(raw)


def _sgtin(u: str) -> str:
    return f"{DL}01/{_gtin(u, 17)}/21/{_enc(u[32:])}"


def _sscc(u: str) -> str:
    dot = u.index(".")
    raw = u[dot + 1 : dot + 2] + u[16:dot] + u[dot + 2 :]
    return f"{DL}00/{raw}{_cd(raw)}"


def _sgln(u: str) -> str:
    ext = u[30:]
    return f"{DL}414/{_gln(u, 16)}" + ("" if ext == "0" else f"/254/{_enc(ext)}")


def _grai(u: str, start: int = 16, serial: bool = True) -> str:
    dot = u.index(".")
    cp = u[start:dot]
    raw = "0" + cp + u[dot + 1 : dot + 1 + 12 - len(cp)]
    return f"{DL}8003/{raw}{_cd(raw)}" + (_enc(u[30:]) if serial else "")


def _giai(u: str) -> str:
    dot = u.index(".")
    return f"{DL}8004/{u[16:dot]}{_enc(u[dot + 1 :])}"


def _plain(ai: str, start: int) -> Callable[[str], str]:
    """Keys made of prefix and reference digits plus a check digit (GSRN, GSRN-P, GSIN)."""

    def build(u: str) -> str:
        dot = u.index(".")
        raw = u[start:dot] + u[dot + 1 :]
        return f"{DL}{ai}/{raw}{_cd(raw)}"

    return build


def _gdti(u: str, start: int = 16, serial: bool = True) -> str:
    return f"{DL}253/{_gln(u, start)}" + (_enc(u[30:]) if serial else "")


def _cpi(u: str, start: int = 15, serial: bool = True) -> str:
    dot, sep = u.index("."), u.rindex(".")
    raw = _enc(u[start:dot] + u[dot + 1 : sep])
    return f"{DL}8010/{raw}" + (f"/8011/{u[sep + 1 :]}" if serial else "")


def _sgcn(u: str, start: int = 16, serial: bool = True) -> str:
    return f"{DL}255/{_gln(u, start)}" + (u[30:] if serial else "")


def _ginc(u: str) -> str:
    dot = u.index(".")
    return f"{DL}401/{u[16:dot]}{_enc(u[dot + 1 :])}"


def _itip(u: str) -> str:
    gtin = _gtin(u, 16)
    return f"{DL}8006/{gtin}{u[31:33]}{u[34:36]}/21/{_enc(u[37:])}"


def _itip_pat(u: str) -> str:
    return f"{DL}8006/{_gtin(u, 19)}{u[34:36]}{u[37:39]}"


def _upui(u: str) -> str:
    return f"{DL}01/{_gtin(u, 16)}/235/{_enc(u[31:])}"


def _pgln(u: str) -> str:
    return f"{DL}417/{_gln(u, 16)}"


def _lgtin(u: str) -> str:
    return f"{DL}01/{_gtin(u, 20)}/10/{_enc(u[35:])}"


_D = r"[\d]"
_RULES: tuple[tuple[str, Callable[[str], str]], ...] = (
    (r"^urn:epc:id:sgtin:" + _GTIN + r"\." + _SER + "{1,20}$", _sgtin),
    (r"^urn:epc:id:sscc:" + _split_end(17, r"\d"), _sscc),
    (r"^urn:epc:id:sgln:" + _GLN + r"\." + _SER + "{1,20}$", _sgln),
    (r"^urn:epc:id:grai:" + _GLN_DD + r"\." + _SER + "{1,16}$", _grai),
    (r"^urn:epc:id:giai:" + _split_var(_D, _SER, 30) + "$", _giai),
    (r"^urn:epc:id:gsrn:" + _split_end(17, _D), _plain("8018", 16)),
    (r"^urn:epc:id:gsrnp:" + _split_end(17, _D), _plain("8017", 17)),
    (r"^urn:epc:id:gdti:" + _GLN_DD + _SER + "{1,20}$", _gdti),
    (r"^urn:epc:id:cpi:" + _split_var(r"\d", _CPI, 30) + r"\.[\d]{1,12}$", _cpi),
    (r"^urn:epc:id:sgcn:" + _GLN_B + r"\.[\d]{1,12}$", _sgcn),
    (r"^urn:epc:id:ginc:" + _split_var(_D, _SER, 30, wrap=False) + "$", _ginc),
    (r"^urn:epc:id:gsin:" + _split_end(16, _D), _plain("402", 16)),
    (r"^urn:epc:id:itip:" + _GTIN_B + r"\.[\d]{2}\.[\d]{2}\." + _SER + "{1,20}$", _itip),
    (r"^urn:epc:id:upui:" + _GTIN + r"\." + _SER + "{1,28}$", _upui),
    (r"^urn:epc:id:pgln:" + _GLN_B + "$", _pgln),
    (r"^urn:epc:class:lgtin:" + _GTIN_B + r"\." + _SER + "{1,20}$", _lgtin),
    (r"^urn:epc:idpat:sgtin:" + _GTIN + r"\.\*$", lambda u: f"{DL}01/{_gtin(u, 20)}"),
    (r"^urn:epc:idpat:grai:" + _GLN_DD + r"\.\*$", lambda u: _grai(u, 19, serial=False)),
    (r"^urn:epc:idpat:gdti:" + _GLN_DD + r"\.\*$", lambda u: _gdti(u, 19, serial=False)),
    (r"^urn:epc:idpat:sgcn:" + _GLN_DD + r"\.\*$", lambda u: _sgcn(u, 19, serial=False)),
    (r"^urn:epc:idpat:cpi:" + _split_var(r"\d", _CPI, 30) + r"\.\*$", lambda u: _cpi(u, 18, False)),
    (r"^urn:epc:idpat:itip:" + _GTIN_B + r"\.[\d]{2}\.[\d]{2}\.\*$", _itip_pat),
    (r"^urn:epc:idpat:upui:" + _GTIN + r"\.\*$", lambda u: f"{DL}01/{_gtin(u, 19)}"),
)
PATTERNS: tuple[str, ...] = tuple(p for p, _ in _RULES)
_COMPILED = tuple((re.compile(p), build) for p, build in _RULES)


def urn_to_dl(uri: str) -> str | None:
    """The canonical GS1 Digital Link URI of an EPC URN, or None if it is not one we know."""
    if not uri.startswith("urn:epc:") or "." not in uri:
        return None
    for pattern, build in _COMPILED:
        if pattern.match(uri):
            return build(uri)
    return None
