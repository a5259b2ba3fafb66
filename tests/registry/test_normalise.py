"""The normalisers: half-width, trimming, collapsing, upper-casing, dates, chains of steps."""

from __future__ import annotations

import pytest

from cityhub.registry.normalise import (
    STEPS,
    apply_step,
    apply_steps,
    clean_text,
    normalise_date,
    to_halfwidth,
)


def test_halfwidth_covers_the_whole_block_and_the_ideographic_space() -> None:
    full = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
    assert to_halfwidth(full) == "".join(chr(c) for c in range(0x21, 0x7F)) + " "


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("９１３７１５０２ＭＡ３Ｃ８Ｋ１Ｒ９Ｙ", "91371502MA3C8K1R9Y"),
        ("聊城市（东昌府区）", "聊城市(东昌府区)"),
        ("ａｂｃ，ｄ！", "abc,d!"),
        ("，。、", ",。、"),  # only U+FF01-U+FF5E: 。 and 、 are not full-width forms
        ("ｶﾀｶﾅ", "ｶﾀｶﾅ"),  # half-width katakana (U+FF61-) stay
    ],
)
def test_halfwidth(text: str, expected: str) -> None:
    assert to_halfwidth(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  聊城\u3000\u3000市  ", "聊城 市"),
        ("\ufeff东昌府区\t古楼街道\n", "东昌府区 古楼街道"),
        ("a\u00a0 b", "a b"),
        ("", ""),
        (" \u3000 ", ""),
    ],
)
def test_clean_text(text: str, expected: str) -> None:
    assert clean_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020年4月7日", "2020-04-07"),
        ("二〇二〇年四月七日", "2020-04-07"),
        ("二○二○年四月七日", "2020-04-07"),  # ○ U+25CB written for zero
        ("二零二零年十月十日", "2020-10-10"),
        ("2020年十一月二十九日", "2020-11-29"),
        ("2020年4月31日", None),
        ("2020年", None),
        ("", None),
        ("20200407 ", "2020-04-07"),
        ("2020-04-07 10:00:00", None),  # a time is not a date
    ],
)
def test_normalise_date(text: str, expected: str | None) -> None:
    assert normalise_date(text) == expected


def test_steps_apply_in_order() -> None:
    assert apply_steps(" ａｂｃ ", ["halfwidth", "trim", "upper"]) == "ABC"
    assert apply_steps(" ａｂｃ ", ["upper"]) == " ａｂｃ "  # full-width letters are not a-z
    assert apply_steps("x  y", ["collapse_spaces"]) == "x y"
    assert apply_steps("二〇二〇年四月七日", ["trim", "date"]) == "2020-04-07"
    assert apply_steps("not a date", ["date", "upper"]) is None


def test_upper_leaves_other_scripts_alone() -> None:
    # DuckDB's upper() maps ı to I and ß to ẞ; ours must not, to agree with the SQL form.
    assert apply_step("ıßé", "upper") == "ıßé"


def test_unknown_step_is_refused_before_anything_runs() -> None:
    with pytest.raises(ValueError, match="unknown normalising step 'lower'"):
        apply_steps("x", ["trim", "lower"])
    assert set(STEPS) == {"trim", "halfwidth", "upper", "collapse_spaces", "date"}
