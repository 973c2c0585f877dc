"""The ``tingshen`` command line: transcribe a file, stream it, evaluate on a manifest, list models.

Thin on purpose: options are parsed and wired to ``asr.offline`` (whole files), ``asr.runner``
(streaming) and ``asr.eval.runner`` (evaluation). Every error the asr package raises on purpose
(:class:`asr.errors.AsrError`: a model that cannot be resolved or loaded, audio that cannot be
decoded, a malformed manifest) is turned into one line on stderr and exit code 2 in one place,
:class:`_Group`; a traceback means a bug.

Settings come from options, and from the environment only inside a command:
``TINGSHEN_MODEL_DIR`` (where the base model is assembled, read by
:func:`asr.models.default_model_dir`) and ``TINGSHEN_ALLOW_MODEL_DOWNLOAD=1`` (the same as
``--allow-download``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from typer.core import TyperGroup

from asr.audio import iter_decode, probe_duration_s
from asr.engine import Engine
from asr.errors import AsrError, ManifestError
from asr.eval.manifest import load_manifest
from asr.eval.metrics import metric_name
from asr.eval.report import ItemResult, build_report, write_report
from asr.eval.runner import evaluate
from asr.eval.table import render_table
from asr.formats import to_json, to_srt, to_txt, to_vtt
from asr.models import ModelSpec, default_model_dir, model_names, resolve_model
from asr.offline import check_language, load_engine, transcribe_file
from asr.runner import SyncStream
from asr.stream import StreamConfig
from asr.types import (
    Commit,
    Event,
    Gap,
    GapReason,
    Revision,
    Segment,
    UtteranceEnd,
    Word,
    apply_revision,
    join_words,
)

__all__ = ["app", "main"]

ALLOW_DOWNLOAD_ENV = "TINGSHEN_ALLOW_MODEL_DOWNLOAD"
EXIT_ERROR = 2
PROGRESS_MIN_S = 60.0
"""Files longer than this get a progress bar even when stderr is not a terminal."""

_TRUE = frozenset({"1", "true", "yes", "on"})
_REPORT_WIDTH = 160  # columns of the eval tables when stdout is not a terminal


class CliError(Exception):
    """A problem of the command line itself (an output file that cannot be written)."""


class _Group(TyperGroup):
    """The one place where expected errors become a one-line message and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (AsrError, CliError) as exc:
            _fail(str(exc))


def _fail(message: str) -> NoReturn:
    typer.echo(f"tingshen: error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code=EXIT_ERROR)


class LanguageOption(StrEnum):
    zh = "zh"
    en = "en"
    auto = "auto"


class EvalLanguage(StrEnum):
    zh = "zh"
    en = "en"


class ComputeType(StrEnum):
    int8 = "int8"
    float32 = "float32"


class OutputFormat(StrEnum):
    txt = "txt"
    srt = "srt"
    vtt = "vtt"
    json = "json"


class EvalMode(StrEnum):
    offline = "offline"
    streaming = "streaming"


ErrorMappingGroup = _Group  # for front ends that add commands (hearing_server.cli)

app = typer.Typer(
    cls=_Group,
    name="tingshen",
    help="Tingshen speech recognition: transcribe, stream and evaluate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
asr_app = typer.Typer(
    help="Speech recognition tools (evaluation).", no_args_is_help=True, add_completion=False
)
app.add_typer(asr_app, name="asr")

ModelOpt = Annotated[
    str,
    typer.Option(
        "--model", help="Model name ('base', 'tiny.en', a hub name) or a model directory."
    ),
]
ModelDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--model-dir",
        help="Where the base model is assembled and hub models are downloaded "
        "[default: $TINGSHEN_MODEL_DIR or the per-user cache].",
    ),
]
AllowDownloadOpt = Annotated[
    bool,
    typer.Option(
        "--allow-download",
        help=f"Allow downloading hub models (or set {ALLOW_DOWNLOAD_ENV}=1).",
    ),
]
ComputeTypeOpt = Annotated[
    ComputeType, typer.Option("--compute-type", help="CTranslate2 compute type.")
]
BeamSizeOpt = Annotated[int, typer.Option("--beam-size", min=1, help="Beam size (1 = greedy).")]
LanguageOpt = Annotated[
    LanguageOption,
    typer.Option("--language", help="Language of the speech; 'auto' lets the model detect it."),
]


