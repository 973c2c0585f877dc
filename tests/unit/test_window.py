"""Where the audio context kept for the next utterance starts (``Window.clause_start_from``)."""

from __future__ import annotations

from asr.types import Word
from asr.window import Window


def window(*timed: tuple[str, int, int]) -> Window:
    w = Window(prompt_chars=100, initial_prompt=None, hotwords=())
    w.committed = [Word(text, start, end, 0.9) for text, start, end in timed]
    return w


JFK = window(
    (" for", 6820, 7080),
    (" you,", 7080, 7380),
    (" ask", 7420, 8480),
    (" what", 8480, 8740),
    (" you", 8740, 9020),
    (" can", 9020, 9320),
    (" do", 9320, 9560),
    (" for", 9560, 9760),
    (" your", 9760, 9940),
    (" country.", 9940, 10360),
)


def test_the_context_starts_after_a_comma_not_mid_clause() -> None:
    # 3 s before the utterance's end (11.2 s) is 8.2 s: "what" would start the context; 1 s
    # earlier, "ask" starts the clause after "you,".
    assert JFK.clause_start_from(7200) == 2
    assert JFK.committed[2].text == " ask"


def test_no_clause_start_in_reach() -> None:
    assert JFK.clause_start_from(8000) is None


def test_the_window_s_first_word_starts_a_clause() -> None:
    assert JFK.clause_start_from(0) == 0


def test_mandarin_punctuation_ends_clauses() -> None:
    zh = window(("情", 0, 200), ("况，", 200, 400), ("首", 500, 700), ("先", 700, 900))
    assert zh.clause_start_from(100) == 2
