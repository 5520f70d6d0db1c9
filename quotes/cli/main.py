"""The ``quotes`` command: the typer app, its commands (from the modules beside this one) and the
one error path.

A ``QuotesError`` (quotes/errors.py, which lists the exit statuses) prints its message as one
line; anything else is an internal error, one line too unless ``--debug``. Text from documents
is printed as data (quotes/cli/output.py), never as markup."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from quotes.cli.output import warn


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


def _register_commands(app: typer.Typer) -> None:
    """Every command, in the order ``quotes --help`` lists them."""
    from quotes.cli import ask, extract, setup, store, train

    app.command()(extract.extract)
    app.command("eval")(extract.evaluate_command)
    app.command()(setup.models)
    app.add_typer(setup.config_app, name="config")
    app.command()(setup.schema)
    app.command()(train.train)
    app.command()(store.run)
    app.command()(store.upgrade)
    app.command()(store.serve)
    app.add_typer(ask.query_app, name="query")
    app.command()(ask.audit)
    app.command()(store.entities)
    app.command()(ask.trace)
    app.command("embed")(store.embed_command)
    app.command()(ask.claims)
    app.command()(ask.sql)
    app.command()(ask.report)
    app.command()(ask.export)


_register_commands(app)


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
    return (Path(getattr(entry, "__file__", None) or "").name == "quotes"
            or getattr(spec, "name", "") in ("quotes.cli.__main__", "quotes.cli.main"))


def _flushed(status: int) -> int:
    """Flush stdout and stderr; a full disk under stdout (``quotes sql … > /dev/full``) is one line
    and status 74, not an output silently cut short."""
    from quotes.errors import EXIT_IO
    from quotes.files import is_disk_full

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError) as exc:  # a closed pipe (`| head`): nothing more to say
            if stream is sys.stdout and is_disk_full(exc):
                warn("error: no space left on the device of standard output while writing the output", "red")
                status = EXIT_IO
    return status


def _leave(status: int):
    """``sys.exit(status)`` once the output is flushed. A read command run as the program exits at
    once then: the interpreter's teardown (freeing polars' and deltalake's objects, joining their
    threads) is ~40 ms of a 500 ms budget and has nothing left to do for it."""
    status = _flushed(status)
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    if command in READ_COMMANDS and _is_program():
        import os

        os._exit(status)
    sys.exit(status)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__


def main() -> None:
    """The console script: the one error path (see quotes/errors.py for the exit statuses).

    Usage mistakes are click's (a usage line, exit 2); a QuotesError is one line; anything else
    is an internal error, one line unless --debug."""
    import signal

    from quotes.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_IO, QuotesError
    from quotes.files import is_disk_full

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
        _unexpected(exc, _debug(), EXIT_INTERNAL, EXIT_IO, is_disk_full)
    except BaseException as exc:  # a Rust panic in deltalake or polars is a BaseException (pyo3's PanicException)
        if type(exc).__name__ != "PanicException":
            raise
        _unexpected(exc, _debug(), EXIT_INTERNAL, EXIT_IO, is_disk_full)


def _table_of_missing_file(exc: BaseException) -> str | None:
    """The store's table whose data file polars or deltalake did not find (a file removed under a
    table), from the error's text; None for any other error."""
    import re

    from quotes.store.table_schemas import TABLES

    if not isinstance(exc, FileNotFoundError):
        return None
    # the table's folder is right above its data files (or their partition folders, key=value)
    found = re.search(r"/(\w+)/(?:\w+=[^/\s]*/)*part-[^/\s]*\.parquet", str(exc))
    return found.group(1) if found and found.group(1) in TABLES else None


def _unexpected(exc: BaseException, debug: bool, internal: int, io_error: int, is_disk_full) -> None:
    """What no command turned into a QuotesError: a full disk (one line, status 74), a store's table
    that deltalake cannot read (one line, status 2), else a bug (one line, status 70)."""
    if is_disk_full(exc):
        where = getattr(exc, "filename", None) or "the output"
        warn(f"error: no space left on device while writing {where} ({_first_line(exc)}); free space and run the "
             "command again", "red")
        _leave(io_error)
    if debug:
        raise exc
    table = _table_of_missing_file(exc)
    if table is not None:
        from quotes.errors import EXIT_USER_ERROR

        warn(f"error: the store's table {table} is damaged: a data file it lists is missing ({_first_line(exc)}); "
             f"restore the store's {table} folder from a backup, or move the store away and run `quotes run` over "
             "the inputs again", "red")
        _leave(EXIT_USER_ERROR)
    if type(exc).__module__.startswith(("deltalake", "_internal")) or type(exc).__name__ in ("DeltaError",
                                                                                           "DeltaProtocolError"):
        from quotes.errors import EXIT_USER_ERROR

        warn(f"error: a table of the store cannot be read ({_first_line(exc)}); the store may be damaged: restore "
             "it from a backup, or move it away and run `quotes run` over the inputs again", "red")
        _leave(EXIT_USER_ERROR)
    hint = (" (a Rust library panicked: if the store's files were changed, the store may be damaged)"
            if type(exc).__name__ == "PanicException" else "")
    warn(f"internal error: {type(exc).__name__}: {_first_line(exc)}{hint} (run again with --debug for the "
         "traceback, and please report it)", "red")
    sys.exit(internal)


if __name__ == "__main__":
    main()
