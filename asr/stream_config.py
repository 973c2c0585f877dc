"""What one recognition stream is told and what it asks for: ``StreamConfig`` and ``DecodeJob``.

``StreamConfig`` holds the settings of one stream (language, step, beams, window bounds, prompt);
``DecodeJob`` is a window the stream wants decoded, handed by ``asr.stream.StreamProcessor`` to
whoever owns the model (``asr.runner``, ``asr.scheduler``) and back with its result.
``DEFAULT_PROMPTS`` are the fixed instruction prompts per language. Plain data, no logic;
``asr.stream`` re-exports all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asr.engine import DecodeOptions, WindowRequest
from asr.vad import VadConfig

__all__ = ["DEFAULT_PROMPTS", "DecodeJob", "StreamConfig"]

DEFAULT_PROMPTS = {"zh": "以下是普通话的句子。", "en": ""}


@dataclass(frozen=True, slots=True)
class StreamConfig:
    """Settings of one stream. ``language=None`` detects it once among ``auto_languages``."""

    language: str | None = None
    auto_languages: tuple[str, ...] = ("zh", "en")
    step_ms: int = 500
    beam_size: int = 5
    lagging_beam_size: int = 1
    lag_degrade_ms: int = 2000
    agreement: int = 2
    vad: VadConfig = field(default_factory=VadConfig)
    trim_window_ms: int = 12_000
    max_window_ms: int = 16_000
    max_pending_ms: int = 120_000
    context_gap_ms: int = 3000
    context_keep_ms: int = 3000
    # The audio context may start this much earlier so that it starts at a clause start.
    context_clause_slack_ms: int = 1000
    # A window that starts with no audio context opens this long before the speech (VAD onset
    # less ``speech_pad_ms``), with the silence there, as a whole-file decode's window does. On
    # an AVX-512 machine the first Harvard sentence's window read from 0.2 s before the speech
    # gave "most *and a* girl" at every decode cost, from 0.5 s before it "most any girl"
    # (docs/benchmarks.md, section 1); a shift of 10 ms flipped it, 300 ms and more did not.
    window_lead_ms: int = 500
    language_confidence: float = 0.85
    language_max_detect_ms: int = 8000
    prompt_chars: int = 100
    initial_prompt: str | None = None
    hotwords: tuple[str, ...] = ()
    language_detect_ms: int = 3000
    pad_to_30s: bool = False
    # A final decode reads at least this much audio: a shorter window is padded with silence.
    # Quick decodes read just their audio (about 2x cheaper); the beam-5 decode that settles an
    # utterance reads a short one as a whole-file decode does, with room after it: a 5 s
    # sentence read alone "who would vanish", padded to 10 s "who had vanished"
    # (docs/benchmarks.md, section 1). 30_000 pads final decodes to Whisper's whole window.
    final_window_ms: int = 10_000
    use_prefix: bool = False
    partial_beam_size: int = 1
    # 1.0: a penalty on repeated tokens in partial decodes turns speech that repeats earlier
    # words into other words ("ask what you can do" after "ask not what your country can do"
    # became "ask but you can do"); loops are cut by the guards, by time (asr.guards).
    partial_repetition_penalty: float = 1.0
    # Partials may take this share of real time: 1.0 decodes back to back when a decode takes
    # longer than ``step_ms`` (never more than real time). 0.5 kept the model half idle on a
    # single stream and doubled the step where decodes are slow: on an AVX2-only machine whose
    # decodes take about twice as long, English commit p50 1.6 s at 0.5, 1.25 s at 1.0
    # (docs/benchmarks.md, section 1).
    partial_budget: float = 1.0
    commit_margin_ms: int = 0


@dataclass(frozen=True, slots=True)
class DecodeJob:
    """A window to decode; ``final`` commits everything it yields."""

    request: WindowRequest
    options: DecodeOptions
    start_sample: int
    end_sample: int
    final: bool
    end_of_utterance: bool
    detect_language: bool
    generation: int
    candidates: tuple[str, ...] = ()
    language_probability: float = 0.0
    retry_loops: bool = True
