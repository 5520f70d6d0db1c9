"""The ``quotes`` command line: extract, eval, models, config, schema (and, from cli_store, the
store's commands).

One error path: a ``QuotesError`` (quotes/errors.py, which lists the exit statuses) prints its
message as one line; anything else is an internal error, one line too unless ``--debug``.
Text from documents is printed as data (quotes/report.py), never as markup."""

from __future__ import annotations

import json
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .cli_train import RULES_ONLY_HELP, model_notice

def _plain_coercion() -> None:
    """typer 0.2x converts every option value through a pydantic TypeAdapter, built the first time it
    converts one (defaults included), so each command imports pydantic: ~80 ms of a read command's
    500 ms budget. Here the plain values most options take are converted directly: str, int or
    float, or an Enum of strings (optional or not), with no range, parser, path or list attached;
    an option left unset (None) needs no conversion at all. Anything else, and any value that does
    not convert exactly, goes through typer's own conversion (built then), so its checks and error
    messages stay typer's. A typer without this machinery is left as it is."""
    try:
        from typer import core as typer_core
        from typer._coercion import RuntimeParam, build_runtime_param
    except ImportError:
        return
    parameter = getattr(typer_core, "_TyperParameter", None)
    if parameter is None or not hasattr(parameter, "get_runtime_param") or getattr(parameter, "_quotes_plain", False):
        return
    import re
    from dataclasses import dataclass
    from enum import Enum
    from typing import Union, get_args, get_origin

    integer, number = re.compile(r"[+-]?[0-9]+"), re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")

    def plain_type(descriptor):
        info, annotation = descriptor.parameter_info, descriptor.annotation
        if get_origin(annotation) is Union:
            args = [a for a in get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else None
        if (getattr(info, "parser", None) is not None or getattr(info, "click_type", None) is not None
                or getattr(info, "min", None) is not None or getattr(info, "max", None) is not None
                or descriptor.file_annotation is not None):
            return None
        if annotation in (str, int, float):
            return annotation
        if (isinstance(annotation, type) and issubclass(annotation, Enum)
                and all(isinstance(m.value, str) for m in annotation)):
            return annotation
        return None

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        kind: type | None = None

        def _coerce_value(self, value, param, ctx):
            kind = self.kind
            if kind is str and isinstance(value, str):
                return value
            if kind is int and (type(value) is int or (isinstance(value, str) and integer.fullmatch(value))):
                return int(value)
            if kind is float and (type(value) in (int, float) or (isinstance(value, str) and number.fullmatch(value))):
                return float(value)
            if kind is not None and issubclass(kind, Enum):
                if isinstance(value, kind):
                    return value
                for member in kind:
                    if value == member.value:
                        return member
            real = param.__dict__.get("_quotes_typer_param")
            if real is None:
                real = param.__dict__["_quotes_typer_param"] = build_runtime_param(param.type_descriptor)
            return real._coerce_value(value, param=param, ctx=ctx)

    def get_runtime_param(self):
        if self._runtime_param is None:
            self._runtime_param = PlainRuntimeParam(parameter_info=self.type_descriptor.parameter_info,
                                                    annotation=self.type_descriptor.annotation,
                                                    kind=plain_type(self.type_descriptor))
        return self._runtime_param

    parameter.get_runtime_param = get_runtime_param
    parameter._quotes_plain = True


_plain_coercion()

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Who said what, who cites whom, and where a claim travels, in news text.")
_ERR = []


def _console():
    """The stderr console (rich), made on first use: a read command that prints nothing on stderr
    does not load it."""
    if not _ERR:
        from rich.console import Console

        _ERR.append(Console(stderr=True, highlight=False, emoji=False))
    return _ERR[0]


def __getattr__(name: str):
    if name == "err":  # `from quotes.cli import err`, as before
        return _console()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def warn(message: str, style: str = "yellow") -> None:
    """One line on stderr; ``message`` may hold document text, so it is never read as markup."""
    from rich.text import Text

    _console().print(Text(message, style=style), soft_wrap=True)


class Format(str, Enum):
    jsonl = "jsonl"
    table = "table"


def _progress(total: int | None):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    err = _console()
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="text, JSONL or HTML files, or folders of them"),
    lang: str = typer.Option("auto", "--lang", help="auto, or a language code (de, nb)"),
    fmt: Format = typer.Option(Format.jsonl, "--format", help="jsonl: one record per document; table: for reading"),
    batch_size: int = typer.Option(16, help="documents per stanza batch"),
    rules_only: bool = typer.Option(False, "--rules-only", help=RULES_ONLY_HELP),
) -> None:
    """Quotes, speakers, cues, outlet and cited sources of each document, in input order.

    Exit status 1 when any input failed (its error line is printed in its place)."""
    from .language import check_language
    from .pipeline import Pipeline, PipelineConfig
    from .records import DocumentResult, Failure

    check_language(lang)
    warn(model_notice(rules_only), "dim")
    pipeline = Pipeline(PipelineConfig(language=lang, batch_size=batch_size, rules_only=rules_only))
    failures = 0
    started = time.perf_counter()
    with _progress(None) as bar:
        task = bar.add_task("extracting", total=None)
        for result in pipeline.run([str(p) for p in paths], progress=lambda n: bar.advance(task, n)):
            if isinstance(result, Failure):
                failures += 1
                warn(f"failed ({result.stage}): {result.error}", "red")
            if fmt is Format.jsonl:
                sys.stdout.write(result.model_dump_json() + "\n")
                sys.stdout.flush()
            elif isinstance(result, DocumentResult):
                from .report import print_document

                print_document(result)
    warn(f"done in {time.perf_counter() - started:.1f} s, {failures} failed", "dim")
    if failures:
        raise typer.Exit(code=1)


