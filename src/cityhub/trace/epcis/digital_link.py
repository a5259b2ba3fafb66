"""GS1 Digital Link URIs (any host) to the constrained canonical form ``https://id.gs1.org/…``.

A port of the Digital Link half of ``dl_normaliser.normaliser`` in
RalphTro/epcis-event-hash-generator (MIT): replace the host by ``id.gs1.org``, drop the query
string, use numeric AIs instead of short names, pad GTINs to 14 digits, drop a CPV (AI 22)
and keep only the finest identification level (a serial wins over a lot). The event hash
applies this to every value, so the steps and regular expressions follow the reference
exactly, including its limits (no %-escapes in the result, check digits not verified);
``gs1.normalise_id`` adds the strict checks for identifiers we store.
"""

from __future__ import annotations

import re

from cityhub.trace.epcis.epc_urn import urn_to_dl

_CH = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"  # GS1 AI chars, no %-escapes
_CH_SLASH = r"[\x2F\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"
_G = r"https:\/\/id.gs1.org\/"  # the reference leaves the dots unescaped; kept for equality

_ANY_DL = re.compile(
    r"^https?:(\/\/((([^\/?#]*)@)?([^\/?#:]*)(:([^\/?#]*))?))?((([^?#]*)(\/(01|gtin|8006|itip"
    r"|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402"
    r"|gsin|8003|grai|8004|giai)\/)(\d{4}[^\/]+)(\/[^/]+\/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?)"
    r"|(\/[A-Za-z_-]{10}$))"
)
_CANONICAL_HOST = re.compile(
    r"^" + _G + r"(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/(\d{4}[^\/]+)"
    r"(\/[^\/]+\/[^\/]+)?[\/]?(\?([^?\n]*))?(#([^\n]*))?|(\/[A-Za-z_-]{10}$)"
)
_SHORT_NAMES = (
    ("/gtin/", "/01/"),
    ("/itip/", "/8006/"),
    ("/cpid/", "/8010/"),
    ("/gln/", "/414/"),
    ("/party/", "/417/"),
    ("/gsrnp/", "/8017/"),
    ("/gsrn/", "/8018/"),
    ("/gcn/", "/255/"),
    ("/sscc/", "/00/"),
    ("/gdti/", "/253/"),
    ("/ginc/", "/401/"),
    ("/gsin/", "/402/"),
    ("/grai/", "/8003/"),
    ("/giai/", "/8004/"),
    ("/cpv/", "/22/"),
    ("/lot/", "/10/"),
    ("/ser/", "/21/"),
)
# The order matters: the reference looks for the first of these in this order.
_PRIMARY_AIS: tuple[str, ...] = ("00", "01", "253", "255", "401", "402", "414", "417")
_PRIMARY_AIS += ("8003", "8004", "8006", "8010", "8017", "8018")
_GTIN_PAD = (
    (re.compile(r"^" + _G + r"01\/\d{13}"), "/01/0"),
    (re.compile(r"^" + _G + r"01\/\d{12}"), "/01/00"),
    (re.compile(r"^" + _G + r"01\/\d{8}"), "/01/000000"),
)
_GTIN14 = re.compile(r"^" + _G + r"01\/\d{14}")
_CPV_ONLY = (
    re.compile(_G + r"8006\/\d{18}\/22\/(" + _CH + r"{0,20})$"),
    re.compile(_G + r"01\/\d{14}\/22\/(" + _CH + r"{0,20})$"),
)
_CPV_THEN_MORE = (
    re.compile(_G + r"8006\/\d{18}\/22\/(" + _CH_SLASH + r"{0,20})$"),
    re.compile(_G + r"01\/\d{14}\/22\/(" + _CH_SLASH + r"{0,20})$"),
)
_LOT_AND_SERIAL = (
    re.compile(_G + r"8006\/\d{18}\/10\/(" + _CH + r"{0,20})\/21\/(" + _CH + r"{0,20})$"),
    re.compile(_G + r"01\/(\d{14})\/10\/(" + _CH + r"{0,20})\/21\/(" + _CH + r"{0,20})$"),
)
_VALID = tuple(
    re.compile(_G + p)
    for p in (
        r"00\/(\d{18})$",
        r"01\/(\d{14})\/21\/(" + _CH + r"{0,20})$",
        r"01\/(\d{14})\/10\/(" + _CH + r"{0,20})$",
        r"01\/(\d{14})$",
        r"01\/(\d{14})\/235\/(" + _CH + r"{0,28})$",
        r"253\/(\d{13})(" + _CH + r"{0,17})$",
        r"255\/(\d{13})(\d{0,12})$",
        r"401\/(" + _CH + r"{0,30})$",
        r"402\/(\d{17})$",
        r"414\/(\d{13})$",
        r"414\/(\d{13})\/254\/(" + _CH + r"{0,20})$",
        r"417\/(\d{13})$",
        r"8003\/(\d{14})(" + _CH + r"{0,16})$",
        r"8004\/(" + _CH + r"{0,30})$",
        r"8006\/(\d{18})\/21\/(" + _CH + r"{0,20})$",
        r"8006\/(\d{18})\/10\/(" + _CH + r"{0,20})$",
        r"8006\/(\d{18})$",
        r"8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})\/8011/(\d{0,12})$",
        r"8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})$",
        r"8017\/(\d{18})$",
        r"8018\/(\d{18})$",
    )
)


def dl_to_canonical(uri: str) -> str | None:
    """The constrained canonical form of a GS1 Digital Link URI, or None if it is not one."""
    if _ANY_DL.match(uri) is None:
        return None
    if "?" in uri:
        uri = uri[: uri.index("?")]
    for short, ai in _SHORT_NAMES:
        uri = uri.replace(short, ai)
    if _CANONICAL_HOST.match(uri) is None:
        for ai in _PRIMARY_AIS:
            pos = uri.find(f"/{ai}/")
            if pos != -1:
                uri = "https://id.gs1.org" + uri[pos:]
                break
    if _GTIN14.match(uri) is None:
        for pattern, padded in _GTIN_PAD:
            if pattern.match(uri):
                uri = uri.replace("/01/", padded)
                break
    cpv = uri[uri.find("/22/") + 4 :]
    if any(p.match(uri) for p in _CPV_ONLY):
        uri = uri[: uri.find("/22/")] + cpv[cpv.find("/") : -1]
    if any(p.match(uri) for p in _CPV_THEN_MORE):
        uri = uri[: uri.find("/22/")] + cpv[cpv.find("/") :]
    if any(p.match(uri) for p in _LOT_AND_SERIAL):
        rest = uri[uri.find("/10/") + 4 :]
        uri = uri[: uri.find("/10/")] + rest[rest.find("/") :]
    if any(p.match(uri) for p in _VALID):
        return uri
    return None


def canonical_gs1(value: str) -> str | None:
    """Any GS1 identifier URI (EPC URN or Digital Link) in canonical Digital Link form, or None."""
    if "." not in value:  # as the reference: no dot, no GS1 URI
        return None
    if value.startswith("urn:"):
        return urn_to_dl(value)
    if value.startswith("http"):
        return dl_to_canonical(value)
    return None
