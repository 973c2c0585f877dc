"""The synchronous core of one recognition stream: audio in, decode jobs out, events back.

``StreamProcessor`` never calls the model. ``feed`` runs VAD on the intake path; ``next_job``
says what the stream needs decoded now (or nothing); whoever owns the model runs the job (alone,
or batched with other streams' jobs) and hands the result to ``apply``, which returns events.
This split lets one scheduler serve many streams fairly, and lets the evaluation drive the same
logic against a simulated clock.

Per utterance (VAD speech start → end):
* every ``step_ms`` of new audio, the window from the utterance start is decoded and the
  LocalAgreement policy commits what two consecutive hypotheses agree on; the rest is the partial;
* at the VAD endpoint the window is decoded once more, with beam ``beam_size`` and at least
  ``final_window_ms`` of input (a short window padded with silence), and everything left is
  committed, so an utterance's tail is final ``min_silence_ms`` after the speaker stops. That
  final decode corrects what quick decodes committed; where Whisper stopped it early, the rest
  of the utterance is decoded again, once (``asr.commits``);
* a window longer than ``trim_window_ms`` is cut after the last committed sentence end; one
  longer than ``max_window_ms`` is decoded as final and cut there (``asr.window``).
Silence is never decoded.

The processor owns the utterances (VAD, backlog), the jobs and when the window moves; the audio
window, its committed words and the prompt are a ``Window`` (``asr.window``), what decodes commit
and correct is ``Commits`` (``asr.commits``), and the voiced audio still to account for a
``VoicedLedger`` (``asr.coverage``). ``StreamConfig``, ``DecodeJob`` and ``DEFAULT_PROMPTS`` live
in ``asr.stream_config`` and are re-exported here.

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

import numpy as np

from asr.commits import Commits, decoded_words
from asr.coverage import VoicedLedger
from asr.engine import DecodeOptions, FloatArray, VadModel, WindowResult
from asr.stream_config import DEFAULT_PROMPTS, DecodeJob, StreamConfig
from asr.types import SAMPLE_RATE_HZ, Event, Gap, Word
from asr.vad import SpeechEnd, SpeechStart, StreamingVad
from asr.window import Window

__all__ = ["DEFAULT_PROMPTS", "DecodeJob", "StreamConfig", "StreamProcessor"]

_SAMPLES_PER_MS = SAMPLE_RATE_HZ // 1000
_MIN_CONTEXT_SAMPLES = 500 * _SAMPLES_PER_MS
_ONSETS_KEPT = 16


class StreamProcessor:
    def __init__(self, config: StreamConfig, vad_model: VadModel) -> None:
        self.config = config
        self.language: str | None = config.language
        self._vad = StreamingVad(vad_model, config.vad)
        self._pad = config.vad.speech_pad_ms * _SAMPLES_PER_MS
        self._lead = config.window_lead_ms * _SAMPLES_PER_MS
        self._window = Window(config.prompt_chars, config.initial_prompt, config.hotwords)
        self._received = 0
        self._speech_start: int | None = None  # open utterance
        self._last_speech_end: int | None = None
        self._final_end: int | None = None  # an utterance ended; its final decode is due
        self._last_decoded_end = 0
        self._onset = 0
        self._onsets: deque[int] = deque(maxlen=_ONSETS_KEPT)  # recent utterance onsets
        self._last_decode_ms = 0.0
        self._safe_cut = 0  # everything before this sample is committed (an utterance end)
        self._generation = 0
        self._finished = False
        self._detect_confidence = 0.0
        self._voiced = VoicedLedger()
        self._commits = Commits(
            config.agreement, self._window, self._voiced, config.vad.speech_pad_ms
        )

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
        undecoded_from = max(self._last_decoded_end, self._window.start, self._onset)
        return max(0, self._received - undecoded_from) // _SAMPLES_PER_MS

    def set_hotwords(self, hotwords: tuple[str, ...]) -> None:
        self._window.hotwords = tuple(h.strip() for h in hotwords if h.strip())

    def feed(self, samples: FloatArray) -> list[Event]:
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        self._window.append(samples)
        self._received += len(samples)
        for ev in self._vad.accept(samples):
            if isinstance(ev, SpeechStart):
                self._start_speech(ev.sample)
            elif isinstance(ev, SpeechEnd):
                self._end_speech(ev)
        if not self.has_speech:
            self._forget_silence()
        elif self._received - self._window.start > self.config.max_pending_ms * _SAMPLES_PER_MS:
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
        start = max(self._window.start, sample - self._pad)
        gap_ms = (
            (start - self._last_speech_end) // _SAMPLES_PER_MS
            if self._last_speech_end is not None
            else None
        )
        if self._final_end is None and (gap_ms is None or gap_ms > self.config.context_gap_ms):
            # A new window: earlier speech is too far back to help. It opens with a little of
            # the silence before the speech, as a whole-file decode's window does.
            self._cut(max(self._window.start, start - self._lead))
        if self._final_end is None:
            self._onset = start  # the oldest speech not yet decoded starts here
        self._onsets.append(start)
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
            self._cut(self._received - self._pad - self._lead)

    def _skip_backlog(self) -> list[Event]:
        """Far behind real time: give up the oldest audio and say so (never an unbounded buffer)."""
        keep_from = self._received - self.config.trim_window_ms * _SAMPLES_PER_MS
        gap = Gap(self._window.start // _SAMPLES_PER_MS, keep_from // _SAMPLES_PER_MS, "backlog")
        self._voiced.skip(gap.end_ms)
        self._commits.reset_history()
        self._window.committed.clear()
        self._final_end = None
        self._speech_start = keep_from if self._vad.in_speech else None
        self._last_decoded_end = keep_from
        self._window.drop_until(keep_from)
        self._generation += 1
        return [gap]

    # -- jobs --------------------------------------------------------------------------------

    def next_job(self) -> DecodeJob | None:
        if not self.has_speech:
            return None
        self._maybe_trim()
        start = self._window.start
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
        return DecodeJob(
            request=self._window.request(end, self.language, use_prefix=self.config.use_prefix),
            options=DecodeOptions(
                beam_size=beam,
                pad_to_30s=self.config.pad_to_30s,
                repetition_penalty=1.0 if final else self.config.partial_repetition_penalty,
                tail_padding_s=self._tail_padding_s(end, final=final),
            ),
            start_sample=self._window.start,
            end_sample=end,
            final=final,
            end_of_utterance=end_of_utterance,
            detect_language=self.language is None,
            generation=self._generation,
            candidates=self.config.auto_languages,
            retry_loops=not lagging,
        )

    def _tail_padding_s(self, end: int, *, final: bool) -> float:
        """Silence after the window's audio: a final decode reads at least ``final_window_ms``."""
        least_s = DecodeOptions().tail_padding_s
        if not final:
            return least_s
        audio_s = (end - self._window.start) / SAMPLE_RATE_HZ
        return max(least_s, self.config.final_window_ms / 1000 - audio_s)

    def _note_voiced(self, start_sample: int, end_sample: int) -> None:
        if end_sample > start_sample:
            self._voiced.note(start_sample // _SAMPLES_PER_MS, end_sample // _SAMPLES_PER_MS)

    def note_decode_time(self, seconds: float) -> None:
        """How long the last decode of this stream took (wall time, including batch mates)."""
        self._last_decode_ms = seconds * 1000

    def set_language(self, language: str, probability: float = 1.0) -> None:
        """Language detection result; accepted once it is confident or enough speech was heard."""
        if self.language is not None:
            return
        heard_ms = (self._received - self._window.start) // _SAMPLES_PER_MS
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
        words, decoded_to_ms = decoded_words(
            job,
            result,
            language,
            speech_pad_ms=self.config.vad.speech_pad_ms,
            prompt=self._window.instruction_prompt(language),
        )
        onset = self._onset_before(job.end_sample)
        if self._stopped_before_utterance(job, words, onset):
            # Whisper ended the text after the earlier speech in the window and never reached
            # the current utterance: drop the audio context and decode the utterance alone.
            # Its words committed already stay with their audio, out of the prompt: a prompt
            # that ends with words the window then says again throws the decode ("A severe |
            # stormstorms. A severe storms").
            self._cut(onset, self._window.words_ending_by(onset))
            self._commits.reset_history()
            return []
        self._last_decoded_end = max(self._last_decoded_end, job.end_sample)
        emitted_at = self._received // _SAMPLES_PER_MS
        if job.final:
            return self._apply_final(job, words, decoded_to_ms, language, emitted_at, onset)
        stable_until = job.end_sample // _SAMPLES_PER_MS - self.config.commit_margin_ms
        return self._commits.quick(words, stable_until, language, emitted_at)

    def _apply_final(
        self,
        job: DecodeJob,
        words: list[Word],
        decoded_to_ms: int,
        language: str,
        emitted_at: int,
        onset: int,
    ) -> list[Event]:
        """Commit everything a final decode yields (``asr.commits``), then move on: where it
        stopped early, to a re-read of the rest of the utterance; else past the decoded window."""
        events, reread_from_ms = self._commits.final(
            job, words, decoded_to_ms, language, emitted_at, onset
        )
        if reread_from_ms is not None:
            self._cut_before(reread_from_ms)
            return events
        if job.end_of_utterance:
            events.extend(self._voiced.account(job.end_sample // _SAMPLES_PER_MS))
        self._safe_cut = job.end_sample
        if self._final_end is not None and self._final_end <= job.end_sample:
            self._final_end = None
        if job.end_of_utterance:
            self._keep_context(job.end_sample)
        else:
            self._cut(job.end_sample)  # a forced cut inside a long utterance
        return events

    def _cut_before(self, ms: int) -> None:
        """Start the window at the first committed word from ``ms`` on (else at the last one):
        audio the next decode reads as already said, so that the rest of an utterance is not read
        alone (Whisper invents words after half a second of tail)."""
        point = self._window.word_cut(ms)
        if point is not None:
            self._cut(*point)

    def _onset_before(self, end_sample: int) -> int:
        """Where the utterance that a window ending at ``end_sample`` decodes began: the latest
        onset before that end. The next utterance may begin while a decode runs (a slow machine,
        a busy scheduler); its onset is not this decode's. With it, a final decode that read
        only its audio context looked like one of a window before the utterance and committed
        nothing: the utterance was lost as "unrecognised" (a sentence said again after 1 s)."""
        earlier = [o for o in self._onsets if o < end_sample]
        if earlier:
            return earlier[-1]
        return self._onsets[-1] if self._onsets else 0

    def _stopped_before_utterance(self, job: DecodeJob, words: list[Word], onset: int) -> bool:
        if onset <= job.start_sample + _MIN_CONTEXT_SAMPLES or onset <= self._window.start:
            return False
        if job.end_sample - onset < _MIN_CONTEXT_SAMPLES * 2:
            return False
        return not any(w.end_ms * _SAMPLES_PER_MS > onset for w in words)

    def _maybe_trim(self) -> None:
        """Keep the window short: cut after the last committed sentence end or utterance end."""
        if self._received - self._window.start <= self.config.trim_window_ms * _SAMPLES_PER_MS:
            return
        point = self._window.trim_point(self._safe_cut)
        if point is not None:
            self._cut(*point)

    def _keep_context(self, utterance_end: int) -> None:
        """After an utterance, keep about ``context_keep_ms`` of it (whole committed words) as
        audio context for the next one; earlier words move to the text prompt.

        The context starts at a clause start if one lies within ``context_clause_slack_ms`` more
        of it: audio that starts mid-clause, after a prompt that stops mid-clause ("… frequent
        formal | review of activities"), throws the next decode. On the English long file at a
        slower machine's decode costs, "thereunder" read "they are under" and "may now present"
        "made how prevent" (docs/benchmarks.md, section 1)."""
        window = self._window
        from_ms = utterance_end // _SAMPLES_PER_MS - self.config.context_keep_ms
        keep = window.clause_start_from(from_ms - self.config.context_clause_slack_ms)
        if keep is None:
            keep = window.first_word_from(from_ms)
        if keep is None:
            self._cut(utterance_end)
            return
        if keep > 0:
            self._cut(window.committed[keep].start_ms * _SAMPLES_PER_MS, keep)
        self._commits.keep_as_context(window.committed)

    def _cut(self, sample: int, keep: int | None = None) -> None:
        """Move the window start to ``sample``; committed words before it become prompt text."""
        self._window.cut(sample, keep, self.language)
        if self._speech_start is not None:
            self._speech_start = max(self._speech_start, sample)

    @property
    def finished(self) -> bool:
        return self._finished and not self.has_speech
