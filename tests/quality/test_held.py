"""Held rows for a viewer outside the owner department: personal values masked everywhere."""

from __future__ import annotations

from typing import Any

import pytest

from cityhub.catalog import PersonalKind
from cityhub.quality.held import RowMask

ADMIN_VIEW = RowMask({"联系人": PersonalKind.NAME, "电话": PersonalKind.PHONE})
OWNER_VIEW = RowMask({})
ROW = {"站名": "临清站", "联系人": "李四光", "电话": "13987654321", "水位": 30.1}
REASON = {
    "rule": "contact",
    "column": "联系人",
    "value": "李四光",
    "message_zh": "「联系人」的值 李四光 不符合格式 ^张",
    "message_en": "联系人: 李四光 does not match ^张",
}


def test_values_are_masked_for_a_viewer_outside_the_owner() -> None:
    assert ADMIN_VIEW.values(ROW) == {**ROW, "联系人": "李**", "电话": "139****4321"}
    assert OWNER_VIEW.values(ROW) == ROW


def test_reasons_quote_the_masked_value() -> None:
    (shown,) = ADMIN_VIEW.reasons([REASON])
    assert shown["value"] == "李**"
    assert "李四光" not in shown["message_zh"] + shown["message_en"]
    assert "李**" in shown["message_zh"]
    assert OWNER_VIEW.reasons([REASON]) == [REASON]


@pytest.mark.parametrize(
    ("submitted", "kept"),
    [
        ({"联系人": "李**", "水位": 31.5}, {"水位": 31.5}),  # the masked form sent back: unchanged
        ({"联系人": "李四"}, {"联系人": "李四"}),  # a new value is taken
        ({"电话": "139****4321"}, {}),
        ({"站名": "李**"}, {"站名": "李**"}),  # not a personal column: as sent
    ],
)
def test_a_form_sending_back_masked_values_changes_nothing(
    submitted: dict[str, Any], kept: dict[str, Any]
) -> None:
    assert ADMIN_VIEW.changes(submitted, ROW) == kept
    assert OWNER_VIEW.changes(submitted, ROW) == submitted
