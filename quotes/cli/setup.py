"""Setting up: ``quotes models`` (the stanza models), ``quotes config`` (the settings) and
``quotes schema`` (the JSON Schema of the records)."""

from __future__ import annotations

from pathlib import Path

import typer

from quotes.cli.output import warn


def models(
    download: bool = typer.Option(False, "--download", help="fetch the official models for what is missing"),
) -> None:
    """Check that the stanza models for every supported language are there (STANZA_RESOURCES_DIR)."""
    from quotes.errors import QuotesError
    from quotes.parse.models import ensure_models
    from quotes.parse.parser import ModelsMissing

    try:
        where = ensure_models(download=download)
    except ModelsMissing:
        raise
    except Exception as exc:  # noqa: BLE001 - a failed download (no network) is a clear message, not a trace
        raise QuotesError(f"could not download the stanza models: {type(exc).__name__}: {exc}") from None
    from quotes.settings import recorded, write

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
    from quotes.settings import SETTINGS, lookup, settings_file
    from quotes.terminal import safe

    print(safe(f"settings file: {settings_file()}", newlines=False))
    for key, setting in SETTINGS.items():
        value, source = lookup(key)
        print(safe(f"{key} = {value if value is not None else '(not set)'}    [{source}; env {setting.env}]",
                   newlines=False))


@config_app.command("set")
def config_set(key: str = typer.Argument(...), value: str = typer.Argument(...)) -> None:
    """Write one setting into the settings file."""
    from quotes.settings import write

    warn(f"{key} = {value} → {write(key, value)}", "")


def schema(
    out: Path = typer.Option(Path("schemas"), help="folder for the generated JSON Schema files"),
    check: bool = typer.Option(False, help="only report drift; exit 1 when the files differ"),
) -> None:
    """Write (or check) the JSON Schema generated from the pydantic records."""
    from quotes.schema import drifted, write_schemas

    if check:
        stale = drifted(out)
        if stale:
            warn(f"schema drift in {out}: {', '.join(stale)} (run `quotes schema`)", "red")
            raise typer.Exit(1)
        warn(f"{out}: up to date", "")
        return
    for path in write_schemas(out):
        warn(f"wrote {path}", "")
