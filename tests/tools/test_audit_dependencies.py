"""The offline dependency audit: OSV version matching, the snapshot, the installed packages."""

from __future__ import annotations

import pytest
from tools.audit_dependencies import Advisory, load, normalise, parse_advisory


def advisory(versions: tuple[str, ...] = (), *ranges: tuple[tuple[str, str], ...]) -> Advisory:
    return Advisory("PYSEC-0000-1", ("CVE-0000-1",), "test", versions, tuple(ranges))


FIXED_IN_2_7_2 = (("introduced", "0"), ("fixed", "2.7.2"))
TWO_WINDOWS = (("introduced", "1.0"), ("fixed", "1.4"), ("introduced", "2.0"), ("fixed", "2.1.3"))
UP_TO_3_1 = (("introduced", "3.0"), ("last_affected", "3.1"))


@pytest.mark.parametrize(
    ("events", "version", "affected"),
    [
        (FIXED_IN_2_7_2, "0.1", True),
        (FIXED_IN_2_7_2, "2.7.1", True),
        (FIXED_IN_2_7_2, "2.7.2rc1", True),  # a pre-release of the fix is before it
        (FIXED_IN_2_7_2, "2.7.2", False),
        (FIXED_IN_2_7_2, "3.1.4", False),
        (TWO_WINDOWS, "0.9", False),
        (TWO_WINDOWS, "1.3.9", True),
        (TWO_WINDOWS, "1.4", False),
        (TWO_WINDOWS, "2.0.0", True),
        (TWO_WINDOWS, "2.1.3", False),
        (UP_TO_3_1, "3.1", True),
        (UP_TO_3_1, "3.1.1", False),
        (UP_TO_3_1, "2.9", False),
        (FIXED_IN_2_7_2, "not-a-version", False),
    ],
)
def test_ecosystem_ranges(
    events: tuple[tuple[str, str], ...], version: str, affected: bool
) -> None:
    assert advisory((), events).affects(version) is affected


def test_listed_versions_match_without_ranges() -> None:
    assert advisory(("1.0", "1.1")).affects("1.1")
    assert not advisory(("1.0", "1.1")).affects("1.2")


@pytest.mark.parametrize(
    ("name", "normalised"), [("Flask_Cors", "flask-cors"), ("zope.interface", "zope-interface")]
)
def test_names_are_normalised(name: str, normalised: str) -> None:
    assert normalise(name) == normalised


def test_an_osv_document_is_read_for_its_package() -> None:
    document = {
        "id": "PYSEC-2014-8",
        "aliases": ["CVE-2014-1402"],
        "details": "Jinja2 before 2.7.2 ...",
        "affected": [
            {"package": {"name": "other", "ecosystem": "PyPI"}, "versions": ["9"]},
            {
                "package": {"name": "Jinja2", "ecosystem": "PyPI"},
                "ranges": [
                    {"type": "GIT", "events": [{"introduced": "abc"}]},
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.7.2"}]},
                ],
                "versions": ["2.7.1"],
            },
        ],
    }
    parsed = parse_advisory(document, "jinja2")
    assert parsed is not None
    assert parsed.ranges == ((("introduced", "0"), ("fixed", "2.7.2")),)
    assert parsed.affects("2.6") and not parsed.affects("2.11.3")
    assert parse_advisory(document, "flask") is None


def test_the_snapshot_loads_and_names_its_source() -> None:
    source, advisories = load()
    assert source["database"] == "https://github.com/pypa/advisory-database"
    assert len(source["commit"]) == 40
    assert sum(len(items) for items in advisories.values()) > 100