@app.command("eval")
def evaluate_command(
    gold: Path = typer.Argument(..., exists=True, help="gold JSONL shaped like german-news-quotes"),
    lang: str = typer.Option("de", "--lang"),
    offset: int = typer.Option(0, help="skip this many documents"),
    limit: Optional[int] = typer.Option(None, help="score at most this many documents"),
    as_json: bool = typer.Option(False, "--json", help="print the scores as JSON"),
    baseline: bool = typer.Option(False, "--marks-baseline", help="score quotation marks alone (no parse), for scale"),
    rules_only: bool = typer.Option(False, "--rules-only", help=RULES_ONLY_HELP),
    parse_cache: bool = typer.Option(False, "--parse-cache",
                                     help="read and keep stanza's parses in <models_dir>/parse-cache (same scores, faster re-runs)"),
) -> None:
    """Quote P/R/F1, speaker accuracy and attributed F1 against a gold file."""
    from .evaluate import evaluate, format_report, marks_baseline, read_gold
    from .pipeline import Pipeline, PipelineConfig
    from .records import Document, DocumentResult

    docs = read_gold(gold)[offset:]
    if limit is not None:
        docs = docs[:limit]
    if parse_cache:
        import quotes.learn.goldset  # noqa: F401 - registers the "parse-cached" processor
    parse = "parse-cached" if parse_cache else "parse"
    pipeline = Pipeline(PipelineConfig(language=lang, processors=("language", "segment", parse, "quotes"),
                                       rules_only=rules_only))

    def predict(texts: list[str]):
        out = []
        with _progress(len(texts)) as bar:
            task = bar.add_task("scoring", total=len(texts))
            for i in range(0, len(texts), 32):
                chunk = [Document(doc_id=f"gold-{offset + i + j}", path=str(gold), text=t, language=lang)
                         for j, t in enumerate(texts[i:i + 32])]
                for r in pipeline.process_documents(chunk):
                    out.append(r.quotes if isinstance(r, DocumentResult) else [])
                bar.advance(task, len(chunk))
        return out

    if not baseline:
        _console().print(model_notice(rules_only))
    score = evaluate(docs, marks_baseline if baseline else predict, lang)
    if as_json:
        print(json.dumps(score.as_dict(), indent=2))
    else:
        print(format_report(score, f"{gold} [{offset}:{offset + len(docs)}] ({len(docs)} documents)"))


@app.command()
def models(
    download: bool = typer.Option(False, "--download", help="fetch the official models for what is missing"),
) -> None:
    """Check that the stanza models for every supported language are there (STANZA_RESOURCES_DIR)."""
    from .models import ensure_models
    from .parse import ModelsMissing

    from .errors import QuotesError

    try:
        where = ensure_models(download=download)
    except ModelsMissing:
        raise
    except Exception as exc:  # noqa: BLE001 - a failed download (no network) is a clear message, not a trace
        raise QuotesError(f"could not download the stanza models: {type(exc).__name__}: {exc}") from None
    from .settings import recorded, write

    if where and recorded("stanza_resources") != where:
        # recorded, so that `.venv/bin/quotes` finds them later without any export
        warn(f"recorded in {write('stanza_resources', where)}", "dim")
    warn(f"stanza models: {where}", "")


