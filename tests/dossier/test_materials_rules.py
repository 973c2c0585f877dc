"""The pure parts of the materials: the type catalogue, file names out and in, search terms and
snippets."""

from __future__ import annotations

import pytest

from dossier.materials.catalogue import catalogue, material_type
from dossier.materials.filenames import clean_filename, content_disposition, extension
from dossier.materials.terms import index_terms, query_terms, required_terms, snippet

CODES_OTHER_PARTS_USE = {
    "complaint": "起诉状",
    "defence": "答辩状",
    "evidence": "证据",
    "identity": "身份证明",
    "power_of_attorney": "授权委托书",
    "hearing_transcript": "庭审笔录",
    "recording_digests": "庭审录音录像",
    "record_corrections": "笔录更正申请及处理",
    "record_notice": "笔录签名通知",
    "notice": "通知书（传票、出庭通知）",
    "service_proof": "送达回证",
    "judgment": "裁判文书",
    "fee_notice": "诉讼费缴纳通知",
    "receipt": "收据",
    "deliberation": "合议庭评议笔录",
    "other": "其他",
}


@pytest.mark.parametrize(("code", "zh"), CODES_OTHER_PARTS_USE.items())
def test_the_catalogue_has_every_code_the_other_parts_use(code: str, zh: str) -> None:
    kind = material_type(code)
    assert kind is not None and kind.zh == zh and kind.en


def test_deliberations_go_to_the_secondary_volume_and_the_order_follows_the_rules() -> None:
    assert material_type("deliberation").volume == "secondary"  # type: ignore[union-attr]
    main = [t.code for t in catalogue() if t.volume == "main"]
    # 起诉状 before 答辩状 before 证据 before 传票、通知 before 庭审笔录 (and what belongs to the
    # record: corrections, the notice to sign it) before 裁判文书 before 送达回证; 其他 last
    order = [
        "complaint", "defence", "evidence", "notice", "hearing_transcript", "record_corrections",
        "record_notice", "recording_digests", "judgment", "service_proof",
    ]  # fmt: skip
    assert [c for c in main if c in order] == order
    assert main[-1] == "other"
    assert catalogue()[-1].code == "deliberation"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("起诉状.pdf", "起诉状.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\y.pdf", "y.pdf"),
        ("/abs/path/证据 一.jpg", "证据 一.jpg"),
        (".hidden.pdf", "hidden.pdf"),
        ("a\x00b\u202ec.pdf", "abc.pdf"),
        ('what?<>:"|*.pdf', "what.pdf"),
        ("../", ""),
        ("..", ""),
        ("   ", ""),
        ("x" * 300 + ".docx", "x" * 195 + ".docx"),
    ],
)
def test_clean_filename(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


def test_extension_and_content_disposition() -> None:
    assert (extension("a.DOCM"), extension(".pdf"), extension("noext")) == ("docm", "", "")
    assert content_disposition("起诉状.pdf") == (
        "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E8%B5%B7%E8%AF%89%E7%8A%B6.pdf"
    )
    assert content_disposition('a"b;c.pdf', inline=True) == (
        "inline; filename=\"a_b_c.pdf\"; filename*=UTF-8''a%22b%3Bc.pdf"
    )


def test_index_terms_hold_words_characters_and_pairs() -> None:
    terms = index_terms("原告张三诉被告李四民间借贷纠纷一案 Loan No. 2026")
    for term in ("原告", "民间", "借贷", "纠纷", "间借", "张", "loan", "2026"):
        assert term in terms
    assert terms["原告"] == 1


def test_a_query_cut_differently_from_the_text_still_matches() -> None:
    text_terms = index_terms("答辩人王五对原告的诉讼请求有异议。")
    words = query_terms("答辩人")
    assert words == ["答辩", "人"]
    assert set(required_terms(words)) <= set(text_terms)
    assert not set(required_terms(query_terms("辩护人"))) <= set(text_terms)


def test_query_terms_ignore_punctuation_and_repeat() -> None:
    assert query_terms("借款，借款！") == ["借款"]
    assert query_terms("  ，。 ") == []


def test_snippet_marks_every_hit_in_a_window() -> None:
    text = "前言" * 40 + "本案借款合同约定借款金额" + "后记" * 80
    segments = snippet(text, ["借款"])
    assert segments[0].text == "…" and segments[-1].text == "…"
    assert [s.text for s in segments if s.hit] == ["借款", "借款"]
    assert "本案" in "".join(s.text for s in segments)
