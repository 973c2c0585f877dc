"""The synchronous core of one recognition stream: audio in, decode jobs out, events back.

``StreamProcessor`` never calls the model. ``feed`` runs VAD on the intake path; ``next_job``
says what the stream needs decoded now (or nothing); whoever owns the model runs the job (alone,
or batched with other streams' jobs) and hands the result to ``apply``, which returns events.
This split lets one scheduler serve many streams fairly, and lets the evaluation drive the same
logic against a simulated clock.

Per utterance (VAD speech start → end):
* every ``step_ms`` of new audio, the window from the utterance start is decoded and the
  LocalAgreement policy commits what two consecutive hypotheses agree on; the rest is the partial;
* at the VAD endpoint the window is decoded once more and everything left is committed, so an
  utterance's tail is final ``min_silence_ms`` after the speaker stops. Whisper may stop early in
  a long window (end-of-text after an earlier sentence): where the latest partial heard more and
  voiced audio remains, the partial's words after the stop are committed at once and the rest
  is decoded again, once, from a second before the stop; that decode corrects those words and
  adds what nobody read;
* a window longer than ``trim_window_ms`` is cut after the last committed sentence end; one
  longer than ``max_window_ms`` is decoded as final and cut there. Memory and the cost of a decode
  stay bounded however long a stream runs.
Silence is never decoded.

Nothing voiced disappears silently: at each utterance end the voiced audio (by VAD) that no
committed word covers becomes a ``Gap(reason="unrecognised")`` (see ``asr.coverage``), audio
skipped behind real time a ``Gap(reason="backlog")``, and an utterance whose end brings no new
words ends with ``UtteranceEnd``, never with an empty ``Commit``.

Earlier text is compared with new text in three places, each by time as well as text, so that a
speaker who says the same thing again is transcribed again: the loop guard (a copy counts as
speech when it lies at new audio times and takes as long to say, ``asr.guards.spoken_again``),
the commit policy's overlap with committed words (``asr.policy``), and the prompt echo guard,
which only looks for the fixed instruction prompt, never for the speaker's own earlier words.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from asr.coverage import uncovered
from asr.engine import DecodeOptions, FloatArray, VadModel, WindowRequest, WindowResult
from asr.guards import (
    drop_collapsed_words,
    drop_prompt_echo,
    is_hallucination,
    truncate_repetitions,
)
from asr.policy import LocalAgreement
from asr.revise import Change, context_revision, revision
from asr.text import display_words, join_text
from asr.types import (
    SAMPLE_RATE_HZ,
    Commit,
    Event,
    Gap,
    Partial,
    Revision,
    UtteranceEnd,
    Word,
    apply_revision,
)
from asr.vad import SpeechEnd, SpeechStart, StreamingVad, VadConfig

_SAMPLES_PER_MS = SAMPLE_RATE_HZ // 1000
_SENTENCE_END = tuple(".?!。？！；;")
_PADDING_WORD_MS = 40
_MIN_CONTEXT_SAMPLES = 500 * _SAMPLES_PER_MS
# A final decode that stopped early, leaving this much voiced audio after its last word, is
# followed by a decode of the rest from ``_REST_CONTEXT_MS`` before where it stopped.
_REST_MS = 300
_REST_CONTEXT_MS = 1000
_RECENT_WORDS = 48  # committed words kept to spot loops across windows

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
    language_confidence: float = 0.85
    language_max_detect_ms: int = 8000
    prompt_chars: int = 100
    initial_prompt: str | None = None
    hotwords: tuple[str, ...] = ()
    language_detect_ms: int = 3000
    pad_to_30s: bool = False
    final_pad_to_30s: bool = False
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


class StreamProcessor:
    def __init__(self, config: StreamConfig, vad_model: VadModel) -> None:
        self.config = config
        self.language: str | None = config.language
        self._hotwords = config.hotwords
        self._vad = StreamingVad(vad_model, config.vad)
        self._pad = config.vad.speech_pad_ms * _SAMPLES_PER_MS
        self._pad_ms = config.vad.speech_pad_ms
        self._audio: FloatArray = np.zeros(0, dtype=np.float32)
        self._buf_start = 0  # absolute sample index of self._audio[0]: the window start
        self._received = 0
        self._speech_start: int | None = None  # open utterance
        self._last_speech_end: int | None = None
        self._final_end: int | None = None  # an utterance ended; its final decode is due
        self._last_decoded_end = 0
        self._onset = 0
        self._utterance_onset = 0
        self._last_decode_ms = 0.0
        self._policy = LocalAgreement(agreement=config.agreement)
        self._window_committed: list[Word] = []
        self._recent_committed: deque[Word] = deque(maxlen=_RECENT_WORDS)
        self._safe_cut = 0  # everything before this sample is committed (an utterance end)
        self._history = ""
        self._generation = 0
        self._finished = False
        self._detect_confidence = 0.0
        # Voiced stretches (ms) not yet accounted for, and the words committed since they began.
        self._voiced: list[tuple[int, int]] = []
        self._words_since_voiced: list[Word] = []
        # Committed by quick decodes since the last final decode: the final one may revise them.
        self._provisional: list[Word] = []
        # Final words of the last utterance kept as audio context: the next final decode reads
        # them again with what followed them and may correct them once (asr.revise).
        self._context: list[Word] = []
        self._rest_read = False  # the rest of the open utterance was decoded again on its own

    # -- intake ------------------------------------------------------------------------------

    @property
    def received_ms(self) -> int:
        return self._received // _SAMPLES_PER_MS

    @property
    def has_speech(self) -> bool:
        return self._speech_start is not None or self._final_end is not None

    @property
    def lag_ms(self) -> int:
        """Speech received but not yet decoded, in ms (0 while nothing waits)."""
        if not self.has_speech:
            return 0
        undecoded_from = max(self._last_decoded_end, self._buf_start, self._onset)
        return max(0, self._received - undecoded_from) // _SAMPLES_PER_MS

    def set_hotwords(self, hotwords: tuple[str, ...]) -> None:
        self._hotwords = tuple(h.strip() for h in hotwords if h.strip())

    def feed(self, samples: FloatArray) -> list[Event]:
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        self._audio = np.concatenate([self._audio, samples])
        self._received += len(samples)
        for ev in self._vad.accept(samples):
            if isinstance(ev, SpeechStart):
                self._start_speech(ev.sample)
            elif isinstance(ev, SpeechEnd):
                self._end_speech(ev)
        if not self.has_speech:
            self._forget_silence()
        elif self._received - self._buf_start > self.config.max_pending_ms * _SAMPLES_PER_MS:
            return self._skip_backlog()
        return []

    def finish(self) -> None:
        """No more audio: the open utterance (if any) ends here."""
        self._finished = True
        if self._speech_start is not None:
            self._note_voiced(self._vad.speech_start, self._received)
            self._final_end = self._received
            self._speech_start = None

    def _start_speech(self, sample: int) -> None:
        start = max(self._buf_start, sample - self._pad)
        gap_ms = (
            (start - self._last_speech_end) // _SAMPLES_PER_MS
            if self._last_speech_end is not None
            else None
        )
        if self._final_end is None and (gap_ms is None or gap_ms > self.config.context_gap_ms):
            self._cut(start)  # a new window: earlier speech is too far back to help
        if self._final_end is None:
            self._onset = start  # the oldest speech not yet decoded starts here
        self._utterance_onset = start
        self._speech_start = start

    def _end_speech(self, ev: SpeechEnd) -> None:
        if self._speech_start is None:
            return
        end = min(self._received, ev.sample + self._pad)
        too_short = ev.sample - ev.speech_start < self.config.vad.min_speech_ms * _SAMPLES_PER_MS
        self._speech_start = None
        if too_short and self._final_end is None and self._last_decoded_end <= ev.speech_start:
            return  # a click or a breath: never decoded
        self._note_voiced(ev.speech_start, ev.sample)
        self._final_end = end
        self._last_speech_end = end

    def _forget_silence(self) -> None:
        """In silence keep only what the next utterance may use as context."""
        keep_ms = self.config.context_gap_ms + self.config.vad.speech_pad_ms
        if self._last_speech_end is None or (
            self._received - self._last_speech_end > keep_ms * _SAMPLES_PER_MS
        ):
            self._cut(self._received - self._pad)

    def _skip_backlog(self) -> list[Event]:
        """Far behind real time: give up the oldest audio and say so (never an unbounded buffer)."""
        keep_from = self._received - self.config.trim_window_ms * _SAMPLES_PER_MS
        gap = Gap(self._buf_start // _SAMPLES_PER_MS, keep_from // _SAMPLES_PER_MS, "backlog")
        self._voiced = [(max(s, gap.end_ms), e) for s, e in self._voiced if e > gap.end_ms]
        self._policy.reset_history()
        self._window_committed.clear()
        self._final_end = None
        self._speech_start = keep_from if self._vad.in_speech else None
        self._last_decoded_end = keep_from
        self._drop_until(keep_from)
        self._generation += 1
        return [gap]

    def _drop_until(self, sample: int) -> None:
        sample = min(sample, self._received)
        if sample > self._buf_start:
            self._audio = self._audio[sample - self._buf_start :].copy()
            self._buf_start = sample

    # -- jobs --------------------------------------------------------------------------------

    def next_job(self) -> DecodeJob | None:
        if not self.has_speech:
            return None
        self._maybe_trim()
        start = self._buf_start
        window_limit = self.config.max_window_ms * _SAMPLES_PER_MS
        if self._final_end is not None:
            end = min(self._final_end, start + window_limit)
            return self._job(end, final=True, end_of_utterance=end == self._final_end)
        if self._received - start > window_limit:
            return self._job(start + window_limit, final=True, end_of_utterance=False)
        new_samples = self._received - max(self._last_decoded_end, start)
        # Partials may spend at most ``partial_budget`` of real time: after an expensive decode
        # (a long window, a speaker the model loops on) the next step waits for more audio.
        step_ms = max(self.config.step_ms, self._last_decode_ms / self.config.partial_budget)
        if new_samples < step_ms * _SAMPLES_PER_MS:
            return None
        if self.lag_ms > self.config.lag_degrade_ms:
            # Behind real time: no partials; commit whole windows once they are long enough.
            if self._received - start < self.config.trim_window_ms * _SAMPLES_PER_MS:
                return None
            return self._job(self._received, final=True, end_of_utterance=False)
        speech_start = self._speech_start if self._speech_start is not None else start
        speech = self._received - speech_start
        if self.language is None and speech < self.config.language_detect_ms * _SAMPLES_PER_MS:
            return None
        return self._job(self._received, final=False, end_of_utterance=False)

    def _job(self, end: int, *, final: bool, end_of_utterance: bool) -> DecodeJob:
        lagging = self.lag_ms > self.config.lag_degrade_ms
        if lagging:
            beam = self.config.lagging_beam_size  # behind real time: cheapest decodes
        elif final:
            beam = self.config.beam_size
        else:
            beam = self.config.partial_beam_size
        audio = self._audio[: end - self._buf_start]
        language = self.language or ""
        use_prefix = self.config.use_prefix and language
        prefix = join_text(self._window_committed, language) if use_prefix else ""
        request = WindowRequest(
            audio=audio, language=language, prompt=self._prompt(), prefix=prefix
        )
        return DecodeJob(
            request=request,
            options=DecodeOptions(
                beam_size=beam,
                pad_to_30s=self.config.pad_to_30s or (final and self.config.final_pad_to_30s),
                repetition_penalty=1.0 if final else self.config.partial_repetition_penalty,
            ),
            start_sample=self._buf_start,
            end_sample=end,
            final=final,
            end_of_utterance=end_of_utterance,
            detect_language=self.language is None,
            generation=self._generation,
            candidates=self.config.auto_languages,
            retry_loops=not lagging,
        )

    def _note_voiced(self, start_sample: int, end_sample: int) -> None:
        if end_sample > start_sample:
            self._voiced.append((start_sample // _SAMPLES_PER_MS, end_sample // _SAMPLES_PER_MS))

    def _account_voiced(self, until_ms: int) -> list[Event]:
        """Voiced audio up to ``until_ms`` that no committed word covers: unrecognised gaps."""
        done = [(s, min(e, until_ms)) for s, e in self._voiced if s < until_ms]
        self._voiced = [(max(s, until_ms), e) for s, e in self._voiced if e > until_ms]
        gaps: list[Event] = [
            Gap(s, e, "unrecognised") for s, e in uncovered(done, self._words_since_voiced)
        ]
        earliest = self._voiced[0][0] if self._voiced else until_ms
        self._words_since_voiced = [w for w in self._words_since_voiced if w.end_ms >= earliest]
        return gaps

    def _instruction_prompt(self, language: str) -> str:
        """The fixed part of the prompt (not hotwords, not earlier text): what an echo repeats."""
        return self.config.initial_prompt or DEFAULT_PROMPTS.get(language, "")

    def _prompt(self) -> str:
        language = self.language or "zh"
        parts = [self.config.initial_prompt or DEFAULT_PROMPTS.get(language, "")]
        if self._hotwords:
            parts.append(("、" if language == "zh" else ", ").join(self._hotwords))
        parts.append(self._history[-self.config.prompt_chars :])
        return " ".join(p for p in parts if p)

    def note_decode_time(self, seconds: float) -> None:
        """How long the last decode of this stream took (wall time, including batch mates)."""
        self._last_decode_ms = seconds * 1000

    def set_language(self, language: str, probability: float = 1.0) -> None:
        """Language detection result; accepted once it is confident or enough speech was heard."""
        if self.language is not None:
            return
        heard_ms = (self._received - self._buf_start) // _SAMPLES_PER_MS
        if (
            probability >= self.config.language_confidence
            or heard_ms >= (self.config.language_max_detect_ms)
            or self._final_end is not None
        ):
            self.language = language

    # -- results -----------------------------------------------------------------------------

    def apply(self, job: DecodeJob, result: WindowResult) -> list[Event]:
        if job.generation != self._generation:
            return []  # the window was skipped while this job ran
        language = job.request.language or self.language or "en"
        offset_ms = job.start_sample // _SAMPLES_PER_MS
        audio_ms = (job.end_sample - job.start_sample) // _SAMPLES_PER_MS
        # Words aligned into the zero padding after the audio, or (at an utterance end) into the
        # silence VAD saw after the speech, are invented: Whisper repeating the window's text.
        tail_ms = self.config.vad.speech_pad_ms - 50 if job.end_of_utterance else 0
        latest_start_ms = audio_ms - max(_PADDING_WORD_MS, tail_ms)
        aligned = [
            replace(
                w,
                start_ms=w.start_ms + offset_ms,
                end_ms=min(w.end_ms, audio_ms) + offset_ms,
            )
            for w in display_words(result.words[result.prefix_words :], language)
            if w.start_ms < latest_start_ms
        ]
        decoded_to_ms = aligned[-1].end_ms if aligned else 0
        words = drop_collapsed_words(truncate_repetitions(aligned))
        words = drop_prompt_echo(words, self._instruction_prompt(language))
        if is_hallucination(
            words,
            no_speech_prob=result.no_speech_prob,
            avg_logprob=result.avg_logprob,
            compression_ratio=result.compression_ratio,
        ):
            words = []
        if self._stopped_before_utterance(job, words):
            # Whisper ended the text after the earlier speech in the window and never reached
            # the current utterance: drop the audio context and decode the utterance alone.
            self._cut(self._utterance_onset)
            self._policy.reset_history()
            return []
        self._last_decoded_end = max(self._last_decoded_end, job.end_sample)
        emitted_at = self._received // _SAMPLES_PER_MS
        events: list[Event] = []
        if job.final:
            return events + self._apply_final(job, words, decoded_to_ms, language, emitted_at)
        stable_until = job.end_sample // _SAMPLES_PER_MS - self.config.commit_margin_ms
        update = self._policy.update(words, stable_until_ms=stable_until)
        newly = self._no_loop_across_commits(update.committed)
        if newly:
            events.append(Commit(newly, language, False, emitted_at))
            self._window_committed.extend(newly)
            self._words_since_voiced.extend(newly)
            self._provisional.extend(newly)
        events.append(Partial(update.partial, language, emitted_at))
        return events

    def _apply_final(
        self,
        job: DecodeJob,
        words: list[Word],
        decoded_to_ms: int,
        language: str,
        emitted_at: int,
    ) -> list[Event]:
        """Commit everything a final decode (utterance end or forced cut) yields; ``words`` are
        its words after the guards, ``decoded_to_ms`` where its own words ended before them."""
        events: list[Event] = []
        # The partial read on past the final decode's last word, and the decode itself ended
        # there (not a loop the guards cut): it stopped early (Whisper emits end-of-text early
        # in a window that holds earlier speech) and is trusted only over the stretch it read.
        read_to_ms = words[-1].end_ms if words else 0
        job_end_ms = job.end_sample // _SAMPLES_PER_MS
        stopped_early = (
            self._policy.pending_end_ms(job_end_ms) > read_to_ms and decoded_to_ms <= read_to_ms
        )
        changes = (
            self._context_revision(job, words),
            self._revision(job, words, read_to_ms if stopped_early else None),
        )
        for change in changes:
            if change is not None:
                events.append(Revision(change.replaced, change.words, language, emitted_at))
        unread = [w for w in self._provisional if w.mid_ms >= read_to_ms]
        self._provisional = []
        rest = (
            job.end_of_utterance and stopped_early and self._read_rest_again(job_end_ms, read_to_ms)
        )
        stop_ms = read_to_ms if words else self._policy.committed_end_ms
        committed = self._no_loop_across_commits(self._policy.finish(words, until_ms=job_end_ms))
        ends = job.end_of_utterance and not rest
        if committed:
            events.append(Commit(committed, language, ends, emitted_at))
        elif ends:
            events.append(UtteranceEnd(job_end_ms))
        events.append(Partial((), language, emitted_at))
        self._window_committed.extend(committed)
        self._words_since_voiced.extend(committed)
        if rest:
            # The final decode stopped before the utterance's end: the words the latest partial
            # heard after it are committed now, as quick decodes' words are, and the rest of
            # the utterance is decoded again from shortly before the stop (once). That decode
            # corrects those words (``_revision``) and adds what nobody read.
            self._rest_read = True
            extra = [w for w in committed if w.mid_ms >= stop_ms]
            self._provisional = unread + extra
            self._cut_before(stop_ms)
            return events
        self._rest_read = False
        if job.end_of_utterance:
            events.extend(self._account_voiced(job_end_ms))
        self._safe_cut = job.end_sample
        if self._final_end is not None and self._final_end <= job.end_sample:
            self._final_end = None
        if job.end_of_utterance:
            self._keep_context(job.end_sample)
        else:
            self._cut(job.end_sample)  # a forced cut inside a long utterance
        return events

    def _read_rest_again(self, end_ms: int, read_to_ms: int) -> bool:
        """Whether the utterance's last voiced stretch goes on ``_REST_MS`` or more past every
        committed word after a final decode that stopped early (Whisper emits end-of-text early
        in a window that holds earlier speech), and the rest has not been read alone yet."""
        if self._rest_read:
            return False
        covered_ms = max(self._policy.committed_end_ms, read_to_ms)
        if covered_ms * _SAMPLES_PER_MS <= self._buf_start:
            return False  # nothing of this window read: a re-read would see the same audio
        voiced_end = max((e for s, e in self._voiced if s < end_ms), default=0)
        return min(voiced_end, end_ms) - covered_ms >= _REST_MS

    def _cut_before(self, ms: int) -> None:
        """Start the window at the first committed word of the ``_REST_CONTEXT_MS`` before ``ms``
        (else at the last one): audio the next decode reads as already said, so that the rest of
        an utterance is not read alone (Whisper invents words after half a second of tail)."""
        if not self._window_committed:
            return
        keep = self._first_word_from(ms - _REST_CONTEXT_MS)
        if keep is None:
            keep = len(self._window_committed) - 1
        self._cut(self._window_committed[keep].start_ms * _SAMPLES_PER_MS, keep)

    def _first_word_from(self, ms: int) -> int | None:
        """Index of the first committed word of the window that starts at ``ms`` or later."""
        return next((i for i, w in enumerate(self._window_committed) if w.start_ms >= ms), None)

    def _context_revision(self, job: DecodeJob, words: list[Word]) -> Change | None:
        """The final decode read the previous utterance's kept words again, now with what
        followed them: where it reads a few of them differently, it corrects them (once)."""
        start_ms = job.start_sample // _SAMPLES_PER_MS
        kept = set(map(id, self._window_committed))
        context = [w for w in self._context if id(w) in kept and w.start_ms >= start_ms]
        self._context = []
        if not context or not words:
            return None
        to_ms = (context[-1].end_ms + self._utterance_onset // _SAMPLES_PER_MS + self._pad_ms) // 2
        change = context_revision(context, words, from_ms=start_ms, to_ms=to_ms)
        if change is not None:
            self._apply_change(change)
        return change

    def _revision(self, job: DecodeJob, words: list[Word], read_to_ms: int | None) -> Change | None:
        """Where the final decode of the window reads the words committed by quick decodes
        differently, it corrects them (``asr.revise``); the stream's own records follow. A final
        decode that stopped early (``read_to_ms``: where it stopped) judges only the words it read
        to."""
        start_ms = job.start_sample // _SAMPLES_PER_MS
        provisional = [w for w in self._provisional if w.start_ms >= start_ms]
        if read_to_ms is not None:
            provisional = [w for w in provisional if w.mid_ms < read_to_ms]
        if not provisional or not words:
            return None
        index = next((i for i, w in enumerate(self._window_committed) if w == provisional[0]), None)
        if index is None:
            return None
        before = self._window_committed[index - 1] if index > 0 else None
        from_ms = (before.end_ms + provisional[0].start_ms) // 2 + 1 if before else start_ms
        to_ms = self._policy.committed_end_ms if read_to_ms is None else read_to_ms
        change = revision(provisional, words, from_ms=from_ms, to_ms=to_ms)
        if change is None:
            return None
        self._apply_change(change)
        return change

    def _apply_change(self, change: Change) -> None:
        """The stream's own records of committed words follow a revision."""
        old, new = change.replaced, change.words
        self._window_committed = apply_revision(self._window_committed, old, new)
        self._words_since_voiced = apply_revision(self._words_since_voiced, old, new)
        recent = apply_revision(list(self._recent_committed), old, new)
        self._recent_committed = deque(recent, maxlen=_RECENT_WORDS)
        self._policy.revise(old, new)

    def _no_loop_across_commits(self, committed: tuple[Word, ...]) -> tuple[Word, ...]:
        """Each window is loop-free, but successive windows can repeat one phrase again and again
        (each copy aligned a little later, over audio an earlier copy already took). Check new
        words against the recent committed ones; a copy at new audio times is kept (see
        ``truncate_repetitions``)."""
        recent = list(self._recent_committed)
        kept = truncate_repetitions(recent + list(committed))
        if len(kept) < len(recent) + len(committed):
            committed = tuple(kept[len(recent) :])
        self._recent_committed.extend(committed)
        return committed

    def _stopped_before_utterance(self, job: DecodeJob, words: list[Word]) -> bool:
        onset = self._utterance_onset
        if onset <= job.start_sample + _MIN_CONTEXT_SAMPLES or onset <= self._buf_start:
            return False
        if job.end_sample - onset < _MIN_CONTEXT_SAMPLES * 2:
            return False
        return not any(w.end_ms * _SAMPLES_PER_MS > onset for w in words)

    def _maybe_trim(self) -> None:
        """Keep the window short: cut after the last committed sentence end or utterance end."""
        if self._received - self._buf_start <= self.config.trim_window_ms * _SAMPLES_PER_MS:
            return
        cut = self._safe_cut
        keep = sum(1 for w in self._window_committed if w.end_ms * _SAMPLES_PER_MS <= cut)
        for i in range(len(self._window_committed) - 1, keep - 1, -1):
            if self._window_committed[i].text.rstrip().endswith(_SENTENCE_END):
                cut, keep = self._window_committed[i].end_ms * _SAMPLES_PER_MS, i + 1
                break
        if cut <= self._buf_start and self._window_committed:
            last = self._window_committed[-1]  # no sentence end: cut after the last final word
            cut, keep = last.end_ms * _SAMPLES_PER_MS, len(self._window_committed)
        if cut > self._buf_start:
            self._cut(cut, keep)

    def _keep_context(self, utterance_end: int) -> None:
        """After an utterance, keep at most ``context_keep_ms`` of it (whole committed words) as
        audio context for the next one; earlier words move to the text prompt."""
        keep = self._first_word_from(utterance_end // _SAMPLES_PER_MS - self.config.context_keep_ms)
        if keep is None:
            self._cut(utterance_end)
            return
        if keep > 0:
            self._cut(self._window_committed[keep].start_ms * _SAMPLES_PER_MS, keep)
        self._context = list(self._window_committed)

    def _cut(self, sample: int, keep: int | None = None) -> None:
        """Move the window start to ``sample``; committed words before it become prompt text."""
        keep = len(self._window_committed) if keep is None else keep
        done, self._window_committed = (
            self._window_committed[:keep],
            self._window_committed[keep:],
        )
        if done:
            self._history += join_text(done, self.language or "en") + (
                "" if self.language == "zh" else " "
            )
            self._history = self._history[-4 * self.config.prompt_chars :]
        if self._speech_start is not None:
            self._speech_start = max(self._speech_start, sample)
        self._drop_until(sample)

    @property
    def finished(self) -> bool:
        return self._finished and not self.has_speech
