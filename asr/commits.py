"""What one stream's decodes commit: words quick decodes agree on, and what a final decode
commits and corrects.

A decode's words are first placed in stream time and passed through the guards (``asr.guards``):
``decoded_words``. Every ``step_ms`` of an open utterance a quick decode of the window updates the
LocalAgreement policy (``asr.policy``): what two consecutive hypotheses agree on is committed, the
rest is the partial. Those words are provisional. A final decode (at the VAD endpoint, or of a
window cut by force) commits everything left, and corrects once, by time as well as text
(``asr.revise``):
* the provisional words it reads differently (``revision``, the second pass);
* the previous utterance's words kept as audio context, now read with what followed them
  (``context_revision``, the third pass).
Whisper may stop early in a long window (end-of-text after an earlier sentence): where the latest
partial heard more and voiced audio remains, the final decode judges only the words it read, the
partial's words after the stop are committed at once, and the rest is decoded again, once, from a
second before the stop; that decode corrects those words and adds what nobody read.

Each window is loop-free, but successive windows can repeat one phrase again and again: new
commits are checked against the recent committed ones (a copy at new audio times is speech, see
``asr.guards``).

``Commits`` owns the policy and keeps the stream's records of committed words (the window's, the
voiced ledger's, the recent ones) in step with every revision. It never moves the window: a final
decode tells ``asr.stream.StreamProcessor`` where to read again from. No model, no I/O.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from asr.coverage import VoicedLedger
from asr.engine import WindowResult
from asr.guards import (
    drop_collapsed_words,
    drop_prompt_echo,
    is_hallucination,
    truncate_repetitions,
)
from asr.policy import LocalAgreement
from asr.revise import Change, context_revision, revision
from asr.stream_config import DecodeJob
from asr.text import display_words
from asr.types import (
    SAMPLE_RATE_HZ,
    Commit,
    Event,
    Partial,
    Revision,
    UtteranceEnd,
    Word,
    apply_revision,
)
from asr.window import Window

__all__ = ["Commits", "decoded_words"]

_SAMPLES_PER_MS = SAMPLE_RATE_HZ // 1000
_PADDING_WORD_MS = 40
# A final decode that stopped early, leaving this much voiced audio after its last word, is
# followed by a decode of the rest from ``_REST_CONTEXT_MS`` before where it stopped.
_REST_MS = 300
_REST_CONTEXT_MS = 1000
_RECENT_WORDS = 48  # committed words kept to spot loops across windows


def silence_after_ms(job: DecodeJob, speech_pad_ms: int) -> int:
    """How much of the job's window end is the silence VAD saw after the speech (kept as padding
    at an utterance's end; none at a forced cut)."""
    return speech_pad_ms - 50 if job.end_of_utterance else 0


def decoded_words(
    job: DecodeJob, result: WindowResult, language: str, *, speech_pad_ms: int, prompt: str
) -> tuple[list[Word], int]:
    """A decode's words in stream time after the guards (``prompt``: the instruction prompt an
    echo repeats), and where its own words ended before the guards (ms, 0 without words)."""
    offset_ms = job.start_sample // _SAMPLES_PER_MS
    audio_ms = (job.end_sample - job.start_sample) // _SAMPLES_PER_MS
    # Words aligned into the zero padding after the audio, or (at an utterance end) into the
    # silence VAD saw after the speech, are invented: Whisper repeating the window's text.
    latest_start_ms = audio_ms - max(_PADDING_WORD_MS, silence_after_ms(job, speech_pad_ms))
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
    words = drop_prompt_echo(words, prompt)
    if is_hallucination(
        words,
        no_speech_prob=result.no_speech_prob,
        avg_logprob=result.avg_logprob,
        compression_ratio=result.compression_ratio,
    ):
        words = []
    return words, decoded_to_ms


