"""Filing's pure rules, with worked examples computed by hand: check digits (GB 11643-1999,
GB 32100-2015), case numbers (法〔2015〕137号), the civil cause catalogue (法〔2020〕347号)."""

from __future__ import annotations

from datetime import date

import pytest

from dossier.filing.case_numbers import (
    CaseNumber,
    court_code_problem,
    format_case_number,
    parse_case_number,
    rules,
)
from dossier.filing.causes import catalogue, parse_catalogue
from dossier.filing.identifiers import (
    credit_code_check_char,
    credit_code_problem,
    id_number_check_char,
    id_number_problem,
)

TODAY = date(2026, 12, 6)


def test_resident_id_number_check_digit_worked_examples() -> None:
    # GB 11643-1999's own example, 11010519491231002X:
    #   1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5
    #   + 0·8 + 0·4 + 2·2 = 167; 167 mod 11 = 2; "10X98765432"[2] = X.
    assert id_number_check_char("11010519491231002") == "X"
    assert id_number_problem("11010519491231002X", TODAY) is None
    assert id_number_problem("11010519491231002x", TODAY) is None  # lower-case x accepted
    # A fictitious person of Yuexiu district born 1990-03-07, 44010419900307123?:
    #   4·7 + 4·9 + 0 + 1·5 + 0 + 4·4 + 1·2 + 9·1 + 9·6 + 0 + 0 + 3·9 + 0 + 7·5 + 1·8 + 2·4
    #   + 3·2 = 234; 234 mod 11 = 3; "10X98765432"[3] = 9.
    assert id_number_check_char("44010419900307123") == "9"
    assert id_number_problem("440104199003071239", TODAY) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("44010419900307123", "length"),
        ("4401041990030712390", "length"),
        ("44010419900307123A", "characters"),
        ("\uff1440104199003071239", "characters"),  # a full-width digit
        ("940104199003071239", "region"),
        ("440104199002301239", "birth_date"),  # 30 February
        ("440104203001011239", "birth_date"),  # born in 2030, after today
        ("440104199003071238", "check_digit"),
    ],
)
def test_resident_id_number_problems(value: str, problem: str) -> None:
    assert id_number_problem(value, TODAY) == problem


def test_credit_code_check_character_worked_example() -> None:
    # 91350100M000100Y4?: values 9 1 3 5 0 1 0 0 M=21 0 0 0 1 0 0 Y=30 4, weights
    # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
    #   9 + 3 + 27 + 135 + 0 + 26 + 0 + 0 + 420 + 0 + 0 + 0 + 8 + 0 + 0 + 900 + 112 = 1640;
    #   1640 mod 31 = 28; 31 - 28 = 3 → "3".
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert credit_code_problem("91350100M000100Y43") is None
    assert credit_code_problem("91350100m000100y43") is None  # the caller stores upper case


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("91350100M000100Y4", "length"),
        ("91350100M000100I43", "characters"),  # I is not in the code's alphabet
        ("91350100M000100Y42", "check_character"),
    ],
)
def test_credit_code_problems(value: str, problem: str) -> None:
    assert credit_code_problem(value) == problem


def test_case_numbers_are_formatted_in_the_standard_form_and_parsed_in_both() -> None:
    assert format_case_number(2026, "粤0104", "民初", 123) == "（2026）粤0104民初123号"
    standard = parse_case_number("（2026）粤0104民初123号")
    ascii_form = parse_case_number("(2026)粤0104民初123号")
    assert standard == ascii_form == CaseNumber(2026, "粤0104", "民初", 123)
    assert parse_case_number("（2026）粤0104执恢5号") == CaseNumber(2026, "粤0104", "执恢", 5)
    assert parse_case_number("（2026）京01民辖终7号") == CaseNumber(2026, "京01", "民辖终", 7)
    assert parse_case_number("（2026）粤民再1号") == CaseNumber(2026, "粤", "民再", 1)
    for bad in ("（2026）粤0104民初0号", "（2026）粤0104民X1号", "（2026）XY0104民初1号",
                "2026粤0104民初1号", "（2026）粤0104民初1"):  # fmt: skip
        assert parse_case_number(bad) is None


def test_court_codes_follow_the_standard_pattern() -> None:
    assert court_code_problem("粤0104") is None
    assert court_code_problem("粤01") is None
    assert court_code_problem("京") is None
    assert court_code_problem("兵0101") is None
    assert court_code_problem("粤010") == "digits"
    assert court_code_problem("粤０１") == "digits"  # full-width digits
    assert court_code_problem("X0104") == "province"
    assert court_code_problem("") == "province"


def test_type_codes_are_data_with_their_source() -> None:
    codes = {t.code: t for t in rules().types}
    for code in ("民初", "民终", "民再", "民特", "民催", "民督", "执", "执恢", "执异",
                 "行初", "行终", "刑初", "刑终"):  # fmt: skip
        assert code in codes, code
    assert len(codes) == len(rules().types)  # unique
    assert codes["民初"].category == "civil" and codes["民初"].first_instance
    assert codes["执恢"].category == "enforcement"
    assert "法〔2015〕137号" in rules().source and rules().effective == date(2016, 1, 1)
    assert rules().small_claims_percent == 50


def test_the_cause_catalogue_is_a_tree() -> None:
    causes = catalogue().causes
    codes = [c.code for c in causes]
    assert len(codes) == len(set(codes))
    by_code = {c.code: c for c in causes}
    for cause in causes:
        if cause.level == 1:
            assert cause.parent is None
        else:
            assert cause.parent in by_code and by_code[cause.parent].level == cause.level - 1
    levels = [c.level for c in causes]
    assert (levels.count(1), levels.count(2), levels.count(3)) == (11, 54, 473)
    loan = catalogue().path("C103-3")
    assert [c.name for c in loan] == [
        "合同、准合同纠纷",
        "合同纠纷",
        "借款合同纠纷",
        "民间借贷纠纷",
    ]
    assert [c.name for c in catalogue().path("C374")][-1] == "机动车交通事故责任纠纷"
    assert catalogue().get("C14") is not None and catalogue().get("C14").name == "离婚纠纷"  # type: ignore[union-attr]


def test_the_cause_search_finds_by_part_of_the_name() -> None:
    found = catalogue().search("借贷", 20)
    assert [c.name for c in found] == ["民间借贷纠纷"]
    assert catalogue().search("", 20) == []
    assert len(catalogue().search("纠纷", 5)) == 5
    assert catalogue().fileable("B10") is None  # a heading: not a cause to file under
    assert catalogue().fileable("C103-3") is not None


def test_a_gap_or_a_doubled_number_in_the_catalogue_is_refused() -> None:
    good = "= 1 甲\n== 1 乙\n1 丙纠纷 | 丁纠纷\n2 戊纠纷\n"
    assert len(parse_catalogue(good).causes) == 5
    with pytest.raises(ValueError, match="line 4"):
        parse_catalogue("= 1 甲\n== 1 乙\n1 丙纠纷\n3 戊纠纷\n")
    with pytest.raises(ValueError, match="line 2"):
        parse_catalogue("= 1 甲\n== 2 乙\n")
