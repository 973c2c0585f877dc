"""Text normalisation for scoring recognition output against reference transcripts.

Reference and hypothesis go through the same steps, in this order:

1. **Unicode NFKC**: full-width letters, digits, punctuation and spaces become their ASCII forms
   (U+FF21 → ``A``, U+FF11 → ``1``, U+FF0C → ``,``, the ideographic space U+3000 → a space,
   ``…`` → ``...``).
2. **Lowercase** (``str.lower``).
3. **Traditional → simplified Chinese** with OpenCC's ``t2s`` configuration
   (``這個問題`` → ``这个问题``), whatever the language.
4. **Apostrophes, periods and commas inside a word are deleted**, joining the word: an apostrophe
   (``'``, ``’``, U+02BC), ``.`` or ``,`` between two letters or digits. So ``it's`` = ``its``,
   ``U.S.`` = ``us``, ``1,000`` = ``1000``, ``3.5`` = ``35`` (both sides alike, so it is fair).
5. **Every other punctuation mark or symbol becomes a space**: Unicode categories P (punctuation,
   ASCII and CJK: ``、。，！？：；“”‘’《》（）【】「」…—·`` …) and S (symbols: ``$ % + ~ ♪`` …),
   and control characters. Format characters (zero-width space, soft hyphen, BOM) are deleted.
   Hyphens and dashes therefore split words: ``well-known`` = ``well known``.
6. **Whitespace is collapsed** to single spaces and stripped at both ends.
7. **Mandarin (``zh``) only**: spaces next to a CJK character are removed, so the text reads as
   characters (``我 用 iPhone 手机`` → ``我用iphone手机``); spaces between two Latin words stay.

Scoring units (``tokens``): for ``zh`` every CJK character (Han ideograph, kana, bopomofo, the
ideographic zero U+3007) is one token and every run of other letters/digits is one token
(``我用iphone手机`` → ``我 用 iphone 手 机``), so the error rate is a character error rate (CER) in
which an embedded English word counts as one unit. For every other language the tokens are the
whitespace-separated words (word error rate, WER).

Not done, on purpose: no number or spoken-form normalisation (``25`` ≠ ``twenty five`` ≠
``二十五``), no spelling variants (``neighbour`` ≠ ``neighbor``), no filler-word removal. The
steps are idempotent: ``normalise(normalise(x)) == normalise(x)``.
"""

from __future__ import annotations

import re
import unicodedata

from asr.text import to_simplified

__all__ = ["CHARACTER_LANGUAGES", "is_cjk", "normalise", "to_simplified", "tokens"]


__all__ = ["CHARACTER_LANGUAGES", "is_cjk", "normalise", "to_simplified", "tokens"]

#: Languages scored per character (CER); all others are scored per word (WER).
CHARACTER_LANGUAGES = frozenset({"zh"})

_CJK_RANGES = (
    "\u2e80-\u2fdf"  # CJK and Kangxi radicals
    "\u3005-\u3007"  # iteration mark, closing mark, ideographic zero
    "\u3021-\u3029\u3038-\u303b"  # Hangzhou numerals
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3100-\u312f\u31a0-\u31bf"  # bopomofo
    "\u3400-\u4dbf\u4e00-\u9fff"  # Han, extension A and unified
    "\uf900-\ufaff"  # compatibility ideographs
    "\U00020000-\U0003ffff"  # Han extensions B and later
)
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")
_SPACE_NEXT_TO_CJK = re.compile(f"(?<=[{_CJK_RANGES}]) | (?=[{_CJK_RANGES}])")
_ZH_TOKEN = re.compile(f"[{_CJK_RANGES}]|[^\\s{_CJK_RANGES}]+")

_APOSTROPHES = "'\u2019\u02bc"
_IN_WORD_JOINER = re.compile(f"(?<=[^\\W_])[{_APOSTROPHES}.,](?=[^\\W_])")


def is_cjk(char: str) -> bool:
    """Whether ``char`` (one character) is a CJK character, scored as one token in Mandarin."""
    return _CJK_CHAR.fullmatch(char) is not None


def _separator_or_kept(char: str) -> str:
    if char in _APOSTROPHES:
        return " "
    category = unicodedata.category(char)
    if category == "Cf":
        return ""
    if category[0] in "PS" or category in ("Cc", "Co", "Cn"):
        return " " if not char.isspace() else char
    return char


def _strip_punctuation(text: str) -> str:
    text = _IN_WORD_JOINER.sub("", text)
    return "".join(_separator_or_kept(char) for char in text)


def normalise(text: str, language: str) -> str:
    """Normalise ``text`` for scoring (see the module docstring for the rules)."""
    text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    text = to_simplified(text)
    text = _strip_punctuation(text)
    text = " ".join(text.split())
    if language in CHARACTER_LANGUAGES:
        text = _SPACE_NEXT_TO_CJK.sub("", text)
    return text


def tokens(text: str, language: str) -> list[str]:
    """The scoring units of ``text``: normalised characters (``zh``) or normalised words (others).

    ``text`` is normalised first; passing already-normalised text gives the same result.
    """
    normalised = normalise(text, language)
    if language in CHARACTER_LANGUAGES:
        return _ZH_TOKEN.findall(normalised)
    return normalised.split()
