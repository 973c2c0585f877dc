"""Speech for the browser ``kill -9`` test and its recognition.

The utterances come from the speech corpus (:data:`CORPUS_ITEMS`: English and Mandarin with
reference texts, each item once, about 95 s in all, so longer than the test; short items first,
so that whole ones fall before and after the kill) or, where the corpus is absent, from espeak-ng
(:data:`ESPEAK_SENTENCES`, English, which Whisper base recognises well; DESIGN.md section 6).
Left out: the Mandarin meeting clip and the child's poem (offline CER 0.31 and 0.68: they say
more about the model than about the recording), the Mandarin espeak items (no accuracy signal)
and ``en_synthetic_espeak_01`` (WER 0.3-0.4 offline on the clean item).

:func:`score_items` recognises the recorded audio of each item with the server's model (Whisper
base, offline, the item's language, as ``tingshen transcribe`` does) and scores it against the
item's reference with the project's scoring (WER for English, CER for Mandarin).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from asr.audio import decode_file, write_wav_pcm16
from asr.eval.manifest import load_manifest
from asr.eval.metrics import ErrorCounts, score
from asr.offline import load_engine, transcribe_file
from tests.conftest import MakeSpeech
from tests.e2e.crash_audio import Clip, FloatArray, SourceItem

CORPUS_ITEMS = (
    "en_fw_stereo_left.wav",
    "zh_aishell1_BAC009S0764W0121.wav",
    "en_ljspeech_LJ050-0131.wav",
    "zh_cosyvoice_zero_shot_prompt.wav",
    "en_synthetic_espeak_00.wav",
    "en_jfk.wav",
    "en_picovoice_diarization_3spk.wav",
    "en_osr_harvard_list72_8k.wav",
)

ESPEAK_SENTENCES = (
    "The court is now in session.",
    "Please state your full name for the record.",
    "The plaintiff lent the defendant fifty thousand yuan in March.",
    "The loan was to be repaid within one year.",
    "The defendant says the money was a gift, not a loan.",
    "Do you have a written agreement or a receipt?",
    "Yes, the receipt is exhibit number three.",
    "The defendant signed it in front of two witnesses.",
    "Does the defendant dispute the signature on the receipt?",
    "No, but he says the amount was later reduced.",
    "Is there any evidence of that reduction?",
    "There are some text messages between the parties.",
    "The court will look at the messages after a short break.",
    "Counsel may now present the closing statements.",
    "The plaintiff asks the court to order full repayment.",
    "Interest should run from the date the loan fell due.",
    "The defendant asks the court to dismiss the claim.",
    "The court will announce its judgment at a later date.",
    "The parties will be notified by text message.",
    "This hearing is now adjourned.",
)


def corpus_clips(corpus: Path) -> list[Clip]:
    items = {item.audio.name: item for item in load_manifest(corpus / "manifest.jsonl")}
    return [
        Clip(name, items[name].language, items[name].text, decode_file(items[name].audio))
        for name in CORPUS_ITEMS
    ]


def espeak_clips(make_speech: MakeSpeech) -> list[Clip]:
    return [
        Clip(f"espeak-{n:02d}", "en", text, decode_file(make_speech(text)))
        for n, text in enumerate(ESPEAK_SENTENCES)
    ]


@dataclass(frozen=True)
class ItemScore:
    item: SourceItem
    hypothesis: str
    counts: ErrorCounts


def score_items(cuts: Sequence[tuple[SourceItem, FloatArray]], tmp: Path) -> list[ItemScore]:
    """Recognise each cut (a whole item's recorded audio) and score it against its reference."""
    if not cuts:
        return []
    _, engine = load_engine("base")
    scores: list[ItemScore] = []
    for n, (item, audio) in enumerate(cuts):
        wav = write_wav_pcm16(tmp / f"cut-{n:02d}.wav", audio)
        _, segments = transcribe_file(engine, wav, language=item.language)
        sep = "" if item.language == "zh" else " "
        text = sep.join(s.text.strip() for s in segments)
        scores.append(ItemScore(item, text, score(item.text, text, item.language)))
    return scores
