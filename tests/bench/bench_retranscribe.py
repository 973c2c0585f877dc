"""Re-transcription speed: ``asr.offline.transcribe_file`` on a long file, as the re-transcription
worker runs it on each participant's finished track (base model, int8, 1 and 2 CPU threads).

    .venv/bin/python -m tests.bench.bench_retranscribe
"""

from __future__ import annotations

import time

from asr.audio import probe_duration_s
from asr.offline import load_engine, transcribe_file
from tests.conftest import speech_corpus_path

FILES = {"zh": "zh_long_concat_dev.wav", "en": "en_long_concat_dev.wav"}


def main() -> None:
    corpus = speech_corpus_path()
    for threads in (1, 2):
        _, engine = load_engine("base", cpu_threads=threads)
        for language, name in FILES.items():
            path = corpus / name
            audio_s = probe_duration_s(path) or 0.0
            t0, c0 = time.perf_counter(), time.process_time()
            transcribe_file(engine, path, language=language)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(
                f"threads={threads} {language} audio={audio_s:.1f}s wall={wall:.1f}s "
                f"rtf={wall / audio_s:.3f} cpu_rtf={cpu / audio_s:.3f}"
            )


if __name__ == "__main__":
    main()
