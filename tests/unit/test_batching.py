"""Which decode jobs the scheduler batches, and the silence a batch gives each window."""

from __future__ import annotations

import numpy as np
import pytest

from asr.engine import DecodeOptions, WindowRequest
from asr.runner import batch_options
from asr.scheduler import batchable
from asr.stream import DecodeJob
from asr.types import SAMPLE_RATE_HZ


def job(seconds: float, *, tail_s: float = 1.0, beam: int = 5, detect: bool = False) -> DecodeJob:
    samples = round(seconds * SAMPLE_RATE_HZ)
    return DecodeJob(
        request=WindowRequest(audio=np.zeros(samples, dtype=np.float32), language="zh"),
        options=DecodeOptions(beam_size=beam, tail_padding_s=tail_s),
        start_sample=0,
        end_sample=samples,
        final=True,
        end_of_utterance=True,
        detect_language=detect,
        generation=0,
    )


def test_final_windows_padded_differently_still_batch() -> None:
    # Two final decodes padded to 10 s each: 3 s + 7 s and 4 s + 6 s of silence.
    assert batchable(job(3, tail_s=7), job(4, tail_s=6), 1.5)


@pytest.mark.parametrize(
    ("first", "other"),
    [
        (job(3, beam=5), job(3, beam=1)),  # a final and a partial decode
        (job(3), job(3, detect=True)),  # language still unknown
        (job(2), job(3.1)),  # 3.1 s is more than 1.5 × 2 s
    ],
)
def test_unlike_jobs_do_not_batch(first: DecodeJob, other: DecodeJob) -> None:
    assert not batchable(first, other, 1.5)


def test_one_job_keeps_its_own_tail() -> None:
    assert batch_options([job(3, tail_s=7)]).tail_padding_s == pytest.approx(7.0)


@pytest.mark.parametrize(
    ("jobs", "tail_s"),
    [
        # 3 s + 7 s and 4 s + 6 s both read 10 s: the batch is 4 s long, so 6 s more.
        ([job(3, tail_s=7), job(4, tail_s=6)], 6.0),
        # The shorter window asks more: 3 s + 7 s = 10 s against 4 s + 1 s = 5 s; 10 - 4 = 6.
        ([job(4, tail_s=1), job(3, tail_s=7)], 6.0),
        # The longer asks more: 4 s + 2 s = 6 s against 3 s + 2 s = 5 s; 6 - 4 = 2.
        ([job(3, tail_s=2), job(4, tail_s=2)], 2.0),
    ],
)
def test_a_batch_reads_at_least_what_each_window_asked(
    jobs: list[DecodeJob], tail_s: float
) -> None:
    options = batch_options(jobs)
    assert options.tail_padding_s == pytest.approx(tail_s)
    assert options.beam_size == jobs[0].options.beam_size
