"""GB 11643 check characters, worked by hand, and the refusals of a malformed number."""

from __future__ import annotations

import pytest

from portal.idnumber import IdNumberError, check_character, mask, normalise


def test_the_standards_example_worked_by_hand() -> None:
    # 1*7 + 1*9 + 0*10 + 1*5 + 0*8 + 5*4 + 1*2 + 9*1 + 4*6 + 9*3 + 1*7 + 2*9 + 3*10 + 1*5
    # + 0*8 + 0*4 + 2*2 = 167; 167 mod 11 = 2 -> "X".
    assert check_character("11010519491231002") == "X"
    # 4*7+4*9+0+5*5+2*8+4*4+1*2+8*1+8*6+0+0+1*9+0+1*5+0+0+1*2 = 195; 195 mod 11 = 8 -> "4".
    assert check_character("44052418800101001") == "4"


def test_normalise_accepts_spaces_and_a_lower_case_x() -> None:
    assert normalise(" 110105 19491231 002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("11010519491231002", "18位"),
        ("1101051949123100X2", "前17位"),
        ("110105194913310024", "出生日期"),
        ("110105179912310024", "出生日期"),
        ("110105194912310021", "校验位"),
    ],
)
def test_malformed_numbers_say_why(text: str, zh: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        normalise(text)
    assert zh in caught.value.zh


def test_mask_keeps_region_and_tail_only() -> None:
    assert mask("11010519491231002X") == "110105********002X"