class Commits:
    """The commits of one stream's decodes over ``window``; ``voiced`` accounts for them."""

    def __init__(self, agreement: int, window: Window, voiced: VoicedLedger, pad_ms: int) -> None:
        self._policy = LocalAgreement(agreement=agreement)
        self._window = window
        self._voiced = voiced
        self._pad_ms = pad_ms
        self._recent_committed: deque[Word] = deque(maxlen=_RECENT_WORDS)
        # Committed by quick decodes since the last final decode: the final one may revise them.
        self._provisional: list[Word] = []
        # Final words of the last utterance kept as audio context: the next final decode reads
        # them again with what followed them and may correct them once (asr.revise).
        self._context: list[Word] = []
        self._rest_read = False  # the rest of the open utterance was decoded again on its own

    def reset_history(self) -> None:
        """The next hypothesis is compared with none before it (a new window, or skipped audio)."""
        self._policy.reset_history()

    def keep_as_context(self, words: list[Word]) -> None:
        """``words`` stay in the window as audio context for the next utterance."""
        self._context = list(words)

    def quick(
        self, words: list[Word], stable_until_ms: int, language: str, emitted_at: int
    ) -> list[Event]:
        """Commit what a quick decode's ``words`` and the hypotheses before agree on."""
        events: list[Event] = []
        update = self._policy.update(words, stable_until_ms=stable_until_ms)
        newly = self.no_loop_across_commits(update.committed)
        if newly:
            events.append(Commit(newly, language, False, emitted_at))
            self._window.committed.extend(newly)
            self._voiced.words.extend(newly)
            self._provisional.extend(newly)
        events.append(Partial(update.partial, language, emitted_at))
        return events

    def final(
        self,
        job: DecodeJob,
        words: list[Word],
        decoded_to_ms: int,
        language: str,
        emitted_at: int,
        utterance_onset: int,
    ) -> tuple[list[Event], int | None]:
        """Commit everything a final decode (utterance end or forced cut) yields; ``words`` are
        its words after the guards, ``decoded_to_ms`` where its own words ended before them,
        ``utterance_onset`` the sample where the utterance began. Also returns where to read the
        rest of the utterance again from (ms) if it stopped early, else ``None``."""
        events: list[Event] = []
        read_to_ms = words[-1].end_ms if words else 0
        job_end_ms = job.end_sample // _SAMPLES_PER_MS
        # Partial words are taken up to where the speech ended: a partial word mostly in the
        # silence VAD saw after it is invented ("In this regard, *in*", heard at the edge).
        speech_end_ms = job_end_ms - silence_after_ms(job, self._pad_ms)
        # The partial read on past the final decode's last word (a word of it lies mostly after
        # that word: the two decodes time a shared last word a little differently), and the
        # decode itself ended there (not a loop the guards cut): it stopped early (Whisper
        # emits end-of-text early in a window that holds earlier speech) and is trusted only
        # over the stretch it read.
        heard_more = any(w.mid_ms > read_to_ms for w in self._policy.pending(speech_end_ms))
        stopped_early = heard_more and decoded_to_ms <= read_to_ms
        changes = (
            self._context_revision(job, words, utterance_onset),
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
        committed = self.no_loop_across_commits(self._policy.finish(words, until_ms=speech_end_ms))
        ends = job.end_of_utterance and not rest
        if committed:
            events.append(Commit(committed, language, ends, emitted_at))
        elif ends:
            events.append(UtteranceEnd(job_end_ms))
        events.append(Partial((), language, emitted_at))
        self._window.committed.extend(committed)
        self._voiced.words.extend(committed)
        if rest:
            # The final decode stopped before the utterance's end: the words the latest partial
            # heard after it are committed now, as quick decodes' words are, and the rest of
            # the utterance is decoded again from shortly before the stop (once). That decode
            # corrects those words (``_revision``) and adds what nobody read.
            self._rest_read = True
            extra = [w for w in committed if w.mid_ms >= stop_ms]
            self._provisional = unread + extra
            return events, stop_ms - _REST_CONTEXT_MS
        self._rest_read = False
        return events, None

    def _read_rest_again(self, end_ms: int, read_to_ms: int) -> bool:
        """Whether the utterance's last voiced stretch goes on ``_REST_MS`` or more past every
        committed word after a final decode that stopped early (Whisper emits end-of-text early
        in a window that holds earlier speech), and the rest has not been read alone yet."""
        if self._rest_read:
            return False
        covered_ms = max(self._policy.committed_end_ms, read_to_ms)
        if covered_ms * _SAMPLES_PER_MS <= self._window.start:
            return False  # nothing of this window read: a re-read would see the same audio
        voiced_end = max((e for s, e in self._voiced.stretches if s < end_ms), default=0)
        return min(voiced_end, end_ms) - covered_ms >= _REST_MS

    def _context_revision(
        self, job: DecodeJob, words: list[Word], utterance_onset: int
    ) -> Change | None:
        """The final decode read the previous utterance's kept words again, now with what
        followed them: where it reads a few of them differently, it corrects them (once)."""
        start_ms = job.start_sample // _SAMPLES_PER_MS
        kept = set(map(id, self._window.committed))
        context = [w for w in self._context if id(w) in kept and w.start_ms >= start_ms]
        self._context = []
        if not context or not words:
            return None
        to_ms = (context[-1].end_ms + utterance_onset // _SAMPLES_PER_MS + self._pad_ms) // 2
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
        committed = self._window.committed
        index = next((i for i, w in enumerate(committed) if w == provisional[0]), None)
        if index is None:
            return None
        before = committed[index - 1] if index > 0 else None
        from_ms = (before.end_ms + provisional[0].start_ms) // 2 + 1 if before else start_ms
        to_ms = self._policy.committed_end_ms if read_to_ms is None else read_to_ms
        change = revision(provisional, words, from_ms=from_ms, to_ms=to_ms, before=before)
        if change is None:
            return None
        self._apply_change(change)
        return change

    def _apply_change(self, change: Change) -> None:
        """The stream's own records of committed words follow a revision."""
        old, new = change.replaced, change.words
        self._window.committed = apply_revision(self._window.committed, old, new)
        self._voiced.words = apply_revision(self._voiced.words, old, new)
        recent = apply_revision(list(self._recent_committed), old, new)
        self._recent_committed = deque(recent, maxlen=_RECENT_WORDS)
        self._policy.revise(old, new)

    def no_loop_across_commits(self, committed: tuple[Word, ...]) -> tuple[Word, ...]:
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