def _allow_download(flag: bool) -> bool:
    return flag or os.environ.get(ALLOW_DOWNLOAD_ENV, "").strip().lower() in _TRUE


def _language(option: LanguageOption) -> str | None:
    return None if option is LanguageOption.auto else option.value


def _load(
    model: str, model_dir: Path | None, allow_download: bool, compute_type: ComputeType
) -> tuple[ModelSpec, Engine]:
    return load_engine(
        model,
        model_dir=model_dir,
        allow_download=_allow_download(allow_download),
        compute_type=compute_type.value,
        cpu_threads=os.cpu_count() or 0,
    )


@contextmanager
def _progress_bar(show: bool, description: str) -> Iterator[Callable[[float], None] | None]:
    """A rich progress bar on stderr (yields its update callback), or nothing."""
    if not show:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task(description, total=1.0)
        yield lambda fraction: progress.update(task, completed=fraction)


def _render(
    segments: list[Segment],
    output_format: OutputFormat,
    *,
    language: str,
    model: str,
    duration_s: float | None,
) -> str:
    if output_format is OutputFormat.txt:
        return to_txt(segments, language)
    if output_format is OutputFormat.srt:
        return to_srt(segments, language=language)
    if output_format is OutputFormat.vtt:
        return to_vtt(segments, language=language)
    duration = None if duration_s is None else round(duration_s, 3)
    return to_json(segments, language=language, model=model, duration_s=duration)


