"""The one place that talks to faster-whisper and CTranslate2.

``Engine`` wraps one loaded ``WhisperModel`` and offers what the streaming session, the offline
transcriber and the evaluation need:

* ``decode_windows``: decode one or several short audio windows (a batch) with word timestamps.
  Unlike ``WhisperModel.transcribe``, a window is *not* padded to 30 s: CTranslate2's Whisper
  encoder accepts shorter inputs, and on a 2-core CPU a short window decodes about 2x faster than
  the padded one with the same text (DESIGN.md §5; docs/benchmarks.md). ``pad_to_30s=True`` keeps
  the padded path.
* ``detect_language``: restricted to the languages the caller allows.
* ``transcribe_file_audio``: whole-file decoding through faster-whisper's own long-form loop.
* ``vad_model``: the Silero VAD ONNX session shipped inside faster-whisper.

A decode is bounded: at most ``max_tokens_per_s`` new tokens per second of audio, so a repetition
loop cannot run to the 448-token limit. All methods are synchronous and CPU-bound: callers run them
off the event loop (see ``asr.scheduler``). CTranslate2 releases the GIL while it computes.
"""

from __future__ import annotations

import logging
import math
import threading
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import ctranslate2
import numpy as np
import numpy.typing as npt
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.vad import get_vad_model

from asr.types import SAMPLE_RATE_HZ, Word

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]

PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、；;"
_FRAMES_PER_S = 100  # mel frames per second of audio
_MAX_FRAMES = 3000  # Whisper's 30 s window
_MAX_LENGTH = 448  # Whisper's decoder context
_LONG_FORM_WINDOW_S = 30.0  # faster-whisper's long-form loop decodes 30 s windows
_TIMESTAMP_TOKENS = 16  # room for the segment timestamps of a long-form window


class VadModel(Protocol):
    """What ``asr.vad`` needs of the Silero ONNX session."""

    def run(self, output_names: None, input_feed: dict[str, Any]) -> list[Any]: ...


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    """Decoding settings of one window. ``beam_size=1`` is greedy search."""

    beam_size: int = 5
    repetition_penalty: float = 1.0
    pad_to_30s: bool = False
    tail_padding_s: float = 1.0
    max_tokens_per_s: float = 10.0
    suppress_blank: bool = True


@dataclass(frozen=True, slots=True)
class WindowRequest:
    """One window to decode.

    ``prompt`` is context before the window (case vocabulary, earlier text); ``prefix`` is text
    already committed *inside* the window: the decoder takes it as given and only generates what
    follows, so a step costs the new words, not the whole window again.
    """

    audio: FloatArray
    language: str
    prompt: str = ""
    prefix: str = ""


@dataclass(frozen=True, slots=True)
class WindowResult:
    """Decoded words, with times in ms from the start of the window."""

    words: tuple[Word, ...]
    prefix_words: int
    text: str
    no_speech_prob: float
    avg_logprob: float
    compression_ratio: float
    hit_token_limit: bool


@dataclass(frozen=True, slots=True)
class LongFormSegment:
    """One segment of :meth:`Engine.transcribe_audio`; words in ms from the start of the file."""

    start_s: float
    end_s: float
    text: str
    words: list[Word]
    compression_ratio: float


@dataclass(slots=True)
class _Item:
    """One window's decoding in progress (``segments`` get words from the aligner)."""

    segments: list[dict[str, Any]]
    text: str
    prefix_words: int
    no_speech_prob: float
    avg_logprob: float
    hit_token_limit: bool

    def result(self) -> WindowResult:
        words = tuple(
            _word(w["word"], w["start"], w["end"], w["probability"])
            for s in self.segments
            for w in s.get("words", [])
        )
        return WindowResult(
            words=words,
            prefix_words=min(self.prefix_words, len(words)),
            text=self.text,
            no_speech_prob=self.no_speech_prob,
            avg_logprob=self.avg_logprob,
            compression_ratio=compression_ratio(self.text),
            hit_token_limit=self.hit_token_limit,
        )


def _word(text: str, start_s: float, end_s: float, probability: float) -> Word:
    return Word(text, round(start_s * 1000), round(end_s * 1000), float(probability))


def _encode(tok: Tokenizer, text: str) -> list[int]:
    text = text.strip()
    return list(tok.encode(" " + text)) if text else []


