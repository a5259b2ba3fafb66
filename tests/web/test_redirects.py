"""Property: whatever ``next`` a link carries, a redirect never leaves the site."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cityhub.web.pages.auth import local_path

TRICKY = st.sampled_from(
    ["/", "//", "\\", "http:", "https://", "evil.example", "@", "?", "#", "%2f", "\t"]
)


@given(st.lists(st.one_of(TRICKY, st.text(max_size=5)), max_size=6).map("".join))
def test_local_path_stays_on_site(target: str) -> None:
    result = local_path(target)
    assert result.startswith("/")
    assert not result.startswith(("//", "/\\"))
    assert result in {target, "/"}