def _write_output(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from exc


@app.command()
def transcribe(
    file: Annotated[Path, typer.Argument(help="Audio or video file (anything FFmpeg reads).")],
    language: LanguageOpt = LanguageOption.auto,
    model: ModelOpt = "base",
    compute_type: ComputeTypeOpt = ComputeType.int8,
    beam_size: BeamSizeOpt = 5,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.txt,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    allow_download: AllowDownloadOpt = False,
    model_dir: ModelDirOpt = None,
) -> None:
    """Transcribe a whole file (offline) to text, subtitles or JSON."""
    duration_s = probe_duration_s(file)  # fails fast, before a model is loaded
    spec, engine = _load(model, model_dir, allow_download, compute_type)
    check_language(engine, _language(language), model=model)
    show = sys.stderr.isatty() or (duration_s or 0.0) > PROGRESS_MIN_S
    with _progress_bar(show, escape(f"transcribing {file.name}")) as progress:
        detected, segments = transcribe_file(
            engine, file, language=_language(language), beam_size=beam_size, progress=progress
        )
    text = _render(
        segments, output_format, language=detected, model=spec.name, duration_s=duration_s
    )
    _write_output(text, output)


def _clock(ms: int) -> str:
    """``mm:ss.s`` (minutes keep counting past 59)."""
    minutes, tenths = divmod(max(0, ms) // 100, 600)
    return f"{minutes:02d}:{tenths // 10:02d}.{tenths % 10}"


@app.command()
def stream(
    file: Annotated[Path, typer.Argument(help="Audio or video file (anything FFmpeg reads).")],
    language: LanguageOpt = LanguageOption.auto,
    model: ModelOpt = "base",
    compute_type: ComputeTypeOpt = ComputeType.int8,
    beam_size: BeamSizeOpt = 5,
    chunk_ms: Annotated[
        int, typer.Option("--chunk-ms", min=10, help="Audio fed per step, in ms.")
    ] = 100,
    allow_download: AllowDownloadOpt = False,
    model_dir: ModelDirOpt = None,
) -> None:
    """Run a file through the streaming engine at full speed; print each utterance once final."""
    probe_duration_s(file)  # fails fast, before a model is loaded
    _, engine = _load(model, model_dir, allow_download, compute_type)
    check_language(engine, _language(language), model=model)
    live = SyncStream(engine, StreamConfig(language=_language(language), beam_size=beam_size))
    printer = _UtterancePrinter()
    for chunk in iter_decode(file, chunk_s=chunk_ms / 1000):
        printer(live.feed(chunk))
    printer(live.finish())
    printer.flush()


_GAP_TEXT: dict[GapReason, str] = {
    "backlog": "audio skipped behind real time",
    "unrecognised": "speech not recognised",
}


class _UtterancePrinter:
    """Prints one line per utterance, ``[mm:ss.s] text``, as soon as its last words are final."""

    def __init__(self) -> None:
        self._words: list[Word] = []
        self._language = "en"

    def __call__(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, Commit):
                self._words.extend(event.words)
                self._language = event.language
                if event.end_of_utterance:
                    self.flush()
            elif isinstance(event, Revision):
                self._words = apply_revision(self._words, event.replaced, event.words)
            elif isinstance(event, UtteranceEnd):
                self.flush()
            elif isinstance(event, Gap):
                what = _GAP_TEXT[event.reason]
                typer.echo(
                    f"[{_clock(event.start_ms)}] ({what} until {_clock(event.end_ms)})", err=True
                )

    def flush(self) -> None:
        if self._words:
            text = join_words(self._words, self._language)
            typer.echo(f"[{_clock(self._words[0].start_ms)}] {text}")
            self._words = []


@asr_app.command("eval")
def eval_command(
    manifest: Annotated[Path, typer.Argument(help="A manifest.jsonl (see docs/asr-eval.md).")],
    mode: Annotated[
        EvalMode, typer.Option("--mode", help="Whole-file decoding, or the streaming engine.")
    ] = EvalMode.offline,
    model: ModelOpt = "base",
    compute_type: ComputeTypeOpt = ComputeType.int8,
    chunk_ms: Annotated[
        int, typer.Option("--chunk-ms", min=10, help="Streaming chunk size in ms.")
    ] = 100,
    beam_size: BeamSizeOpt = 5,
    language: Annotated[
        EvalLanguage | None, typer.Option("--language", help="Only items of this language.")
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", help="Only items of this kind (real, synthetic, long_concat); repeatable."
        ),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the JSON report here.")
    ] = None,
    allow_download: AllowDownloadOpt = False,
    model_dir: ModelDirOpt = None,
) -> None:
    """Transcribe every manifest item, score it and print error rates, speed and latency."""
    languages = None if language is None else {language.value}
    kinds = set(kind) if kind else None
    items = load_manifest(manifest, languages=languages, kinds=kinds)
    if not items:
        raise ManifestError(f"{manifest}: no items match the --language/--kind filters")
    _, engine = _load(model, model_dir, allow_download, compute_type)
    err = Console(stderr=True)

    def on_item(result: ItemResult) -> None:
        rate = "–" if result.errors.rate is None else f"{result.errors.rate:.3f}"
        metric = metric_name(result.language).upper()
        line = f"{result.audio}: {metric} {rate}, {result.processing_s:.1f} s"
        err.print(escape(line), highlight=False)

    results = evaluate(
        engine,
        items,
        mode=mode.value,
        chunk_ms=chunk_ms,
        beam_size=beam_size,
        on_item=on_item,
    )
    report = build_report(
        results,
        mode=mode.value,
        model=model,
        compute_type=compute_type.value,
        chunk_ms=chunk_ms,
        beam_size=beam_size,
    )
    out = Console()
    render_table(report, out if out.is_terminal else Console(width=_REPORT_WIDTH))
    if json_out is not None:
        try:
            write_report(report, json_out)
        except OSError as exc:
            raise CliError(f"cannot write {json_out}: {exc.strerror or exc}") from exc


@app.command()
def models(model_dir: ModelDirOpt = None) -> None:
    """List the known model names and where each one is (or would be) found."""
    directory = model_dir if model_dir is not None else default_model_dir()
    base_dir = directory / "whisper-base"
    state = "assembled" if (base_dir / "model.bin").is_file() else "assembled on first use"
    typer.echo(f"base     multilingual (zh, en); {state} in {base_dir}")
    try:
        tiny = resolve_model("tiny.en")
        typer.echo(f"tiny.en  English only; {tiny.path}")
    except AsrError as exc:
        typer.echo(f"tiny.en  English only; not available: {' '.join(str(exc).split())}")
    hub = [name for name in model_names() if name not in ("base", "tiny.en")]
    typer.echo(
        f"download on demand (--allow-download or {ALLOW_DOWNLOAD_ENV}=1, into {directory}): "
        + ", ".join(hub)
    )
    typer.echo("or the path of a local faster-whisper model directory")


def main() -> None:
    """Console-script entry point (``tingshen``)."""
    app()