def compression_ratio(text: str) -> float:
    """gzip ratio as Whisper uses it to spot repetitive output (> 2.4 is suspicious)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


class Engine:
    """One loaded Whisper model shared by many streams (calls are serialised by the caller)."""

    def __init__(
        self,
        model_path: Path | str,
        *,
        compute_type: str = "int8",
        cpu_threads: int = 0,
        device: str = "cpu",
    ) -> None:
        self.model_path = Path(model_path)
        self.compute_type = compute_type
        self._model = WhisperModel(
            str(model_path),
            device=device,
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            local_files_only=True,
        )
        self._tokenizers: dict[str, Tokenizer] = {}
        self._vad: VadModel | None = None
        self._vad_lock = threading.Lock()

    @property
    def multilingual(self) -> bool:
        return bool(self._model.model.is_multilingual)

    def tokenizer(self, language: str) -> Tokenizer:
        tok = self._tokenizers.get(language)
        if tok is None:
            tok = Tokenizer(
                self._model.hf_tokenizer,
                self.multilingual,
                task="transcribe",
                language=language if self.multilingual else "en",
            )
            self._tokenizers[language] = tok
        return tok

    def vad_model(self) -> VadModel:
        with self._vad_lock:
            if self._vad is None:
                self._vad = get_vad_model().session
            return self._vad

    # -- window decoding -------------------------------------------------------------------

    def _features(self, audio: FloatArray, frames: int) -> FloatArray:
        padded = np.zeros(frames * SAMPLE_RATE_HZ // _FRAMES_PER_S, dtype=np.float32)
        n = min(len(audio), len(padded))
        padded[:n] = audio[:n]
        feats: FloatArray = self._model.feature_extractor(padded, padding=0)
        return feats[:, :frames]

    def decode_windows(
        self, requests: Sequence[WindowRequest], options: DecodeOptions
    ) -> list[WindowResult]:
        """Decode a batch of windows (each at most 30 s) in one encoder and one decoder call."""
        if not requests:
            return []
        longest_s = max(len(r.audio) for r in requests) / SAMPLE_RATE_HZ
        if options.pad_to_30s:
            frames = _MAX_FRAMES
        else:
            frames = min(_MAX_FRAMES, math.ceil((longest_s + options.tail_padding_s) * 10) * 10)
        features = np.stack([self._features(r.audio, frames) for r in requests])
        encoder_output = self._model.encode(features)
        tokenizers = [self.tokenizer(r.language) for r in requests]
        prefixes = [_encode(tok, r.prefix) for tok, r in zip(tokenizers, requests, strict=True)]
        previous = [
            _encode(tok, r.prompt)[-(_MAX_LENGTH // 4) :]
            for tok, r in zip(tokenizers, requests, strict=True)
        ]
        # CTranslate2 wants <|startoftranscript|> at one position across a batch: a batch shares
        # the shortest context (the scheduler batches windows of one hearing's similar streams).
        common = min(len(p) for p in previous)
        prompts = [
            self._prompt(tok, prev[len(prev) - common :], prefix)
            for tok, prev, prefix in zip(tokenizers, previous, prefixes, strict=True)
        ]
        max_new = max(
            math.ceil(options.max_tokens_per_s * len(r.audio) / SAMPLE_RATE_HZ) + 8
            for r in requests
        )
        max_length = min(_MAX_LENGTH, max(len(p) for p in prompts) + max_new)
        results = self._model.model.generate(
            encoder_output,
            prompts,
            beam_size=options.beam_size,
            repetition_penalty=options.repetition_penalty,
            patience=1.0,
            length_penalty=1.0,
            max_length=max_length,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=options.suppress_blank,
            suppress_tokens=[-1],
        )
        items: list[_Item] = []
        for tok, prompt, prefix, res in zip(tokenizers, prompts, prefixes, results, strict=True):
            generated = [t for t in res.sequences_ids[0] if t < tok.eot]
            seq_len = len(res.sequences_ids[0])
            tokens = prefix + generated
            segments = (
                [{"seek": 0, "start": 0.0, "end": frames / _FRAMES_PER_S, "tokens": tokens}]
                if tokens
                else []
            )
            items.append(
                _Item(
                    segments=segments,
                    text=tok.decode(generated).strip(),
                    prefix_words=len(tok.split_to_word_tokens(prefix)[0]) if prefix else 0,
                    no_speech_prob=float(res.no_speech_prob),
                    avg_logprob=float(res.scores[0]) * seq_len / (seq_len + 1),
                    hit_token_limit=len(prompt) + seq_len >= max_length - 1,
                )
            )
        self._add_word_timestamps(requests, tokenizers, encoder_output, frames, items)
        return [item.result() for item in items]

    def _prompt(self, tok: Tokenizer, previous: list[int], prefix: list[int]) -> list[int]:
        prompt: list[int] = self._model.get_prompt(tok, previous, without_timestamps=True)
        return prompt + prefix

    def _add_word_timestamps(
        self,
        requests: Sequence[WindowRequest],
        tokenizers: Sequence[Tokenizer],
        encoder_output: ctranslate2.StorageView,
        frames: int,
        items: list[_Item],
    ) -> None:
        # Alignment runs per language group on items that produced text; CTranslate2 needs the
        # encoder output of exactly those items, so slice it when some items are empty.
        with_text = [i for i, item in enumerate(items) if item.segments]
        if not with_text:
            return
        by_language: dict[str, list[int]] = {}
        for i in with_text:
            by_language.setdefault(requests[i].language, []).append(i)
        for indices in by_language.values():
            if len(indices) == len(requests):
                enc = encoder_output
            else:
                enc = ctranslate2.StorageView.from_array(np.array(encoder_output)[indices])
            self._model.add_word_timestamps(
                [items[i].segments for i in indices],
                tokenizers[indices[0]],
                enc,
                frames,
                PREPEND_PUNCTUATIONS,
                APPEND_PUNCTUATIONS,
                0.0,
            )

    # -- language ----------------------------------------------------------------------------

    def detect_language(
        self, audio: FloatArray, candidates: Sequence[str] = ("zh", "en")
    ) -> tuple[str, float]:
        """Most probable language among ``candidates`` (renormalised probability)."""
        if not self.multilingual:
            return "en", 1.0
        frames = min(_MAX_FRAMES, math.ceil(len(audio) / SAMPLE_RATE_HZ * 10 + 10) * 10)
        features = self._features(audio, frames)[None, :, :]
        encoder_output = self._model.encode(features)
        probs = {
            token[2:-2]: float(p)
            for token, p in self._model.model.detect_language(encoder_output)[0]
        }
        allowed = {c: probs.get(c, 0.0) for c in candidates} or probs
        total = sum(allowed.values()) or 1.0
        best = max(allowed, key=lambda c: allowed[c])
        return best, allowed[best] / total

    # -- whole files -------------------------------------------------------------------------

    def transcribe_audio(
        self,
        audio: FloatArray,
        *,
        language: str | None,
        initial_prompt: str | None,
        beam_size: int = 5,
    ) -> tuple[str, Iterator[LongFormSegment]]:
        """faster-whisper's long-form transcription with VAD, word timestamps and no conditioning
        on previous text (the main cause of repetition loops).

        Decoding is at temperature 0 only: faster-whisper's fallback re-decodes a looping window
        at five rising temperatures, each up to the token limit (RTF 4 and more on a 2 s clip
        that loops), and sampling does not stop a loop. A looping segment is kept with its
        compression ratio; the caller re-decodes it with a repetition penalty and truncates what
        is left of the loop, as the streaming engine does. A decode is bounded like a window's
        (``DecodeOptions.max_tokens_per_s`` of the audio, at most a 30 s window's worth), so a
        loop cannot run on to the model's token limit.
        """
        seconds = min(len(audio) / SAMPLE_RATE_HZ, _LONG_FORM_WINDOW_S)
        max_new_tokens = math.ceil(DecodeOptions().max_tokens_per_s * seconds) + _TIMESTAMP_TOKENS
        segments, info = self._model.transcribe(
            audio,
            language=language,
            beam_size=beam_size,
            temperature=0.0,
            max_new_tokens=max_new_tokens,
            vad_filter=True,
            word_timestamps=True,
            condition_on_previous_text=False,
            initial_prompt=initial_prompt,
            prepend_punctuations=PREPEND_PUNCTUATIONS,
            append_punctuations=APPEND_PUNCTUATIONS,
        )

        def generate() -> Iterator[LongFormSegment]:
            for seg in segments:
                words = [_word(w.word, w.start, w.end, w.probability) for w in seg.words or []]
                if seg.no_speech_prob > 0.6 and seg.avg_logprob < -1.0:
                    logger.debug("dropping a suspicious segment at %.1f s", seg.start)
                    continue
                yield LongFormSegment(
                    float(seg.start), float(seg.end), seg.text, words, seg.compression_ratio
                )

        return str(info.language), generate()
