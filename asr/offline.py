"""Whole-file (offline) transcription: a file in, display-ready segments out.

:func:`transcribe_file` decodes an audio or video file (``asr.audio``), runs faster-whisper's own
long-form loop on it (``Engine.transcribe_audio``: VAD on, no conditioning on earlier text) and
cleans every segment the way the streaming engine cleans its windows:

* Mandarin (``language="zh"``, forced or detected) is converted to simplified Chinese, segment text
  and words alike; a forced Mandarin run is prompted with ``DEFAULT_PROMPTS["zh"]`` unless the
  caller gives its own ``initial_prompt``;
* a segment that loops (``looks_looped``: a high compression ratio, or copies of a phrase that
  the audio has no time for) is decoded once more with the repetition penalty the streaming
  engine uses (``LOOP_REPETITION_PENALTY``); decoding is at temperature 0 only, so a loop costs
  one extra decode of its segment rather than five fallback decodes of the whole window;
* runs of words the aligner squeezed into no time (``drop_collapsed_words``) and repetition
  loops (``truncate_repetitions``) are removed from each segment's words, and the segment's text
  is rebuilt from the words kept (``join_text``); a segment left without words is dropped.

:func:`load_engine` resolves a model name and loads it, turning loader failures into
:class:`asr.errors.ModelError`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from asr.audio import decode_file
from asr.engine import DecodeOptions, Engine, FloatArray, LongFormSegment, WindowRequest
from asr.errors import ModelError
from asr.guards import drop_collapsed_words, looks_looped, truncate_repetitions
from asr.models import ModelSpec, resolve_model
from asr.runner import LOOP_REPETITION_PENALTY
from asr.stream_config import DEFAULT_PROMPTS
from asr.text import join_text, to_simplified
from asr.types import SAMPLE_RATE_HZ, Segment, Word

__all__ = ["load_engine", "transcribe_file"]

logger = logging.getLogger(__name__)

Progress = Callable[[float], None]
"""Called with the fraction of the file transcribed so far, in [0, 1]."""


def load_engine(
    model: str,
    *,
    model_dir: Path | None = None,
    allow_download: bool = False,
    compute_type: str = "int8",
    cpu_threads: int = 0,
) -> tuple[ModelSpec, Engine]:
    """Resolve ``model`` (see :func:`asr.models.resolve_model`) and load it.

    Raises:
        ModelError: the model cannot be resolved, or CTranslate2 cannot load it (a damaged
            ``model.bin``, an unsupported compute type).
    """
    spec = resolve_model(model, model_dir=model_dir, allow_download=allow_download)
    try:
        engine = Engine(spec.path, compute_type=compute_type, cpu_threads=cpu_threads)
    except (RuntimeError, ValueError, OSError) as exc:
        reason = " ".join(str(exc).split())
        raise ModelError(
            f"cannot load model {model!r} from {spec.path} (compute type {compute_type}): {reason}"
        ) from exc
    return spec, engine


def check_language(engine: Engine, language: str | None, *, model: str | None = None) -> None:
    """Refuse Mandarin on an English-only model (faster-whisper would silently decode English)."""
    if language is not None and language != "en" and not engine.multilingual:
        name = model if model is not None else str(engine.model_path)
        raise ModelError(
            f"model {name!r} is English-only and cannot transcribe language {language!r}; "
            f"use a multilingual model such as 'base'"
        )


def transcribe_file(
    engine: Engine,
    path: Path | str,
    *,
    language: str | None = None,
    beam_size: int = 5,
    initial_prompt: str | None = None,
    progress: Progress | None = None,
) -> tuple[str, list[Segment]]:
    """Transcribe a whole file; returns the language (as given, or detected) and the segments.

    ``language=None`` lets the model detect the language. Segment and word times are integer ms
    from the start of the file. ``progress`` is called with ``end of segment / duration`` as
    segments arrive and with ``1.0`` at the end.

    Raises:
        AudioDecodeError: the file cannot be decoded.
        ModelError: Mandarin was asked of an English-only model.
    """
    check_language(engine, language)
    audio = decode_file(path)
    duration_s = len(audio) / SAMPLE_RATE_HZ
    prompt = initial_prompt
    if prompt is None and language is not None:
        prompt = DEFAULT_PROMPTS.get(language) or None
    detected, raw_segments = engine.transcribe_audio(
        audio, language=language, initial_prompt=prompt, beam_size=beam_size
    )
    segments: list[Segment] = []
    for raw in raw_segments:
        if looks_looped(raw.words, compression_ratio=raw.compression_ratio, hit_token_limit=False):
            raw = _decode_again(engine, audio, raw, detected, prompt or "", beam_size)
        segment = clean_segment(raw.start_s, raw.end_s, raw.text, raw.words, detected)
        if segment is not None:
            segments.append(segment)
        if progress is not None and duration_s > 0:
            progress(min(1.0, max(0.0, raw.end_s / duration_s)))
    if progress is not None:
        progress(1.0)
    return detected, segments


def _decode_again(
    engine: Engine,
    audio: FloatArray,
    raw: LongFormSegment,
    language: str,
    prompt: str,
    beam_size: int,
) -> LongFormSegment:
    """The looping segment's audio decoded once more with the repetition penalty; the original
    segment if that finds no words."""
    start = max(0, int(raw.start_s * SAMPLE_RATE_HZ))
    end = min(len(audio), int(raw.end_s * SAMPLE_RATE_HZ))
    if end <= start:
        return raw
    options = DecodeOptions(beam_size=beam_size, repetition_penalty=LOOP_REPETITION_PENALTY)
    (result,) = engine.decode_windows([WindowRequest(audio[start:end], language, prompt)], options)
    offset_ms = start * 1000 // SAMPLE_RATE_HZ
    words = [
        Word(w.text, w.start_ms + offset_ms, w.end_ms + offset_ms, w.probability)
        for w in result.words
    ]
    if not words:
        return raw
    logger.debug("segment at %.1f s looped: decoded again with a repetition penalty", raw.start_s)
    return LongFormSegment(
        raw.start_s, raw.end_s, "".join(w.text for w in words), words, result.compression_ratio
    )


def clean_segment(
    start_s: float, end_s: float, text: str, words: list[Word], language: str
) -> Segment | None:
    """One decoded segment made display-ready (see the module docstring); None if nothing is left.

    When words were cut off the end, the segment ends with the last word kept.
    """
    if language == "zh":
        text = to_simplified(text)
        words = [Word(to_simplified(w.text), w.start_ms, w.end_ms, w.probability) for w in words]
    start_ms = round(start_s * 1000)
    end_ms = max(start_ms, round(end_s * 1000))
    if words:
        kept = drop_collapsed_words(truncate_repetitions(words))
        if not kept:
            logger.debug("dropping a segment at %.1f s: no word survived the guards", start_s)
            return None
        if len(kept) < len(words):
            end_ms = max(start_ms, min(end_ms, kept[-1].end_ms))
        text = join_text(kept, language)
        words = kept
    else:
        text = join_text([Word(text, start_ms, end_ms, 1.0)], language)
    if not text:
        return None
    return Segment(start_ms=start_ms, end_ms=end_ms, text=text, words=tuple(words))
