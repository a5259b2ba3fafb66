"""JSON Patch (RFC 6902) and JSON Pointer (RFC 6901) on plain JSON values."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.errors import InvalidInput
from cityhub.sensing.sta.json_patch import apply_patch, escape, json_equal, parse_pointer

DOC = {"foo": "bar", "baz": [1, 2], "a/b": 1, "m~n": 2, "": 0, "nested": {"x": {"y": True}}}

GOOD: list[tuple[Any, list[dict[str, Any]], Any]] = [
    # RFC 6902 appendix A, and more
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"foo": "bar", "baz": "qux"}),
    (
        {"foo": ["bar", "baz"]},
        [{"op": "add", "path": "/foo/1", "value": "qux"}],
        {"foo": ["bar", "qux", "baz"]},
    ),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    (
        {"baz": "qux", "foo": "bar"},
        [{"op": "replace", "path": "/baz", "value": "boo"}],
        {"baz": "boo", "foo": "bar"},
    ),
    (
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    (
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    (
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [
            {"op": "test", "path": "/baz", "value": "qux"},
            {"op": "test", "path": "/foo/1", "value": 2.0},
        ],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    (
        {"foo": "bar"},
        [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
        {"foo": "bar", "child": {"grandchild": {}}},
    ),
    (
        {"foo": ["bar"]},
        [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
        {"foo": ["bar", ["abc", "def"]]},
    ),
    ({"foo": None}, [{"op": "test", "path": "/foo", "value": None}], {"foo": None}),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    (DOC, [{"op": "copy", "from": "/a~1b", "path": "/m~0n"}], {**DOC, "m~n": 1}),
    (DOC, [{"op": "replace", "path": "", "value": [1]}], [1]),
    (DOC, [{"op": "remove", "path": "/"}], {k: v for k, v in DOC.items() if k != ""}),
    (DOC, [{"op": "move", "from": "/nested/x", "path": "/nested/x"}], DOC),
]


@pytest.mark.parametrize(("document", "operations", "expected"), GOOD)
def test_good_patches(document: Any, operations: list[dict[str, Any]], expected: Any) -> None:
    before = repr(document)
    assert apply_patch(document, operations) == expected
    assert repr(document) == before  # the input is left alone


BAD: list[tuple[Any, int | None]] = [
    ({"op": "add", "path": "/x", "value": 1}, None),  # not an array
    ([{"op": "add", "path": "/baz/bat", "value": "qux"}], 0),  # RFC 6902 A.12
    ([{"op": "add", "path": "/baz/5", "value": 1}], 0),
    ([{"op": "add", "path": "/baz/01", "value": 1}], 0),
    ([{"op": "add", "path": "x", "value": 1}], 0),
    ([{"op": "add", "path": "/x"}], 0),
    ([{"op": "remove", "path": "/nothing"}], 0),
    ([{"op": "remove", "path": ""}], 0),
    ([{"op": "replace", "path": "/nothing", "value": 1}], 0),
    ([{"op": "test", "path": "/foo", "value": "baz"}], 0),
    ([{"op": "test", "path": "/baz/0", "value": True}], 0),  # 1 is not true
    ([{"op": "move", "from": "/nested", "path": "/nested/x/z"}], 0),
    ([{"op": "copy", "from": "/missing", "path": "/x"}], 0),
    ([{"op": "add", "path": "/~2", "value": 1}], 0),
    ([{"op": "frobnicate", "path": "/foo"}], 0),
    ([{"op": "add", "path": "/ok", "value": 1}, "not an object"], 1),
    ([{"op": "add", "path": "/foo/x", "value": 1}], 0),  # into a string
]


@pytest.mark.parametrize(("operations", "index"), BAD)
def test_bad_patches_name_the_operation(operations: Any, index: int | None) -> None:
    with pytest.raises(InvalidInput) as raised:
        apply_patch(DOC, operations)
    assert raised.value.details["operation"] == index


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _pointers(document: Any, prefix: str = "") -> list[str]:
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _pointers(value, f"{prefix}/{escape(key)}")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _pointers(value, f"{prefix}/{index}")
    return found


@given(st.dictionaries(st.text(), json_values, min_size=1, max_size=5), st.data())
def test_add_then_remove_restores_and_test_sees_the_value(
    document: dict[str, Any], data: st.DataObject
) -> None:
    key = data.draw(st.text().filter(lambda k: k not in document))
    value = data.draw(json_values)
    pointer = "/" + escape(key)
    added = apply_patch(
        document,
        [
            {"op": "add", "path": pointer, "value": value},
            {"op": "test", "path": pointer, "value": value},
        ],
    )
    assert json_equal(added[key], value)
    assert apply_patch(added, [{"op": "remove", "path": pointer}]) == document


@given(json_values, st.data())
def test_every_pointer_resolves_and_copy_to_root_is_the_value(
    document: Any, data: st.DataObject
) -> None:
    pointer = data.draw(st.sampled_from(_pointers(document)))
    copied = apply_patch(document, [{"op": "copy", "from": pointer, "path": ""}])
    assert apply_patch(document, [{"op": "test", "path": pointer, "value": copied}]) == document


@given(st.text())
def test_escape_round_trips(token: str) -> None:
    assert parse_pointer("/" + escape(token)) == [token]
