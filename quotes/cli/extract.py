"""The per-document commands: ``quotes extract`` (print what each document says) and ``quotes
eval`` (score the extraction against a gold file)."""

from __future__ import annotations

import json
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from quotes.cli.output import print_document, progress, warn
from quotes.cli.train import RULES_ONLY_HELP, model_notice


class Format(str, Enum):
    jsonl = "jsonl"
    table = "table"


def extract(
    paths: list[Path] = typer.Argument(..., help="text, JSONL or HTML files, or folders of them"),
    lang: str = typer.Option("auto", "--lang", help="auto, or a language code (de, nb)"),
    fmt: Format = typer.Option(Format.jsonl, "--format", help="jsonl: one record per document; table: for reading"),
    batch_size: int = typer.Option(16, help="documents per stanza batch"),
    rules_only: bool = typer.Option(False, "--rules-only", help=RULES_ONLY_HELP),
) -> None:
    """Quotes, speakers, cues, outlet and cited sources of each document, in input order.

    Exit status 1 when any input failed (its error line is printed in its place)."""
    from quotes.ingest.language import check_language
    from quotes.records import DocumentResult, Failure
    from quotes.run.pipeline import Pipeline, PipelineConfig

    check_language(lang)
    warn(model_notice(rules_only), "dim")
    pipeline = Pipeline(PipelineConfig(language=lang, batch_size=batch_size, rules_only=rules_only))
    failures = 0
    started = time.perf_counter()
    with progress() as bar:
        task = bar.add_task("extracting", total=None)
        for result in pipeline.run([str(p) for p in paths], progress=lambda n: bar.advance(task, n),
                                   on_skip=lambda line: warn(f"note: {line}")):
            if isinstance(result, Failure):
                failures += 1
                warn(f"failed ({result.stage}): {result.error}", "red")
            if fmt is Format.jsonl:
                sys.stdout.write(result.model_dump_json() + "\n")
                sys.stdout.flush()
            elif isinstance(result, DocumentResult):

                print_document(result)
    warn(f"done in {time.perf_counter() - started:.1f} s, {failures} failed", "dim")
    if failures:
        raise typer.Exit(code=1)


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
    from quotes.gold.evaluate import evaluate, format_report, marks_baseline, read_gold
    from quotes.records import Document, DocumentResult
    from quotes.run.pipeline import Pipeline, PipelineConfig

    docs = read_gold(gold)[offset:]
    if limit is not None:
        docs = docs[:limit]
    if parse_cache:
        import quotes.gold.articles  # noqa: F401 - registers the "parse-cached" processor
    parse = "parse-cached" if parse_cache else "parse"
    pipeline = Pipeline(PipelineConfig(language=lang, processors=("language", "segment", parse, "encode", "quotes"),
                                       rules_only=rules_only))

    failures = []

    def predict(texts: list[str]):
        out = []
        with progress() as bar:
            task = bar.add_task("scoring", total=len(texts))
            for i in range(0, len(texts), 32):
                chunk = [Document(doc_id=f"gold-{offset + i + j}", path=str(gold), text=t, language=lang)
                         for j, t in enumerate(texts[i:i + 32])]
                for r in pipeline.process_documents(chunk):
                    out.append(r.quotes if isinstance(r, DocumentResult) else [])
                    if not isinstance(r, DocumentResult):
                        failures.append(r)
                bar.advance(task, len(chunk))
        return out

    if not baseline:
        warn(model_notice(rules_only), "")
    score = evaluate(docs, marks_baseline if baseline else predict, lang)
    if failures:  # scored as finding nothing, and said: a failed document is never silently lost
        warn(f"warning: {len(failures)} of {len(docs)} documents failed and score as no quotes "
             f"(first: {failures[0].stage}: {failures[0].error})")
    if as_json:
        print(json.dumps(score.as_dict(), indent=2))
    else:
        from quotes.terminal import safe

        print(safe(format_report(score, f"{gold} [{offset}:{offset + len(docs)}] ({len(docs)} documents)")))
