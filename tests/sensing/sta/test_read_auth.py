"""HTTP Basic credentials of the SensorThings API: decoding, and refusing what is not Basic."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.errors import NotAuthenticated
from cityhub.web.sta_auth import basic_credentials


def encode(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@given(
    st.text(min_size=1).filter(lambda s: ":" not in s and s.strip()),
    st.text(min_size=1),
)
def test_basic_credentials_round_trip(username: str, password: str) -> None:
    assert basic_credentials(encode(f"{username}:{password}")) == (username, password)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "!!!",
        encode("no-colon"),
        encode(":token-without-user"),
        encode("   :token"),
        encode("user:"),
        base64.b64encode(b"user:\xff\xfe").decode(),  # not UTF-8
        "dXNlcjp0b2tlbg",  # missing padding
    ],
)
def test_malformed_basic_credentials(value: str) -> None:
    with pytest.raises(NotAuthenticated) as caught:
        basic_credentials(value)
    assert caught.value.details["header"] == "Authorization"


@given(st.text())
def test_any_header_value_decodes_or_is_refused(value: str) -> None:
    try:
        username, password = basic_credentials(value)
    except NotAuthenticated:
        return
    assert username.strip() and password