config_app = typer.Typer(no_args_is_help=False, invoke_without_command=True,
                         help="Settings: where the models, the store and the encoder are (env > settings file > default).")


@config_app.callback()
def config_show(ctx: typer.Context) -> None:
    """Every setting, its value and where the value came from."""
    if ctx.invoked_subcommand:
        return
    from .settings import SETTINGS, lookup, settings_file

    print(f"settings file: {settings_file()}")
    for key, setting in SETTINGS.items():
        value, source = lookup(key)
        print(f"{key} = {value if value is not None else '(not set)'}    [{source}; env {setting.env}]")


@config_app.command("set")
def config_set(key: str = typer.Argument(...), value: str = typer.Argument(...)) -> None:
    """Write one setting into the settings file."""
    from .settings import write

    warn(f"{key} = {value} → {write(key, value)}", "")


app.add_typer(config_app, name="config")


@app.command()
def schema(
    out: Path = typer.Option(Path("schemas"), help="folder for the generated JSON Schema files"),
    check: bool = typer.Option(False, help="only report drift; exit 1 when the files differ"),
) -> None:
    """Write (or check) the JSON Schema generated from the pydantic records."""
    from .schema import drifted, write_schemas

    if check:
        stale = drifted(out)
        if stale:
            warn(f"schema drift in {out}: {', '.join(stale)} (run `quotes schema`)", "red")
            raise typer.Exit(1)
        warn(f"{out}: up to date", "")
        return
    for path in write_schemas(out):
        warn(f"wrote {path}", "")


# train: the learned attribution layer (quotes/cli_train.py)
from .cli_train import register as _register_train_command  # noqa: E402

_register_train_command(app)

# run, serve, query, audit, trace, sql: the store's commands (quotes/cli_store.py)
from .cli_store import register as _register_store_commands  # noqa: E402

_register_store_commands(app)


@app.callback()
def _global_options(
    debug: bool = typer.Option(False, "--debug", help="show the traceback of an internal error (env QUOTES_DEBUG=1)"),
) -> None:
    """Who said what, who cites whom, and where a claim travels, in news text."""


def _debug() -> bool:
    import os

    return "--debug" in sys.argv[1:] or os.environ.get("QUOTES_DEBUG", "") not in ("", "0")


class _Interrupted(BaseException):
    """Ctrl-C, past click (which would turn it into exit status 1, the status of failed inputs)."""


def _interrupt(signum, frame):  # noqa: ARG001 - the signal handler's signature
    raise _Interrupted


# Commands that only read: run as the program, they end without the interpreter's teardown.
READ_COMMANDS = frozenset({"query", "audit", "sql", "export"})


def _is_program() -> bool:
    """Whether ``main`` runs as the program (the console script, or ``python -m quotes.cli``), not
    called from other Python code (tests, notebooks)."""
    entry = sys.modules.get("__main__")
    spec = getattr(entry, "__spec__", None)
    return Path(getattr(entry, "__file__", None) or "").name == "quotes" or getattr(spec, "name", "") == "quotes.cli"


def _leave(status: int):
    """``sys.exit(status)``. A read command run as the program exits at once when its output is
    flushed: the interpreter's teardown (freeing polars' and deltalake's objects, joining their
    threads) is ~40 ms of a 500 ms budget and has nothing left to do for it."""
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    if command in READ_COMMANDS and _is_program():
        import os

        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe (`| head`): nothing more to say
                pass
        os._exit(status)
    sys.exit(status)


def main() -> None:
    """The console script: the one error path (see quotes/errors.py for the exit statuses).

    Usage mistakes are click's (a usage line, exit 2); a QuotesError is one line; anything else
    is an internal error, one line unless --debug."""
    import signal

    from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, QuotesError

    signal.signal(signal.SIGINT, _interrupt)
    try:
        app()
    except SystemExit as exc:  # how click ends every command
        code = exc.code
        if code is not None and not isinstance(code, int):
            raise
        _leave(code or 0)
    except QuotesError as exc:
        warn(f"error: {exc}", "red")
        _leave(exc.exit_code)
    except _Interrupted:
        warn("interrupted", "red")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - a bug: one line for the user, the traceback under --debug
        if _debug():
            raise
        warn(f"internal error: {type(exc).__name__}: {exc} (run again with --debug for the traceback, "
             "and please report it)", "red")
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
